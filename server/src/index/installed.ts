// Installed environments: one interpreter run for its paths and markers, then *.dist-info/METADATA read directly from
// disk.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { parseCoreMetadata } from './core-metadata';
import { childProcess } from '../system/lazy-modules';
import { childCwd, resolveProgram } from '../system/program-path';

/** One installed distribution. */
export interface InstalledPackage {
  /** The version as its metadata states it. */
  version: string;
  /** The `.dist-info` (or `.egg-info`) path. */
  location: string;
}

/** What `readInstalled` learns about an environment. */
export interface InstalledEnvironment {
  /** packaging's `default_environment()` of that interpreter. */
  markers: MarkerEnvironment;
  /** Normalized name -> the first distribution found on `sys.path` (the one `importlib.metadata` sees). */
  packages: Map<string, InstalledPackage>;
  /** `sys.path` entries that exist (directories searched). */
  paths: string[];
  prefix: string;
  /** `sys.version_info[:3]` as text. */
  pythonVersion: string;
}

/** Why an interpreter could not be asked. */
export class InterpreterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterpreterError';
  }
}

// Runs with -I (isolated: no user site, no PYTHON* variables, no cwd on sys.path) but then adds the user site
// back when the interpreter would normally use it, so the packages seen are the ones `python -m pip list` sees.
const PROBE = `
import json, os, platform, site, sys
paths = list(sys.path)
try:
    if site.ENABLE_USER_SITE is not False and not sys.flags.no_user_site:
        u = site.getusersitepackages()
        if u not in paths: paths.append(u)
except Exception:
    pass
impl = sys.implementation
iv = impl.version
impl_version = "{0.major}.{0.minor}.{0.micro}".format(iv)
if iv.releaselevel != "final":
    impl_version += iv.releaselevel[0] + str(iv.serial)
markers = {
    "implementation_name": impl.name,
    "implementation_version": impl_version,
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps({"paths": paths, "markers": markers, "prefix": sys.prefix, "version": ".".join(map(str, sys.version_info[:3]))}))
`;

interface ProbeOutput {
  paths: string[];
  markers: MarkerEnvironment;
  prefix: string;
  version: string;
}

/** Runs the interpreter once (argument array, no shell, timeout) and returns its paths and markers. */
function probe(python: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeOutput> {
  return new Promise((resolve, reject) => {
    const program = resolveProgram(python);
    if (program === undefined) {
      reject(new InterpreterError(`Cannot run ${python}: not found`));
      return;
    }
    childProcess().execFile(
      program,
      ['-I', '-c', PROBE],
      {
        timeout: timeoutMs,
        maxBuffer: 4 * 1024 * 1024,
        windowsHide: true,
        cwd: childCwd(),
        ...(signal ? { signal } : {}),
      },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new InterpreterError(
              `Cannot run ${python}: ` +
                `${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (stderr.trim().split('\n').pop() ?? err.message)}`,
            ),
          );
          return;
        }
        try {
          resolve(JSON.parse(stdout) as ProbeOutput);
        } catch {
          reject(new InterpreterError(`Unexpected output from ${python}`));
        }
      },
    );
  });
}

async function readMetadataFile(file: string): Promise<{ name: string; version: string } | null> {
  try {
    const md = parseCoreMetadata(await fs.readFile(file, 'utf8'));
    return md.name && md.version ? { name: md.name, version: md.version } : null;
  } catch {
    return null;
  }
}

/** The distributions in one directory: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and `*.egg-info` files. */
export async function scanSitePackages(dir: string): Promise<Map<string, InstalledPackage>> {
  const out = new Map<string, InstalledPackage>();
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch {
    return out;
  }
  const found = await Promise.all(
    names.map(async (n) => {
      const full = path.join(dir, n);
      if (n.endsWith('.dist-info')) return { full, md: await readMetadataFile(path.join(full, 'METADATA')) };
      if (n.endsWith('.egg-info')) {
        const st = await fs.stat(full).catch(() => null);
        if (!st) return null;
        return { full, md: await readMetadataFile(st.isDirectory() ? path.join(full, 'PKG-INFO') : full) };
      }
      return null;
    }),
  );
  for (const f of found) {
    if (!f?.md) continue;
    const key = canonicalizeName(f.md.name);
    if (!out.has(key)) out.set(key, { version: f.md.version, location: f.full });
  }
  return out;
}

/**
 * Asks `python` (an interpreter path) for its `sys.path`, prefix and marker environment, then reads every
 * distribution's metadata from those directories; the first occurrence of a name on `sys.path` wins.
 */
export async function readInstalled(
  python: string,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<InstalledEnvironment> {
  const info = await probe(python, opts.timeoutMs ?? 15000, opts.signal);
  const paths: string[] = [];
  for (const p of info.paths) {
    if (!p) continue;
    const st = await fs.stat(p).catch(() => null);
    if (st?.isDirectory()) paths.push(p);
  }
  const packages = new Map<string, InstalledPackage>();
  for (const dir of paths) for (const [k, v] of await scanSitePackages(dir)) if (!packages.has(k)) packages.set(k, v);
  return { markers: info.markers, packages, paths, prefix: info.prefix, pythonVersion: info.version };
}
