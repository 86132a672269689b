// A loopback package index for tests: a real HTTP server on 127.0.0.1 serving PEP 503 HTML and PEP 691 JSON simple
// pages, PEP 658 metadata, and real tiny wheels built at start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { deflateRawSync, gzipSync } from 'node:zlib';
import type { Target } from '../../server/src/index/candidates';

/** One release of a project in the index. */
export interface IndexPackage {
  /** Project name as written (the page is served under its PEP 503 normalized form). */
  name: string;
  version: string;
  /** `Requires-Dist` lines (PEP 508). */
  dependencies?: readonly string[];
  /** `Requires-Python`, also announced on the simple page. */
  requiresPython?: string;
  /** `Provides-Extra` names; their requirements go in `dependencies` with `; extra == "..."` markers. */
  extras?: readonly string[];
  /** Extra files inside the wheel (path -> text); the package's `__init__.py` holds `__version__`. */
  files?: Readonly<Record<string, string>>;
  /** PEP 592 yank reason (true: yanked without a reason). */
  yanked?: boolean | string;
  /** The wheel's tag (default `py3-none-any`), e.g. `cp311-cp311-manylinux_2_17_x86_64`. */
  tag?: string;
  /**
   * Also serve a `.tar.gz` sdist with a PKG-INFO of this Metadata-Version (and `Dynamic` fields); with `only`,
   * serve the sdist and no wheel.
   */
  sdist?: { metadataVersion?: string; dynamic?: readonly string[]; only?: boolean };
  /** Core metadata `Summary`, `License`, `Home-page` and `Project-URL` (label, url) lines. */
  summary?: string;
  license?: string;
  homePage?: string;
  projectUrls?: readonly [string, string][];
}

/** One advisory the loopback JSON API reports for a release (PyPI's `vulnerabilities` entry). */
export interface IndexAdvisory {
  id: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  fixed_in?: string[];
  link?: string;
  withdrawn?: string | null;
}

/** A built wheel. */
export interface BuiltWheel {
  filename: string;
  bytes: Buffer;
  sha256: string;
  /** The METADATA file's bytes (what PEP 658 serves). */
  metadata: Buffer;
}

/** One request the index answered (or is answering). */
export interface IndexRequest {
  method: string;
  path: string;
  accept: string;
}

/** Options of {@link startPackageIndex}. */
export interface PackageIndexOptions {
  /** `negotiate` (default): JSON when the Accept header asks for it, else HTML. */
  format?: 'negotiate' | 'html' | 'json';
  /** Serve PEP 658/714 metadata next to each wheel (default true). */
  metadata?: boolean;
  /** Wheels whose download starts and then never finishes (until the index closes): for cancel tests. */
  stall?: (filename: string) => boolean;
  /** Slow mode: wait this long before answering each request. */
  delayMs?: number;
  /** Answer HTTP 500 when this returns true (`n` counts the requests for that path so far, from 1). */
  fail500?: (path: string, n: number) => boolean;
  /** Destroy the connection without an answer when this returns true. */
  dropConnection?: (path: string, n: number) => boolean;
  /** Honour `Range: bytes=...` on files with 206 answers (default false: whole files, as a plain server). */
  ranges?: boolean;
  /** Send ETag and Last-Modified on project pages and answer 304 to a matching conditional request. */
  validators?: boolean;
  /** Require HTTP Basic auth with these credentials (401 otherwise). */
  auth?: { username: string; password: string };
  /**
   * Serve PyPI's JSON API at `/pypi/<name>/<version>/json` (404 for an unknown release), with these advisories
   * in `vulnerabilities` for `<normalized name>@<version>`; the root of the server is then the API base.
   */
  vulnerabilities?: Readonly<Record<string, readonly IndexAdvisory[]>>;
  /**
   * Fault mode: the fault to answer a request with instead of the right answer (null: answer right). Changed
   * later with `setFault` (null heals the index).
   */
  fault?: FaultPicker | null;
  /**
   * What a file's PEP 658 `.metadata` serves instead of its real METADATA; the project page advertises this body's
   * sha256, so a hash check passes. Changed later with `setMetadataFor`.
   */
  metadataFor?: ((filename: string, real: Buffer) => Buffer) | null;
}

/** A bad answer of a faulty index. */
export type IndexFault =
  /** This status with a short text body (500, 404, 429...). */
  | { kind: 'status'; status: number }
  /** The right answer cut to half its length, with a Content-Length that matches the cut body. */
  | { kind: 'truncated' }
  /** An HTML error page, status 200, with the content type the right answer would have (JSON). */
  | { kind: 'html-as-json' }
  /**
   * The right content type with `Content-Encoding: gzip` and a body that decompresses to `bytes` zero bytes (default 1
   * GiB).
   */
  | { kind: 'gzip-bomb'; bytes?: number }
  /** The right answer padded with spaces to `bytes` (still valid JSON); `chunked`: no Content-Length. */
  | { kind: 'oversized'; bytes: number; chunked?: boolean }
  /** This body (and content type) instead of the right one. */
  | { kind: 'body'; body: string | Buffer; contentType?: string }
  /** The connection is accepted and the request read, but no answer ever starts. */
  | { kind: 'hang' }
  /** A redirect to the same URL, forever. */
  | { kind: 'redirect-loop' }
  /** The connection is closed without an answer. */
  | { kind: 'drop' };

/** Picks the fault for a request (`n` counts the requests for that path so far, from 1). */
export type FaultPicker = (request: IndexRequest, n: number) => IndexFault | null | undefined;

/** A body of gzip members that decompresses to `bytes` zero bytes (about 1 KB per MiB). */
let zeroMember: Buffer | null = null;
export function gzipBomb(bytes: number): Buffer {
  const chunk = 16 * 1024 * 1024;
  zeroMember ??= gzipSync(Buffer.alloc(chunk), { level: 9 });
  const parts = Math.ceil(bytes / chunk);
  return Buffer.concat(Array.from({ length: parts }, () => zeroMember!));
}

/** A running index. */
export interface PackageIndex {
  /** The simple API root, e.g. `http://127.0.0.1:PORT/simple` (pip's `--index-url`). */
  url: string;
  /** Every request so far, in arrival order. */
  requests: IndexRequest[];
  wheels: BuiltWheel[];
  /** The sdists served (packages with `sdist`). */
  sdists: BuiltSdist[];
  /** Resolves with the first request (past or future) that `match` accepts. */
  waitForRequest(match: (r: IndexRequest) => boolean): Promise<IndexRequest>;
  /** Changes the fault mode; null heals the index. */
  setFault(fault: FaultPicker | null): void;
  /** Changes what `.metadata` files serve (and the pages advertise); null serves the real METADATA. */
  setMetadataFor(f: ((filename: string, real: Buffer) => Buffer) | null): void;
  close(): Promise<void>;
}

/** PEP 503 normalization. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

// --- A small zip writer (deflate, with CRC-32) -------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of `entries` (path -> bytes), deflated, as the zipfile module writes one. */
export function zipArchive(entries: ReadonlyArray<[string, Buffer]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by: unix, 3.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// --- Wheels ----------------------------------------------------------------------------------------

const b64url = (d: Buffer): string => d.toString('base64url');

/** A ustar archive of `entries` (path -> bytes), gzipped, as an sdist is. */
export function tarGzArchive(entries: ReadonlyArray<[string, Buffer]>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, data] of entries) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.write('        ', 148, 'latin1');
    h.write('0', 156, 'latin1');
    h.write('ustar\0', 257, 'latin1');
    h.write('00', 263, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A built sdist. */
export interface BuiltSdist {
  filename: string;
  bytes: Buffer;
  sha256: string;
  /** The PKG-INFO bytes (what PEP 658 serves for an sdist). */
  pkgInfo: Buffer;
}

/** Builds a `.tar.gz` sdist of `pkg` with `{name}-{version}/PKG-INFO` (and a pyproject.toml). */
export function buildSdist(pkg: IndexPackage): BuiltSdist {
  const dist = pkg.name.replace(/[-_.]+/g, '_');
  const top = `${dist}-${pkg.version}`;
  const pkgInfo = Buffer.from(
    [
      `Metadata-Version: ${pkg.sdist?.metadataVersion ?? '2.2'}`,
      `Name: ${pkg.name}`,
      `Version: ${pkg.version}`,
      ...(pkg.sdist?.dynamic ?? []).map((d) => `Dynamic: ${d}`),
      ...(pkg.requiresPython ? [`Requires-Python: ${pkg.requiresPython}`] : []),
      ...(pkg.extras ?? []).map((e) => `Provides-Extra: ${e}`),
      ...(pkg.dependencies ?? []).map((d) => `Requires-Dist: ${d}`),
      '',
      '',
    ].join('\n'),
  );
  const pyproject = Buffer.from(`[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n`);
  const bytes = tarGzArchive([
    [`${top}/PKG-INFO`, pkgInfo],
    [`${top}/pyproject.toml`, pyproject],
  ]);
  return { filename: `${top}.tar.gz`, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), pkgInfo };
}

/**
 * Builds a real, installable pure-Python wheel for `pkg` (`{name}/__init__.py` with `__version__`, dist-info with
 * METADATA, WHEEL, RECORD).
 */
export function buildWheel(pkg: IndexPackage): BuiltWheel {
  const dist = pkg.name.replace(/[-_.]+/g, '_');
  const module = dist.toLowerCase();
  const distInfo = `${dist}-${pkg.version}.dist-info`;
  const metadata = Buffer.from(
    [
      'Metadata-Version: 2.1',
      `Name: ${pkg.name}`,
      `Version: ${pkg.version}`,
      ...(pkg.summary ? [`Summary: ${pkg.summary}`] : []),
      ...(pkg.homePage ? [`Home-page: ${pkg.homePage}`] : []),
      ...(pkg.license ? [`License: ${pkg.license}`] : []),
      ...(pkg.projectUrls ?? []).map(([label, url]) => `Project-URL: ${label}, ${url}`),
      ...(pkg.requiresPython ? [`Requires-Python: ${pkg.requiresPython}`] : []),
      ...(pkg.extras ?? []).map((e) => `Provides-Extra: ${e}`),
      ...(pkg.dependencies ?? []).map((d) => `Requires-Dist: ${d}`),
      '',
      '',
    ].join('\n'),
  );
  const files: Array<[string, Buffer]> = [
    [`${module}/__init__.py`, Buffer.from(`__version__ = ${JSON.stringify(pkg.version)}\n`)],
  ];
  for (const [p, text] of Object.entries(pkg.files ?? {})) files.push([p, Buffer.from(text)]);
  files.push([`${distInfo}/METADATA`, metadata]);
  const tag = pkg.tag ?? 'py3-none-any';
  files.push([
    `${distInfo}/WHEEL`,
    Buffer.from(
      `Wheel-Version: 1.0\nGenerator: stack-doctor-tests\nRoot-Is-Purelib: ${tag === 'py3-none-any'}\nTag: ${tag}\n\n`,
    ),
  ]);
  const record =
    files.map(([p, d]) => `${p},sha256=${b64url(createHash('sha256').update(d).digest())},${d.length}`).join('\n') +
    `\n${distInfo}/RECORD,,\n`;
  files.push([`${distInfo}/RECORD`, Buffer.from(record)]);
  const bytes = zipArchive(files);
  return {
    filename: `${dist}-${pkg.version}-${tag}.whl`,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    metadata,
  };
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One file the index serves for a release: its wheel or its sdist. */
interface ServedFile {
  pkg: IndexPackage;
  filename: string;
  bytes: Buffer;
  sha256: string;
  /** What `<file>.metadata` serves (METADATA or PKG-INFO). */
  metadata: Buffer;
}

/** Starts the index on an ephemeral loopback port. Close it in the test's `after`. */
export async function startPackageIndex(
  packages: readonly IndexPackage[],
  options: PackageIndexOptions = {},
): Promise<PackageIndex> {
  const withMetadata = options.metadata !== false;
  const projects = new Map<string, ServedFile[]>();
  const byFile = new Map<string, ServedFile>();
  const wheels: BuiltWheel[] = [];
  const sdists: BuiltSdist[] = [];
  for (const pkg of packages) {
    const key = normalizeName(pkg.name);
    const served: ServedFile[] = [];
    if (!pkg.sdist?.only) {
      const wheel = buildWheel(pkg);
      wheels.push(wheel);
      served.push({
        pkg,
        filename: wheel.filename,
        bytes: wheel.bytes,
        sha256: wheel.sha256,
        metadata: wheel.metadata,
      });
    }
    if (pkg.sdist) {
      const sdist = buildSdist(pkg);
      sdists.push(sdist);
      served.push({ pkg, filename: sdist.filename, bytes: sdist.bytes, sha256: sdist.sha256, metadata: sdist.pkgInfo });
    }
    projects.set(key, [...(projects.get(key) ?? []), ...served]);
    for (const f of served) byFile.set(f.filename, f);
  }
  const requests: IndexRequest[] = [];
  const counts = new Map<string, number>();
  const waiters: Array<{ match: (r: IndexRequest) => boolean; resolve: (r: IndexRequest) => void }> = [];
  const sockets = new Set<Socket>();
  const stalled = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const lastModified = new Date(Date.UTC(2024, 0, 1)).toUTCString();

  let fault: FaultPicker | null = options.fault ?? null;
  let metadataFor = options.metadataFor ?? null;
  /** What `<file>.metadata` serves now. */
  const servedMetadata = (f: ServedFile): Buffer => (metadataFor ? metadataFor(f.filename, f.metadata) : f.metadata);
  const faults = new WeakMap<ServerResponse, IndexFault>();
  const wantsJson = (accept: string): boolean =>
    options.format === 'json' || (options.format !== 'html' && accept.includes('application/vnd.pypi.simple.v1+json'));
  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    extra: Record<string, string> = {},
  ): void => {
    const f = faults.get(res);
    if (f && status === 200) {
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
      if (f.kind === 'truncated') body = bytes.subarray(0, Math.floor(bytes.length / 2));
      else if (f.kind === 'html-as-json')
        body =
          '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';
      else if (f.kind === 'oversized') {
        const padded = Buffer.alloc(Math.max(f.bytes, bytes.length), 0x20);
        bytes.copy(padded);
        res.writeHead(200, {
          'Content-Type': type,
          ...(f.chunked ? {} : { 'Content-Length': padded.length }),
          'Cache-Control': 'no-store',
          ...extra,
        });
        res.end(padded);
        return;
      } else if (f.kind === 'gzip-bomb') {
        const bomb = gzipBomb(f.bytes ?? 1024 * 1024 * 1024);
        res.writeHead(200, {
          'Content-Type': type,
          'Content-Encoding': 'gzip',
          'Content-Length': bomb.length,
          'Cache-Control': 'no-store',
          ...extra,
        });
        res.end(bomb);
        return;
      }
    }
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(body);
  };
  /** A project page, with validators and 304 when `validators` is on. */
  const sendPage = (req: IncomingMessage, res: ServerResponse, type: string, body: string): void => {
    if (!options.validators) return send(res, 200, type, body);
    const etag = `"${createHash('sha256')
      .update(type + body)
      .digest('hex')
      .slice(0, 16)}"`;
    if (
      req.headers['if-none-match'] === etag ||
      (!req.headers['if-none-match'] && req.headers['if-modified-since'] === lastModified)
    ) {
      res.writeHead(304, { ETag: etag, 'Last-Modified': lastModified });
      res.end();
      return;
    }
    send(res, 200, type, body, { ETag: etag, 'Last-Modified': lastModified });
  };
  /** A file, honouring a single `Range` when `ranges` is on. */
  const sendFile = (req: IncomingMessage, res: ServerResponse, bytes: Buffer): void => {
    const range = options.ranges ? /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? '')) : null;
    if (!range || (range[1] === '' && range[2] === ''))
      return send(res, 200, 'application/octet-stream', bytes, options.ranges ? { 'Accept-Ranges': 'bytes' } : {});
    let start: number;
    let end: number;
    if (range[1] === '') {
      start = Math.max(0, bytes.length - Number(range[2]));
      end = bytes.length - 1;
    } else {
      start = Number(range[1]);
      end = range[2] === '' ? bytes.length - 1 : Math.min(bytes.length - 1, Number(range[2]));
    }
    if (start >= bytes.length || start > end) {
      res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
      res.end();
      return;
    }
    const part = bytes.subarray(start, end + 1);
    res.writeHead(206, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': part.length,
      'Content-Range': `bytes ${start}-${end}/${bytes.length}`,
      'Accept-Ranges': 'bytes',
    });
    res.end(part);
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const accept = String(req.headers.accept ?? '');
    const entry = { method: req.method ?? 'GET', path, accept };
    requests.push(entry);
    for (const w of [...waiters])
      if (w.match(entry)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(entry);
      }
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    if (options.dropConnection?.(path, n)) {
      req.socket.destroy();
      return;
    }
    const f = fault?.(entry, n);
    if (f) {
      if (f.kind === 'drop') return void req.socket.destroy();
      if (f.kind === 'hang') return void stalled.add(res);
      if (f.kind === 'redirect-loop') {
        res.writeHead(302, { Location: req.url ?? '/' });
        res.end();
        return;
      }
      if (f.kind === 'status')
        return send(res, f.status, 'text/plain', `HTTP ${f.status}`, f.status === 429 ? { 'Retry-After': '3600' } : {});
      if (f.kind === 'body') return send(res, 200, f.contentType ?? 'application/vnd.pypi.simple.v1+json', f.body);
      faults.set(res, f);
    }
    if (options.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        answer(req, res, path, accept, n);
      }, options.delayMs);
      timers.add(t);
      return;
    }
    answer(req, res, path, accept, n);
  };
  const answer = (req: IncomingMessage, res: ServerResponse, path: string, accept: string, n: number): void => {
    if (options.auth) {
      const want = 'Basic ' + Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
      if (req.headers.authorization !== want)
        return send(res, 401, 'text/plain', 'unauthorized', { 'WWW-Authenticate': 'Basic realm="index"' });
    }
    if (options.fail500?.(path, n)) return send(res, 500, 'text/plain', 'internal error');
    const json = wantsJson(accept);
    if (path === '/simple/' || path === '/simple') {
      const names = [...projects.keys()].sort();
      if (json)
        send(
          res,
          200,
          'application/vnd.pypi.simple.v1+json',
          JSON.stringify({ meta: { 'api-version': '1.1' }, projects: names.map((name) => ({ name })) }),
        );
      else
        send(
          res,
          200,
          'text/html',
          `<!DOCTYPE html><html><body>${names.map((n) => `<a href="/simple/${n}/">${n}</a>`).join('\n')}</body></html>`,
        );
      return;
    }
    const api = options.vulnerabilities ? /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(path) : null;
    if (api) {
      const key = normalizeName(api[1]!);
      const release = (projects.get(key) ?? []).find((f) => f.pkg.version === api[2]);
      if (!release) return send(res, 404, 'application/json', JSON.stringify({ message: 'Not Found' }));
      const info = {
        name: release.pkg.name,
        version: release.pkg.version,
        summary: release.pkg.summary ?? '',
        license: release.pkg.license ?? '',
        requires_python: release.pkg.requiresPython ?? '',
      };
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({ info, urls: [], vulnerabilities: options.vulnerabilities![`${key}@${api[2]}`] ?? [] }),
      );
    }
    const page = /^\/simple\/([^/]+)\/?$/.exec(path);
    if (page) {
      const key = page[1]!;
      if (normalizeName(key) !== key) {
        res.writeHead(301, { Location: `/simple/${normalizeName(key)}/` });
        res.end();
        return;
      }
      const rel = projects.get(key);
      if (!rel) return send(res, 404, 'text/plain', 'not found');
      if (json) {
        const files = rel
          .map((sf) => ({ ...sf, metadata: servedMetadata(sf) }))
          .map(({ pkg, filename, sha256, metadata }) => ({
            filename,
            url: `/files/${filename}`,
            hashes: { sha256 },
            ...(pkg.requiresPython ? { 'requires-python': pkg.requiresPython } : {}),
            ...(withMetadata
              ? {
                  'core-metadata': { sha256: createHash('sha256').update(metadata).digest('hex') },
                  'dist-info-metadata': { sha256: createHash('sha256').update(metadata).digest('hex') },
                }
              : {}),
            ...(pkg.yanked ? { yanked: pkg.yanked } : {}),
          }));
        sendPage(
          req,
          res,
          'application/vnd.pypi.simple.v1+json',
          JSON.stringify({
            meta: { 'api-version': '1.1' },
            name: key,
            versions: [...new Set(rel.map((r) => r.pkg.version))],
            files,
          }),
        );
      } else {
        const links = rel
          .map((sf) => ({ ...sf, metadata: servedMetadata(sf) }))
          .map(({ pkg, filename, sha256, metadata }) => {
            const attrs = [`href="/files/${filename}#sha256=${sha256}"`];
            if (pkg.requiresPython) attrs.push(`data-requires-python="${escapeHtml(pkg.requiresPython)}"`);
            if (withMetadata) {
              const h = `sha256=${createHash('sha256').update(metadata).digest('hex')}`;
              attrs.push(`data-core-metadata="${h}"`, `data-dist-info-metadata="${h}"`);
            }
            if (pkg.yanked) attrs.push(`data-yanked="${typeof pkg.yanked === 'string' ? escapeHtml(pkg.yanked) : ''}"`);
            return `<a ${attrs.join(' ')}>${filename}</a>`;
          });
        sendPage(
          req,
          res,
          'text/html',
          `<!DOCTYPE html><html><head><meta name="pypi:repository-version" ` +
            `content="1.1"></head><body>\n${links.join('<br/>\n')}\n</body></html>`,
        );
      }
      return;
    }
    const file = /^\/files\/([^/]+?)(\.metadata)?$/.exec(path);
    const served = file ? byFile.get(file[1]!) : undefined;
    if (file && served) {
      if (file[2]) {
        if (!withMetadata) return send(res, 404, 'text/plain', 'not found');
        return send(res, 200, 'application/octet-stream', servedMetadata(served));
      }
      if (options.stall?.(served.filename)) {
        // Headers and a first part, then nothing: the download hangs until the client gives up or the index closes.
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': served.bytes.length });
        res.write(served.bytes.subarray(0, Math.min(64, served.bytes.length - 1)));
        stalled.add(res);
        return;
      }
      return sendFile(req, res, served.bytes);
    }
    send(res, 404, 'text/plain', 'not found');
  };

  const server = createServer(handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/simple`,
    requests,
    wheels,
    sdists,
    setFault(f) {
      fault = f;
    },
    setMetadataFor(f) {
      metadataFor = f;
    },
    waitForRequest(match) {
      const done = requests.find(match);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close() {
      for (const t of timers) clearTimeout(t);
      for (const r of stalled) r.destroy();
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * `base` without any PIP_* variable and with pip's configuration files off (`PIP_CONFIG_FILE=/dev/null`),
 * no cache, no version check and no prompts: a pip run that sees only the arguments a test gives it.
 */
export function isolatedPipEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.toUpperCase().startsWith('PIP_')) env[k] = v;
  env.PIP_CONFIG_FILE = '/dev/null';
  env.PIP_NO_CACHE_DIR = '1';
  env.PIP_DISABLE_PIP_VERSION_CHECK = '1';
  env.PIP_NO_INPUT = '1';
  return env;
}

/**
 * A temporary folder and the loopback indexes a test file starts, all removed after the file's tests (node:test's
 * `after` at the top level): `serve` starts one over `defaults` unless told other packages.
 */
export function indexFixture(
  prefix: string,
  defaults: readonly IndexPackage[],
  after: (fn: () => Promise<void>) => void,
): { tmp: string; serve: (opts?: PackageIndexOptions, packages?: readonly IndexPackage[]) => Promise<PackageIndex> } {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const servers: PackageIndex[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(tmp, { recursive: true, force: true });
  });
  return {
    tmp,
    serve: async (opts = {}, packages = defaults) => {
      const s = await startPackageIndex(packages, opts);
      servers.push(s);
      return s;
    },
  };
}

/** CPython 3.11 on glibc linux x86_64, as the provider tests ask for it. */
export const LINUX_CP311: Target = {
  tags: { python: [3, 11], os: 'linux', arch: 'x86_64', libc: { kind: 'glibc', version: [2, 31] } },
  pythonFullVersion: '3.11.7',
  markers: {
    python_version: '3.11',
    python_full_version: '3.11.7',
    sys_platform: 'linux',
    platform_system: 'Linux',
    platform_machine: 'x86_64',
    os_name: 'posix',
    implementation_name: 'cpython',
    platform_python_implementation: 'CPython',
  },
};
