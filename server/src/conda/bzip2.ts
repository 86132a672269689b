// A bzip2 decompressor (Node's zlib has none), for `repodata.json.bz2`: Huffman-coded MTF/RLE symbols, the inverse
// Burrows-Wheeler transform, the byte runs, block and stream CRCs; concatenated streams; bounded output. Any
// malformed or truncated input ends in a `Bzip2Error`, never a hang: every loop consumes input bits or is bounded by
// the block size the stream header declares.

/** The data is not a valid bzip2 stream, or its output would pass the limit. */
export class Bzip2Error extends Error {}

const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
const END_MAGIC_HI = 0x177245;
const END_MAGIC_LO = 0x385090;
const GROUP_SIZE = 50;
const MAX_GROUPS = 6;
const MAX_CODE_LEN = 20;
/** bzip2 writes at most this many selectors; more are read and ignored (as bzip2 1.0.8 does). */
const MAX_SELECTORS = 18002;
/** Huffman codes up to this length are decoded with one table lookup, longer ones bit by bit. */
const FAST_BITS = 10;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** MSB-first bit reader; reading past the end counts as truncation. */
class Bits {
  private pos = 0;
  private buf = 0;
  private count = 0;
  /** Zero bits supplied past the end of the input. */
  private over = 0;
  constructor(private readonly data: Uint8Array) {}

  /** The next `n` (<= 24) bits without consuming them. */
  peek(n: number): number {
    while (this.count < n) {
      const byte = this.pos < this.data.length ? this.data[this.pos]! : 0;
      if (this.pos >= this.data.length) this.over += 8;
      this.pos++;
      this.buf = ((this.buf << 8) | byte) >>> 0;
      this.count += 8;
    }
    return (this.buf >>> (this.count - n)) & ((1 << n) - 1);
  }

  skip(n: number): void {
    this.count -= n;
    // Bits consumed past the end: the stream is truncated.
    if (this.over > this.count) throw new Bzip2Error('the bzip2 data is truncated');
    this.buf &= this.count >= 32 ? 0xffffffff : (1 << this.count) - 1;
  }

  read(n: number): number {
    const v = this.peek(n);
    this.skip(n);
    return v;
  }

  bit(): number {
    return this.read(1);
  }

  /** Drops the bits up to the next byte boundary. */
  align(): void {
    this.skip(this.count % 8);
  }

  /** Bytes not consumed yet (after `align`). */
  rest(): Uint8Array {
    return this.data.subarray(Math.min(this.data.length, this.pos - (this.count >> 3)));
  }
}

/** One Huffman table in canonical form: a fast table for short codes, limits and bases for the rest. */
interface Huffman {
  fast: Int32Array;
  minLen: number;
  maxLen: number;
  /** Per length: the largest code of that length (-1 when none). */
  limit: Int32Array;
  /** Per length: the index in `perm` of its first code, minus that code. */
  base: Int32Array;
  perm: Uint16Array;
}

function huffman(lengths: Uint8Array, n: number): Huffman {
  let minLen = 32;
  let maxLen = 0;
  for (let i = 0; i < n; i++) {
    minLen = Math.min(minLen, lengths[i]!);
    maxLen = Math.max(maxLen, lengths[i]!);
  }
  const perm = new Uint16Array(n);
  let pp = 0;
  for (let len = minLen; len <= maxLen; len++) for (let s = 0; s < n; s++) if (lengths[s] === len) perm[pp++] = s;
  const limit = new Int32Array(MAX_CODE_LEN + 2).fill(-1);
  const base = new Int32Array(MAX_CODE_LEN + 2);
  const fast = new Int32Array(1 << FAST_BITS).fill(-1);
  let code = 0;
  let idx = 0;
  for (let len = minLen; len <= maxLen; len++) {
    let count = 0;
    for (let s = 0; s < n; s++) if (lengths[s] === len) count++;
    base[len] = idx - code;
    if (count) {
      // Over-subscribed code lengths: no valid encoder writes them.
      if (code + count > 1 << len) throw new Bzip2Error('a bzip2 Huffman table is over-subscribed');
      limit[len] = code + count - 1;
      if (len <= FAST_BITS)
        for (let c = code; c < code + count; c++) {
          const sym = perm[idx + c - code]!;
          const shift = FAST_BITS - len;
          for (let k = 0; k < 1 << shift; k++) fast[(c << shift) | k] = (sym << 5) | len;
        }
    }
    idx += count;
    code = (code + count) << 1;
  }
  return { fast, minLen, maxLen, limit, base, perm };
}

function decodeSymbol(bits: Bits, h: Huffman): number {
  const f = h.fast[bits.peek(FAST_BITS)]!;
  if (f >= 0) {
    bits.skip(f & 31);
    return f >> 5;
  }
  for (let len = Math.max(h.minLen, FAST_BITS + 1); len <= h.maxLen; len++) {
    const code = bits.peek(len);
    if (code <= h.limit[len]!) {
      bits.skip(len);
      const i = h.base[len]! + code;
      if (i < 0 || i >= h.perm.length) break;
      return h.perm[i]!;
    }
  }
  throw new Bzip2Error('a bzip2 Huffman code is not in its table');
}

/** Output with a limit. */
class Out {
  private buf: Uint8Array;
  length = 0;
  constructor(
    private readonly max: number,
    hint: number,
  ) {
    this.buf = new Uint8Array(Math.max(1024, Math.min(hint, max)));
  }

  /** Room for `n` more bytes; throws past the limit. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need > this.max) throw new Bzip2Error(`the bzip2 data decompresses to more than ${this.max} bytes`);
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.min(this.max, Math.max(need, this.buf.length * 2)));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  push(b: number): void {
    if (this.length >= this.buf.length) this.reserve(1);
    this.buf[this.length++] = b;
  }

  result(): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.length);
  }
}

/** Reads one block (after its magic) and appends its bytes to `out`; returns the block's CRC as stored. */
function readBlock(bits: Bits, maxBlock: number, out: Out, tt: Uint32Array): number {
  const storedCrc = ((bits.read(16) << 16) | bits.read(16)) >>> 0;
  if (bits.bit()) throw new Bzip2Error('randomised bzip2 blocks (bzip2 before 0.9.5) are not supported');
  const origPtr = bits.read(24);
  // The bytes in use.
  const used = bits.read(16);
  const seqToUnseq = new Uint8Array(256);
  let nInUse = 0;
  for (let i = 0; i < 16; i++)
    if (used & (0x8000 >> i)) {
      const row = bits.read(16);
      for (let j = 0; j < 16; j++) if (row & (0x8000 >> j)) seqToUnseq[nInUse++] = i * 16 + j;
    }
  if (!nInUse) throw new Bzip2Error('a bzip2 block uses no byte values');
  const alphaSize = nInUse + 2;
  const nGroups = bits.read(3);
  if (nGroups < 2 || nGroups > MAX_GROUPS) throw new Bzip2Error('a bzip2 block has a bad number of Huffman tables');
  const nSelectors = bits.read(15);
  if (nSelectors < 1) throw new Bzip2Error('a bzip2 block has no selectors');
  // Selectors, MTF-coded in unary.
  const mtfGroups = [0, 1, 2, 3, 4, 5].slice(0, nGroups);
  const selectors = new Uint8Array(Math.min(nSelectors, MAX_SELECTORS));
  for (let i = 0; i < nSelectors; i++) {
    let j = 0;
    while (bits.bit()) {
      j++;
      if (j >= nGroups) throw new Bzip2Error('a bzip2 selector names no table');
    }
    const g = mtfGroups[j]!;
    mtfGroups.splice(j, 1);
    mtfGroups.unshift(g);
    if (i < MAX_SELECTORS) selectors[i] = g;
  }
  // Code lengths, delta-coded.
  const tables: Huffman[] = [];
  const lengths = new Uint8Array(alphaSize);
  for (let t = 0; t < nGroups; t++) {
    let len = bits.read(5);
    for (let s = 0; s < alphaSize; s++) {
      for (;;) {
        if (len < 1 || len > MAX_CODE_LEN) throw new Bzip2Error('a bzip2 Huffman code length is out of range');
        if (!bits.bit()) break;
        len += bits.bit() ? -1 : 1;
      }
      lengths[s] = len;
    }
    tables.push(huffman(lengths, alphaSize));
  }
  // Symbols: MTF indexes with runs of the front byte coded as RUNA/RUNB, up to the end-of-block symbol.
  const EOB = nInUse + 1;
  const mtf = new Uint8Array(256);
  for (let i = 0; i < 256; i++) mtf[i] = i;
  const counts = new Uint32Array(256);
  let n = 0;
  let group = -1;
  let left = 0;
  let table = tables[0]!;
  let run = 0;
  let runWeight = 1;
  for (;;) {
    if (left === 0) {
      group++;
      if (group >= selectors.length) throw new Bzip2Error('a bzip2 block has fewer selectors than symbol groups');
      table = tables[selectors[group]!]!;
      left = GROUP_SIZE;
    }
    left--;
    const sym = decodeSymbol(bits, table);
    if (sym <= 1) {
      // RUNA (0) / RUNB (1): bijective base 2, least significant digit first.
      run += (sym + 1) * runWeight;
      runWeight *= 2;
      if (run > maxBlock) throw new Bzip2Error('a bzip2 block is larger than its stream header allows');
      continue;
    }
    if (run) {
      if (n + run > maxBlock) throw new Bzip2Error('a bzip2 block is larger than its stream header allows');
      const b = seqToUnseq[mtf[0]!]!;
      counts[b]! += run;
      for (let k = 0; k < run; k++) tt[n++] = b;
      run = 0;
      runWeight = 1;
    }
    if (sym === EOB) break;
    if (sym > EOB) throw new Bzip2Error('a bzip2 symbol is out of range');
    if (n >= maxBlock) throw new Bzip2Error('a bzip2 block is larger than its stream header allows');
    const idx = sym - 1;
    const v = mtf[idx]!;
    mtf.copyWithin(1, 0, idx);
    mtf[0] = v;
    const b = seqToUnseq[v]!;
    counts[b]!++;
    tt[n++] = b;
  }
  if (origPtr >= n) throw new Bzip2Error('a bzip2 block has a bad origin pointer');
  // Inverse BWT: link each position to the next one in the original order.
  const cftab = new Uint32Array(256);
  for (let i = 0, sum = 0; i < 256; i++) {
    cftab[i] = sum;
    sum += counts[i]!;
  }
  for (let i = 0; i < n; i++) {
    const b = tt[i]! & 0xff;
    tt[cftab[b]!]! |= i << 8;
    cftab[b]!++;
  }
  // Undo the initial run-length coding (4 equal bytes, then a count) while computing the block CRC.
  let crc = 0xffffffff;
  let pos = tt[origPtr]! >>> 8;
  let last = -1;
  let same = 0;
  out.reserve(n);
  for (let i = 0; i < n; i++) {
    const e = tt[pos]!;
    const b = e & 0xff;
    pos = e >>> 8;
    if (same === 4) {
      out.reserve(b);
      for (let k = 0; k < b; k++) {
        out.push(last);
        crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ last) & 0xff]!;
      }
      same = 0;
      last = -1;
      continue;
    }
    if (b === last) same++;
    else {
      last = b;
      same = 1;
    }
    out.push(b);
    crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!;
  }
  crc = ~crc >>> 0;
  if (crc !== storedCrc) throw new Bzip2Error('a bzip2 block fails its CRC check');
  return crc;
}

/**
 * Decompresses bzip2 data (one stream or several concatenated, as pbzip2 writes). Throws `Bzip2Error` for anything
 * that is not valid bzip2, for trailing data after the last stream, and when the output would pass `maxBytes`.
 */
export function bunzip2(data: Uint8Array, maxBytes = 512 * 1024 * 1024): Buffer {
  let input = data;
  const out = new Out(maxBytes, data.length * 4);
  let streams = 0;
  while (streams === 0 || input.length) {
    if (input.length < 4 || input[0] !== 0x42 || input[1] !== 0x5a || input[2] !== 0x68)
      throw new Bzip2Error(streams ? 'data follows the bzip2 stream' : 'not bzip2 data (no BZh header)');
    const level = input[3]! - 0x30;
    if (level < 1 || level > 9) throw new Bzip2Error('the bzip2 header has a bad block size');
    const maxBlock = level * 100000;
    const tt = new Uint32Array(maxBlock);
    const bits = new Bits(input.subarray(4));
    let combined = 0;
    for (;;) {
      const hi = bits.read(24);
      const lo = bits.read(24);
      if (hi === BLOCK_MAGIC_HI && lo === BLOCK_MAGIC_LO) {
        tt.fill(0);
        const crc = readBlock(bits, maxBlock, out, tt);
        combined = (((combined << 1) | (combined >>> 31)) ^ crc) >>> 0;
      } else if (hi === END_MAGIC_HI && lo === END_MAGIC_LO) {
        const stored = ((bits.read(16) << 16) | bits.read(16)) >>> 0;
        if (stored !== combined) throw new Bzip2Error('the bzip2 stream fails its CRC check');
        bits.align();
        input = bits.rest();
        break;
      } else throw new Bzip2Error('a bzip2 block header is missing');
    }
    streams++;
  }
  return out.result();
}
