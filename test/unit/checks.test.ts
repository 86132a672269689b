// The fast checks over real parsed sets: conflict (with verified fixes), duplicate, syntax, and the registry's
// overrides and parity.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { checks, runChecks } from '../../server/src/checks/registry';
import { codeList } from '../../server/src/model/finding';
import { removalSpan } from '../../server/src/checks/edits';
import type { EnvironmentSet } from '../../server/src/workspace/types';
import type { Finding, ParsedFile } from '../../server/src/model/types';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { applyFix, emptyIndexReport, setOf } from '../helpers/sets';

const ctx = {
  markerEnvironment: defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' }),
  profile: { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } },
};
const req = (p: string, text: string): ParsedFile => parseRequirementsFile(p, text, { kind: 'requirements', env: {} });
const con = (p: string, text: string): ParsedFile => parseRequirementsFile(p, text, { kind: 'constraints', env: {} });
const set = setOf;
const byCode = (fs: Finding[], code: string) => fs.filter((f) => f.code === code);

/** Applies the finding's fix (by index) and parses the edited files again. */
const applyFixOf = (s: EnvironmentSet, finding: Finding, index = 0): EnvironmentSet =>
  applyFix(s, finding.fixes[index]!);

describe('conflict', () => {
  const cases: [string, string, string][] = [
    ['numpy>=1.24', 'numpy<1.24', 'range against range'],
    ['numpy==1.23.5', 'numpy!=1.23.*', 'pin against a wildcard exclusion'],
    ['torch==2.0.1', 'torch>=2.1,<3', 'pin in requirements against a range in constraints'],
    ['scipy~=1.10.0', 'scipy>=1.11', 'compatible release against a floor'],
    ['pkg>1.0', 'pkg<=1.0.post5', '> excludes the post-releases of its version'],
  ];
  for (const [a, b, why] of cases) {
    it(`finds ${a} with ${b} (${why}) on both lines, and each fix resolves it`, () => {
      const s = set(
        req('/w/requirements.txt', `${a}\n-c constraints.txt\nrequests\n`),
        con('/w/constraints.txt', `${b}\n`),
      );
      const found = byCode(runChecks([s], ctx), 'conflict');
      assert.equal(found.length, 2, JSON.stringify(found));
      assert.deepEqual(found.map((f) => f.file).sort(), ['/w/constraints.txt', '/w/requirements.txt']);
      for (const f of found) {
        assert.equal(f.related.length, 1);
        assert.notEqual(f.related[0]!.file, f.file);
        assert.ok(f.fixes.length >= 1, 'a fix is offered');
        const fixed = applyFixOf(s, f);
        assert.deepEqual(
          byCode(runChecks([fixed], ctx), 'conflict'),
          [],
          `fix '${f.fixes[0]!.title}' removes the conflict`,
        );
      }
    });
  }

  const fine: [string, string, string][] = [
    ['numpy>=1.24', 'numpy<2', 'overlapping ranges'],
    ['numpy==1.24.0', 'numpy==1.24', 'equal versions'],
    ['pkg>1.0', 'pkg<1.0.0.1', 'a version such as 1.0.0.0.1 exists between'],
    ['pkg<1.0', 'pkg>=1.0rc1', 'pre-releases of 1.0 are excluded by <1.0 but 0.9 and below satisfy <1.0 — empty'],
  ];
  it('finds none where versions remain', () => {
    for (const [a, b, why] of fine.slice(0, 3)) {
      const s = set(req('/w/requirements.txt', `${a}\n${b}\n`));
      assert.deepEqual(byCode(runChecks([s], ctx), 'conflict'), [], why);
    }
    const s = set(req('/w/requirements.txt', `${fine[3]![0]}\n${fine[3]![1]}\n`));
    assert.equal(byCode(runChecks([s], ctx), 'conflict').length, 2, fine[3]![2]);
  });

  it('leaves out lines whose marker does not hold on the target, as pip does', () => {
    const s = set(req('/w/requirements.txt', 'numpy<2 ; python_version < "3.9"\nnumpy>=2 ; python_version >= "3.9"\n'));
    assert.deepEqual(byCode(runChecks([s], ctx), 'conflict'), []);
    const win = set(req('/w/requirements.txt', 'numpy<2\nnumpy>=2 ; sys_platform == "win32"\n'));
    assert.deepEqual(byCode(runChecks([win], ctx), 'conflict'), []);
  });

  it('ignores constraints on packages nothing requires', () => {
    const s = set(
      req('/w/requirements.txt', '-c constraints.txt\nflask\n'),
      con('/w/constraints.txt', 'numpy<1\nnumpy>2\n'),
    );
    assert.deepEqual(byCode(runChecks([s], ctx), 'conflict'), []);
  });

  it('reports only the lines that take part', () => {
    const s = set(req('/w/requirements.txt', 'numpy>=1.0\nnumpy<1.24\nnumpy>=1.24\n'));
    const found = byCode(runChecks([s], ctx), 'conflict');
    assert.deepEqual(found.map((f) => s.files[0]!.text.slice(f.span.start, f.span.end)).sort(), [
      'numpy<1.24',
      'numpy>=1.24',
    ]);
  });

  it('judges pyproject extras with the base but never against each other', () => {
    const py = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname="x"\nversion="1"\ndependencies=["numpy>=1.24"]\n[project.optional-dependencies]\nold=["numpy<1.24"]\nnew=["numpy>=2"]\n[dependency-groups]\nlegacy=["pandas<2"]\nmodern=["pandas>=2"]\n',
    );
    const found = byCode(runChecks([set(py)], ctx), 'conflict');
    assert.deepEqual(found.map((f) => py.text.slice(f.span.start, f.span.end)).sort(), ['numpy<1.24', 'numpy>=1.24']);
  });

  it('crosses file kinds: requirements against a conda spec of the same name', () => {
    const yml = parseEnvironmentYml(
      '/w/environment.yml',
      'dependencies:\n  - numpy=1.24\n  - pip:\n    - numpy>=1.26\n',
    );
    const found = byCode(runChecks([set(yml)], ctx), 'conflict');
    assert.equal(found.length, 2);
    const pipSide = found.find((f) => yml.text.slice(f.span.start, f.span.end) === 'numpy>=1.26')!;
    assert.equal(pipSide.fixes[0]!.edits[0]!.newText, '==1.24.*');
  });
});

describe('conflict-transitive from embedded knowledge (no index)', () => {
  const tfSet = (text: string) => set(req('/w/requirements.txt', text));
  it(
    'flags a TensorFlow line whose published numpy cap ' + 'excludes the numpy line, with a fix whose cap admits it',
    () => {
      const s = tfSet('tensorflow==2.13.0\nnumpy>=1.25\n');
      const found = byCode(runChecks([s], ctx), 'conflict-transitive');
      assert.equal(found.length, 2);
      assert.match(found[0]!.message, /tensorflow 2\.13 needs numpy >=1\.22,<=1\.24\.3/);
      assert.match(found[0]!.message, /setup\.py/);
      const fixed = applyFixOf(
        s,
        found.find((f) => f.fixes.length)!,
      );
      assert.deepEqual(byCode(runChecks([fixed], ctx), 'conflict-transitive'), []);
    },
  );
  it('says nothing where a release admits the versions, or where the index has answered', () => {
    assert.deepEqual(byCode(runChecks([tfSet('tensorflow==2.15.0\nnumpy>=1.25\n')], ctx), 'conflict-transitive'), []);
    assert.deepEqual(byCode(runChecks([tfSet('tensorflow==2.13.0\nnumpy<1.24\n')], ctx), 'conflict-transitive'), []);
    assert.deepEqual(byCode(runChecks([tfSet('tensorflow>=2.13\nnumpy>=1.25\n')], ctx), 'conflict-transitive'), []);
    const s = tfSet('tensorflow==2.13.0\nnumpy>=1.25\n');
    const answered = emptyIndexReport();
    assert.deepEqual(
      byCode(runChecks([s], { ...ctx, index: new Map([[s.root, answered]]) }), 'conflict-transitive'),
      [],
    );
  });
});

describe('companion-version: packages built for NumPy 1.x with NumPy 2', () => {
  const found = (text: string) => byCode(runChecks([set(req('/w/requirements.txt', text))], ctx), 'companion-version');
  it('leaves conda builds to conda: pytorch=1.12.1 with numpy>=1.23,<3.0a0 is not flagged (the build pins numpy)', () => {
    const yml = parseEnvironmentYml(
      '/w/environment.yml',
      'name: n\ndependencies:\n  - python=3.8.5\n  - pytorch=1.12.1\n  - numpy>=1.23,<3.0a0\n',
    );
    assert.deepEqual(byCode(runChecks([set(yml)], ctx), 'companion-version'), []);
  });

  it('flags torch < 2.3 where the numpy line lets pip take NumPy 2, and capping numpy clears it', () => {
    const s = set(req('/w/requirements.txt', 'torch==2.1.0\nnumpy>=1.24\n'));
    const f = byCode(runChecks([s], ctx), 'companion-version');
    assert.equal(f.length, 2);
    const onNumpy = f.find((x) => x.fixes.length)!;
    assert.match(onNumpy.message, /built against NumPy 1\.x/);
    assert.match(onNumpy.message, /pytorch\/pytorch#132179/);
    assert.equal(onNumpy.fixes[0]!.edits[0]!.newText, '>=1.24,<2');
    assert.deepEqual(byCode(runChecks([applyFixOf(s, onNumpy)], ctx), 'companion-version'), []);
  });
  it('flags TensorFlow releases without a numpy cap, and leaves capped ones to the resolver', () => {
    assert.equal(found('tensorflow==2.14.0\nnumpy>=1.26\n').length, 2);
    assert.deepEqual(found('tensorflow==2.15.0\nnumpy>=1.26\n'), []);
  });
  it(
    'says nothing where a release built for NumPy 2 is ' + 'possible, numpy is kept below 2, or numpy is not declared',
    () => {
      assert.deepEqual(found('torch>=2.1\nnumpy>=1.24\n'), []);
      assert.deepEqual(found('torch==2.1.0\nnumpy<2\n'), []);
      assert.deepEqual(found('torch==2.1.0\nrequests\n'), []);
      assert.deepEqual(found('tensorflow==2.18.0\nnumpy>=2\n'), []);
    },
  );
});

describe('duplicate', () => {
  it('flags a package declared twice in one file, with merge and remove fixes that leave clean text', () => {
    const s = set(req('/w/requirements.txt', 'Requests>=2\nflask\nrequests<3  # cap\nnumpy\n'));
    const found = byCode(runChecks([s], ctx), 'duplicate');
    assert.equal(found.length, 2);
    const second = found[1]!;
    assert.deepEqual(
      second.fixes.map((f) => f.title.split(' ')[0]),
      ['Merge', 'Remove'],
    );
    const merged = applyFixOf(s, second, 0);
    assert.equal(merged.files[0]!.text, 'Requests>=2,<3\nflask\nnumpy\n');
    const removed = applyFixOf(s, second, 1);
    assert.equal(removed.files[0]!.text, 'Requests>=2\nflask\nnumpy\n');
    assert.deepEqual(byCode(runChecks([merged], ctx), 'duplicate'), []);
  });

  it('tells unnamed URL requirements apart by their URL', () => {
    const s = set(
      req(
        '/w/requirements.txt',
        'https://example.invalid/a.tar.gz\nhttps://example.invalid/b.tar.gz\nhttps://example.invalid/a.tar.gz\n',
      ),
    );
    const found = byCode(runChecks([s], ctx), 'duplicate');
    assert.deepEqual(
      found.map((f) => [s.files[0]!.text.slice(f.span.start, f.span.end), f.span.start > 0]),
      [['https://example.invalid/a.tar.gz', true]],
    );
  });

  it('identical lines are one finding on the second copy, with the count, the places and one removal of the copies', () => {
    const text = 'numpy==1.26.4\nflask\nnumpy==1.26.4\nscipy\nnumpy==1.26.4\nnumpy==1.26.4  # again\n';
    const s = set(req('/w/requirements.txt', text));
    const found = byCode(runChecks([s], ctx), 'duplicate');
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
    const [d] = found as [Finding];
    assert.equal(d.span.start, text.indexOf('numpy', 1));
    assert.match(d.message, /4 times/);
    assert.match(d.message, /requirements\.txt:1/);
    assert.match(d.message, /5-6/);
    assert.deepEqual(
      d.related.map((r) => text.slice(0, r.span.start).split('\n').length),
      [1, 5, 6],
    );
    assert.equal(d.fixes.length, 1);
    const fixed = applyFixOf(s, d);
    assert.equal(fixed.files[0]!.text, 'numpy==1.26.4\nflask\nscipy\n');
    assert.deepEqual(byCode(runChecks([fixed], ctx), 'duplicate'), []);
    // Adjacent copies are removed by one edit.
    const run = set(req('/w/requirements.txt', 'numpy==1.26.4\n'.repeat(500)));
    const [many] = byCode(runChecks([run], ctx), 'duplicate') as [Finding];
    assert.equal(many.fixes[0]!.edits.length, 1);
    assert.equal(applyFixOf(run, many).files[0]!.text, 'numpy==1.26.4\n');
  });

  it('identical entries of a pyproject array: one finding, one fix that leaves the first', () => {
    const text =
      '[project]\nname="x"\nversion="1"\ndependencies=[\n  "numpy",\n  "numpy",\n  "scipy",\n  "numpy",\n]\n';
    const py = parsePyproject('/w/pyproject.toml', text);
    const found = byCode(runChecks([set(py)], ctx), 'duplicate');
    assert.equal(found.length, 1);
    const fixed = applyFixOf(set(py), found[0]!);
    assert.equal(fixed.files[0]!.text, '[project]\nname="x"\nversion="1"\ndependencies=[\n  "numpy",\n  "scipy",\n]\n');
  });

  it('does not flag the same name under different markers or in different sections', () => {
    const s = set(req('/w/requirements.txt', 'numpy<2 ; python_version < "3.9"\nnumpy>=2 ; python_version >= "3.9"\n'));
    assert.deepEqual(byCode(runChecks([s], ctx), 'duplicate'), []);
    const py = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname="x"\nversion="1"\ndependencies=["numpy"]\n[project.optional-dependencies]\nfast=["numpy>=2"]\n',
    );
    assert.deepEqual(byCode(runChecks([set(py)], ctx), 'duplicate'), []);
  });

  it('removes an item from a TOML array without leaving a dangling comma', () => {
    const py = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname="x"\nversion="1"\ndependencies=["numpy", "scipy", "numpy>=1"]\n',
    );
    const found = byCode(runChecks([set(py)], ctx), 'duplicate');
    const removed = applyFixOf(set(py), found[1]!, 1);
    assert.match(removed.files[0]!.text, /dependencies=\["numpy>=1", "scipy"\]|dependencies=\["numpy", "scipy"\]/);
  });
});

describe('removalSpan', () => {
  const cut = (text: string, target: string) => {
    const start = text.indexOf(target);
    const s = removalSpan(text, { start, end: start + target.length });
    return text.slice(0, s.start) + text.slice(s.end);
  };
  it('removes whole lines, continuations, YAML items and inline array items', () => {
    assert.equal(cut('a\nb  # c\nd\n', 'b'), 'a\nd\n');
    assert.equal(cut('a\nb \\\n  --hash=sha256:00\nd\n', 'b'), 'a\nd\n');
    assert.equal(cut('deps:\n  - a\n  - b\n', 'b'), 'deps:\n  - a\n');
    assert.equal(cut('x = ["a", "b", "c"]\n', 'b'), 'x = ["a", "c"]\n');
    assert.equal(cut('x = ["a", "b"]\n', 'b'), 'x = ["a"]\n');
    assert.equal(cut('x = [\n  "a",\n  "b",\n]\n', 'a'), 'x = [\n  "b",\n]\n');
  });
});

describe('registry', () => {
  it('turns checks off and changes severities', () => {
    const s = set(req('/w/requirements.txt', 'numpy>=2\nnumpy<2\n'));
    assert.deepEqual(runChecks([s], ctx, { conflict: 'off', duplicate: 'off' }), []);
    assert.ok(
      runChecks([s], ctx, { conflict: 'hint' })
        .filter((f) => f.code === 'conflict')
        .every((f) => f.severity === 'hint'),
    );
  });

  it('reports each finding once when a file is in several sets', () => {
    const c = con('/w/constraints.txt', 'numpy<1\n');
    const a = set(req('/w/requirements.txt', 'numpy>=1\n-c constraints.txt\n'), c);
    const b = set(req('/w/requirements-dev.txt', 'numpy>=1\n-c constraints.txt\n'), c);
    assert.equal(runChecks([a, b], ctx).filter((f) => f.file === '/w/constraints.txt').length, 1);
  });

  it("matches package.json's settings and the documented codes", () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    const settingCodes: string[] =
      pkg.contributes.configuration.properties['stackDoctor.checks.severityOverrides'].propertyNames.enum;
    // The codes of docs/codes.md, written out again so that a code removed from CODES by mistake fails here too
    // (test/unit/docs.test.ts holds the page itself to CODES).
    const designCodes = [
      'syntax',
      'duplicate',
      'conflict',
      'conflict-transitive',
      'not-found',
      'requires-python',
      'no-wheel',
      'system-library',
      'cuda-driver',
      'cuda-mix',
      'cuda-unavailable',
      'companion-version',
      'deprecated',
      'installed-mismatch',
      'index-unreachable',
      'vulnerable',
      'pip-over-conda',
    ];
    assert.deepEqual([...settingCodes].sort(), [...designCodes].sort());
    assert.deepEqual([...codeList].sort(), [...designCodes].sort());
    assert.deepEqual(checks.map((c) => c.code).sort(), [...codeList].sort(), 'one check per code');
    for (const c of checks) {
      assert.ok(settingCodes.includes(c.code), c.code);
      assert.ok(fs.existsSync(`server/src/checks/${c.code}.ts`), `the module of ${c.code} is named after it`);
    }
  });
});
