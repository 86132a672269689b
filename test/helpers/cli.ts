// The built CLI as a child process for CLI tests: asynchronous, so a loopback index in the test's own process can
// answer it.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { isolatedPipEnv } from './package-index';

export const CLI = path.resolve('dist/cli.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process (ms). */
  ms: number;
}

/** Runs `node dist/cli.js ...args` in `cwd` (pip's configuration isolated unless `env` says otherwise). */
export function runCli(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = isolatedPipEnv(),
  timeoutMs = 120_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}
