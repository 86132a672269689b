// The resolver's public contract: the metadata provider it asks, its inputs and options, and its result.
import type { MarkerEnvironment } from '../pep/marker';
import type { Version } from '../pep/version';
import type { Incompatibility } from './incompatibility';

/**
 * One requirement as package metadata (`Requires-Dist`) or a file declares it, already split into parts.
 * `specifier` is PEP 440 ("" for any version); `marker` is PEP 508 marker text ("" for none).
 */
export interface RequirementSpec {
  name: string;
  extras: string[];
  specifier: string;
  marker: string;
  url?: string | null;
}

/** What one distribution (a name at a version) needs: its requirements and its `Requires-Python`. */
export interface PackageMetadata {
  requires: RequirementSpec[];
  /** `Requires-Python`; absent or "" when the distribution states none. */
  requiresPython?: string;
}

/** The metadata of a direct URL (`name @ https://...`): the version it holds and what it needs. */
export interface UrlMetadata extends PackageMetadata {
  version: Version;
}

/**
 * Where the resolver gets package metadata; the index side implements it over simple indexes and caches,
 * `MemoryProvider` over a plain object. Every method may be called many times with the same arguments (the
 * resolver keeps its own per-resolution cache, so one call per argument per `resolve`) and must honour `signal`.
 */
export interface MetadataProvider {
  /**
   * Candidate versions of a project (PEP 503 normalized name), newest first, already filtered for the target
   * (wheel tags, yanked files, `requires-python` where the index states it). An unknown project: `[]`.
   */
  versions(name: string, signal?: AbortSignal): Promise<Version[]>;
  /**
   * Versions that fit the target but whose every file is yanked (PEP 592), newest first. The resolver takes one
   * only where a requirement pins it exactly (`==1.5`), as pip does. Optional: without it, yanked versions never exist.
   */
  yankedVersions?(name: string, signal?: AbortSignal): Promise<Version[]>;
  /** What `name` at `version` requires; `'unknown'` when that cannot be known without building it (an sdist). */
  dependencies(name: string, version: Version, signal?: AbortSignal): Promise<PackageMetadata | 'unknown'>;
  /** Version and requirements of a direct URL requirement; `'unknown'` (or no such method) when it cannot be read. */
  urlMetadata?(name: string, url: string, signal?: AbortSignal): Promise<UrlMetadata | 'unknown'>;
}

/** A requirement together with where it comes from; `origin` is opaque to the resolver (e.g. `{file, span}`). */
export interface RootRequirement<O = unknown> {
  /** PEP 508 text (`pandas>=2; python_version >= "3.9"`) or the parts. */
  requirement: string | RequirementSpec;
  origin: O;
}

/** How to resolve. Every field is optional. */
export interface ResolveOptions<O = unknown> {
  /**
   * Markers are evaluated against this environment (`extra` is set by the resolver). Default: `defaultEnvironment()`.
   */
  markerEnvironment?: MarkerEnvironment;
  /**
   * The target Python for `Requires-Python` (e.g. "3.11.7"). Default: the environment's `python_full_version`.
   * It is checked as a filter, not as a virtual package: a candidate whose `Requires-Python` excludes the target
   * becomes an incompatibility of its own (explained as "x 2.0 requires Python >=3.10").
   */
  python?: string | Version;
  /** `-c` files and uv `constraint-dependencies`: restrict a package when something requires it; never add one. */
  constraints?: RootRequirement<O>[];
  /**
   * uv `override-dependencies`: replace every requirement on that package (direct and transitive) by these, markers
   * included: where none of a package's overrides holds, nothing requires it.
   */
  overrides?: RootRequirement<O>[];
  /** uv `exclude-dependencies`: packages no requirement brings, direct or transitive (they win over overrides). */
  excludes?: ReadonlySet<string>;
  /**
   * uv's scoped `exclude-dependencies`: names removed from the dependencies of one package (of one version, or of
   * every version where `version` is null; an entry for the exact version is used instead of those for every version).
   */
  scopedExcludes?: readonly { package: string; version: string | null; names: readonly string[] }[];
  /**
   * uv's scoped `override-dependencies`: requirements (PEP 508 texts) that replace, or add to, the dependencies of one
   * package (of one version, or of every version where `version` is null), ahead of any global override.
   */
  scopedOverrides?: readonly { package: string; version: string | null; requirements: readonly string[] }[];
  /**
   * Versions already installed (normalized name -> version), as pip takes an installed distribution: where it fits
   * every requirement it is picked before newer ones (pip's default `--upgrade-strategy only-if-needed`). A version the
   * provider does not list is not preferred.
   */
  preferred?: ReadonlyMap<string, string>;
  /** Allow pre-releases everywhere (pip `--pre`). Default: only where a specifier names one or nothing else fits. */
  prereleases?: boolean;
  /** Give up after this many solver steps (decisions, propagations and conflict-resolution rounds). Default 200 000. */
  maxSteps?: number;
  /** Give up after this many milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Give up at this absolute time (`Date.now()` milliseconds), e.g. one deadline shared by a fix search. */
  deadline?: number;
  /** Cancels the resolution (and the provider's requests): the result is `{ ok: false, reason: 'cancelled' }`. */
  signal?: AbortSignal;
  /**
   * Ends the provider calls the resolution starts (prefetches included). Default: the resolution's end. An analysis
   * that runs several resolutions over one provider (a fix search) passes the end of its run: a page one resolution
   * started and left is then fetched once and kept, not started and cancelled by each resolution in turn.
   */
  callsEnd?: AbortSignal;
  /** How an origin reads in explanation text (`requirements.txt:3`). Default: origins are not written in text. */
  describeOrigin?: (origin: O) => string;
}

/** One line of a conflict explanation. */
export interface ExplanationStep<O = unknown> {
  /** 1-based position in the list. */
  number: number;
  /** `fact`: something a file or the index states; `conclusion`: what follows from earlier steps (`from`). */
  kind: 'fact' | 'conclusion';
  /** The sentence, without its number (`tensorflow 2.10.0 needs numpy <1.24`). */
  text: string;
  /** Root lines (requirements, constraints, overrides) this step rests on, so each can be pointed at. */
  origins: O[];
  /** For a conclusion: the numbers of the steps it follows from. */
  from: number[];
  /** Packages the step names (normalized names; extras as `name[extra]`). */
  packages: string[];
}

/** A successful resolution. */
export interface ResolutionOk {
  ok: true;
  /** Chosen version per package (normalized name), in the order they were decided. */
  versions: Map<string, Version>;
  /** Extras that are installed, per package. */
  extras: Map<string, string[]>;
  /** What could not be known, so the result may be optimistic (`foo 1.0: dependencies unknown`). */
  incomplete: string[];
  steps: number;
}

/** No resolution exists: the derivation tree and its explanation. */
export interface ResolutionConflict<O = unknown> {
  ok: false;
  reason: 'conflict';
  /** The root of the derivation tree: an incompatibility proving that the roots cannot all hold. */
  tree: Incompatibility<O>;
  explanation: ExplanationStep<O>[];
  /** The explanation as numbered text, the last line starting with "So". */
  text: string;
  /** Origins of the root requirements, constraints and overrides that take part, in explanation order. */
  rootsInvolved: O[];
  incomplete: string[];
  steps: number;
}

/** The resolver stopped before an answer: out of budget or cancelled. */
export interface ResolutionStopped {
  ok: false;
  reason: 'budget' | 'cancelled';
  message: string;
  steps: number;
  elapsedMs: number;
}

/** What `resolve` returns. */
export type Resolution<O = unknown> = ResolutionOk | ResolutionConflict<O> | ResolutionStopped;
