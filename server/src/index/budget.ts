// What one analysis may spend on indexes: requests and bytes, counted by every HttpClient the analysis lends it to.
import { IndexError } from './errors';

/** Requests one analysis run may send to indexes (redirect hops and retries count). */
export const ANALYSIS_MAX_REQUESTS = 2000;
/** Bytes one analysis run may receive from indexes (decompressed). */
export const ANALYSIS_MAX_BYTES = 512 * 1024 * 1024;

/** The analysis's budget was spent: the request was not sent (or its answer not read further). */
export class BudgetSpentError extends IndexError {
  constructor(url: string, what: string) {
    super(`This analysis's budget for index requests was spent (${what}); ${url} was not asked`, url);
    this.name = 'BudgetSpentError';
  }
}

/** One analysis run's allowance, shared by the providers of its sets. */
export class RequestBudget {
  requests = 0;
  bytes = 0;
  constructor(
    readonly maxRequests = ANALYSIS_MAX_REQUESTS,
    readonly maxBytes = ANALYSIS_MAX_BYTES,
  ) {}

  /** In words, for the finding that says it was spent. */
  describe(): string {
    return `${this.maxRequests} requests or ${Math.round(this.maxBytes / 1024 / 1024)} MiB`;
  }

  /** Counts one request; throws BudgetSpentError when none is left. */
  request(url: string): void {
    if (this.requests >= this.maxRequests || this.bytes >= this.maxBytes)
      throw new BudgetSpentError(url, this.describe());
    this.requests++;
  }

  /** Counts received bytes; throws BudgetSpentError past the allowance. */
  receive(url: string, n: number): void {
    this.bytes += n;
    if (this.bytes > this.maxBytes) throw new BudgetSpentError(url, this.describe());
  }
}
