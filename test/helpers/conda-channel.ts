// A loopback conda channel for tests: a real HTTP server on 127.0.0.1 serving repodata.json(.zst/.bz2) and sharded
// repodata (CEP 16).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { encode as encodeMsgpack } from '@msgpack/msgpack';

/** One package build of the channel. */
export interface ChannelPackage {
  name: string;
  version: string;
  build?: string;
  build_number?: number;
  depends?: string[];
  constrains?: string[];
  track_features?: string;
  noarch?: 'python' | 'generic';
  /** Default: the channel's platform subdir, `noarch` for noarch packages. */
  subdir?: string;
  timestamp?: number;
  /** `.conda` (default) or `.tar.bz2`. */
  ext?: '.conda' | '.tar.bz2';
  /** Further record fields as repodata has them (md5, sha256, size, license ...). */
  extra?: Record<string, unknown>;
}

/** How the channel offers its repodata. */
export interface CondaChannelOptions {
  /**
   * `sharded`: CEP 16 index and shards, plus the whole repodata; `zst`: repodata.json.zst and .json; `bz2`:
   * repodata.json.bz2 (compressed by Python's bz2 module) and .json; `json`: repodata.json only.
   */
  format?: 'sharded' | 'zst' | 'bz2' | 'json';
  /** The platform subdir (default linux-64). */
  subdir?: string;
  /** Serve only under `/t/<token>/`: anything else is 403. */
  token?: string;
  /** Require Basic auth with this user:password. */
  basicAuth?: string;
  /** Answer 500 to everything (an unreachable-like channel). */
  fail?: boolean;
  /**
   * Compresses a `.zst` file's content (default: stored zstd blocks, no compression); the bench passes the zstd tool.
   */
  zstd?: (data: Uint8Array) => Buffer;
}

/** One request the channel answered. */
export interface ChannelRequest {
  path: string;
  status: number;
  bytes: number;
  conditional: boolean;
}

export interface CondaChannel {
  /** The channel URL (with `/t/<token>` when the channel has a token). */
  url: string;
  requests: ChannelRequest[];
  /** Bytes of the whole repodata of each subdir as served (`repodata.json.zst` or `.bz2` where offered, else `.json`). */
  fullRepodataBytes: number;
  /** Bytes of the whole uncompressed `repodata.json` of each subdir. */
  jsonRepodataBytes: number;
  /** The package name of a shard's path (`/linux-64/shards/<sha256>.msgpack.zst`), or undefined. */
  shardName(path: string): string | undefined;
  /** The files served, by path (a test may replace one, e.g. with corrupt bytes). */
  files: Map<string, Buffer>;
  setPackages(pkgs: ChannelPackage[]): void;
  close(): Promise<void>;
}

/**
 * A zstd frame of raw (stored) blocks: valid zstd that every decoder reads, without a compressor. Each block
 * holds at most 128 KiB.
 */
export function zstdStore(data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(9);
  head.writeUInt32LE(0xfd2fb528, 0);
  head[4] = 0xa0; // single segment, 4-byte frame content size, no checksum, no dictionary
  head.writeUInt32LE(data.length, 5);
  parts.push(head);
  const MAX = 128 * 1024;
  let off = 0;
  do {
    const n = Math.min(MAX, data.length - off);
    const last = off + n >= data.length ? 1 : 0;
    const bh = Buffer.alloc(3);
    const v = last | (0 << 1) | (n << 3);
    bh[0] = v & 0xff;
    bh[1] = (v >> 8) & 0xff;
    bh[2] = (v >> 16) & 0xff;
    parts.push(bh, Buffer.from(data.subarray(off, off + n)));
    off += n;
  } while (off < data.length);
  return Buffer.concat(parts);
}

/** bzip2 data, compressed by Python's bz2 module (python3 is there wherever the tests run). */
export function bzip2Python(data: Uint8Array, level = 9): Buffer {
  const r = spawnSync(
    'python3',
    ['-c', `import bz2,sys; sys.stdout.buffer.write(bz2.compress(sys.stdin.buffer.read(), ${level}))`],
    { input: data, maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) throw new Error(`python3 bz2 failed: ${r.stderr.toString()}`);
  return r.stdout;
}

export function fileName(p: ChannelPackage): string {
  return `${p.name}-${p.version}-${p.build ?? '0'}${p.ext ?? '.conda'}`;
}

function recordOf(p: ChannelPackage, subdir: string): Record<string, unknown> {
  const r: Record<string, unknown> = {
    name: p.name,
    version: p.version,
    build: p.build ?? '0',
    build_number: p.build_number ?? 0,
    depends: p.depends ?? [],
    constrains: p.constrains ?? [],
    subdir,
  };
  if (p.track_features) r['track_features'] = p.track_features;
  if (p.noarch) r['noarch'] = p.noarch;
  if (p.timestamp) r['timestamp'] = p.timestamp;
  if (p.extra) Object.assign(r, p.extra);
  return r;
}

interface Built {
  files: Map<string, Buffer>;
  /** Shard path -> package name. */
  shardNames: Map<string, string>;
  fullBytes: number;
  jsonBytes: number;
}

function build(
  pkgs: ChannelPackage[],
  platform: string,
  format: CondaChannelOptions['format'],
  zstd: (data: Uint8Array) => Buffer = zstdStore,
): Built {
  const files = new Map<string, Buffer>();
  const shardNames = new Map<string, string>();
  let fullBytes = 0;
  let jsonBytes = 0;
  for (const subdir of [platform, 'noarch']) {
    const mine = pkgs.filter((p) => (p.subdir ?? (p.noarch ? 'noarch' : platform)) === subdir);
    const repodata: Record<string, Record<string, unknown>> = { packages: {}, 'packages.conda': {} };
    for (const p of mine)
      repodata[(p.ext ?? '.conda') === '.conda' ? 'packages.conda' : 'packages']![fileName(p)] = recordOf(p, subdir);
    const json = Buffer.from(JSON.stringify({ info: { subdir }, repodata_version: 1, ...repodata }));
    files.set(`/${subdir}/repodata.json`, json);
    jsonBytes += json.length;
    if (format === 'bz2') {
      const bz2 = bzip2Python(json);
      files.set(`/${subdir}/repodata.json.bz2`, bz2);
      fullBytes += bz2.length;
    } else if (format !== 'json') {
      const zst = zstd(json);
      files.set(`/${subdir}/repodata.json.zst`, zst);
      fullBytes += zst.length;
    } else fullBytes += json.length;
    if (format === 'sharded') {
      const byName = new Map<string, ChannelPackage[]>();
      for (const p of mine) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
      const shards: Record<string, Uint8Array> = {};
      for (const [name, list] of byName) {
        const shard = {
          packages: {} as Record<string, unknown>,
          'packages.conda': {} as Record<string, unknown>,
          removed: [] as string[],
        };
        for (const p of list) {
          // Shards carry digests as bytes (msgpack bin), as rattler writes them.
          const rec = recordOf(p, subdir);
          for (const k of ['md5', 'sha256'])
            if (typeof rec[k] === 'string') rec[k] = Uint8Array.from(Buffer.from(rec[k] as string, 'hex'));
          ((p.ext ?? '.conda') === '.conda' ? shard['packages.conda'] : shard.packages)[fileName(p)] = rec;
        }
        const bytes = zstd(encodeMsgpack(shard));
        const digest = createHash('sha256').update(bytes).digest();
        shards[name] = new Uint8Array(digest);
        files.set(`/${subdir}/shards/${digest.toString('hex')}.msgpack.zst`, bytes);
        shardNames.set(`/${subdir}/shards/${digest.toString('hex')}.msgpack.zst`, name);
      }
      const index = { info: { subdir, base_url: './', shards_base_url: './shards/' }, shards };
      files.set(`/${subdir}/repodata_shards.msgpack.zst`, zstd(encodeMsgpack(index)));
    }
  }
  return { files, shardNames, fullBytes, jsonBytes };
}

/** Starts a channel on 127.0.0.1 serving `pkgs`; ETag / If-None-Match answered with 304. */
export async function startCondaChannel(pkgs: ChannelPackage[], opts: CondaChannelOptions = {}): Promise<CondaChannel> {
  const platform = opts.subdir ?? 'linux-64';
  let built = build(pkgs, platform, opts.format ?? 'json', opts.zstd);
  const requests: ChannelRequest[] = [];
  const sockets = new Set<Socket>();
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    let p = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const record = (status: number, body: Buffer | null, headers: Record<string, string> = {}): void => {
      requests.push({ path: p, status, bytes: body?.length ?? 0, conditional: !!req.headers['if-none-match'] });
      res.writeHead(status, { 'content-length': String(body?.length ?? 0), ...headers });
      res.end(body ?? undefined);
    };
    if (opts.fail) return record(500, null);
    if (opts.basicAuth && req.headers['authorization'] !== `Basic ${Buffer.from(opts.basicAuth).toString('base64')}`)
      return record(401, null);
    if (opts.token) {
      const prefix = `/t/${opts.token}`;
      if (!p.startsWith(prefix + '/')) return record(403, null);
      p = p.slice(prefix.length);
    }
    const body = built.files.get(p);
    if (!body) return record(404, null);
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) return record(304, null, { etag });
    record(200, body, { etag, 'content-type': p.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
  };
  const server = createServer(answer);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const auth = opts.basicAuth ? `${opts.basicAuth}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}${opts.token ? `/t/${opts.token}` : ''}`,
    requests,
    get fullRepodataBytes() {
      return built.fullBytes;
    },
    get jsonRepodataBytes() {
      return built.jsonBytes;
    },
    get files() {
      return built.files;
    },
    shardName: (p) => built.shardNames.get(p),
    setPackages(next) {
      built = build(next, platform, opts.format ?? 'json', opts.zstd);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
