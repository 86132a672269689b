// The fast path's non-cryptographic hash: deterministic, sensitive to every unit and to where parts end, the same for
// the same bytes wherever they lie in a buffer, and without collisions over many near-identical inputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FastHash, fastHash } from '../../server/src/model/fast-hash';
import { rng } from '../../bench/scenarios';

describe('FastHash', () => {
  it('is deterministic and 128 bits of hex', () => {
    assert.equal(fastHash('numpy==1.26.4'), fastHash('numpy==1.26.4'));
    assert.match(fastHash(''), /^[0-9a-f]{32}$/);
  });

  it('tells apart where parts end, and strings from their concatenation', () => {
    const a = new FastHash().update('ab').update('c').digest();
    const b = new FastHash().update('a').update('bc').digest();
    const c = new FastHash().update('abc').digest();
    assert.equal(new Set([a, b, c]).size, 3);
  });

  it('bytes hash the same at any offset of their buffer, and every byte counts', () => {
    const data = Uint8Array.from({ length: 1001 }, (_, i) => (i * 37) & 0xff);
    const shifted = new Uint8Array(1010);
    shifted.set(data, 7);
    assert.equal(fastHash(shifted.subarray(7, 7 + 1001)), fastHash(data));
    for (const i of [0, 1, 500, 999, 1000]) {
      const changed = data.slice();
      changed[i] ^= 1;
      assert.notEqual(fastHash(changed), fastHash(data), `byte ${i}`);
    }
    assert.notEqual(fastHash(data.subarray(0, 1000)), fastHash(data));
  });

  it('no collisions over 200,000 near-identical texts, and digests spread over every hex digit', () => {
    const r = rng(5);
    const seen = new Set<string>();
    const base = 'torch==2.1.0\nnumpy>=1.26\n';
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 200_000; i++) {
      const text = i % 2 ? `${base}pkg${i}\n` : base.replace('1.26', `1.${Math.floor(r() * 1e9)}`) + i;
      const h = fastHash(text);
      seen.add(h);
      counts[parseInt(h[i % 32]!, 16)]!++;
    }
    assert.equal(seen.size, 200_000);
    for (const c of counts) assert.ok(c > 200_000 / 16 / 1.2 && c < (200_000 / 16) * 1.2, String(counts));
  });
});
