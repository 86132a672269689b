// The command table: every palette command of the extension, registered once at activation.
import * as vscode from 'vscode';
import type { ServerController } from '../server-controller';
import { restartServer } from './restart-server';
import { showOutput } from './show-output';

/** What a command may use. */
export interface CommandContext {
  readonly server: ServerController;
  readonly output: vscode.LogOutputChannel;
}

type CommandFactory = (context: CommandContext) => (...args: unknown[]) => unknown;

/** Command id (as contributed in package.json) -> implementation. */
export const commands: Readonly<Record<string, CommandFactory>> = {
  'stackDoctor.restartServer': restartServer,
  'stackDoctor.showOutput': showOutput,
};

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  return Object.entries(commands).map(([id, factory]) => vscode.commands.registerCommand(id, factory(context)));
}
