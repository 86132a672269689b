// Judging a requirements list with pip's own resolver (an isolated `pip install --dry-run --report`) and with ours,
// over the same index.
import { execFile, execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { targetFromProfile, type Target } from '../server/src/index/candidates';
import { MetadataProvider } from '../server/src/index/provider';
import { canonicalizeName } from '../server/src/pep/name';
import { resolve } from '../server/src/resolver/solver';
import type { Resolution } from '../server/src/resolver/types';
import { isolatedPipEnv } from '../test/helpers/package-index';

/** pip's verdict: the versions it would install, or why it would not. */
export type PipVerdict =
  | { ok: true; versions: Map<string, string>; ms: number }
  | { ok: false; kind: 'no-resolution'; message: string; ms: number }
  /** pip failed for another reason (a crash, a network error): never a verdict. */
  | { ok: false; kind: 'error'; message: string; ms: number };

let realPython: string | undefined;
/**
 * The interpreter `python3` runs, by its real path: a pyenv shim would run pyenv's rehash hook after every
 * `pip install`, which races with another test's pip run (its shims folder is not writable to both at once).
 */
export function python3(): string {
  if (realPython === undefined) {
    try {
      realPython =
        execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
          timeout: 30_000,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim() || 'python3';
    } catch {
      realPython = 'python3';
    }
  }
  return realPython;
}

/** `python3 -m pip --version`, or null when pip cannot run here (synchronous, so tests can decide to skip up front). */
export function pipVersion(python = python3()): string | null {
  try {
    return execFileSync(python, ['-m', 'pip', '--version'], {
      env: isolatedPipEnv(),
      timeout: 30_000,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** This interpreter and machine as a resolver target: what `python3` says of its version, architecture and libc. */
export async function localTarget(python = python3()): Promise<Target> {
  const code =
    'import json,platform,sys; print(json.dumps([platform.python_version(), ' +
    'platform.machine(), platform.libc_ver(), sys.platform, sys.implementation.name]))';
  const out = await new Promise<string>((done, fail) =>
    execFile(python, ['-c', code], { timeout: 30_000 }, (err, stdout) => (err ? fail(err) : done(stdout))),
  );
  const [version, machine, libc, platform, impl] = JSON.parse(out) as [
    string,
    string,
    [string, string],
    string,
    string,
  ];
  if (platform !== 'linux') throw new Error(`the pip differential runs on linux, not ${platform}`);
  return targetFromProfile({
    os: 'linux',
    arch: machine,
    ...(libc[0] === 'glibc' ? { libc: { kind: 'glibc' as const, version: libc[1] } } : {}),
    python: { version, implementation: impl },
  });
}

/**
 * pip's dry run of `requirements` against `indexUrl` only, isolated from this machine's pip configuration and
 * installed packages, in `workDir` (which must exist). ResolutionImpossible and "no matching distribution" are a
 * `no-resolution` verdict; any other failure is an `error`.
 */
export async function pipDryRun(
  requirements: readonly string[],
  indexUrl: string,
  workDir: string,
  python = python3(),
  /** pip's own cache folder (its HTTP cache of index pages and wheels); without it pip runs with no cache. */
  cacheDir?: string,
): Promise<PipVerdict> {
  const reqFile = path.join(workDir, 'requirements.txt');
  const report = path.join(workDir, 'report.json');
  await fs.writeFile(reqFile, requirements.join('\n') + '\n');
  await fs.rm(report, { force: true });
  const args = [
    '-m',
    'pip',
    'install',
    '--dry-run',
    '--ignore-installed',
    '--quiet',
    '--report',
    report,
    '-r',
    reqFile,
    '--index-url',
    indexUrl,
  ];
  const started = process.hrtime.bigint();
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((done) => {
    execFile(
      python,
      args,
      { env: pipEnv(cacheDir), cwd: workDir, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr: String(stderr) });
      },
    );
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (code === 0) {
    const data = JSON.parse(await fs.readFile(report, 'utf8')) as {
      install: Array<{ metadata: { name: string; version: string } }>;
    };
    return {
      ok: true,
      versions: new Map(data.install.map((i) => [canonicalizeName(i.metadata.name), i.metadata.version])),
      ms,
    };
  }
  const message = stderr.trim();
  if (
    /ResolutionImpossible|No matching distribution found|conflicting dependencies|Could not find a version that satisfies/.test(
      message,
    )
  )
    return { ok: false, kind: 'no-resolution', message, ms };
  return { ok: false, kind: 'error', message: `pip exited with ${code}: ${message}`, ms };
}

function pipEnv(cacheDir: string | undefined): NodeJS.ProcessEnv {
  const env = isolatedPipEnv();
  if (cacheDir === undefined) return env;
  delete env.PIP_NO_CACHE_DIR;
  env.PIP_CACHE_DIR = cacheDir;
  return env;
}

/** A provider over `indexUrl` alone for `target`. */
export function indexProvider(indexUrl: string, target: Target, cacheDir: string | null = null): MetadataProvider {
  return new MetadataProvider({
    indexes: { indexUrls: [indexUrl], findLinks: [], noIndex: false },
    target,
    cacheDir,
    http: { timeoutMs: 10_000 },
  });
}

/** Our resolution of `requirements` for `target`, and how long it took (ms). */
export async function ourResolution(
  requirements: readonly string[],
  provider: MetadataProvider,
  target: Target,
): Promise<{ result: Resolution<number>; ms: number }> {
  const started = process.hrtime.bigint();
  const result = await resolve(
    requirements.map((requirement, i) => ({ requirement, origin: i + 1 })),
    provider,
    {
      markerEnvironment: target.markers,
      python: target.pythonFullVersion,
      describeOrigin: (o) => `requirements.txt:${o}`,
    },
  );
  return { result, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
