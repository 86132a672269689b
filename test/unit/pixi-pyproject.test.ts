// A pyproject.toml with [tool.pixi] read as pixi reads it: `[project]` dependencies are the default feature's PyPI
// part, each `[project.optional-dependencies]` extra and `[dependency-groups]` group a feature of its name (with the
// extras it names through the project and the groups it includes), and the pixi.lock beside it joins its set.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChecks } from '../../server/src/checks/registry';
import { environmentSpecs, pixiManifestOf } from '../../server/src/model/pixi';
import type { EnvironmentSet } from '../../server/src/model/sets';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { FileSets } from '../../server/src/workspace/file-sets';
import { diskSource } from '../../server/src/workspace/text-source';
import { byCode, defaultContext } from '../helpers/check-kit';
import { PIXI_TOML, pixiLock } from '../helpers/conda-locks';

const PYPROJECT = [
  '[project]',
  'name = "app"',
  'version = "0.1"',
  'dependencies = ["rich>=13"]',
  '',
  '[project.optional-dependencies]',
  'test = ["pytest>=8"]',
  'All_Extras = ["app[test]", "httpx>=0.27"]',
  '',
  '[dependency-groups]',
  'docs = ["sphinx>=7"]',
  'dev = [{ include-group = "docs" }, "ruff"]',
  '',
  '[tool.pixi.workspace]',
  'channels = ["conda-forge"]',
  'platforms = ["linux-64", "osx-arm64"]',
  '',
  '[tool.pixi.dependencies]',
  'python = "3.12.*"',
  'numpy = ">=2"',
  '',
  '[tool.pixi.feature.test.dependencies]',
  'pytest-xdist = "*"',
  '',
  '[tool.pixi.environments]',
  'test = { features = ["test"], solve-group = "default" }',
  'all = ["All_Extras"]',
  'dev = ["dev"]',
  '',
].join('\n');

const pypi = (env: string) =>
  environmentSpecs(
    pixiManifestOf(parsePyproject('/w/pyproject.toml', PYPROJECT))!,
    env,
    'linux-64',
  )!.pypiDependencies.map((d) => d.name);

describe('pyproject.toml with [tool.pixi]: extras and dependency groups are features', () => {
  it('reads the environments that name them without a finding', () => {
    const f = parsePyproject('/w/pyproject.toml', PYPROJECT);
    assert.deepEqual(
      f.findings.map((x) => x.message),
      [],
    );
    const m = pixiManifestOf(f)!;
    assert.deepEqual(
      m.environments.map((e) => [e.name, e.features]),
      [
        ['default', ['default']],
        ['test', ['default', 'test']],
        ['all', ['default', 'All_Extras']],
        ['dev', ['default', 'dev']],
      ],
    );
  });

  it("gives each environment the project's dependencies and its features' PyPI part", () => {
    assert.deepEqual(pypi('default'), ['rich']);
    assert.deepEqual(pypi('test'), ['rich', 'pytest']);
    // `app[test]` in an extra names the project's own extra: its requirements, not a package.
    assert.deepEqual(pypi('all').sort(), ['httpx', 'pytest', 'rich']);
    // A group with the groups it includes.
    assert.deepEqual(pypi('dev').sort(), ['rich', 'ruff', 'sphinx']);
  });

  it('keeps a [tool.pixi.feature] of the same name as the extra: one feature with both parts', () => {
    const m = pixiManifestOf(parsePyproject('/w/pyproject.toml', PYPROJECT))!;
    const test = m.features.filter((f) => f.name === 'test');
    assert.equal(test.length, 1);
    assert.deepEqual(
      test[0]!.targets.map((t) => [t.dependencies.map((d) => d.name), t.pypiDependencies.map((d) => d.name)]),
      [[['pytest-xdist'], ['pytest']]],
    );
    const specs = environmentSpecs(m, 'test', 'linux-64')!;
    assert.deepEqual(
      specs.dependencies.map((d) => d.name),
      ['python', 'numpy', 'pytest-xdist'],
    );
  });

  it('still says a feature nothing declares is unknown', () => {
    const f = parsePyproject('/w/pyproject.toml', PYPROJECT.replace('dev = ["dev"]', 'dev = ["lint"]'));
    assert.deepEqual(
      f.findings.map((x) => x.message),
      ["No feature named 'lint' in this manifest"],
    );
  });
});

// The manifest of the test pixi.lock (helpers/conda-locks.ts) written as a pyproject: [project] dependencies for its
// PyPI part, an extra `cuda` that is also the pixi feature with the CUDA conda packages.
const PIXI_PYPROJECT = `[project]
name = "app"
version = "0.1"
dependencies = ["rich>=13"]

[project.optional-dependencies]
cuda = []

[tool.pixi.workspace]
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[tool.pixi.dependencies]
python = "3.12.*"
numpy = ">=2"

[tool.pixi.feature.cuda]
platforms = ["linux-64"]

[tool.pixi.feature.cuda.dependencies]
pytorch = ">=2.5"
cuda-version = "12.6.*"

[tool.pixi.environments]
cuda = ["cuda"]
`;

describe('pyproject.toml with [tool.pixi]: the pixi.lock beside it', () => {
  let root: string;
  const write = (name: string, text: string) => {
    const p = path.join(root, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  };
  const rel = (s: EnvironmentSet) => ({
    root: path.relative(root, s.root),
    files: s.files.map((f) => path.relative(root, f.path)),
  });
  const setsOf = (dir: string) => new FileSets(diskSource, {}).folderSets(path.join(root, dir));

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-pixi-pyproject-'));
    write('app/pyproject.toml', PIXI_PYPROJECT);
    write('app/pixi.lock', pixiLock(6));
    write('drifted/pyproject.toml', PIXI_PYPROJECT.replace('numpy = ">=2"', 'numpy = ">=2.2"'));
    write('drifted/pixi.lock', pixiLock(6));
    write('both/pyproject.toml', PIXI_PYPROJECT);
    write('both/pixi.toml', PIXI_TOML);
    write('both/pixi.lock', pixiLock(6));
    write('plain/pyproject.toml', '[project]\nname = "app"\nversion = "0.1"\ndependencies = ["rich>=13"]\n');
    write('plain/pixi.lock', pixiLock(6));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("joins the pyproject's set; pixi.toml is the manifest where both are there; a plain pyproject is not", () => {
    assert.deepEqual(setsOf('app').map(rel), [
      { root: 'app/pyproject.toml', files: ['app/pyproject.toml', 'app/pixi.lock'] },
    ]);
    assert.deepEqual(setsOf('both').map(rel), [
      { root: 'both/pyproject.toml', files: ['both/pyproject.toml'] },
      { root: 'both/pixi.toml', files: ['both/pixi.toml', 'both/pixi.lock'] },
    ]);
    assert.deepEqual(setsOf('plain').map(rel), [
      { root: 'plain/pyproject.toml', files: ['plain/pyproject.toml'] },
      { root: 'plain/pixi.lock', files: ['plain/pixi.lock'] },
    ]);
  });

  it('judges lock-drift against the pyproject as against a pixi.toml', () => {
    assert.deepEqual(byCode(runChecks(setsOf('app'), defaultContext), 'lock-drift'), []);
    const drift = byCode(runChecks(setsOf('drifted'), defaultContext), 'lock-drift');
    assert.equal(drift.length, 1);
    assert.equal(drift[0]!.file, path.join(root, 'drifted/pyproject.toml'));
    assert.match(drift[0]!.message, /pixi\.lock locks numpy 2\.1\.3 .*outside numpy >=2\.2/);
    assert.equal(drift[0]!.fixes[0]!.run, 'pixi lock');
  });

  it("says an extra's environment the lock does not have", () => {
    const text = PIXI_PYPROJECT.replace('cuda = []', 'cuda = []\ntest = ["pytest>=8"]').replace(
      'cuda = ["cuda"]',
      'cuda = ["cuda"]\ntest = ["test"]',
    );
    write('extra/pyproject.toml', text);
    write('extra/pixi.lock', pixiLock(6));
    const drift = byCode(runChecks(setsOf('extra'), defaultContext), 'lock-drift');
    // The environment, and (the names-and-versions rule, as for a pixi.toml's feature) the requirement it adds.
    assert.deepEqual(drift.map((f) => f.message).sort(), [
      'pixi.lock has no entry for pytest: the lock is out of date',
      'pixi.lock has no environment test: the lock is out of date',
    ]);
  });
});
