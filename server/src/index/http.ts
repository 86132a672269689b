// HTTP GETs for the index layer: each planned by where its URL came from (url-origin.ts: expansion, credentials, what
// is refused), redirects followed hop by hop under the same plan, bounded concurrency, timeouts, cancellation, one
// retry, size caps, the analysis's budget, typed errors, and hosts that failed remembered for a while.
import type { RequestBudget } from './budget';
import { loadDefaultNetrc, redact } from './credentials';
import { Semaphore, onAbort } from './concurrency';
import { IndexError, InvalidDataError, RefusedError, UnreachableError } from './errors';
import { CancelledError } from '../model/cancel';
import { planRequest, redirectOrigin, type PlanContext, type PlannedRequest, type UrlOrigin } from './url-origin';

/**
 * The default time for an answer to start, and the longest silence while a body arrives (ms): 10 s, or
 * `STACK_DOCTOR_INDEX_TIMEOUT_MS` (for slow networks, and for tests of unreachable indexes).
 */
export const DEFAULT_TIMEOUT_MS =
  Number(process.env['STACK_DOCTOR_INDEX_TIMEOUT_MS']) > 0
    ? Number(process.env['STACK_DOCTOR_INDEX_TIMEOUT_MS'])
    : 10_000;
/** How long a host that did not answer (timeout, DNS failure, unreachable network) is not asked again (ms). */
export const HOST_RETRY_AFTER_MS = 30_000;

/**
 * Hosts that could not be reached, remembered for `ttlMs` so that one unreachable index costs one timeout per run,
 * not one per project; after that it is asked again (an editor session recovers when the network comes back).
 */
export class HostHealth {
  private readonly down = new Map<string, { until: number; reason: UnreachableError['reason']; detail: string }>();
  constructor(
    readonly ttlMs = HOST_RETRY_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Why the host is remembered as unreachable, or null. */
  failure(host: string): { reason: UnreachableError['reason']; detail: string } | null {
    const d = this.down.get(host);
    if (!d) return null;
    if (this.now() >= d.until) {
      this.down.delete(host);
      return null;
    }
    return d;
  }

  markDown(host: string, reason: UnreachableError['reason'], detail: string): void {
    this.down.set(host, { until: this.now() + this.ttlMs, reason, detail });
  }

  markUp(host: string): void {
    this.down.delete(host);
  }
}

/** The process's hosts: every provider (one per index selection) shares what it learnt. */
export const sharedHostHealth = new HostHealth();

/**
 * Failures that say the host itself cannot be reached now (not this one request): it is not asked again for a while.
 */
const HOST_DOWN_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Options of an `HttpClient`. */
export interface HttpClientOptions {
  /** Requests at once (default 16). */
  concurrency?: number;
  /**
   * Per attempt: the longest wait for the answer to start (DNS, connection, headers) and the longest silence while
   * the body arrives (ms, default 10000). A host that does not answer in time is remembered (see `hostHealth`).
   */
  timeoutMs?: number;
  /** Per attempt, the whole request, body included (ms, default 60000 or `timeoutMs`, the larger). */
  totalTimeoutMs?: number;
  /** Hosts remembered as unreachable (default: shared by the process; null: never remembered). */
  hostHealth?: HostHealth | null;
  /** Retries after a network error, timeout or 5xx (default 1). */
  retries?: number;
  /** Delay before a retry in ms (default 100). */
  retryDelayMs?: number;
  /** Variables for `${VAR}` in URLs (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Netrc entries (default: `$NETRC` or `~/.netrc`). */
  netrc?: Map<string, { login: string; password: string }>;
  /** Called with a redacted line per request, for tracing. */
  log?: (line: string) => void;
}

/** Redirect hops followed at most (pip's requests follows 30). */
export const MAX_REDIRECTS = 10;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/** One GET. */
export interface HttpRequest {
  /** Where the URL came from: decides whether it is fetched, its `${VAR}` expansion and its credentials. */
  origin: UrlOrigin;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The body is refused (InvalidDataError) past this many bytes (default 256 MiB). */
  maxBytes?: number;
}

/** A response; `body` is empty for 304. */
export interface HttpResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The final URL after redirects, without credentials. */
  url: string;
}

const RETRY_STATUS = new Set([500, 502, 503, 504, 520, 527]);

/** The error code of a fetch failure (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`...), looking through causes. */
function errorCode(e: unknown): string | undefined {
  let c: unknown = e;
  for (let i = 0; i < 4 && c && typeof c === 'object'; i++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Plain-language detail of a fetch failure (connection refused, host not found, socket closed...). */
function networkDetail(e: unknown): string {
  const code = errorCode(e);
  const words: Record<string, string> = {
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    ERR_INVALID_URL: 'not a valid URL',
    UND_ERR_SOCKET: 'connection closed before the answer was complete',
  };
  if (code) return words[code] ?? code;
  const cause = (e as { cause?: { message?: string } }).cause;
  return cause?.message ?? (e instanceof Error ? e.message : String(e));
}

/**
 * Reads the body, counting decompressed bytes (fetch undoes Content-Encoding as it streams), and refuses it past
 * `maxBytes` without reading further: a gzip bomb costs at most `maxBytes`. `progress` is called per chunk.
 */
async function readCapped(
  res: Response,
  maxBytes: number,
  url: string,
  progress: (bytes: number) => void,
): Promise<Buffer> {
  const encoded = (res.headers.get('content-encoding') ?? '').trim().toLowerCase();
  const len = Number(res.headers.get('content-length') ?? NaN);
  if ((!encoded || encoded === 'identity') && Number.isFinite(len) && len > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new InvalidDataError(
      `Answer of ${len} bytes from ${redact(url)} is larger than the ${maxBytes}-byte limit`,
      url,
    );
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    try {
      progress(value.byteLength);
    } catch (e) {
      await reader.cancel().catch(() => undefined);
      throw e;
    }
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new InvalidDataError(
        `Answer from ${redact(url)} is larger than the ${maxBytes}-byte ` +
          `limit${encoded && encoded !== 'identity' ? ` once decompressed (${encoded})` : ''}`,
        url,
      );
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, total);
}

/** GETs over http(s) with the policies above; never logs or reports a credential. */
export class HttpClient {
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly health: HostHealth | null;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  /** Requests sent (attempts, retries and redirect hops included). */
  requests = 0;
  /** The running analysis's budget (null: none), shared with the other clients of that analysis. */
  budget: RequestBudget | null = null;
  private readonly planContext: PlanContext;

  constructor(private readonly opts: HttpClientOptions = {}) {
    this.semaphore = new Semaphore(opts.concurrency ?? 16);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.totalTimeoutMs = Math.max(this.timeoutMs, opts.totalTimeoutMs ?? 60_000);
    this.health = opts.hostHealth === undefined ? sharedHostHealth : opts.hostHealth;
    this.retries = opts.retries ?? 1;
    this.retryDelayMs = opts.retryDelayMs ?? 100;
    const env = opts.env ?? process.env;
    this.planContext = { env, netrc: () => opts.netrc ?? loadDefaultNetrc(env) };
  }

  /** The request `rawUrl` from `origin` becomes, or RefusedError (see `planRequest`). */
  private plan(rawUrl: string, origin: UrlOrigin): PlannedRequest {
    const p = planRequest(rawUrl, origin, this.planContext);
    if ('refused' in p) throw new RefusedError(rawUrl, p.refused);
    return p;
  }

  /**
   * GETs `rawUrl` as its origin allows (`planRequest`: RefusedError when it does not) and resolves with the response,
   * whatever its status, except 5xx: those and network failures are retried once, then thrown as `UnreachableError`.
   * Redirects are followed hop by hop, each planned again as a link of the URL before it (only http(s), no credentials
   * to another host or port). A host that timed out or could not be found is not retried, and is not asked again for a
   * while: later requests to it fail at once with the same `UnreachableError`. Throws `CancelledError` on abort,
   * `InvalidDataError` past `maxBytes` and `BudgetSpentError` when the analysis's budget is spent.
   */
  async get(rawUrl: string, req: HttpRequest): Promise<HttpResponse> {
    const plan = this.plan(rawUrl, req.origin);
    const host = plan.host;
    const headers: Record<string, string> = { 'user-agent': 'stack-doctor', ...req.headers };
    delete headers['authorization'];
    let lastError: UnreachableError | null = null;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (req.signal?.aborted) throw new CancelledError();
      if (attempt > 0) await delay(this.retryDelayMs * attempt, req.signal);
      try {
        // Checked once a slot is free: requests queued behind the first ones to a dead host fail at once.
        return await this.semaphore.run(() => {
          const known = this.health?.failure(host);
          if (known)
            throw new UnreachableError(
              plan.url,
              known.reason,
              `${known.detail}, earlier in this run; not asked again for ${Math.round(this.health!.ttlMs / 1000)} s`,
            );
          return this.once(rawUrl, plan, headers, req);
        }, req.signal);
      } catch (e) {
        if (!(e instanceof UnreachableError)) throw e;
        lastError = e;
        if (e.reason === 'http' || e.reason === 'timeout' || this.health?.failure(host)) throw e;
      }
    }
    throw lastError!;
  }

  private async once(
    rawUrl: string,
    first: PlannedRequest,
    headers: Record<string, string>,
    req: HttpRequest,
  ): Promise<HttpResponse> {
    const host = first.host;
    let url = first.url;
    // One controller per attempt, joined to the caller's signal with AbortSignal.any: no listener is left on the
    // caller's signal.
    const timeout = new AbortController();
    let phase: 'answer' | 'body' = 'answer';
    let timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const total = setTimeout(() => timeout.abort(), this.totalTimeoutMs);
    const progress = (bytes: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => timeout.abort(), this.timeoutMs);
      if (bytes > 0) this.budget?.receive(url, bytes);
    };
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    try {
      let hop = first;
      let hopRaw = rawUrl;
      let hopOrigin = req.origin;
      let res: Response;
      for (let hops = 0; ; hops++) {
        url = hop.url;
        this.budget?.request(url);
        this.requests++;
        this.opts.log?.(`GET ${redact(url)}${headers['range'] ? ` (${headers['range']})` : ''}`);
        const sent = hop.authorization ? { ...headers, authorization: hop.authorization } : headers;
        res = await fetch(url, { headers: sent, signal, redirect: 'manual' });
        const location = res.headers.get('location');
        if (!REDIRECT_STATUS.has(res.status) || location === null) break;
        await res.body?.cancel().catch(() => undefined);
        if (hops >= MAX_REDIRECTS) throw new UnreachableError(url, 'network', `more than ${MAX_REDIRECTS} redirects`);
        let next: string;
        try {
          next = new URL(location, url).toString();
        } catch {
          throw new UnreachableError(url, 'http', 'a redirect to a location that is not a URL');
        }
        hopOrigin = redirectOrigin(hopRaw, hopOrigin);
        hopRaw = next;
        try {
          hop = this.plan(next, hopOrigin);
        } catch (e) {
          throw e instanceof RefusedError ? new RefusedError(next, `a redirect from ${redact(url)}`) : e;
        }
      }
      phase = 'body';
      progress(0);
      if (RETRY_STATUS.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        throw new UnreachableError(url, 'server', `HTTP ${res.status}`, res.status);
      }
      const body =
        res.status === 304 || res.status === 204
          ? Buffer.alloc(0)
          : await readCapped(res, req.maxBytes ?? 256 * 1024 * 1024, url, progress);
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        out[k] = v;
      });
      this.health?.markUp(host);
      return { status: res.status, headers: out, body, url };
    } catch (e) {
      if (e instanceof IndexError) throw e;
      if (req.signal?.aborted) throw new CancelledError();
      if (timeout.signal.aborted) {
        if (phase === 'answer') {
          const detail = `no answer within ${this.timeoutMs} ms`;
          this.health?.markDown(host, 'timeout', detail);
          throw new UnreachableError(url, 'timeout', detail);
        }
        throw new UnreachableError(url, 'timeout', `the answer stalled or took longer than ${this.totalTimeoutMs} ms`);
      }
      const detail = redact(networkDetail(e));
      const code = errorCode(e);
      if (code && HOST_DOWN_CODES.has(code)) this.health?.markDown(host, 'network', detail);
      throw new UnreachableError(url, 'network', detail);
    } finally {
      clearTimeout(timer);
      clearTimeout(total);
    }
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const t = setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off = onAbort(signal, () => {
      clearTimeout(t);
      reject(new CancelledError());
    });
  });
}
