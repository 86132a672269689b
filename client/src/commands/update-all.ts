// `stackDoctor.updateAll`: moves every requirement of a dependency file (the code lens's, else the active editor's) to
// the newest versions that resolve together, as the language server computes and verifies them.
import * as vscode from 'vscode';
import type { CommandContext } from './context';

export function updateAllCommand({ server, output }: CommandContext): (uri?: unknown) => Promise<void> {
  return async (uri?: unknown) => {
    const target =
      typeof uri === 'string'
        ? vscode.Uri.parse(uri)
        : uri instanceof vscode.Uri
          ? uri
          : vscode.window.activeTextEditor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('Stack Doctor: open a dependency file to update its requirements.');
      return;
    }
    const edit = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'Stack Doctor: finding the newest versions that resolve…',
      },
      () => server.requestEdit('stackDoctor/updateAll', { uri: target.toString() }),
    );
    if (edit === undefined) {
      void vscode.window.showWarningMessage(
        'Stack Doctor: the language server is not running. Run "Stack Doctor: Restart Language Server".',
      );
      return;
    }
    if (!edit || edit.size === 0) {
      output.info(`Update all: nothing to change in ${target.fsPath} (up to date, offline, or no newer set resolves).`);
      void vscode.window.showInformationMessage(
        'Stack Doctor: no newer versions resolve together here (or the index could not be asked).',
      );
      return;
    }
    await vscode.workspace.applyEdit(edit);
  };
}
