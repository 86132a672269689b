// `stackDoctor.createCondaEnv`: Create Conda Environment… — folder, environment file (a warning first when conda's
// solve fails) or Python version, conda front end (each answerable by the options), then create and activate.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { createCondaEnvironment, type CondaTarget } from '../environments/conda';
import { findDependencyFiles, readEnvironmentYmlInfo } from '../environments/dependency-files';
import { indexOptionsOf, readCommandInput, resolvePath } from '../ui/command-options';
import { guarded } from '../ui/guarded';
import type { CommandOutcome } from '../ui/outcome';
import {
  confirmOverwrite,
  pickCondaManager,
  pickEnvironmentFile,
  pickFolder,
  pickPythonVersion,
  requiresPythonOf,
} from '../ui/pickers';
import { withEnvironmentProgress } from '../ui/progress';
import type { CommandContext } from './context';

const TITLE = 'Create Conda Environment';

export function createCondaEnvCommand({
  output,
  environments,
}: CommandContext): (arg?: unknown) => Promise<CommandOutcome> {
  return (arg) =>
    guarded(TITLE, output, async () => {
      const { options } = readCommandInput(arg);
      const folder = await pickFolder(options.folder);
      const file = await pickEnvironmentFile(options.file, folder);
      if (file) {
        // The file's own problems (syntax) would make conda fail with a less helpful message; show ours in the log
        // first.
        for (const f of readEnvironmentYmlInfo(file).findings) output.warn(`${nodePath.basename(file)}: ${f.message}`);
        // What the language server found (conda's solve among it): say it before conda runs, and let the person go on.
        if (!(await goOnDespiteProblems(file, options.ignoreProblems)))
          return { status: 'dismissed' } satisfies CommandOutcome;
      }
      const manager = await pickCondaManager(options.manager, options.env);
      const python = file
        ? undefined
        : await pickPythonVersion(options.python, requiresPythonOf(await findDependencyFiles(folder)));
      const target: CondaTarget = options.name
        ? { name: options.name }
        : { prefix: resolvePath(folder, options.location ?? '.conda') };
      const overwrite =
        'prefix' in target ? await confirmOverwrite(target.prefix, options.overwrite) : (options.overwrite ?? false);
      const index = indexOptionsOf(options, vscode.Uri.file(folder));
      const shown = 'prefix' in target ? nodePath.basename(target.prefix) : target.name;
      const from = file ? `from ${nodePath.basename(file)}` : `with Python ${python}`;
      return withEnvironmentProgress(`creating ${shown} with ${manager.kind}`, output, async (run) => {
        run.step(
          `Creating ${'prefix' in target ? target.prefix : `the environment '${target.name}'`} ` +
            `${from} with ${manager.kind} (${manager.path})`,
        );
        const env = await createCondaEnvironment({
          manager,
          target,
          overwrite,
          index,
          env: options.env,
          sink: run.sink,
          signal: run.signal,
          ...(file ? { file } : { specs: [`python=${python}`] }),
        });
        const warnings = await environments.activate(env);
        void vscode.window.showInformationMessage(
          `Stack Doctor: created the conda environment ${env.name} ${from}; it is the ` +
            `active environment.${warnings.length ? ` Note: ${warnings.join('; ')}.` : ''}`,
        );
        return { status: 'done', environment: env } satisfies CommandOutcome;
      });
    });
}

const CREATE_ANYWAY = 'Create Anyway';
const SHOW_PROBLEMS = 'Show Problems';

/**
 * Warns when the environment file has error diagnostics from Stack Doctor (conda's solve fails, a package no channel
 * has, a build the driver cannot run): "conda would fail". True when there are none, or the person (or `answer`) goes
 * on.
 */
async function goOnDespiteProblems(file: string, answer: boolean | undefined): Promise<boolean> {
  const errors = vscode.languages
    .getDiagnostics(vscode.Uri.file(file))
    .filter((d) => d.source === 'stack-doctor' && d.severity === vscode.DiagnosticSeverity.Error);
  if (errors.length === 0) return true;
  if (answer !== undefined) return answer;
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  const choice = await vscode.window.showWarningMessage(
    `Stack Doctor: conda would likely fail to create this environment: line ` +
      `${first.range.start.line + 1}: ${first.message.split('\n')[0]}${more}`,
    { modal: true },
    CREATE_ANYWAY,
    SHOW_PROBLEMS,
  );
  if (choice === SHOW_PROBLEMS) {
    await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: first.range });
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    return false;
  }
  return choice === CREATE_ANYWAY;
}
