// `stackDoctor.createCondaEnv`: Create Conda Environment… — folder, conda front end, environment file or Python version (each answerable by the options), then create and activate.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { createCondaEnvironment, findDependencyFiles, readEnvironmentYmlInfo, type CondaTarget } from '../environments';
import { indexOptionsOf, readCommandInput, resolvePath } from '../ui/command-options';
import { guarded } from '../ui/guarded';
import type { CommandOutcome } from '../ui/outcome';
import { confirmOverwrite, pickCondaManager, pickEnvironmentFile, pickFolder, pickPythonVersion, requiresPythonOf } from '../ui/pickers';
import { withEnvironmentProgress } from '../ui/progress';
import type { CommandContext } from './index';

const TITLE = 'Create Conda Environment';

export function createCondaEnvCommand({ output, environments }: CommandContext): (arg?: unknown) => Promise<CommandOutcome> {
  return (arg) => guarded(TITLE, output, async () => {
    const { options } = readCommandInput(arg);
    const folder = await pickFolder(options.folder);
    const manager = await pickCondaManager(options.manager, options.env);
    const file = await pickEnvironmentFile(options.file, folder);
    const python = file ? undefined : await pickPythonVersion(options.python, requiresPythonOf(await findDependencyFiles(folder)));
    const target: CondaTarget = options.name ? { name: options.name } : { prefix: resolvePath(folder, options.location ?? '.conda') };
    const overwrite = 'prefix' in target ? await confirmOverwrite(target.prefix, options.overwrite) : (options.overwrite ?? false);
    const index = indexOptionsOf(options, vscode.Uri.file(folder));
    const shown = 'prefix' in target ? nodePath.basename(target.prefix) : target.name;
    const from = file ? `from ${nodePath.basename(file)}` : `with Python ${python}`;
    if (file) {
      // The file's own problems (syntax) would make conda fail with a less helpful message; show ours in the log first.
      for (const f of readEnvironmentYmlInfo(file).findings) output.warn(`${nodePath.basename(file)}: ${f.message}`);
    }
    return withEnvironmentProgress(`creating ${shown} with ${manager.kind}`, output, async (run) => {
      run.step(`Creating ${'prefix' in target ? target.prefix : `the environment '${target.name}'`} ${from} with ${manager.kind} (${manager.path})`);
      const env = await createCondaEnvironment({
        manager, target, overwrite, index, env: options.env, sink: run.sink, signal: run.signal,
        ...(file ? { file } : { specs: [`python=${python}`] }),
      });
      const warnings = await environments.activate(env);
      void vscode.window.showInformationMessage(`Stack Doctor: created the conda environment ${env.name} ${from}; it is the active environment.${warnings.length ? ` Note: ${warnings.join('; ')}.` : ''}`);
      return { status: 'done', environment: env } satisfies CommandOutcome;
    });
  });
}
