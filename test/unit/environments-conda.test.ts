// conda, mamba and micromamba paths of the environments module. No conda can be installed on these machines: the tests
// write a stand-in executable that records its argv and creates the prefix (with a real Python made by venv), and an
// environment.yml's pip part then runs with real pip from a loopback index.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseInterpreter, discoverInterpreters, type Interpreter } from '../../client/src/environments/interpreters';
import {
  condaArgs,
  createCondaEnvironment,
  findCondaManagers,
  listCondaEnvironments,
  splitEnvironmentYml,
  type CondaKind,
  type CondaManager,
} from '../../client/src/environments/conda';
import { discoverEnvironments } from '../../client/src/environments/discovery';
import { EnvironmentError } from '../../client/src/environments/errors';
import { install } from '../../client/src/environments/installer';
import type { PythonEnvironment } from '../../client/src/environments/environment';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

/** The stand-in: conda's command shapes only (create, env create, env update, env list --json), recording each call. */
const STAND_IN = `
const fs = require('fs'), path = require('path'), cp = require('child_process');
const argv = process.argv.slice(2);
const root = process.env.STANDIN_ROOT;
const opt = (f) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : undefined; };
const file = opt('-f');
const fileText = file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify({ tool: path.basename(process.argv[1]), argv, fileText }) + '\\n');
const registry = path.join(root, 'environments.txt');
const known = () => fs.existsSync(registry) ? fs.readFileSync(registry, 'utf8').split('\\n').filter(Boolean) : [];
if (argv[0] === 'env' && argv[1] === 'list') { console.log(JSON.stringify({ envs: known() }, null, 2)); process.exit(0); }
const create = argv[0] === 'create' || (argv[0] === 'env' && argv[1] === 'create');
const update = argv[0] === 'env' && argv[1] === 'update';
const prefix = opt('-p') || (opt('-n') ? path.join(root, 'envs', opt('-n')) : undefined);
if (!prefix) { console.error('CondaValueError: no target environment'); process.exit(2); }
if (create) {
  if (fs.existsSync(prefix)) { console.error('CondaValueError: prefix already exists: ' + prefix); process.exit(1); }
  fs.mkdirSync(path.join(prefix, 'conda-meta'), { recursive: true });
  if (/nonexistent/.test((fileText || '') + argv.join(' '))) {
    console.log('Collecting package metadata (repodata.json): done');
    console.error('PackagesNotFoundError: The following packages are not available from current channels:');
    console.error('');
    console.error('  - nonexistent-pkg');
    process.exit(1);
  }
  const r = cp.spawnSync(process.env.STANDIN_PYTHON, ['-m', 'venv', '--without-pip', prefix], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
  fs.writeFileSync(path.join(prefix, 'conda-meta', 'history'), '# cmd: ' + argv.join(' ') + '\\n');
  fs.writeFileSync(path.join(prefix, 'conda-meta', 'python-' + process.env.STANDIN_PY_VERSION + '-h0_cpython.json'), '{}');
  fs.appendFileSync(registry, prefix + '\\n');
  console.log('Executing transaction: done');
  process.exit(0);
}
if (update) {
  if (!fs.existsSync(path.join(prefix, 'conda-meta'))) { console.error('EnvironmentLocationNotFound: ' +
    'Not a conda environment: ' + prefix); process.exit(1); }
  console.log('Executing transaction: done');
  process.exit(0);
}
console.error('stand-in: unsupported command ' + argv.join(' '));
process.exit(2);
`;

interface Call {
  tool: string;
  argv: string[];
  fileText: string | null;
}

function installedVersion(env: PythonEnvironment, name: string): string | null {
  const code =
    `import importlib.metadata as m, sys\ntry:\n    ` +
    `print(m.version(sys.argv[1]))\nexcept m.PackageNotFoundError:\n    print("<none>")`;
  const out = execFileSync(env.python, ['-c', code, name], { encoding: 'utf8' }).trim();
  return out === '<none>' ? null : out;
}

describe('environments: conda argument lists as documented', () => {
  const file = '/w/environment.yml';
  it('conda', () => {
    assert.deepEqual(condaArgs.createFromFile('conda', file, { prefix: '/w/.conda' }), [
      'env',
      'create',
      '-f',
      file,
      '-p',
      '/w/.conda',
    ]);
    assert.deepEqual(condaArgs.createFromFile('conda', file, { name: 'ml' }), [
      'env',
      'create',
      '-f',
      file,
      '-n',
      'ml',
    ]);
    assert.deepEqual(condaArgs.create({ prefix: '/w/.conda' }, ['python=3.11']), [
      'create',
      '-y',
      '-p',
      '/w/.conda',
      'python=3.11',
    ]);
    assert.deepEqual(condaArgs.updateFromFile('conda', file, { prefix: '/w/.conda' }), [
      'env',
      'update',
      '-f',
      file,
      '-p',
      '/w/.conda',
      '--prune',
    ]);
    assert.deepEqual(condaArgs.envList(), ['env', 'list', '--json']);
  });
  it("mamba: conda's commands, with -y (mamba 2 asks otherwise)", () => {
    assert.deepEqual(condaArgs.createFromFile('mamba', file, { prefix: '/w/.conda' }), [
      'env',
      'create',
      '-y',
      '-f',
      file,
      '-p',
      '/w/.conda',
    ]);
    assert.deepEqual(condaArgs.updateFromFile('mamba', file, { name: 'ml' }), [
      'env',
      'update',
      '-y',
      '-f',
      file,
      '-n',
      'ml',
      '--prune',
    ]);
  });
  it('micromamba: create -f (its env create is only an alias), -y everywhere, channels given', () => {
    assert.deepEqual(condaArgs.createFromFile('micromamba', file, { prefix: '/w/.conda' }), [
      'create',
      '-y',
      '-f',
      file,
      '-p',
      '/w/.conda',
    ]);
    assert.deepEqual(condaArgs.create({ name: 'ml' }, ['python=3.12'], ['conda-forge']), [
      'create',
      '-y',
      '-n',
      'ml',
      '-c',
      'conda-forge',
      'python=3.12',
    ]);
    assert.deepEqual(condaArgs.updateFromFile('micromamba', file, { prefix: '/w/.conda' }, false), [
      'env',
      'update',
      '-y',
      '-f',
      file,
      '-p',
      '/w/.conda',
    ]);
  });
  it('splits the pip part off an environment.yml, keeping comments', () => {
    const text =
      'name: ml # the name\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n ' +
      ' - pip\n  - pip:\n      - -r requirements.txt\n      - tinypkg==2.0\n';
    const s = splitEnvironmentYml(text);
    assert.deepEqual(s.pipLines, ['-r requirements.txt', 'tinypkg==2.0']);
    assert.equal(
      s.condaText,
      'name: ml # the name\nchannels: [ conda-forge ]\ndependencies:\n  - python=3.11\n  - pip\n',
    );
    assert.equal(splitEnvironmentYml('dependencies: [numpy]\n').hasPipPart, false);
  });
});

describe('environments: conda, mamba and micromamba through a stand-in executable (no conda here)', () => {
  let tmp: string;
  let base: Interpreter;
  let index: PackageIndex;
  let bin: string;
  let logFile: string;
  let env: NodeJS.ProcessEnv;
  const managers = {} as Record<CondaKind, CondaManager>;
  const calls = (): Call[] =>
    existsSync(logFile)
      ? readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Call)
      : [];
  const lastCall = (): Call => calls().at(-1)!;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sd-env-conda-'));
    const found = await discoverInterpreters();
    // The pip part runs with this interpreter's pip against the environment (pip --python needs pip >= 22.3).
    const withPip = found.filter((i) => {
      try {
        const v = /^pip (\d+)\.(\d+)/.exec(
          execFileSync(i.path, ['-m', 'pip', '--version'], { encoding: 'utf8', env: isolatedPipEnv() }),
        );
        return !!v && (Number(v[1]) > 22 || (Number(v[1]) === 22 && Number(v[2]) >= 3));
      } catch {
        return false;
      }
    });
    const chosen = chooseInterpreter(withPip, '>=3.8');
    assert.ok(chosen, 'an interpreter with pip >= 22.3');
    base = chosen;
    index = await startPackageIndex([
      { name: 'tinypkg', version: '1.0' },
      { name: 'tinypkg', version: '2.0' },
      { name: 'tinypkg', version: '3.0' },
    ]);
    bin = join(tmp, 'bin');
    mkdirSync(bin);
    mkdirSync(join(tmp, 'root'));
    logFile = join(tmp, 'calls.jsonl');
    for (const kind of ['conda', 'mamba', 'micromamba'] as const) {
      const p = join(bin, kind);
      writeFileSync(p, `#!${process.execPath}\n${STAND_IN}`);
      chmodSync(p, 0o755);
      managers[kind] = { kind, path: p, source: 'PATH' };
    }
    env = {
      ...isolatedPipEnv(),
      STANDIN_ROOT: join(tmp, 'root'),
      STANDIN_LOG: logFile,
      STANDIN_PYTHON: base.path,
      STANDIN_PY_VERSION: base.version,
    };
  });
  after(async () => {
    await index?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('finds the managers through CONDA_EXE, MAMBA_EXE and PATH, each once', async () => {
    const found = await findCondaManagers({
      env: { CONDA_EXE: managers.conda.path, MAMBA_EXE: managers.micromamba.path, PATH: `${bin}:/nonexistent` },
      homeDir: tmp,
      searchInstallFolders: false,
    });
    assert.deepEqual(
      found.map((m) => [m.kind, m.source]),
      [
        ['conda', 'CONDA_EXE'],
        ['micromamba', 'MAMBA_EXE'],
        ['mamba', 'PATH'],
      ],
    );
  });

  it('conda: creates ./.conda from environment.yml, then installs its pip part with pip', async () => {
    const ws = join(tmp, 'ws');
    mkdirSync(ws);
    writeFileSync(
      join(ws, 'environment.yml'),
      'name: demo\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip:\n      - tinypkg==2.0\n',
    );
    const lines: string[] = [];
    const created = await createCondaEnvironment({
      manager: managers.conda,
      target: { prefix: join(ws, '.conda') },
      file: join(ws, 'environment.yml'),
      index: { indexUrl: index.url },
      pipPython: base.path,
      env,
      sink: (l) => lines.push(l),
    });
    const call = calls().find((c) => c.tool === 'conda' && c.argv[1] === 'create')!;
    assert.equal(call.argv.length, 6);
    assert.deepEqual(
      [call.argv[0], call.argv[1], call.argv[2], call.argv[4], call.argv[5]],
      ['env', 'create', '-f', '-p', join(ws, '.conda')],
    );
    assert.equal(
      call.fileText,
      'name: demo\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n',
      'conda got the file without its pip part',
    );
    assert.equal(created.kind, 'conda');
    assert.equal(created.prefix, join(ws, '.conda'));
    assert.equal(created.condaName, null);
    assert.equal(installedVersion(created, 'tinypkg'), '2.0', 'the pip part went into the same environment');
    assert.ok(
      lines.some((l) => l.includes('--python') && l.includes(created.python)),
      'pip targeted the environment',
    );
    assert.deepEqual(readdirSync(ws).sort(), ['.conda', 'environment.yml'], 'the staged pip file is removed');
  });

  it('micromamba: create -y -p PREFIX python=X with channels', async () => {
    const prefix = join(tmp, 'mm', '.conda');
    const created = await createCondaEnvironment({
      manager: managers.micromamba,
      target: { prefix },
      specs: ['python=3.11'],
      channels: ['conda-forge'],
      env,
    });
    assert.deepEqual(lastCall().argv, ['create', '-y', '-p', prefix, '-c', 'conda-forge', 'python=3.11']);
    assert.equal(lastCall().tool, 'micromamba');
    assert.equal(created.prefix, prefix);
  });

  it('micromamba: create -y -f FILE for an environment file without a pip part (the file as given)', async () => {
    const dir = join(tmp, 'mmf');
    mkdirSync(dir);
    writeFileSync(join(dir, 'environment.yml'), 'dependencies:\n  - python=3.12\n');
    await createCondaEnvironment({
      manager: managers.micromamba,
      target: { prefix: join(dir, '.conda') },
      file: join(dir, 'environment.yml'),
      env,
    });
    assert.deepEqual(lastCall().argv, ['create', '-y', '-f', join(dir, 'environment.yml'), '-p', join(dir, '.conda')]);
  });

  it(
    'mamba: installs an environment.yml into an existing ' + 'environment with env update --prune, then the pip part',
    async () => {
      const ws = join(tmp, 'ws');
      const environment = (await listCondaEnvironments(managers.mamba, { env })).find(
        (e) => e.prefix === join(ws, '.conda'),
      );
      assert.ok(environment, 'env list --json knows the environment');
      writeFileSync(
        join(ws, 'environment.yml'),
        'name: demo\ndependencies:\n  - python=3.11\n  - pip:\n      - tinypkg==3.0\n',
      );
      await install({
        environment,
        request: { kind: 'environment-yml', file: join(ws, 'environment.yml'), manager: managers.mamba },
        index: { indexUrl: index.url },
        pipPython: base.path,
        env,
      });
      const call = calls()
        .filter((c) => c.tool === 'mamba' && c.argv[1] === 'update')
        .at(-1)!;
      assert.deepEqual(
        [...call.argv.slice(0, 4), ...call.argv.slice(5)],
        ['env', 'update', '-y', '-f', '-p', join(ws, '.conda'), '--prune'],
      );
      assert.equal(call.fileText, 'name: demo\ndependencies:\n  - python=3.11\n');
      assert.equal(installedVersion(environment, 'tinypkg'), '3.0');
    },
  );

  it(
    'conda: -n NAME creates in the envs folder; a second ' + 'creation of the name is refused; discovery lists it',
    async () => {
      const created = await createCondaEnvironment({
        manager: managers.conda,
        target: { name: 'ml' },
        specs: ['python=3.11'],
        env,
      });
      assert.deepEqual(
        calls()
          .filter((c) => c.argv[0] === 'create')
          .at(-1)!.argv,
        ['create', '-y', '-n', 'ml', 'python=3.11'],
      );
      assert.equal(created.prefix, join(tmp, 'root', 'envs', 'ml'));
      assert.equal(created.condaName, 'ml');
      const before = calls().length;
      const err = await createCondaEnvironment({
        manager: managers.conda,
        target: { name: 'ml' },
        specs: ['python=3.11'],
        env,
      }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof EnvironmentError && err.code === 'exists', String(err));
      assert.deepEqual(
        calls()
          .slice(before)
          .map((c) => c.argv.join(' ')),
        ['env list --json'],
        'refused without running create',
      );
      const all = await discoverEnvironments({ condaManagers: [managers.conda], env, homeDir: tmp });
      assert.ok(all.some((e) => e.kind === 'conda' && e.name === 'ml' && e.version === base.version));
    },
  );

  it('refuses to overwrite an existing prefix environment', async () => {
    const prefix = join(tmp, 'ws', '.conda');
    const err = await createCondaEnvironment({
      manager: managers.conda,
      target: { prefix },
      specs: ['python=3.11'],
      env,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'exists', String(err));
    assert.ok(existsSync(join(prefix, 'conda-meta', 'history')));
  });

  it("a failed creation surfaces conda's own error and removes only what it made", async () => {
    const ws = join(tmp, 'fail');
    mkdirSync(ws);
    writeFileSync(join(ws, 'keep.txt'), 'mine');
    const err = await createCondaEnvironment({
      manager: managers.conda,
      target: { prefix: join(ws, 'envs', '.conda') },
      specs: ['nonexistent-pkg'],
      env,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'failed', String(err));
    assert.match(err.message, /PackagesNotFoundError: The following packages are not available/);
    assert.deepEqual(readdirSync(ws), ['keep.txt'], 'the half-made prefix and the folder above it are gone');
  });
});
