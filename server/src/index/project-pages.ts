// Project pages: every index and find-links source asked at once for a project's files, through the disk cache with
// revalidation, each file judged for the target and remembered with where it came from.
import { promises as fs } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { canonicalizeName } from '../pep/name';
import { redact } from './credentials';
import { evaluateFiles, type FileVerdict, type FormatControl, type Target } from './candidates';
import { InFlight } from './concurrency';
import {
  IndexError,
  InvalidDataError,
  NotFoundError,
  RefusedError,
  UnreachableError,
  type IndexProblem,
} from './errors';
import { CancelledError, throwIfAborted } from '../model/cancel';
import { HOST_RETRY_AFTER_MS } from './http';
import { problemOf } from './problem-log';
import type { ProviderContext } from './provider-context';
import { indexUrlsFor, type IndexSelection } from './selection';
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
import type { TagPriority } from './tags';
import { PERSON, indexOrigin, planRequest, type UrlOrigin } from './url-origin';

/** What the sources said of one project, judged for the target. */
export interface ProjectState {
  fetchedAt: number;
  /** When the memory copy must be asked again: the page TTL, or sooner when a source failed. */
  expiresAt: number;
  verdicts: FileVerdict[];
  /** Sources that could not answer for this project (the others' answers are used). */
  failures: IndexProblem[];
}

/** What the project pages are read with. */
export interface ProjectPagesOptions {
  indexes: IndexSelection;
  target: Target;
  formatControl?: FormatControl;
  tagPriority: TagPriority;
  /** How long a page is used without asking the index (ms). */
  ttl: number;
  /** The environment `${VAR}` is expanded from (default: the process's). */
  env?: Record<string, string | undefined>;
}

/** How long "no source has this project" is believed before the sources are asked again (ms). */
const MISSING_TTL_MS = 60_000;

/** Largest project page read (decompressed bytes): real pages of projects with thousands of files stay well below. */
export const PAGE_MAX_BYTES = 32 * 1024 * 1024;

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

/** The project pages of one provider: what each project's sources list, kept in memory for the TTL. */
export class ProjectPages {
  /** The index URLs as written (their `${VAR}` are expanded per request, as their origin allows). */
  readonly indexUrls: string[];
  /** Where each index URL and find-links URL came from. */
  private readonly sourceOrigins = new Map<string, UrlOrigin>();
  private readonly projects = new Map<string, ProjectState>();
  /** Projects no source had, with the answer, until they are asked again. */
  private readonly missing = new Map<string, { error: NotFoundError; until: number }>();
  private readonly projectFlights = new InFlight<ProjectState>();
  /** Per project, the sources that failed on its last load (also when no other source had it). */
  private readonly sourceFailures = new Map<string, IndexProblem[]>();
  /** Projects whose next load asks the indexes again even where a kept page is fresh. */
  private readonly revalidate = new Set<string>();

  constructor(
    private readonly ctx: ProviderContext,
    private readonly opts: ProjectPagesOptions,
  ) {
    this.indexUrls = opts.indexes.noIndex ? [] : [...opts.indexes.indexUrls];
    for (const u of [...this.indexUrls, ...opts.indexes.findLinks])
      this.sourceOrigins.set(u, indexOrigin(opts.indexes, u));
  }

  /**
   * The sources that could not answer for `name` on its last load, so may have it (or other versions of it).
   * Empty when every source answered.
   */
  unreachableFor(name: string): IndexProblem[] {
    return this.sourceFailures.get(canonicalizeName(name)) ?? [];
  }

  /** Forgets the project's page, so that the next `project` asks the indexes again even where a kept page is fresh. */
  forget(name: string): void {
    const key = canonicalizeName(name);
    this.projects.delete(key);
    this.revalidate.add(key);
  }

  /** The project's page, or null for a project no source has. */
  async knownProject(name: string, signal?: AbortSignal): Promise<ProjectState | null> {
    try {
      return await this.project(name, signal);
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  /**
   * The project's page: from memory while it is fresh (repeating the problems met loading it), else every source
   * asked. Throws `NotFoundError` when no source has the project, `CancelledError` on abort.
   */
  async project(name: string, signal?: AbortSignal): Promise<ProjectState> {
    throwIfAborted(signal);
    const key = canonicalizeName(name);
    const have = this.projects.get(key);
    if (have && this.ctx.now() < have.expiresAt) {
      for (const f of have.failures) this.ctx.problems.record(f);
      return have;
    }
    const missing = this.missing.get(key);
    if (missing && this.ctx.now() < missing.until) {
      for (const f of missing.error.unreachable) this.ctx.problems.record(f);
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
          until: this.ctx.now() + Math.min(this.opts.ttl, e.unreachable.length ? HOST_RETRY_AFTER_MS : MISSING_TTL_MS),
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
    // uv's routing: a routed package only on its indexes (no find-links), the others never on an explicit index.
    const { urls: indexUrls, routed } = indexUrlsFor(this.opts.indexes, name);
    const firstIndex = !routed && this.opts.indexes.uv?.firstIndex === true;
    const asked: {
      url: string;
      source: NonNullable<IndexProblem['source']>;
      answer: Promise<PageResult | 'not-found'>;
    }[] = [
      ...indexUrls.map((u) => {
        const url = projectPageUrl(u, name);
        const source = { kind: 'index' as const, url: redact(u) };
        return { url, source, answer: this.indexPage(url, this.sourceOrigins.get(u) ?? PERSON, signal, again) };
      }),
      ...(routed ? [] : this.opts.indexes.findLinks).map((f) => ({
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
    /** Under uv's first-index strategy, an index found the package: later indexes add nothing. */
    let firstFound = false;
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        if (s.value !== 'not-found') {
          found = true;
          const isIndex = i < indexUrls.length;
          if (firstIndex && isIndex && firstFound) return;
          if (isIndex) firstFound = true;
          files.push(...s.value.files);
        }
        return;
      }
      if (s.reason instanceof CancelledError) throw s.reason;
      const problem: IndexProblem = {
        ...problemOf(s.reason, asked[i]!.url, name),
        source: asked[i]!.source,
      };
      failures.push(problem);
      this.ctx.problems.record(problem);
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
        indexUrls[0] ? projectPageUrl(indexUrls[0], name) : (this.opts.indexes.findLinks[0] ?? '(no index)'),
        failures,
      );
    }
    let verdicts: FileVerdict[];
    try {
      verdicts = evaluateFiles(name, files, this.opts.target, this.opts.tagPriority, this.opts.formatControl);
    } catch (e) {
      throw new InvalidDataError(
        `The files offered for ${name} could not be read: ${redact((e as Error).message)}`,
        asked[0]?.url ?? '(no index)',
      );
    }
    const fetchedAt = this.ctx.now();
    return {
      fetchedAt,
      expiresAt: fetchedAt + (failures.length ? Math.min(this.opts.ttl, HOST_RETRY_AFTER_MS) : this.opts.ttl),
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
      for (const f of page.files) this.ctx.setOrigin(f, origin);
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
      for (const f of mine) if (!this.ctx.hasOrigin(f)) this.ctx.setOrigin(f, origin);
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
    const planned = planRequest(url, origin, { env: this.opts.env ?? process.env, netrc: () => new Map() });
    if ('refused' in planned) throw new RefusedError(url, planned.refused);
    const linked = (files: DistributionFile[]): DistributionFile[] => {
      const from: UrlOrigin = { kind: 'link', page: url, from: origin };
      for (const f of files) this.ctx.setOrigin(f, from);
      return files;
    };
    let cached = this.ctx.cache ? await this.ctx.cache.get('page', url) : null;
    let cachedFiles: DistributionFile[] | null = null;
    if (cached) {
      try {
        cachedFiles = linked(this.parsePage(cached.body, cached.contentType, planned.url));
        if (cachedFiles.length === 0) throw new InvalidDataError('empty', url);
      } catch {
        await this.ctx.cache!.delete('page', url);
        cached = null;
        cachedFiles = null;
      }
    }
    if (cached && cachedFiles && !again && this.ctx.now() - cached.fetchedAt < this.opts.ttl) {
      this.ctx.stats.pageCacheHits++;
      return { files: cachedFiles };
    }
    const headers: Record<string, string> = { accept: SIMPLE_ACCEPT };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    this.ctx.stats.pageFetches++;
    const res = await this.ctx.http.get(url, { origin, headers, signal, maxBytes: PAGE_MAX_BYTES });
    if (res.status === 304 && cached && cachedFiles) {
      this.ctx.stats.pageRevalidations++;
      await this.ctx.cache!.put('page', url, { ...cached, fetchedAt: this.ctx.now() });
      return { files: cachedFiles };
    }
    if (res.status === 404 || res.status === 410) return 'not-found';
    if (res.status !== 200) throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
    const contentType = res.headers['content-type'] ?? 'text/html';
    // Relative file URLs resolve against the final URL.
    const files = linked(this.parsePage(res.body, contentType, res.url));
    if (this.ctx.cache && files.length > 0) {
      await this.ctx.cache.put('page', url, {
        fetchedAt: this.ctx.now(),
        etag: res.headers['etag'] ?? null,
        lastModified: res.headers['last-modified'] ?? null,
        contentType,
        body: res.body,
      });
    }
    return { files };
  }
}
