// The face of the findings: one diagnostic per cause, the preferred fix first and the one that clears its line, verdicts
// first, and code action requests answered with the kinds they ask for.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeActionKind, type CodeAction } from 'vscode-languageserver';
import { runChecks } from '../../server/src/checks/registry';
import { codeActionsFor, onlyKinds, toDiagnostic } from '../../server/src/lsp/convert';
import { LineIndex } from '../../server/src/model/text';
import type { Finding } from '../../server/src/model/types';
import { Analysis } from '../../server/src/workspace/analysis';
import { diskSource } from '../../server/src/workspace/text-source';
import { byCode, defaultContext, profile, req } from '../helpers/check-kit';
import { indexFixture, type IndexPackage } from '../helpers/package-index';
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
    const capOnly = actions.find((a) => newTextOf(a) === '>=1.25,<2');
    assert.ok(capOnly && !capOnly.isPreferred, 'the cap below NumPy 2 alone leaves the conflict: not preferred');
    const after = applied(text, actions[0]!);
    const left = (await analyse(after)).filter(
      (f) => f.file === file && f.span.start === after.indexOf('numpy') && f.severity !== 'information',
    );
    assert.deepEqual(left, [], `after '${actions[0]!.title}': ${show(left)}`);
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
