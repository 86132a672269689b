// A 128-bit non-cryptographic hash for cache keys and checksums on the CLI's fast path, where loading node:crypto
// (and the streams it pulls in) costs more than hashing the inputs. It detects change and damage; it does not resist
// an attacker, and nothing it keys is a security boundary (the caches are the user's own files).

const SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f] as const;

/** Four independent 32-bit lanes, each a multiply-rotate over the input's 16- or 32-bit units, with a final mix. */
export class FastHash {
  private a: number = SEEDS[0];
  private b: number = SEEDS[1];
  private c: number = SEEDS[2];
  private d: number = SEEDS[3];
  private n = 0;

  private word(w: number): void {
    this.a = Math.imul(rotl(this.a ^ w, 13), 0x5bd1e995) >>> 0;
    this.b = Math.imul(rotl(this.b ^ w, 17), 0x1b873593) >>> 0;
    this.c = Math.imul(rotl(this.c + w, 11), 0xcc9e2d51) >>> 0;
    this.d = Math.imul(rotl(this.d ^ (w + this.a), 19), 0x2545f491) >>> 0;
    this.n++;
  }

  /** Adds a string (its UTF-16 code units) or bytes; `update('ab').update('c')` differs from `update('a').update('bc')`. */
  update(data: string | Uint8Array): this {
    if (typeof data === 'string') {
      for (let i = 0; i < data.length; i++) this.word(data.charCodeAt(i));
      this.word(0x10000 + (data.length & 0xffff)); // a separator no code unit can be: the parts' boundaries count
      return this;
    }
    const whole = data.length - (data.length % 4);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < whole; i += 4) this.word(view.getUint32(i, true));
    let tail = 0;
    for (let i = whole; i < data.length; i++) tail = (tail << 8) | data[i]!;
    this.word(tail);
    this.word(0x10000 + (data.length & 0xffff));
    return this;
  }

  /** 32 hex digits. */
  digest(): string {
    const lanes = [this.a, this.b, this.c, this.d].map((x, i) => fmix(x ^ this.n ^ SEEDS[i]!));
    // Each lane mixed with the others, so that a difference in one reaches all 128 bits.
    const out = lanes.map((x, i) => fmix(x + Math.imul(lanes[(i + 1) % 4]!, 3) + lanes[(i + 2) % 4]!));
    return out.map((x) => x.toString(16).padStart(8, '0')).join('');
  }
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** murmur3's finalizer. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash of one string or byte array, as 32 hex digits. */
export function fastHash(data: string | Uint8Array): string {
  return new FastHash().update(data).digest();
}
