// Installs a chosen set of dependency files into an environment through the environments module, one request per kind,
// then has the language server refresh.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { install } from '../environments/installer';
import type { CondaManager } from '../environments/conda';
import type { IndexOptions } from '../environments/pip';
import type { PythonEnvironment } from '../environments/environment';
import type { PyprojectInfo } from '../environments/dependency-files';
import type { ServerController } from '../server-controller';
import type { FileSelection } from './pickers';
import type { ProgressRun } from './progress';

/** The pyproject part of a selection: what the extras and groups picker returned. */
export interface ProjectChoice {
  info: PyprojectInfo;
  extras: string[];
  groups: string[];
}

/** Whether a selection installs anything. */
export function selectsAnything(selection: FileSelection): boolean {
  return selection.requirements.length > 0 || selection.pyproject !== null || selection.environmentYml !== null;
}

/**
 * Installs `selection` into `environment`: the conda environment file first (conda, then its pip part), then the
 * requirements files together (`-r ... -c ...`), then the pyproject (`-e .[extras]` and groups, with the constraints).
 * Returns the names of the files installed.
 */
export async function installSelection(
  environment: PythonEnvironment,
  selection: FileSelection,
  project: ProjectChoice | null,
  manager: CondaManager | undefined,
  options: { index: IndexOptions | undefined; env: NodeJS.ProcessEnv | undefined; run: ProgressRun },
): Promise<string[]> {
  const { run } = options;
  const ctx = { index: options.index, env: options.env, sink: run.sink, signal: run.signal };
  const installed: string[] = [];
  if (selection.environmentYml && manager) {
    run.step(`Updating ${environment.name} from ${nodePath.basename(selection.environmentYml)}`);
    await install({
      ...ctx,
      environment,
      request: { kind: 'environment-yml', file: selection.environmentYml, manager },
    });
    installed.push(selection.environmentYml);
  }
  if (selection.requirements.length) {
    run.step(
      `Installing ` +
        `${selection.requirements.map((f) => nodePath.basename(f)).join(', ')}${selection.constraints.length ? ` with ${selection.constraints.map((f) => nodePath.basename(f)).join(', ')}` : ''}`,
    );
    await install({
      ...ctx,
      environment,
      request: { kind: 'requirements', files: selection.requirements, constraints: selection.constraints },
    });
    installed.push(...selection.requirements);
  }
  if (selection.pyproject && project && (project.info.installable || project.groups.length)) {
    const dir = nodePath.dirname(selection.pyproject);
    run.step(
      `Installing ` +
        `${project.info.name ?? nodePath.basename(dir)}${project.extras.length ? `[${project.extras.join(',')}]` : ''}${project.groups.length ? ` and groups ${project.groups.join(', ')}` : ''}`,
    );
    await install({
      ...ctx,
      environment,
      request: {
        kind: 'pyproject',
        projectDir: dir,
        extras: project.extras,
        groups: project.groups,
        constraints: selection.constraints,
      },
    });
    installed.push(selection.pyproject);
  }
  return installed;
}

/** Has the server analyse the open files again (installed versions changed); says so when it is not running. */
export async function refreshDiagnostics(server: ServerController, output: vscode.LogOutputChannel): Promise<void> {
  let sent = false;
  try {
    sent = await server.notify('stackDoctor/refresh', null);
  } catch (error) {
    output.warn(
      `Asking the language server to refresh failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!sent) {
    output.warn('The language server is not running, so diagnostics were not refreshed.');
    void vscode.window.showWarningMessage(
      'Stack Doctor: the language server is not running, so diagnostics were not refreshed ' +
        'after the install. Run "Stack Doctor: Restart Language Server" to start it.',
    );
  }
}
