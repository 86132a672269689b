// The contract between the analysis and the checks: a check is a pure function of an environment set and a context.
import type { Dependency, Finding, Fix, ParsedFile, Severity } from '../model/types';
import type { MarkerEnvironment } from '../pep/marker';
import type { MachineProfile } from '../system/profile';

/** Files that are installed together: conflicts are judged across a set. */
export interface EnvironmentSet {
  /** The file the set grows from (a requirements file, an environment.yml or a lone pyproject.toml). */
  root: string;
  /** Every file of the set, the root first, each once. */
  files: ParsedFile[];
  /** Findings about how the files hang together (an unreadable `-r` target, an include cycle), at the including line. */
  findings: Finding[];
}

export interface CheckContext {
  /** Markers are evaluated against this environment (the profile's or interpreter's Python and platform). */
  markerEnvironment: MarkerEnvironment;
  /** The machine judged against (a profile file, or this machine's probe); unknown fields are omitted. */
  profile: MachineProfile;
  /** What the package index said about each set (by `EnvironmentSet.root`); absent in the fast stage and offline. */
  index?: ReadonlyMap<string, SetIndexReport>;
  /** The active environment's installed distributions, when an interpreter is known (and trusted). */
  installed?: InstalledReport;
  /** What conda's solve said about each set with an environment.yml (by `EnvironmentSet.root`); absent in the fast stage. */
  conda?: ReadonlyMap<string, import('../conda/solve').CondaSolveReport>;
}

/** The index stage's findings about one environment set, as data; the index-backed checks turn them into findings. */
export interface SetIndexReport {
  /** Why the index could not be asked (unreachable, 5xx): nothing else is known. Redacted, no credentials. */
  unavailable: string | null;
  /** Top-level requirements the index has no project or no matching version for. */
  missing: { dep: Dependency; kind: 'project' | 'version'; newest: string | null; where: string }[];
  /** Top-level requirements whose matching versions all exclude the target Python. */
  pythonExcluded: { dep: Dependency; python: string; requires: string[] }[];
  /** Top-level requirements whose best version has no wheel for the target: pip would build it. */
  sdistOnly: { dep: Dependency; version: string; target: string }[];
  /** No resolution exists: the top-level lines that take part, the numbered explanation, and fixes a resolver verified. */
  conflict: { roots: Dependency[]; explanation: string; fixes: { dep: Dependency; fix: Fix }[] } | null;
  /** The resolver stopped at its budget: what it says. */
  gaveUp: string | null;
}

/** The active environment, for `installed-mismatch`. */
export interface InstalledReport {
  /** How the environment reads in messages (its folder). */
  name: string;
  /** Normalized name -> installed version. */
  packages: ReadonlyMap<string, string>;
}

/** One diagnostic code: its module exports one of these, listed in `registry.ts`. */
export interface Check {
  code: string;
  /** Default severity; `checks.severityOverrides` can change it or turn the check off. */
  severity: Severity;
  /** One sentence for docs and hover. */
  description: string;
  run(set: EnvironmentSet, ctx: CheckContext): Finding[];
}

/** A dependency with the scope it is installed in: extras and groups add to the base, never to each other. */
export interface ScopedDependency {
  dep: Dependency;
  /** '' for what is always installed; else the optional scope (an extra or a group) that adds it. */
  scope: string;
}
