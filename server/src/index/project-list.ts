// The project list of an index (PEP 691 JSON `GET <index>/`, PEP 503 HTML fallback), cached on disk and in memory, with
// prefix matching over normalized names.
import { DiskCache, type CacheEntry } from './cache';
import { redact } from './credentials';
import { PERSON, type UrlOrigin } from './url-origin';
import { IndexError, InvalidDataError, UnreachableError } from './errors';
import { CancelledError } from '../model/cancel';
import { HttpClient, type HttpClientOptions } from './http';
import { decodeEntities } from './simple';

/** The `Accept` header for the root page: JSON preferred, HTML accepted. */
const LIST_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';

/** PEP 503 normalization in one pass (the hot loop of building a PyPI-sized list). */
function canon(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The names one index lists, as one sorted array of `normalized\0as-listed` strings: the native string sort
 * orders them by normalized name (`\0` sorts first), prefix search is a binary search, and a PyPI-sized list
 * (600,000 names) costs one array.
 */
export class ProjectNames {
  private constructor(private readonly entries: string[]) {}

  /** Indexes `names` at once (small lists, tests). */
  static from(names: Iterable<string>): ProjectNames {
    const entries: string[] = [];
    for (const n of names) {
      const t = n.trim();
      if (t) entries.push(canon(t) + '\0' + t);
    }
    return new ProjectNames(entries.sort());
  }

  /** Indexes `names` in slices, yielding to the event loop between them, so a server stays responsive meanwhile. */
  static async build(names: readonly string[]): Promise<ProjectNames> {
    const entries: string[] = [];
    for (let i = 0; i < names.length; i += 20_000) {
      for (const n of names.slice(i, i + 20_000)) {
        const t = n.trim();
        if (t) entries.push(canon(t) + '\0' + t);
      }
      await new Promise((r) => setImmediate(r));
    }
    return new ProjectNames(entries.sort());
  }

  /** Distinct normalized names. */
  get size(): number {
    let n = 0;
    let last = '';
    for (const e of this.entries) {
      const k = e.slice(0, e.indexOf('\0'));
      if (k !== last) {
        n++;
        last = k;
      }
    }
    return n;
  }

  /** Whether the index lists the project (compared normalized). */
  has(name: string): boolean {
    const key = canon(name);
    return this.entries[lowerBound(this.entries, key)]?.startsWith(key + '\0') ?? false;
  }

  /**
   * Names whose normalized form starts with the normalized `typed` (`Scikit_L` finds `scikit-learn`), at most
   * `limit`: the exact name first, then shorter names first, then alphabetical.
   */
  matching(typed: string, limit = 100): string[] {
    const key = canon(typed);
    const out: { name: string; key: string }[] = [];
    let last = '';
    for (let i = lowerBound(this.entries, key); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (!e.startsWith(key)) break;
      const z = e.indexOf('\0');
      const k = e.slice(0, z);
      if (k === last) continue;
      last = k;
      out.push({ name: e.slice(z + 1), key: k });
      // Enough to rank: a prefix can match hundreds of thousands on PyPI; keep the shortest of a bounded window.
      if (out.length >= limit * 20) break;
    }
    out.sort((a, b) =>
      a.key === key ? -1 : b.key === key ? 1 : a.key.length - b.key.length || (a.key < b.key ? -1 : 1),
    );
    return out.slice(0, limit).map((x) => x.name);
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Parses the root page of a simple index: PEP 691 JSON (`projects[].name`) or PEP 503 HTML (the text of each `<a>`).
 */
export function parseProjectList(body: string, contentType: string, url: string): string[] {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/vnd.pypi.simple.v1+json' || type === 'application/json') {
    let data: { projects?: unknown };
    try {
      data = JSON.parse(body) as typeof data;
    } catch {
      throw new InvalidDataError(`Invalid JSON project list: ${redact(url)}`, url);
    }
    if (!data || typeof data !== 'object' || !Array.isArray(data.projects))
      throw new InvalidDataError(`JSON project list without projects: ${redact(url)}`, url);
    return (data.projects as unknown[]).flatMap((p) =>
      p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string'
        ? [(p as { name: string }).name]
        : [],
    );
  }
  const names: string[] = [];
  const re = /<a\b[^>]*>([^<]*)<\/a\s*>/gi;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const n = decodeEntities(m[1]!).trim();
    if (n) names.push(n);
  }
  return names;
}

/** Options of a {@link ProjectListCache}. */
export interface ProjectListOptions {
  /** Folder of the on-disk cache (shared with the metadata cache); null: memory only. */
  cacheDir?: string | null;
  /** How long a list is used without asking the index again (ms, default 24 h: the list changes slowly). */
  ttlMs?: number;
  http?: HttpClientOptions;
  now?: () => number;
}

interface Entry {
  names: ProjectNames;
  fetchedAt: number;
  etag: string | null;
  lastModified: string | null;
}

/**
 * The project lists of indexes: `peek` answers at once from memory (loading the disk cache in the background the
 * first time), `get` waits for the list; a stale list is refreshed in the background, one request per index at a
 * time, so a later request sees the new list. Failures are remembered for the TTL's tenth so a dead index is not
 * asked on every keystroke.
 */
export class ProjectListCache {
  /** Requests sent for lists (for tests). */
  fetches = 0;
  private readonly memory = new Map<string, Entry>();
  private readonly flights = new Map<string, Promise<Entry | null>>();
  private readonly failedAt = new Map<string, number>();
  /** Where each index URL came from (the person's settings unless a workspace file names it). */
  private readonly origins = new Map<string, UrlOrigin>();
  private readonly cache: DiskCache | null;
  private readonly http: HttpClient;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(opts: ProjectListOptions = {}) {
    this.cache = opts.cacheDir ? new DiskCache(opts.cacheDir) : null;
    this.http = new HttpClient({ timeoutMs: 30_000, ...opts.http });
    this.ttl = opts.ttlMs ?? 24 * 60 * 60 * 1000;
    this.now = opts.now ?? Date.now;
  }

  /** Settles when no load or refresh is running (one that has set the list may still be writing the disk cache). */
  async idle(): Promise<void> {
    while (this.flights.size) await Promise.allSettled([...this.flights.values()]);
  }

  /** The root URL asked for an index base URL (`<index>/`). */
  static rootUrl(indexUrl: string): string {
    return indexUrl.replace(/\/+$/, '') + '/';
  }

  /**
   * What is known now, without waiting; starts a load or a refresh in the background when there is none or it is stale.
   */
  peek(indexUrl: string, origin: UrlOrigin = PERSON): ProjectNames | null {
    const url = ProjectListCache.rootUrl(indexUrl);
    this.origins.set(url, origin);
    const have = this.memory.get(url);
    if (!have || this.now() - have.fetchedAt >= this.ttl) void this.load(url).catch(() => null);
    return have?.names ?? null;
  }

  /**
   * The list, waiting for the disk or the index when memory has none; a stale one is returned at once and refreshed
   * behind.
   */
  async get(indexUrl: string, signal?: AbortSignal, origin: UrlOrigin = PERSON): Promise<ProjectNames | null> {
    const url = ProjectListCache.rootUrl(indexUrl);
    this.origins.set(url, origin);
    const have = this.memory.get(url);
    if (have) {
      if (this.now() - have.fetchedAt >= this.ttl) void this.load(url).catch(() => null);
      return have.names;
    }
    const loading = this.load(url);
    if (!signal) return (await loading)?.names ?? null;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new CancelledError());
      signal.addEventListener('abort', onAbort, { once: true });
      loading
        .then((e) => resolve(e?.names ?? null), reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private load(url: string): Promise<Entry | null> {
    let flight = this.flights.get(url);
    if (!flight) {
      flight = this.fetch(url).finally(() => this.flights.delete(url));
      this.flights.set(url, flight);
    }
    return flight;
  }

  private async fetch(url: string): Promise<Entry | null> {
    // Keyed by the URL as written: no expanded `${VAR}` enters the cache.
    const real = url;
    let have = this.memory.get(url);
    let disk: CacheEntry | null = null;
    if (!have && this.cache) {
      disk = await this.cache.get('page', real);
      if (disk) {
        try {
          have = {
            names: await ProjectNames.build(parseProjectList(disk.body.toString('utf8'), disk.contentType, url)),
            fetchedAt: disk.fetchedAt,
            etag: disk.etag,
            lastModified: disk.lastModified,
          };
          this.memory.set(url, have);
          if (this.now() - disk.fetchedAt < this.ttl) return have;
        } catch {
          // a corrupt list is fetched again
        }
      }
    }
    const failed = this.failedAt.get(url);
    if (failed !== undefined && this.now() - failed < this.ttl / 10) return have ?? null;
    if (!/^(https?:|\$\{)/i.test(real)) return have ?? null;
    const headers: Record<string, string> = { accept: LIST_ACCEPT };
    if (have?.etag) headers['if-none-match'] = have.etag;
    if (have?.lastModified) headers['if-modified-since'] = have.lastModified;
    try {
      this.fetches++;
      const res = await this.http.get(real, {
        origin: this.origins.get(url) ?? PERSON,
        headers,
        maxBytes: 256 * 1024 * 1024,
      });
      if (res.status === 304 && have) {
        const entry = { ...have, fetchedAt: this.now() };
        this.memory.set(url, entry);
        const stored = disk ?? (this.cache ? await this.cache.get('page', real) : null);
        if (stored) await this.cache!.put('page', real, { ...stored, fetchedAt: entry.fetchedAt });
        return entry;
      }
      if (res.status !== 200) throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
      const contentType = res.headers['content-type'] ?? 'text/html';
      const entry: Entry = {
        names: await ProjectNames.build(parseProjectList(res.body.toString('utf8'), contentType, res.url)),
        fetchedAt: this.now(),
        etag: res.headers['etag'] ?? null,
        lastModified: res.headers['last-modified'] ?? null,
      };
      this.memory.set(url, entry);
      this.failedAt.delete(url);
      await this.cache?.put('page', real, {
        fetchedAt: entry.fetchedAt,
        etag: entry.etag,
        lastModified: entry.lastModified,
        contentType,
        body: res.body,
      });
      return entry;
    } catch (e) {
      if (!(e instanceof IndexError)) throw e;
      this.failedAt.set(url, this.now());
      return have ?? null;
    }
  }
}
