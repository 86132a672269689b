// Interpreter discovery against this machine's Pythons, the requires-python choice, Debian's missing python3-venv
// reproduced for real, process runs, activation variables and environment discovery.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activationVariables, applyActivation } from '../../client/src/environments/activation';
import {
  chooseInterpreter,
  discoverInterpreters,
  probeInterpreter,
  rankInterpreters,
  type Interpreter,
} from '../../client/src/environments/interpreters';
import { createVenv } from '../../client/src/environments/venv';
import { discoverEnvironments } from '../../client/src/environments/discovery';
import { EnvironmentError } from '../../client/src/environments/errors';
import { findDependencyFiles } from '../../client/src/environments/dependency-files';
import { runChecked, runProcess } from '../../client/src/environments/process';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const fakeInterpreter = (version: string, path = `/x/python${version}`, problem = false): Interpreter => {
  const [a, b, c] = version.split('.').map((n) => parseInt(n, 10));
  return {
    path,
    executable: path,
    version,
    versionInfo: [a ?? 0, b ?? 0, c ?? 0],
    implementation: 'cpython',
    source: 'path',
    prefix: '/x',
    basePrefix: '/x',
    hasVenv: !problem,
    hasEnsurepip: !problem,
    venvProblem: problem ? { message: 'no venv' } : null,
  };
};

describe('environments: interpreters here', () => {
  let found: Interpreter[];
  before(async () => {
    found = await discoverInterpreters();
  });

  it('finds the pyenv versions and the system python, each once, newest first', () => {
    const pyenvRoot = process.env.PYENV_ROOT || join(process.env.HOME ?? '/root', '.pyenv');
    const versions = existsSync(join(pyenvRoot, 'versions'))
      ? readdirSync(join(pyenvRoot, 'versions')).filter((v) => /^\d+\.\d+\.\d+$/.test(v))
      : [];
    for (const v of versions)
      assert.ok(
        found.some((i) => i.version === v && i.path.startsWith(join(pyenvRoot, 'versions', v))),
        `pyenv ${v} found`,
      );
    if (existsSync('/usr/bin/python3'))
      assert.ok(
        found.some((i) => i.executable.startsWith('/usr/bin/python3')),
        '/usr/bin/python3 found',
      );
    const keys = found.map((i) => `${i.executable}|${i.prefix}`);
    assert.equal(new Set(keys).size, keys.length, 'no interpreter twice');
    for (let i = 1; i < found.length; i++) {
      const [p, q] = [found[i - 1]!.versionInfo, found[i]!.versionInfo];
      assert.ok(
        p[0] > q[0] || (p[0] === q[0] && (p[1] > q[1] || (p[1] === q[1] && p[2] >= q[2]))),
        'sorted newest first',
      );
    }
    assert.ok(
      found.every((i) => !i.path.includes('/shims/')),
      'pyenv shims are not interpreters',
    );
  });

  it('reports venv/ensurepip and the implementation of each', () => {
    const py3 = found.filter((i) => i.versionInfo[0] === 3);
    assert.ok(py3.length > 0);
    assert.ok(py3.every((i) => i.implementation === 'cpython'));
    assert.ok(py3.some((i) => i.hasVenv && i.hasEnsurepip && i.venvProblem === null));
    for (const i of found.filter((x) => x.versionInfo[0] === 2))
      assert.ok(i.venvProblem, 'Python 2 cannot make a venv');
  });

  it('chooses the newest interpreter that satisfies requires-python', () => {
    const py3 = found.filter((i) => i.versionInfo[0] === 3 && i.venvProblem === null);
    const below312 = py3
      .filter((i) => i.versionInfo[1] < 12)
      .sort((a, b) => b.versionInfo[1] - a.versionInfo[1] || b.versionInfo[2] - a.versionInfo[2])[0];
    if (below312) assert.equal(chooseInterpreter(found, '>=3.8,<3.12')?.version, below312.version);
    assert.equal(chooseInterpreter(found, '>=99'), undefined);
  });

  it('ranks satisfying, usable interpreters first (pure)', () => {
    const list = [
      fakeInterpreter('3.9.1'),
      fakeInterpreter('3.12.1'),
      fakeInterpreter('3.13.0', '/y/python', true),
      fakeInterpreter('3.11.7'),
      fakeInterpreter('3.14.0'),
    ];
    list[4]!.version = '3.14.0a1';
    assert.deepEqual(
      rankInterpreters(list, '>=3.10, <3.14').map((r) => r.interpreter.version),
      ['3.12.1', '3.11.7', '3.13.0', '3.14.0a1', '3.9.1'],
    );
    assert.equal(chooseInterpreter(list, '>=3.10,<3.14')?.version, '3.12.1');
    assert.equal(
      chooseInterpreter(list, '>=3.14')?.version,
      '3.14.0a1',
      'a pre-release interpreter is judged by its version_info, as pip does',
    );
    assert.equal(chooseInterpreter(list, '')?.version, '3.14.0a1');
    assert.equal(chooseInterpreter(list, '==3.13.*'), undefined, 'the only match cannot create a venv');
  });
});

describe("environments: Debian's missing python3.X-venv, reproduced", () => {
  // Debian's python3.X is patched to print the apt command when ensurepip is absent. A copy of it whose
  // stdlib lacks ensurepip (as without python3.X-venv) runs that real code path.
  const system = readdirSync('/usr/bin')
    .filter((n) => /^python3\.\d+$/.test(n))
    .sort()
    .pop();
  const short = system?.slice('python'.length);
  const patched =
    !!short &&
    existsSync(`/usr/lib/python${short}/venv/__init__.py`) &&
    readFileSync(`/usr/lib/python${short}/venv/__init__.py`, 'utf8').includes('python3-venv');
  let tmp: string;
  let fake: string;
  before(() => {
    if (!patched) return;
    tmp = mkdtempSync(join(tmpdir(), 'sd-env-debian-'));
    mkdirSync(join(tmp, 'py', 'bin'), { recursive: true });
    mkdirSync(join(tmp, 'py', 'lib', `python${short}`), { recursive: true });
    fake = join(tmp, 'py', 'bin', `python${short}`);
    copyFileSync(`/usr/bin/python${short}`, fake);
    for (const n of readdirSync(`/usr/lib/python${short}`))
      if (n !== 'ensurepip') symlinkSync(`/usr/lib/python${short}/${n}`, join(tmp, 'py', 'lib', `python${short}`, n));
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it(
    'the probe says so, with the apt-get command',
    { skip: patched ? false : 'no Debian-patched /usr/bin/python3.X here' },
    async () => {
      const i = await probeInterpreter(fake, 'system');
      assert.ok(i);
      assert.equal(i.hasEnsurepip, false);
      assert.equal(i.hasVenv, true);
      assert.equal(i.venvProblem?.fix, `apt-get install python${short}-venv`);
      assert.match(
        i.venvProblem?.message ?? '',
        new RegExp(`apt-get install python${short!.replace('.', '\\.')}-venv`),
      );
      await assert.rejects(
        createVenv({ python: i, dir: join(tmp, 'never') }),
        (e: unknown) => e instanceof EnvironmentError && e.code === 'venv-unavailable',
      );
      assert.ok(!existsSync(join(tmp, 'never')), 'refused before creating anything');
    },
  );

  it(
    "creating with its path turns Debian's output into a clear error and removes only what it made",
    { skip: patched ? false : 'no Debian-patched /usr/bin/python3.X here' },
    async () => {
      mkdirSync(join(tmp, 'ws'));
      writeFileSync(join(tmp, 'ws', 'keep.txt'), 'mine');
      const err = await createVenv({ python: fake, dir: join(tmp, 'ws', 'sub', '.venv') }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof EnvironmentError, String(err));
      assert.equal(err.code, 'venv-unavailable');
      assert.equal(err.fix, `apt-get install python${short}-venv`);
      assert.match(err.message, /ensurepip is not available/);
      assert.ok(
        err.lastLines.some((l) => l.includes(`apt install python${short}-venv`)),
        "Debian's own lines are kept",
      );
      assert.ok(!existsSync(join(tmp, 'ws', 'sub')), 'venv left a half environment; it is removed');
      assert.deepEqual(readdirSync(join(tmp, 'ws')), ['keep.txt']);
    },
  );
});

describe('environments: process runs', () => {
  const python = process.env.PYTHON_FOR_TESTS ?? 'python3';

  it('streams stdout and stderr line by line and keeps the last lines', async () => {
    const lines: string[] = [];
    const r = await runProcess(
      python,
      [
        '-c',
        'import sys\nfor i in range(60): print("line", i)\nsys.stderr.write("err\\rprogress 100%\\n")\nsys.exit(3)',
      ],
      { sink: (l, s) => lines.push(`${s}:${l}`) },
    );
    assert.equal(r.exitCode, 3);
    assert.equal(lines[0]!.startsWith('info:$ '), true);
    assert.ok(lines.includes('stdout:line 0') && lines.includes('stdout:line 59'));
    assert.ok(lines.includes('stderr:progress 100%'), 'a carriage return keeps what a terminal shows');
    assert.equal(r.lastLines.length, 40);
    assert.equal(r.lastLines.at(-1), 'progress 100%');
  });

  it("a failure's message carries the tool's error lines; arguments never pass through a shell", async () => {
    const err = await runChecked('The step', python, [
      '-c',
      'import sys; print("noise"); print("ERROR: it broke; $(rm -rf /)"); sys.exit(2)',
    ]).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'failed');
    assert.equal(err.message, 'The step failed (exit code 2):\nERROR: it broke; $(rm -rf /)');
  });

  it('cancel kills the child and the grandchild it started', async () => {
    const controller = new AbortController();
    let grandchild = 0;
    const running = runProcess(
      python,
      [
        '-c',
        'import subprocess, sys, time\np = subprocess.Popen([sys.executable, "-c", ' +
          '"import time; time.sleep(60)"])\nprint(p.pid, flush=True)\ntime.sleep(60)',
      ],
      {
        signal: controller.signal,
        sink: (l, s) => {
          if (s === 'stdout' && /^\d+$/.test(l)) {
            grandchild = Number(l);
            controller.abort();
          }
        },
      },
    );
    const err = await running.then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'cancelled', String(err));
    assert.ok(grandchild > 0);
    assert.equal(alive(grandchild), false, 'the grandchild is gone too');
  });

  it('times out, and reports a missing executable', async () => {
    await assert.rejects(
      runProcess(python, ['-c', 'import time; time.sleep(30)'], { timeoutMs: 200 }),
      (e: unknown) => e instanceof EnvironmentError && e.code === 'timeout',
    );
    await assert.rejects(
      runProcess('/nonexistent/tool', []),
      (e: unknown) => e instanceof EnvironmentError && e.code === 'spawn-failed' && /not found/.test(e.message),
    );
  });
});

describe('environments: activation variables and discovery', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'sd-env-disc-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('venv: bin first on PATH and VIRTUAL_ENV; conda: CONDA_PREFIX and CONDA_DEFAULT_ENV', () => {
    const venv = {
      kind: 'venv' as const,
      source: 'workspace' as const,
      name: '.venv',
      prefix: '/w/.venv',
      python: '/w/.venv/bin/python',
      version: '3.11.7',
    };
    const a = activationVariables(venv, 'linux');
    assert.deepEqual(a.pathPrepend, ['/w/.venv/bin']);
    assert.equal(a.set.VIRTUAL_ENV, '/w/.venv');
    const env = applyActivation({ PATH: '/usr/bin:/bin', PYTHONHOME: '/x', CONDA_PREFIX: '/c' }, a, 'linux');
    assert.equal(env.PATH, '/w/.venv/bin:/usr/bin:/bin');
    assert.equal(env.PYTHONHOME, undefined);
    assert.equal(env.CONDA_PREFIX, undefined);
    const win = activationVariables({ ...venv, prefix: 'C:\\w\\.venv' }, 'win32');
    assert.deepEqual(win.pathPrepend, ['C:\\w\\.venv\\Scripts']);
    assert.equal(applyActivation({ Path: 'C:\\Windows' }, win, 'win32').Path, 'C:\\w\\.venv\\Scripts;C:\\Windows');

    const named = activationVariables(
      {
        kind: 'conda',
        source: 'conda',
        name: 'ml',
        prefix: '/c/envs/ml',
        python: '/c/envs/ml/bin/python',
        version: null,
        condaName: 'ml',
      },
      'linux',
    );
    assert.deepEqual(named.pathPrepend, ['/c/envs/ml/bin']);
    assert.equal(named.set.CONDA_PREFIX, '/c/envs/ml');
    assert.equal(named.set.CONDA_DEFAULT_ENV, 'ml');
    assert.ok(named.unset.includes('VIRTUAL_ENV'));
    const byPrefix = activationVariables(
      {
        kind: 'conda',
        source: 'workspace',
        name: '.conda',
        prefix: '/w/.conda',
        python: '/w/.conda/bin/python',
        version: null,
        condaName: null,
      },
      'linux',
    );
    assert.equal(byPrefix.set.CONDA_DEFAULT_ENV, '/w/.conda', 'a -p environment is shown by its path, as conda does');
  });

  it('finds workspace, WORKON_HOME and pyenv environments with their versions, without running them', async () => {
    const ws = join(tmp, 'ws');
    mkdirSync(join(ws, '.venv', 'bin'), { recursive: true });
    writeFileSync(
      join(ws, '.venv', 'pyvenv.cfg'),
      'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n',
    );
    mkdirSync(join(ws, '.conda', 'conda-meta'), { recursive: true });
    writeFileSync(join(ws, '.conda', 'conda-meta', 'python-3.10.14-hd12c33a_0_cpython.json'), '{}');
    mkdirSync(join(ws, 'env'));
    writeFileSync(join(ws, 'requirements.txt'), 'x\n');
    writeFileSync(join(ws, 'constraints.txt'), 'x<2\n');
    writeFileSync(join(ws, 'environment.yml'), 'name: x\n');
    // Known by its content: a conda environment whatever its name; other YAML is not.
    writeFileSync(join(ws, 'env.gpu.yml'), 'name: gpu\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n');
    writeFileSync(join(ws, 'mkdocs.yml'), 'site_name: Docs\nnav:\n  - Home: index.md\n');
    const workon = join(tmp, 'workon');
    mkdirSync(join(workon, 'proj'), { recursive: true });
    writeFileSync(join(workon, 'proj', 'pyvenv.cfg'), 'version_info = 3.9.18.final.0\n');
    const pyenv = join(tmp, 'pyenv');
    mkdirSync(join(pyenv, 'versions', '3.12.1', 'envs', 'tools'), { recursive: true });
    writeFileSync(join(pyenv, 'versions', '3.12.1', 'envs', 'tools', 'pyvenv.cfg'), 'version = 3.12.1\n');
    const envs = await discoverEnvironments({
      workspaceFolders: [ws],
      env: { WORKON_HOME: workon, PYENV_ROOT: pyenv },
      homeDir: tmp,
      platform: 'linux',
    });
    assert.deepEqual(
      envs.map((e) => [e.kind, e.source, e.name, e.version, e.python]),
      [
        ['venv', 'workspace', '.venv', '3.11.7', join(ws, '.venv', 'bin', 'python')],
        ['conda', 'workspace', '.conda', '3.10.14', join(ws, '.conda', 'bin', 'python')],
        ['venv', 'workon-home', 'proj', '3.9.18', join(workon, 'proj', 'bin', 'python')],
        ['venv', 'pyenv', 'tools', '3.12.1', join(pyenv, 'versions', '3.12.1', 'envs', 'tools', 'bin', 'python')],
      ],
    );
    const files = await findDependencyFiles(ws);
    assert.deepEqual(files, {
      requirements: [join(ws, 'requirements.txt')],
      constraints: [join(ws, 'constraints.txt')],
      pyproject: null,
      environmentYml: [join(ws, 'env.gpu.yml'), join(ws, 'environment.yml')],
    });
  });
});
