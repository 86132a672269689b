// What each stage learned about an environment set, as data: the index stage, the vulnerability stage, conda's solve,
// the `pip:` part on top of it, and the active environment. The stages write these; the checks read them.
import type { Dependency, Fix, Span } from './types';
import type { Scope } from './sets';

/** A verified change to one line: with it, the scope resolves. */
export interface LineFix {
  dep: Dependency;
  specifier: string;
  /** The parts of the specifier the author wrote that the change leaves (`<5.0.0`); empty when it keeps every bound. */
  crosses: string[];
}

/**
 * A conflict through dependencies: the lines that take part, the numbered explanation, and fixes a resolver verified.
 */
export interface TransitiveConflict {
  scope: Scope;
  roots: Dependency[];
  explanation: string;
  fixes: LineFix[];
  /**
   * The conflict in one sentence where the explanation has one: what a package needs (`tensorflow 2.13.0 needs
   * numpy<=1.24.3`) and the line that asks for something else.
   */
  verdict?: { needs: string; line: Dependency };
}

/** The index stage's findings about one environment set, as data; the index-backed checks turn them into findings. */
export interface SetIndexReport {
  /** The indexes asked, as the messages name them (redacted). */
  indexes: string;
  /** Indexes or pages that could not be asked or read, each once, redacted: what was lost, and why. */
  unreachable: string[];
  /**
   * The entries of `unreachable` that are about one configured index (its URL as configured, redacted): the note goes
   * on the line that names it.
   */
  unreachableIndexes: { index: string; why: string }[];
  /** False when no index answered at all: nothing from the index is known (the knowledge fallbacks apply). */
  answered: boolean;
  /**
   * Top-level requirements the index has no project or no matching version for, or (`target`) whose matching versions
   * have files, none of which the target can install (wheels for another Python or platform): `newest` is then the
   * newest matching version, `files` some of its files and `target` the target as messages name it.
   */
  missing: {
    dep: Dependency;
    kind: 'project' | 'version' | 'target';
    newest: string | null;
    /** The indexes that answered, and those that could not be asked and may have it. */
    where: string;
    target?: string;
    files?: string[];
    /**
     * The hosts of the indexes that could not be asked and are the only ones that could have it (a local version such
     * as `+cu121` the answering indexes lack): the verdict is not known.
     */
    onlyFrom?: string[];
    /** The hosts of sources that could not be asked or read about it and may have it: the verdict is not known. */
    unsure?: string[];
  }[];
  /** Top-level requirements whose matching versions all exclude the target Python. */
  pythonExcluded: { dep: Dependency; python: string; requires: string[] }[];
  /** Top-level requirements whose best version has no wheel for the target: pip would build it. */
  sdistOnly: { dep: Dependency; version: string; target: string }[];
  /**
   * uv `required-environments` a top-level requirement's version misses: it publishes no sdist and no wheel for that
   * environment (written `marker` at `span` in `file`), so `uv lock` fails there.
   */
  missingEnvironments?: { dep: Dependency; version: string; marker: string; file: string; span: Span }[];
  /** Every conflict found: the first, then those left once the lines of the earlier ones are set aside. */
  conflicts: TransitiveConflict[];
  /** The resolver stopped at its budget: what it says. */
  gaveUp: string | null;
  /** Lines whose URL was not fetched because the workspace is not trusted (each gets a finding saying so). */
  notFetched: Dependency[];
  /**
   * The version the resolution installs, per normalized name: the base's, then each extra's and group's for what the
   * base does not install. Absent where no resolution succeeded.
   */
  resolved?: ReadonlyMap<string, string>;
}

/** The active environment, for `installed-mismatch`. */
export interface InstalledReport {
  /** How the environment reads in messages (its folder). */
  name: string;
  /** Normalized name -> installed version. */
  packages: ReadonlyMap<string, string>;
}

/** One advisory that affects a release, as the messages and fixes need it. */
export interface Advisory {
  /** `GHSA-...`, `PYSEC-...`, `CVE-...`: the record's id. */
  id: string;
  aliases: string[];
  /** One line (the record's summary, else the first line of its details). */
  summary: string;
  /**
   * Versions that fix it (from the affecting ranges' `fixed` events, or PyPI's `fixed_in`), ascending, above the
   * affected version.
   */
  fixed: string[];
  link: string | null;
}

/** What the stage found for one set: data for the `vulnerable` check. */
export interface VulnerabilityReport {
  /** Why a source could not be asked (the JSON API unreachable): redacted; the entries are then incomplete. */
  unavailable: string | null;
  /** Declarations whose pinned (or resolved) version has advisories, with the verified fix when one was found. */
  entries: { dep: Dependency; version: string; pinned: boolean; advisories: Advisory[]; fix: Fix | null }[];
  /**
   * Packages no line declares that the resolution brings in with advisories, on the first top-level line that pulls
   * each in.
   */
  transitive: {
    dep: Dependency;
    packages: { name: string; version: string; via: string[]; advisories: Advisory[] }[];
  }[];
}

/** How conda ranks channels (`channel_priority`). */
export type ChannelPriority = 'strict' | 'flexible' | 'disabled';

/** One package of a solution. */
export interface CondaPackage {
  name: string;
  version: string;
  build: string;
  subdir: string;
  /** The channel it comes from (redacted). */
  channel: string;
  /** True when it is a Python package (depends on python or is noarch: python): pip sees it as installed. */
  python: boolean;
  /** Its record's match specs (`numpy >=1.21,<1.24.0a0`): what breaks when pip replaces one of them. */
  depends: readonly string[];
}

/** A top-level spec no channel can satisfy. */
export interface CondaNotFound {
  dep: Dependency;
  /** `package`: no channel has the name; `version`: none of its builds matches the version or build asked. */
  kind: 'package' | 'version';
  /** Closest names the channels do have (kind `package`), newest versions (kind `version`). */
  suggestions: string[];
  /** Where it was looked for (redacted channel names). */
  where: string;
}

/** A set of top-level lines that cannot be installed together (a minimal one: drop any and the rest solves). */
export interface CondaConflict {
  roots: Dependency[];
  /** Conda's terms: "tensorflow 2.10.0 needs python >=3.10,<3.11.0a0; python=3.12 is asked at line 7". */
  explanation: string;
  /** Set when the driver's CUDA (`__cuda`) is what fails: the CUDA version the builds need, and the machine's. */
  cuda: {
    kind: 'cuda-driver' | 'cuda-unavailable';
    needs: string | null;
    has: string | null;
    /**
     * False when the profile did not probe the driver (and no CONDA_OVERRIDE_CUDA says): `has` null then means unknown.
     */
    known: boolean;
  } | null;
  /** Fixes a solve accepted, each for one of the roots. */
  fixes: { dep: Dependency; fix: Fix }[];
}

/** What the conda side knows of one environment; pure data, as the checks read it. */
export interface CondaSolveReport {
  /**
   * `ok`: solved; `failed`: conda would refuse; `unavailable`: no channel data (or no solver), nothing known;
   * `skipped`: no conda part.
   */
  status: 'ok' | 'failed' | 'unavailable' | 'skipped';
  /** Why nothing is known (redacted), for the one information finding. */
  unavailable: string | null;
  /** Channel display names (redacted), in priority order. */
  channels: string[];
  channelPriority: ChannelPriority;
  /** The platform subdir solved for. */
  subdir: string;
  /** What the solve picked for each top-level spec. */
  picked: { dep: Dependency; pkg: CondaPackage }[];
  /** The whole solution (virtual packages left out). */
  solution: CondaPackage[];
  notFound: CondaNotFound[];
  conflicts: CondaConflict[];
  /**
   * For the `pip:` part: PEP 503 pip name -> the conda package of that name a channel has (moving the line is
   * possible), with a verified spec.
   */
  condaHas: Record<string, { condaName: string; spec: string; replaces: Dependency | null }>;
  /** Notes (stale cache used, channel skipped in an untrusted workspace, a subdir unreadable). */
  notes: string[];
  stats: {
    records: number;
    names: number;
    solves: number;
    solveMs: number;
    requests: number;
    bytes: number;
    indexBytes: number;
    fullBytes: number;
    shards: number;
  };
}

/** A conda report that knows nothing yet (no channel, no pick, zero counts), with `over` applied. */
export function emptyCondaReport(over: Partial<CondaSolveReport> & Pick<CondaSolveReport, 'status'>): CondaSolveReport {
  return {
    unavailable: null,
    channels: [],
    channelPriority: 'flexible',
    subdir: '',
    picked: [],
    solution: [],
    notFound: [],
    conflicts: [],
    condaHas: {},
    notes: [],
    stats: {
      records: 0,
      names: 0,
      solves: 0,
      solveMs: 0,
      requests: 0,
      bytes: 0,
      indexBytes: 0,
      fullBytes: 0,
      shards: 0,
    },
    ...over,
  };
}

/** A conda package pip would replace, and the conda packages whose requirements the replacement breaks. */
export interface PipBreak {
  /** The `pip:` lines whose requirements exclude conda's version (directly or through their dependencies). */
  roots: Dependency[];
  /** The PEP 503 name pip sees. */
  name: string;
  /** What conda installed. */
  conda: CondaPackage;
  /** The version pip installs over it. */
  pipVersion: string;
  /** The requirements that exclude conda's version, as pip reads them (`'numpy>=2' (environment.yml:12)`). */
  because: string[];
  /** conda packages of the solution whose dependency on it the new version breaks, with that dependency. */
  broken: { pkg: CondaPackage; spec: string }[];
  /** Changes to a root line verified by a resolution on top of conda's packages after which nothing breaks. */
  fixes: LineFix[];
}

/**
 * The `pip:` part of an environment.yml installed on top of conda's solution (once conda solved and the index can
 * answer): the conda packages pip would replace in a way that breaks other conda packages.
 */
export interface PipOnCondaReport {
  breaks: PipBreak[];
}

/** A CUDA platform entry's builds against the machine: what the solution needs of the driver, and what it has. */
export interface PixiCudaVerdict {
  /** `cuda-unavailable`: no NVIDIA driver; `cuda-driver`: the driver's CUDA is older than the builds need. */
  kind: 'cuda-driver' | 'cuda-unavailable';
  /** The `__cuda` the manifest declares for the platform, and where (null: not declared, only needed). */
  declared: string | null;
  /** The newest CUDA the solution's builds ask the driver for (`__cuda >=12.4`), or the declared one. */
  needs: string;
  /** The machine's driver CUDA, or null (no driver). */
  has: string | null;
  /** The top-level lines whose picked build depends on `__cuda`. */
  lines: Dependency[];
}

/** One environment of a pixi manifest solved for one of its platforms, as pixi solves it. */
export interface PixiEnvironmentSolve {
  environment: string;
  /** The workspace platform's name (`linux-64`, `linux-64-cuda`) and its subdir. */
  platform: string;
  subdir: string;
  /** The conda part: rattler with the platform's declared virtual packages. */
  conda: CondaSolveReport;
  /** The environment's PyPI lines on this platform. */
  pypi: Dependency[];
  /** The PyPI part on top of the conda solution; null where it did not run (no solve, offline, no PyPI lines). */
  pipOnConda: PipOnCondaReport | null;
  /** The CUDA builds of the solution against this machine's driver; null where nothing is wrong. */
  cuda: PixiCudaVerdict | null;
  /** Where the declared virtual packages are written, by conda name. */
  virtualSpans: Record<string, Span>;
  /**
   * The solve-group the environment is solved in: its conda part is its share of the group's one solution (null: the
   * environment alone).
   */
  solveGroup: string | null;
}

/** A solve-group whose environments each solve alone but not together: pixi solves them as one and fails. */
export interface PixiGroupConflict {
  group: string;
  platform: string;
  /** The environments whose lines take part (every member where the lines are shared). */
  environments: string[];
  /** The members of the group on this platform. */
  members: string[];
  /** The failed solve of the group's requirements together. */
  conda: CondaSolveReport;
}

/** The pixi stage's report on a manifest: each environment on each platform this machine runs. */
export interface PixiSolveReport {
  solves: PixiEnvironmentSolve[];
  /** Environments with no platform this machine runs (not solved). */
  skipped: string[];
  /** Per environment, its platforms not solved: this machine does not run them and they were not asked for. */
  unsolved: { environment: string; platforms: string[] }[];
  /** Solve-groups that fail together although each member solves alone. */
  groups: PixiGroupConflict[];
  /** Conda dependencies pixi builds from source (`path`, `git`) or takes from a package URL: never looked up. */
  sources: Dependency[];
  /** Places that name a PyPI index or find-links URL not fetched in an untrusted workspace. */
  notFetched: { file: string; span: Span }[];
}
