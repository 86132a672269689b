// The face of the findings: one diagnostic per cause, the preferred fix first and the one that clears its line, verdicts
// first, and code action requests answered with the kinds they ask for.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeActionKind, type CodeAction } from 'vscode-languageserver';
import { runChecks } from '../../server/src/checks/registry';
import { codeActionsFor, fixNotes, onlyKinds, toDiagnostic } from '../../server/src/lsp/convert';
import { LineIndex } from '../../server/src/model/text';
import type { Finding } from '../../server/src/model/types';
import { Analysis } from '../../server/src/workspace/analysis';
import { diskSource } from '../../server/src/workspace/text-source';
import { byCode, defaultContext, profile, req } from '../helpers/check-kit';
import { indexFixture, type IndexPackage } from '../helpers/package-index';
import { startCondaChannel } from '../helpers/conda-channel';
import { LINUX_NO_GPU, ML_CHANNEL, condaYml } from '../helpers/conda-fixtures';
import { setOf } from '../helpers/sets';

const PACKAGES: IndexPackage[] = [
  { name: 'numpy', version: '1.24.3' },
  { name: 'numpy', version: '1.26.4' },
  { name: 'numpy', version: '2.0.0' },
  { name: 'tensorflow', version: '2.13.0', dependencies: ['numpy>=1.22,<=1.24.3'] },
  { name: 'tensorflow', version: '2.15.0', dependencies: ['numpy>=1.23.5,<2.0.0'] },
  { name: 'torch', version: '2.1.0' },
];
const fixture = indexFixture('sd-face-', PACKAGES, after);

/** The text a span covers. */
const at = (text: string, f: { span: { start: number; end: number } }): string => text.slice(f.span.start, f.span.end);

describe('one diagnostic per cause', () => {
  it("three cuda-unavailable warnings of one CUDA index are one, on the index line, naming this machine's lack", () => {
    const text =
      '--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.1.0+cu121\ntorchvision==0.16.0+cu121\n';
    const s = setOf(req('/w/requirements.txt', text));
    const found = byCode(
      runChecks([s], { ...defaultContext, profile: profile({ nvidia: null }), machine: 'this machine' }),
      'cuda-unavailable',
    );
    assert.equal(found.length, 1, found.map((f) => f.message).join('\n---\n'));
    const f = found[0]!;
    assert.equal(at(text, f), '--extra-index-url https://download.pytorch.org/whl/cu121');
    assert.deepEqual(
      f.related.map((r) => at(text, r)),
      ['torch==2.1.0+cu121', 'torchvision==0.16.0+cu121'],
    );
    const first = f.message.split('\n')[0]!;
    assert.match(first, /this machine \(no NVIDIA driver\)/);
    assert.ok(first.length < 100, first);
    assert.equal(f.fixes[0]!.title, 'Use the CPU builds');
    assert.equal(f.fixes[0]!.preferred, true);
  });

  it('a profile file is named where this machine is not the one judged', () => {
    const s = setOf(req('/w/requirements.txt', 'torch==2.1.0+cu121\n'));
    const [f] = byCode(
      runChecks([s], { ...defaultContext, profile: profile({ nvidia: null }), machine: 'the profile laptop.json' }),
      'cuda-unavailable',
    );
    assert.match(f!.message.split('\n')[0]!, /on the profile laptop\.json \(no NVIDIA driver\)/);
    assert.doesNotMatch(f!.message, /the target/);
  });
});

describe('the preferred fix fixes', () => {
  it('numpy>=1.25 with tensorflow 2.13.0 and torch 2.1.0: the first, only preferred fix of the line clears it', async () => {
    const index = await fixture.serve();
    const dir = join(fixture.tmp, 'rank');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'requirements.txt');
    const analyse = async (text: string): Promise<Finding[]> => {
      writeFileSync(file, text);
      const analysis = new Analysis(diskSource, {});
      analysis.configure({ offline: false, trustFiles: true, cacheDir: null, indexUrl: index.url });
      analysis.setTarget({ profile: profile(), machine: 'this machine' });
      const sets = analysis.setsAround(file, 'requirements');
      await analysis.resolve(sets);
      return analysis.findings(sets);
    };
    const text = 'tensorflow==2.13.0\ntorch==2.1.0\nnumpy>=1.25\n';
    const found = await analyse(text);
    const numpyLine = { start: text.indexOf('numpy>=1.25'), end: text.length - 1 };
    const onLine = found.filter((f) => f.file === file && f.span.start === numpyLine.start);
    assert.deepEqual(onLine.map((f) => f.code).sort(), ['companion-version', 'conflict-transitive'], show(found));
    // One conflict, one diagnostic: anchored on the numpy line, where its preferred fix edits; tensorflow related.
    const conflicts = byCode(found, 'conflict-transitive');
    assert.equal(conflicts.length, 1, show(found));
    assert.deepEqual(
      conflicts[0]!.related.map((r) => at(text, r)),
      ['tensorflow==2.13.0'],
    );
    assert.match(conflicts[0]!.message.split('\n')[0]!, /^tensorflow 2\.13\.0 needs numpy.*<=1\.24\.3, but line 3/);
    // What the editor offers on the line: the preferred fix first, the only preferred one, and it clears the line.
    const lines = new LineIndex(text);
    const actions = codeActionsFor(onLine.map((f) => toDiagnostic(f, () => lines)));
    assert.ok(actions.length >= 3, actions.map((a) => a.title).join(' | '));
    assert.equal(actions.filter((a) => a.isPreferred).length, 1, actions.map((a) => a.title).join(' | '));
    assert.equal(actions[0]!.isPreferred, true);
    assert.match(actions[0]!.title, /fixes both problems on this line/);
    // What the titles leave out (the bound a fix crosses) is in the line's hover, beside the diagnostic; other lines
    // get none of it.
    const diagnostics = onLine.map((f) => toDiagnostic(f, () => lines));
    const numpyRow = lines.positionAt(numpyLine.start).line;
    const notes = fixNotes(diagnostics, numpyRow);
    assert.ok(notes, 'the numpy line has fixes with notes');
    assert.match(notes, /\*\*Change to .* \(preferred\): A resolution exists then/);
    assert.equal(fixNotes(diagnostics, numpyRow - 1), null);
    const capOnly = actions.find((a) => newTextOf(a) === '>=1.25,<2');
    assert.ok(capOnly && !capOnly.isPreferred, 'the cap below NumPy 2 alone leaves the conflict: not preferred');
    const after = applied(text, actions[0]!);
    const left = (await analyse(after)).filter(
      (f) => f.file === file && f.span.start === after.indexOf('numpy') && f.severity !== 'information',
    );
    assert.deepEqual(left, [], `after '${actions[0]!.title}': ${show(left)}`);
  });
});

/** What a vision/LLM project's index has: CUDA builds of PyTorch, TensorFlow, a source-only psycopg2 and its twin. */
const ML_INDEX: IndexPackage[] = [
  ...PACKAGES,
  { name: 'torch', version: '2.1.0+cu121' },
  { name: 'torchvision', version: '0.16.0+cu121', dependencies: ['torch==2.1.0'] },
  { name: 'transformers', version: '4.36.2', dependencies: ['numpy>=1.17', 'tokenizers>=0.14,<0.19'] },
  { name: 'tokenizers', version: '0.15.2' },
  { name: 'psycopg2', version: '2.9.9', sdist: { only: true } },
  { name: 'psycopg2-binary', version: '2.9.9' },
  { name: 'pillow', version: '10.2.0' },
  { name: 'accelerate', version: '0.25.0', dependencies: ['torch>=1.10.0', 'numpy>=1.17'] },
  { name: 'requests', version: '2.31.0' },
];

describe('a vision/LLM workspace as a first-time user opens it', () => {
  it('one finding per cause, verdicts under 100 characters, no backticks, the psycopg2-binary fix', async () => {
    const index = await fixture.serve({}, ML_INDEX);
    const channel = await startCondaChannel(ML_CHANNEL, { format: 'zst' });
    try {
      const dir = join(fixture.tmp, 'vision');
      mkdirSync(join(dir, 'env'), { recursive: true });
      const requirements = join(dir, 'requirements.txt');
      const text =
        '# training and serving\ntorch==2.1.0+cu121\ntorchvision==0.16.0+cu121\ntensorflow==2.13.0\n' +
        'numpy>=1.25\ntransformers>=4.35\npsycopg2==2.9.9\n-e .[train]\n';
      writeFileSync(requirements, text);
      writeFileSync(
        join(dir, 'pyproject.toml'),
        '[project]\nname = "visionlab"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n' +
          'dependencies = ["pillow>=10"]\n\n[project.optional-dependencies]\ntrain = ["accelerate>=0.25"]\n',
      );
      const yml = join(dir, 'env', 'environment.yml');
      writeFileSync(yml, condaYml([channel.url, 'nodefaults'], ['python=3.11', 'numpy=1.26'], ['requests>=2.31']));
      const analysis = new Analysis(diskSource, {});
      analysis.configure({
        offline: false,
        trustFiles: true,
        cacheDir: join(fixture.tmp, 'vision-cache'),
        indexUrl: index.url,
        indexTimeoutMs: 30_000,
      });
      analysis.setTarget({
        profile: { ...LINUX_NO_GPU, python: { version: '3.11.7', implementation: 'cpython' } },
        machine: 'this machine',
      });
      const sets = [...analysis.setsAround(requirements, 'requirements'), ...analysis.setsAround(yml, 'conda')];
      await analysis.resolve(sets);
      const found = analysis.findings(sets);
      const count = (code: string): number => found.filter((f) => f.code === code).length;
      const all = show(found);
      assert.equal(count('cuda-unavailable'), 1, `torch and torchvision's CUDA builds: one cause\n${all}`);
      assert.equal(count('conflict-transitive'), 1, `tensorflow 2.13.0 with numpy>=1.25: one conflict\n${all}`);
      assert.equal(count('companion-version'), 1, `torch 2.1 with NumPy 2: one cause\n${all}`);
      assert.equal(count('no-wheel'), 1, all);
      assert.equal(count('conflict'), 0, all);
      const lines = found.filter((f) => f.file === requirements).map((f) => f.code);
      assert.equal(lines.length, 4, `4 causes in requirements.txt\n${all}`);
      for (const f of found) {
        const first = f.message.split('\n')[0]!;
        assert.ok(first.length < 100, `${f.code}: first line ${first.length} characters: ${first}`);
        assert.doesNotMatch(first, /\(requirements\.txt:\d+\)/, `${f.code}: the place is related information`);
        assert.doesNotMatch(first, /the target/, `${f.code}: ${first}`);
        for (const t of [f.message, ...f.related.map((r) => r.message), ...f.fixes.map((x) => x.title)])
          assert.ok(!t.includes('`'), `${f.code}: a backtick in ${t}`);
      }
      const psycopg = found.find((f) => f.code === 'no-wheel')!;
      assert.equal(text.slice(psycopg.span.start, psycopg.span.end), 'psycopg2==2.9.9');
      assert.match(psycopg.fixes[0]!.title, /^Use psycopg2-binary instead/);
      assert.equal(psycopg.fixes[0]!.edits[0]!.newText, 'psycopg2-binary');
      assert.match(psycopg.message.split('\n')[0]!, /for Python 3\.11\.7 · Linux x86_64/);
    } finally {
      await channel.close();
    }
  });
});

describe('code action requests', () => {
  it('a request for quickfix only gets quick fixes (no source action)', () => {
    const actions: CodeAction[] = [
      { title: 'a', kind: CodeActionKind.QuickFix },
      { title: 'b', kind: CodeActionKind.Source },
      { title: 'c', kind: `${CodeActionKind.QuickFix}.more` },
    ];
    assert.deepEqual(
      onlyKinds(actions, [CodeActionKind.QuickFix]).map((a) => a.title),
      ['a', 'c'],
    );
    assert.deepEqual(
      onlyKinds(actions, undefined).map((a) => a.title),
      ['a', 'b', 'c'],
    );
  });
});

function show(found: readonly Finding[]): string {
  return found
    .map((f) => `${f.code}: ${f.message.split('\n')[0]} [${f.fixes.map((x) => x.title).join('; ')}]`)
    .join('\n');
}

function newTextOf(a: CodeAction): string | undefined {
  return Object.values(a.edit?.changes ?? {})[0]?.[0]?.newText;
}

/** The text with an action's edits (one file, offsets from its ranges) applied. */
function applied(text: string, a: CodeAction): string {
  const lines = new LineIndex(text);
  const edits = Object.values(a.edit?.changes ?? {})
    .flat()
    .map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText }))
    .sort((x, y) => y.start - x.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
