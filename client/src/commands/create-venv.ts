// `stackDoctor.createVenv`: Create Virtual Environment… — folder, interpreter, files, extras/groups (each answerable by
// the options), then create, activate and install.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { createVenv } from '../environments/venv';
import { findDependencyFiles } from '../environments/dependency-files';
import type { PythonEnvironment } from '../environments/environment';
import { indexOptionsOf, readCommandInput, resolvePath } from '../ui/command-options';
import { guarded, withEnvironment } from '../ui/guarded';
import { installSelection, refreshDiagnostics } from '../ui/install-selection';
import type { CommandOutcome } from '../ui/outcome';
import {
  confirmOverwrite,
  pickDependencyFiles,
  pickExtrasAndGroups,
  pickFolder,
  pickInterpreter,
  requiresPythonOf,
} from '../ui/pickers';
import { withEnvironmentProgress } from '../ui/progress';
import type { CommandContext } from './context';

const TITLE = 'Create Virtual Environment';

export function createVenvCommand({
  output,
  environments,
  server,
}: CommandContext): (arg?: unknown) => Promise<CommandOutcome> {
  return (arg) =>
    guarded(TITLE, output, async () => {
      const { options } = readCommandInput(arg);
      const folder = await pickFolder(options.folder);
      const interpreter = await pickInterpreter(
        options.interpreter,
        requiresPythonOf(await findDependencyFiles(folder)),
        options.env,
      );
      const selection = await pickDependencyFiles(folder, options, false);
      const project = selection.pyproject ? await pickExtrasAndGroups(selection.pyproject, options) : null;
      const dir = resolvePath(folder, options.location ?? '.venv');
      const overwrite = await confirmOverwrite(dir, options.overwrite);
      const index = indexOptionsOf(options, vscode.Uri.file(folder));
      let created: PythonEnvironment | undefined;
      return withEnvironment(
        TITLE,
        output,
        () => created,
        () =>
          withEnvironmentProgress(`creating ${nodePath.basename(dir)}`, output, async (run) => {
            run.step(`Creating ${dir} with Python ${interpreter.version} (${interpreter.path})`);
            const env = await createVenv({
              python: interpreter,
              dir,
              overwrite,
              env: options.env,
              sink: run.sink,
              signal: run.signal,
            });
            created = env;
            const warnings = await environments.activate(env);
            const installed = await installSelection(env, selection, project, undefined, {
              index,
              env: options.env,
              run,
            });
            if (installed.length) await refreshDiagnostics(server, output);
            const what = installed.length
              ? ` with ${installed.map((f) => nodePath.relative(folder, f)).join(', ')} installed`
              : '';
            void vscode.window.showInformationMessage(
              `Stack Doctor: created ${env.name} (Python ${env.version ?? interpreter.version})${what}; ` +
                `it is the active environment.${warnings.length ? ` Note: ${warnings.join('; ')}.` : ''}`,
            );
            return { status: 'done', environment: env, installed } satisfies CommandOutcome;
          }),
      );
    });
}
