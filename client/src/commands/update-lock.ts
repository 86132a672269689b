// `stackDoctor.updateLock`: the quick fix of a stale lock file. Runs the lock's own tool (`uv lock`, `poetry lock`) in
// a terminal in the lock's folder, where the person sees what it does; only in a trusted workspace (the tool reads the
// workspace's files and may run its build backends) and only when the tool is on PATH.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findOnPath } from '../environments/tool-path';
import { requireTrust } from '../ui/trust';
import type { CommandContext } from './context';

/** The tools a lock file names, and the arguments they may be given. */
const TOOLS = new Set(['uv', 'poetry', 'pip', 'pixi', 'conda-lock']);
const ARG = /^[\w.-]+$/;

export function updateLock(
  _context: CommandContext,
): (lockFile?: unknown, tool?: unknown, args?: unknown) => vscode.Terminal | undefined {
  return (lockFile, tool, args) => {
    if (
      typeof lockFile !== 'string' ||
      !path.isAbsolute(lockFile) ||
      typeof tool !== 'string' ||
      !TOOLS.has(tool) ||
      !Array.isArray(args) ||
      !args.every((a): a is string => typeof a === 'string' && ARG.test(a))
    ) {
      void vscode.window.showErrorMessage('Stack Doctor: this fix names no lock command to run.');
      return undefined;
    }
    const command = [tool, ...args].join(' ');
    if (!requireTrust(`Update ${path.basename(lockFile)}`, `runs ${command}`)) return undefined;
    if (!findOnPath(tool)) {
      void vscode.window.showWarningMessage(
        `Stack Doctor: ${tool} is not on PATH, so ${path.basename(lockFile)} was not updated. Install ${tool}, or run ` +
          `"${command}" where it is installed.`,
      );
      return undefined;
    }
    const terminal = vscode.window.createTerminal({
      name: `Stack Doctor: ${command}`,
      cwd: path.dirname(lockFile),
    });
    terminal.show(false);
    terminal.sendText(command, true);
    return terminal;
  };
}
