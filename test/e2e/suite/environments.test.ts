// The environment commands in a real VS Code: Create Virtual Environment (picks answered through the options), Install
// into Environment with a constraints file, a failing install, Activate / Deactivate and the terminal environment
// collection, the status bar, and Create Conda Environment with a stand-in conda.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { StackDoctorApi } from '../../../client/src/extension';
import { chooseInterpreter, discoverInterpreters } from '../../../client/src/environments/interpreters';
import type { CommandOutcome } from '../../../client/src/ui/outcome';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../../helpers/package-index';
import { activate, fixture } from './helpers';

/** The version pip installed, asked of the environment's own python; null when it is not installed. */
function installedVersion(python: string, name: string): string | null {
  const code =
    'import importlib.metadata as m, sys\ntry:\n    ' +
    'print(m.version(sys.argv[1]))\nexcept m.PackageNotFoundError:\n    print("<none>")';
  const out = execFileSync(python, ['-c', code, name], { encoding: 'utf8' }).trim();
  return out === '<none>' ? null : out;
}

function run(command: string, options: Record<string, unknown>): Promise<CommandOutcome> {
  return Promise.resolve(vscode.commands.executeCommand<CommandOutcome>(command, options));
}

function done(outcome: CommandOutcome): Extract<CommandOutcome, { status: 'done' }> {
  assert.equal(outcome.status, 'done', JSON.stringify(outcome));
  return outcome as Extract<CommandOutcome, { status: 'done' }>;
}

suite('environments', () => {
  let api: StackDoctorApi;
  let index: PackageIndex;
  let interpreter: string;
  let venv: string;
  // pip isolated from this machine's configuration; the index is the loopback one (passed as `index`).
  const env = isolatedPipEnv(process.env) as Record<string, string>;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = (await activate()).exports as StackDoctorApi;
    index = await startPackageIndex([
      { name: 'tinypkg', version: '1.0' },
      { name: 'tinypkg', version: '2.0' },
      { name: 'libpkg', version: '1.0' },
      { name: 'libpkg', version: '1.5' },
      { name: 'libpkg', version: '2.0' },
    ]);
    // The default the interpreter picker preselects: the newest that can create a venv.
    const chosen = chooseInterpreter(await discoverInterpreters());
    assert.ok(chosen, 'no Python interpreter here can create a virtual environment');
    interpreter = chosen.path;
    venv = fixture('env-create/.venv').fsPath;
  });

  suiteTeardown(async () => {
    await index?.close();
  });

  test(
    'Create Virtual Environment makes .venv, installs the ' +
      'requirements with the folder constraints, and activates it',
    async function () {
      this.timeout(120_000);
      const outcome = done(
        await run('stackDoctor.createVenv', {
          folder: fixture('env-create').fsPath,
          interpreter,
          files: ['requirements.txt'],
          index: index.url,
          env,
        }),
      );
      assert.equal(outcome.environment?.prefix, venv);
      assert.ok(existsSync(join(venv, 'pyvenv.cfg')), 'no pyvenv.cfg in .venv');
      // requirements.txt says `tinypkg`; constraints.txt (not named by it) says <2: it was applied.
      assert.equal(installedVersion(join(venv, 'bin', 'python'), 'tinypkg'), '1.0');
      assert.ok(
        index.requests.some((r) => r.path.includes('/tinypkg/')),
        'pip did not ask the loopback index',
      );
      assert.equal(api.activeEnvironment()?.prefix, venv);
    },
  );

  test('Activate puts the environment into the terminal environment collection and the status bar', async () => {
    const outcome = done(await run('stackDoctor.activateEnvironment', { environment: venv }));
    assert.equal(outcome.environment?.prefix, venv);
    const vars = api.environmentVariables();
    const path = vars.find((v) => v.variable === 'PATH');
    assert.deepEqual(path && { type: path.type, value: path.value }, {
      type: 'prepend',
      value: `${join(venv, 'bin')}:`,
    });
    assert.deepEqual(
      vars.find((v) => v.variable === 'VIRTUAL_ENV'),
      { variable: 'VIRTUAL_ENV', value: venv, type: 'replace' },
    );
    const version = outcome.environment?.version;
    assert.match(version ?? '', /^3\.\d+\.\d+$/);
    assert.equal(api.statusBar().text, `$(package) .venv (${version})`);
    assert.equal(api.statusBar().command, 'stackDoctor.activateEnvironment');
    // Given an interpreter path instead of a folder, the same environment is activated.
    assert.equal(
      done(await run('stackDoctor.activateEnvironment', { environment: join(venv, 'bin', 'python') })).environment
        ?.prefix,
      venv,
    );
  });

  test("Install into Environment installs a requirements file with its folder's constraints file", async function () {
    this.timeout(90_000);
    const outcome = done(
      await run('stackDoctor.installIntoEnvironment', {
        folder: fixture('env-install').fsPath,
        environment: venv,
        files: ['requirements.txt'],
        index: index.url,
        env,
      }),
    );
    assert.deepEqual(outcome.installed, [fixture('env-install/requirements.txt').fsPath]);
    // libpkg>=1.0 with libpkg<2 from constraints.txt: 1.5, not the newest 2.0.
    assert.equal(installedVersion(join(venv, 'bin', 'python'), 'libpkg'), '1.5');
  });

  test("a failing install reports pip's own error", async function () {
    this.timeout(90_000);
    const outcome = await run('stackDoctor.installIntoEnvironment', {
      folder: fixture('env-broken').fsPath,
      environment: venv,
      files: ['requirements.txt'],
      index: index.url,
      env,
    });
    assert.equal(outcome.status, 'failed', JSON.stringify(outcome));
    assert.ok(outcome.status === 'failed');
    assert.match(outcome.message, /nosuchpkg/i);
    assert.match(outcome.message, /No matching distribution|Could not find a version/);
  });

  test('options that name a missing file fail with a clear message and run nothing', async () => {
    const outcome = await run('stackDoctor.installIntoEnvironment', {
      folder: fixture('env-install').fsPath,
      environment: venv,
      files: ['missing.txt'],
      env,
    });
    assert.ok(outcome.status === 'failed', JSON.stringify(outcome));
    assert.equal(outcome.code, 'invalid-request');
    assert.match(outcome.message, /missing\.txt does not exist/);
  });

  test('Deactivate clears the terminal environment collection and the status bar', async () => {
    const outcome = done(await run('stackDoctor.deactivateEnvironment', {}));
    assert.equal(outcome.environment?.prefix, venv);
    assert.deepEqual(api.environmentVariables(), []);
    assert.equal(api.activeEnvironment(), undefined);
    assert.equal(api.statusBar().text, '$(package) No environment');
  });

  test(
    'Create Conda Environment runs `conda env create -f FILE -p PREFIX` ' +
      '(a stand-in conda: none can be installed here) and activates it',
    async function () {
      this.timeout(60_000);
      // The stand-in records its arguments and makes the prefix as conda would (conda-meta with python's record,
      // bin/python).
      const bin = mkdtempSync(join(tmpdir(), 'stack-doctor-conda-'));
      const conda = join(bin, 'conda');
      const realPython = execFileSync(interpreter, ['-c', 'import sys; print(sys.executable)'], {
        encoding: 'utf8',
      }).trim();
      writeFileSync(
        conda,
        [
          '#!/bin/sh',
          `log=${JSON.stringify(join(bin, 'args.txt'))}`,
          ': > "$log"; for a in "$@"; do printf \'%s\\n\' "$a" >> "$log"; done',
          'prefix=; prev=; for a in "$@"; do [ "$prev" = "-p" ] && prefix=$a; prev=$a; done',
          '[ -n "$prefix" ] || { echo "stand-in conda: no -p" >&2; exit 2; }',
          'mkdir -p "$prefix/conda-meta" "$prefix/bin"',
          'echo "{}" > "$prefix/conda-meta/python-3.12.1-h0_0_cpython.json"',
          `ln -s ${JSON.stringify(realPython)} "$prefix/bin/python"`,
          'echo "done"',
        ].join('\n') + '\n',
      );
      chmodSync(conda, 0o755);
      try {
        const prefix = fixture('env-conda/.conda').fsPath;
        const file = fixture('env-conda/environment.yml').fsPath;
        const outcome = done(
          await run('stackDoctor.createCondaEnv', {
            folder: fixture('env-conda').fsPath,
            manager: conda,
            file: 'environment.yml',
            env,
          }),
        );
        assert.deepEqual(readFileSync(join(bin, 'args.txt'), 'utf8').trim().split('\n'), [
          'env',
          'create',
          '-f',
          file,
          '-p',
          prefix,
        ]);
        assert.equal(outcome.environment?.kind, 'conda');
        const vars = api.environmentVariables();
        assert.deepEqual(
          vars.find((v) => v.variable === 'PATH'),
          { variable: 'PATH', value: `${join(prefix, 'bin')}:`, type: 'prepend' },
        );
        assert.equal(vars.find((v) => v.variable === 'CONDA_PREFIX')?.value, prefix);
        assert.equal(vars.find((v) => v.variable === 'CONDA_DEFAULT_ENV')?.value, prefix);
        assert.equal(
          vars.some((v) => v.variable === 'VIRTUAL_ENV' && v.value !== ''),
          false,
        );
        assert.equal(api.statusBar().text, '$(package) .conda (3.12.1)');
        // Without overwrite, a second creation is refused and the environment is left alone.
        const again = await run('stackDoctor.createCondaEnv', {
          folder: fixture('env-conda').fsPath,
          manager: conda,
          file: 'environment.yml',
          env,
          overwrite: false,
        });
        assert.ok(again.status === 'failed' && again.code === 'exists', JSON.stringify(again));
        assert.ok(existsSync(join(prefix, 'conda-meta')));
      } finally {
        await vscode.commands.executeCommand('stackDoctor.deactivateEnvironment');
        rmSync(bin, { recursive: true, force: true });
      }
    },
  );
});
