// Conda repodata as current clients fetch it: sharded (CEP 16) where offered, else repodata.json.zst / .bz2 / .json;
// revalidated, cached on disk.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiskCache, type CacheEntry } from '../index/cache';
import { InvalidDataError, UnreachableError } from '../index/errors';
import { CancelledError } from '../model/cancel';
import { HttpClient, type HttpResponse } from '../index/http';
import { PERSON, type UrlOrigin } from '../index/url-origin';
import { bunzip2, Bzip2Error } from './bzip2';
import { redactChannelText, type ResolvedChannel } from './channels';
import { crypto } from '../system/lazy-modules';
import { fzstd, msgpack } from '../system/lazy/conda-formats';

/** One package build as repodata describes it. */
export interface CondaRecord {
  name: string;
  version: string;
  build: string;
  build_number: number;
  depends: string[];
  constrains: string[];
  /** Space- or comma-separated, as repodata writes it ("" for none). */
  track_features: string;
  features?: string;
  noarch?: string;
  subdir: string;
  timestamp?: number;
  license?: string;
  /** The file name (`numpy-1.26.4-py311h64a7726_0.conda`). */
  fn: string;
}

/** A record with where it came from. */
export interface ChannelRecord extends CondaRecord {
  /** Index of the channel in the list the query was given. */
  channel: number;
}

/** How one channel subdir is served. */
export type SubdirKind = 'sharded' | 'full' | 'missing';

/** Counters of a store: network bytes and requests, cache use. */
export interface RepodataStats {
  requests: number;
  /** Bytes received over the network (compressed, as sent). */
  bytes: number;
  /** Responses answered from the disk cache without a request, or revalidated with 304. */
  cacheHits: number;
  /** Shards fetched (sharded subdirs). */
  shards: number;
  /** Of `bytes`, those of shard indexes (`repodata_shards.msgpack.zst`). */
  indexBytes: number;
}

/** Options of a `RepodataStore`. */
export interface RepodataStoreOptions {
  /** Cache folder (entries go to `<cacheDir>/conda`); null: memory only. */
  cacheDir: string | null;
  /** Never use the network: only the disk cache. */
  offline: boolean;
  /** Cached repodata younger than this is used without revalidation (default 10 minutes). */
  ttlMs?: number;
  timeoutMs?: number;
  /** Largest decompressed file read, of any format (default `REPODATA_MAX_BYTES`). */
  maxBytes?: number;
  http?: HttpClient;
  log?: (line: string) => void;
}

/** A channel subdir could not be read (unreachable, bad data, offline without cache). */
export class RepodataUnavailable extends Error {}

interface Validated {
  fetchedAt: number;
  etag: string | null;
  lastModified: string | null;
}

interface ShardIndex {
  /** Normalized name -> shard URL. */
  shards: Map<string, string>;
}

/** One channel subdir, opened: its kind, the names it has, and records by name. */
export class SubdirData {
  constructor(
    readonly channel: ResolvedChannel,
    readonly subdir: string,
    readonly kind: SubdirKind,
    private readonly store: RepodataStore,
    private readonly full: Map<string, CondaRecord[]> | null,
    private readonly index: ShardIndex | null,
    /** Bytes of the full repodata (as served) or of the shard index. */
    readonly sourceBytes: number,
    /** True when stale cached data stood in for an unreachable channel. */
    readonly stale: boolean,
    /** Where the shard URLs come from: the shard index that lists them. */
    private readonly shardOrigin: UrlOrigin = PERSON,
  ) {}

  /** Every package name the subdir has. */
  names(): Iterable<string> {
    return this.full ? this.full.keys() : this.index ? this.index.shards.keys() : [];
  }

  has(name: string): boolean {
    return this.full ? this.full.has(name) : this.index ? this.index.shards.has(name) : false;
  }

  /** The records of one name (a shard fetch for a sharded subdir). */
  async records(name: string, signal?: AbortSignal): Promise<CondaRecord[]> {
    if (this.full) return this.full.get(name) ?? [];
    const url = this.index?.shards.get(name);
    if (!url) return [];
    return this.store.shard(url, this.subdir, signal, this.shardOrigin);
  }
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * Largest decompressed repodata read, of any format (a whole `repodata.json`, a shard index, a shard): conda-forge's
 * largest subdir is well below it, and Node cannot make a longer string of it anyway. A compression bomb costs no more.
 */
export const REPODATA_MAX_BYTES = 512 * 1024 * 1024;

function unzstd(body: Buffer, what: string, maxBytes = REPODATA_MAX_BYTES): Buffer {
  if (body.length < 4 || body.readUInt32LE(0) !== ZSTD_MAGIC)
    throw new InvalidDataError(`${what} is not zstd data`, what);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooLarge = false;
  try {
    // Streamed, so that the output is counted as it is made (a frame's declared size is not trusted).
    const d = new (fzstd().Decompress)((chunk) => {
      total += chunk.length;
      if (total > maxBytes) {
        tooLarge = true;
        throw new Error('too large');
      }
      chunks.push(chunk);
    });
    d.push(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), true);
  } catch (e) {
    if (tooLarge) throw new InvalidDataError(`${what} decompresses to more than ${maxBytes} bytes`, what);
    throw new InvalidDataError(`${what} does not decompress (${(e as Error).message})`, what);
  }
  return Buffer.concat(chunks, total);
}

function unbzip2(body: Buffer, what: string, maxBytes = REPODATA_MAX_BYTES): Buffer {
  try {
    return bunzip2(body, maxBytes);
  } catch (e) {
    if (e instanceof Bzip2Error) throw new InvalidDataError(`${what} does not decompress (${e.message})`, what);
    throw e;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** One repodata record from JSON or msgpack, or null when it lacks name, version or build. */
function toRecord(fn: string, raw: unknown, subdir: string): CondaRecord | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const name = str(r['name']);
  const version = str(r['version']);
  const build = str(r['build']);
  if (!name || !version || build === undefined) return null;
  const tf = r['track_features'];
  const noarch = r['noarch'];
  const ts = r['timestamp'];
  const rec: CondaRecord = {
    name: name.toLowerCase(),
    version,
    build,
    build_number: typeof r['build_number'] === 'number' ? r['build_number'] : Number(r['build_number'] ?? 0) || 0,
    depends: strList(r['depends']),
    constrains: strList(r['constrains']),
    track_features: typeof tf === 'string' ? tf : Array.isArray(tf) ? strList(tf).join(' ') : '',
    subdir: str(r['subdir']) ?? subdir,
    fn,
  };
  if (typeof r['features'] === 'string' && r['features']) rec.features = r['features'];
  if (noarch === true || noarch === 'generic') rec.noarch = 'generic';
  else if (noarch === 'python') rec.noarch = 'python';
  if (typeof ts === 'number') rec.timestamp = ts;
  else if (typeof ts === 'bigint') rec.timestamp = Number(ts);
  if (typeof r['license'] === 'string') rec.license = r['license'];
  return rec;
}

/**
 * Records of a `packages` / `packages.conda` pair keyed by name; where both forms of one build exist the
 * `.conda` one is kept (as conda does), and names in `removed` are dropped.
 */
function collectRecords(data: Record<string, unknown>, subdir: string, into: Map<string, CondaRecord[]>): void {
  const removed = new Set(strList(data['removed']));
  const seen = new Set<string>();
  for (const key of ['packages.conda', 'packages']) {
    const pk = data[key];
    if (!pk || typeof pk !== 'object') continue;
    for (const [fn, raw] of Object.entries(pk as Record<string, unknown>)) {
      if (removed.has(fn)) continue;
      const stem = fn.replace(/\.(conda|tar\.bz2)$/, '');
      if (seen.has(stem)) continue;
      const rec = toRecord(fn, raw, subdir);
      if (!rec) continue;
      seen.add(stem);
      const list = into.get(rec.name);
      if (list) list.push(rec);
      else into.set(rec.name, [rec]);
    }
  }
}

/** The URL as a cache key: a `/t/<token>` becomes a hash of it, so no token reaches a cache file. */
function cacheUrl(url: string): string {
  return url.replace(
    /\/t\/([^/]+)/,
    (_m, tok: string) => `/t/h-${crypto().createHash('sha256').update(tok).digest('hex').slice(0, 16)}`,
  );
}

/** Fetches and caches repodata; keep one per cache folder so that warm solves reuse parsed data. */
export class RepodataStore {
  readonly stats: RepodataStats = { requests: 0, bytes: 0, cacheHits: 0, shards: 0, indexBytes: 0 };
  private readonly disk: DiskCache | null;
  private readonly http: HttpClient;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly subdirs = new Map<string, { at: number; data: Promise<SubdirData> }>();
  private readonly shardMemo = new Map<string, Promise<CondaRecord[]>>();

  constructor(readonly opts: RepodataStoreOptions) {
    this.disk = opts.cacheDir ? new DiskCache(path.join(opts.cacheDir, 'conda')) : null;
    const log = opts.log;
    this.http =
      opts.http ??
      new HttpClient({
        timeoutMs: opts.timeoutMs ?? 15000,
        ...(log ? { log: (l: string) => log(redactChannelText(l)) } : {}),
      });
    this.ttlMs = opts.ttlMs ?? 10 * 60 * 1000;
    this.maxBytes = opts.maxBytes ?? REPODATA_MAX_BYTES;
  }

  /** Opens a channel subdir (memoised for the TTL); throws `RepodataUnavailable` with a redacted message. */
  subdir(channel: ResolvedChannel, subdir: string, signal?: AbortSignal): Promise<SubdirData> {
    const key = `${channel.url}/${subdir}`;
    const hit = this.subdirs.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.data;
    const data = this.open(channel, subdir, signal);
    this.subdirs.set(key, { at: Date.now(), data });
    data.catch(() => this.subdirs.delete(key));
    return data;
  }

  private async open(channel: ResolvedChannel, subdir: string, signal?: AbortSignal): Promise<SubdirData> {
    const base = `${channel.url}/${subdir}/`;
    const where = `${channel.display}/${subdir}`;
    // A channel the person configured (or named by a workspace file but resolved through their configuration) is
    // theirs; one a workspace file writes as a URL gets only its own credentials.
    const origin: UrlOrigin = channel.fromWorkspaceFile ? { kind: 'workspace', trusted: true, expand: false } : PERSON;
    let stale = false;
    let failure: string | null = null;
    // 1. Sharded repodata (CEP 16).
    try {
      const got = await this.get(base + 'repodata_shards.msgpack.zst', signal, false, origin);
      if (got) {
        stale ||= got.stale;
        const raw = msgpack().decode(unzstd(got.body, `${where}/repodata_shards.msgpack.zst`, this.maxBytes)) as Record<
          string,
          unknown
        >;
        if (
          !raw ||
          typeof raw !== 'object' ||
          Array.isArray(raw) ||
          !raw['shards'] ||
          typeof raw['shards'] !== 'object'
        )
          throw new InvalidDataError(`${where}/repodata_shards.msgpack.zst is not a shard index`, where);
        const info = (raw?.['info'] ?? {}) as Record<string, unknown>;
        const shardsBase = new URL(str(info['shards_base_url']) || './shards/', base).toString().replace(/\/?$/, '/');
        const shards = new Map<string, string>();
        const table = raw?.['shards'];
        if (table && typeof table === 'object') {
          for (const [name, hash] of Object.entries(table as Record<string, unknown>)) {
            const hex =
              hash instanceof Uint8Array ? Buffer.from(hash).toString('hex') : typeof hash === 'string' ? hash : null;
            if (hex && /^[0-9a-f]{64}$/i.test(hex))
              shards.set(name.toLowerCase(), `${shardsBase}${hex.toLowerCase()}.msgpack.zst`);
          }
        }
        const listed: UrlOrigin = { kind: 'link', page: base + 'repodata_shards.msgpack.zst', from: origin };
        return new SubdirData(channel, subdir, 'sharded', this, null, { shards }, got.body.length, stale, listed);
      }
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      failure = this.describe(e, where);
    }
    // 2. The whole repodata: zstd-compressed where offered, else bzip2-compressed, else plain JSON.
    for (const file of ['repodata.json.zst', 'repodata.json.bz2', 'repodata.json']) {
      try {
        const got = await this.get(base + file, signal, false, origin);
        if (!got) continue;
        stale ||= got.stale;
        const text = file.endsWith('.zst')
          ? unzstd(got.body, `${where}/${file}`, this.maxBytes)
          : file.endsWith('.bz2')
            ? unbzip2(got.body, `${where}/${file}`, this.maxBytes)
            : got.body;
        if (text.length > this.maxBytes)
          throw new InvalidDataError(`${where}/${file} is larger than ${this.maxBytes} bytes`, where);
        let data: unknown;
        try {
          data = JSON.parse(text.toString('utf8'));
        } catch (e) {
          throw new InvalidDataError(`${where}/${file} is not valid JSON (${(e as Error).message})`, where);
        }
        if (!data || typeof data !== 'object' || Array.isArray(data))
          throw new InvalidDataError(`${where}/${file} is not a repodata object`, where);
        const full = new Map<string, CondaRecord[]>();
        collectRecords(data as Record<string, unknown>, subdir, full);
        return new SubdirData(channel, subdir, 'full', this, full, null, got.body.length, stale);
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        failure = this.describe(e, where);
        break;
      }
    }
    if (failure) throw new RepodataUnavailable(failure);
    return new SubdirData(channel, subdir, 'missing', this, new Map(), null, 0, false);
  }

  private describe(e: unknown, where: string): string {
    if (e instanceof UnreachableError) {
      const detail = e.message.replace(/^Index unreachable: \S+ /, '');
      return redactChannelText(`${where} could not be reached ${detail}`);
    }
    if (e instanceof RepodataUnavailable) return e.message;
    return redactChannelText(`${where}: ${(e as Error).message}`);
  }

  /** Records of one shard (content-addressed: cached for good). */
  shard(url: string, subdir: string, signal?: AbortSignal, origin: UrlOrigin = PERSON): Promise<CondaRecord[]> {
    let p = this.shardMemo.get(url);
    if (!p) {
      p = (async () => {
        const got = await this.get(url, signal, true, origin);
        if (!got) return [];
        this.stats.shards++;
        // Shards are content-addressed: the file name is the sha256 of the bytes.
        const want = /([0-9a-f]{64})\.msgpack\.zst$/.exec(url)?.[1];
        if (want && crypto().createHash('sha256').update(got.body).digest('hex') !== want)
          throw new InvalidDataError(`the shard ${redactChannelText(url)} does not match its sha256`, url);
        const raw = msgpack().decode(unzstd(got.body, redactChannelText(url), this.maxBytes)) as Record<
          string,
          unknown
        >;
        const out = new Map<string, CondaRecord[]>();
        if (raw && typeof raw === 'object') collectRecords(raw, subdir, out);
        return [...out.values()].flat();
      })();
      this.shardMemo.set(url, p);
      p.catch(() => this.shardMemo.delete(url));
    }
    return p;
  }

  /**
   * The body of a URL: disk cache when fresh (or offline), else a (conditional) GET. null for 404/403/410
   * (absent). A network failure falls back to any cached copy (`stale`), else throws.
   */
  private async get(
    url: string,
    signal: AbortSignal | undefined,
    immutable = false,
    origin: UrlOrigin = PERSON,
  ): Promise<{ body: Buffer; stale: boolean } | null> {
    if (url.startsWith('file:')) {
      // A local channel the person or a trusted file names is read; a `file:` URL a channel's answer names (its
      // `shards_base_url`) never is.
      if (origin.kind === 'link' && !origin.page.startsWith('file:'))
        throw new InvalidDataError(
          `${redactChannelText(url)} is a local file named by a remote channel: not read`,
          url,
        );
      return this.readFile(url);
    }
    const key = cacheUrl(url);
    const kind = immutable ? 'metadata' : 'page';
    const cached = this.disk ? await this.disk.get(kind, key) : null;
    if (cached && (immutable || Date.now() - cached.fetchedAt < this.ttlMs)) {
      this.stats.cacheHits++;
      return cached.contentType === 'absent' ? null : { body: cached.body, stale: false };
    }
    if (this.opts.offline) {
      if (cached) {
        this.stats.cacheHits++;
        return cached.contentType === 'absent' ? null : { body: cached.body, stale: true };
      }
      throw new RepodataUnavailable(`${redactChannelText(url)} is not in the cache and Stack Doctor is offline`);
    }
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, br' };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    let res: HttpResponse;
    try {
      this.stats.requests++;
      // The conda report decides which channels are asked: an untrusted workspace's URL channels never get here.
      res = await this.http.get(url, { origin, headers, ...(signal ? { signal } : {}) });
    } catch (e) {
      if (e instanceof UnreachableError && cached)
        return cached.contentType === 'absent' ? null : { body: cached.body, stale: true };
      throw e;
    }
    const got = Number(res.headers['content-length'] ?? NaN) || res.body.length;
    this.stats.bytes += got;
    if (url.endsWith('/repodata_shards.msgpack.zst')) this.stats.indexBytes += got;
    const v: Validated = {
      fetchedAt: Date.now(),
      etag: res.headers['etag'] ?? null,
      lastModified: res.headers['last-modified'] ?? null,
    };
    if (res.status === 304 && cached) {
      this.stats.cacheHits++;
      await this.disk?.touch(kind, key, cached as CacheEntry, v.fetchedAt);
      return cached.contentType === 'absent' ? null : { body: cached.body, stale: false };
    }
    if (res.status === 404 || res.status === 403 || res.status === 410) {
      await this.disk?.put(kind, key, { ...v, contentType: 'absent', body: Buffer.alloc(0) });
      return null;
    }
    if (res.status === 401) throw new RepodataUnavailable(`${redactChannelText(url)} needs credentials (HTTP 401)`);
    if (res.status !== 200) throw new RepodataUnavailable(`${redactChannelText(url)} answered HTTP ${res.status}`);
    await this.disk?.put(kind, key, { ...v, contentType: res.headers['content-type'] ?? '', body: res.body });
    return { body: res.body, stale: false };
  }

  private async readFile(url: string): Promise<{ body: Buffer; stale: boolean } | null> {
    try {
      return { body: await fs.readFile(fileURLToPath(url)), stale: false };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
        return null;
      throw new RepodataUnavailable(
        `${redactChannelText(url)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  }
}

/** The package names a match spec string (a `depends` entry) names, or null for a virtual package. */
export function specName(spec: string): string | null {
  const m = /^\s*(?:[^\s:]+::)?([A-Za-z0-9_][A-Za-z0-9_.+-]*)/.exec(spec);
  if (!m) return null;
  const n = m[1]!.toLowerCase();
  return n.startsWith('__') ? null : n;
}

/** What a query gathered: records by name (channel index on each), and which sources failed. */
export interface Gathered {
  records: Map<string, ChannelRecord[]>;
  /** Open subdirs by channel index. */
  sources: SubdirData[][];
  /** Redacted messages of subdirs that could not be read. */
  unavailable: string[];
  /** True when stale cache stood in for an unreachable channel. */
  stale: boolean;
  /** True when `follow` left out the depends of some record (a solve that changes the lines may need more). */
  pruned: boolean;
}

/**
 * Of the records of one name, those whose `depends` are followed (the others can never be installed); called once per
 * name, after the whole round that reached it, with every record gathered so far.
 */
export type FollowFilter = (
  name: string,
  recs: readonly ChannelRecord[],
  all: ReadonlyMap<string, readonly ChannelRecord[]>,
) => readonly ChannelRecord[];

/**
 * Opens every channel's subdirs and gathers the records of `roots` and, transitively, of every name their
 * `depends` reach (only those shards are fetched from a sharded channel). With `follow`, only the depends of the
 * records it keeps are followed; `roots` are all gathered in the first round.
 */
export async function gather(
  store: RepodataStore,
  channels: readonly ResolvedChannel[],
  subdirs: readonly string[],
  roots: Iterable<string>,
  signal?: AbortSignal,
  maxNames = 5000,
  follow?: FollowFilter,
): Promise<Gathered> {
  const unavailable: string[] = [];
  const sources: SubdirData[][] = await Promise.all(
    channels.map(async (ch) => {
      const subs = ch.subdir
        ? [ch.subdir, 'noarch'].filter((s, i, a) => a.indexOf(s) === i && subdirs.includes(s))
        : [...subdirs];
      const opened = await Promise.all(
        subs.map((s) =>
          store.subdir(ch, s, signal).catch((e: unknown) => {
            if (e instanceof CancelledError) throw e;
            unavailable.push(e instanceof Error ? redactChannelText(e.message) : String(e));
            return null;
          }),
        ),
      );
      return opened.filter((x): x is SubdirData => x !== null);
    }),
  );
  const records = new Map<string, ChannelRecord[]>();
  const seen = new Set<string>();
  // Names only the records `follow` left out depend on: the gather is complete when every one was reached anyway.
  const skipped = new Set<string>();
  let frontier = [...new Set([...roots].map((n) => n.toLowerCase()))];
  while (frontier.length && seen.size < maxNames) {
    for (const n of frontier) seen.add(n);
    await Promise.all(
      frontier.map(async (name) => {
        const lists = await Promise.all(
          sources.flatMap((subs, ci) =>
            subs.map(async (sd) => {
              try {
                return (await sd.records(name, signal)).map((r) => ({ ...r, channel: ci }));
              } catch (e) {
                if (e instanceof CancelledError || signal?.aborted) throw e;
                const msg =
                  `${sd.channel.display}/${sd.subdir}: the repodata of ${name} ` +
                  `could not be read (${e instanceof Error ? e.message : String(e)})`;
                if (!unavailable.includes(msg)) unavailable.push(redactChannelText(msg));
                return [];
              }
            }),
          ),
        );
        records.set(name, lists.flat());
      }),
    );
    // The next round: the names the followed records depend on (decided once the whole round is known).
    const next = new Set<string>();
    for (const name of frontier) {
      const all = records.get(name) ?? [];
      const kept = new Set(follow ? follow(name, all, records) : all);
      for (const r of all)
        for (const d of r.depends) {
          const dn = specName(d);
          if (!dn || seen.has(dn)) continue;
          if (kept.has(r)) next.add(dn);
          else skipped.add(dn);
        }
    }
    frontier = [...next];
  }
  const pruned = [...skipped].some((n) => !records.has(n));
  return { records, sources, unavailable, stale: sources.some((s) => s.some((d) => d.stale)), pruned };
}
