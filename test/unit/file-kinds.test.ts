// The file-kind table: what each name is read as, and package.json held to the table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCondaEnvironmentText } from '../../server/src/parsers/environment-yml';
import { FileSets } from '../../server/src/workspace/file-sets';
import { diskSource } from '../../server/src/workspace/text-source';
import {
  classify,
  editorDocumentGlobs,
  FILE_KINDS,
  globToRegExpSource,
  manifestEntries,
  workspaceGlobs,
} from '../../server/src/workspace/file-kinds';

describe('file kinds', () => {
  it('classifies names as the file-kind table says', () => {
    const cases: [string, string | null][] = [
      ['/w/requirements.txt', 'requirements'],
      ['/w/requirements-dev.txt', 'requirements'],
      ['/w/dev-requirements.txt', 'requirements'],
      ['/w/test.requirements.txt', 'requirements'],
      ['/w/requirements/base.txt', 'requirements'],
      ['/w/requirements/base.in', 'requirements'],
      ['/w/requirements.in', 'requirements'],
      ['/w/requirements-dev.in', 'requirements'],
      ['/w/REQUIREMENTS.TXT', 'requirements'],
      ['C:\\w\\requirements\\gpu.txt', 'requirements'],
      ['/w/constraints.txt', 'constraints'],
      ['/w/constraints-cu121.txt', 'constraints'],
      ['/w/requirements/constraints.txt', 'constraints'],
      ['/w/environment.yml', 'conda'],
      ['/w/environment.yaml', 'conda'],
      ['/w/gpu.environment.yml', 'conda'],
      ['/w/conda-linux.yml', 'conda'],
      ['/w/conda-lock.yml', 'conda-lock'],
      ['/w/conda-lock.yaml', 'conda-lock'],
      ['/w/linux.conda-lock.yml', 'conda-lock'],
      ['/w/pixi.lock', 'pixi-lock'],
      ['/w/env.gpu.yml', null],
      ['/w/pyproject.toml', 'pyproject'],
      ['/w/uv.lock', 'uv-lock'],
      ['/w/pylock.toml', 'pylock'],
      ['/w/pylock.cuda.toml', 'pylock'],
      ['/w/poetry.lock', 'poetry-lock'],
      ['/w/pixi.toml', 'pixi'],
      ['/w/sub/PIXI.TOML', 'pixi'],
      ['/w/MANIFEST.in', null],
      ['/w/setup.in', null],
      ['/w/notes.txt', null],
      ['/w/docs/requirements-notes.md', null],
      ['/w/environment.yml.bak', null],
      ['/w/requirements/readme.md', null],
    ];
    for (const [p, kind] of cases) assert.equal(classify(p), kind, p);
  });

  it('has one rule per kind, each with globs', () => {
    assert.deepEqual(FILE_KINDS.map((r) => r.kind).sort(), [
      'conda',
      'conda-lock',
      'constraints',
      'pixi',
      'pixi-lock',
      'poetry-lock',
      'pylock',
      'pyproject',
      'requirements',
      'setup-cfg',
      'uv-lock',
    ]);
    for (const r of FILE_KINDS) assert.ok(r.globs.length > 0, r.kind);
  });

  it('every workspace glob names files of its kind', () => {
    for (const r of FILE_KINDS) {
      for (const g of r.globs) {
        const example = '/w/' + g.replace(/\*/g, 'x');
        assert.equal(classify(example), r.kind, `${g} -> ${example}`);
      }
    }
    assert.equal(
      workspaceGlobs().length,
      FILE_KINDS.reduce((n, r) => n + r.globs.length, 0),
    );
  });

  it("package.json's activation events, language patterns and menus match the table", () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    const want = manifestEntries();
    assert.deepEqual(
      pkg.activationEvents.filter((e: string) => e.startsWith('workspaceContains:')),
      want.activationEvents,
    );
    const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'pip-requirements');
    assert.deepEqual(lang.filenamePatterns, want.filenamePatterns);
    assert.equal(lang.extensions, undefined, 'no extension-wide patterns: MANIFEST.in is not a requirements file');
    for (const menu of ['editor/title', 'explorer/context']) {
      const item = pkg.contributes.menus[menu].find(
        (m: { command: string }) => m.command === 'stackDoctor.installIntoEnvironment',
      );
      assert.equal(item.when, want.installWhen, menu);
    }
  });

  it('the menu condition regexes accept the names of their kind and no others', () => {
    const { installWhen } = manifestEntries();
    const regexes = [...installWhen.matchAll(/=~ \/(.+?)\/i/g)].map((m) => new RegExp(m[1]!, 'i'));
    assert.equal(regexes.length, 3);
    const [constraints, conda, condaExcept] = regexes as [RegExp, RegExp, RegExp];
    assert.ok(condaExcept.test('conda-lock.yml') && !condaExcept.test('conda-gpu.yml'));
    assert.ok(constraints.test('constraints-gpu.txt') && !constraints.test('requirements.txt'));
    assert.ok(
      conda.test('environment.yml') &&
        conda.test('gpu.environment.yaml') &&
        conda.test('conda-osx.yml') &&
        !conda.test('environment.yml.bak'),
    );
  });
});

/**
 * A VS Code `when` clause (the subset the menus use: `==`, `=~ /re/flags`, `!`, `&&`, `||`, parentheses; `&&` binds
 * tighter than `||`) evaluated against a context.
 */
function evalWhen(clause: string, ctx: Record<string, string>): boolean {
  const tokens = clause.match(/\/(?:\\.|[^/])*\/[a-z]*|&&|\|\||==|=~|[()!]|[^\s()!&|=]+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (want?: string) => {
    const t = tokens[at++];
    if (t === undefined || (want !== undefined && t !== want)) throw new Error(`${clause}: ${want} at ${at}`);
    return t;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === '||') {
      take();
      v = and() || v;
    }
    return v;
  };
  const and = (): boolean => {
    let v = unary();
    while (peek() === '&&') {
      take();
      v = unary() && v;
    }
    return v;
  };
  const unary = (): boolean => {
    if (peek() === '!') {
      take();
      return !unary();
    }
    if (peek() === '(') {
      take();
      const v = or();
      take(')');
      return v;
    }
    const key = take();
    const op = take();
    const value = take();
    if (op === '==') return ctx[key] === value;
    const m = /^\/(.*)\/([a-z]*)$/.exec(value);
    if (op !== '=~' || !m) throw new Error(`${clause}: ${op} ${value}`);
    return new RegExp(m[1]!, m[2]).test(ctx[key] ?? '');
  };
  const v = or();
  assert.equal(at, tokens.length, clause);
  return v;
}

describe('"Install into Environment" on the files of each kind', () => {
  it('is offered on a file exactly when its kind installs (a conda-lock.yml is a lock, not an environment)', () => {
    const { installWhen } = manifestEntries();
    for (const r of FILE_KINDS)
      for (const g of r.globs) {
        const name = g.replace(/\*/g, 'x').split('/').pop()!;
        const kind = classify(`/w/${g.replace(/\*/g, 'x')}`)!;
        const row = FILE_KINDS.find((k) => k.kind === kind)!;
        const language = typeof row.editor === 'object' ? row.editor.language : 'plaintext';
        const ctx = { resourceScheme: 'file', resourceFilename: name, resourceLangId: language };
        assert.equal(evalWhen(installWhen, ctx), row.install, `${name} (${kind})`);
      }
    for (const name of ['conda-lock.yml', 'conda-lock.yaml', 'CONDA-LOCK.YML', 'gpu.conda-lock.yml'])
      assert.equal(evalWhen(installWhen, { resourceScheme: 'file', resourceFilename: name }), false, name);
    assert.equal(evalWhen(installWhen, { resourceScheme: 'file', resourceFilename: 'conda-gpu.yml' }), true);
    assert.equal(evalWhen(installWhen, { resourceScheme: 'untitled', resourceFilename: 'environment.yml' }), false);
  });
});

// Conda environment files known by their content, whatever their name; YAML files of other tools never.
const CONDA_BY_CONTENT: Record<string, string> = {
  // An MLflow project's conda.yaml.
  'conda.yaml': [
    'name: tutorial',
    'channels:',
    '  - conda-forge',
    'dependencies:',
    '  - python=3.8',
    '  - pip',
    '  - pip:',
    '      - scikit-learn==0.23.2',
    '      - mlflow>=1.0',
    '',
  ].join('\n'),
  // A zero-indented sequence, comments, a build string and a channel-qualified spec.
  'env.gpu.yml': [
    '# GPU environment (CUDA 11.8)',
    'name: se3',
    'channels:',
    '- pytorch',
    '- nvidia',
    '- conda-forge',
    'dependencies:',
    '- python=3.9   # 3.10 breaks dgl',
    '- pytorch::pytorch=2.0.1=py3.9_cuda11.8_cudnn8.7.0_0',
    '- pytorch-cuda=11.8',
    "- 'cudatoolkit>=11.8,<12'",
    '- numpy 1.24.*',
    '',
  ].join('\n'),
  // Dependencies first, no channels, quoted specs, a pip part given as a flow list.
  'environment-gpu.yml': [
    'dependencies:',
    '  - "python>=3.10"',
    '  - conda-forge::cudnn',
    '  - pip: [ "jax[cuda12]==0.4.25", optax ]',
    'name: jax-gpu',
    '',
  ].join('\n'),
  'environment_cuda.yaml': [
    '---',
    'name: diffusion',
    'channels: [nvidia/label/cuda-12.1.0, conda-forge]',
    'dependencies: [python=3.11, cuda-toolkit, pip]',
    'variables:',
    '  CUDA_HOME: $CONDA_PREFIX',
    '',
  ].join('\n'),
  'environment_pt260cu126.yaml': [
    'name: pt260',
    'channels:',
    '  - https://conda.anaconda.org/pytorch',
    '  - defaults',
    'dependencies:',
    '  - python==3.12.*',
    '  - pytorch>=2.6,<2.7',
    '  - pip:',
    '    - -r requirements.txt',
    '    - --extra-index-url https://download.pytorch.org/whl/cu126',
    'prefix: /opt/conda/envs/pt260',
    '',
  ].join('\n'),
  'env/SE3nv.yml': [
    'name: SE3nv',
    'channels:',
    '  - defaults',
    '  - conda-forge',
    '  - pytorch',
    '  - dglteam/label/cu117',
    'dependencies:',
    '  - python=3.9',
    '  - pytorch=1.13.1',
    '  - dgl=1.0.2=cuda117py39_0',
    '  - pip:',
    '    - hydra-core',
    '    - pyrsistent',
    '',
  ].join('\n'),
};

const NOT_CONDA: Record<string, string> = {
  'docker-compose.yml': [
    'version: "3.8"',
    'services:',
    '  web:',
    '    build: .',
    '    ports:',
    '      - "8080:80"',
    '    depends_on:',
    '      - db',
    '  db:',
    '    image: postgres:16',
    '',
  ].join('\n'),
  '.github/workflows/ci.yml': [
    'name: CI',
    'on: [push, pull_request]',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: conda-incubator/setup-miniconda@v3',
    '        with:',
    '          environment-file: environment.yml',
    '      - run: pip install -r requirements.txt',
    '',
  ].join('\n'),
  'mkdocs.yml': [
    'site_name: My Docs',
    'nav:',
    '  - Home: index.md',
    '  - API: api.md',
    'theme:',
    '  name: material',
    'plugins:',
    '  - search',
    '',
  ].join('\n'),
  '.pre-commit-config.yaml': [
    'repos:',
    '  - repo: https://github.com/psf/black',
    '    rev: 24.1.0',
    '    hooks:',
    '      - id: black',
    '',
  ].join('\n'),
  'deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: model-server',
    'spec:',
    '  replicas: 2',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: model-server',
    '',
  ].join('\n'),
  // conda-lock's unified lock: `dependencies` only inside each package.
  'conda-lock.yml': [
    'version: 1',
    'metadata:',
    '  content_hash:',
    '    linux-64: 3f1c',
    '  channels:',
    '  - url: conda-forge',
    '    used_env_vars: []',
    '  platforms:',
    '  - linux-64',
    'package:',
    '- name: numpy',
    '  version: 1.26.4',
    '  manager: conda',
    '  platform: linux-64',
    '  dependencies:',
    '    python: ">=3.11,<3.12.0a0"',
    '  url: https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda',
    '',
  ].join('\n'),
  // A lock whose top level also names channels (as an environment file would): still not an environment.
  'project.conda-lock.yml': [
    'channels:',
    '  - conda-forge',
    'dependencies:',
    '  - numpy',
    'package:',
    '- name: numpy',
    '  version: 1.26.4',
    '',
  ].join('\n'),
  'pixi.lock': [
    'version: 6',
    'environments:',
    '  default:',
    '    channels:',
    '    - url: https://conda.anaconda.org/conda-forge/',
    '    packages:',
    '      linux-64:',
    '      - conda: https://conda.anaconda.org/conda-forge/linux-64/python-3.12.3.conda',
    'packages:',
    '- conda: https://conda.anaconda.org/conda-forge/linux-64/python-3.12.3.conda',
    '',
  ].join('\n'),
  // A rattler-build recipe.
  'recipe.yaml': [
    'context:',
    '  version: "1.0.0"',
    'package:',
    '  name: mypkg',
    '  version: ${{ version }}',
    'requirements:',
    '  host:',
    '    - python',
    '    - pip',
    '  run:',
    '    - numpy',
    '',
  ].join('\n'),
  // Helm's Chart.yaml: a `dependencies` list of mappings.
  'Chart.yaml': [
    'apiVersion: v2',
    'name: stack',
    'dependencies:',
    '  - name: redis',
    '    version: 18.1.0',
    '    repository: https://charts.bitnami.com/bitnami',
    '',
  ].join('\n'),
  // A Dart pubspec: `dependencies` is a mapping.
  'pubspec.yaml': ['name: app', 'dependencies:', '  flutter:', '    sdk: flutter', '  http: ^1.1.0', ''].join('\n'),
  // A `dependencies` list of mappings without any other telling key.
  'tasks.yml': ['dependencies:', '  - name: build', '    run: make', ''].join('\n'),
  // An Ansible playbook: a top-level sequence.
  'playbook.yml': ['- hosts: all', '  tasks:', '    - name: deps', '      apt: name=python3', ''].join('\n'),
  'empty.yml': '',
};

describe('conda environment files by content', () => {
  it('recognises environment files of any name and no YAML file of another tool', () => {
    for (const [name, text] of Object.entries(CONDA_BY_CONTENT)) {
      assert.equal(classify('/w/' + name), null, `${name} is not known by its name`);
      assert.equal(isCondaEnvironmentText(text), true, name);
    }
    for (const [name, text] of Object.entries(NOT_CONDA)) assert.equal(isCondaEnvironmentText(text), false, name);
  });

  it('reads only the first kilobytes: a long file is judged by its head', () => {
    const head = CONDA_BY_CONTENT['conda.yaml']!;
    const long = head + '  # ' + 'x'.repeat(100) + '\n'.repeat(1) + Array(5000).fill('  - numpy').join('\n');
    assert.equal(isCondaEnvironmentText(long), true);
    // Past the sniffed head, nothing can make it one.
    const padded = '# ' + 'x'.repeat(20_000) + '\n' + head;
    assert.equal(isCondaEnvironmentText(padded), false);
  });

  it("the analyzer lists them in a folder's scan, and knows an open buffer by its text", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-kinds-'));
    try {
      for (const [name, text] of Object.entries({ ...CONDA_BY_CONTENT, ...NOT_CONDA })) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
      fs.writeFileSync(path.join(dir, 'requirements.txt'), 'numpy\n');
      const buffers = new Map<string, string>();
      const analyzer = new FileSets({ read: (p) => buffers.get(p) ?? diskSource.read(p) });
      const listed = (d: string) => analyzer.folderFiles(d).map((f) => [path.relative(dir, f.path), f.kind]);
      // The locks among the other tools' files are read as locks, never as environments.
      assert.deepEqual(listed(dir), [
        ['conda-lock.yml', 'conda-lock'],
        ['conda.yaml', 'conda'],
        ['env.gpu.yml', 'conda'],
        ['environment-gpu.yml', 'conda'],
        ['environment_cuda.yaml', 'conda'],
        ['environment_pt260cu126.yaml', 'conda'],
        ['pixi.lock', 'pixi-lock'],
        ['project.conda-lock.yml', 'conda-lock'],
        ['requirements.txt', 'requirements'],
      ]);
      assert.deepEqual(listed(path.join(dir, 'env')), [['env/SE3nv.yml', 'conda']]);
      assert.equal(analyzer.kindOf(path.join(dir, 'mkdocs.yml')), null);
      // The editor's buffer wins over the disk: once it says dependencies, it is an environment file.
      const compose = path.join(dir, 'docker-compose.yml');
      buffers.set(compose, CONDA_BY_CONTENT['conda.yaml']!);
      analyzer.evict(compose);
      assert.equal(analyzer.kindOf(compose), 'conda');
      buffers.delete(compose);
      analyzer.evict(compose);
      assert.equal(analyzer.kindOf(compose), null);
      // A file changed on disk is judged again.
      fs.writeFileSync(
        path.join(dir, 'mkdocs.yml'),
        'channels:\n  - conda-forge\ndependencies:\n  - numpy=1.26\n# edited\n',
      );
      assert.equal(analyzer.kindOf(path.join(dir, 'mkdocs.yml')), 'conda');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the client sends every YAML file to the server, which decides by content', () => {
    const globs = editorDocumentGlobs();
    const sent = (name: string) =>
      globs.some((g) => new RegExp(globToRegExpSource(g.replace(/^\*\*\//, '')), 'i').test(name));
    for (const name of [...Object.keys(CONDA_BY_CONTENT), 'docker-compose.yml', 'pyproject.toml'])
      assert.ok(sent(path.basename(name)), name);
    assert.ok(!sent('requirements.txt'), 'requirements files go by their language');
  });
});
