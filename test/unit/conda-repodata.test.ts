// Conda repodata fetching over loopback channels: sharded (only reached shards), zst, json, revalidation, disk cache,
// offline and unreachable channels, secrets.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { condaFindings } from '../../server/src/checks/conda-solve';
import { condaReport, resetRepodataStores, type CondaReportOptions } from '../../server/src/conda/report';
import { gather, RepodataStore, RepodataUnavailable } from '../../server/src/conda/repodata';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import { markerEnvironmentFor } from '../../server/src/system/profile';
import {
  startCondaChannel,
  type ChannelPackage,
  type CondaChannel,
  type CondaChannelOptions,
} from '../helpers/conda-channel';
import { LINUX_GPU_470, LINUX_NO_GPU, ML_CHANNEL, condaYml, reportOptions } from '../helpers/conda-fixtures';
import { setOf } from '../helpers/sets';
import type { CondaSolveReport } from '../../server/src/model/reports';

let cache: string;
const open: CondaChannel[] = [];
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'sd-conda-rd-'));
  resetRepodataStores();
});
afterEach(async () => {
  while (open.length) await open.pop()!.close();
  rmSync(cache, { recursive: true, force: true });
});

async function chan(o: CondaChannelOptions = {}): Promise<CondaChannel> {
  const c = await startCondaChannel(ML_CHANNEL, o);
  open.push(c);
  return c;
}

const yml = (url: string, deps: string[]): string => condaYml([url, 'nodefaults'], deps);
const setFor = (url: string, deps: string[]) => setOf(parseEnvironmentYml('/w/environment.yml', yml(url, deps)));

const opts = (over: Partial<CondaReportOptions> = {}): CondaReportOptions =>
  reportOptions(cache, { requestTimeoutMs: 3000, ...over });

function everyCacheFile(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? everyCacheFile(p) : [p];
  });
}

const findingsOf = (r: CondaSolveReport, set: ReturnType<typeof setFor>) =>
  condaFindings(set, {
    markerEnvironment: markerEnvironmentFor(LINUX_GPU_470),
    profile: LINUX_GPU_470,
    conda: new Map([[set.root, r]]),
  });

describe('conda repodata', () => {
  it('sharded: fetches the shard index and only the shards of the names the solve reaches', async () => {
    const c = await chan({ format: 'sharded' });
    const r = await condaReport(setFor(c.url, ['python=3.11', 'requests']), opts());
    assert.equal(r.status, 'ok');
    const paths = c.requests.map((q) => q.path);
    assert.ok(
      paths.includes('/linux-64/repodata_shards.msgpack.zst') && paths.includes('/noarch/repodata_shards.msgpack.zst'),
    );
    assert.ok(!paths.some((p) => p.includes('repodata.json')), 'no full repodata fetched');
    // python (linux-64), requests and idna (noarch): three shards, none for numpy, tensorflow, pytorch, ...
    assert.equal(paths.filter((p) => p.includes('/shards/')).length, 3);
    assert.ok(r.stats.bytes < c.fullRepodataBytes, `${r.stats.bytes} < ${c.fullRepodataBytes}`);
  });

  it('sharded: no shard for the depends of builds the solve cannot install; a failed solve fetches them to explain', async () => {
    // CUDA builds need cudnn (a machine without a driver cannot install them); the Python 3.10 builds need a backport
    // (python=3.11 is asked); the 1.x builds need oldlib (torchish>=2 is asked).
    const pkgs: ChannelPackage[] = [
      ...ML_CHANNEL,
      { name: 'cudnn', version: '8.9', build: 'h0_0', depends: ['cuda-cudart >=12'] },
      { name: 'cuda-cudart', version: '12.1', build: 'h0_0' },
      { name: 'backport', version: '1.0', build: 'h0_0' },
      { name: 'oldlib', version: '1.0', build: 'h0_0' },
      { name: 'torchish', version: '1.0', build: 'py311_0', depends: ['python >=3.11,<3.12.0a0', 'oldlib'] },
      ...['310', '311'].flatMap((p): ChannelPackage[] => [
        {
          name: 'torchish',
          version: '2.0',
          build: `cuda12_py${p}_1`,
          build_number: 1,
          depends: [`python >=3.${p.slice(1)},<3.${Number(p.slice(1)) + 1}.0a0`, '__cuda >=12', 'cudnn'],
        },
        {
          name: 'torchish',
          version: '2.0',
          build: `cpu_py${p}_0`,
          depends: [`python >=3.${p.slice(1)},<3.${Number(p.slice(1)) + 1}.0a0`, ...(p === '310' ? ['backport'] : [])],
        },
      ]),
    ];
    const c = await startCondaChannel(pkgs, { format: 'sharded' });
    open.push(c);
    const shardNames = (): string[] =>
      c.requests.flatMap((q) => (q.path.includes('/shards/') ? [c.shardName(q.path)!] : [])).sort();
    const noGpu = opts({ profile: LINUX_NO_GPU });
    const ok = await condaReport(setFor(c.url, ['python=3.11', 'torchish>=2']), noGpu);
    assert.equal(ok.status, 'ok');
    assert.equal(ok.picked.find((p) => p.dep.name === 'torchish')!.pkg.build, 'cpu_py311_0');
    assert.deepEqual(shardNames(), ['python', 'torchish']);
    // The same environment on a machine with a CUDA 12 driver reaches cudnn and cuda-cudart.
    resetRepodataStores();
    c.requests.length = 0;
    const gpu = await condaReport(
      setFor(c.url, ['python=3.11', 'torchish>=2']),
      opts({ cacheDir: null, profile: { ...LINUX_NO_GPU, nvidia: { driver: '550.54', cuda: '12.4', gpus: [] } } }),
    );
    assert.equal(gpu.picked.find((p) => p.dep.name === 'torchish')!.pkg.build, 'cuda12_py311_1');
    assert.deepEqual(shardNames(), ['cuda-cudart', 'cudnn', 'python', 'torchish']);
    // A failure (the CUDA build asked for on a machine without a driver) gathers the rest for the explanation
    // and the fixes: the same report as when everything is fetched.
    resetRepodataStores();
    c.requests.length = 0;
    const set = setFor(c.url, ['python=3.11', 'torchish=2.0=*cuda*']);
    const failed = await condaReport(set, { ...noGpu, cacheDir: null });
    assert.equal(failed.status, 'failed');
    assert.ok(shardNames().includes('cudnn'));
    assert.equal(failed.conflicts[0]!.cuda?.kind, 'cuda-unavailable');
    assert.deepEqual(
      failed.conflicts[0]!.fixes.map((f) => f.fix.edits[0]!.newText),
      ['torchish=2.0=*cpu*'],
    );
    // When what the explanation needs cannot be read (a broken cudnn shard), the verdict stands, with an error.
    for (const [p, name] of [...c.files.keys()].map((k) => [k, c.shardName(k)] as const))
      if (name === 'cudnn') c.files.set(p, Buffer.from('not zstd'));
    resetRepodataStores();
    const broken = await condaReport(set, { ...noGpu, cacheDir: null });
    assert.equal(broken.status, 'failed');
    assert.ok(broken.conflicts.length >= 1);
    assert.ok(findingsOf(broken, set).some((f) => f.severity === 'error'));
  });

  it('zst: reads repodata.json.zst where offered; json: falls back to repodata.json', async () => {
    const z = await chan({ format: 'zst' });
    assert.equal((await condaReport(setFor(z.url, ['numpy']), opts())).status, 'ok');
    assert.ok(z.requests.some((q) => q.path === '/linux-64/repodata.json.zst' && q.status === 200));
    assert.ok(!z.requests.some((q) => q.path === '/linux-64/repodata.json'));
    const j = await chan({ format: 'json' });
    assert.equal((await condaReport(setFor(j.url, ['numpy']), opts())).status, 'ok');
    assert.ok(j.requests.some((q) => q.path === '/linux-64/repodata.json' && q.status === 200));
  });

  it('bz2: a channel with only repodata.json.bz2 (and .json) is read from the .bz2, and the solve works', async () => {
    const b = await chan({ format: 'bz2' });
    const ok = await condaReport(setFor(b.url, ['python=3.11', 'numpy', 'requests']), opts());
    assert.equal(ok.status, 'ok', String(ok.unavailable));
    assert.equal(ok.picked.find((p) => p.dep.name === 'requests')!.pkg.subdir, 'noarch');
    const paths = b.requests.map((q) => `${q.path} ${q.status}`);
    // Order: shards, .zst, .bz2 (and never the plain .json when the .bz2 is there).
    for (const sd of ['linux-64', 'noarch']) {
      const i = (f: string): number => paths.indexOf(`/${sd}/${f}`);
      assert.ok(i('repodata_shards.msgpack.zst 404') >= 0 && i('repodata.json.zst 404') >= 0, paths.join('\n'));
      assert.ok(i('repodata_shards.msgpack.zst 404') < i('repodata.json.zst 404'));
      assert.ok(i('repodata.json.zst 404') < i('repodata.json.bz2 200'), paths.join('\n'));
    }
    assert.ok(!b.requests.some((q) => q.path.endsWith('/repodata.json')), 'the plain .json is not fetched');
    const failed = await condaReport(setFor(b.url, ['python=3.12', 'tensorflow=2.10']), opts());
    assert.equal(failed.status, 'failed');
    // Revalidation and the disk cache as for the other formats.
    resetRepodataStores();
    b.requests.length = 0;
    const again = await condaReport(setFor(b.url, ['numpy']), opts({ ttlMs: 0 }));
    assert.equal(again.status, 'ok');
    assert.ok(b.requests.some((q) => q.path === '/linux-64/repodata.json.bz2' && q.status === 304 && q.conditional));
    resetRepodataStores();
    b.requests.length = 0;
    assert.equal((await condaReport(setFor(b.url, ['numpy']), opts({ offline: true }))).status, 'ok');
    assert.equal(b.requests.length, 0);
  });

  it('bz2: a corrupt repodata.json.bz2 makes the subdir unavailable with a clean reason, not a crash', async () => {
    const b = await chan({ format: 'bz2' });
    const good = b.files.get('/linux-64/repodata.json.bz2')!;
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)]! ^= 0x10;
    b.files.set('/linux-64/repodata.json.bz2', bad);
    const r = await condaReport(setFor(b.url, ['numpy']), opts());
    assert.equal(r.status, 'unavailable');
    assert.match(r.unavailable!, /repodata\.json\.bz2 does not decompress/);
    b.files.set('/linux-64/repodata.json.bz2', good.subarray(0, good.length - 7));
    resetRepodataStores();
    const t = await condaReport(setFor(b.url, ['numpy']), opts({ cacheDir: null }));
    assert.equal(t.status, 'unavailable');
    assert.match(t.unavailable!, /truncated|does not decompress/);
  });

  it('every format is read up to the same cap on decompressed bytes: past it, a clean reason', async () => {
    for (const format of ['zst', 'bz2', 'json'] as const) {
      const c = await chan({ format });
      const store = new RepodataStore({ cacheDir: null, offline: false, maxBytes: 500 });
      const ch = { name: c.url, url: c.url, display: c.url, subdir: null };
      await assert.rejects(
        store.subdir(ch, 'linux-64'),
        (e: Error) =>
          e instanceof RepodataUnavailable && /(decompresses to more|is larger) than 500 bytes/.test(e.message),
        format,
      );
      // Under the cap the same store reads it.
      const big = new RepodataStore({ cacheDir: null, offline: false });
      assert.ok((await big.subdir(ch, 'linux-64')).has('numpy'), format);
    }
    // Sharded: a shard past the cap (here: the shard index's size) costs the names it holds, with a clean message.
    const c = await chan({ format: 'sharded' });
    const cap = Math.max(
      ...['linux-64', 'noarch'].map((sd) => c.files.get(`/${sd}/repodata_shards.msgpack.zst`)!.length),
    );
    const shard = [...c.files].find(([p]) => c.shardName(p) === 'pytorch')![1];
    assert.ok(shard.length - 12 > cap, 'the pytorch shard is larger than the shard indexes');
    const store = new RepodataStore({ cacheDir: null, offline: false, maxBytes: cap });
    const ch = { name: c.url, url: c.url, display: c.url, subdir: null };
    const g = await gather(store, [ch], ['linux-64', 'noarch'], ['pytorch']);
    assert.ok(
      g.unavailable.some((m) =>
        new RegExp(`the repodata of pytorch could not be read .*decompresses to more than ${cap} bytes`).test(m),
      ),
      JSON.stringify(g.unavailable),
    );
  });

  it('revalidates with ETag (304) and sees a changed channel', async () => {
    const c = await chan({ format: 'zst' });
    await condaReport(setFor(c.url, ['numpy']), opts({ ttlMs: 0 }));
    c.requests.length = 0;
    const again = await condaReport(setFor(c.url, ['numpy']), opts({ ttlMs: 0 }));
    assert.equal(again.status, 'ok');
    assert.ok(c.requests.some((q) => q.path === '/linux-64/repodata.json.zst' && q.status === 304 && q.conditional));
    c.setPackages([
      ...ML_CHANNEL,
      { name: 'numpy', version: '2.1.0', build: 'py311h0_0', depends: ['python >=3.11,<3.12.0a0'] },
    ]);
    const changed = await condaReport(setFor(c.url, ['python=3.11', 'numpy']), opts({ ttlMs: 0 }));
    assert.equal(changed.picked.find((p) => p.dep.name === 'numpy')!.pkg.version, '2.1.0');
  });

  it('warm: within the TTL the store answers from memory, without a request', async () => {
    const c = await chan({ format: 'sharded' });
    await condaReport(setFor(c.url, ['python=3.11', 'numpy']), opts());
    const n = c.requests.length;
    const warm = await condaReport(setFor(c.url, ['python=3.11', 'numpy']), opts());
    assert.equal(warm.status, 'ok');
    assert.equal(c.requests.length, n);
  });

  it('offline: cached repodata is used; without a cache, one information finding and no error', async () => {
    const c = await chan({ format: 'sharded' });
    await condaReport(setFor(c.url, ['python=3.12', 'tensorflow=2.10']), opts());
    resetRepodataStores();
    const n = c.requests.length;
    const off = await condaReport(setFor(c.url, ['python=3.12', 'tensorflow=2.10']), opts({ offline: true }));
    assert.equal(off.status, 'failed');
    assert.equal(c.requests.length, n, 'offline sends nothing');
    const empty = mkdtempSync(join(tmpdir(), 'sd-conda-empty-'));
    try {
      const set = setFor(c.url, ['python=3.12', 'tensorflow=2.10']);
      const none = await condaReport(set, opts({ offline: true, cacheDir: empty }));
      assert.equal(none.status, 'unavailable');
      const f = findingsOf(none, set);
      assert.equal(f.length, 1);
      assert.equal(f[0]!.severity, 'information');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('unreachable: cached repodata stands in (with a note); without it, one information finding', async () => {
    const c = await chan({ format: 'zst' });
    const url = c.url;
    await condaReport(setFor(url, ['numpy']), opts());
    await c.close();
    open.length = 0;
    resetRepodataStores();
    const stale = await condaReport(setFor(url, ['numpy']), opts({ ttlMs: 0 }));
    assert.equal(stale.status, 'ok');
    assert.ok(stale.notes.some((n) => /cached repodata was used/.test(n)));
    resetRepodataStores();
    const set = setFor(url, ['numpy']);
    const none = await condaReport(set, opts({ cacheDir: null }));
    assert.equal(none.status, 'unavailable');
    assert.match(none.unavailable!, /could not be reached/);
    const f = findingsOf(none, set);
    assert.deepEqual(
      f.map((x) => x.severity),
      ['information'],
    );
  });

  it('never shows a token or a password: messages, channel names, cache file names and contents', async () => {
    const token = 'tk-SECRET-4242';
    const c = await chan({ format: 'sharded', token });
    const set = setFor(c.url, ['python=3.12', 'tensorflow=2.10', 'numpi']);
    const r = await condaReport(set, opts());
    assert.equal(r.status, 'failed');
    const everything = JSON.stringify(r) + JSON.stringify(findingsOf(r, set));
    assert.ok(!everything.includes(token), 'no token in the report or findings');
    assert.ok(everything.includes('/t/***'));
    for (const f of everyCacheFile(cache)) {
      assert.ok(!f.includes(token));
      assert.ok(!readFileSync(f).includes(token), `no token inside ${f}`);
    }
    const failing = await chan({ fail: true, token });
    const bad = await condaReport(setFor(failing.url, ['numpy']), opts({ cacheDir: null }));
    assert.equal(bad.status, 'unavailable');
    assert.ok(!JSON.stringify(bad).includes(token));
    const auth = await chan({ format: 'zst', basicAuth: 'me:pa55word' });
    const ok = await condaReport(setFor(auth.url, ['numpy']), opts());
    assert.equal(ok.status, 'ok');
    assert.ok(!JSON.stringify(ok).includes('pa55word'));
  });

  it('a file:// channel is read from disk', async () => {
    // The loopback channel's files written to a folder: the same solve through file://.
    const c = await chan({ format: 'json' });
    const dir = mkdtempSync(join(tmpdir(), 'sd-conda-file-'));
    try {
      const { mkdirSync, writeFileSync } = await import('node:fs');
      for (const sd of ['linux-64', 'noarch']) {
        const res = await fetch(`${c.url}/${sd}/repodata.json`);
        mkdirSync(join(dir, sd), { recursive: true });
        writeFileSync(join(dir, sd, 'repodata.json'), Buffer.from(await res.arrayBuffer()));
      }
      const r = await condaReport(setFor(`file://${dir}`, ['python=3.10', 'tensorflow=2.10']), opts());
      assert.equal(r.status, 'ok');
      assert.equal(r.picked.find((p) => p.dep.name === 'tensorflow')!.pkg.version, '2.10.0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
