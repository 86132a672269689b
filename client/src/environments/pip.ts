// Runs pip for an environment: index options as arguments, the environment activated for the child, pip's own error
// lines in failures.
import { activationVariables, applyActivation } from './activation';
import type { PythonEnvironment } from './environment';
import { EnvironmentError } from './errors';
import { runChecked, runProcess, type RunContext, type RunResult } from './process';
import { Version } from '../../../server/src/pep/version';

/**
 * pip's index options, as the caller (settings, a test's loopback index) gives them. Files' own options are read by pip
 * itself.
 */
export interface IndexOptions {
  /** `--index-url`. */
  indexUrl?: string;
  /** `--extra-index-url`, each. */
  extraIndexUrls?: readonly string[];
  /** `--find-links`, each. */
  findLinks?: readonly string[];
  /** `--no-index`. */
  noIndex?: boolean;
  /** `--trusted-host`, each. */
  trustedHosts?: readonly string[];
  /** `--pre`. */
  pre?: boolean;
}

/** The pip arguments for `o` (empty for none). */
export function indexArgs(o: IndexOptions | undefined): string[] {
  if (!o) return [];
  const out: string[] = [];
  if (o.indexUrl) out.push('--index-url', o.indexUrl);
  for (const u of o.extraIndexUrls ?? []) out.push('--extra-index-url', u);
  for (const f of o.findLinks ?? []) out.push('--find-links', f);
  if (o.noIndex) out.push('--no-index');
  for (const h of o.trustedHosts ?? []) out.push('--trusted-host', h);
  if (o.pre) out.push('--pre');
  return out;
}

/**
 * How pip is run for an environment: its own `python -m pip`, or another interpreter's pip with `--python` (pip >=
 * 22.3).
 */
export function pipInvocation(env: PythonEnvironment, pipPython?: string): { command: string; args: string[] } {
  // --python is a general option: pip reads it only before the subcommand. -I: the working folder and PYTHON*
  // variables never reach sys.path (a `pip/` folder or `json.py` in the workspace is not imported).
  return pipPython
    ? { command: pipPython, args: ['-I', '-m', 'pip', '--python', env.python] }
    : { command: env.python, args: ['-I', '-m', 'pip'] };
}

/** The child environment for running tools inside `env`: the caller's variables with the environment activated. */
export function activatedEnv(env: PythonEnvironment, base: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return applyActivation(base ?? process.env, activationVariables(env));
}

/** The version of the pip that would run for `env`, or null when there is none. */
export async function pipVersion(
  env: PythonEnvironment,
  ctx: RunContext & { pipPython?: string } = {},
): Promise<Version | null> {
  const inv = pipInvocation(env, ctx.pipPython);
  try {
    const r = await runProcess(inv.command, [...inv.args, '--version'], {
      env: activatedEnv(env, ctx.env),
      signal: ctx.signal,
      timeoutMs: 30_000,
      captureStdout: true,
    });
    const m = /^pip (\S+)/m.exec(r.stdout);
    return r.exitCode === 0 && m ? Version.parse(m[1]!) : null;
  } catch (e) {
    if (ctx.signal?.aborted) throw e;
    return null;
  }
}

/**
 * Runs `pip <pipArgs>` for `env` (activated, so build steps find its tools), streaming to the sink.
 * Rejects with `no-pip` when the environment has no pip, else `failed` with pip's own error lines.
 */
export async function runPip(
  what: string,
  env: PythonEnvironment,
  pipArgs: readonly string[],
  ctx: RunContext & { cwd?: string; pipPython?: string },
): Promise<RunResult> {
  const inv = pipInvocation(env, ctx.pipPython);
  try {
    return await runChecked(what, inv.command, [...inv.args, ...pipArgs], {
      sink: ctx.sink,
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      onSpawn: ctx.onSpawn,
      cwd: ctx.cwd,
      env: activatedEnv(env, ctx.env),
    });
  } catch (e) {
    if (
      e instanceof EnvironmentError &&
      e.code === 'failed' &&
      e.lastLines.some((l) => /No module named pip\b/.test(l))
    ) {
      throw new EnvironmentError(
        'no-pip',
        `The environment ${env.prefix} has no pip. Create it with pip, or install ` +
          `with another interpreter's pip (pip >= 22.3 can target it with --python).`,
        {
          command: e.command,
          exitCode: e.exitCode,
          lastLines: e.lastLines,
        },
      );
    }
    throw e;
  }
}
