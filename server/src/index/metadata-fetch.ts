// Core metadata of a distribution file: a PEP 658 `.metadata` file, a wheel read in place (range requests, else a
// capped download) or a reliable sdist's PKG-INFO, validated before it is used or cached.
import { crypto } from '../system/lazy-modules';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalizeName } from '../pep/name';
import type { ParsedRequirement } from '../pep/requirement';
import { Version } from '../pep/version';
import type { RequirementSpec } from '../resolver/types';
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
import type { CacheKind } from './cache';
import { isReliableSdistMetadata, parseCoreMetadata, parseRequiresDist, type CoreMetadata } from './core-metadata';
import { redact } from './credentials';
import { IndexError, InvalidDataError, NotFoundError, RefusedError, UnreachableError } from './errors';
import { CancelledError } from '../model/cancel';
import { sdistExtension } from '../pep/filenames';
import { problemOf } from './problem-log';
import type { ProjectPages } from './project-pages';
import type { ProviderContext } from './provider-context';
import type { DistributionFile } from './simple';
import type { UrlOrigin } from './url-origin';

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

/** Largest core metadata file read (a `.metadata` file, a wheel's METADATA, an sdist's PKG-INFO; decompressed). */
export const METADATA_MAX_BYTES = 10 * 1024 * 1024;
/** Largest decompressed tar scanned for an sdist's PKG-INFO. */
const SDIST_TAR_MAX_BYTES = 256 * 1024 * 1024;

function sha256(buf: Buffer): string {
  return crypto().createHash('sha256').update(buf).digest('hex');
}

/** Caps of the metadata reads. */
export interface MetadataFetchOptions {
  /** Cap on a full wheel or sdist download (bytes, default 128 MiB). */
  maxDownloadBytes?: number;
  /** Bytes asked for at the end of a remote wheel to find its central directory (default 64 KiB). */
  tailBytes?: number;
}

/** Reads the core metadata of distribution files for one provider. */
export class MetadataFetcher {
  /** Metadata files whose page was asked again once because the file did not match the hash the page gave. */
  private readonly rechecked = new Set<string>();

  constructor(
    private readonly ctx: ProviderContext,
    private readonly pages: ProjectPages,
    private readonly opts: MetadataFetchOptions,
  ) {}

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

  /**
   * The whole core metadata of `file` as an earlier read kept it in the disk cache (a PEP 658 file, a wheel's METADATA
   * or an sdist's PKG-INFO); null without a cache or when nothing was kept.
   */
  async cachedCoreMetadata(file: DistributionFile): Promise<CoreMetadata | null> {
    if (!this.ctx.cache) return null;
    for (const key of [file.url + '.metadata', file.url + '#METADATA', file.url + '#PKG-INFO']) {
      const hit = await this.ctx.cache.get('metadata', key);
      if (hit) return parseCoreMetadata(hit.body.toString('utf8'));
    }
    return null;
  }

  /**
   * What `file` (of `name` `version`) needs: `'unknown'` when only an unreliable sdist or an unread format is there.
   * Throws the index layer's errors for a file that cannot be read or is not this project's metadata.
   */
  async metadataForFile(
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
    if (this.ctx.cache) {
      const hit = await this.ctx.cache.get(kind, key);
      if (hit) {
        try {
          const md = check(hit.body);
          this.ctx.stats.metadataCacheHits++;
          return md;
        } catch {
          await this.ctx.cache.delete(kind, key);
        }
      }
    }
    const body = await load();
    if (!body) return null;
    const md = check(body);
    if (this.ctx.cache)
      await this.ctx.cache.put(kind, key, {
        fetchedAt: this.ctx.now(),
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
    const origin = this.ctx.originOf(file);
    try {
      return await this.cachedMetadata(
        url,
        'metadata',
        async () => {
          if (url.startsWith('file:')) {
            if (!this.ctx.mayReadLocal(origin)) throw new RefusedError(url, 'a file: URL only a remote page names');
            try {
              this.ctx.stats.localReads++;
              return await fs.readFile(fileURLToPath(url));
            } catch {
              return null;
            }
          }
          this.ctx.stats.metadataFetches++;
          const res = await this.ctx.http.get(url, { origin, signal, maxBytes: METADATA_MAX_BYTES });
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
        this.pages.forget(key);
        const state = await this.pages.project(key, signal);
        const now = state.verdicts.find((v) => v.file.filename === file.filename)?.file;
        const hash = now?.coreMetadata ? now.coreMetadata.hashes['sha256']?.toLowerCase() : undefined;
        if (now && hash && hash !== expected) return this.metadataFile(name, version, now, signal);
      }
      this.ctx.problems.record(problemOf(e, url, key));
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
          const origin = this.ctx.originOf(file);
          if (file.url.startsWith('file:')) {
            if (!this.ctx.mayReadLocal(origin))
              throw new RefusedError(file.url, 'a file: URL only a remote page names');
            this.ctx.stats.localReads++;
            const src = await fileSource(fileURLToPath(file.url));
            try {
              return await read(src);
            } finally {
              await src.close();
            }
          }
          this.ctx.stats.metadataFetches++;
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
    this.ctx.stats.rangeRequests++;
    const res = await this.ctx.http.get(url, {
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
            this.ctx.stats.rangeRequests++;
            const r = await this.ctx.http.get(url, {
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
      this.ctx.stats.fullDownloads++;
      return { src: bufferSource(res.body) };
    }
    if (res.status === 416 || res.status === 206)
      return { src: bufferSource(await this.download(url, origin, signal)) };
    if (res.status === 404) throw new NotFoundError('File', url);
    throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
  }

  private async download(url: string, origin: UrlOrigin, signal: AbortSignal): Promise<Buffer> {
    if (url.startsWith('file:')) {
      if (!this.ctx.mayReadLocal(origin)) throw new RefusedError(url, 'a file: URL only a remote page names');
      this.ctx.stats.localReads++;
      return fs.readFile(fileURLToPath(url));
    }
    this.ctx.stats.fullDownloads++;
    const res = await this.ctx.http.get(url, {
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
        if (!file.url.startsWith('file:')) this.ctx.stats.metadataFetches++;
        const bytes = await this.download(file.url, this.ctx.originOf(file), signal);
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
