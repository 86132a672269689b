// `stackDoctor.updateLock`: the quick fix of a stale lock file. Runs the lock's own tool (`uv lock`, `poetry lock`,
// `pip lock -r requirements.txt -o pylock.toml`) in a terminal in the lock's folder, where the person sees what it
// does; only in a trusted workspace (the tool reads the workspace's files and may run its build backends), only when
// the tool is on PATH, and for pip only when that pip has the `lock` command (pip >= 25.1).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { lockCommand, PIP_LOCK_SINCE, pipLockSupport } from '../environments/lock-command';
import { findOnPath } from '../environments/tool-path';
import { requireTrust } from '../ui/trust';
import type { CommandContext } from './context';

export function updateLock(
  _context: CommandContext,
): (lockFile?: unknown, tool?: unknown, args?: unknown) => Promise<vscode.Terminal | undefined> {
  return async (lockFile, tool, args) => {
    const command = lockCommand(lockFile, tool, args);
    if (!command) {
      void vscode.window.showErrorMessage('Stack Doctor: this fix names no lock command to run.');
      return undefined;
    }
    const name = path.basename(lockFile as string);
    if (!requireTrust(`Update ${name}`, `runs ${command.line}`)) return undefined;
    const found = findOnPath(command.tool);
    if (!found) {
      void vscode.window.showWarningMessage(
        `Stack Doctor: ${command.tool} is not on PATH, so ${name} was not updated. Install ${command.tool}, or run ` +
          `"${command.line}" where it is installed.`,
      );
      return undefined;
    }
    if (command.tool === 'pip') {
      const pip = await pipLockSupport(found);
      if (!pip.ok) {
        void vscode.window.showWarningMessage(
          `Stack Doctor: the pip on PATH${pip.version ? ` (${pip.version})` : ''} has no lock command (pip >= ` +
            `${PIP_LOCK_SINCE}), so ${name} was not updated. Upgrade pip, or run "${command.line}" with a pip that has it.`,
        );
        return undefined;
      }
    }
    const terminal = vscode.window.createTerminal({ name: `Stack Doctor: ${command.line}`, cwd: command.cwd });
    terminal.show(false);
    terminal.sendText(command.line, true);
    return terminal;
  };
}
