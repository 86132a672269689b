// Extension entry: creates the output channel, starts the language server, restores the active environment, shows the
// machine profile and registers the command table; wiring only.
import * as vscode from 'vscode';
import { ActiveEnvironment, type VariableEntry } from './active-environment';
import { registerCommands } from './commands/index';
import type { PythonEnvironment } from './environments/environment';
import { createLanguageClient } from './language-client';
import { MachineProfileStatus } from './machine-profile';
import { ServerController } from './server-controller';
import { redactingChannel } from './ui/redacting-channel';

let server: ServerController | undefined;

/** What `activate()` returns: read-only views for tests and other extensions. */
export interface StackDoctorApi {
  /** The active environment, or undefined. */
  activeEnvironment(): PythonEnvironment | undefined;
  /** The terminal environment variable collection (what new terminals get). */
  environmentVariables(): VariableEntry[];
  /** The environment status bar item. */
  statusBar(): { text: string; tooltip: string; command: string };
  /** The machine profile status bar item (which machine diagnostics are judged against). */
  profileStatusBar(): { text: string; tooltip: string; command: string };
  /** Whether the language server is running. */
  serverRunning(): boolean;
}

export async function activate(context: vscode.ExtensionContext): Promise<StackDoctorApi> {
  // Every line written to the channel, by us or by languageclient, has its URLs' credentials redacted.
  const output = redactingChannel(vscode.window.createOutputChannel('Stack Doctor', { log: true }));
  const controller = new ServerController(() => createLanguageClient(context, output), output);
  server = controller;
  const environments = new ActiveEnvironment(context, controller, output);
  const profile = new MachineProfileStatus();
  context.subscriptions.push(
    output,
    environments,
    profile,
    ...registerCommands({ server: controller, output, environments, cliPath: context.asAbsolutePath('dist/cli.js') }),
  );
  // Trust changes how the server may behave (interpreters, indexes), so it starts again with `trusted: true`.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void controller.restart()));
  await environments
    .restore()
    .catch((error: unknown) =>
      output.warn(`Restoring the active environment: ${error instanceof Error ? error.message : String(error)}`),
    );
  await controller.start().catch(() => undefined); // logged by the controller; Restart Language Server retries
  return {
    activeEnvironment: () => environments.environment,
    environmentVariables: () => environments.variables(),
    statusBar: () => environments.statusBar(),
    profileStatusBar: () => profile.statusBar(),
    serverRunning: () => controller.running,
  };
}

export function deactivate(): Promise<void> | undefined {
  return server?.stop();
}
