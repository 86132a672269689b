// HTTP GETs for the index layer: bounded concurrency, timeouts, cancellation, one retry, Basic auth, size caps, typed errors.
import { authenticate, redact } from './credentials';
import { Semaphore } from './concurrency';
import { CancelledError, InvalidDataError, UnreachableError } from './errors';

/** Options of an `HttpClient`. */
export interface HttpClientOptions {
  /** Requests at once (default 16). */
  concurrency?: number;
  /** Per-attempt timeout in ms, covering connection, headers and body (default 15000). */
  timeoutMs?: number;
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

/** One GET. */
export interface HttpRequest {
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

/** Plain-language detail of a fetch failure (`ECONNREFUSED`, `ENOTFOUND`, socket closed...). */
function networkDetail(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code === 'ENOTFOUND' ? 'host not found' : cause.code === 'ECONNREFUSED' ? 'connection refused' : cause.code;
  return cause?.message ?? (e instanceof Error ? e.message : String(e));
}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  const len = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(len) && len > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new InvalidDataError(`Response of ${len} bytes exceeds the ${maxBytes}-byte cap: ${url}`, url);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new InvalidDataError(`Response exceeds the ${maxBytes}-byte cap: ${url}`, url);
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, total);
}

/** GETs over http(s) with the policies above; never logs or reports a credential. */
export class HttpClient {
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  /** Requests sent (attempts, retries included). */
  requests = 0;

  constructor(private readonly opts: HttpClientOptions = {}) {
    this.semaphore = new Semaphore(opts.concurrency ?? 16);
    this.timeoutMs = opts.timeoutMs ?? 15000;
    this.retries = opts.retries ?? 1;
    this.retryDelayMs = opts.retryDelayMs ?? 100;
  }

  /**
   * GETs `rawUrl` (userinfo, `${VAR}` and netrc turned into Basic auth) and resolves with the response, whatever
   * its status, except 5xx: those, network failures and timeouts are retried, then thrown as `UnreachableError`.
   * Throws `CancelledError` on abort and `InvalidDataError` past `maxBytes`.
   */
  async get(rawUrl: string, req: HttpRequest = {}): Promise<HttpResponse> {
    const auth = authenticate(rawUrl, { ...(this.opts.env ? { env: this.opts.env } : {}), ...(this.opts.netrc ? { netrc: this.opts.netrc } : {}) });
    const shown = redact(auth.url);
    const headers: Record<string, string> = { 'user-agent': 'stack-doctor', ...req.headers };
    if (auth.authorization) headers['authorization'] = auth.authorization;
    let lastError: UnreachableError | null = null;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (req.signal?.aborted) throw new CancelledError();
      if (attempt > 0) await delay(this.retryDelayMs * attempt, req.signal);
      try {
        return await this.semaphore.run(() => this.once(auth.url, shown, headers, req), req.signal);
      } catch (e) {
        if (!(e instanceof UnreachableError)) throw e;
        lastError = e;
        if (e.reason === 'http') throw e;
      }
    }
    throw lastError!;
  }

  private async once(url: string, shown: string, headers: Record<string, string>, req: HttpRequest): Promise<HttpResponse> {
    this.requests++;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    this.opts.log?.(`GET ${shown}${headers['range'] ? ` (${headers['range']})` : ''}`);
    try {
      const res = await fetch(url, { headers, signal, redirect: 'follow' });
      if (RETRY_STATUS.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        throw new UnreachableError(url, 'server', `HTTP ${res.status}`, res.status);
      }
      const body = res.status === 304 || res.status === 204 ? Buffer.alloc(0) : await readCapped(res, req.maxBytes ?? 256 * 1024 * 1024, url);
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        out[k] = v;
      });
      let finalUrl = res.url || url;
      try {
        const f = new URL(finalUrl);
        f.username = '';
        f.password = '';
        finalUrl = f.toString();
      } catch {
        finalUrl = url;
      }
      return { status: res.status, headers: out, body, url: finalUrl };
    } catch (e) {
      if (e instanceof UnreachableError || e instanceof InvalidDataError) throw e;
      if (req.signal?.aborted) throw new CancelledError();
      if (timeout.signal.aborted) throw new UnreachableError(url, 'timeout', `no answer within ${this.timeoutMs} ms`);
      throw new UnreachableError(url, 'network', redact(networkDetail(e)));
    } finally {
      clearTimeout(timer);
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
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
