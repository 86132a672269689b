// The machine an analysis judges against: a profile file, or this machine probed (with an interpreter), and that
// interpreter's installed packages.
import * as path from 'node:path';
import { readInstalled } from '../index/installed';
import { loadProfile, ProfileError, type MachineProfile } from '../system/profile';
import { probe, probePython } from '../system/probe';
import { cachedProbe } from '../system/probe-cache';
import type { InstalledReport } from '../model/reports';

/** What the checks judge against, with what went wrong finding it (each front end reports problems its own way). */
export interface Target {
  profile: MachineProfile;
  /**
   * How messages name the machine: "this machine" when it was probed, "the profile gpu.json" when a profile file was
   * loaded; absent for a profile built in code ("the target machine").
   */
  machine?: string;
  /** The interpreter's installed distributions (installed-mismatch), when one was named and could be read. */
  installed?: InstalledReport;
  /** The profile file could not be loaded (this machine was probed instead). */
  profileProblem?: string;
  /** The interpreter could not be run (markers use `fallbackPython` or a default Python). */
  pythonProblem?: string;
  /** The interpreter ran but its environment could not be read. */
  installedProblem?: string;
}

export interface TargetRequest {
  /** A machine profile file (absolute); wins over probing. */
  profileFile?: string;
  /** The interpreter whose Python and environment are judged against (`--python`, the active environment). */
  python?: string;
  /** When the interpreter cannot run, probe this one for the Python version instead (the server: `python3`). */
  fallbackPython?: string;
  /**
   * Remember this machine's probe under this folder between runs (the command line); undefined: probe once per process.
   */
  probeCacheDir?: string;
}

/** The installed distributions of an interpreter's environment; throws when it cannot be read. */
export async function installedReport(python: string): Promise<InstalledReport> {
  const env = await readInstalled(python);
  return {
    name: path.basename(env.prefix) || env.prefix,
    packages: new Map([...env.packages].map(([n, p]) => [n, p.version])),
  };
}

/**
 * Loads the profile file, or probes this machine (and the interpreter's environment). Never throws; problems are
 * fields.
 */
export async function loadTarget(req: TargetRequest): Promise<Target> {
  let profileProblem: string | undefined;
  let profile: MachineProfile | undefined;
  if (req.profileFile) {
    try {
      profile = loadProfile(req.profileFile);
    } catch (e) {
      profileProblem = e instanceof ProfileError ? e.message : String(e);
    }
  }
  if (!profile)
    profile = req.probeCacheDir ? await cachedProbe(req.python, req.probeCacheDir) : await probe(req.python);
  const machine =
    req.profileFile && !profileProblem ? `the profile ${req.profileFile.split(/[\\/]/).pop()}` : 'this machine';
  const out: Target = { profile, machine, ...(profileProblem ? { profileProblem } : {}) };
  if (!req.python) return out;
  if (!req.profileFile && !profile.python) {
    out.pythonProblem = `could not run the interpreter '${req.python}'`;
    const fallback = req.fallbackPython ? await probePython(req.fallbackPython) : undefined;
    if (fallback) profile.python = fallback;
    return out;
  }
  try {
    out.installed = await installedReport(req.python);
  } catch (e) {
    out.installedProblem = `could not read the environment of '${req.python}': ${(e as Error).message}`;
  }
  return out;
}
