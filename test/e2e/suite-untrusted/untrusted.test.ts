// In an untrusted workspace (Workspace Trust on, the folder never trusted): the extension runs with limited support,
// analyses files, runs no interpreter named in settings, runs none of its environment commands and contacts no index
// named in a workspace file. Fixture: test/e2e/workspace-untrusted (run.sh copies it and fills in its settings).
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { StackDoctorApi } from '../../../client/src/extension';
import type { CommandOutcome } from '../../../client/src/ui/outcome';
import { startPackageIndex, type PackageIndex } from '../../helpers/package-index';
import {
  activate,
  describeDiagnostics,
  fixture,
  open,
  stackDoctorDiagnostics,
  waitFor,
  waitForCauseLines,
} from '../suite/helpers';

/**
 * Files the stand-in interpreters leave when something runs them (fake-python: the workspace setting; fake-python-user:
 * the user setting).
 */
function markers(): string[] {
  return ['fake-python.ran', 'fake-python-user.ran'].filter((m) => existsSync(fixture(m).fsPath));
}

/** Every `.venv` / `.conda` folder under the workspace. */
function environmentsIn(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const p = join(dir, entry.name);
    if (entry.name === '.venv' || entry.name === '.conda') found.push(p);
    else found.push(...environmentsIn(p));
  }
  return found;
}

suite('untrusted workspace', () => {
  let api: StackDoctorApi;
  const indexes: PackageIndex[] = [];

  suiteSetup(async () => {
    api = (await activate()).exports as StackDoctorApi;
  });

  suiteTeardown(async () => {
    await Promise.all(indexes.map((i) => i.close()));
  });

  test('the workspace is not trusted, and the extension is active (limited support)', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.extensions.getExtension('stack-doctor.stack-doctor')?.isActive, true);
    await waitFor(
      'the language server to run',
      () => (api.serverRunning() ? true : undefined),
      () => api.serverRunning(),
    );
    // The user settings run.sh writes reached the host when it started (no wait: the server read them then). They are
    // missing when the workbench rewrites settings.json at start-up (a settings migration), so run.sh writes them
    // already migrated.
    const config = vscode.workspace.getConfiguration('stackDoctor');
    assert.match(
      config.inspect<string>('pythonPath')?.globalValue ?? '',
      /fake-python-user$/,
      'the user settings of run.sh were not loaded',
    );
    assert.equal(config.inspect<boolean>('offline')?.globalValue, true, 'the user settings of run.sh were not loaded');
    // The workspace's settings were read (an unrestricted one applies), yet its stackDoctor.pythonPath, a restricted
    // setting, is withheld: what the server gets is the user's.
    assert.equal(
      config.inspect<string>('trace.server')?.workspaceValue,
      'messages',
      'the workspace settings were not loaded',
    );
    assert.equal(
      config.get<string>('pythonPath'),
      config.inspect<string>('pythonPath')?.globalValue,
      'the restricted workspace value is left out',
    );
  });

  test('static analysis runs: a conflict gets diagnostics', async () => {
    const doc = await open('conflict/requirements.txt');
    const found = await waitForCauseLines(doc.uri, 'conflict', [1, 2]);
    assert.equal(found.length, 1, JSON.stringify(describeDiagnostics(doc.uri)));
  });

  test('the interpreter named by stackDoctor.pythonPath was not run', () => {
    // Deterministic: the server analyses a document only after its start-up target probe (the one that would run
    // pythonPath) has finished, and the previous test saw its diagnostics.
    assert.deepEqual(markers(), []);
  });

  test('each environment command resolves "untrusted" and creates nothing', async () => {
    const fake = fixture('fake-python').fsPath;
    const folder = fixture('conflict').fsPath;
    const calls: [string, Record<string, unknown>][] = [
      ['stackDoctor.createVenv', { folder, interpreter: fake, files: ['requirements.txt'], overwrite: true }],
      ['stackDoctor.createCondaEnv', { folder, manager: fake, file: '', python: '3.12', overwrite: true }],
      [
        'stackDoctor.installIntoEnvironment',
        { folder, environment: join(folder, '.venv'), files: ['requirements.txt'] },
      ],
      ['stackDoctor.activateEnvironment', { environment: join(folder, '.venv') }],
      ['stackDoctor.selectProfile', { profile: null }],
    ];
    for (const [command, options] of calls) {
      const outcome = await vscode.commands.executeCommand<CommandOutcome>(command, options);
      assert.deepEqual(outcome, { status: 'untrusted' }, command);
    }
    assert.deepEqual(environmentsIn(fixture('').fsPath), []);
    assert.deepEqual(markers(), []);
    assert.equal(api.activeEnvironment(), undefined);
    assert.deepEqual(api.environmentVariables(), []);
    assert.equal(vscode.workspace.getConfiguration('stackDoctor').inspect('profile')?.workspaceValue, undefined);
  });

  test('an index named in a workspace file is not contacted; the one in the user settings is', async function () {
    this.timeout(60_000);
    const named = await startPackageIndex([{ name: 'tinypkg', version: '9.0' }]);
    indexes.push(named);
    const allowed = await startPackageIndex([{ name: 'tinypkg', version: '1.0' }]);
    indexes.push(allowed);
    const config = () => vscode.workspace.getConfiguration('stackDoctor');
    // The user's own index (a user setting applies in an untrusted workspace), then online: never online without it.
    await config().update('indexUrl', allowed.url, vscode.ConfigurationTarget.Global);
    await waitFor(
      'the indexUrl setting to apply',
      () => (config().get('indexUrl') === allowed.url ? true : undefined),
      () => config().inspect('indexUrl'),
    );
    await config().update('offline', false, vscode.ConfigurationTarget.Global);
    const file = fixture('index/requirements.txt');
    await vscode.workspace.fs.createDirectory(fixture('index'));
    writeFileSync(file.fsPath, `--index-url ${named.url}\ntinypkg>=5\n`);
    await open('index/requirements.txt');
    // Deterministic end of the index stage: its findings are published once it has asked about every requirement,
    // and only an index without tinypkg>=5 gives this one.
    const [notFound] = await waitFor(
      'not-found from the index stage',
      () => {
        assert.deepEqual(named.requests, [], 'the index named in requirements.txt was contacted');
        const found = stackDoctorDiagnostics(file, 'not-found');
        return found.length ? found : undefined;
      },
      () => ({ diagnostics: describeDiagnostics(file), allowed: allowed.requests }),
    );
    assert.equal(notFound?.range.start.line, 1);
    // Exactly the user's index (run.sh leaves pip's own configuration out of the server's environment).
    assert.ok(
      notFound?.message.startsWith(`No version of tinypkg matches '>=5' (the newest is 1.0)\nLooked on ${allowed.url}`),
      notFound?.message,
    );
    assert.ok(
      allowed.requests.some((r) => r.path.includes('/tinypkg/')),
      JSON.stringify(allowed.requests),
    );
    assert.deepEqual(named.requests, [], 'the index named in requirements.txt was contacted');
    assert.deepEqual(stackDoctorDiagnostics(file, 'syntax'), []);
    assert.deepEqual(markers(), []);
  });
});
