// Creates virtual environments with `<python> -m venv`, with Debian's missing python3-venv turned into a clear message
// and a failed or cancelled creation rolled back.
import { readEnvironment, type PythonEnvironment } from './environment';
import { EnvironmentError } from './errors';
import type { Interpreter } from './interpreters';
import { indexArgs, type IndexOptions } from './pip';
import { failureMessage, runChecked, runProcess, type RunContext } from './process';
import { withTarget } from './target';

/** Options of {@link createVenv}. */
export interface CreateVenvOptions extends RunContext {
  /** The base interpreter: a probed {@link Interpreter} (its known problems fail early) or a path. */
  python: Interpreter | string;
  /** The environment folder (e.g. `<workspace>/.venv`). */
  dir: string;
  /** Replace an environment already in `dir` (it is set aside and restored if the creation fails). */
  overwrite?: boolean;
  /** Install pip into it with ensurepip (default true). */
  withPip?: boolean;
  /** Then `pip install --upgrade pip` from the index (default false). */
  upgradePip?: boolean;
  /** Index options for the pip upgrade. */
  index?: IndexOptions;
  systemSitePackages?: boolean;
  /** The prompt (`--prompt`); default: the folder name. */
  prompt?: string;
}

/** The `python -m venv` arguments (after the interpreter) for `options`. */
export function venvArgs(
  dir: string,
  options: Pick<CreateVenvOptions, 'withPip' | 'systemSitePackages' | 'prompt'> = {},
): string[] {
  return [
    '-I',
    '-m',
    'venv',
    ...(options.withPip === false ? ['--without-pip'] : []),
    ...(options.systemSitePackages ? ['--system-site-packages'] : []),
    ...(options.prompt ? ['--prompt', options.prompt] : []),
    dir,
  ];
}

/** Recognizes a venv failure caused by a missing venv/ensurepip (Debian's own message, or upstream's), with the fix. */
export function venvUnavailable(lines: readonly string[], python: string): { message: string; fix?: string } | null {
  const text = lines.join('\n');
  const apt = /apt(?:-get)? install (python3(?:\.\d+)?-venv)/.exec(text);
  if (apt || /ensurepip is not\s+available/.test(text)) {
    const pkg = apt?.[1] ?? 'python3-venv';
    return {
      message:
        `${python} cannot create a virtual environment because ensurepip is not available: Debian and ` +
        `Ubuntu ship it in the package ${pkg}. Install it (as root, e.g. with sudo): apt-get install ${pkg}`,
      fix: `apt-get install ${pkg}`,
    };
  }
  if (/No module named (venv|ensurepip)/.test(text) || /'-m', 'ensurepip'/.test(text)) {
    return {
      message:
        `${python} cannot create a virtual environment with pip: its 'venv' or 'ensurepip' module ` +
        `is missing or broken. Use another interpreter, or create the environment without pip.`,
    };
  }
  return null;
}

/**
 * Creates a virtual environment: refuses an existing environment unless `overwrite` (see `prepareTarget`),
 * runs `<python> -m venv [--without-pip] <dir>`, then upgrades pip if asked. A failure or cancel removes
 * what the creation made (and puts back an environment that `overwrite` set aside). An interpreter
 * without venv/ensurepip fails with `venv-unavailable`, whose message and `fix` name the package to install.
 */
export async function createVenv(options: CreateVenvOptions): Promise<PythonEnvironment> {
  const pythonPath = typeof options.python === 'string' ? options.python : options.python.path;
  if (
    typeof options.python !== 'string' &&
    options.python.venvProblem &&
    (options.withPip !== false || !options.python.hasVenv)
  ) {
    const p = options.python.venvProblem;
    throw new EnvironmentError('venv-unavailable', p.message, { fix: p.fix });
  }
  return withTarget(options.dir, { overwrite: options.overwrite }, async (dir) => {
    const args = venvArgs(dir, options);
    const run = {
      sink: options.sink,
      signal: options.signal,
      env: options.env,
      timeoutMs: options.timeoutMs,
      onSpawn: options.onSpawn,
    };
    const r = await runProcess(pythonPath, args, run);
    if (r.exitCode !== 0) {
      const unavailable = venvUnavailable(r.lastLines, pythonPath);
      if (unavailable)
        throw new EnvironmentError('venv-unavailable', unavailable.message, {
          command: [pythonPath, ...args],
          exitCode: r.exitCode,
          lastLines: r.lastLines,
          fix: unavailable.fix,
        });
      throw new EnvironmentError('failed', failureMessage('Creating the virtual environment', r), {
        command: [pythonPath, ...args],
        exitCode: r.exitCode,
        lastLines: r.lastLines,
      });
    }
    const env = await readEnvironment(dir, 'created');
    if (!env)
      throw new EnvironmentError(
        'failed',
        `${pythonPath} -m venv exited without error but ${dir} holds no pyvenv.cfg.`,
        { command: [pythonPath, ...args] },
      );
    if (options.upgradePip && options.withPip !== false) {
      await runChecked(
        'Upgrading pip',
        env.python,
        ['-I', '-m', 'pip', 'install', '--upgrade', 'pip', ...indexArgs(options.index)],
        run,
      );
    }
    return env;
  });
}
