// `conflict` on a line that admits no version by itself (`pkg>=2,<1`, `pkg===1.a3`, `pkg==1.0,!=1.0`), also where the
// package is declared only once: the verdicts against pip's dry run over a folder of real wheels, and against
// packaging on the generated single-line specifiers of test/fixtures/pep (version-sets.json, arbitrary-equality.json).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conflict } from '../../server/src/checks/conflict';
import { versionSetOf } from '../../server/src/checks/scope';
import type { Finding, ParsedFile } from '../../server/src/model/types';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { buildWheel, isolatedPipEnv } from '../helpers/package-index';
import { applyFix, setOf } from '../helpers/sets';
import type { EnvironmentSet } from '../../server/src/model/sets';

const ctx = {
  markerEnvironment: defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' }),
  profile: { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } },
};
const req = (p: string, text: string): ParsedFile => parseRequirementsFile(p, text, { kind: 'requirements', env: {} });
const con = (p: string, text: string): ParsedFile => parseRequirementsFile(p, text, { kind: 'constraints', env: {} });
const spans = (s: EnvironmentSet, found: Finding[]): string[] =>
  found.map((f) => s.files.find((x) => x.path === f.file)!.text.slice(f.span.start, f.span.end));
/** The specifier a fix writes, after the finding's package name. */
const fixedSpecifier = (f: Finding, i: number): string => f.fixes[i]!.edits[0]!.newText;

/** Each line admits no version by itself; `why` is what the message must name; `fixes` the verified rewrites. */
const ALONE: { line: string; why: RegExp; fixes: string[] }[] = [
  { line: 'pkg>=2,<1', why: /'>=2' and '<1'/, fixes: ['>=2', '<1'] },
  { line: 'pkg===1.a3', why: /normal form.*'1a3'/, fixes: ['===1a3'] },
  { line: 'pkg==1.0,!=1.0', why: /'==1.0' and '!=1.0'/, fixes: ['==1.0', '!=1.0'] },
  { line: 'pkg<1.0,>=1.0rc1', why: /'<1.0' and '>=1.0rc1'/, fixes: ['<1.0', '>=1.0rc1'] },
  { line: 'pkg>=1,<0', why: /'<0' alone admits none/, fixes: ['>=1'] },
];

describe('conflict: a line that admits no version by itself', () => {
  for (const { line, why, fixes } of ALONE) {
    it(`${line}, declared once, is one error that says why, with fixes that clear it`, () => {
      const s = setOf(req('/w/requirements.txt', `flask\n${line}\n`));
      const found = conflict.run(s, ctx);
      assert.deepEqual(spans(s, found), [line], JSON.stringify(found));
      const [f] = found as [Finding];
      assert.equal(f.severity, 'error');
      assert.match(f.message, /admits? no version/);
      assert.match(f.message, why);
      assert.match(f.message, /No matching distribution found/);
      assert.deepEqual(f.related, []);
      assert.deepEqual(
        f.fixes.map((_, i) => fixedSpecifier(f, i)),
        fixes,
      );
      assert.deepEqual(
        f.fixes.map((x) => x.preferred),
        fixes.map((_, i) => i === 0),
      );
      for (let i = 0; i < f.fixes.length; i++) {
        assert.ok(!versionSetOf(fixedSpecifier(f, i))!.isEmpty());
        assert.deepEqual(conflict.run(applyFix(s, f.fixes[i]!), ctx), [], f.fixes[i]!.title);
      }
    });
  }

  it('flags only the line that admits nothing; its fixes agree with the other lines', () => {
    const s = setOf(req('/w/requirements.txt', 'pkg>=2,<1\npkg>=1.5\n'));
    const found = conflict.run(s, ctx);
    assert.deepEqual(spans(s, found), ['pkg>=2,<1']);
    assert.deepEqual(
      found[0]!.fixes.map((_, i) => fixedSpecifier(found[0]!, i)),
      ['>=2'],
    );
    assert.deepEqual(conflict.run(applyFix(s, found[0]!.fixes[0]!), ctx), []);
  });

  it('keeps a conflict between the other lines a finding of its own', () => {
    const s = setOf(req('/w/requirements.txt', 'pkg==1.0,!=1.0\npkg>=3\npkg<2\n'));
    const found = conflict.run(s, ctx);
    assert.deepEqual(spans(s, found).sort(), ['pkg<2', 'pkg==1.0,!=1.0', 'pkg>=3']);
    const alone = found.find((f) => f.related.length === 0)!;
    assert.equal(spans(s, [alone])[0], 'pkg==1.0,!=1.0');
    // No fix of that line can agree with two lines that admit nothing together; it still stops admitting nothing.
    for (const fix of alone.fixes) assert.ok(!versionSetOf(fix.edits[0]!.newText)!.isEmpty());
  });

  it('a constraint that admits nothing counts only where something requires the package, as pip does', () => {
    const unused = setOf(
      req('/w/requirements.txt', '-c constraints.txt\nflask\n'),
      con('/w/constraints.txt', 'pkg>=2,<1\n'),
    );
    assert.deepEqual(conflict.run(unused, ctx), []);
    const used = setOf(
      req('/w/requirements.txt', '-c constraints.txt\npkg\n'),
      con('/w/constraints.txt', 'pkg>=2,<1\n'),
    );
    const found = conflict.run(used, ctx);
    assert.deepEqual(spans(used, found), ['pkg>=2,<1']);
    assert.equal(found[0]!.file, '/w/constraints.txt');
    assert.match(found[0]!.message, /ResolutionImpossible/);
  });

  it('leaves out a line whose marker does not hold on the target', () => {
    const s = setOf(req('/w/requirements.txt', 'pkg>=2,<1 ; sys_platform == "win32"\n'));
    assert.deepEqual(conflict.run(s, ctx), []);
  });

  it('judges a pyproject extra declared once; a Poetry constraint gets the verdict but no text fix', () => {
    const py = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname="x"\nversion="1"\ndependencies=[]\n[project.optional-dependencies]\ngpu=["pkg>=2,<1"]\n',
    );
    assert.deepEqual(spans(setOf(py), conflict.run(setOf(py), ctx)), ['pkg>=2,<1']);
    const poetry = parsePyproject(
      '/w/pyproject.toml',
      '[tool.poetry]\nname="x"\nversion="1"\n[tool.poetry.dependencies]\npython="^3.9"\npkg=">=2,<1"\n',
    );
    const found = conflict.run(setOf(poetry), ctx);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.deepEqual(found[0]!.fixes, []);
  });

  it('finds nothing where the line admits a version', () => {
    for (const line of ['pkg>=1,<2', 'pkg===1a3', 'pkg===1A3', 'pkg===foobar', 'pkg==1.0,!=1.0.1', 'pkg<=0', 'pkg'])
      assert.deepEqual(conflict.run(setOf(req('/w/requirements.txt', `${line}\n`)), ctx), [], line);
  });
});

// pip's verdict: an isolated dry run over a folder of real wheels, no index.
const pipAvailable = (() => {
  try {
    execFileSync('python3', ['-m', 'pip', '--version'], { env: isolatedPipEnv(), stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
})();

/** pip's dry run of `files` (requirements.txt and what it names) in a folder of their own, over the wheels in `wheels`. */
function pipInstalls(wheels: string, files: Record<string, string>): Promise<{ ok: boolean; stderr: string }> {
  const dir = mkdtempSync(join(wheels, '..', 'run-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const args = ['-m', 'pip', '--isolated', 'install', '--dry-run', '--ignore-installed', '--no-index'];
  args.push('--find-links', wheels, '-r', join(dir, 'requirements.txt'));
  return new Promise((done) =>
    execFile('python3', args, { env: isolatedPipEnv(), cwd: dir, timeout: 120_000 }, (err, _out, stderr) =>
      done({ ok: !err, stderr: String(stderr) }),
    ),
  );
}

describe('pip agrees', { skip: pipAvailable ? false : 'python3 -m pip is unavailable here' }, () => {
  it('pip fails on each line that admits nothing and installs each fix; it installs the lines judged fine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sd-conflict-alone-'));
    const wheels = join(dir, 'wheels');
    try {
      mkdirSync(wheels);
      const cases: { files: Record<string, string>; flagged: boolean }[] = [
        ...ALONE.map(({ line }) => ({ files: { 'requirements.txt': `${line}\n` }, flagged: true })),
        { files: { 'requirements.txt': '-c constraints.txt\npkg\n', 'constraints.txt': 'pkg>=2,<1\n' }, flagged: true },
        { files: { 'requirements.txt': 'pkg>=1,<2\n' }, flagged: false },
        { files: { 'requirements.txt': 'pkg===1a3\n' }, flagged: false },
      ];
      // pip must fail on each flagged case (one run each) and install everything else: the cases judged fine and
      // the files as each fix leaves them, each under a package name of its own, in one run.
      const failing: Record<string, string>[] = [];
      const installing: { what: string; files: Record<string, string> }[] = [];
      for (const { files, flagged } of cases) {
        const parsed = Object.entries(files).map(([name, text]) =>
          (name.startsWith('constraints') ? con : req)(`/w/${name}`, text),
        );
        const s = setOf(...parsed);
        const found = conflict.run(s, ctx);
        assert.equal(found.length > 0, flagged, JSON.stringify(files));
        if (flagged) failing.push(files);
        else installing.push({ what: JSON.stringify(files), files });
        for (const fix of found.flatMap((f) => f.fixes)) {
          const fixed = Object.fromEntries(applyFix(s, fix).files.map((x) => [x.path.slice('/w/'.length), x.text]));
          installing.push({ what: fix.title, files: fixed });
        }
      }
      assert.ok(installing.length >= 10, `${installing.length} fixes and fine cases`);
      const together: Record<string, string> = { 'requirements.txt': '' };
      installing.forEach(({ files }, i) => {
        for (const [name, text] of Object.entries(files))
          together[`${i}-${name}`] = text
            .replace(/\bpkg\b/g, `pkg${i}`)
            .replace(/constraints\.txt/g, `${i}-constraints.txt`);
        together['requirements.txt'] += `-r ${i}-requirements.txt\n`;
      });
      for (const name of ['pkg', ...installing.map((_, i) => `pkg${i}`)])
        for (const version of ['0.5', '1.0', '1a3', '1.0rc1', '1.5', '2.0']) {
          const wheel = buildWheel({ name, version });
          writeFileSync(join(wheels, wheel.filename), wheel.bytes);
        }
      const [all, ...fails] = await Promise.all([together, ...failing].map((files) => pipInstalls(wheels, files)));
      assert.ok(all!.ok, `${installing.map((x) => x.what).join('; ')}: ${all!.stderr}`);
      fails.forEach((r, i) =>
        assert.match(
          r.ok ? '' : r.stderr,
          /No matching distribution found|ResolutionImpossible/,
          JSON.stringify(failing[i]),
        ),
      );
      assert.equal(fails.length, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// packaging's verdicts on generated specifiers, each written as the only line of its package.
const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'test/fixtures/pep', name), 'utf8')) as T;

/** Runs the check on `pkg<specifier>` alone; returns the finding, or null; any fix must clear it. */
function judgeAlone(specifier: string, problems: string[]): Finding | null {
  const s = setOf(req('/w/requirements.txt', `pkg${specifier}\n`));
  if (s.files[0]!.findings.length) {
    problems.push(`pkg${specifier} does not parse`);
    return null;
  }
  const found = conflict.run(s, ctx);
  if (found.length > 1) problems.push(`pkg${specifier}: ${found.length} findings`);
  for (const f of found)
    for (const fix of f.fixes)
      if (conflict.run(applyFix(s, fix), ctx).length) problems.push(`pkg${specifier}: '${fix.title}' leaves it`);
  return found[0] ?? null;
}

describe('conflict agrees with packaging on generated single lines', () => {
  it('700 generated specifier sets (version-sets.json): flagged where packaging admits nothing, never where it admits a version', () => {
    const f = fixture<{ versions: string[]; sets: { s: string; in: number[]; unsat: boolean }[] }>('version-sets.json');
    const problems: string[] = [];
    let flaggedCount = 0;
    let undecided = 0;
    for (const c of f.sets) {
      const flagged = judgeAlone(c.s, problems) !== null;
      if (flagged) flaggedCount++;
      if (c.unsat && !flagged) problems.push(`pkg${c.s}: packaging says unsatisfiable, not flagged`);
      if (c.in.length > 0 && flagged) problems.push(`pkg${c.s}: packaging admits ${f.versions[c.in[0]!]}, flagged`);
      // is_unsatisfiable() is sound, not complete: where it says no and no sampled version is admitted, the exact
      // version set decides (its emptiness and witnesses are proven in pep-differential.test.ts).
      if (!c.unsat && c.in.length === 0) {
        undecided++;
        if (flagged !== versionSetOf(c.s)!.isEmpty()) problems.push(`pkg${c.s}: flagged ${flagged}`);
      }
    }
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problems`);
    assert.ok(flaggedCount >= 200, `${flaggedCount} flagged`);
    assert.ok(undecided <= 5, `${undecided} undecided`);
  });

  it('3,000 generated ==X,===Y lines (arbitrary-equality.json): flagged exactly where packaging admits no version', () => {
    const pairs = fixture<{ a: string; b: string; admitted: string | null }[]>('arbitrary-equality.json');
    const problems: string[] = [];
    for (const { a, b, admitted } of pairs) {
      const found = judgeAlone(`${a},${b}`, problems);
      if ((found !== null) !== (admitted === null))
        problems.push(`pkg${a},${b}: packaging admits ${admitted ?? 'nothing'}, flagged ${found !== null}`);
    }
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} of ${pairs.length} disagree`);
  });
});
