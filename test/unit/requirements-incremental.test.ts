// The incremental re-parse of a requirements file (an edit in the editor) against a parse of the whole text: on random
// edits of random files (continuations, comments, options, includes, `${VAR}`, odd line breaks, lines pip rejects),
// reusing the previous parse must give exactly what parsing the new text alone gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { FileSets } from '../../server/src/workspace/file-sets';
import type { ParsedFile } from '../../server/src/model/types';
import { rng } from '../../bench/scenarios';

const LINES = [
  'numpy==1.26.4',
  'pandas>=2,<3 ; python_version >= "3.9"',
  '# a comment',
  '',
  '   ',
  'torch \\',
  '  >=2.0',
  '--index-url https://example.invalid/simple',
  '--extra-index-url ${MIRROR}/simple',
  '-r other.txt',
  '-c constraints.txt',
  'requests[socks]~=2.31  # pinned',
  'pkg @ https://example.invalid/pkg-1.0.tar.gz',
  '-e ./local',
  'https://example.invalid/x-1.0-py3-none-any.whl',
  'scipy!=1.11.0 --hash=sha256:0123456789abcdef',
  '# ends in a backslash \\',
  'jax[cuda12]==0.4.25',
  '--only-binary :all:',
];
/** Lines pip rejects or warns about (rare in the first test, common in the one after it). */
const BAD = ['numpy==', 'rich>=13 --pre', '\\', 'pkg[extra'];
const BREAKS = ['\n', '\n', '\n', '\r\n', '\r', '\x0c'];
const PIECES = ['\n', '\\', '\\\n', '#', ' ', '==1.0', '\r\n', '\r', 'x', '${MIRROR}', '-', '1', ',', '\ufeff', ' #'];

function randomText(next: () => number, lines: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  let out = next() < 0.1 ? '\ufeff' : '';
  for (let i = 0; i < lines; i++) out += (next() < 0.005 ? pick(BAD) : pick(LINES)) + pick(BREAKS);
  return next() < 0.2 ? out.slice(0, -1) : out;
}

function randomEdit(next: () => number, text: string): string {
  const r = next();
  if (r < 0.5) {
    // A whole line replaced, inserted or removed (an edit that leaves the file as pip reads it, mostly).
    const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)];
    const k = Math.floor(next() * starts.length);
    const start = starts[k]!;
    const end = k + 1 < starts.length ? starts[k + 1]! : text.length;
    const line = LINES[Math.floor(next() * LINES.length)]! + '\n';
    return text.slice(0, start) + (r < 0.25 ? line : r < 0.4 ? line + text.slice(start, end) : '') + text.slice(end);
  }
  const at = Math.floor(next() * (text.length + 1));
  if (r < 0.75) return text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]! + text.slice(at);
  const len = Math.floor(next() * (r < 0.9 ? 4 : 40));
  const replacement = r < 0.85 ? '' : PIECES[Math.floor(next() * PIECES.length)]!;
  return text.slice(0, at) + replacement + text.slice(at + len);
}

const env = { MIRROR: 'https://mirror.invalid' };

test('an edit re-parsed from the previous parse equals a parse of the new text, on 40 files x 60 edits', () => {
  let reused = 0;
  let steps = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const next = rng(seed);
    const kind = seed % 5 === 0 ? ('constraints' as const) : ('requirements' as const);
    let text = randomText(next, 5 + Math.floor(next() * 100));
    let previous = parseRequirementsFile('/w/requirements.txt', text, { kind, env });
    for (let i = 0; i < 60; i++) {
      text = randomEdit(next, text);
      const again = parseRequirementsFile('/w/requirements.txt', text, { kind, env }, previous);
      const whole = parseRequirementsFile('/w/requirements.txt', text, { kind, env });
      if (!isDeepStrictEqual(again, whole))
        assert.fail(`seed ${seed}, edit ${i}: ${JSON.stringify(previous.text)} -> ${JSON.stringify(text)}`);
      // The incremental path reuses the objects of the lines before the edit.
      if (previous.findings.length === 0) steps++;
      if (again.dependencies.some((d) => previous.dependencies.includes(d))) reused++;
      previous = again;
      // A file pip rejects is parsed whole until it is fixed: now and then start again from a new file.
      if (again.findings.length && next() < 0.7) {
        text = randomText(next, 5 + Math.floor(next() * 100));
        previous = parseRequirementsFile('/w/requirements.txt', text, { kind, env });
      }
    }
  }
  assert.ok(reused > steps / 3, `only ${reused} of ${steps} edits reused the previous parse`);
});

test('a file with lines pip rejects is re-parsed from its previous parse too, its findings moved with their lines', () => {
  let reused = 0;
  let withFindings = 0;
  for (let seed = 101; seed <= 130; seed++) {
    const next = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const kind = seed % 4 === 0 ? ('constraints' as const) : ('requirements' as const);
    // One line in six is one pip rejects: every text of this walk has findings, most edits keep some.
    const lines = Array.from({ length: 5 + Math.floor(next() * 80) }, () => (next() < 0.17 ? pick(BAD) : pick(LINES)));
    let text = lines.map((l) => l + pick(BREAKS)).join('');
    let previous = parseRequirementsFile('/w/requirements.txt', text, { kind, env });
    for (let i = 0; i < 60; i++) {
      text =
        next() < 0.3
          ? (() => {
              const at = Math.floor(next() * (text.length + 1));
              return text.slice(0, at) + pick(BAD) + pick(BREAKS) + text.slice(at);
            })()
          : randomEdit(next, text);
      const again = parseRequirementsFile('/w/requirements.txt', text, { kind, env }, previous);
      const whole = parseRequirementsFile('/w/requirements.txt', text, { kind, env });
      if (!isDeepStrictEqual(again, whole))
        assert.fail(`seed ${seed}, edit ${i}: ${JSON.stringify(previous.text)} -> ${JSON.stringify(text)}`);
      if (previous.findings.length > 0) {
        withFindings++;
        if (again.dependencies.some((d) => previous.dependencies.includes(d))) reused++;
      }
      previous = again;
    }
  }
  assert.ok(withFindings > 1000, `only ${withFindings} edits of files with findings`);
  assert.ok(
    reused > withFindings / 3,
    `only ${reused} of ${withFindings} edits of files with findings reused the parse`,
  );
});

test('a file past the cap on findings is parsed whole: which lines are reported depends on the lines before them', () => {
  const bad = Array.from({ length: 260 }, (_, i) => `pkg-${i}==`);
  const text = bad.join('\n') + '\n';
  const before = parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env });
  assert.equal(before.findings.length, 201, 'the cap and the finding that says the rest is not reported');
  // Fixing an early line brings one more of the later ones under the cap.
  const edited = text.replace('pkg-3==\n', 'pkg-3==1.0\n');
  const after = parseRequirementsFile('/w/requirements.txt', edited, { kind: 'requirements', env }, before);
  assert.deepStrictEqual(after, parseRequirementsFile('/w/requirements.txt', edited, { kind: 'requirements', env }));
});

test('one edit parses again only its own line: the entries of the other lines are reused or moved', () => {
  const lines = Array.from({ length: 500 }, (_, i) => `pkg-${i}>=${i % 9}.${i % 4}`);
  const text = lines.join('\n') + '\n';
  const before = parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env });
  lines[250] = 'pkg-250>=1.0,<3';
  const edited = lines.join('\n') + '\n';
  const after = parseRequirementsFile('/w/requirements.txt', edited, { kind: 'requirements', env }, before);
  assert.deepStrictEqual(after, parseRequirementsFile('/w/requirements.txt', edited, { kind: 'requirements', env }));
  // The lines before the edit keep their entries (the same objects); the edited line is read from its new text.
  assert.equal(after.dependencies[0], before.dependencies[0]);
  assert.equal(after.dependencies[249], before.dependencies[249]);
  assert.equal(after.dependencies[250]!.specifier, '<3,>=1.0');
  const shift = edited.length - text.length;
  assert.equal(after.dependencies[499]!.span.start, before.dependencies[499]!.span.start + shift);
});

test('the file sets re-parse an edited buffer from its last parse, and a file parsed with another env anew', () => {
  let text = 'numpy==1.26.4\nrich>=13\n';
  const sets = new FileSets({ read: () => text }, env);
  const first = sets.parse('/w/requirements.txt', 'requirements')!;
  text = 'numpy==1.26.4\nrich>=13.1\n';
  const second = sets.parse('/w/requirements.txt', 'requirements')!;
  const whole: ParsedFile = parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env });
  assert.deepStrictEqual(second, whole);
  assert.equal(second.dependencies[0], first.dependencies[0]);
  // Variables no longer expanded (an untrusted workspace): nothing of the earlier parse is reused.
  sets.expandVariables(false);
  text = 'numpy==1.26.4\nrich>=13.2\n--index-url ${MIRROR}/simple\n';
  const third = sets.parse('/w/requirements.txt', 'requirements')!;
  assert.deepStrictEqual(third, parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env: {} }));
  assert.notEqual(third.dependencies[0], second.dependencies[0]);
});
