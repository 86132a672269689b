// conflict: two lines on one package that no version satisfies together, with fixes a resolution accepts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { parseEnvironmentYml } from '../../../server/src/parsers/environment-yml';
import { parsePixiToml } from '../../../server/src/parsers/pixi';
import { parsePyproject } from '../../../server/src/parsers/pyproject';
import { applyFixOf, byCode, con, defaultContext as ctx, expectFindings, req } from '../../helpers/check-kit';
import { setOf as set } from '../../helpers/sets';

describe('conflict', () => {
  const cases: [string, string, string][] = [
    ['numpy>=1.24', 'numpy<1.24', 'range against range'],
    ['numpy==1.23.5', 'numpy!=1.23.*', 'pin against a wildcard exclusion'],
    ['torch==2.0.1', 'torch>=2.1,<3', 'pin in requirements against a range in constraints'],
    ['scipy~=1.10.0', 'scipy>=1.11', 'compatible release against a floor'],
    ['pkg>1.0', 'pkg<=1.0.post5', '> excludes the post-releases of its version'],
  ];
  for (const [a, b, why] of cases) {
    it(`finds ${a} with ${b} (${why}) as one finding, the other line related, and each fix resolves it`, () => {
      const s = set(
        req('/w/requirements.txt', `${a}\n-c constraints.txt\nrequests\n`),
        con('/w/constraints.txt', `${b}\n`),
      );
      const found = byCode(runChecks([s], ctx), 'conflict');
      assert.equal(found.length, 1, JSON.stringify(found));
      const f = found[0]!;
      assert.equal(f.related.length, 1);
      assert.deepEqual([f.file, f.related[0]!.file].sort(), ['/w/constraints.txt', '/w/requirements.txt']);
      const first = f.message.split('\n')[0]!;
      assert.ok(first.length < 100, first);
      assert.ok(first.includes(a) && first.includes(b), first);
      assert.match(first, /admit no common version$/);
      assert.ok(f.fixes.length >= 1, 'a fix is offered');
      assert.equal(f.fixes.filter((x) => x.preferred).length, 1, 'one preferred fix');
      assert.ok(
        f.fixes[0]!.edits.every((e) => e.file === f.file),
        'anchored where the preferred (first) fix edits',
      );
      for (let i = 0; i < f.fixes.length; i++) {
        const fixed = applyFixOf(s, f, i);
        assert.deepEqual(
          byCode(runChecks([fixed], ctx), 'conflict'),
          [],
          `fix '${f.fixes[i]!.title}' removes the conflict`,
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
    assert.equal(byCode(runChecks([s], ctx), 'conflict').length, 1, fine[3]![2]);
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
    const text = s.files[0]!.text;
    assert.deepEqual(
      found.flatMap((f) => [f, ...f.related]).map((f) => text.slice(f.span.start, f.span.end)),
      ['numpy<1.24', 'numpy>=1.24'],
    );
    assert.equal(
      found[0]!.message.split('\n')[0],
      'numpy<1.24 (line 2) and numpy>=1.24 (line 3) admit no common version',
    );
  });

  it('judges pyproject extras with the base but never against each other', () => {
    const py = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname="x"\nversion="1"\ndependencies=["numpy>=1.24"]\n[project.optional-dependencies]\nold=["numpy<1.24"]\nnew=["numpy>=2"]\n[dependency-groups]\nlegacy=["pandas<2"]\nmodern=["pandas>=2"]\n',
    );
    const found = byCode(runChecks([set(py)], ctx), 'conflict');
    assert.deepEqual(
      found.flatMap((f) => [f, ...f.related]).map((f) => py.text.slice(f.span.start, f.span.end)),
      ['numpy>=1.24', 'numpy<1.24'],
    );
  });

  it('names the extra or group whose installation fails: the base installs alone', () => {
    const py = parsePyproject(
      '/w/pyproject.toml',
      [
        '[project]',
        'name = "vision-tools"',
        'version = "0.3.0"',
        'dependencies = ["numpy<2", "pillow>=10"]',
        '[project.optional-dependencies]',
        'gpu = ["numpy>=2.0", "cupy-cuda12x>=13"]',
        'all = ["vision-tools[gpu]"]',
        '[dependency-groups]',
        'legacy = ["pillow<9"]',
        '',
      ].join('\n'),
    );
    const found = byCode(runChecks([set(py)], ctx), 'conflict');
    const lines = found.map((f) => f.message.split('\n'));
    assert.equal(found.length, 2, JSON.stringify(lines));
    const numpy = lines.find((l) => l[0]!.startsWith('numpy'))!;
    assert.equal(
      numpy[0],
      "numpy<2 (line 4) and numpy>=2.0 (line 6) admit no common version with extra 'all' or 'gpu'",
    );
    assert.equal(
      numpy[1],
      "pip would fail with \"ResolutionImpossible\" installing extra 'all' or 'gpu' (the base alone installs).",
    );
    const pillow = lines.find((l) => l[0]!.startsWith('pillow'))!;
    assert.match(pillow[0]!, /admit no common version with dependency group 'legacy'$/);
    assert.match(pillow[1]!, /installing dependency group 'legacy' \(the base alone installs\)\.$/);
    // Within the base, no scope is named.
    const base = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname="x"\nversion="1"\ndependencies=["numpy<2", "numpy>=2"]\n',
    );
    const [f] = byCode(runChecks([set(base)], ctx), 'conflict');
    assert.deepEqual(f!.message.split('\n'), [
      'numpy<2 (line 4) and numpy>=2 (line 4) admit no common version',
      'pip would fail with "ResolutionImpossible".',
    ]);
  });

  it('crosses file kinds: requirements against a conda spec of the same name', () => {
    const yml = parseEnvironmentYml(
      '/w/environment.yml',
      'dependencies:\n  - numpy=1.24\n  - pip:\n    - numpy>=1.26\n',
    );
    const found = byCode(runChecks([set(yml)], ctx), 'conflict');
    assert.equal(found.length, 1);
    // The conda spec is conda's to write: the one fix edits the pip line, so the finding stands there.
    assert.equal(yml.text.slice(found[0]!.span.start, found[0]!.span.end), 'numpy>=1.26');
    assert.equal(yml.text.slice(found[0]!.related[0]!.span.start, found[0]!.related[0]!.span.end), 'numpy=1.24');
    assert.equal(found[0]!.fixes[0]!.edits[0]!.newText, '==1.24.*');
  });

  it("says conda's or pixi's answer where conda specs conflict, not pip's", () => {
    const yml = parseEnvironmentYml(
      '/w/environment.yml',
      'name: t\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy<2\n  - numpy>=2.0\n',
    );
    const [c] = byCode(runChecks([set(yml)], ctx), 'conflict');
    assert.equal(
      c!.message.split('\n')[1],
      'conda would fail to solve the environment ("LibMambaUnsatisfiableError").',
    );
    const pixi = parsePixiToml(
      '/w/pixi.toml',
      [
        '[workspace]',
        'name = "seg"',
        'channels = ["conda-forge"]',
        'platforms = ["linux-64"]',
        '[dependencies]',
        'numpy = "<2"',
        '[feature.cuda.dependencies]',
        'numpy = ">=2.0"',
        '[environments]',
        'gpu = ["cuda"]',
        '',
      ].join('\n'),
    );
    const [p] = byCode(runChecks([set(pixi)], ctx), 'conflict');
    assert.deepEqual(p!.message.split('\n'), [
      "numpy<2 (line 6) and numpy>=2.0 (line 8) admit no common version with environment 'gpu'",
      "pixi would fail to solve environment 'gpu' (the default environment solves).",
    ]);
  });

  it('marks one line of a requirement against a constraint, the other related, and nothing else (the kit)', () => {
    expectFindings({
      '/w/requirements.txt': '⟦numpy>=1.24⟧⟨conflict: numpy⟩\n-c constraints.txt\nrequests\n',
      '/w/constraints.txt': '⟦numpy<1.24⟧⟨related conflict⟩\n',
    });
    expectFindings({ '/w/requirements.txt': 'numpy>=1.24\nnumpy<2\n' }, { codes: ['conflict'] });
  });

  // uv's docs (docs/concepts/resolution.md, "Dependency overrides"): an override replaces every requirement on its
  // name, direct requirements included, and "can expand the set of acceptable versions"; constraints still narrow.
  it('an override replaces the requirements on its name; one that admits nothing is its own finding', () => {
    expectFindings({
      '/w/pyproject.toml': [
        '[project]',
        'name = "x"',
        'version = "1"',
        'dependencies = ["pydantic<2", "pydantic>=1.9", "numpy<1.24"]',
        '[tool.uv]',
        'override-dependencies = ["pydantic>=2", "⟦numpy>=2,<1⟧⟨conflict: uv would fail⟩"]',
        '',
      ].join('\n'),
    });
    expectFindings({
      '/w/pyproject.toml': [
        '[project]',
        'name = "x"',
        'version = "1"',
        'dependencies = ["pydantic<2"]',
        '[tool.uv]',
        'override-dependencies = ["⟦pydantic>=2⟧⟨conflict: pydantic⟩"]',
        'constraint-dependencies = ["⟦pydantic<1.10⟧⟨related conflict⟩"]',
        '',
      ].join('\n'),
    });
  });

  // uv's docs (docs/concepts/resolution.md, "Conflicting dependencies"): uv resolves a project's extras and groups
  // together, so `extra1 = ["numpy==2.1.2"]` and `extra2 = ["numpy==2.0.0"]` fail `uv lock` "with an error", unless
  // `[tool.uv] conflicts` declares them; then "uv will resolve them separately" and never installs both.
  const uvProject = (conflicts: string) =>
    [
      '[project]',
      'name = "x"',
      'version = "1"',
      '[project.optional-dependencies]',
      'extra1 = ["⟦numpy==2.1.2⟧⟨conflict: extras and groups together (⟩"]',
      'extra2 = ["⟦numpy==2.0.0⟧⟨related conflict⟩"]',
      'extra3 = ["pandas"]',
      '[tool.uv]',
      conflicts,
      '',
    ].join('\n');
  it("judges a uv project's extras together, and declared alternatives each on its own", () => {
    expectFindings({ '/w/pyproject.toml': uvProject('') });
    const declared = uvProject('conflicts = [[{ extra = "extra1" }, { extra = "extra2" }]]').replace(
      /[⟦⟧]|⟨[^⟩]*⟩/g,
      '',
    );
    expectFindings({ '/w/pyproject.toml': declared }, { codes: ['conflict'] });
    // Without [tool.uv] it is no uv project: pip installs only the extras a command names.
    const pip = uvProject('')
      .replace('[tool.uv]', '')
      .replace(/[⟦⟧]|⟨[^⟩]*⟩/g, '');
    expectFindings({ '/w/pyproject.toml': pip }, { codes: ['conflict'] });
  });

  // uv's docs (docs/concepts/projects/dependencies.md, "Legacy dev-dependencies"): `tool.uv.dev-dependencies` are
  // "combined with the contents in the `dependency-groups.dev`".
  it('reads tool.uv.dev-dependencies as the dev group, with [dependency-groups] dev', () => {
    expectFindings({
      '/w/pyproject.toml': [
        '[project]',
        'name = "x"',
        'version = "1"',
        '[dependency-groups]',
        'dev = ["⟦pytest<8⟧⟨conflict: pytest⟩"]',
        '[tool.uv]',
        'dev-dependencies = ["⟦pytest>=8⟧⟨related conflict⟩"]',
        '',
      ].join('\n'),
    });
  });
});
