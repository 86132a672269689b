// Finds existing environments: the workspace's .venv, venv, .conda and env folders, WORKON_HOME, pyenv virtualenvs, and
// what each conda manager lists.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { listCondaEnvironments, type CondaManager } from './conda';
import { readEnvironment, type PythonEnvironment } from './environment';
import type { RunContext } from './process';

/** The folder names looked for in each workspace folder. */
export const WORKSPACE_ENVIRONMENT_NAMES: readonly string[] = ['.venv', 'venv', '.conda', 'env'];

/** Options of {@link discoverEnvironments}. */
export interface DiscoverEnvironmentsOptions extends Pick<RunContext, 'signal'> {
  workspaceFolders?: readonly string[];
  /** Conda front ends to ask (`env list --json`), e.g. from `findCondaManagers`; the first that answers is used. */
  condaManagers?: readonly CondaManager[];
  /** Environment variables (WORKON_HOME, PYENV_ROOT) and the managers' environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  platform?: NodeJS.Platform;
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory() || d.isSymbolicLink())
      .map((d) => nodePath.join(dir, d.name))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Lists environments: workspace folders first (`.venv`, `venv`, `.conda`, `env`), then WORKON_HOME
 * (default `~/.virtualenvs`), pyenv-virtualenv environments (`$PYENV_ROOT/versions/<v>/envs/*`), and the
 * environments the first answering conda manager knows. Each environment once (by real path). Nothing
 * is run except the conda managers; versions come from pyvenv.cfg and conda-meta.
 */
export async function discoverEnvironments(options: DiscoverEnvironmentsOptions = {}): Promise<PythonEnvironment[]> {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? os.homedir();
  const out: PythonEnvironment[] = [];
  const seen = new Set<string>();
  const add = async (e: PythonEnvironment | undefined): Promise<void> => {
    if (!e) return;
    let key = e.prefix;
    try {
      key = await fs.realpath(e.prefix);
    } catch {
      // Keep the path as given.
    }
    if (seen.has(key)) return;
    seen.add(key);
    out.push(e);
  };
  for (const folder of options.workspaceFolders ?? []) {
    for (const n of WORKSPACE_ENVIRONMENT_NAMES)
      await add(await readEnvironment(nodePath.join(folder, n), 'workspace', options.platform));
  }
  const workon = env.WORKON_HOME || nodePath.join(home, '.virtualenvs');
  for (const d of await subfolders(workon)) await add(await readEnvironment(d, 'workon-home', options.platform));
  const pyenvVersions = nodePath.join(env.PYENV_ROOT || nodePath.join(home, '.pyenv'), 'versions');
  for (const v of await subfolders(pyenvVersions)) {
    for (const d of await subfolders(nodePath.join(v, 'envs')))
      await add(await readEnvironment(d, 'pyenv', options.platform));
  }
  for (const m of options.condaManagers ?? []) {
    try {
      for (const e of await listCondaEnvironments(m, { env, signal: options.signal, timeoutMs: 60_000 })) await add(e);
      break;
    } catch (e) {
      if (options.signal?.aborted) throw e;
      // A broken manager: try the next.
    }
  }
  return out;
}
