// The face a first-time ML user meets, on one workspace shaped like theirs (demo/: requirements with the PyTorch CUDA
// index, an environment.yml with a pip part, a pyproject with extras), judged against a loopback index and channel:
// one diagnostic per cause, verdict-first text under 100 characters, the preferred fix clears its line, inlay hints
// that say what is newer or installed, the machine the CUDA findings are judged against.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { startCondaChannel, type CondaChannel } from '../../helpers/conda-channel';
import { startPackageIndex, type PackageIndex } from '../../helpers/package-index';
import { DEMO_CHANNEL, DEMO_PACKAGES } from './demo-fixtures';
import { activate, codeOf, describeDiagnostics, fixture, open, stackDoctorDiagnostics, waitFor } from './helpers';

const FILES = ['demo/requirements.txt', 'demo/environment.yml', 'demo/pyproject.toml'] as const;

/**
 * The causes each file of the demo has, as code -> count: one diagnostic per cause. `index-unreachable` is left out:
 * whether download.pytorch.org answers depends on the machine's network (one on its option line where it does not).
 */
const CAUSES: Record<(typeof FILES)[number], Record<string, number>> = {
  // The CUDA 12.1 index on a machine without a driver (the option line, torch and torchvision: one cause); torch 2.1
  // was built for NumPy 1.x but numpy>=1.25 admits 2; TensorFlow 2.13 caps numpy at 1.24.3 (both lines: one cause).
  'demo/requirements.txt': { 'cuda-unavailable': 1, 'companion-version': 1, 'conflict-transitive': 1 },
  // conda's solve: python=3.12 and tensorflow=2.10 (both lines: one cause).
  'demo/environment.yml': { 'conflict-transitive': 1 },
  'demo/pyproject.toml': {},
};

/** The file's diagnostics counted per code (sorted), `index-unreachable` left out. */
/** The hints last read by {@link ANSWERED}, for failure messages. */
let lastHints = new Map<number, string[]>();

/**
 * What says that the stages answered for a file (the fast checks publish first, without them): the index-backed
 * conflict anchored where its preferred fix edits, conda's solve, a hint from the resolution.
 */
const ANSWERED: Record<(typeof FILES)[number], (doc: vscode.TextDocument) => Promise<boolean>> = {
  // The conflict is on numpy>=1.25 (line 5), which its fix edits, with tensorflow==2.13.0 related.
  'demo/requirements.txt': async (doc) =>
    stackDoctorDiagnostics(doc.uri, 'conflict-transitive').some(
      (d) => d.range.start.line === 4 && linesOf(doc.uri, d).includes(5),
    ),
  'demo/environment.yml': async (doc) => stackDoctorDiagnostics(doc.uri, 'conflict-transitive').length > 0,
  // TensorFlow holds numpy at 1.24.3.
  'demo/pyproject.toml': async (doc) => (lastHints = await hintsOf(doc)).get(4)?.includes('→ 1.24.3') ?? false,
};

function counts(uri: vscode.Uri): string {
  const out: Record<string, number> = {};
  for (const d of stackDoctorDiagnostics(uri)) {
    const code = String(codeOf(d));
    if (code !== 'index-unreachable') out[code] = (out[code] ?? 0) + 1;
  }
  return sortedJson(out);
}

const sortedJson = (o: Record<string, number>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));

/** The lines of the document a diagnostic takes part in: its own and its related locations there. */
function linesOf(uri: vscode.Uri, d: vscode.Diagnostic): number[] {
  return [
    d.range.start.line,
    ...(d.relatedInformation ?? [])
      .filter((r) => r.location.uri.toString() === uri.toString())
      .map((r) => r.location.range.start.line),
  ];
}

/** Inlay hint texts per zero-based line of the document. */
async function hintsOf(doc: vscode.TextDocument): Promise<Map<number, string[]>> {
  const hints =
    (await vscode.commands.executeCommand<vscode.InlayHint[]>(
      'vscode.executeInlayHintProvider',
      doc.uri,
      new vscode.Range(0, 0, doc.lineCount, 0),
    )) ?? [];
  const out = new Map<number, string[]>();
  for (const h of hints) {
    const label = typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
    out.set(h.position.line, [...(out.get(h.position.line) ?? []), label.trim()]);
  }
  return out;
}

const errorsOn = (uri: vscode.Uri, line: number): vscode.Diagnostic[] =>
  stackDoctorDiagnostics(uri).filter(
    (d) => d.severity === vscode.DiagnosticSeverity.Error && linesOf(uri, d).includes(line),
  );

suite('the demo workspace, as an ML user meets it', () => {
  let index: PackageIndex;
  let channel: CondaChannel;
  const config = () => vscode.workspace.getConfiguration('stackDoctor');
  let api: { profileStatusBar(): { text: string; tooltip: string } };

  suiteSetup(async function () {
    this.timeout(60_000);
    api = (await activate()).exports as typeof api;
    index = await startPackageIndex(DEMO_PACKAGES);
    channel = await startCondaChannel(DEMO_CHANNEL);
    // conda-forge, as the user wrote it, is this loopback channel here.
    const env = fixture('demo/environment.yml').fsPath;
    writeFileSync(env, readFileSync(env, 'utf8').replace('  - conda-forge\n', `  - ${channel.url}\n`));
    // The fixture workspace is offline (.vscode/settings.json); this suite needs its loopback index and channel.
    await config().update('indexUrl', index.url, vscode.ConfigurationTarget.Global);
    await config().update('offline', false, vscode.ConfigurationTarget.Workspace);
    await waitFor(
      'the offline and indexUrl settings to apply',
      () => (config().get('offline') === false && config().get('indexUrl') === index.url ? true : undefined),
      () => [config().inspect('offline'), config().inspect('indexUrl')],
    );
  });

  suiteTeardown(async () => {
    await config().update('indexUrl', undefined, vscode.ConfigurationTarget.Global);
    await config().update('offline', true, vscode.ConfigurationTarget.Workspace);
    await index?.close();
    await channel?.close();
  });

  test('one diagnostic per cause, each with a verdict-first line under 100 characters', async function () {
    this.timeout(120_000);
    for (const file of FILES) {
      const doc = await open(file);
      const want = CAUSES[file];
      // Once the stages have answered, the counts are exact.
      await waitFor(
        `the causes of ${file}: ${JSON.stringify(want)}`,
        async () => ((await ANSWERED[file](doc)) && counts(doc.uri) === sortedJson(want) ? true : undefined),
        () => [...describeDiagnostics(doc.uri), ...lastHints],
        90_000,
      );
      const found = stackDoctorDiagnostics(doc.uri);
      // The rule behind the counts: no two diagnostics of one code on the same line (its own or a related one).
      for (const [i, a] of found.entries())
        for (const b of found.slice(i + 1))
          if (codeOf(a) === codeOf(b))
            assert.ok(
              !linesOf(doc.uri, a).some((l) => linesOf(doc.uri, b).includes(l)),
              `two ${String(codeOf(a))} diagnostics on one line of ${file}: ${describeDiagnostics(doc.uri).join(' | ')}`,
            );
      const unreachable = found.filter((d) => codeOf(d) === 'index-unreachable');
      assert.ok(unreachable.length <= 1, describeDiagnostics(doc.uri).join('\n'));
      for (const d of found) {
        const first = d.message.split('\n')[0]!;
        assert.ok(
          first.length <= 100,
          `${file}:${d.range.start.line + 1} first line is ${first.length} long: ${first}`,
        );
        assert.ok(!d.message.includes('`'), `${file}:${d.range.start.line + 1} has a backtick: ${d.message}`);
      }
      console.log(
        `      ${file}: ${describeDiagnostics(doc.uri)
          .map((l) => l.split('\n')[0])
          .join(' | ')}`,
      );
    }
    // The conda conflict is one error on the python line, the tensorflow line related.
    const env = fixture('demo/environment.yml');
    const [conda] = stackDoctorDiagnostics(env, 'conflict-transitive');
    assert.deepEqual(linesOf(env, conda!).sort(), [6, 7]);
    // The CUDA index is one warning on its option line, torch and torchvision related or folded into it.
    const req = fixture('demo/requirements.txt');
    const [cuda] = stackDoctorDiagnostics(req, 'cuda-unavailable');
    assert.equal(cuda!.range.start.line, 1);
  });

  test('the CUDA finding is judged against this machine, named on the status bar, with a GPU profile to try', async () => {
    const doc = await open('demo/requirements.txt');
    const [cuda] = stackDoctorDiagnostics(doc.uri, 'cuda-unavailable');
    assert.ok(cuda, describeDiagnostics(doc.uri).join('\n'));
    assert.match(cuda.message.split('\n')[0]!, /this machine \(no NVIDIA driver\)/);
    assert.doesNotMatch(cuda.message, /the target/);
    assert.match(api.profileStatusBar().text, /^\$\(server\) Py \d+\.\d+ · CPU$/);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      cuda.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Use the CPU builds'), JSON.stringify(titles));
    assert.ok(titles.includes('Judge against a GPU machine profile…'), JSON.stringify(titles));
  });

  test('the preferred fix is listed first and, applied from the keyboard, clears its line; the hints follow', async function () {
    this.timeout(120_000);
    const doc = await open('demo/requirements.txt');
    const line = 4;
    assert.equal(doc.lineAt(line).text, 'numpy>=1.25');
    await waitFor(
      'the errors of the numpy line',
      () => (errorsOn(doc.uri, line).length >= 2 ? true : undefined),
      () => describeDiagnostics(doc.uri),
      90_000,
    );
    // pillow<10 excludes the newest pillow.
    let seenHints = new Map<number, string[]>();
    await waitFor(
      'the ↑ hint on pillow<10',
      async () => ((seenHints = await hintsOf(doc)).get(7)?.join() === '↑ 10.3.0' ? true : undefined),
      () => [...seenHints],
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      doc.lineAt(line).range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fixes = actions.filter((a) => a.edit !== undefined);
    console.log(
      `      fixes on line ${line + 1}: ${fixes.map((a) => `${a.isPreferred ? '* ' : ''}${a.title}`).join(' | ')}`,
    );
    assert.equal(fixes.filter((a) => a.isPreferred).length, 1, 'exactly one preferred fix');
    assert.equal(fixes[0]!.isPreferred, true, 'the preferred fix comes first');
    for (const a of actions) assert.equal(a.kind?.value.startsWith('quickfix'), true, `${a.title}: ${a.kind?.value}`);

    // Shift+Alt+. (Auto Fix) with the cursor on the line applies the preferred fix.
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(line, 2, line, 2);
    await vscode.commands.executeCommand('editor.action.autoFix');
    const written = await waitFor(
      'the preferred fix to be applied',
      () => (doc.lineAt(line).text !== 'numpy>=1.25' ? doc.lineAt(line).text : undefined),
      () => doc.getText(),
    );
    console.log(`      Auto Fix wrote "${written}"`);
    // The resolution of the new text is in when the set installs what TensorFlow allows: protobuf's hint says so.
    const hints = await waitFor(
      'the resolution after the fix (protobuf → 4.25.3) with no error on the line',
      async () => {
        const h = (seenHints = await hintsOf(doc));
        return h.get(6)?.includes('→ 4.25.3') && errorsOn(doc.uri, line).length === 0 ? h : undefined;
      },
      () => [...seenHints, ...describeDiagnostics(doc.uri)],
      90_000,
    );
    assert.deepEqual(errorsOn(doc.uri, line), []);
    assert.deepEqual(stackDoctorDiagnostics(doc.uri, 'conflict-transitive'), []);
    // ↑ where the specifier excludes the newest, → where the resolution installs another; nothing where the newest
    // is admitted and installed, and nothing that argues with the fix just applied.
    assert.deepEqual(hints.get(6), ['→ 4.25.3']);
    assert.deepEqual(hints.get(7), ['↑ 10.3.0']);
    assert.equal(hints.get(8), undefined, `requests>=2 admits and installs the newest: ${String(hints.get(8))}`);
    assert.equal(hints.get(line), undefined, `no hint against the fix: ${String(hints.get(line))}`);
  });
});
