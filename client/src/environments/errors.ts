// The one error type of the environments module: a stable code, a message for people, and the tool's own last lines.
import { redact } from '../../../server/src/index/credentials';

/** Why an environment operation did not complete. */
export type EnvironmentErrorCode =
  /** The caller's cancellation signal fired; the process tree was killed and what the operation created removed. */
  | 'cancelled'
  /** The process ran past its time limit and was killed. */
  | 'timeout'
  /** pip, conda or python exited with an error; `lastLines` holds its own last lines. */
  | 'failed'
  /** The executable could not be started. */
  | 'spawn-failed'
  /**
   * The target already holds an environment (and `overwrite` was not given) or something else that is not ours to
   * replace.
   */
  | 'exists'
  /** The interpreter cannot create virtual environments (no `venv`/`ensurepip`, e.g. Debian without python3.X-venv). */
  | 'venv-unavailable'
  /** The environment has no pip to install with. */
  | 'no-pip'
  /** The request itself is unusable (a package spec that is an option, a missing file, ...). */
  | 'invalid-request';

/** Details of an {@link EnvironmentError}. */
export interface EnvironmentErrorDetails {
  /** The command that failed, as an argument array (executable first). */
  command?: readonly string[];
  exitCode?: number | null;
  signal?: string | null;
  /** The tool's own last output lines (stdout and stderr interleaved as they came). */
  lastLines?: readonly string[];
  /** A command the person can run to fix the cause (typed into a terminal by the editor, never run by us). */
  fix?: string;
}

/** An environment operation that failed, was cancelled, or was refused. `message` is written for people. */
export class EnvironmentError extends Error {
  readonly command: readonly string[] | undefined;
  readonly exitCode: number | null | undefined;
  readonly signal: string | null | undefined;
  readonly lastLines: readonly string[];
  readonly fix: string | undefined;

  constructor(
    readonly code: EnvironmentErrorCode,
    message: string,
    details: EnvironmentErrorDetails = {},
  ) {
    // Messages and output lines reach the output channel and notifications: never a URL's credentials.
    super(redact(message));
    this.name = 'EnvironmentError';
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.lastLines = (details.lastLines ?? []).map(redact);
    this.fix = details.fix;
  }
}

/** True when `e` is an {@link EnvironmentError} with code `cancelled`. */
export function isCancelled(e: unknown): boolean {
  return e instanceof EnvironmentError && e.code === 'cancelled';
}
