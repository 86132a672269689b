// Extension entry: creates the output channel, starts the language server and registers the command table; wiring only.
import * as vscode from 'vscode';
import { registerCommands } from './commands/index';
import { createLanguageClient } from './language-client';
import { ServerController } from './server-controller';

let server: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Stack Doctor', { log: true });
  server = new ServerController(() => createLanguageClient(context, output), output);
  context.subscriptions.push(output, ...registerCommands({ server, output }));
  // Trust changes how the server may behave (interpreters, indexes), so it starts again with `trusted: true`.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void server?.restart()));
  await server.start().catch(() => undefined); // logged by the controller; Restart Language Server retries
}

export function deactivate(): Promise<void> | undefined {
  return server?.stop();
}
