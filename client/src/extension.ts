// Extension entry: creates the output channel, starts the language server, restores the active environment, shows the
// machine profile and registers the command table; wiring only.
import * as vscode from 'vscode';
import { ActiveEnvironment, type VariableEntry } from './active-environment';
import { reportActiveDocument } from './active-document';
import { registerCommands } from './commands/index';
import type { PythonEnvironment } from './environments/environment';
import { GpuProfileActions } from './commands/judge-gpu-profile';
import { CheckingStatus } from './checking-status';
import { createLanguageClient, documentSelector } from './language-client';
import { GPU_DEPENDENT_CODES } from './status-words';
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
  /** The "checking FILE…" item's text until the first publish, then null. */
  checkingStatusBar(): string | null;
  /** Whether the language server is running. */
  serverRunning(): boolean;
}

export async function activate(context: vscode.ExtensionContext): Promise<StackDoctorApi> {
  // Every line written to the channel, by us or by languageclient, has its URLs' credentials redacted.
  const output = redactingChannel(vscode.window.createOutputChannel('Stack Doctor', { log: true }));
  const checking = new CheckingStatus();
  const controller = new ServerController(
    () => createLanguageClient(context, output, { published: (uri) => checking.published(uri) }),
    output,
  );
  server = controller;
  const environments = new ActiveEnvironment(context, controller, output);
  const profile = new MachineProfileStatus();
  controller.onNotification('stackDoctor/target', (target) => profile.reported(target));
  context.subscriptions.push(
    output,
    checking,
    reportActiveDocument(controller),
    environments,
    profile,
    vscode.languages.registerCodeActionsProvider(documentSelector, new GpuProfileActions(GPU_DEPENDENT_CODES), {
      providedCodeActionKinds: GpuProfileActions.kinds,
    }),
    ...registerCommands({
      server: controller,
      output,
      environments,
      cliPath: context.asAbsolutePath('dist/cli.js'),
      workspaceState: context.workspaceState,
    }),
  );
  // Trust changes how the server may behave (interpreters, indexes), so it starts again with `trusted: true`.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void controller.restart()));
  await environments
    .restore()
    .catch((error: unknown) =>
      output.warn(`Restoring the active environment: ${error instanceof Error ? error.message : String(error)}`),
    );
  await controller.start().catch(() => checking.stopped()); // logged by the controller; Restart Language Server retries
  return {
    activeEnvironment: () => environments.environment,
    environmentVariables: () => environments.variables(),
    statusBar: () => environments.statusBar(),
    profileStatusBar: () => profile.statusBar(),
    checkingStatusBar: () => checking.text(),
    serverRunning: () => controller.running,
  };
}

export function deactivate(): Promise<void> | undefined {
  return server?.stop();
}
