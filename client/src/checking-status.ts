// The "checking requirements.txt…" status item: from activation until the server's first publish for the file the
// editor shows, so that a file does not look clean while nothing has judged it yet.
import * as vscode from 'vscode';
import { documentSelector } from './language-client';
import { FirstCheck } from './status-words';

export class CheckingStatus implements vscode.Disposable {
  private readonly state = new FirstCheck();
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('stackDoctor.checking', vscode.StatusBarAlignment.Left, 48);
    this.item.name = 'Stack Doctor: checking';
    this.item.tooltip = 'Stack Doctor is reading the dependency files; its findings follow.';
    this.item.command = 'stackDoctor.showOutput';
    const look = (editor: vscode.TextEditor | undefined): void => {
      if (editor && editor.document.uri.scheme === 'file' && vscode.languages.match(documentSelector, editor.document))
        this.state.showing(editor.document.uri.fsPath);
      this.render();
    };
    look(vscode.window.activeTextEditor);
    this.subscriptions.push(this.item, vscode.window.onDidChangeActiveTextEditor(look));
  }

  /** The server published diagnostics for `uri`. */
  published(uri: vscode.Uri): void {
    this.state.published(uri.fsPath);
    this.render();
  }

  /** The server could not start: nothing is being checked. */
  stopped(): void {
    this.state.stopped();
    this.render();
  }

  text(): string | null {
    return this.state.text();
  }

  private render(): void {
    const text = this.state.text();
    if (text === null) {
      this.item.hide();
      for (const s of this.subscriptions.splice(1)) s.dispose();
      return;
    }
    this.item.text = text;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
