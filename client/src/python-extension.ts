// Tells Microsoft's Python extension (when installed) which interpreter is active: its environments API, else the
// python.defaultInterpreterPath setting.
import * as vscode from 'vscode';

const PYTHON_EXTENSION = 'ms-python.python';

/** The part of the Python extension's exported API we use (`environments.updateActiveEnvironmentPath`). */
interface PythonExtensionApi {
  environments?: {
    updateActiveEnvironmentPath?(path: string, resource?: vscode.Uri | vscode.WorkspaceFolder): Promise<void>;
  };
}

/** How the Python extension was told: through its API, its setting, or not at all (not installed). */
export type PythonExtensionResult = 'api' | 'setting' | 'not-installed';

/** Points the Python extension at `python` for `folder`; does nothing when it is not installed. */
export async function tellPythonExtension(
  python: string,
  folder: vscode.WorkspaceFolder | undefined,
): Promise<PythonExtensionResult> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (!extension) return 'not-installed';
  const api = extension.isActive ? extension.exports : await extension.activate();
  const update = api?.environments?.updateActiveEnvironmentPath;
  if (update) {
    await update.call(api.environments, python, folder);
    return 'api';
  }
  await vscode.workspace
    .getConfiguration('python', folder)
    .update(
      'defaultInterpreterPath',
      python,
      folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace,
    );
  return 'setting';
}
