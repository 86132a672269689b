// Environment sets join a pyproject.toml by reference, as pip does: only where a requirement names the project.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runChecks } from '../../server/src/checks/registry';
import { installedDeclarations, installGroups } from '../../server/src/checks/scope';
import type { Finding } from '../../server/src/model/types';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { FileSets, projectReference } from '../../server/src/workspace/file-sets';
import { diskSource } from '../../server/src/workspace/text-source';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import type { EnvironmentSet } from '../../server/src/model/sets';

const env = defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' });
const ctx = {
  markerEnvironment: env,
  profile: { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } },
};
const byCode = (fs: Finding[], code: string) => fs.filter((f) => f.code === code);

/** An LLM server's pyproject: a base, a `train` extra that pins torch, a `docs` extra and a dev group. */
const PYPROJECT = [
  '[project]',
  'name = "llm-serve"',
  'version = "0.4.0"',
  'requires-python = ">=3.9"',
  'dependencies = ["fastapi>=0.110", "pydantic>=2,<3", "numpy<2"]',
  '[project.optional-dependencies]',
  'train = ["torch==2.1.2", "deepspeed>=0.12"]',
  'Flash_Attn = ["torch==2.3.0", "flash-attn>=2.5"]',
  'docs = ["sphinx>=7"]',
  '[dependency-groups]',
  'dev = ["pytest>=8"]',
  '',
].join('\n');

describe('environment sets: a pyproject joins by reference', () => {
  let root: string;
  const write = (name: string, text: string) => {
    const p = path.join(root, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const rel = (s: EnvironmentSet) => ({
    root: path.relative(root, s.root),
    files: s.files.map((f) => path.relative(root, f.path)),
  });
  const setsOf = (dir: string) => new FileSets(diskSource, {}).folderSets(path.join(root, dir)).map(rel);

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-sets-join-'));
    // An LLM server repository: the requirements files are other ways to install, none names the project.
    write('serve/pyproject.toml', PYPROJECT);
    write('serve/requirements.txt', 'fastapi==0.111.0\npydantic==2.7.1\nnumpy==2.0.0\nuvicorn[standard]==0.29.0\n');
    write('serve/requirements-dev.txt', '-r requirements.txt\npytest==8.2.0\nruff==0.4.4\n');
    write('serve/requirements/docs.txt', 'sphinx==7.3.7\nmyst-parser==3.0.1\n');
    // A training repository whose requirements install the project with its `train` extra.
    write('train/pyproject.toml', PYPROJECT);
    write('train/requirements.txt', '-e .[train]\ntorch==2.1.2\nwandb>=0.16\n');
    write('train/requirements-gpu.txt', '-e .[train,flash-attn]\n');
    write('train/requirements-lint.txt', 'ruff==0.4.4\n');
    // Other ways of naming the project: `.`, `./`, a file: URL, a path from a subfolder, `-e ..` from requirements/.
    write('named/pyproject.toml', PYPROJECT);
    write('named/requirements-dot.txt', '.\n');
    write('named/requirements-slash.txt', './\n');
    write('named/requirements-url.txt', `${pathToFileURL(path.join(root, 'named')).toString()}\n`);
    write('named/requirements/dev.txt', '-e ..[docs]\npytest\n');
    write('named/tools/requirements.txt', '-e ../[train]\n');
    write('named/other/requirements.txt', '-e ../../serve\n');
    // conda: the pip part joins the pyproject only when it names it.
    write('conda/pyproject.toml', PYPROJECT);
    write(
      'conda/environment.yml',
      'name: serve\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - -e .\n    - rich\n',
    );
    write('conda/conda-cpu.yml', 'name: cpu\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - rich\n');
    write(
      'conda/conda-train.yml',
      'name: train\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - -e .[train]\n',
    );
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('keeps the requirements files of an LLM server repo apart from its pyproject, which is a set of its own', () => {
    assert.deepEqual(setsOf('serve'), [
      { root: 'serve/pyproject.toml', files: ['serve/pyproject.toml'] },
      { root: 'serve/requirements-dev.txt', files: ['serve/requirements-dev.txt', 'serve/requirements.txt'] },
      { root: 'serve/requirements/docs.txt', files: ['serve/requirements/docs.txt'] },
    ]);
  });

  it('checks the pyproject alone: numpy==2.0.0 in requirements.txt is not judged against its numpy<2', () => {
    const sets = new FileSets(diskSource, {}).setsContaining(path.join(root, 'serve/pyproject.toml'), 'pyproject');
    assert.deepEqual(sets.map(rel), [{ root: 'serve/pyproject.toml', files: ['serve/pyproject.toml'] }]);
    // numpy<2 (pyproject) with numpy==2.0.0 (requirements.txt) would be a conflict if they were joined.
    const findings = runChecks(sets, ctx);
    assert.deepEqual(
      findings.filter((f) => !f.file.endsWith('pyproject.toml')),
      [],
    );
    assert.deepEqual(byCode(findings, 'conflict'), []);
  });

  it('joins the project to the sets whose requirements name it with `-e .[train]`, with the extra installed', () => {
    const sets = new FileSets(diskSource, {}).folderSets(path.join(root, 'train'));
    assert.deepEqual(sets.map(rel), [
      { root: 'train/pyproject.toml', files: ['train/pyproject.toml'] },
      { root: 'train/requirements-gpu.txt', files: ['train/requirements-gpu.txt', 'train/pyproject.toml'] },
      { root: 'train/requirements-lint.txt', files: ['train/requirements-lint.txt'] },
      { root: 'train/requirements.txt', files: ['train/requirements.txt', 'train/pyproject.toml'] },
    ]);
    const pyproject = path.join(root, 'train/pyproject.toml');
    const train = sets.find((s) => s.root.endsWith('requirements.txt'))!;
    assert.deepEqual([...train.selectedExtras!], [[pyproject, ['train']]]);
    const scoped = installedDeclarations(train, env);
    const scopeOf = (name: string) => scoped.filter((d) => d.dep.name === name).map((d) => d.scope);
    assert.deepEqual(scopeOf('deepspeed'), ['']);
    // What `pip install -r requirements.txt` never installs is not in this set: the other extras, the groups.
    assert.deepEqual(scopeOf('sphinx'), []);
    assert.deepEqual(scopeOf('flash-attn'), []);
    assert.deepEqual(scopeOf('pytest'), []);
    // One group: the project's base, its train extra and the requirements' own lines.
    assert.equal(installGroups(scoped).length, 1);
    const base = installGroups(scoped)[0]!.map((d) => d.name);
    for (const n of ['fastapi', 'numpy', 'deepspeed', 'torch', 'wandb']) assert.ok(base.includes(n), n);
    // The pyproject's own set still judges every extra and group with its base.
    const own = sets.find((s) => s.root === pyproject)!;
    assert.equal(installGroups(installedDeclarations(own, env)).length, 5);
  });

  it(
    'judges extras named together as installed together: ' + 'torch==2.1.2 (train) against torch==2.3.0 (flash-attn)',
    () => {
      const sets = new FileSets(diskSource, {}).folderSets(path.join(root, 'train'));
      const gpu = sets.find((s) => s.root.endsWith('requirements-gpu.txt'))!;
      assert.deepEqual([...gpu.selectedExtras!.values()], [['flash-attn', 'train']]);
      const conflicts = byCode(runChecks([gpu], ctx), 'conflict');
      assert.equal(conflicts.length, 1, JSON.stringify(conflicts));
      assert.equal(conflicts[0]!.related.length, 1, 'the other torch line related');
      assert.ok(conflicts.every((f) => f.file.endsWith('pyproject.toml') && /torch/.test(f.message)));
      // Named without those extras (`-e .`), neither is installed.
      const bare: EnvironmentSet = { ...gpu, selectedExtras: new Map([[gpu.files[1]!.path, []]]) };
      assert.deepEqual(byCode(runChecks([bare], ctx), 'conflict'), []);
      // The pyproject alone judges each extra with the base, never against each other.
      const own = sets.find((s) => s.root.endsWith('pyproject.toml'))!;
      assert.deepEqual(byCode(runChecks([own], ctx), 'conflict'), []);
    },
  );

  it(
    'finds the project through `.`, `./`, a file: URL, `-e ..[docs]` ' +
      'and `-e ../[train]` from subfolders, and another folder`s project',
    () => {
      const analyzer = new FileSets(diskSource, {});
      const sets = analyzer.folderSets(path.join(root, 'named')).map(rel);
      assert.deepEqual(sets, [
        { root: 'named/pyproject.toml', files: ['named/pyproject.toml'] },
        { root: 'named/requirements-dot.txt', files: ['named/requirements-dot.txt', 'named/pyproject.toml'] },
        { root: 'named/requirements-slash.txt', files: ['named/requirements-slash.txt', 'named/pyproject.toml'] },
        { root: 'named/requirements-url.txt', files: ['named/requirements-url.txt', 'named/pyproject.toml'] },
        { root: 'named/requirements/dev.txt', files: ['named/requirements/dev.txt', 'named/pyproject.toml'] },
      ]);
      const dev = analyzer.folderSets(path.join(root, 'named')).find((s) => s.root.endsWith('dev.txt'))!;
      assert.deepEqual([...dev.selectedExtras!.values()], [['docs']]);
      const tools = analyzer.folderSets(path.join(root, 'named/tools'));
      assert.deepEqual(tools.map(rel), [
        { root: 'named/tools/requirements.txt', files: ['named/tools/requirements.txt', 'named/pyproject.toml'] },
      ]);
      assert.deepEqual([...tools[0]!.selectedExtras!.values()], [['train']]);
      assert.deepEqual(analyzer.folderSets(path.join(root, 'named/other')).map(rel), [
        { root: 'named/other/requirements.txt', files: ['named/other/requirements.txt', 'serve/pyproject.toml'] },
      ]);
      // A pyproject of another folder is in that set: editing it re-analyses the folder that names it.
      assert.ok(
        analyzer
          .setsContaining(path.join(root, 'serve/pyproject.toml'), 'pyproject')
          .some((s) => s.root.endsWith('other/requirements.txt')),
      );
    },
  );

  it('joins an environment.yml to the pyproject only when its pip part names it', () => {
    const sets = new FileSets(diskSource, {}).folderSets(path.join(root, 'conda'));
    assert.deepEqual(sets.map(rel), [
      { root: 'conda/pyproject.toml', files: ['conda/pyproject.toml'] },
      { root: 'conda/conda-cpu.yml', files: ['conda/conda-cpu.yml'] },
      { root: 'conda/conda-train.yml', files: ['conda/conda-train.yml', 'conda/pyproject.toml'] },
      { root: 'conda/environment.yml', files: ['conda/environment.yml', 'conda/pyproject.toml'] },
    ]);
    assert.deepEqual([...sets[2]!.selectedExtras!.values()], [['train']]);
    assert.deepEqual([...sets[3]!.selectedExtras!.values()], [[]]);
  });

  it('reads project references the way pip writes them', () => {
    const deps = parseRequirementsFile(
      '/p/requirements/dev.txt',
      '-e .\n.[GPU]\n-e ..[train]\nfile:///p/x#egg=x\nhttps://example.invalid/a.tar.gz\nnumpy\n',
      { kind: 'requirements', env: {} },
    ).dependencies;
    assert.deepEqual(deps.map(projectReference), [
      { dir: '/p/requirements', extras: [], relative: '.' },
      { dir: '/p/requirements', extras: ['gpu'], relative: '.' },
      { dir: '/p', extras: ['train'], relative: '..' },
      { dir: '/p/x', extras: [], relative: null },
      null,
      null,
    ]);
    // A constraint never installs anything (pip rejects unnamed ones anyway).
    assert.equal(projectReference({ ...deps[0]!, kind: 'constraint' }), null);
  });
});
