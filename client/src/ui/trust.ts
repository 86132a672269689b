// Workspace Trust for the commands that run tools or read workspace-named files: in an untrusted workspace they explain
// why they need trust and run nothing.
import * as vscode from 'vscode';

const MANAGE = 'Manage Workspace Trust';

/** Why the environment commands need trust (workspace files could name what runs). */
export const RUNS_TOOLS = 'runs Python, pip or conda';

/**
 * True in a trusted workspace. Otherwise shows why `title` needs trust (`why`: what it does that an untrusted
 * workspace could abuse) with a "Manage Workspace Trust" button, and returns false; the caller then runs nothing.
 */
export function requireTrust(title: string, why: string = RUNS_TOOLS): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(
      `Stack Doctor: ${title} ${why}, so it needs a trusted ` +
        `workspace. Nothing was run. Trust this workspace to use it.`,
      MANAGE,
    )
    .then((choice) => (choice === MANAGE ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return false;
}
