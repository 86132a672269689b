// What the parts of the metadata provider share: the HTTP client, the disk cache, the clock, the counters, the problem
// log and where each distribution file came from.
import type { DiskCache } from './cache';
import type { HttpClient } from './http';
import type { ProblemLog } from './problem-log';
import type { DistributionFile } from './simple';
import { PERSON, type UrlOrigin } from './url-origin';

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

/** The state one provider's project pages and metadata reads share. */
export class ProviderContext {
  readonly stats: ProviderStats = emptyStats();
  /** The origin of each file a page lists: a link of a remote page, or the local source's. */
  private readonly fileOrigins = new WeakMap<DistributionFile, UrlOrigin>();

  constructor(
    readonly http: HttpClient,
    readonly cache: DiskCache | null,
    readonly now: () => number,
    readonly problems: ProblemLog,
  ) {}

  /** Where a file came from: a link of the page that lists it, else (a local find-links source) the person's. */
  originOf(file: DistributionFile): UrlOrigin {
    return this.fileOrigins.get(file) ?? PERSON;
  }

  /** Whether the file's origin was set. */
  hasOrigin(file: DistributionFile): boolean {
    return this.fileOrigins.has(file);
  }

  setOrigin(file: DistributionFile, origin: UrlOrigin): void {
    this.fileOrigins.set(file, origin);
  }

  /**
   * Whether a `file:` URL may be read from disk: one a local find-links source or page lists, or one the person or a
   * trusted workspace file names; never one a remote page links or metadata names.
   */
  mayReadLocal(origin: UrlOrigin): boolean {
    return origin.kind === 'person' || (origin.kind === 'workspace' && origin.trusted);
  }
}
