// Workspace Trust for the environment commands: in an untrusted workspace they explain why they need trust and run nothing.
import * as vscode from 'vscode';

const MANAGE = 'Manage Workspace Trust';

/**
 * True in a trusted workspace. Otherwise shows why `title` needs trust (it runs Python, pip or conda, and workspace
 * files could name what runs) with a "Manage Workspace Trust" button, and returns false; the caller then runs nothing.
 */
export function requireTrust(title: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(`Stack Doctor: ${title} runs Python, pip or conda, so it needs a trusted workspace. Nothing was run. Trust this workspace to use it.`, MANAGE)
    .then((choice) => (choice === MANAGE ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return false;
}
