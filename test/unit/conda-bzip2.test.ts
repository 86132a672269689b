// The bzip2 decompressor against Python's bz2 module: data compressed by it at test time (random, structured, empty,
// several blocks, several streams, every block size) decompresses to the same bytes; corrupt and truncated data ends
// in a clean Bzip2Error, never another exception or a hang.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bunzip2, Bzip2Error } from '../../server/src/conda/bzip2';
import { rng } from '../../bench/scenarios';

/** Compresses each input with Python's bz2 at the given level; `streams` > 1 concatenates that many streams. */
function pyBzip2(inputs: { data: Uint8Array; level: number; streams?: number }[]): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'sd-bz2-'));
  try {
    inputs.forEach((x, i) => writeFileSync(join(dir, `${i}.in`), x.data));
    const script =
      'import bz2,sys,json\n' +
      'd=sys.argv[1]\n' +
      'for i,(lv,st) in enumerate(json.loads(sys.argv[2])):\n' +
      '  raw=open(f"{d}/{i}.in","rb").read()\n' +
      '  n=len(raw); cut=[n*k//st for k in range(st+1)]\n' +
      '  open(f"{d}/{i}.bz2","wb").write(b"".join(bz2.compress(raw[cut[k]:cut[k+1]],lv) for k in range(st)))\n';
    const r = spawnSync('python3', ['-c', script, dir, JSON.stringify(inputs.map((x) => [x.level, x.streams ?? 1]))], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `python3 bz2 failed: ${r.stderr}`);
    return inputs.map((_, i) => readFileSync(join(dir, `${i}.bz2`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function randomBytes(r: () => number, n: number, alphabet = 256): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * alphabet);
  return out;
}

/** Inputs of many shapes: runs (the RLE and RUNA/RUNB paths), small alphabets, text, JSON, all 256 byte values. */
function inputs(r: () => number): { data: Uint8Array; level: number; streams?: number; what: string }[] {
  const out: { data: Uint8Array; level: number; streams?: number; what: string }[] = [];
  const lv = (): number => 1 + Math.floor(r() * 9);
  out.push({ data: new Uint8Array(0), level: 9, what: 'empty' });
  out.push({ data: Uint8Array.of(65), level: 1, what: 'one byte' });
  out.push({ data: new Uint8Array(5).fill(7), level: 9, what: 'a run of five' });
  for (const n of [3, 4, 5, 6, 255, 256, 259, 260, 261, 1000, 70000])
    out.push({ data: new Uint8Array(n).fill(0x61), level: lv(), what: `a run of ${n}` });
  for (let i = 0; i < 40; i++) {
    const n = Math.floor(r() ** 3 * 60000);
    out.push({ data: randomBytes(r, n, [2, 3, 16, 256][i % 4]), level: lv(), what: `random ${n}` });
  }
  for (let i = 0; i < 30; i++) {
    // Runs of random lengths: every run-length and MTF path.
    const parts: number[] = [];
    const n = Math.floor(r() * 20000);
    while (parts.length < n) {
      const b = Math.floor(r() * 6) * 40;
      const len = Math.floor(r() ** 2 * 600);
      for (let k = 0; k < len; k++) parts.push(b);
    }
    out.push({ data: Uint8Array.from(parts), level: lv(), what: `runs ${parts.length}` });
  }
  const words = ['numpy', 'python', '>=3.10', 'cuda', '"depends": [', '"build": "py311h0_0"', ',', '\n', ' '];
  for (let i = 0; i < 20; i++) {
    let s = '';
    const n = Math.floor(r() * 30000);
    while (s.length < n) s += words[Math.floor(r() * words.length)]!;
    out.push({ data: Buffer.from(s), level: lv(), what: `text ${s.length}` });
  }
  const all = new Uint8Array(256 * 40);
  for (let i = 0; i < all.length; i++) all[i] = (i * 7919) & 0xff;
  out.push({ data: all, level: 2, what: 'every byte value' });
  // Several blocks: more than 900 kB at level 9, and small block sizes with many blocks.
  const big = new Uint8Array(2_100_000);
  for (let i = 0, x = 0; i < big.length; i++) {
    if (r() < 0.05) x = Math.floor(r() * 256);
    big[i] = r() < 0.6 ? x : Math.floor(r() * 256);
  }
  out.push({ data: big, level: 9, what: 'multi-block 2.1 MB at level 9' });
  out.push({ data: big.subarray(0, 450_000), level: 1, what: 'five blocks at level 1' });
  // Several concatenated streams (pbzip2 writes these).
  out.push({ data: randomBytes(r, 30000, 4), level: 5, streams: 3, what: 'three streams' });
  out.push({ data: new Uint8Array(0), level: 5, streams: 2, what: 'two empty streams' });
  return out;
}

describe('bzip2 decompressor', () => {
  const r = rng(2026);
  const cases = inputs(r);
  const compressed = pyBzip2(cases);

  it(`decompresses ${cases.length} inputs compressed by Python's bz2 to the same bytes`, () => {
    cases.forEach((c, i) => {
      const got = bunzip2(compressed[i]!);
      assert.ok(Buffer.from(c.data).equals(got), `${c.what} (level ${c.level}) differs`);
    });
  });

  it('refuses output past the limit', () => {
    const i = cases.findIndex((c) => c.what.startsWith('multi-block'));
    assert.throws(() => bunzip2(compressed[i]!, 1_000_000), Bzip2Error);
    const run = cases.findIndex((c) => c.what === 'a run of 70000');
    assert.throws(() => bunzip2(compressed[run]!, 69_999), /more than 69999 bytes/);
    assert.equal(bunzip2(compressed[run]!, 70_000).length, 70_000);
  });

  it('corrupt and truncated data gives a Bzip2Error (or, for an unused bit, the same bytes), never a hang', () => {
    const rc = rng(99);
    let errors = 0;
    let trials = 0;
    const t0 = Date.now();
    for (let i = 0; i < cases.length; i++) {
      const src = compressed[i]!;
      if (src.length > 200_000) continue;
      for (let k = 0; k < 6; k++) {
        const bad = Buffer.from(src);
        const kind = k % 3;
        let data: Buffer;
        if (kind === 0) {
          // Flip one bit.
          const p = Math.floor(rc() * bad.length);
          bad[p]! ^= 1 << Math.floor(rc() * 8);
          data = bad;
        } else if (kind === 1) {
          // Truncate.
          data = bad.subarray(0, Math.floor(rc() * bad.length));
        } else {
          // Overwrite a stretch with random bytes.
          const p = Math.floor(rc() * bad.length);
          for (let q = p; q < Math.min(bad.length, p + 1 + Math.floor(rc() * 16)); q++) bad[q] = Math.floor(rc() * 256);
          data = bad;
        }
        trials++;
        try {
          const got = bunzip2(data, 4_000_000);
          assert.ok(Buffer.from(cases[i]!.data).equals(got), `${cases[i]!.what}: corrupt data gave other bytes`);
        } catch (e) {
          assert.ok(e instanceof Bzip2Error, `${cases[i]!.what}: ${(e as Error).stack}`);
          errors++;
        }
      }
    }
    assert.ok(errors > trials * 0.9, `${errors} of ${trials} corruptions detected`);
    assert.ok(Date.now() - t0 < 20_000, 'corrupt inputs are handled quickly');
  });

  it('random garbage and headers alone are clean errors', () => {
    const rg = rng(5);
    for (let i = 0; i < 300; i++) {
      const n = Math.floor(rg() * 400);
      const data = Buffer.concat([Buffer.from(i % 2 ? 'BZh9' : 'BZh1'), Buffer.from(randomBytes(rg, n))]);
      if (i % 3 === 0) Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59]).copy(data, 4);
      assert.throws(() => bunzip2(data), Bzip2Error);
    }
    for (const s of ['', 'BZ', 'BZh', 'BZh0', 'BZhA', 'BZh9', 'hello world'])
      assert.throws(() => bunzip2(Buffer.from(s)), Bzip2Error, JSON.stringify(s));
    // Data after the stream.
    const [one] = pyBzip2([{ data: Buffer.from('abc'), level: 9 }]);
    assert.equal(bunzip2(one!).toString(), 'abc');
    assert.throws(() => bunzip2(Buffer.concat([one!, Buffer.from('xyz')])), /data follows/);
  });
});
