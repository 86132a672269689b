// A quick fix that is a command for the person (a system package install) is typed into a terminal, not run.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, waitFor } from './helpers';

suite('type in terminal', () => {
  test('stackDoctor.typeInTerminal opens the Stack Doctor terminal with the command typed', async () => {
    await activate();
    const terminal = (await vscode.commands.executeCommand('stackDoctor.typeInTerminal', 'echo stack-doctor-typed')) as
      vscode.Terminal | undefined;
    assert.ok(terminal, 'the command returns the terminal it typed into');
    assert.equal(terminal.name, 'Stack Doctor');
    await waitFor('the Stack Doctor terminal', () => vscode.window.terminals.find((t) => t === terminal));
    assert.equal(terminal.exitStatus, undefined, 'the terminal stays open: nothing ran and exited');
    // A second fix reuses the same terminal.
    const again = (await vscode.commands.executeCommand('stackDoctor.typeInTerminal', 'echo again')) as
      vscode.Terminal | undefined;
    assert.equal(again, terminal);
    // Refused: nothing to type.
    assert.equal(await vscode.commands.executeCommand('stackDoctor.typeInTerminal', 'rm -rf /\nreboot'), undefined);
    terminal.dispose();
  });
});
