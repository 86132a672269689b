// The contract between the analysis and the checks: a check is a pure function of an environment set and a context.
import type { Code } from '../model/codes';
import type { Dependency, Finding } from '../model/types';
import type { MarkerEnvironment } from '../pep/marker';
import type { MachineProfile } from '../system/profile';
import type { EnvironmentSet } from '../model/sets';
import type {
  CondaSolveReport,
  InstalledReport,
  PipOnCondaReport,
  PixiSolveReport,
  SetIndexReport,
  VulnerabilityReport,
} from '../model/reports';

export interface CheckContext {
  /** Markers are evaluated against this environment (the profile's or interpreter's Python and platform). */
  markerEnvironment: MarkerEnvironment;
  /** The machine judged against (a profile file, or this machine's probe); unknown fields are omitted. */
  profile: MachineProfile;
  /** How messages name that machine ("this machine", "the profile gpu.json"); absent: "the target machine". */
  machine?: string;
  /** What the package index said about each set (by `EnvironmentSet.root`); absent in the fast stage and offline. */
  index?: ReadonlyMap<string, SetIndexReport>;
  /**
   * The machine's own Python where the set is judged for another (a project's requires-python, an environment.yml's
   * pin); absent when the set is judged for the machine's.
   */
  machinePython?: string;
  /** The active environment's installed distributions, when an interpreter is known (and trusted). */
  installed?: InstalledReport;
  /**
   * Known advisories of each set's pinned or resolved versions (by `EnvironmentSet.root`), from the vulnerability
   * stage.
   */
  vulnerabilities?: ReadonlyMap<string, VulnerabilityReport>;
  /**
   * What conda's solve said about each set with an environment.yml (by `EnvironmentSet.root`); absent in the fast
   * stage.
   */
  conda?: ReadonlyMap<string, CondaSolveReport>;
  /**
   * What pip does to conda's solution when it installs each environment.yml's `pip:` part on top (by
   * `EnvironmentSet.root`); only where conda solved and the index could be asked.
   */
  pipOnConda?: ReadonlyMap<string, PipOnCondaReport>;
  /**
   * Each pixi manifest's environments solved as pixi solves them, per platform the machine runs (by
   * `EnvironmentSet.root`); absent in the fast stage.
   */
  pixi?: ReadonlyMap<string, PixiSolveReport>;
}

/** One diagnostic code: its module exports one of these, listed in `registry.ts`. */
export interface Check {
  /** Its default severity is `CODES[code]`; `checks.severityOverrides` can change it or turn the check off. */
  code: Code;
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
