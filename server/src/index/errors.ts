// Typed errors of the metadata layer; every message carries URLs through redact() only.
import { redact } from './credentials';

/** Base of every error the index layer throws; `url` is already redacted. */
export class IndexError extends Error {
  readonly url: string;
  constructor(message: string, url: string) {
    super(redact(message));
    this.name = 'IndexError';
    this.url = redact(url);
  }
}

/**
 * Something an index could not answer during a run, kept by the provider (`problems()`, `unreachableFor()`) so that
 * one failing index or one bad file costs only what needed it. Every string is redacted.
 */
export interface IndexProblem {
  /**
   * `unreachable`: no answer (network, DNS, timeout, 5xx, 429...); `invalid`: an answer that is not what it should be;
   * `refused`: not asked, where the URL came from does not allow it; `budget`: not asked, the analysis's budget of
   * requests and bytes was spent.
   */
  kind: 'unreachable' | 'invalid' | 'refused' | 'budget';
  /** The URL asked, credentials removed. */
  url: string;
  /** `host[:port]` of that URL (what a message names: "download.pytorch.org could not be reached"). */
  host: string;
  /** What was wrong, in plain words (with the redacted URL). */
  message: string;
  /** The project concerned (PEP 503-normalized), when one is. */
  project: string | null;
  /**
   * For a project page: the configured source asked, as configured (`${VAR}` unexpanded) and redacted, and whether
   * it is an index or a find-links entry (pip's find-links are not indexes).
   */
  source?: { kind: 'index' | 'find-links'; url: string };
  /** What was wrong without the URL (`connection refused`), for an index that could not be reached. */
  detail?: string;
}

/** The index answered 404 for a project page (or no source knows the project). */
export class NotFoundError extends IndexError {
  /** Indexes that could not be asked for it and so may have it (empty when every source answered). */
  readonly unreachable: IndexProblem[];
  constructor(what: string, url: string, unreachable: IndexProblem[] = []) {
    super(`${what} not found at ${redact(url)}`, url);
    this.name = 'NotFoundError';
    this.unreachable = unreachable;
  }
}

/** The index could not be reached: offline, DNS, refused, reset, timeout, or a 5xx after a retry. */
export class UnreachableError extends IndexError {
  /** `timeout`, `network`, `server` (5xx) or `http` (another unexpected status). */
  readonly reason: 'timeout' | 'network' | 'server' | 'http';
  readonly status: number | null;
  /** What went wrong, without the URL (redacted). */
  readonly detail: string;
  constructor(url: string, reason: UnreachableError['reason'], detail: string, status: number | null = null) {
    super(`Index unreachable: ${redact(url)} (${detail})`, url);
    this.name = 'UnreachableError';
    this.reason = reason;
    this.status = status;
    this.detail = redact(detail);
  }
}

/**
 * A file, page or archive that could not be read as what it should be (bad zip, no METADATA, bad JSON, HTML where
 * JSON was announced, too large, metadata of another project). `message` names the redacted URL and what was wrong.
 */
export class InvalidDataError extends IndexError {
  constructor(message: string, url: string) {
    super(message, url);
    this.name = 'InvalidDataError';
  }
}

/** `host[:port]` of a URL for messages, or the redacted text when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || redact(url);
  } catch {
    return redact(url);
  }
}

/** A URL the index layer does not fetch (where it came from does not allow it); `message` says why. */
export class RefusedError extends IndexError {
  constructor(url: string, why: string) {
    super(`Not fetched: ${redact(url)} (${why})`, url);
    this.name = 'RefusedError';
  }
}
