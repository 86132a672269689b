// Finds the Python interpreters of this machine (PATH, pyenv, system, Homebrew, python.org, ~/.local/bin, the py
// launcher), probes each, and picks the newest that fits `requires-python`.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { SpecifierSet } from '../../../server/src/pep/specifier';
import { Version } from '../../../server/src/pep/version';
import { runProcess } from './process';

/** Where an interpreter was found. */
export type InterpreterSource =
  | 'configured'
  | 'path'
  | 'py-launcher'
  | 'pyenv'
  | 'system'
  | 'homebrew'
  | 'framework'
  | 'local-bin'
  | 'windows-store'
  | 'windows-install';

/** Why a venv with pip cannot be created with an interpreter, and what fixes it. */
export interface VenvProblem {
  message: string;
  /** A command that fixes it (e.g. `apt-get install python3.11-venv`), or undefined. */
  fix?: string;
}

/** A probed base interpreter (virtual environments are listed by `discoverEnvironments`, not here). */
export interface Interpreter {
  /** The path it was found at (what to run). */
  path: string;
  /** `sys.executable`. */
  executable: string;
  /** `platform.python_version()`, e.g. `3.11.7`. */
  version: string;
  /** `sys.version_info[:3]`. */
  versionInfo: [number, number, number];
  /** `platform.python_implementation()` in lower case: `cpython`, `pypy`, ... */
  implementation: string;
  source: InterpreterSource;
  prefix: string;
  /** `sys.base_prefix`: differs from `prefix` inside a virtual environment. */
  basePrefix: string;
  /** Whether the `venv` and `ensurepip` modules are there. */
  hasVenv: boolean;
  hasEnsurepip: boolean;
  /** Null when `python -m venv` (with pip) can work. */
  venvProblem: VenvProblem | null;
}

/** Options of {@link discoverInterpreters}. */
export interface DiscoverInterpretersOptions {
  /** Environment variables to read PATH, PYENV_ROOT, LOCALAPPDATA from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homeDir?: string;
  /** Interpreters named by the user (a setting); probed first. Only pass them in a trusted workspace. */
  extraPaths?: readonly string[];
  /**
   * Whether to look in the usual install folders besides PATH (default true). Tests turn it off to control what is
   * found.
   */
  searchInstallFolders?: boolean;
  signal?: AbortSignal;
  /** Per-probe time limit (default 10 s). */
  probeTimeoutMs?: number;
}

/**
 * Prints what we need to know about an interpreter as JSON; runs on Python 2.7 and 3.x (2.7 is reported, never chosen).
 */
const PROBE = `
import json, os, platform, sys, sysconfig
def has(m):
    try:
        import importlib.util as u
        return u.find_spec(m) is not None
    except ImportError:
        import imp
        try:
            imp.find_module(m)
            return True
        except ImportError:
            return False
stdlib = sysconfig.get_path("stdlib")
debian = False
try:
    with open(os.path.join(stdlib, "venv", "__init__.py")) as f:
        debian = "python3-venv" in f.read()
except Exception:
    pass
print(json.dumps({"version": platform.python_version(), "info": list(sys.version_info[:3]),
  "impl": platform.python_implementation().lower(), "executable": sys.executable, "prefix": sys.prefix,
  "base_prefix": getattr(sys, "base_prefix", getattr(sys, "real_prefix", sys.prefix)),
  "venv": has("venv"), "ensurepip": has("ensurepip"), "debian": debian,
  "short": "%d.%d" % sys.version_info[:2]}))
`;

interface ProbeAnswer {
  version: string;
  info: [number, number, number];
  impl: string;
  executable: string;
  prefix: string;
  base_prefix: string;
  venv: boolean;
  ensurepip: boolean;
  debian: boolean;
  short: string;
}

/** What a venv needs that the interpreter lacks, with the Debian/Ubuntu package that brings it. */
export function venvProblemOf(p: {
  version: string;
  hasVenv: boolean;
  hasEnsurepip: boolean;
  debianPatched: boolean;
  path: string;
}): VenvProblem | null {
  if (p.hasVenv && p.hasEnsurepip) return null;
  const [major, minor] = p.version.split('.');
  const short = `${major}.${minor}`;
  if (major === '2') return { message: `Python ${p.version} (${p.path}) is Python 2, which has no venv module.` };
  const missing = p.hasVenv ? 'ensurepip' : 'venv';
  if (p.debianPatched || (!p.hasVenv && p.path.startsWith('/usr/bin/'))) {
    const pkg = `python${short}-venv`;
    return {
      message:
        `Python ${p.version} (${p.path}) cannot create a virtual environment: Debian and Ubuntu ship '${missing}' ` +
        `in the separate package ${pkg}. Install it (as root, e.g. with sudo): apt-get install ${pkg}`,
      fix: `apt-get install ${pkg}`,
    };
  }
  return {
    message:
      `Python ${p.version} (${p.path}) has no '${missing}' module, so it cannot create a virtual ` +
      `environment with pip. Use another interpreter, or create the environment without pip.`,
  };
}

/** Probes one interpreter; undefined when it does not run or does not answer. */
export async function probeInterpreter(
  path: string,
  source: InterpreterSource,
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Interpreter | undefined> {
  try {
    // -I: ignore PYTHON* variables, user site-packages and the working folder, so the answer is about the interpreter
    // itself and no file of a workspace is imported. Python 2 has no -I: -E -s, and the working folder taken off
    // sys.path before anything is imported from it.
    const run = (args: string[]) =>
      runProcess(path, args, {
        env: opts.env,
        signal: opts.signal,
        timeoutMs: opts.timeoutMs ?? 10_000,
        captureStdout: true,
      });
    let r = await run(['-I', '-c', PROBE]);
    if (r.exitCode !== 0 && r.lastLines.some((l) => /unknown option/i.test(l)))
      r = await run([
        '-E',
        '-s',
        '-c',
        `import sys; sys.path[:] = [p for p in sys.path if p not in ("", ".")]\n${PROBE}`,
      ]);
    if (r.exitCode !== 0) return undefined;
    const a = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as ProbeAnswer;
    return {
      path,
      executable: a.executable || path,
      version: a.version,
      versionInfo: a.info,
      implementation: a.impl,
      source,
      prefix: a.prefix,
      basePrefix: a.base_prefix,
      hasVenv: a.venv,
      hasEnsurepip: a.ensurepip,
      venvProblem: venvProblemOf({
        version: a.version,
        hasVenv: a.venv,
        hasEnsurepip: a.ensurepip,
        debianPatched: a.debian,
        path,
      }),
    };
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    return undefined;
  }
}

const POSIX_NAME = /^python(3(\.\d+)?)?$/;
const WINDOWS_NAME = /^python(3)?\.exe$/i;

async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    await fs.access(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Candidate paths in search order, each with its source; duplicates are removed after probing. */
async function candidates(
  o: Required<Pick<DiscoverInterpretersOptions, 'platform' | 'homeDir'>> &
    DiscoverInterpretersOptions & { env: NodeJS.ProcessEnv },
): Promise<Array<{ path: string; source: InterpreterSource }>> {
  const out: Array<{ path: string; source: InterpreterSource }> = [];
  const win = o.platform === 'win32';
  const join = win ? nodePath.win32.join : nodePath.posix.join;
  const nameRe = win ? WINDOWS_NAME : POSIX_NAME;
  const addDir = async (dir: string, source: InterpreterSource): Promise<void> => {
    for (const n of (await listDir(dir)).sort()) if (nameRe.test(n)) out.push({ path: join(dir, n), source });
  };
  for (const p of o.extraPaths ?? []) out.push({ path: p, source: 'configured' });
  const pathVar = o.env.PATH ?? o.env.Path ?? '';
  for (const dir of pathVar.split(win ? ';' : ':')) {
    // pyenv's shims only re-dispatch to a version we enumerate below; Windows' Store aliases open the Store.
    if (!dir || /[\\/]shims[\\/]?$/.test(dir) || /WindowsApps/i.test(dir)) continue;
    await addDir(dir, 'path');
  }
  if (o.searchInstallFolders === false) return out;
  if (win) {
    const launcher = await pyLauncherPaths(o.env);
    for (const p of launcher) out.push({ path: p, source: 'py-launcher' });
    const local = o.env.LOCALAPPDATA;
    if (local) {
      const base = join(local, 'Programs', 'Python');
      for (const d of await listDir(base)) out.push({ path: join(base, d, 'python.exe'), source: 'windows-install' });
    }
  }
  const pyenvRoot = o.env.PYENV_ROOT || join(o.homeDir, '.pyenv');
  const versions = join(pyenvRoot, 'versions');
  for (const v of (await listDir(versions)).sort()) {
    const dir = join(versions, v);
    // pyenv-virtualenv environments live here too (a pyvenv.cfg or a link into versions/X/envs): they are environments.
    try {
      if ((await fs.lstat(dir)).isSymbolicLink()) continue;
      await fs.access(join(dir, 'pyvenv.cfg'));
      continue;
    } catch {
      // No pyvenv.cfg: a real installation.
    }
    out.push({ path: win ? join(dir, 'python.exe') : join(dir, 'bin', 'python'), source: 'pyenv' });
  }
  if (!win) {
    await addDir('/usr/bin', 'system');
    await addDir('/usr/local/bin', 'system');
    await addDir('/opt/homebrew/bin', 'homebrew');
    await addDir('/home/linuxbrew/.linuxbrew/bin', 'homebrew');
    const fw = '/Library/Frameworks/Python.framework/Versions';
    for (const v of await listDir(fw)) out.push({ path: join(fw, v, 'bin', 'python3'), source: 'framework' });
    await addDir(join(o.homeDir, '.local', 'bin'), 'local-bin');
  }
  return out;
}

/** Interpreters the Windows `py` launcher knows (`py -0p`); none where there is no launcher. */
async function pyLauncherPaths(env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    const r = await runProcess('py', ['-0p'], { env, timeoutMs: 10_000, captureStdout: true });
    if (r.exitCode !== 0) return [];
    // ` -V:3.12 *        C:\Python312\python.exe` (3.11+ launcher) or ` -3.9-64        C:\...\python.exe`.
    return r.stdout
      .split(/\r?\n/)
      .map((l) => /\s([A-Za-z]:\\.*?python[^\\]*\.exe)\s*$/i.exec(l)?.[1])
      .filter((p): p is string => !!p);
  } catch {
    return [];
  }
}

/** Runs `fn` over `items` with at most `limit` running at once, keeping the order of the results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Finds and probes the base interpreters of this machine: `extraPaths`, PATH (`python3`, `python3.X`,
 * `python`; pyenv shims skipped), the `py` launcher and `%LOCALAPPDATA%\Programs\Python` on Windows,
 * pyenv versions, `/usr/bin` and `/usr/local/bin`, Homebrew, python.org framework builds and
 * `~/.local/bin`. Each interpreter appears once (by real path of `sys.executable` and prefix), under
 * the first place it was found; interpreters inside virtual environments are left out. Sorted newest first.
 */
export async function discoverInterpreters(options: DiscoverInterpretersOptions = {}): Promise<Interpreter[]> {
  const env = options.env ?? process.env;
  const o = {
    ...options,
    env,
    platform: options.platform ?? process.platform,
    homeDir: options.homeDir ?? os.homedir(),
  };
  const seenPaths = new Set<string>();
  const unique: Array<{ path: string; source: InterpreterSource }> = [];
  for (const c of await candidates(o)) {
    let real: string;
    try {
      real = await fs.realpath(c.path);
    } catch {
      continue;
    }
    // python3 -> python3.11 links are one interpreter; probe it once.
    if (seenPaths.has(real) || !(await isExecutableFile(c.path))) continue;
    seenPaths.add(real);
    unique.push(c);
  }
  const probed = await mapLimited(unique, 8, (c) =>
    probeInterpreter(c.path, c.source, { env, signal: options.signal, timeoutMs: options.probeTimeoutMs }),
  );
  const result: Interpreter[] = [];
  const seen = new Set<string>();
  for (const p of probed) {
    if (!p || p.prefix !== p.basePrefix) continue;
    let key: string;
    try {
      key = `${await fs.realpath(p.executable)}\0${p.prefix}`;
    } catch {
      key = `${p.executable}\0${p.prefix}`;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(p);
  }
  return result.sort(compareInterpreters);
}

/** Newest version first; CPython before other implementations of the same version; then by path. */
export function compareInterpreters(a: Interpreter, b: Interpreter): number {
  for (let i = 0; i < 3; i++) {
    const d = (b.versionInfo[i] ?? 0) - (a.versionInfo[i] ?? 0);
    if (d !== 0) return d;
  }
  const ca = a.implementation === 'cpython' ? 0 : 1;
  const cb = b.implementation === 'cpython' ? 0 : 1;
  return ca - cb || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** One interpreter as a choice: whether it satisfies `requires-python` and can create a venv. */
export interface RankedInterpreter {
  interpreter: Interpreter;
  satisfiesRequiresPython: boolean;
  /** False for Python 2 and interpreters with a {@link VenvProblem}. */
  canCreateVenv: boolean;
}

/**
 * Orders interpreters for a picker: those that satisfy `requiresPython` (a PEP 440 specifier set, as
 * pyproject's `requires-python`; empty or unparsable: no constraint) and can create a venv first, newest
 * first within each group. As pip does, the check uses `sys.version_info[:3]` (a 3.14.0a1 interpreter is judged as
 * 3.14.0).
 */
export function rankInterpreters(interpreters: readonly Interpreter[], requiresPython?: string): RankedInterpreter[] {
  let spec: SpecifierSet | null = null;
  if (requiresPython && requiresPython.trim()) {
    try {
      spec = SpecifierSet.parse(requiresPython);
    } catch {
      spec = null;
    }
  }
  const ranked = interpreters.map((interpreter) => {
    const v = Version.parse(interpreter.versionInfo.join('.'));
    return {
      interpreter,
      satisfiesRequiresPython: spec === null || (v !== null && spec.contains(v, true)),
      canCreateVenv: interpreter.versionInfo[0] >= 3 && interpreter.venvProblem === null,
    };
  });
  const group = (r: RankedInterpreter): number => (r.satisfiesRequiresPython ? 0 : 2) + (r.canCreateVenv ? 0 : 1);
  return ranked.sort((a, b) => group(a) - group(b) || compareInterpreters(a.interpreter, b.interpreter));
}

/** The newest interpreter that satisfies `requiresPython` and can create a venv; undefined when none does. */
export function chooseInterpreter(
  interpreters: readonly Interpreter[],
  requiresPython?: string,
): Interpreter | undefined {
  const best = rankInterpreters(interpreters, requiresPython)[0];
  return best && best.satisfiesRequiresPython && best.canCreateVenv ? best.interpreter : undefined;
}
