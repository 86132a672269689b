// `stackDoctor.restartServer`: stops and starts the language server; concurrent invocations share one restart.
import * as vscode from 'vscode';
import type { CommandContext } from './context';

export function restartServer({ server, output }: CommandContext): () => Promise<void> {
  return async () => {
    try {
      await server.restart();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      output.error(`Restart failed: ${reason}`);
      void vscode.window.showErrorMessage(
        `Stack Doctor: the language server could not be restarted (${reason}). See the "Stack Doctor" output.`,
      );
      throw error;
    }
  };
}
