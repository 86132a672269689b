// `stackDoctor.deactivateEnvironment`: Deactivate Environment — no environment is active any more (terminals, status
// bar, language server).
import * as vscode from 'vscode';
import type { CommandOutcome } from '../ui/outcome';
import type { CommandContext } from './context';

/** Runs nothing, so it works in an untrusted workspace too: it only takes the environment away. */
export function deactivateEnvironmentCommand({ environments }: CommandContext): () => Promise<CommandOutcome> {
  return async () => {
    const was = await environments.clear();
    void vscode.window.showInformationMessage(
      was
        ? `Stack Doctor: ${was.name} is no longer active; new terminals get no environment.`
        : 'Stack Doctor: no environment was active.',
    );
    return { status: 'done', ...(was ? { environment: was } : {}) };
  };
}
