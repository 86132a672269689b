// Reads one member of a zip (wheels, zip sdists) through random access without extracting, and PKG-INFO from a .tar.gz
// sdist.
import { promises as fs } from 'node:fs';
import { zlib } from '../system/lazy-modules';

/** Random access to the bytes of an archive: a local file, a buffer, or HTTP ranges. */
export interface ByteSource {
  readonly size: number;
  /** Bytes `[offset, offset + length)`; may return fewer only at the end of the source. */
  read(offset: number, length: number): Promise<Buffer>;
}

/** A buffer as a source. */
export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: async (o, n) => buf.subarray(o, Math.min(buf.length, o + n)) };
}

/** A local file as a source (the caller closes the handle through the returned `close`). */
export async function fileSource(file: string): Promise<ByteSource & { close(): Promise<void> }> {
  const fh = await fs.open(file, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await fh.read(buf, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
    close: () => fh.close(),
  };
}

/** A central directory entry. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** The archive is not a zip we can read. */
export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
/** End record (22) + the longest comment (65535). */
export const ZIP_TAIL = 22 + 0xffff;
/**
 * The largest central directory read (bytes): the wheels with the most files (tens of thousands) stay well below; an
 * archive that claims more is refused before anything is read.
 */
export const MAX_CENTRAL_DIRECTORY = 8 * 1024 * 1024;

/**
 * Finds the central directory from the archive's tail and lists its entries. `tail` may be given when the
 * caller already holds the last bytes (a range response), to save a read.
 */
export async function readZipDirectory(src: ByteSource, tail?: Buffer): Promise<ZipEntry[]> {
  const tailLen = Math.min(src.size, ZIP_TAIL + 20);
  const end =
    tail && tail.length >= tailLen ? tail.subarray(tail.length - tailLen) : await src.read(src.size - tailLen, tailLen);
  const tailStart = src.size - end.length;
  let eocd = -1;
  for (let i = end.length - 22; i >= 0; i--) {
    if (end.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a zip file (no end of central directory)');
  let count = end.readUInt16LE(eocd + 10);
  let cdSize = end.readUInt32LE(eocd + 12);
  let cdOffset = end.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    const locBuf = loc >= 0 ? end.subarray(loc, loc + 20) : await src.read(tailStart + loc, 20);
    if (locBuf.readUInt32LE(0) !== EOCD64_LOCATOR_SIG) throw new ZipError('zip64 locator missing');
    const eocd64Off = Number(locBuf.readBigUInt64LE(8));
    const rec = await src.read(eocd64Off, 56);
    if (rec.readUInt32LE(0) !== EOCD64_SIG) throw new ZipError('zip64 end record missing');
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > src.size) throw new ZipError('central directory outside the file');
  if (cdSize > MAX_CENTRAL_DIRECTORY)
    throw new ZipError(`a central directory of ${cdSize} bytes, over the ${MAX_CENTRAL_DIRECTORY}-byte limit`);
  const cd =
    cdOffset >= tailStart
      ? end.subarray(cdOffset - tailStart, cdOffset - tailStart + cdSize)
      : await src.read(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN_SIG) throw new ZipError('bad central directory entry');
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const name = cd.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    // Zip64 extended information: present fields follow in a fixed order, only for values saturated above.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) {
          size = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(cd.readBigUInt64LE(q));
      }
      x += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, localHeaderOffset });
    p = xEnd + commentLen;
  }
  return entries;
}

/** Reads and decompresses one entry (stored or deflated), refusing entries larger than `maxBytes`. */
export async function readZipEntry(src: ByteSource, entry: ZipEntry, maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
  if (entry.size > maxBytes || entry.compressedSize > maxBytes) throw new ZipError(`${entry.name} is too large`);
  // One read for the local header and the data; the local extra field may differ from the central one.
  const guess = 30 + entry.name.length * 3 + 256 + entry.compressedSize;
  let buf = await src.read(entry.localHeaderOffset, Math.min(guess, src.size - entry.localHeaderOffset));
  if (buf.length < 30 || buf.readUInt32LE(0) !== LOC_SIG) throw new ZipError(`bad local header for ${entry.name}`);
  const start = 30 + buf.readUInt16LE(26) + buf.readUInt16LE(28);
  if (buf.length < start + entry.compressedSize)
    buf = await src.read(entry.localHeaderOffset, start + entry.compressedSize);
  const data = buf.subarray(start, start + entry.compressedSize);
  if (data.length < entry.compressedSize) throw new ZipError(`truncated entry ${entry.name}`);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) {
    try {
      return zlib().inflateRawSync(data, { maxOutputLength: Math.max(entry.size, 1) });
    } catch (e) {
      throw new ZipError(`cannot inflate ${entry.name}: ${(e as Error).message}`);
    }
  }
  throw new ZipError(`unsupported compression method ${entry.method} for ${entry.name}`);
}

/**
 * The `METADATA` entry of a wheel: `<name>-<version>.dist-info/METADATA` at the top level, choosing the
 * dist-info directory whose name part matches `project` (canonically) when there are several.
 */
export function findWheelMetadata(
  entries: readonly ZipEntry[],
  project: string,
  canonicalize: (s: string) => string,
): ZipEntry | null {
  const candidates = entries.filter((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
  if (candidates.length <= 1) return candidates[0] ?? null;
  const want = canonicalize(project);
  return (
    candidates.find(
      (e) =>
        canonicalize(e.name.slice(0, e.name.indexOf('-') < 0 ? e.name.indexOf('.dist-info') : e.name.indexOf('-'))) ===
        want,
    ) ?? null
  );
}

/** The top-level `PKG-INFO` (`<dir>/PKG-INFO`) of a zip sdist. */
export function findSdistPkgInfo(entries: readonly ZipEntry[]): ZipEntry | null {
  return entries.find((e) => /^[^/]+\/PKG-INFO$/.test(e.name)) ?? null;
}

/**
 * `<top>/PKG-INFO` of a gzipped tar (ustar, GNU long names and pax headers), or null. The whole archive is
 * decompressed in memory, so callers cap its size first.
 */
export function readTarGzPkgInfo(gz: Buffer, maxBytes = 512 * 1024 * 1024): Buffer | null {
  const tar = zlib().gunzipSync(gz, { maxOutputLength: maxBytes });
  let p = 0;
  let longName: string | null = null;
  while (p + 512 <= tar.length) {
    const header = tar.subarray(p, p + 512);
    if (header.every((b) => b === 0)) break;
    const cstr = (b: Buffer): string => {
      const z = b.indexOf(0);
      return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
    };
    let name = cstr(header.subarray(0, 100));
    const prefix = cstr(header.subarray(345, 500));
    if (prefix && header.subarray(257, 262).toString('latin1') === 'ustar') name = `${prefix}/${name}`;
    const sizeField = header.subarray(124, 136);
    const size =
      (sizeField[0]! & 0x80) !== 0 ? Number(sizeField.readBigUInt64BE(4)) : parseInt(cstr(sizeField).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const data = tar.subarray(p + 512, p + 512 + size);
    p += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cstr(data);
      continue;
    }
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (m) longName = m[1]!;
      continue;
    }
    if (longName !== null) {
      name = longName;
      longName = null;
    }
    if ((type === '0' || type === '\0') && /^[^/]+\/PKG-INFO$/.test(name.replace(/^\.\//, '')))
      return Buffer.from(data);
  }
  return null;
}

/**
 * `<top>/PKG-INFO` of a gzipped tar, read as it decompresses: memory stays at one tar block plus PKG-INFO, and
 * reading stops at PKG-INFO, at the end of the archive, or past `maxBytes` decompressed bytes (a gzip bomb costs no
 * more). Null when absent; throws `ZipError` for a bad archive or one past the cap.
 */
export function readTarGzPkgInfoStreaming(
  gz: Buffer,
  maxBytes = 256 * 1024 * 1024,
  maxEntry = 10 * 1024 * 1024,
): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const gunzip = zlib().createGunzip();
    let pending: Buffer = Buffer.alloc(0);
    let skip = 0;
    let total = 0;
    let settled = false;
    let longName: string | null = null;
    /** The entry being collected: PKG-INFO, a GNU long name or a pax header. */
    let collect: { kind: 'pkg' | 'L' | 'x'; size: number; padded: number; parts: Buffer[]; have: number } | null = null;
    const finish = (err: Error | null, value: Buffer | null = null): void => {
      if (settled) return;
      settled = true;
      gunzip.removeAllListeners('data');
      gunzip.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const cstr = (b: Buffer): string => {
      const z = b.indexOf(0);
      return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
    };
    const step = (): void => {
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, pending.length);
          skip -= n;
          pending = pending.subarray(n);
          if (skip > 0) return;
        }
        if (collect) {
          const n = Math.min(collect.padded - collect.have, pending.length);
          collect.parts.push(pending.subarray(0, n));
          collect.have += n;
          pending = pending.subarray(n);
          if (collect.have < collect.padded) return;
          const data = Buffer.concat(collect.parts).subarray(0, collect.size);
          const kind = collect.kind;
          collect = null;
          if (kind === 'pkg') return finish(null, Buffer.from(data));
          if (kind === 'L') longName = cstr(data);
          else {
            const m = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
            if (m) longName = m[1]!;
          }
          continue;
        }
        if (pending.length < 512) return;
        const header = pending.subarray(0, 512);
        pending = pending.subarray(512);
        if (header.every((b) => b === 0)) return finish(null, null);
        let name = cstr(header.subarray(0, 100));
        const prefix = cstr(header.subarray(345, 500));
        if (prefix && header.subarray(257, 262).toString('latin1') === 'ustar') name = `${prefix}/${name}`;
        const sizeField = header.subarray(124, 136);
        const size =
          (sizeField[0]! & 0x80) !== 0
            ? Number(sizeField.readBigUInt64BE(4))
            : parseInt(cstr(sizeField).trim() || '0', 8);
        if (!Number.isFinite(size) || size < 0) return finish(new ZipError('bad tar header'));
        const padded = Math.ceil(size / 512) * 512;
        const type = String.fromCharCode(header[156]!);
        if (type === 'L' || type === 'x') {
          if (size > maxEntry) return finish(new ZipError('tar header entry too large'));
          collect = { kind: type, size, padded, parts: [], have: 0 };
          continue;
        }
        if (longName !== null) {
          name = longName;
          longName = null;
        }
        if ((type === '0' || type === '\0') && /^[^/]+\/PKG-INFO$/.test(name.replace(/^\.\//, ''))) {
          if (size > maxEntry) return finish(new ZipError('PKG-INFO is too large'));
          collect = { kind: 'pkg', size, padded, parts: [], have: 0 };
          continue;
        }
        skip = padded;
      }
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > maxBytes) return finish(new ZipError(`more than ${maxBytes} bytes once decompressed`));
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      step();
    });
    gunzip.on('end', () => finish(null, null));
    gunzip.on('error', (e: Error) => finish(new ZipError(`not a gzip file: ${e.message}`)));
    gunzip.end(gz);
  });
}
