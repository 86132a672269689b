// MetadataProvider: candidate versions and dependencies of projects for one target, from simple indexes, find-links and
// the disk cache.
import { crypto } from '../system/lazy-modules';
import { promises as fs } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Marker, MarkerEvaluationError, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import type { ParsedRequirement } from '../pep/requirement';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import type { MetadataProvider as ResolverMetadataProvider, RequirementSpec, UrlMetadata } from '../resolver/types';
import {
  bufferSource,
  fileSource,
  findSdistPkgInfo,
  findWheelMetadata,
  readTarGzPkgInfoStreaming,
  readZipDirectory,
  readZipEntry,
  type ByteSource,
} from './archive';
import { DiskCache, type CacheKind } from './cache';
import {
  evaluateFiles,
  selectVersions,
  type FileVerdict,
  type FormatControl,
  type Target,
  type VersionVerdict,
} from './candidates';
import { InFlight } from './concurrency';
import { isReliableSdistMetadata, parseCoreMetadata, parseRequiresDist, type CoreMetadata } from './core-metadata';
import type { RequestBudget } from './budget';
import { redact } from './credentials';
import {
  CancelledError,
  IndexError,
  InvalidDataError,
  NotFoundError,
  RefusedError,
  UnreachableError,
  hostOf,
  throwIfAborted,
  type IndexProblem,
} from './errors';
import { parseSdistFilename, parseWheelFilename, sdistExtension } from './filenames';
import { HOST_RETRY_AFTER_MS, HttpClient, type HttpClientOptions } from './http';
import type { IndexSelection } from './selection';
import {
  SIMPLE_ACCEPT,
  fileIsForProject,
  listFindLinksFolder,
  parseHtmlProjectPage,
  parseJsonProjectPage,
  projectPageUrl,
  readLocalPage,
  type DistributionFile,
} from './simple';
import { TagPriority } from './tags';
import { METADATA, PERSON, indexOrigin, planRequest, type UrlOrigin } from './url-origin';
import { BudgetSpentError } from './budget';

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

/** Counters for the benchmark and the tests. */
export interface ProviderStats {
  /** Project pages requested from an index (revalidations included). */
  pageFetches: number;
  /** Project pages answered 304 Not Modified. */
  pageRevalidations: number;
  /** Project pages used from the disk cache without a request. */
  pageCacheHits: number;
  /** Metadata obtained over the network (a `.metadata` file, wheel ranges, or a download). */
  metadataFetches: number;
  /** Metadata read from the disk cache. */
  metadataCacheHits: number;
  /** Range requests sent for remote wheels. */
  rangeRequests: number;
  /** Whole wheels or sdists downloaded. */
  fullDownloads: number;
  /** Local archives read (file:// and find-links folders). */
  localReads: number;
}

/** A dependency as the resolver takes it, with the parsed requirement kept for spans and marker objects. */
export type ProvidedRequirement = RequirementSpec & { parsed: ParsedRequirement };

/** What a distribution needs (the resolver's `PackageMetadata`, plus provenance). */
export interface ProvidedMetadata {
  /** Every `Requires-Dist` entry, markers unevaluated (the resolver sets `extra` and evaluates). */
  requires: ProvidedRequirement[];
  requiresPython?: string;
  /** `Provides-Extra`, normalized. */
  extras: string[];
  /** The file the metadata was read for. */
  filename: string;
  /** `metadata-file` (PEP 658), `wheel`, or `sdist` (reliable PKG-INFO). */
  source: 'metadata-file' | 'wheel' | 'sdist';
}

/** A request for candidate versions with pip's full rules. */
export interface VersionQuery {
  /** The merged specifier of every requirement on the project (pre-release and yanked rules depend on it). */
  specifier?: SpecifierSet | string;
  /** `--pre` for this query (default: the provider's `pre`). */
  pre?: boolean;
  signal?: AbortSignal;
}

interface ProjectState {
  fetchedAt: number;
  /** When the memory copy must be asked again: the page TTL, or sooner when a source failed. */
  expiresAt: number;
  verdicts: FileVerdict[];
  /** Sources that could not answer for this project (the others' answers are used). */
  failures: IndexProblem[];
}

/** How long "no source has this project" is believed before the sources are asked again (ms). */
const MISSING_TTL_MS = 60_000;

/** Largest project page read (decompressed bytes): real pages of projects with thousands of files stay well below. */
export const PAGE_MAX_BYTES = 32 * 1024 * 1024;
/** Largest core metadata file read (a `.metadata` file, a wheel's METADATA, an sdist's PKG-INFO; decompressed). */
export const METADATA_MAX_BYTES = 10 * 1024 * 1024;
/** Largest decompressed tar scanned for an sdist's PKG-INFO. */
const SDIST_TAR_MAX_BYTES = 256 * 1024 * 1024;

/** Content types pip reads a project page as. */
function pageKind(contentType: string): 'json' | 'html' | null {
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  if (t === 'application/vnd.pypi.simple.v1+json' || t === 'application/json') return 'json';
  if (t === 'text/html' || t === 'application/vnd.pypi.simple.v1+html' || t === 'application/xhtml+xml' || t === '')
    return 'html';
  return null;
}

interface PageResult {
  files: DistributionFile[];
}

function emptyStats(): ProviderStats {
  return {
    pageFetches: 0,
    pageRevalidations: 0,
    pageCacheHits: 0,
    metadataFetches: 0,
    metadataCacheHits: 0,
    rangeRequests: 0,
    fullDownloads: 0,
    localReads: 0,
  };
}

function sha256(buf: Buffer): string {
  return crypto().createHash('sha256').update(buf).digest('hex');
}

/**
 * Candidate versions and dependencies for one target, over the selected indexes and find-links, with the disk
 * cache, bounded concurrent requests, in-flight de-duplication and cancellation. Implements the resolver's
 * `MetadataProvider`; `versionsFor`, `explain` and `requirementsFor` add pip's per-request rules.
 */
export class MetadataProvider implements ResolverMetadataProvider {
  readonly stats: ProviderStats = emptyStats();
  private readonly http: HttpClient;
  private readonly cache: DiskCache | null;
  private readonly tagPriority: TagPriority;
  private readonly ttl: number;
  private readonly now: () => number;
  /** The index URLs as written (their `${VAR}` are expanded per request, as their origin allows). */
  private readonly indexUrls: string[];
  /** Where each index URL and find-links URL came from. */
  private readonly sourceOrigins = new Map<string, UrlOrigin>();
  /** Where each direct URL a workspace file names came from (`allowUrls`); any other URL is metadata's. */
  private readonly urlOrigins = new Map<string, UrlOrigin>();
  /** The origin of each file a remote page lists: a link of that page. */
  private readonly fileOrigins = new WeakMap<DistributionFile, UrlOrigin>();
  private readonly projects = new Map<string, ProjectState>();
  /** Projects no source had, with the answer, until they are asked again. */
  private readonly missing = new Map<string, { error: NotFoundError; until: number }>();
  private readonly projectFlights = new InFlight<ProjectState>();
  private readonly metadataFlights = new InFlight<{
    value: ProvidedMetadata | 'unknown';
    problem: IndexProblem | null;
  }>();
  private readonly metadataMemo = new Map<
    string,
    { value: ProvidedMetadata | 'unknown'; problem: IndexProblem | null; until: number }
  >();
  /** Per project, the sources that failed on its last load (also when no other source had it). */
  private readonly sourceFailures = new Map<string, IndexProblem[]>();
  /** Projects whose next load asks the indexes again even where a kept page is fresh. */
  private readonly revalidate = new Set<string>();
  /** Metadata files whose page was asked again once because the file did not match the hash the page gave. */
  private readonly rechecked = new Set<string>();
  /** Problems in the order met; `problems(since)` reads them. */
  private readonly problemLog: { seq: number; problem: IndexProblem }[] = [];
  private problemSeq = 0;

  constructor(private readonly opts: MetadataProviderOptions) {
    this.http = new HttpClient(opts.http);
    this.cache = opts.cacheDir ? new DiskCache(opts.cacheDir) : null;
    this.tagPriority = new TagPriority(opts.target.tags);
    this.ttl = opts.pageTtlMs ?? 10 * 60 * 1000;
    this.now = opts.now ?? Date.now;
    this.indexUrls = opts.indexes.noIndex ? [] : [...opts.indexes.indexUrls];
    for (const u of [...this.indexUrls, ...opts.indexes.findLinks])
      this.sourceOrigins.set(u, indexOrigin(opts.indexes, u));
  }

  /** The budget of the analysis now running (null: none): its requests and bytes count against it. */
  useBudget(budget: RequestBudget | null): void {
    this.http.budget = budget;
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

  /** Where a file came from: a link of the page that lists it, else (a local find-links source) the person's. */
  private originOf(file: DistributionFile): UrlOrigin {
    return this.fileOrigins.get(file) ?? PERSON;
  }

  /**
   * Whether a `file:` URL may be read from disk: one a local find-links source or page lists, or one the person or a
   * trusted workspace file names; never one a remote page links or metadata names.
   */
  private mayReadLocal(origin: UrlOrigin): boolean {
    return origin.kind === 'person' || (origin.kind === 'workspace' && origin.trusted);
  }

  /** HTTP requests sent so far (attempts, retries included). */
  get requests(): number {
    return this.http.requests;
  }

  // ---------------------------------------------------------------------------------------------
  // Problems: what an index could not answer, kept so that it costs only what needed it

  private record(problem: IndexProblem): void {
    this.problemLog.push({ seq: ++this.problemSeq, problem });
    if (this.problemLog.length > 1000) this.problemLog.splice(0, this.problemLog.length - 1000);
  }

  /** A mark for `problems(since)`: take it before a run, read the run's problems after. */
  problemMark(): number {
    return this.problemSeq;
  }

  /**
   * The problems met since `mark` (default: all kept), one per kind, URL and message: indexes that could not be
   * reached (network, DNS, timeout, 5xx, 429) and answers that were not what they should be (bad JSON, HTML served as
   * JSON, oversized, metadata of another project, broken archives). Answers from memory repeat their problems, so a
   * run sees every problem its answers depend on. Every string is redacted.
   */
  problems(since = 0): IndexProblem[] {
    const seen = new Set<string>();
    const out: IndexProblem[] = [];
    for (const { seq, problem } of this.problemLog) {
      if (seq <= since) continue;
      const key = `${problem.kind}\0${problem.url}\0${problem.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(problem);
      }
    }
    return out;
  }

  /**
   * The sources that could not answer for `name` on its last load, so may have it (or other versions of it):
   * "download.pytorch.org could not be reached; it may have this". Empty when every source answered.
   */
  unreachableFor(name: string): IndexProblem[] {
    return this.sourceFailures.get(canonicalizeName(name)) ?? [];
  }

  /** A problem from an error of the index layer (or an unexpected one while reading index data). */
  private problemOf(e: unknown, url: string, project: string | null): IndexProblem {
    const shown = e instanceof IndexError ? e.url : redact(url);
    const message =
      e instanceof IndexError ? e.message : `${redact(url)}: ${redact(e instanceof Error ? e.message : String(e))}`;
    return {
      kind:
        e instanceof UnreachableError
          ? 'unreachable'
          : e instanceof RefusedError
            ? 'refused'
            : e instanceof BudgetSpentError
              ? 'budget'
              : 'invalid',
      url: shown,
      host: hostOf(shown),
      message,
      project,
      ...(e instanceof UnreachableError ? { detail: e.detail } : {}),
    };
  }

  /** The project's page, or null for a project no source has (the resolver's contract says `[]` for those). */
  private async knownProject(name: string, signal?: AbortSignal): Promise<ProjectState | null> {
    try {
      return await this.project(name, signal);
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  /**
   * Candidate versions (the resolver's contract): every version with a non-yanked file that fits the target
   * (tags, requires-python, format control), pre-releases included, newest first. An unknown project: `[]`.
   * Throws `UnreachableError` when no source answered, `CancelledError` on abort.
   */
  async versions(name: string, signal?: AbortSignal): Promise<Version[]> {
    const state = await this.knownProject(name, signal);
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
    const state = await this.knownProject(name, signal);
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
    const state = await this.project(name, query.signal);
    const spec =
      typeof query.specifier === 'string'
        ? SpecifierSet.parse(query.specifier)
        : (query.specifier ?? new SpecifierSet());
    return selectVersions(state.verdicts, spec, query.pre ?? this.opts.pre ?? false);
  }

  /** Every file the sources list for the project, judged for the target. */
  async files(name: string, signal?: AbortSignal): Promise<FileVerdict[]> {
    return (await this.project(name, signal)).verdicts;
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
    if (memo !== undefined && this.now() < memo.until) {
      if (memo.problem) this.record(memo.problem);
      return memo.value;
    }
    const result = await this.metadataFlights.run(key, (s) => this.loadDependencies(name, version, s), signal);
    // What could not be read is asked again after a while (the index may be fixed); what was read never changes.
    this.metadataMemo.set(key, { ...result, until: result.problem ? this.now() + HOST_RETRY_AFTER_MS : Infinity });
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
    this.fileOrigins.set(file, this.urlOrigins.get(url) ?? this.urlOrigins.get(clean) ?? METADATA);
    let md: ProvidedMetadata | 'unknown';
    try {
      md = await this.metadataForFile(name, version, file, signal ?? new AbortController().signal);
    } catch (e) {
      if (e instanceof CancelledError || signal?.aborted) throw e instanceof CancelledError ? e : new CancelledError();
      this.record(this.problemOf(e, clean, canonicalizeName(name)));
      return 'unknown';
    }
    if (md === 'unknown') return 'unknown';
    return { version, requires: md.requires, ...(md.requiresPython ? { requiresPython: md.requiresPython } : {}) };
  }

  // ---------------------------------------------------------------------------------------------
  // Project pages

  private async project(name: string, signal?: AbortSignal): Promise<ProjectState> {
    throwIfAborted(signal);
    const key = canonicalizeName(name);
    const have = this.projects.get(key);
    if (have && this.now() < have.expiresAt) {
      for (const f of have.failures) this.record(f);
      return have;
    }
    const missing = this.missing.get(key);
    if (missing && this.now() < missing.until) {
      for (const f of missing.error.unreachable) this.record(f);
      throw missing.error;
    }
    try {
      const state = await this.projectFlights.run(key, (s) => this.loadProject(key, s), signal);
      this.projects.set(key, state);
      this.missing.delete(key);
      return state;
    } catch (e) {
      // Every source answered (or failed) without the project: asked again only after a while, so that a name being
      // typed, or one line naming a project the index lacks, does not ask the index on every analysis.
      if (e instanceof NotFoundError) {
        if (this.missing.size > 4096) this.missing.clear();
        this.missing.set(key, {
          error: e,
          until: this.now() + Math.min(this.ttl, e.unreachable.length ? HOST_RETRY_AFTER_MS : MISSING_TTL_MS),
        });
      }
      throw e;
    }
  }

  /**
   * Asks every index and find-links source at once. A source that fails (unreachable, or an answer that does not
   * parse) is recorded and skipped, as pip skips it with a warning, and the others' answers are used; only when every
   * source failed is the failure the answer. When the others do not have the project, `NotFoundError` says which
   * sources could not be asked.
   */
  private async loadProject(name: string, signal: AbortSignal): Promise<ProjectState> {
    const again = this.revalidate.delete(name);
    const asked: {
      url: string;
      source: NonNullable<IndexProblem['source']>;
      answer: Promise<PageResult | 'not-found'>;
    }[] = [
      ...this.indexUrls.map((u, i) => {
        const url = projectPageUrl(u, name);
        const source = { kind: 'index' as const, url: redact(this.opts.indexes.indexUrls[i] ?? u) };
        return { url, source, answer: this.indexPage(url, this.sourceOrigins.get(u) ?? PERSON, signal, again) };
      }),
      ...this.opts.indexes.findLinks.map((f) => ({
        url: f,
        source: { kind: 'find-links' as const, url: redact(f) },
        answer: this.findLinksSource(f, name, signal),
      })),
    ];
    const settled = await Promise.allSettled(asked.map((a) => a.answer));
    throwIfAborted(signal);
    const files: DistributionFile[] = [];
    const failures: IndexProblem[] = [];
    const errors: IndexError[] = [];
    let found = false;
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        if (s.value !== 'not-found') {
          found = true;
          files.push(...s.value.files);
        }
        return;
      }
      if (s.reason instanceof CancelledError) throw s.reason;
      const problem: IndexProblem = {
        ...this.problemOf(s.reason, asked[i]!.url, name),
        source: asked[i]!.source,
      };
      failures.push(problem);
      this.record(problem);
      errors.push(s.reason instanceof IndexError ? s.reason : new InvalidDataError(problem.message, asked[i]!.url));
    });
    this.sourceFailures.set(name, failures);
    if (failures.length === 0) this.sourceFailures.delete(name);
    // Every source failed: nothing is known (an unreachable index is reported as such, bad data as bad data).
    if (!found && failures.length === asked.length && errors.length > 0)
      throw errors.find((e) => !(e instanceof UnreachableError)) ?? errors[0]!;
    if (!found) {
      throw new NotFoundError(
        `Project ${name}`,
        this.indexUrls[0] ? projectPageUrl(this.indexUrls[0], name) : (this.opts.indexes.findLinks[0] ?? '(no index)'),
        failures,
      );
    }
    let verdicts: FileVerdict[];
    try {
      verdicts = evaluateFiles(name, files, this.opts.target, this.tagPriority, this.opts.formatControl);
    } catch (e) {
      throw new InvalidDataError(
        `The files offered for ${name} could not be read: ${redact((e as Error).message)}`,
        asked[0]?.url ?? '(no index)',
      );
    }
    const fetchedAt = this.now();
    return {
      fetchedAt,
      expiresAt: fetchedAt + (failures.length ? Math.min(this.ttl, HOST_RETRY_AFTER_MS) : this.ttl),
      verdicts,
      failures,
    };
  }

  /**
   * One index project page: `file:` read from disk, http(s) through the cache with revalidation (`again`: even a
   * page the cache holds as fresh).
   */
  private async indexPage(
    url: string,
    origin: UrlOrigin,
    signal: AbortSignal,
    again = false,
  ): Promise<PageResult | 'not-found'> {
    if (url.startsWith('file:')) {
      const local = await readLocalPage(url);
      if (!local) return 'not-found';
      const page = local.json
        ? parseJsonProjectPage(local.text, local.url)
        : parseHtmlProjectPage(local.text, local.url);
      for (const f of page.files) this.fileOrigins.set(f, origin);
      return { files: page.files };
    }
    return this.fetchPage(url, origin, signal, again);
  }

  /**
   * A find-links entry: a folder (every file in it), a local HTML page or archive, or a URL page; only this project's
   * files.
   */
  private async findLinksSource(entry: string, name: string, signal: AbortSignal): Promise<PageResult | 'not-found'> {
    const origin = this.sourceOrigins.get(entry) ?? PERSON;
    const filter = (files: DistributionFile[]): PageResult | 'not-found' => {
      const mine = files.filter((f) => fileIsForProject(f.filename, name));
      // A local source's files: where the source came from (a remote page's are links of it, set by fetchPage).
      for (const f of mine) if (!this.fileOrigins.has(f)) this.fileOrigins.set(f, origin);
      return mine.length > 0 ? { files: mine } : 'not-found';
    };
    if (/^https?:/i.test(entry)) {
      const page = await this.fetchPage(entry, origin, signal);
      return page === 'not-found' ? 'not-found' : filter(page.files);
    }
    const p = entry.startsWith('file:') ? fileURLToPath(entry) : entry;
    let st;
    try {
      st = await fs.stat(p);
    } catch {
      return 'not-found';
    }
    if (st.isDirectory()) return filter(await listFindLinksFolder(p));
    if (/\.html?$/i.test(p)) {
      const local = await readLocalPage(p);
      return local ? filter(parseHtmlProjectPage(local.text, local.url).files) : 'not-found';
    }
    const filename = p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
    const url = pathToFileURL(p).toString();
    return filter([
      { filename, url, hashes: {}, requiresPython: null, yanked: false, coreMetadata: false, size: null, source: url },
    ]);
  }

  /**
   * A page's files, by its content type as pip reads it: JSON (PEP 691) or HTML (PEP 503). Throws `InvalidDataError`
   * for anything else, for JSON that does not parse (cut short, an HTML error page served as JSON) and for a
   * "HTML" page that is not markup at all.
   */
  private parsePage(body: Buffer, contentType: string, url: string): DistributionFile[] {
    const kind = pageKind(contentType);
    const text = body.toString('utf8');
    if (kind === 'json') return parseJsonProjectPage(text, url).files;
    if (kind === 'html') {
      if (text.trim() !== '' && !text.includes('<'))
        throw new InvalidDataError(`The project page ${redact(url)}, announced as HTML, is not HTML`, url);
      return parseHtmlProjectPage(text, url).files;
    }
    throw new InvalidDataError(
      `The project page ${redact(url)} has Content-Type ${contentType.split(';')[0]!.trim()}, not a simple index page`,
      url,
    );
  }

  /**
   * GETs and parses a page through the cache: fresh entries are used as they are, stale ones revalidated (ETag /
   * Last-Modified). Only a page that parsed is cached, and only one that lists files (an empty page is never kept:
   * a portal or error page must not become a false "no such project" for the TTL); a cached page that no longer
   * parses (written by an older version) is dropped and fetched again. `again`: a fresh entry is revalidated too.
   */
  private async fetchPage(
    url: string,
    origin: UrlOrigin,
    signal: AbortSignal,
    again = false,
  ): Promise<PageResult | 'not-found'> {
    // Links resolve against the page's URL as requested (expanded, without credentials); a file on the page's host gets
    // the page's credentials when it is fetched (url-origin.ts), so no credential is written into a file's URL.
    const planned = planRequest(url, origin, { env: this.opts.http?.env ?? process.env, netrc: () => new Map() });
    if ('refused' in planned) throw new RefusedError(url, planned.refused);
    const linked = (files: DistributionFile[]): DistributionFile[] => {
      const from: UrlOrigin = { kind: 'link', page: url, from: origin };
      for (const f of files) this.fileOrigins.set(f, from);
      return files;
    };
    let cached = this.cache ? await this.cache.get('page', url) : null;
    let cachedFiles: DistributionFile[] | null = null;
    if (cached) {
      try {
        cachedFiles = linked(this.parsePage(cached.body, cached.contentType, planned.url));
        if (cachedFiles.length === 0) throw new InvalidDataError('empty', url);
      } catch {
        await this.cache!.delete('page', url);
        cached = null;
        cachedFiles = null;
      }
    }
    if (cached && cachedFiles && !again && this.now() - cached.fetchedAt < this.ttl) {
      this.stats.pageCacheHits++;
      return { files: cachedFiles };
    }
    const headers: Record<string, string> = { accept: SIMPLE_ACCEPT };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    this.stats.pageFetches++;
    const res = await this.http.get(url, { origin, headers, signal, maxBytes: PAGE_MAX_BYTES });
    if (res.status === 304 && cached && cachedFiles) {
      this.stats.pageRevalidations++;
      await this.cache!.put('page', url, { ...cached, fetchedAt: this.now() });
      return { files: cachedFiles };
    }
    if (res.status === 404 || res.status === 410) return 'not-found';
    if (res.status !== 200) throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
    const contentType = res.headers['content-type'] ?? 'text/html';
    // Relative file URLs resolve against the final URL.
    const files = linked(this.parsePage(res.body, contentType, res.url));
    if (this.cache && files.length > 0) {
      await this.cache.put('page', url, {
        fetchedAt: this.now(),
        etag: res.headers['etag'] ?? null,
        lastModified: res.headers['last-modified'] ?? null,
        contentType,
        body: res.body,
      });
    }
    return { files };
  }

  // ---------------------------------------------------------------------------------------------
  // Metadata

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
    const state = await this.project(name, signal);
    const verdicts = selectVersions(state.verdicts, SpecifierSet.parse(`===${version.toString()}`), true);
    const best = verdicts.find((v) => v.version.equals(version) && v.files.length > 0);
    if (!best) throw new NotFoundError(`${name} ${version.toString()}`, this.indexUrls[0] ?? '(no index)');
    const file = best.files[0]!.file;
    try {
      return { value: await this.metadataForFile(name, version, file, signal), problem: null };
    } catch (e) {
      if (e instanceof CancelledError || signal.aborted) throw e instanceof CancelledError ? e : new CancelledError();
      const problem = this.problemOf(e, file.url, canonicalizeName(name));
      this.record(problem);
      return { value: 'unknown', problem };
    }
  }

  /**
   * Core metadata that is what it claims: it parses, names the project asked for (PEP 503-normalized) and the
   * version asked for. Anything else is rejected whatever its hash: it is never used nor cached.
   */
  private validMetadata(body: Buffer, name: string, version: Version, what: string, url: string): CoreMetadata {
    const md = parseCoreMetadata(body.toString('utf8'));
    if (!md.name || !md.metadataVersion)
      throw new InvalidDataError(`${what} at ${redact(url)} is not core metadata (no Metadata-Version or Name)`, url);
    if (canonicalizeName(md.name) !== canonicalizeName(name))
      throw new InvalidDataError(`${what} at ${redact(url)} names ${md.name}, not ${name}`, url);
    const mdVersion = md.version ? Version.parse(md.version) : null;
    if (md.version && (!mdVersion || !mdVersion.equals(version)))
      throw new InvalidDataError(
        `${what} at ${redact(url)} says version ${md.version}, not ${version.toString()}`,
        url,
      );
    return md;
  }

  private async metadataForFile(
    name: string,
    version: Version,
    file: DistributionFile,
    signal: AbortSignal,
  ): Promise<ProvidedMetadata | 'unknown'> {
    const isWheel = file.filename.endsWith('.whl');
    let md: CoreMetadata | null = null;
    let source: ProvidedMetadata['source'] = isWheel ? 'wheel' : 'sdist';
    if (file.coreMetadata) {
      md = await this.metadataFile(name, version, file, signal);
      if (md) source = 'metadata-file';
    }
    if (!md) {
      if (isWheel) md = await this.wheelMetadata(name, version, file, signal);
      else if (sdistExtension(file.filename)) md = await this.sdistMetadata(name, version, file, signal);
      if (!md) return 'unknown';
    }
    if (!isWheel && !isReliableSdistMetadata(md)) return 'unknown';
    const { requires } = parseRequiresDist(md);
    return {
      requires: requires.map((r) => ({
        name: canonicalizeName(r.name),
        extras: r.extras.map(canonicalizeName),
        specifier: r.specifier,
        marker: r.markerText,
        url: r.url,
        parsed: r,
      })),
      ...(md.requiresPython ? { requiresPython: md.requiresPython } : {}),
      extras: md.providesExtra,
      filename: file.filename,
      source,
    };
  }

  /**
   * Metadata through the cache (immutable entries): a cached entry is validated again as it is read (one written by
   * an older version that does not validate is dropped and fetched again), and only what validated is stored.
   * `load` returns the bytes or null (absent); `check` throws `InvalidDataError` for bytes that are not the metadata.
   */
  private async cachedMetadata(
    key: string,
    kind: CacheKind,
    load: () => Promise<Buffer | null>,
    check: (body: Buffer) => CoreMetadata,
  ): Promise<CoreMetadata | null> {
    if (this.cache) {
      const hit = await this.cache.get(kind, key);
      if (hit) {
        try {
          const md = check(hit.body);
          this.stats.metadataCacheHits++;
          return md;
        } catch {
          await this.cache.delete(kind, key);
        }
      }
    }
    const body = await load();
    if (!body) return null;
    const md = check(body);
    if (this.cache)
      await this.cache.put(kind, key, {
        fetchedAt: this.now(),
        etag: null,
        lastModified: null,
        contentType: 'text/plain',
        body,
      });
    return md;
  }

  /**
   * The PEP 658 file; null when it is missing, when its hash does not match, or when it is not this project's
   * metadata (the last two recorded as problems): the wheel is read instead.
   */
  private async metadataFile(
    name: string,
    version: Version,
    file: DistributionFile,
    signal: AbortSignal,
  ): Promise<CoreMetadata | null> {
    const url = file.url + '.metadata';
    const expected = file.coreMetadata ? file.coreMetadata.hashes['sha256']?.toLowerCase() : undefined;
    let mismatch = false;
    const origin = this.originOf(file);
    try {
      return await this.cachedMetadata(
        url,
        'metadata',
        async () => {
          if (url.startsWith('file:')) {
            if (!this.mayReadLocal(origin)) throw new RefusedError(url, 'a file: URL only a remote page names');
            try {
              this.stats.localReads++;
              return await fs.readFile(fileURLToPath(url));
            } catch {
              return null;
            }
          }
          this.stats.metadataFetches++;
          const res = await this.http.get(url, { origin, signal, maxBytes: METADATA_MAX_BYTES });
          if (res.status !== 200) return null;
          if (expected && sha256(res.body) !== expected) {
            mismatch = true;
            throw new InvalidDataError(
              `The metadata file ${redact(url)} does not match the sha256 its index page gives`,
              url,
            );
          }
          return res.body;
        },
        (body) => this.validMetadata(body, name, version, 'The metadata file', url),
      );
    } catch (e) {
      if (!(e instanceof InvalidDataError)) throw e;
      const key = canonicalizeName(name);
      // The page that gave the hash may be older than the file (kept on disk by an earlier run, or in memory since the
      // index was fixed): the index is asked for the page again, once per file and hash, and its hash believed.
      const once = `${url}\0${expected}`;
      if (mismatch && !this.rechecked.has(once)) {
        this.rechecked.add(once);
        this.projects.delete(key);
        this.revalidate.add(key);
        const state = await this.project(key, signal);
        const now = state.verdicts.find((v) => v.file.filename === file.filename)?.file;
        const hash = now?.coreMetadata ? now.coreMetadata.hashes['sha256']?.toLowerCase() : undefined;
        if (now && hash && hash !== expected) return this.metadataFile(name, version, now, signal);
      }
      this.record(this.problemOf(e, url, key));
      return null;
    }
  }

  private async wheelMetadata(
    name: string,
    version: Version,
    file: DistributionFile,
    signal: AbortSignal,
  ): Promise<CoreMetadata> {
    const md = await this.cachedMetadata(
      file.url + '#METADATA',
      'metadata',
      async () => {
        const read = async (src: ByteSource, tail?: Buffer): Promise<Buffer> => {
          const entries = await readZipDirectory(src, tail);
          const entry = findWheelMetadata(entries, name, canonicalizeName);
          if (!entry)
            throw new InvalidDataError(`No .dist-info/METADATA in ${file.filename} at ${redact(file.url)}`, file.url);
          return readZipEntry(src, entry, METADATA_MAX_BYTES);
        };
        try {
          const origin = this.originOf(file);
          if (file.url.startsWith('file:')) {
            if (!this.mayReadLocal(origin)) throw new RefusedError(file.url, 'a file: URL only a remote page names');
            this.stats.localReads++;
            const src = await fileSource(fileURLToPath(file.url));
            try {
              return await read(src);
            } finally {
              await src.close();
            }
          }
          this.stats.metadataFetches++;
          const remote = await this.remoteSource(file.url, origin, signal);
          return await read(remote.src, remote.tail);
        } catch (e) {
          if (e instanceof IndexError || e instanceof CancelledError) throw e;
          throw new InvalidDataError(
            `Cannot read ${file.filename} at ${redact(file.url)}: ${redact((e as Error).message)}`,
            file.url,
          );
        }
      },
      (body) => this.validMetadata(body, name, version, `The METADATA of ${file.filename}`, file.url),
    );
    return md!;
  }

  /**
   * A remote archive as random access: a suffix range request for its tail; with 206, later reads are range
   * requests too; with 200 (no range support), the whole body, capped.
   */
  private async remoteSource(
    url: string,
    origin: UrlOrigin,
    signal: AbortSignal,
  ): Promise<{ src: ByteSource; tail?: Buffer }> {
    const cap = this.opts.maxDownloadBytes ?? 128 * 1024 * 1024;
    this.stats.rangeRequests++;
    const res = await this.http.get(url, {
      origin,
      headers: { range: `bytes=-${this.opts.tailBytes ?? 65536}` },
      signal,
      maxBytes: cap,
    });
    if (res.status === 206) {
      const m = /bytes\s+(\d+)-(\d+)\/(\d+)/i.exec(res.headers['content-range'] ?? '');
      if (m) {
        const start = Number(m[1]);
        const size = Number(m[3]);
        const tail = res.body;
        const src: ByteSource = {
          size,
          read: async (offset, length) => {
            if (offset >= start && offset + length <= start + tail.length)
              return tail.subarray(offset - start, offset - start + length);
            this.stats.rangeRequests++;
            const r = await this.http.get(url, {
              origin,
              headers: { range: `bytes=${offset}-${Math.min(size, offset + length) - 1}` },
              signal,
              maxBytes: cap,
            });
            if (r.status === 206) return r.body;
            if (r.status === 200) return r.body.subarray(offset, offset + length);
            throw new UnreachableError(url, 'http', `HTTP ${r.status} for a range`, r.status);
          },
        };
        return { src, tail };
      }
    }
    if (res.status === 200) {
      this.stats.fullDownloads++;
      return { src: bufferSource(res.body) };
    }
    if (res.status === 416 || res.status === 206)
      return { src: bufferSource(await this.download(url, origin, signal)) };
    if (res.status === 404) throw new NotFoundError('File', url);
    throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
  }

  private async download(url: string, origin: UrlOrigin, signal: AbortSignal): Promise<Buffer> {
    if (url.startsWith('file:')) {
      if (!this.mayReadLocal(origin)) throw new RefusedError(url, 'a file: URL only a remote page names');
      this.stats.localReads++;
      return fs.readFile(fileURLToPath(url));
    }
    this.stats.fullDownloads++;
    const res = await this.http.get(url, {
      origin,
      signal,
      maxBytes: this.opts.maxDownloadBytes ?? 128 * 1024 * 1024,
    });
    if (res.status === 404) throw new NotFoundError('File', url);
    if (res.status !== 200) throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
    return res.body;
  }

  /**
   * PKG-INFO of a .tar.gz or .zip sdist (downloaded whole, capped; decompressed as a stream, capped); null for other
   * formats or when absent.
   */
  private async sdistMetadata(
    name: string,
    version: Version,
    file: DistributionFile,
    signal: AbortSignal,
  ): Promise<CoreMetadata | null> {
    const ext = sdistExtension(file.filename);
    if (ext !== '.tar.gz' && ext !== '.tgz' && ext !== '.zip') return null;
    return this.cachedMetadata(
      file.url + '#PKG-INFO',
      'metadata',
      async () => {
        if (!file.url.startsWith('file:')) this.stats.metadataFetches++;
        const bytes = await this.download(file.url, this.originOf(file), signal);
        try {
          if (ext === '.zip') {
            const src = bufferSource(bytes);
            const entry = findSdistPkgInfo(await readZipDirectory(src));
            return entry ? await readZipEntry(src, entry, METADATA_MAX_BYTES) : null;
          }
          return await readTarGzPkgInfoStreaming(bytes, SDIST_TAR_MAX_BYTES, METADATA_MAX_BYTES);
        } catch (e) {
          throw new InvalidDataError(
            `Cannot read ${file.filename} at ${redact(file.url)}: ${redact((e as Error).message)}`,
            file.url,
          );
        }
      },
      (body) => this.validMetadata(body, name, version, `The PKG-INFO of ${file.filename}`, file.url),
    );
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
