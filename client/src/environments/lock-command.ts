// What the lock fix runs (no `vscode` import): the lock's own tool and the arguments the server's fix names, checked
// before anything is typed into a terminal, and whether the pip on PATH has `pip lock` (pip >= 25.1).
import * as path from 'node:path';
import { Version } from '../../../server/src/pep/version';
import { runProcess } from './process';

/** The tools a lock file names. */
const TOOLS = new Set(['uv', 'poetry', 'pip', 'pixi', 'conda-lock']);
/** An argument typed into a terminal as it is: no space, quote or shell character (a relative path may have `/`). */
const ARG = /^[\w./-]+$/;

/** The first pip with the `lock` command. */
export const PIP_LOCK_SINCE = '25.1';

export interface LockCommand {
  tool: string;
  args: string[];
  /** What is typed into the terminal. */
  line: string;
  /** The lock's folder, where it runs. */
  cwd: string;
}

/** The command a fix names, or null when it names none that may be run (an unknown tool, an argument out of shape). */
export function lockCommand(lockFile: unknown, tool: unknown, args: unknown): LockCommand | null {
  if (
    typeof lockFile !== 'string' ||
    !path.isAbsolute(lockFile) ||
    typeof tool !== 'string' ||
    !TOOLS.has(tool) ||
    !Array.isArray(args) ||
    !args.every((a): a is string => typeof a === 'string' && ARG.test(a))
  )
    return null;
  return { tool, args, line: [tool, ...args].join(' '), cwd: path.dirname(lockFile) };
}

/** Whether `pip --version` output names a pip with `pip lock`; null when it names no pip version. */
export function pipHasLock(versionOutput: string): boolean | null {
  const m = /^pip (\S+)/m.exec(versionOutput);
  const v = m ? Version.parse(m[1]!) : null;
  return v ? v.compare(Version.parse(PIP_LOCK_SINCE)!) >= 0 : null;
}

/** The version line of the pip at `pipPath` and whether it has `pip lock` (false where it does not run). */
export async function pipLockSupport(pipPath: string): Promise<{ version: string | null; ok: boolean }> {
  try {
    const r = await runProcess(pipPath, ['--version'], {
      timeoutMs: 30_000,
      captureStdout: true,
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    });
    const version = /^pip (\S+)/m.exec(r.stdout)?.[1] ?? null;
    return { version, ok: r.exitCode === 0 && pipHasLock(r.stdout) === true };
  } catch {
    return { version: null, ok: false };
  }
}
