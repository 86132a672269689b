// The extension activates in a real VS Code host, registers exactly its contributed commands and owns pip requirements
// files.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, fixture, open } from './helpers';

suite('activation', () => {
  test('the extension activates', async () => {
    const ext = await activate();
    assert.equal(ext.isActive, true);
    console.log(
      `    host: node ${process.version}, vscode ${vscode.version}, appHost ` +
        `${vscode.env.appHost}, remoteName ${vscode.env.remoteName ?? '(local)'}`,
    );
  });

  test('every contributed command is registered, and nothing else of ours', async () => {
    const ext = await activate();
    const contributed = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands
      .map((c) => c.command)
      .sort();
    assert.ok(contributed.includes('stackDoctor.restartServer'));
    assert.ok(contributed.includes('stackDoctor.showOutput'));
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('stackDoctor.')).sort();
    assert.deepEqual(registered, contributed);
  });

  test('requirements.txt and constraints.txt open as pip-requirements', async () => {
    assert.equal((await open('conflict/requirements.txt')).languageId, 'pip-requirements');
    assert.equal(
      (await vscode.workspace.openTextDocument(fixture('constraints/constraints.txt'))).languageId,
      'pip-requirements',
    );
  });

  test('Show Output runs', async () => {
    await vscode.commands.executeCommand('stackDoctor.showOutput');
  });
});
