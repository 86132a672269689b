// The environments module against the real Python here: a venv created once, installs from a loopback index
// (constraints, file options, pyproject extras and groups, one package), a cancel, a failure, overwrite refusal and
// rollback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseInterpreter, discoverInterpreters, type Interpreter } from '../../client/src/environments/interpreters';
import { createVenv } from '../../client/src/environments/venv';
import { EnvironmentError } from '../../client/src/environments/errors';
import { install, planPipInstall } from '../../client/src/environments/installer';
import { readPyprojectInfo, readRequirementsInfo } from '../../client/src/environments/dependency-files';
import type { OutputStream } from '../../client/src/environments/process';
import type { PythonEnvironment } from '../../client/src/environments/environment';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

/** The version pip installed, asked of the environment's own python; null when not installed. */
function installedVersion(env: PythonEnvironment, name: string): string | null {
  const code =
    `import importlib.metadata as m, sys\ntry:\n    ` +
    `print(m.version(sys.argv[1]))\nexcept m.PackageNotFoundError:\n    print("<none>")`;
  const out = execFileSync(env.python, ['-c', code, name], { encoding: 'utf8' }).trim();
  return out === '<none>' ? null : out;
}

/** Whether a process (or, with a negative id, a POSIX process group) still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A PEP 517/660 build backend in the project itself (no setuptools needed, none is reachable): builds a wheel or an
 * editable wheel with a .pth file.
 */
function writeProject(dir: string): void {
  mkdirSync(join(dir, 'src', 'demo_app'), { recursive: true });
  writeFileSync(join(dir, 'src', 'demo_app', '__init__.py'), 'VALUE = 42\n');
  writeFileSync(
    join(dir, 'pyproject.toml'),
    [
      '[build-system]',
      'requires = []',
      'build-backend = "tiny_backend"',
      'backend-path = ["."]',
      '',
      '[project]',
      'name = "demo-app"',
      'version = "0.1.0"',
      'requires-python = ">=3.8"',
      'dependencies = ["tinypkg"]',
      '',
      '[project.optional-dependencies]',
      'GPU = ["extrapkg"]',
      'unused = []',
      '',
      '[dependency-groups]',
      'lint = ["lintpkg"]',
      'dev = ["devpkg==1.0", {include-group = "lint"}]',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'tiny_backend.py'),
    `
import base64, hashlib, os, zipfile
NAME, VERSION = "demo_app", "0.1.0"
META = "Metadata-Version: 2.1\\nName: demo-app\\nVersion: 0.1.0\\nRequires-Dist: tinypkg\\nProvides-Extra: gpu\\nRequires-Dist: extrapkg; extra == \\"gpu\\"\\n\\n"
def _wheel(directory, files):
    di = NAME + "-" + VERSION + ".dist-info"
    files = dict(files)
    files[di + "/METADATA"] = META
    files[di + "/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: tiny\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    rec = []
    for p, t in files.items():
        d = t.encode()
        rec.append("%s,sha256=%s,%d" % (p, base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), len(d)))
    rec.append(di + "/RECORD,,")
    files[di + "/RECORD"] = "\\n".join(rec) + "\\n"
    name = NAME + "-" + VERSION + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        for p, t in files.items():
            z.writestr(p, t)
    return name
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "src", NAME, "__init__.py")
    return _wheel(wheel_directory, {NAME + "/__init__.py": open(src).read()})
def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"_demo_app_editable.pth": os.path.join(os.path.dirname(os.path.abspath(__file__)), "src") + "\\n"})
`,
  );
}

describe('environments: venv and pip with the real Python and a loopback index', () => {
  let tmp: string;
  let base: Interpreter;
  let index: PackageIndex;
  let venv: PythonEnvironment;
  const env = isolatedPipEnv();
  const log: Array<[string, OutputStream]> = [];
  const sink = (line: string, stream: OutputStream): void => {
    log.push([line, stream]);
  };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sd-env-venv-'));
    const found = await discoverInterpreters({ env: process.env });
    const chosen = chooseInterpreter(found, '>=3.8');
    assert.ok(
      chosen,
      `no interpreter >=3.8 with venv here; found ${found.map((i) => `${i.path} ${i.version}`).join(', ')}`,
    );
    base = chosen;
    index = await startPackageIndex(
      [
        { name: 'tinypkg', version: '1.0' },
        { name: 'tinypkg', version: '2.0' },
        { name: 'tinypkg', version: '3.0' },
        { name: 'needsdep', version: '1.0', dependencies: ['tinypkg>=1'] },
        { name: 'extrapkg', version: '1.5' },
        { name: 'devpkg', version: '1.0' },
        { name: 'lintpkg', version: '0.3' },
        { name: 'slowpkg', version: '1.0' },
      ],
      { stall: (f) => f.startsWith('slowpkg-') },
    );
    // Created once (ensurepip takes seconds) and shared by the install tests below.
    venv = await createVenv({ python: base, dir: join(tmp, 'proj', '.venv'), env, sink });
  });
  after(async () => {
    await index?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('creates the venv with the chosen interpreter, streaming the command', () => {
    assert.equal(venv.kind, 'venv');
    assert.equal(venv.prefix, join(tmp, 'proj', '.venv'));
    assert.ok(existsSync(join(venv.prefix, 'pyvenv.cfg')));
    assert.equal(venv.version, base.version);
    const ran = execFileSync(venv.python, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
    assert.equal(ran, venv.prefix);
    assert.ok(
      log.some(([l, s]) => s === 'info' && l.includes('-m venv') && l.endsWith(venv.prefix)),
      'the venv command was streamed to the sink',
    );
  });

  it('installs requirements files with a constraints file, using the index option the file declares', async () => {
    const dir = join(tmp, 'proj');
    writeFileSync(join(dir, 'requirements.txt'), `--index-url ${index.url}\ntinypkg\nneedsdep\n`);
    writeFileSync(join(dir, 'constraints.txt'), 'tinypkg<3\n');
    const info = readRequirementsInfo(join(dir, 'requirements.txt'));
    assert.deepEqual(
      info.indexOptions.map((o) => [o.name, o.value]),
      [['--index-url', index.url]],
    );
    const lines: string[] = [];
    // No index option from the caller: the file's own --index-url is the only way pip can reach the packages.
    await install({
      environment: venv,
      request: {
        kind: 'requirements',
        files: [join(dir, 'requirements.txt')],
        constraints: [join(dir, 'constraints.txt')],
      },
      env,
      sink: (l) => lines.push(l),
    });
    assert.equal(installedVersion(venv, 'tinypkg'), '2.0', 'the constraint kept tinypkg below 3');
    assert.equal(installedVersion(venv, 'needsdep'), '1.0');
    assert.ok(
      lines.some((l) => /Successfully installed/.test(l)),
      'pip output streamed line by line',
    );
  });

  it('follows -c inside a requirements file, and reports it', async () => {
    const dir = join(tmp, 'proj-c');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pins.txt'), 'tinypkg==1.0\n');
    writeFileSync(join(dir, 'requirements.txt'), '-c pins.txt\ntinypkg\n');
    assert.deepEqual(readRequirementsInfo(join(dir, 'requirements.txt')).constraints, [join(dir, 'pins.txt')]);
    await install({
      environment: venv,
      request: { kind: 'requirements', files: [join(dir, 'requirements.txt')] },
      index: { indexUrl: index.url },
      env,
    });
    assert.equal(installedVersion(venv, 'tinypkg'), '1.0');
  });

  it(
    'installs a pyproject editable with an extra, and a dependency ' +
      'group (expanded for this pip, which has no --group)',
    async () => {
      const dir = join(tmp, 'demo');
      writeProject(dir);
      const info = readPyprojectInfo(join(dir, 'pyproject.toml'));
      assert.deepEqual(info.extras, ['gpu', 'unused']);
      assert.deepEqual(
        [...info.groups.entries()],
        [
          ['lint', ['lintpkg']],
          ['dev', ['devpkg==1.0', 'lintpkg']],
        ],
      );
      assert.equal(info.requiresPython, '>=3.8');
      const request = { kind: 'pyproject' as const, projectDir: dir, extras: ['gpu'], groups: ['dev'] };
      const plan = await planPipInstall({ environment: venv, request, index: { indexUrl: index.url }, env });
      assert.deepEqual(plan.args.slice(0, 8), ['-I', '-m', 'pip', 'install', '-e', '.[gpu]', 'devpkg==1.0', 'lintpkg']);
      assert.equal(plan.cwd, dir);
      await install({ environment: venv, request, index: { indexUrl: index.url }, env, sink });
      assert.equal(installedVersion(venv, 'demo-app'), '0.1.0');
      assert.equal(installedVersion(venv, 'extrapkg'), '1.5');
      assert.equal(installedVersion(venv, 'devpkg'), '1.0');
      assert.equal(installedVersion(venv, 'lintpkg'), '0.3');
      const value = execFileSync(venv.python, ['-c', 'import demo_app; print(demo_app.VALUE, demo_app.__file__)'], {
        encoding: 'utf8',
        cwd: tmpdir(),
      }).trim();
      assert.equal(
        value,
        `42 ${join(dir, 'src', 'demo_app', '__init__.py')}`,
        'editable: imported from the project folder',
      );
    },
  );

  it('installs a single package, and refuses a spec that is an option', async () => {
    await install({
      environment: venv,
      request: { kind: 'package', spec: 'tinypkg==3.0' },
      index: { indexUrl: index.url },
      env,
    });
    assert.equal(installedVersion(venv, 'tinypkg'), '3.0');
    await assert.rejects(
      install({ environment: venv, request: { kind: 'package', spec: '--index-url=http://evil.invalid/' }, env }),
      (e: unknown) => e instanceof EnvironmentError && e.code === 'invalid-request',
    );
  });

  it("fails an install of a version that does not exist with pip's own message", async () => {
    const err = await install({
      environment: venv,
      request: { kind: 'package', spec: 'tinypkg==9.9' },
      index: { indexUrl: index.url },
      env,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError, String(err));
    assert.equal(err.code, 'failed');
    assert.match(err.message, /No matching distribution found for tinypkg==9\.9/);
    assert.match(err.message, /from versions: 1\.0, 2\.0, 3\.0/);
    assert.ok(err.lastLines.some((l) => l.startsWith('ERROR:')));
    assert.equal(err.command?.[0], venv.python);
    assert.equal(installedVersion(venv, 'tinypkg'), '3.0', 'nothing changed');
  });

  it('cancels an install midway (a download that hangs) and the process tree is gone', async () => {
    const controller = new AbortController();
    const pids: number[] = [];
    const running = install({
      environment: venv,
      request: { kind: 'package', spec: 'slowpkg' },
      index: { indexUrl: index.url },
      env,
      signal: controller.signal,
      onSpawn: (p) => pids.push(p),
    });
    await index.waitForRequest((r) => r.path.startsWith('/files/slowpkg-') && !r.path.endsWith('.metadata'));
    assert.equal(pids.length, 1);
    assert.ok(alive(pids[0]!), 'pip is running while the download hangs');
    controller.abort();
    const err = await running.then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'cancelled', String(err));
    assert.equal(alive(pids[0]!), false, 'pip is gone');
    assert.equal(alive(-pids[0]!), false, 'its whole process group is gone');
    assert.equal(installedVersion(venv, 'slowpkg'), null);
  });

  it('refuses to overwrite an existing environment, and leaves it intact', async () => {
    const cfg = readFileSync(join(venv.prefix, 'pyvenv.cfg'), 'utf8');
    const err = await createVenv({ python: base, dir: venv.prefix, env }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'exists', String(err));
    assert.match(err.message, /already holds a virtual environment/);
    assert.equal(readFileSync(join(venv.prefix, 'pyvenv.cfg'), 'utf8'), cfg);
    assert.equal(installedVersion(venv, 'tinypkg'), '3.0');
  });

  it('never replaces a folder that is not an environment, even with overwrite', async () => {
    const dir = join(tmp, 'data');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const err = await createVenv({ python: base, dir, env, overwrite: true, withPip: false }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'exists', String(err));
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
  });

  it('with overwrite, replaces an environment; a failed replacement puts the old one back', async () => {
    const dir = join(tmp, 'replace', '.venv');
    const first = await createVenv({ python: base, dir, env, withPip: false });
    writeFileSync(join(first.prefix, 'marker'), 'old');
    const err = await createVenv({
      python: join(tmp, 'no-such-python'),
      dir,
      env,
      overwrite: true,
      withPip: false,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'spawn-failed', String(err));
    assert.equal(readFileSync(join(dir, 'marker'), 'utf8'), 'old', 'the old environment is back');
    const second = await createVenv({ python: base, dir, env, overwrite: true, withPip: false });
    assert.equal(second.prefix, dir);
    assert.ok(!existsSync(join(dir, 'marker')), 'replaced');
    assert.deepEqual(
      execFileSync('ls', ['-a', join(tmp, 'replace')], { encoding: 'utf8' })
        .split('\n')
        .filter((n) => n && n !== '.' && n !== '..'),
      ['.venv'],
      'no set-aside copy left',
    );
  });

  it('a cancelled creation removes only what it created', async () => {
    const parent = join(tmp, 'keep');
    mkdirSync(parent);
    writeFileSync(join(parent, 'keep.txt'), 'mine');
    const dir = join(parent, 'a', 'b', '.venv');
    const controller = new AbortController();
    const running = createVenv({ python: base, dir, env, signal: controller.signal });
    // Cancel once venv has written its first file (ensurepip still has seconds to go).
    while (!existsSync(join(dir, 'pyvenv.cfg'))) await new Promise((r) => setImmediate(r));
    controller.abort();
    const err = await running.then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EnvironmentError && err.code === 'cancelled', String(err));
    assert.ok(!existsSync(join(parent, 'a')), 'the folders it made are gone');
    assert.equal(readFileSync(join(parent, 'keep.txt'), 'utf8'), 'mine');
  });
});
