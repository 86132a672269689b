// A stage: work on one environment set that asks an index, an advisory source or conda's channels (or their caches) and
// returns a report, data the checks read. The analysis decides which stages a set needs, runs them and keeps each report
// while the set's texts are unchanged (`../stage-cache.ts`).
import type { CondaSolveReport } from '../../model/reports';
import type { EnvironmentSet } from '../../model/sets';
import type { MarkerEnvironment } from '../../pep/marker';
import type { MachineProfile } from '../../system/profile';
import type { AdvisorySource } from '../advisory-source';
import type { IndexContext } from '../index-context';

/** What a stage is given for one set: the machine, the index, the settings it reads, and the reports it builds on. */
export interface StageContext {
  /** The machine the set is judged for: the target, with the Python an environment.yml installs in place of its own. */
  profile: MachineProfile;
  markerEnvironment: MarkerEnvironment;
  /** The target itself: conda judges an environment for its platform and virtual packages. */
  machine: MachineProfile;
  /** The set's indexes, provider and target; null offline. */
  index: IndexContext | null;
  /** The cache folder (metadata, repodata); null: memory only. */
  cacheDir: string | null;
  offline: boolean;
  /** False in an untrusted workspace: no index, channel or URL a workspace file names is asked. */
  trusted: boolean;
  /** The budget of a stage for one set (ms); undefined: the stage's default. */
  timeoutMs: number | undefined;
  /** Where advisories come from; null: none. */
  advisories: AdvisorySource | null;
  /** Conda's report of the set, for what runs on top of its solution. */
  conda?: CondaSolveReport;
  /**
   * The index for the set judged with another Python (the one a conda solve installs), as `index` is for the set's
   * own (for a pixi manifest, with that environment's PyPI indexes); null offline.
   */
  indexFor?: (python: string, pixiEnvironment?: string) => IndexContext | null;
  /** pixi platforms (names or subdirs) solved besides the ones this machine runs. */
  pixiPlatforms?: readonly string[];
  /** Judge the `pip:` part with the conda specs' versions as constraints (when conda did not solve). */
  condaPins?: boolean;
  /**
   * The end of the analysis run (after its cancellation, if any): the provider calls its resolutions start last until
   * then (a fix search's resolutions share their pages' requests).
   */
  runEnd?: AbortSignal;
}

/** One stage behind the analysis. */
export interface Stage<Report> {
  /**
   * The stage's report on the set, or null when it has nothing to say in this context (offline, no conda part, no
   * advisory source, no solve to build on). Throws CancelledError when `signal` aborts; a broken source is the
   * stage's to say in its report.
   */
  run(set: EnvironmentSet, ctx: StageContext, signal?: AbortSignal): Promise<Report | null>;
}
