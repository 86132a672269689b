// `===` (arbitrary equality) in the conflict check against pip 23.2.1's packaging
// (test/fixtures/arbitrary-equality/expected.json, written by oracle.py) and against packaging 26.2 on generated pins
// (test/fixtures/pep/arbitrary-equality.json, written by test/fixtures/pep/generate.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict } from '../../server/src/checks/conflict';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { versionSetOf } from '../../server/src/checks/scope';
import { Version } from '../../server/src/pep/version';
import { applyFix, setOf } from '../helpers/sets';

interface Expected {
  pairs: Array<{ a: string; b: string; conflict: boolean; admitted: string[]; aloneA: boolean; aloneB: boolean }>;
}

const expected = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'test/fixtures/arbitrary-equality/expected.json'), 'utf8'),
) as Expected;
const ctx = {
  markerEnvironment: defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' }),
  profile: { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } },
};

test('the pairs include conflicts and agreements', () => {
  assert.ok(expected.pairs.filter((p) => p.conflict).length >= 6);
  assert.ok(expected.pairs.filter((p) => !p.conflict).length >= 6);
});

for (const { a, b, conflict: pipFails, admitted, aloneA, aloneB } of expected.pairs) {
  test(
    `pkg${a} with pkg${b}: ` + `${pipFails ? 'no version satisfies both' : `${admitted.join(', ')} satisfies both`}`,
    () => {
      const text = `pkg${a}\npkg${b}\n`;
      const file = parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env: {} });
      assert.deepEqual(file.findings, []);
      const found = conflict.run(setOf(file), ctx);
      assert.equal(found.length > 0, pipFails, JSON.stringify(found.map((f) => f.message)));
      if (pipFails) {
        // A line that admits nothing by itself is the finding, alone; else both lines take part.
        const alone = [...(aloneA ? [] : [`pkg${a}`]), ...(aloneB ? [] : [`pkg${b}`])];
        assert.deepEqual(
          found.map((f) => text.slice(f.span.start, f.span.end)).sort(),
          (alone.length ? alone : [`pkg${a}`, `pkg${b}`]).sort(),
        );
        // No fix may offer a specifier that admits nothing.
        for (const f of found)
          for (const fix of f.fixes) assert.ok(!fix.edits.some((e) => e.newText === ''), fix.title);
      }
    },
  );
}

interface GeneratedPair {
  a: string;
  b: string;
  admitted: string | null;
  /** Whether the `===` line admits a version by itself. */
  bAlone: boolean;
}

const generated = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'test/fixtures/pep/arbitrary-equality.json'), 'utf8'),
) as GeneratedPair[];

test('3,000 generated ==X / ===Y pins: a conflict exactly where packaging admits no version (generate.py)', () => {
  assert.equal(generated.length, 3000);
  assert.ok(generated.filter((p) => p.admitted === null).length >= 500);
  assert.ok(generated.filter((p) => p.admitted !== null).length >= 500);
  assert.ok(generated.filter((p) => !p.bAlone).length >= 500);
  const disagreements: string[] = [];
  for (const { a, b, admitted, bAlone } of generated) {
    const text = `pkg${a}\npkg${b}\n`;
    const file = parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env: {} });
    const found = conflict.run(setOf(file), ctx);
    const flagged = found.map((f) => text.slice(f.span.start, f.span.end)).sort();
    // `==X` always admits X; a `===` line that admits nothing by itself is the finding, alone.
    const want = !bAlone ? [`pkg${b}`] : admitted === null ? [`pkg${a}`, `pkg${b}`].sort() : [];
    if (file.findings.length || JSON.stringify(flagged) !== JSON.stringify(want))
      disagreements.push(`pkg${a} + pkg${b}: packaging admits ${admitted ?? 'nothing'}, flagged ${flagged.join(', ')}`);
    // The version set agrees: empty where packaging admits nothing, else holding the version it admits.
    const both = versionSetOf(`${a},${b}`);
    const admittedVersion = admitted === null ? null : Version.parse(admitted);
    if (both !== null && (admittedVersion ? !both.contains(admittedVersion) : !both.isEmpty()))
      disagreements.push(`version set of ${a},${b}: packaging admits ${admitted ?? 'nothing'}`);
  }
  assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} of ${generated.length} disagree`);
});

test('`===` with a version written other than in its normal form says why it admits nothing, and offers the normal form', () => {
  const text = 'pkg>=1a1\npkg===1.a3\n';
  const file = parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env: {} });
  const found = conflict.run(setOf(file), ctx);
  const line = found.find((f) => text.slice(f.span.start, f.span.end) === 'pkg===1.a3');
  assert.ok(line, JSON.stringify(found.map((f) => f.message)));
  assert.match(line.message, /'1a3'/);
  const fix = line.fixes.find((f) => f.edits.some((e) => e.newText === '===1a3'));
  assert.ok(fix, JSON.stringify(line.fixes));
  const fixed = applyFix(setOf(file), fix);
  assert.deepEqual(conflict.run(fixed, ctx), []);
});
