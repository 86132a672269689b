// The Python environment type, and reading one from its folder (pyvenv.cfg or conda-meta) without running it.
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';

/** How an environment is managed. */
export type EnvironmentKind = 'venv' | 'conda';

/** Where an environment was found. */
export type EnvironmentSource = 'workspace' | 'conda' | 'workon-home' | 'pyenv' | 'created';

/** A virtual or conda environment. */
export interface PythonEnvironment {
  kind: EnvironmentKind;
  source: EnvironmentSource;
  /** The folder name; for conda the name `conda activate` takes, `base` for the root prefix. */
  name: string;
  /** Absolute path of the environment folder. */
  prefix: string;
  /** The environment's interpreter (it may be missing in a conda environment without python). */
  python: string;
  /** Python version (`3.11.7`), from pyvenv.cfg or conda-meta, or null when unknown. */
  version: string | null;
  /** For conda: the name it was created with (`-n`), or null for a prefix environment (`-p`). */
  condaName?: string | null;
}

/**
 * The interpreter of an environment folder: `bin/python` (POSIX), `Scripts\python.exe` (venv on Windows) or
 * `python.exe` (conda on Windows).
 */
export function environmentPython(
  prefix: string,
  kind: EnvironmentKind,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return nodePath.win32.join(prefix, kind === 'venv' ? 'Scripts' : '', 'python.exe');
  return nodePath.posix.join(prefix, 'bin', 'python');
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Parses pyvenv.cfg (`key = value` lines). */
export function parsePyvenvCfg(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^=#]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1]!.toLowerCase(), m[2]!);
  }
  return out;
}

/** Which kind of environment a folder holds, or null when it holds none. */
export async function environmentKindAt(prefix: string): Promise<EnvironmentKind | null> {
  // A real prefix has one or the other; conda-meta decides when both are there.
  if (await exists(nodePath.join(prefix, 'conda-meta'))) return 'conda';
  if (await exists(nodePath.join(prefix, 'pyvenv.cfg'))) return 'venv';
  return null;
}

/** The Python version recorded in a conda prefix (`conda-meta/python-3.11.7-<build>.json`). */
async function condaPythonVersion(prefix: string): Promise<string | null> {
  let names: string[];
  try {
    names = await fs.readdir(nodePath.join(prefix, 'conda-meta'));
  } catch {
    return null;
  }
  for (const n of names) {
    const m = /^python-(\d+\.\d+(?:\.\d+)?[^-]*)-[^-]+\.json$/.exec(n);
    if (m) return m[1]!;
  }
  return null;
}

/**
 * Reads the environment in `prefix` (a venv by its pyvenv.cfg, a conda environment by its conda-meta),
 * or undefined when the folder holds neither. Nothing is run.
 */
export async function readEnvironment(
  prefix: string,
  source: EnvironmentSource,
  platform: NodeJS.Platform = process.platform,
): Promise<PythonEnvironment | undefined> {
  const abs = nodePath.resolve(prefix);
  const kind = await environmentKindAt(abs);
  if (!kind) return undefined;
  if (kind === 'venv') {
    let version: string | null = null;
    try {
      const cfg = parsePyvenvCfg(await fs.readFile(nodePath.join(abs, 'pyvenv.cfg'), 'utf8'));
      // `version` (venv), `version_info` (virtualenv: 3.11.7.final.0).
      const v = cfg.get('version') ?? cfg.get('version_info');
      version = v ? (/^\d+\.\d+(\.\d+)?/.exec(v)?.[0] ?? null) : null;
    } catch {
      version = null;
    }
    return {
      kind,
      source,
      name: nodePath.basename(abs),
      prefix: abs,
      python: environmentPython(abs, kind, platform),
      version,
    };
  }
  const parent = nodePath.basename(nodePath.dirname(abs));
  const isBase = (await exists(nodePath.join(abs, 'condabin'))) || (await exists(nodePath.join(abs, 'pkgs')));
  const condaName = parent === 'envs' ? nodePath.basename(abs) : isBase ? 'base' : null;
  return {
    kind,
    source,
    name: condaName ?? nodePath.basename(abs),
    prefix: abs,
    python: environmentPython(abs, kind, platform),
    version: await condaPythonVersion(abs),
    condaName,
  };
}
