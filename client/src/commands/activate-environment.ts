// `stackDoctor.activateEnvironment`: Activate Environment… — pick an environment (or take the options'), make it
// active, optionally open a terminal in it.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import type { PythonEnvironment } from '../environments/environment';
import { readCommandInput } from '../ui/command-options';
import { guarded } from '../ui/guarded';
import type { CommandOutcome } from '../ui/outcome';
import { pickEnvironment } from '../ui/pickers';
import type { CommandContext } from './context';

const TITLE = 'Activate Environment';
const OPEN_TERMINAL = 'Open Terminal';

/**
 * A terminal in the environment: the environment variable collection puts it first on PATH, as in every new terminal.
 */
function openTerminal(env: PythonEnvironment): void {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(env.prefix));
  vscode.window
    .createTerminal({ name: `Python: ${env.name}`, cwd: folder?.uri ?? nodePath.dirname(env.prefix) })
    .show();
}

export function activateEnvironmentCommand({
  output,
  environments,
}: CommandContext): (arg?: unknown) => Promise<CommandOutcome> {
  return (arg) =>
    guarded(TITLE, output, async () => {
      const { options } = readCommandInput(arg);
      const choice = await pickEnvironment(
        options.environment,
        environments.environment,
        'Choose the environment to activate',
        options.env,
      );
      if (choice === 'create-venv')
        return (
          (await vscode.commands.executeCommand<CommandOutcome>('stackDoctor.createVenv')) ?? { status: 'dismissed' }
        );
      if (choice === 'create-conda')
        return (
          (await vscode.commands.executeCommand<CommandOutcome>('stackDoctor.createCondaEnv')) ?? {
            status: 'dismissed',
          }
        );
      const warnings = await environments.activate(choice);
      if (options.terminal) openTerminal(choice);
      const text =
        `Stack Doctor: ${choice.name} (Python ${choice.version ?? 'version unknown'}) is ` +
        `active; new terminals use it.${warnings.length ? ` Note: ${warnings.join('; ')}.` : ''}`;
      void vscode.window
        .showInformationMessage(text, ...(options.terminal ? [] : [OPEN_TERMINAL]))
        .then((c) => (c === OPEN_TERMINAL ? openTerminal(choice) : undefined));
      return { status: 'done', environment: choice };
    });
}
