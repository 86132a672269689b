// Runs child processes with argument arrays (never a shell): output streamed line by line, cancellation and timeouts
// that kill the whole process tree, and the last lines kept for errors.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { redact } from '../../../server/src/index/credentials';
import { childCwd, resolveProgram } from '../../../server/src/system/program-path';
import { EnvironmentError } from './errors';

/**
 * Where a line came from: the child's stdout or stderr, or `info` for what this module says (the command it starts).
 */
export type OutputStream = 'stdout' | 'stderr' | 'info';

/** Receives output line by line, as it arrives, without line ends (an output channel, a log, a test's array). */
export type OutputSink = (line: string, stream: OutputStream) => void;

/**
 * The parts of VS Code's `CancellationToken` this module needs, so commands can pass theirs without a `vscode` import
 * here.
 */
export interface CancellationTokenLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

/** An AbortSignal that fires when `token` is cancelled (for commands that hold a VS Code CancellationToken). */
export function signalFromToken(token: CancellationTokenLike): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      controller.abort();
    });
  }
  return controller.signal;
}

/** What every long operation of this module takes: where output goes, how to cancel, and the environment variables. */
export interface RunContext {
  /** Receives every output line of every process the operation runs, and the commands it starts. */
  sink?: OutputSink;
  /** Aborting kills the running process tree and rolls back what the operation created. */
  signal?: AbortSignal;
  /**
   * Environment variables of the child processes (default `process.env`). Tests isolate pip here
   * (`PIP_CONFIG_FILE=/dev/null`).
   */
  env?: NodeJS.ProcessEnv;
  /** Kill a single process after this many milliseconds (default: no limit). */
  timeoutMs?: number;
  /** Called with each child's pid once it started (its process group on POSIX has the same id). */
  onSpawn?: (pid: number) => void;
}

/** Options of {@link runProcess}. */
export interface RunOptions extends RunContext {
  /**
   * The working folder (default: {@link childCwd}, outside any workspace, so that an interpreter never imports a
   * workspace's `platform.py` through it).
   */
  cwd?: string;
  /** How many of the last output lines to keep for errors (default 40). */
  tailLines?: number;
  /** Also collect the whole stdout (for small JSON answers such as `conda env list --json`). */
  captureStdout?: boolean;
}

/** How a process ended (it was not cancelled, did not time out, and started). */
export interface RunResult {
  exitCode: number;
  /** The last output lines, stdout and stderr interleaved in arrival order. */
  lastLines: string[];
  /** The whole stdout when `captureStdout` was set, else `''`. */
  stdout: string;
}

/** Milliseconds between the polite and the forced kill of a cancelled process tree. */
const KILL_GRACE_MS = 1500;

/** The command line as people read it (for logs and messages only: nothing ever runs it through a shell). */
export function formatCommand(command: string, args: readonly string[]): string {
  const quote = (s: string): string => (s === '' || /[^\w@%+=:,./-]/.test(s) ? `'${s.replace(/'/g, `'\\''`)}'` : s);
  return [command, ...args].map(quote).join(' ');
}

/** Splits a chunk stream into lines; a lone `\r` (progress bars) keeps only what a terminal would show last. */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.emit(lastCarriageSegment(p));
  }
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest) this.emit(lastCarriageSegment(rest));
  }
}

function lastCarriageSegment(line: string): string {
  const l = line.endsWith('\r') ? line.slice(0, -1) : line;
  const i = l.lastIndexOf('\r');
  return i >= 0 ? l.slice(i + 1) : l;
}

/** Whether any process of the POSIX process group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Kills `pid` and everything it started: its process group on POSIX, `taskkill /T` on Windows. Resolves once the tree
 * is gone.
 */
export async function killProcessTree(pid: number): Promise<void> {
  if (process.platform === 'win32') {
    await new Promise<void>((resolve) =>
      execFile('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true }, () => resolve()),
    );
    return;
  }
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + KILL_GRACE_MS;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (!groupAlive(pid)) return;
  killGroup(pid, 'SIGKILL');
  const hard = Date.now() + 5000;
  while (groupAlive(pid) && Date.now() < hard) await new Promise((r) => setTimeout(r, 25));
}

/**
 * Runs `command` with `args` (no shell), streaming each output line to `sink`. Resolves with the exit code
 * whatever it is; rejects with an {@link EnvironmentError}: `cancelled` when `signal` aborts (after the
 * whole process tree is gone), `timeout`, or `spawn-failed`. On POSIX the child leads its own process
 * group, so a cancel reaches the processes it started too. Every line it gives the sink or keeps (the command line
 * and the output) has its URLs' credentials and tokens redacted: the sink is an output channel VS Code keeps on disk.
 * On Windows a bare command name is found on PATH without the current folder.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal, sink } = options;
  const argv = [command, ...args];
  const tailMax = options.tailLines ?? 40;
  if (signal?.aborted)
    return Promise.reject(
      new EnvironmentError('cancelled', `Cancelled before ${nodePath.basename(command)} started.`, { command: argv }),
    );
  sink?.(redact(`$ ${formatCommand(command, args)}`), 'info');
  const program = resolveProgram(command);
  if (program === undefined)
    return Promise.reject(new EnvironmentError('spawn-failed', `${command} was not found.`, { command: argv }));
  const cwd = options.cwd ?? childCwd();
  return new Promise<RunResult>((resolve, reject) => {
    const tail: string[] = [];
    const stdoutChunks: string[] = [];
    const lineTo =
      (stream: 'stdout' | 'stderr') =>
      (raw: string): void => {
        const line = redact(raw);
        tail.push(line);
        if (tail.length > tailMax) tail.shift();
        sink?.(line, stream);
      };
    let child;
    try {
      child = spawn(program, [...args], {
        cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
        shell: false,
      });
    } catch (e) {
      reject(
        new EnvironmentError('spawn-failed', `Could not start ${command}: ${(e as Error).message}`, { command: argv }),
      );
      return;
    }
    let stopping: 'cancelled' | 'timeout' | null = null;
    let killed: Promise<void> | null = null;
    const stop = (why: 'cancelled' | 'timeout'): void => {
      if (stopping || child.pid === undefined) return;
      stopping = why;
      killed = killProcessTree(child.pid);
    };
    const onAbort = (): void => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
    const out = new LineSplitter(lineTo('stdout'));
    const err = new LineSplitter(lineTo('stderr'));
    child.stdout.on('data', (c: Buffer) => {
      if (options.captureStdout) stdoutChunks.push(c.toString('utf8'));
      out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => err.push(c));
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let spawnError: Error | null = null;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, sig) => {
      out.end();
      err.end();
      signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      const finish = (): void => {
        if (spawnError && child.pid === undefined) {
          const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
          const why = !missing
            ? `Could not start ${command}: ${spawnError.message}`
            : !existsSync(cwd)
              ? `Could not start ${command}: its working folder ${cwd} does not exist.`
              : `${command} was not found.`;
          reject(new EnvironmentError('spawn-failed', why, { command: argv }));
        } else if (stopping === 'cancelled') {
          reject(
            new EnvironmentError('cancelled', `Cancelled: ${nodePath.basename(command)} was stopped.`, {
              command: argv,
              exitCode: code,
              signal: sig,
              lastLines: [...tail],
            }),
          );
        } else if (stopping === 'timeout') {
          reject(
            new EnvironmentError(
              'timeout',
              `${nodePath.basename(command)} ran longer than ${options.timeoutMs} ms and was stopped.`,
              { command: argv, exitCode: code, signal: sig, lastLines: [...tail] },
            ),
          );
        } else {
          resolve({ exitCode: code ?? (sig ? 128 : 1), lastLines: [...tail], stdout: stdoutChunks.join('') });
        }
      };
      // A cancelled run settles only once the whole tree is gone: callers remove folders next.
      if (killed) void killed.then(finish);
      else finish();
    });
  });
}

/** Lines of a tool's output that state its error (pip's `ERROR:`, conda's `...Error:`, micromamba's `critical`). */
export function errorLines(lines: readonly string[]): string[] {
  const re =
    /^\s*(ERROR\b|error:|critical\b|\w*(Error|Exception)\b:?|Traceback|CondaError|PackagesNotFoundError|LibMambaUnsatisfiableError|Could not|No matching distribution|× )/;
  return lines.filter((l) => re.test(l));
}

/** The message of a failed run: what failed, and the tool's own error lines (or its last lines when it named none). */
export function failureMessage(what: string, result: { exitCode: number; lastLines: readonly string[] }): string {
  const nonEmpty = result.lastLines.filter((l) => l.trim() !== '');
  const errors = errorLines(nonEmpty);
  const shown = (errors.length ? errors : nonEmpty).slice(-8);
  return `${what} failed (exit code ${result.exitCode})${shown.length ? `:\n${shown.join('\n')}` : '.'}`;
}

/** {@link runProcess}, rejecting with `failed` (message: {@link failureMessage}) when the exit code is not 0. */
export async function runChecked(
  what: string,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runProcess(command, args, options);
  if (result.exitCode !== 0) {
    throw new EnvironmentError('failed', failureMessage(what, result), {
      command: [command, ...args],
      exitCode: result.exitCode,
      lastLines: result.lastLines,
    });
  }
  return result;
}
