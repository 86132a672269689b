// On-disk cache of index pages and metadata files: hashed keys without credentials, validators, TTL, atomic writes,
// corrupt entries dropped.
import { crypto } from '../system/lazy-modules';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { redact, stripCredentials } from './credentials';
import { readCacheFileAsync, writeFileAtomicAsync } from '../system/atomic-write';

/** What kind of entry: project pages expire after the TTL; metadata files never change. */
export type CacheKind = 'page' | 'metadata';

/** A cached response. */
export interface CacheEntry {
  /** The URL without credentials, redacted (never a secret). */
  url: string;
  /** When it was fetched or last revalidated (ms since the epoch). */
  fetchedAt: number;
  etag: string | null;
  lastModified: string | null;
  contentType: string;
  body: Buffer;
}

interface StoredHeader {
  v: 1;
  url: string;
  fetchedAt: number;
  etag: string | null;
  lastModified: string | null;
  contentType: string;
  size: number;
  sha256: string;
}

/** The URL as a cache entry's header records it: userinfo removed, then redacted (tokens in paths and queries too). */
function shownUrl(url: string): string {
  return redact(stripCredentials(url));
}

/** The cache key of a URL (its file name): sha256 of the URL with its userinfo removed, never a credential in clear. */
export function cacheKey(url: string): string {
  return crypto().createHash('sha256').update(stripCredentials(url)).digest('hex');
}

/**
 * Entries live in `<dir>/<kind>/<first two hex>/<sha256>`: a JSON header line, then the body bytes. A header
 * that does not parse, a size or sha256 that does not match, drops the entry (it is refetched). The cache stores
 * bytes only; callers put only what parsed and validated, and `delete` what no longer validates when read.
 */
export class DiskCache {
  /** Entries read successfully. */
  hits = 0;
  /** Entries found corrupt and removed. */
  dropped = 0;

  constructor(readonly dir: string) {}

  private file(kind: CacheKind, url: string): string {
    const k = cacheKey(url);
    return path.join(this.dir, kind, k.slice(0, 2), k);
  }

  /**
   * The entry for `url`, or null (absent or corrupt; corrupt ones are deleted). An entry that is a symlink, another
   * user's or writable by others is a miss (system/atomic-write.ts): nobody else chooses what this user's analysis reads.
   */
  async get(kind: CacheKind, url: string): Promise<CacheEntry | null> {
    const file = this.file(kind, url);
    const raw = await readCacheFileAsync(file);
    if (!raw) return null;
    const nl = raw.indexOf(0x0a);
    try {
      if (nl < 0) throw new Error('no header');
      const h = JSON.parse(raw.subarray(0, nl).toString('utf8')) as StoredHeader;
      const body = raw.subarray(nl + 1);
      if (h.v !== 1 || typeof h.fetchedAt !== 'number' || h.size !== body.length) throw new Error('bad header');
      if (crypto().createHash('sha256').update(body).digest('hex') !== h.sha256) throw new Error('bad checksum');
      if (h.url !== shownUrl(url)) throw new Error('key collision');
      this.hits++;
      return {
        url: h.url,
        fetchedAt: h.fetchedAt,
        etag: h.etag,
        lastModified: h.lastModified,
        contentType: h.contentType,
        body: Buffer.from(body),
      };
    } catch {
      this.dropped++;
      await fs.rm(file, { force: true }).catch(() => undefined);
      return null;
    }
  }

  /**
   * Writes an entry atomically (an exclusive temporary file with an unpredictable name, 0600, then rename). Failures
   * are ignored: the cache is an optimisation.
   */
  async put(kind: CacheKind, url: string, entry: Omit<CacheEntry, 'url'>): Promise<void> {
    const file = this.file(kind, url);
    const header: StoredHeader = {
      v: 1,
      url: shownUrl(url),
      fetchedAt: entry.fetchedAt,
      etag: entry.etag,
      lastModified: entry.lastModified,
      contentType: entry.contentType,
      size: entry.body.length,
      sha256: crypto().createHash('sha256').update(entry.body).digest('hex'),
    };
    await writeFileAtomicAsync(file, Buffer.concat([Buffer.from(JSON.stringify(header) + '\n', 'utf8'), entry.body]));
  }

  /** Removes an entry (one that was read but did not validate). */
  async delete(kind: CacheKind, url: string): Promise<void> {
    this.dropped++;
    await fs.rm(this.file(kind, url), { force: true }).catch(() => undefined);
  }

  /** Marks an entry fresh again after a 304 (rewrites its header with the new time and validators). */
  async touch(kind: CacheKind, url: string, entry: CacheEntry, fetchedAt: number): Promise<void> {
    await this.put(kind, url, { ...entry, fetchedAt });
  }
}
