// The contract between the analysis and the checks: a check is a pure function of an environment set and a context.
import type { Dependency, Finding, ParsedFile, Severity } from '../model/types';
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
