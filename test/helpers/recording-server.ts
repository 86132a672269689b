// A loopback HTTP server that records every request (path, Host header, Authorization header, Range header) for the
// hostile-workspace tests: one stands for the person's index (in front of a package index), one for an attacker.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  /** The request target as sent (path and query, percent-encoded as on the wire). */
  path: string;
  host: string;
  authorization: string | null;
  range: string | null;
}

/** Answers a request itself; returns false to let the server forward it (or answer 404). */
export type RecordingHandler = (req: IncomingMessage, res: ServerResponse, origin: string) => boolean | void;

export interface RecordingServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** Every recorded request as one text (to look for a secret anywhere in it). */
  transcript(): string;
  close(): Promise<void>;
}

/**
 * Starts a recording server on 127.0.0.1. `handle` answers what it wants; the rest is forwarded to `forward` (an
 * origin such as a package index's, the path kept) or answered 404.
 */
export async function startRecordingServer(
  opts: { handle?: RecordingHandler; forward?: string } = {},
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let origin = '';
  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      host: String(req.headers.host ?? ''),
      authorization: req.headers.authorization ?? null,
      range: typeof req.headers.range === 'string' ? req.headers.range : null,
    });
    if (opts.handle?.(req, res, origin)) return;
    if (!opts.forward) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const target = new URL(req.url ?? '/', opts.forward);
    const headers = { ...req.headers, host: target.host };
    const up = httpRequest(target, { method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    requests,
    transcript: () =>
      requests.map((r) => `${r.method} ${r.path} host=${r.host} auth=${r.authorization} range=${r.range}`).join('\n'),
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The `Authorization` value HTTP Basic sends for these credentials. */
export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}
