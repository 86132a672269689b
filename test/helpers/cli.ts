// The built CLI as a child process for CLI tests: asynchronous, so a loopback index in the test's own process can
// answer it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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

/** Runs `node [nodeArgs] dist/cli.js ...args` in `cwd` (pip's configuration isolated unless `env` says otherwise). */
export function runCli(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = isolatedPipEnv(),
  timeoutMs = 120_000,
  nodeArgs: readonly string[] = [],
): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { cwd, env });
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

/** One diagnostic of `check --format json` (zero-based lines and characters, as in LSP). */
export interface JsonDiagnostic {
  file: string;
  code: string;
  severity: string;
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  related: {
    file: string;
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    message: string;
  }[];
  fixes: {
    title: string;
    edits: {
      file: string;
      range: { start: { line: number; character: number }; end: { line: number; character: number } };
      newText: string;
    }[];
    run?: string;
    /** What the title leaves out (a bound the fix crosses). */
    detail?: string;
  }[];
}

/**
 * `check ...args --format json` in `cwd`: exit 0 or 1 (anything else fails the test, with stderr), the diagnostics
 * parsed.
 */
export async function checkJson(
  args: readonly string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): Promise<CliRun & { diagnostics: JsonDiagnostic[] }> {
  const r = await runCli(['check', ...args, '--format', 'json'], cwd, env, undefined, nodeArgs);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  return { ...r, diagnostics: (JSON.parse(r.stdout) as { diagnostics: JsonDiagnostic[] }).diagnostics };
}

/** A profile of a Linux x86_64 machine with glibc 2.36 and CPython 3.11.7, written to `dir/machine.json`: its path. */
export function writeLinuxProfile(dir: string): string {
  const file = path.join(dir, 'machine.json');
  writeFileSync(
    file,
    JSON.stringify({
      os: 'linux',
      arch: 'x86_64',
      libc: { kind: 'glibc', version: '2.36' },
      python: { version: '3.11.7', implementation: 'cpython' },
    }),
  );
  return file;
}

/**
 * `check` of one folder below `dir` over one index and a machine profile, with a cache folder of its own beside it
 * (`<folder>.cache`): the findings of a project judged in isolation from the other folders of a test file.
 */
export async function checkFolder(
  dir: string,
  folder: string,
  opts: { indexUrl: string; profile: string; extra?: readonly string[]; env?: NodeJS.ProcessEnv },
): Promise<CliRun & { diagnostics: JsonDiagnostic[] }> {
  return checkJson(
    [
      path.join(dir, folder),
      '--index-url',
      opts.indexUrl,
      '--profile',
      opts.profile,
      '--cache-dir',
      path.join(dir, folder + '.cache'),
      ...(opts.extra ?? []),
    ],
    dir,
    opts.env,
  );
}

/**
 * The lines (one-based) that findings take part in: each finding's own line and its related lines in the same file. A
 * cause is one finding (on the line its preferred fix edits, the other lines related), so a test of which lines a
 * conflict involves reads them here.
 */
export function causeLines(found: readonly JsonDiagnostic[]): number[] {
  const lines = new Set<number>();
  for (const d of found) {
    lines.add(d.range.start.line + 1);
    for (const r of d.related) if (r.file === d.file) lines.add(r.range.start.line + 1);
  }
  return [...lines].sort((a, b) => a - b);
}
