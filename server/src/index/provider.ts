// MetadataProvider: candidate versions and dependencies of projects for one target, from simple indexes, find-links and the disk cache.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Marker, MarkerEvaluationError, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import type { ParsedRequirement } from '../pep/requirement';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import type { MetadataProvider as ResolverMetadataProvider, RequirementSpec, UrlMetadata } from '../resolver/types';
import { bufferSource, fileSource, findSdistPkgInfo, findWheelMetadata, readTarGzPkgInfo, readZipDirectory, readZipEntry, type ByteSource } from './archive';
import { DiskCache, type CacheEntry, type CacheKind } from './cache';
import { evaluateFiles, selectVersions, type FileVerdict, type FormatControl, type Target, type VersionVerdict } from './candidates';
import { InFlight } from './concurrency';
import { isReliableSdistMetadata, parseCoreMetadata, parseRequiresDist, type CoreMetadata } from './core-metadata';
import { expandEnvVars, redact } from './credentials';
import { CancelledError, IndexError, InvalidDataError, NotFoundError, UnreachableError, throwIfAborted } from './errors';
import { parseSdistFilename, parseWheelFilename, sdistExtension } from './filenames';
import { HttpClient, type HttpClientOptions } from './http';
import type { IndexSelection } from './selection';
import { SIMPLE_ACCEPT, fileIsForProject, listFindLinksFolder, parseHtmlProjectPage, parseJsonProjectPage, projectPageUrl, readLocalPage, type DistributionFile } from './simple';
import { TagPriority } from './tags';

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
  verdicts: FileVerdict[];
}

interface PageResult {
  files: DistributionFile[];
}

function emptyStats(): ProviderStats {
  return { pageFetches: 0, pageRevalidations: 0, pageCacheHits: 0, metadataFetches: 0, metadataCacheHits: 0, rangeRequests: 0, fullDownloads: 0, localReads: 0 };
}

function isJsonType(contentType: string): boolean {
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return t === 'application/vnd.pypi.simple.v1+json' || t === 'application/json';
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
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
  private readonly indexUrls: string[];
  private readonly projects = new Map<string, ProjectState>();
  private readonly projectFlights = new InFlight<ProjectState>();
  private readonly metadataFlights = new InFlight<ProvidedMetadata | 'unknown'>();
  private readonly metadataMemo = new Map<string, ProvidedMetadata | 'unknown'>();

  constructor(private readonly opts: MetadataProviderOptions) {
    this.http = new HttpClient(opts.http);
    this.cache = opts.cacheDir ? new DiskCache(opts.cacheDir) : null;
    this.tagPriority = new TagPriority(opts.target.tags);
    this.ttl = opts.pageTtlMs ?? 10 * 60 * 1000;
    this.now = opts.now ?? Date.now;
    const env = opts.http?.env ?? process.env;
    this.indexUrls = opts.indexes.noIndex ? [] : opts.indexes.indexUrls.map((u) => expandEnvVars(u, env));
  }

  /** HTTP requests sent so far (attempts, retries included). */
  get requests(): number {
    return this.http.requests;
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

  /** Versions with files that fit the target, all of them yanked, newest first (the resolver's contract). An unknown project: `[]`. */
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
    return [...all.values()].filter((g) => g.yanked).map((g) => g.version).sort((a, b) => b.compare(a));
  }

  /** The versions pip would try for a requirement with this (merged) specifier, newest first: pip 23's pre-release and yanked rules applied. Throws `NotFoundError` for an unknown project. */
  async versionsFor(name: string, query: VersionQuery = {}): Promise<Version[]> {
    return (await this.explain(name, query)).filter((v) => v.files.length > 0).map((v) => v.version);
  }

  /** Every version the sources list, newest first, each with its usable files or the reason it is excluded. */
  async explain(name: string, query: VersionQuery = {}): Promise<VersionVerdict[]> {
    const state = await this.project(name, query.signal);
    const spec = typeof query.specifier === 'string' ? SpecifierSet.parse(query.specifier) : (query.specifier ?? new SpecifierSet());
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
    if (memo !== undefined) return memo;
    const result = await this.metadataFlights.run(key, (s) => this.loadDependencies(name, version, s), signal);
    this.metadataMemo.set(key, result);
    return result;
  }

  /** The requirements that apply to the target for `name[extras]`: markers evaluated with `extra` = "" and each extra. */
  async requirementsFor(name: string, version: Version, extras: readonly string[] = [], signal?: AbortSignal): Promise<{ requires: ParsedRequirement[]; requiresPython: string | null } | 'unknown'> {
    const md = await this.dependencies(name, version, signal);
    if (md === 'unknown') return 'unknown';
    return { requires: requirementsForExtras(md.requires.map((r) => r.parsed), extras, this.opts.target.markers), requiresPython: md.requiresPython ?? null };
  }

  /** Version and requirements of a direct wheel or sdist URL (http(s) or file); `'unknown'` for anything else or an unreliable sdist. */
  async urlMetadata(name: string, url: string, signal?: AbortSignal): Promise<UrlMetadata | 'unknown'> {
    const clean = url.replace(/^[a-z]+\+/i, '').split('#')[0]!;
    const filename = decodeURIComponent(clean.slice(clean.lastIndexOf('/') + 1));
    let version: Version;
    try {
      version = filename.endsWith('.whl') ? parseWheelFilename(filename).version : parseSdistFilename(filename, name).version;
    } catch {
      return 'unknown';
    }
    const file: DistributionFile = { filename, url: clean, hashes: {}, requiresPython: null, yanked: false, coreMetadata: false, size: null, source: redact(clean) };
    const md = await this.metadataForFile(name, version, file, signal ?? new AbortController().signal);
    if (md === 'unknown') return 'unknown';
    return { version, requires: md.requires, ...(md.requiresPython ? { requiresPython: md.requiresPython } : {}) };
  }

  // ---------------------------------------------------------------------------------------------
  // Project pages

  private async project(name: string, signal?: AbortSignal): Promise<ProjectState> {
    throwIfAborted(signal);
    const key = canonicalizeName(name);
    const have = this.projects.get(key);
    if (have && this.now() - have.fetchedAt < this.ttl) return have;
    const state = await this.projectFlights.run(key, (s) => this.loadProject(key, s), signal);
    this.projects.set(key, state);
    return state;
  }

  private async loadProject(name: string, signal: AbortSignal): Promise<ProjectState> {
    const sources: Promise<PageResult | 'not-found'>[] = [
      ...this.indexUrls.map((u) => this.indexPage(projectPageUrl(u, name), signal)),
      ...this.opts.indexes.findLinks.map((f) => this.findLinksSource(f, name, signal)),
    ];
    const settled = await Promise.allSettled(sources);
    throwIfAborted(signal);
    const files: DistributionFile[] = [];
    let unreachable: IndexError | null = null;
    let found = false;
    for (const s of settled) {
      if (s.status === 'fulfilled') {
        if (s.value !== 'not-found') {
          found = true;
          files.push(...s.value.files);
        }
      } else if (s.reason instanceof CancelledError) throw s.reason;
      else if (s.reason instanceof IndexError) unreachable ??= s.reason;
      else throw s.reason;
    }
    // A source that failed while others answered is skipped, as pip skips it; when nothing answered, the failure is the answer.
    if (!found && unreachable) throw unreachable;
    if (!found) {
      throw new NotFoundError(`Project ${name}`, this.indexUrls[0] ? projectPageUrl(this.indexUrls[0], name) : (this.opts.indexes.findLinks[0] ?? '(no index)'));
    }
    return { fetchedAt: this.now(), verdicts: evaluateFiles(name, files, this.opts.target, this.tagPriority, this.opts.formatControl) };
  }

  /** One index project page: `file:` read from disk, http(s) through the cache with revalidation. */
  private async indexPage(url: string, signal: AbortSignal): Promise<PageResult | 'not-found'> {
    if (url.startsWith('file:')) {
      const local = await readLocalPage(url);
      if (!local) return 'not-found';
      const page = local.json ? parseJsonProjectPage(local.text, local.url) : parseHtmlProjectPage(local.text, local.url);
      return { files: page.files };
    }
    const page = await this.fetchPage(url, signal);
    if (page === 'not-found') return 'not-found';
    const parsed = isJsonType(page.contentType) ? parseJsonProjectPage(page.body.toString('utf8'), page.url) : parseHtmlProjectPage(page.body.toString('utf8'), page.url);
    return { files: parsed.files };
  }

  /** A find-links entry: a folder (every file in it), a local HTML page or archive, or a URL page; only this project's files. */
  private async findLinksSource(entry: string, name: string, signal: AbortSignal): Promise<PageResult | 'not-found'> {
    const filter = (files: DistributionFile[]): PageResult | 'not-found' => {
      const mine = files.filter((f) => fileIsForProject(f.filename, name));
      return mine.length > 0 ? { files: mine } : 'not-found';
    };
    if (/^https?:/i.test(entry)) {
      const page = await this.fetchPage(entry, signal);
      if (page === 'not-found') return 'not-found';
      const parsed = isJsonType(page.contentType) ? parseJsonProjectPage(page.body.toString('utf8'), page.url) : parseHtmlProjectPage(page.body.toString('utf8'), page.url);
      return filter(parsed.files);
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
    return filter([{ filename, url, hashes: {}, requiresPython: null, yanked: false, coreMetadata: false, size: null, source: url }]);
  }

  /** GETs a page through the cache: fresh entries are used as they are, stale ones revalidated (ETag / Last-Modified). */
  private async fetchPage(url: string, signal: AbortSignal): Promise<CacheEntry | 'not-found'> {
    const cached = this.cache ? await this.cache.get('page', url) : null;
    if (cached && this.now() - cached.fetchedAt < this.ttl) {
      this.stats.pageCacheHits++;
      return { ...cached, url: withUserinfoOf(url, cached.url) };
    }
    const headers: Record<string, string> = { accept: SIMPLE_ACCEPT };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    this.stats.pageFetches++;
    const res = await this.http.get(url, { headers, signal, maxBytes: 64 * 1024 * 1024 });
    if (res.status === 304 && cached) {
      this.stats.pageRevalidations++;
      const fresh = { ...cached, fetchedAt: this.now() };
      await this.cache!.put('page', url, fresh);
      return { ...fresh, url: withUserinfoOf(url, cached.url) };
    }
    if (res.status === 404 || res.status === 410) return 'not-found';
    if (res.status !== 200) throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
    const entry: CacheEntry = {
      url: res.url,
      fetchedAt: this.now(),
      etag: res.headers['etag'] ?? null,
      lastModified: res.headers['last-modified'] ?? null,
      contentType: res.headers['content-type'] ?? 'text/html',
      body: res.body,
    };
    if (this.cache) await this.cache.put('page', url, entry);
    // Relative file URLs resolve against the final URL, with the credentials of the URL asked for (memory only).
    return { ...entry, url: withUserinfoOf(url, res.url) };
  }

  // ---------------------------------------------------------------------------------------------
  // Metadata

  private async loadDependencies(name: string, version: Version, signal: AbortSignal): Promise<ProvidedMetadata | 'unknown'> {
    const state = await this.project(name, signal);
    const verdicts = selectVersions(state.verdicts, SpecifierSet.parse(`===${version.toString()}`), true);
    const best = verdicts.find((v) => v.version.equals(version) && v.files.length > 0);
    if (!best) throw new NotFoundError(`${name} ${version.toString()}`, this.indexUrls[0] ?? '(no index)');
    const file = best.files[0]!.file;
    return this.metadataForFile(name, version, file, signal);
  }

  private async metadataForFile(name: string, version: Version, file: DistributionFile, signal: AbortSignal): Promise<ProvidedMetadata | 'unknown'> {
    const isWheel = file.filename.endsWith('.whl');
    let md: CoreMetadata | null = null;
    let source: ProvidedMetadata['source'] = isWheel ? 'wheel' : 'sdist';
    if (file.coreMetadata) {
      md = await this.metadataFile(file, signal);
      if (md) source = 'metadata-file';
    }
    if (!md) {
      if (isWheel) md = await this.wheelMetadata(name, file, signal);
      else if (sdistExtension(file.filename)) md = await this.sdistMetadata(file, signal);
      if (!md) return 'unknown';
    }
    if (!isWheel && !isReliableSdistMetadata(md)) return 'unknown';
    if (md.name && canonicalizeName(md.name) !== canonicalizeName(name)) throw new InvalidDataError(`Metadata of ${file.filename} names ${md.name}, not ${name}`, file.url);
    const mdVersion = md.version ? Version.parse(md.version) : null;
    if (mdVersion && !mdVersion.equals(version)) throw new InvalidDataError(`Metadata of ${file.filename} says version ${md.version}, not ${version.toString()}`, file.url);
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

  /** Reads metadata text through the cache (immutable entries), or computes it with `load` and stores it. */
  private async cachedMetadata(key: string, kind: CacheKind, load: () => Promise<Buffer | null>): Promise<Buffer | null> {
    if (this.cache) {
      const hit = await this.cache.get(kind, key);
      if (hit) {
        this.stats.metadataCacheHits++;
        return hit.body;
      }
    }
    const body = await load();
    if (body && this.cache) await this.cache.put(kind, key, { fetchedAt: this.now(), etag: null, lastModified: null, contentType: 'text/plain', body });
    return body;
  }

  /** The PEP 658 file; null when it is missing or its hash does not match (the wheel is read instead). */
  private async metadataFile(file: DistributionFile, signal: AbortSignal): Promise<CoreMetadata | null> {
    const url = file.url + '.metadata';
    const body = await this.cachedMetadata(url, 'metadata', async () => {
      if (url.startsWith('file:')) {
        try {
          this.stats.localReads++;
          return await fs.readFile(fileURLToPath(url));
        } catch {
          return null;
        }
      }
      this.stats.metadataFetches++;
      const res = await this.http.get(url, { signal, maxBytes: 16 * 1024 * 1024 });
      if (res.status !== 200) return null;
      const expected = file.coreMetadata ? file.coreMetadata.hashes['sha256'] : undefined;
      if (expected && sha256(res.body) !== expected.toLowerCase()) return null;
      return res.body;
    });
    return body ? parseCoreMetadata(body.toString('utf8')) : null;
  }

  private async wheelMetadata(name: string, file: DistributionFile, signal: AbortSignal): Promise<CoreMetadata> {
    const body = await this.cachedMetadata(file.url + '#METADATA', 'metadata', async () => {
      const read = async (src: ByteSource, tail?: Buffer): Promise<Buffer> => {
        const entries = await readZipDirectory(src, tail);
        const entry = findWheelMetadata(entries, name, canonicalizeName);
        if (!entry) throw new InvalidDataError(`No .dist-info/METADATA in ${file.filename}`, file.url);
        return readZipEntry(src, entry);
      };
      try {
        if (file.url.startsWith('file:')) {
          this.stats.localReads++;
          const src = await fileSource(fileURLToPath(file.url));
          try {
            return await read(src);
          } finally {
            await src.close();
          }
        }
        this.stats.metadataFetches++;
        const remote = await this.remoteSource(file.url, signal);
        return await read(remote.src, remote.tail);
      } catch (e) {
        if (e instanceof IndexError || e instanceof CancelledError) throw e;
        throw new InvalidDataError(`Cannot read ${file.filename}: ${(e as Error).message}`, file.url);
      }
    });
    return parseCoreMetadata(body!.toString('utf8'));
  }

  /**
   * A remote archive as random access: a suffix range request for its tail; with 206, later reads are range
   * requests too; with 200 (no range support), the whole body, capped.
   */
  private async remoteSource(url: string, signal: AbortSignal): Promise<{ src: ByteSource; tail?: Buffer }> {
    const cap = this.opts.maxDownloadBytes ?? 128 * 1024 * 1024;
    this.stats.rangeRequests++;
    const res = await this.http.get(url, { headers: { range: `bytes=-${this.opts.tailBytes ?? 65536}` }, signal, maxBytes: cap });
    if (res.status === 206) {
      const m = /bytes\s+(\d+)-(\d+)\/(\d+)/i.exec(res.headers['content-range'] ?? '');
      if (m) {
        const start = Number(m[1]);
        const size = Number(m[3]);
        const tail = res.body;
        const src: ByteSource = {
          size,
          read: async (offset, length) => {
            if (offset >= start && offset + length <= start + tail.length) return tail.subarray(offset - start, offset - start + length);
            this.stats.rangeRequests++;
            const r = await this.http.get(url, { headers: { range: `bytes=${offset}-${Math.min(size, offset + length) - 1}` }, signal, maxBytes: cap });
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
    if (res.status === 416 || res.status === 206) return { src: bufferSource(await this.download(url, signal)) };
    if (res.status === 404) throw new NotFoundError('File', url);
    throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
  }

  private async download(url: string, signal: AbortSignal): Promise<Buffer> {
    if (url.startsWith('file:')) {
      this.stats.localReads++;
      return fs.readFile(fileURLToPath(url));
    }
    this.stats.fullDownloads++;
    const res = await this.http.get(url, { signal, maxBytes: this.opts.maxDownloadBytes ?? 128 * 1024 * 1024 });
    if (res.status === 404) throw new NotFoundError('File', url);
    if (res.status !== 200) throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
    return res.body;
  }

  /** PKG-INFO of a .tar.gz or .zip sdist (downloaded whole, capped); null for other formats or when absent. */
  private async sdistMetadata(file: DistributionFile, signal: AbortSignal): Promise<CoreMetadata | null> {
    const ext = sdistExtension(file.filename);
    if (ext !== '.tar.gz' && ext !== '.tgz' && ext !== '.zip') return null;
    const body = await this.cachedMetadata(file.url + '#PKG-INFO', 'metadata', async () => {
      if (!file.url.startsWith('file:')) this.stats.metadataFetches++;
      const bytes = await this.download(file.url, signal);
      try {
        if (ext === '.zip') {
          const src = bufferSource(bytes);
          const entry = findSdistPkgInfo(await readZipDirectory(src));
          return entry ? await readZipEntry(src, entry) : null;
        }
        return readTarGzPkgInfo(bytes);
      } catch (e) {
        throw new InvalidDataError(`Cannot read ${file.filename}: ${(e as Error).message}`, file.url);
      }
    });
    return body ? parseCoreMetadata(body.toString('utf8')) : null;
  }
}

/** `target` with the userinfo of `from` (so files under a redirected page keep the index's credentials). */
function withUserinfoOf(from: string, target: string): string {
  try {
    const f = new URL(from);
    const t = new URL(target);
    if (f.host === t.host) {
      t.username = f.username;
      t.password = f.password;
    }
    return t.toString();
  } catch {
    return from;
  }
}

/**
 * The requirements of `Requires-Dist` that apply to `name[extras]` on the target, as pip selects them: a marker is
 * evaluated with `extra` = "" and with each requested extra (normalized); an entry applies when any is true.
 * A marker that cannot be evaluated does not apply.
 */
export function requirementsForExtras(requires: readonly ParsedRequirement[], extras: readonly string[], env: MarkerEnvironment): ParsedRequirement[] {
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
