// `stackDoctor.typeInTerminal`: a quick fix's command for the person (`sudo apt-get install -y libgl1`), typed into a
// terminal and never run.
import * as vscode from 'vscode';
import type { CommandContext } from './context';

const TERMINAL_NAME = 'Stack Doctor';

/**
 * Opens (or reuses) the "Stack Doctor" terminal and types the command without pressing Enter: the person reads it and
 * decides.
 */
export function typeInTerminal(_context: CommandContext): (command?: unknown) => vscode.Terminal | undefined {
  return (command) => {
    if (typeof command !== 'string' || command.trim() === '' || /[\r\n]/.test(command)) {
      void vscode.window.showErrorMessage('Stack Doctor: this fix has no single-line command to type into a terminal.');
      return undefined;
    }
    const terminal =
      vscode.window.terminals.find((t) => t.name === TERMINAL_NAME && t.exitStatus === undefined) ??
      vscode.window.createTerminal({ name: TERMINAL_NAME });
    terminal.show(false);
    terminal.sendText(command, false);
    return terminal;
  };
}
