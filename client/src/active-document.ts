// Tells the server which file the active editor shows (at each start and each change of editor), so that the index
// stage resolves that file's sets before those of other files.
import * as vscode from 'vscode';
import type { ServerController } from './server-controller';

export function reportActiveDocument(server: ServerController): vscode.Disposable {
  const send = (): void => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    void server
      .notify('stackDoctor/activeDocument', { uri: uri?.scheme === 'file' ? uri.toString() : null })
      .catch(() => undefined);
  };
  return vscode.Disposable.from(server.onDidStart(send), vscode.window.onDidChangeActiveTextEditor(send));
}
