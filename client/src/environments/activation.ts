// The environment variables that activate an environment, as data (for VS Code's terminal environment collection and
// for child processes).
import * as nodePath from 'node:path';
import type { PythonEnvironment } from './environment';

/** What activating an environment changes: PATH entries first, variables set, variables removed. */
export interface ActivationVariables {
  /** Folders to put at the front of PATH, in this order. */
  pathPrepend: string[];
  /** Variables to set (VIRTUAL_ENV, or CONDA_PREFIX and CONDA_DEFAULT_ENV, ...). */
  set: Record<string, string>;
  /** Variables to remove (PYTHONHOME, and the other kind's variables). */
  unset: string[];
}

/**
 * The variables `activate` sets for `env`. venv: `bin` (`Scripts` on Windows) first on PATH,
 * `VIRTUAL_ENV`, `VIRTUAL_ENV_PROMPT`. conda: the prefix's binary folders first on PATH (on Windows the
 * six conda puts there), `CONDA_PREFIX`, `CONDA_DEFAULT_ENV` (the name, or the prefix path for a `-p`
 * environment, as conda does), `CONDA_PROMPT_MODIFIER`, `CONDA_SHLVL`. Both remove PYTHONHOME.
 */
export function activationVariables(
  env: PythonEnvironment,
  platform: NodeJS.Platform = process.platform,
): ActivationVariables {
  const win = platform === 'win32';
  const join = win ? nodePath.win32.join : nodePath.posix.join;
  if (env.kind === 'venv') {
    return {
      pathPrepend: [join(env.prefix, win ? 'Scripts' : 'bin')],
      set: { VIRTUAL_ENV: env.prefix, VIRTUAL_ENV_PROMPT: env.name },
      unset: ['PYTHONHOME', 'CONDA_PREFIX', 'CONDA_DEFAULT_ENV', 'CONDA_PROMPT_MODIFIER'],
    };
  }
  const pathPrepend = win
    ? [
        env.prefix,
        join(env.prefix, 'Library', 'mingw-w64', 'bin'),
        join(env.prefix, 'Library', 'usr', 'bin'),
        join(env.prefix, 'Library', 'bin'),
        join(env.prefix, 'Scripts'),
        join(env.prefix, 'bin'),
      ]
    : [join(env.prefix, 'bin')];
  const shown = env.condaName ?? env.prefix;
  return {
    pathPrepend,
    set: { CONDA_PREFIX: env.prefix, CONDA_DEFAULT_ENV: shown, CONDA_PROMPT_MODIFIER: `(${shown}) `, CONDA_SHLVL: '1' },
    unset: ['PYTHONHOME', 'VIRTUAL_ENV', 'VIRTUAL_ENV_PROMPT'],
  };
}

/** `base` with the activation applied (a new object): what a process started "inside" the environment sees. */
export function applyActivation(
  base: NodeJS.ProcessEnv,
  activation: ActivationVariables,
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...base };
  // Windows spells it Path; keep whichever spelling the base uses.
  const pathKey = Object.keys(out).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  for (const k of activation.unset) delete out[k];
  Object.assign(out, activation.set);
  const sep = platform === 'win32' ? ';' : ':';
  const rest = out[pathKey] ? `${sep}${out[pathKey]}` : '';
  out[pathKey] = activation.pathPrepend.join(sep) + rest;
  return out;
}
