// What a palette command is given when it is registered: the server, the output channel, the active environment and
// the bundled command line.
import type * as vscode from 'vscode';
import type { ActiveEnvironment } from '../active-environment';
import type { ServerController } from '../server-controller';

/** What a command may use. */
export interface CommandContext {
  readonly server: ServerController;
  readonly output: vscode.LogOutputChannel;
  /** The active environment (status bar, terminals, Python extension, language server). */
  readonly environments: ActiveEnvironment;
  /** The bundled command line (`dist/cli.js`): `probe` prints this machine's profile. */
  readonly cliPath: string;
  /** What this workspace remembers (the GPU profile it judged against last). */
  readonly workspaceState: vscode.Memento;
}
