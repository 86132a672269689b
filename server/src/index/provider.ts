// MetadataProvider: candidate versions and dependencies of projects for one target, from simple indexes, find-links and
// the disk cache. The project pages (project-pages.ts), the metadata reads (metadata-fetch.ts) and the problem log
// (problem-log.ts) are its parts; this is the face the resolver and the stages see.
import { Marker, MarkerEvaluationError, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import type { ParsedRequirement } from '../pep/requirement';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import type { MetadataProvider as ResolverMetadataProvider, UrlMetadata } from '../resolver/types';
import type { RequestBudget } from './budget';
import { DiskCache } from './cache';
import { selectVersions, type FileVerdict, type FormatControl, type Target, type VersionVerdict } from './candidates';
import { InFlight } from './concurrency';
import type { CoreMetadata } from './core-metadata';
import { NotFoundError, type IndexProblem } from './errors';
import { CancelledError } from '../model/cancel';
import { parseSdistFilename, parseWheelFilename } from '../pep/filenames';
import { HOST_RETRY_AFTER_MS, HttpClient, type HttpClientOptions } from './http';
import { MetadataFetcher, type ProvidedMetadata } from './metadata-fetch';
import { ProblemLog, problemOf } from './problem-log';
import { ProjectPages } from './project-pages';
import { ProviderContext, type ProviderStats } from './provider-context';
import type { IndexSelection } from './selection';
import type { DistributionFile } from './simple';
import { TagPriority } from './tags';
import { METADATA, type UrlOrigin } from './url-origin';
import { redact } from './credentials';

/** Options of a `MetadataProvider`. */
export interface MetadataProviderOptions {
  /** Index URLs and find-links (see `selectIndexes`). */
  indexes: IndexSelection;
  target: Target;
  /** Folder of the on-disk cache; null or absent: memory only. */
  cacheDir?: string | null;
  /** How long a cached project page is used without asking the index (ms, default 10 min). */
  pageTtlMs?: number;
  http?: HttpClientOptions;
  /** pip's `--pre`. */
  pre?: boolean;
  formatControl?: FormatControl;
  /** Cap on a full wheel or sdist download (bytes, default 128 MiB). */
  maxDownloadBytes?: number;
  /** Bytes asked for at the end of a remote wheel to find its central directory (default 64 KiB). */
  tailBytes?: number;
  /** The clock (ms), for TTL tests. */
  now?: () => number;
}

/** A request for candidate versions with pip's full rules. */
export interface VersionQuery {
  /** The merged specifier of every requirement on the project (pre-release and yanked rules depend on it). */
  specifier?: SpecifierSet | string;
  /** `--pre` for this query (default: the provider's `pre`). */
  pre?: boolean;
  signal?: AbortSignal;
}

/**
 * Candidate versions and dependencies for one target, over the selected indexes and find-links, with the disk
 * cache, bounded concurrent requests, in-flight de-duplication and cancellation. Implements the resolver's
 * `MetadataProvider`; `versionsFor`, `explain` and `requirementsFor` add pip's per-request rules.
 */
export class MetadataProvider implements ResolverMetadataProvider {
  readonly stats: ProviderStats;
  private readonly ctx: ProviderContext;
  private readonly pages: ProjectPages;
  private readonly fetcher: MetadataFetcher;
  /** Where each direct URL a workspace file names came from (`allowUrls`); any other URL is metadata's. */
  private readonly urlOrigins = new Map<string, UrlOrigin>();
  private readonly metadataFlights = new InFlight<{
    value: ProvidedMetadata | 'unknown';
    problem: IndexProblem | null;
  }>();
  private readonly metadataMemo = new Map<
    string,
    { value: ProvidedMetadata | 'unknown'; problem: IndexProblem | null; until: number }
  >();

  constructor(private readonly opts: MetadataProviderOptions) {
    const cache = opts.cacheDir ? new DiskCache(opts.cacheDir) : null;
    this.ctx = new ProviderContext(new HttpClient(opts.http), cache, opts.now ?? Date.now, new ProblemLog());
    this.stats = this.ctx.stats;
    this.pages = new ProjectPages(this.ctx, {
      indexes: opts.indexes,
      target: opts.target,
      ...(opts.formatControl ? { formatControl: opts.formatControl } : {}),
      tagPriority: new TagPriority(opts.target.tags),
      ttl: opts.pageTtlMs ?? 10 * 60 * 1000,
      ...(opts.http?.env ? { env: opts.http.env } : {}),
    });
    this.fetcher = new MetadataFetcher(this.ctx, this.pages, opts);
  }

  /** The budget of the analysis now running (null: none): its requests and bytes count against it. */
  useBudget(budget: RequestBudget | null): void {
    this.ctx.http.budget = budget;
  }

  /**
   * Declares direct URLs (`name @ URL`, URL lines, sdist and wheel URLs) the files of a workspace name, with their
   * origin: only these are fetched for `urlMetadata`; any other URL is taken for one found in metadata and refused.
   */
  allowUrls(entries: Iterable<{ url: string; origin: UrlOrigin }>): void {
    for (const { url, origin } of entries) {
      const had = this.urlOrigins.get(url);
      // Named by two files: the stricter origin wins (no expansion where one of them is a pyproject).
      if (had?.kind === 'workspace' && origin.kind === 'workspace')
        this.urlOrigins.set(url, {
          kind: 'workspace',
          trusted: had.trusted && origin.trusted,
          expand: had.expand && origin.expand,
        });
      else if (!had) this.urlOrigins.set(url, origin);
    }
  }

  /** HTTP requests sent so far (attempts, retries included). */
  get requests(): number {
    return this.ctx.http.requests;
  }

  // ---------------------------------------------------------------------------------------------
  // Problems: what an index could not answer, kept so that it costs only what needed it

  /** A mark for `problems(since)`: take it before a run, read the run's problems after. */
  problemMark(): number {
    return this.ctx.problems.mark();
  }

  /**
   * The problems met since `mark` (default: all kept), one per kind, URL and message: indexes that could not be
   * reached (network, DNS, timeout, 5xx, 429) and answers that were not what they should be (bad JSON, HTML served as
   * JSON, oversized, metadata of another project, broken archives). Answers from memory repeat their problems, so a
   * run sees every problem its answers depend on. Every string is redacted.
   */
  problems(since = 0): IndexProblem[] {
    return this.ctx.problems.since(since);
  }

  /**
   * The sources that could not answer for `name` on its last load, so may have it (or other versions of it):
   * "download.pytorch.org could not be reached; it may have this". Empty when every source answered.
   */
  unreachableFor(name: string): IndexProblem[] {
    return this.pages.unreachableFor(name);
  }

  /**
   * Candidate versions (the resolver's contract): every version with a non-yanked file that fits the target
   * (tags, requires-python, format control), pre-releases included, newest first. An unknown project: `[]`.
   * Throws `UnreachableError` when no source answered, `CancelledError` on abort.
   */
  async versions(name: string, signal?: AbortSignal): Promise<Version[]> {
    const state = await this.pages.knownProject(name, signal);
    if (!state) return [];
    return selectVersions(state.verdicts, new SpecifierSet(), true)
      .filter((v) => v.files.length > 0)
      .map((v) => v.version);
  }

  /**
   * Versions with files that fit the target, all of them yanked, newest first (the resolver's contract). An unknown
   * project: `[]`.
   */
  async yankedVersions(name: string, signal?: AbortSignal): Promise<Version[]> {
    const state = await this.pages.knownProject(name, signal);
    if (!state) return [];
    const all = new Map<string, { version: Version; yanked: boolean }>();
    for (const v of state.verdicts) {
      if (v.excluded !== null || v.version === null) continue;
      const g = all.get(v.version.key);
      const yanked = v.file.yanked !== false;
      if (g) g.yanked &&= yanked;
      else all.set(v.version.key, { version: v.version, yanked });
    }
    return [...all.values()]
      .filter((g) => g.yanked)
      .map((g) => g.version)
      .sort((a, b) => b.compare(a));
  }

  /**
   * The versions pip would try for a requirement with this (merged) specifier, newest first: pip 23's pre-release and
   * yanked rules applied. Throws `NotFoundError` for an unknown project.
   */
  async versionsFor(name: string, query: VersionQuery = {}): Promise<Version[]> {
    return (await this.explain(name, query)).filter((v) => v.files.length > 0).map((v) => v.version);
  }

  /** Every version the sources list, newest first, each with its usable files or the reason it is excluded. */
  async explain(name: string, query: VersionQuery = {}): Promise<VersionVerdict[]> {
    const state = await this.pages.project(name, query.signal);
    const spec =
      typeof query.specifier === 'string'
        ? SpecifierSet.parse(query.specifier)
        : (query.specifier ?? new SpecifierSet());
    return selectVersions(state.verdicts, spec, query.pre ?? this.opts.pre ?? false);
  }

  /** Every file the sources list for the project, judged for the target. */
  async files(name: string, signal?: AbortSignal): Promise<FileVerdict[]> {
    return (await this.pages.project(name, signal)).verdicts;
  }

  /**
   * The whole core metadata of a release (summary, licence, links) as read for its dependencies, from the metadata
   * cache on disk: null without a cache folder, or when nothing usable was read.
   */
  async cachedCoreMetadata(name: string, version: Version): Promise<CoreMetadata | null> {
    if (!this.ctx.cache) return null;
    const md = await this.dependencies(name, version).catch(() => 'unknown' as const);
    if (md === 'unknown') return null;
    const verdicts = await this.explain(name, { specifier: `===${version}`, pre: true });
    const file = verdicts.find((v) => v.version.equals(version))?.files[0]?.file;
    return file ? this.fetcher.cachedCoreMetadata(file) : null;
  }

  /**
   * What `name` at `version` requires (the resolver's contract), read from the best file pip would pick for that
   * version: a PEP 658 `.metadata` file when offered, else the wheel (ranges, then a capped download), else an
   * sdist's PKG-INFO when it is reliable. `'unknown'` when only an unreliable sdist exists. Throws `NotFoundError`
   * when the version has no usable file.
   */
  async dependencies(name: string, version: Version, signal?: AbortSignal): Promise<ProvidedMetadata | 'unknown'> {
    const key = `${canonicalizeName(name)}@${version.toString()}`;
    const memo = this.metadataMemo.get(key);
    if (memo !== undefined && this.ctx.now() < memo.until) {
      if (memo.problem) this.ctx.problems.record(memo.problem);
      return memo.value;
    }
    const result = await this.metadataFlights.run(key, (s) => this.loadDependencies(name, version, s), signal);
    // What could not be read is asked again after a while (the index may be fixed); what was read never changes.
    this.metadataMemo.set(key, { ...result, until: result.problem ? this.ctx.now() + HOST_RETRY_AFTER_MS : Infinity });
    return result.value;
  }

  /**
   * The requirements that apply to the target for `name[extras]`: markers evaluated with `extra` = "" and each extra.
   */
  async requirementsFor(
    name: string,
    version: Version,
    extras: readonly string[] = [],
    signal?: AbortSignal,
  ): Promise<{ requires: ParsedRequirement[]; requiresPython: string | null } | 'unknown'> {
    const md = await this.dependencies(name, version, signal);
    if (md === 'unknown') return 'unknown';
    return {
      requires: requirementsForExtras(
        md.requires.map((r) => r.parsed),
        extras,
        this.opts.target.markers,
      ),
      requiresPython: md.requiresPython ?? null,
    };
  }

  /**
   * Version and requirements of a direct wheel or sdist URL (http(s) or file); `'unknown'` for anything else or an
   * unreliable sdist.
   */
  async urlMetadata(name: string, url: string, signal?: AbortSignal): Promise<UrlMetadata | 'unknown'> {
    const clean = url.replace(/^[a-z]+\+/i, '').split('#')[0]!;
    let filename: string;
    let version: Version;
    try {
      filename = decodeURIComponent(clean.slice(clean.lastIndexOf('/') + 1));
      version = filename.endsWith('.whl')
        ? parseWheelFilename(filename).version
        : parseSdistFilename(filename, name).version;
    } catch {
      return 'unknown';
    }
    const file: DistributionFile = {
      filename,
      url: clean,
      hashes: {},
      requiresPython: null,
      yanked: false,
      coreMetadata: false,
      size: null,
      source: redact(clean),
    };
    this.ctx.setOrigin(file, this.urlOrigins.get(url) ?? this.urlOrigins.get(clean) ?? METADATA);
    let md: ProvidedMetadata | 'unknown';
    try {
      md = await this.fetcher.metadataForFile(name, version, file, signal ?? new AbortController().signal);
    } catch (e) {
      if (e instanceof CancelledError || signal?.aborted) throw e instanceof CancelledError ? e : new CancelledError();
      this.ctx.problems.record(problemOf(e, clean, canonicalizeName(name)));
      return 'unknown';
    }
    if (md === 'unknown') return 'unknown';
    return { version, requires: md.requires, ...(md.requiresPython ? { requiresPython: md.requiresPython } : {}) };
  }

  /**
   * What the best file of `name` `version` needs. A file that cannot be read (unreachable, broken archive, metadata
   * of another project) is recorded as a problem and its dependencies are `'unknown'`: it costs only what needed
   * them. Throws `NotFoundError` when the version has no usable file, `CancelledError` on abort.
   */
  private async loadDependencies(
    name: string,
    version: Version,
    signal: AbortSignal,
  ): Promise<{ value: ProvidedMetadata | 'unknown'; problem: IndexProblem | null }> {
    const state = await this.pages.project(name, signal);
    const verdicts = selectVersions(state.verdicts, SpecifierSet.parse(`===${version.toString()}`), true);
    const best = verdicts.find((v) => v.version.equals(version) && v.files.length > 0);
    if (!best) throw new NotFoundError(`${name} ${version.toString()}`, this.pages.indexUrls[0] ?? '(no index)');
    const file = best.files[0]!.file;
    try {
      return { value: await this.fetcher.metadataForFile(name, version, file, signal), problem: null };
    } catch (e) {
      if (e instanceof CancelledError || signal.aborted) throw e instanceof CancelledError ? e : new CancelledError();
      const problem = problemOf(e, file.url, canonicalizeName(name));
      this.ctx.problems.record(problem);
      return { value: 'unknown', problem };
    }
  }
}

/**
 * The requirements of `Requires-Dist` that apply to `name[extras]` on the target, as pip selects them: a marker is
 * evaluated with `extra` = "" and with each requested extra (normalized); an entry applies when any is true.
 * A marker that cannot be evaluated does not apply.
 */
export function requirementsForExtras(
  requires: readonly ParsedRequirement[],
  extras: readonly string[],
  env: MarkerEnvironment,
): ParsedRequirement[] {
  const want = ['', ...extras.map(canonicalizeName)];
  return requires.filter((r) => {
    if (!r.marker) return true;
    const m: Marker = r.marker;
    return want.some((extra) => {
      try {
        return m.evaluate({ ...env, extra });
      } catch (e) {
        if (e instanceof MarkerEvaluationError) return false;
        throw e;
      }
    });
  });
}
