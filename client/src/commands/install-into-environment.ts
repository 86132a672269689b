// `stackDoctor.installIntoEnvironment`: Install into Environment… — environment, files (constraints applied),
// extras/groups; from the palette or a dependency file's menu.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { EnvironmentError } from '../environments/errors';
import { indexOptionsOf, readCommandInput } from '../ui/command-options';
import { guarded, withEnvironment } from '../ui/guarded';
import { installSelection, refreshDiagnostics, selectsAnything } from '../ui/install-selection';
import type { CommandOutcome } from '../ui/outcome';
import { pickCondaManager, pickDependencyFiles, pickEnvironment, pickExtrasAndGroups, pickFolder } from '../ui/pickers';
import { withEnvironmentProgress } from '../ui/progress';
import type { CommandContext } from './context';

const TITLE = 'Install into Environment';

export function installIntoEnvironmentCommand({
  output,
  environments,
  server,
}: CommandContext): (arg?: unknown) => Promise<CommandOutcome> {
  return (arg) =>
    guarded(TITLE, output, async () => {
      const { options, resource } = readCommandInput(arg);
      // From a file's menu: that file, with the constraints of its folder.
      const folder = resource ? nodePath.dirname(resource.fsPath) : await pickFolder(options.folder);
      const fileOptions = resource ? { files: [resource.fsPath], constraints: options.constraints } : options;
      const choice = await pickEnvironment(
        options.environment,
        environments.environment,
        'Choose the environment to install into',
        options.env,
      );
      if (choice === 'create-venv')
        return (
          (await vscode.commands.executeCommand<CommandOutcome>('stackDoctor.createVenv', {
            folder,
            ...(fileOptions.files ? { files: fileOptions.files } : {}),
          })) ?? { status: 'dismissed' }
        );
      if (choice === 'create-conda')
        return (
          (await vscode.commands.executeCommand<CommandOutcome>('stackDoctor.createCondaEnv', { folder })) ?? {
            status: 'dismissed',
          }
        );
      const environment = choice;
      const selection = await pickDependencyFiles(folder, fileOptions, environment.kind === 'conda');
      if (!selectsAnything(selection))
        throw new EnvironmentError(
          'invalid-request',
          `Nothing to install: no requirements file, pyproject.toml or environment file was chosen in ${folder}.`,
        );
      const project = selection.pyproject ? await pickExtrasAndGroups(selection.pyproject, options) : null;
      const manager = selection.environmentYml ? await pickCondaManager(options.manager, options.env) : undefined;
      const index = indexOptionsOf(options, vscode.Uri.file(folder));
      return withEnvironment(
        TITLE,
        output,
        () => environment,
        () =>
          withEnvironmentProgress(`installing into ${environment.name}`, output, async (run) => {
            const installed = await installSelection(environment, selection, project, manager, {
              index,
              env: options.env,
              run,
            });
            await refreshDiagnostics(server, output);
            void vscode.window.showInformationMessage(
              `Stack Doctor: installed ${installed.map((f) => nodePath.relative(folder, f)).join(', ')} ` +
                `into ${environment.name}.`,
            );
            return { status: 'done', environment, installed } satisfies CommandOutcome;
          }),
      );
    });
}
