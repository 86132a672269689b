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

/** The index answered 404 for a project page (or no source knows the project). */
export class NotFoundError extends IndexError {
  constructor(what: string, url: string) {
    super(`${what} not found at ${redact(url)}`, url);
    this.name = 'NotFoundError';
  }
}

/** The index could not be reached: offline, DNS, refused, reset, timeout, or a 5xx after a retry. */
export class UnreachableError extends IndexError {
  /** `timeout`, `network`, `server` (5xx) or `http` (another unexpected status). */
  readonly reason: 'timeout' | 'network' | 'server' | 'http';
  readonly status: number | null;
  constructor(url: string, reason: UnreachableError['reason'], detail: string, status: number | null = null) {
    super(`Index unreachable: ${redact(url)} (${detail})`, url);
    this.name = 'UnreachableError';
    this.reason = reason;
    this.status = status;
  }
}


/** A file, page or archive that could not be read as what it should be (bad zip, no METADATA, bad JSON, too large). */
export class InvalidDataError extends IndexError {
  constructor(message: string, url: string) {
    super(message, url);
    this.name = 'InvalidDataError';
  }
}

export { CancelledError, throwIfAborted } from '../model/cancel';
