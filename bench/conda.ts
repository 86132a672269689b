// Benchmark of the conda side: a 30-spec ML environment over a loopback channel of about 20,000 records, warm solve
// latency, and bytes a cold sharded fetch takes against the channel's whole repodata (as served, and uncompressed); the
// same over repodata.json.zst and repodata.json.bz2.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { condaReport, resetRepodataStores, type CondaReportOptions } from '../server/src/conda/report';
import { parseEnvironmentYml } from '../server/src/parsers/environment-yml';
import type { MachineProfile } from '../server/src/system/profile';
import { startCondaChannel, type ChannelPackage } from '../test/helpers/conda-channel';
import { rng } from './scenarios';

const PYS = ['3.9', '3.10', '3.11', '3.12'];
const pyAbi = (mm: string): string => `python >=${mm},<3.${Number(mm.split('.')[1]) + 1}.0a0`;

/** Record fields every real repodata entry has (digests, size, license): they make up most of its bytes. */
function realFields(r: () => number): Record<string, unknown> {
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return { md5: hex(32), sha256: hex(64), size: Math.floor(r() * 5e7), license: 'BSD-3-Clause', license_family: 'BSD' };
}

/**
 * About 20,000 records in 2,000 Python packages (2-3 versions x 4 Python builds), 40 native libraries, four
 * Pythons, CUDA builds for some: packages depend on others of their group of 10 and on libraries, as ML stacks do.
 */
export function mlChannel(seed = 11): { pkgs: ChannelPackage[]; names: string[] } {
  const r = rng(seed);
  const pkgs: ChannelPackage[] = [];
  for (let l = 0; l < 40; l++) {
    for (let v = 0; v < 5; v++)
      pkgs.push({
        name: `lib${l}`,
        version: `${1 + v}.0`,
        build: 'h0_0',
        depends: l > 0 && r() < 0.5 ? [`lib${Math.floor(r() * l)} >=1.0`] : [],
        extra: realFields(r),
      });
  }
  for (const mm of PYS)
    for (let p = 0; p < 4; p++)
      pkgs.push({
        name: 'python',
        version: `${mm}.${p}`,
        build: 'h0_cpython',
        depends: ['lib0 >=1.0', '__glibc >=2.17'],
        extra: realFields(r),
      });
  const names: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const name = `ml${i}`;
    names.push(name);
    const group = Math.floor(i / 10) * 10;
    const cuda = i % 40 === 0;
    const versions = 2 + (i % 2);
    for (let v = 0; v < versions; v++) {
      const deps: string[] = [];
      for (let j = i + 1; j < group + 10; j++) if (r() < 0.3) deps.push(`ml${j} >=1.0`);
      deps.push(`lib${Math.floor(r() * 40)} >=1.0`, `lib${Math.floor(r() * 40)} >=2.0`);
      for (const mm of PYS) {
        pkgs.push({
          name,
          version: `${1 + v}.0`,
          build: `py${mm.replace('.', '')}h${v}_0`,
          depends: [...deps, pyAbi(mm)],
          timestamp: 1_700_000_000_000 + v,
          extra: realFields(r),
        });
        if (cuda)
          pkgs.push({
            name,
            version: `${1 + v}.0`,
            build: `cuda120py${mm.replace('.', '')}h${v}_1`,
            build_number: 1,
            depends: [...deps, pyAbi(mm), '__cuda >=12.0'],
            extra: realFields(r),
          });
      }
    }
  }
  return { pkgs, names };
}

/** python=3.11 and 29 packages from six groups, some with a lower bound. */
function environmentYml(url: string, names: string[]): string {
  const picks = [0, 7, 13, 21, 34, 55].flatMap((g) => names.slice(g * 10, g * 10 + 5)).slice(0, 29);
  return (
    `name: ml\nchannels:\n  - ${url}\n  - nodefaults\ndependencies:\n  - ` +
    `python=3.11\n${picks.map((n, i) => `  - ${i % 3 === 0 ? `${n}>=1` : n}`).join('\n')}\n`
  );
}

/** The zstd tool when installed (real compression for the byte counts), else stored zstd blocks. */
function zstdTool(): ((data: Uint8Array) => Buffer) | undefined {
  const probe = spawnSync('zstd', ['--version']);
  if (probe.status !== 0) return undefined;
  return (data) => {
    const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error('zstd failed');
    return r.stdout;
  };
}

const PROFILE: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.35' },
  nvidia: { driver: '550.54', cuda: '12.4', gpus: [] },
};

export async function benchConda(): Promise<Record<string, unknown>> {
  const { pkgs, names } = mlChannel();
  const zstd = zstdTool();
  const sharded = await startCondaChannel(pkgs, { format: 'sharded', ...(zstd ? { zstd } : {}) });
  const zst = await startCondaChannel(pkgs, { format: 'zst', ...(zstd ? { zstd } : {}) });
  const bz2 = await startCondaChannel(pkgs, { format: 'bz2' });
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-bench-conda-'));
  const opts = (cacheDir: string): CondaReportOptions => ({
    profile: PROFILE,
    cacheDir,
    offline: false,
    trustWorkspace: true,
    condarcPaths: [],
    timeoutMs: 120_000,
    env: {},
  });
  try {
    const out: Record<string, unknown> = {
      'channel records': pkgs.length,
      'zst files': zstd ? 'compressed with the zstd tool (-3)' : 'stored zstd blocks (no zstd tool)',
    };
    for (const [label, ch] of [
      ['sharded', sharded],
      ['repodata.json.zst', zst],
      ['repodata.json.bz2', bz2],
    ] as const) {
      resetRepodataStores();
      const set = {
        root: '/b/environment.yml',
        files: [parseEnvironmentYml('/b/environment.yml', environmentYml(ch.url, names))],
        findings: [],
      };
      const dir = fs.mkdtempSync(path.join(cache, 'c-'));
      const t0 = process.hrtime.bigint();
      const cold = await condaReport(set, opts(dir));
      const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (cold.status !== 'ok')
        throw new Error(
          `bench environment does not solve: ` +
            `${JSON.stringify(cold.conflicts.map((c) => c.explanation)) || cold.unavailable}`,
        );
      const samples: number[] = [];
      for (let i = 0; i < 25; i++) {
        const t = process.hrtime.bigint();
        const warm = await condaReport({ ...set }, opts(dir));
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (warm.status !== 'ok') throw new Error('warm solve differs');
      }
      const s = samples.slice(3).sort((a, b) => a - b);
      // What any CEP 16 client must fetch: the shard indexes and the shards of the names the solution installs.
      const solved = new Set(cold.solution.map((p) => p.name));
      const floor = ch.requests
        .filter((q) => q.status === 200)
        .filter((q) => q.path.endsWith('/repodata_shards.msgpack.zst') || solved.has(ch.shardName(q.path) ?? ''))
        .reduce((n, q) => n + q.bytes, 0);
      out[label] = {
        specs: set.files[0]!.dependencies.length,
        'records reached': cold.stats.records,
        'names reached': cold.stats.names,
        'solution size': cold.solution.length,
        'cold report (ms)': +coldMs.toFixed(1),
        'cold bytes fetched': cold.stats.bytes,
        'full repodata bytes (both subdirs, as served)': ch.fullRepodataBytes,
        'cold bytes / full repodata': +(cold.stats.bytes / ch.fullRepodataBytes).toFixed(4),
        'of which shard index bytes': cold.stats.indexBytes,
        'shards only / full repodata': +((cold.stats.bytes - cold.stats.indexBytes) / ch.fullRepodataBytes).toFixed(4),
        'uncompressed repodata.json bytes (both subdirs)': ch.jsonRepodataBytes,
        'cold bytes / uncompressed repodata.json': +(cold.stats.bytes / ch.jsonRepodataBytes).toFixed(4),
        ...(label === 'sharded'
          ? {
              'floor (indexes + shards of the solution names)': floor,
              'floor / full repodata': +(floor / ch.fullRepodataBytes).toFixed(4),
            }
          : {}),
        'cold requests': cold.stats.requests,
        'warm report p50 (ms)': +s[Math.floor(s.length / 2)]!.toFixed(1),
        'warm report p95 (ms)': +s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!.toFixed(1),
      };
    }
    return out;
  } finally {
    await sharded.close();
    await zst.close();
    await bz2.close();
    fs.rmSync(cache, { recursive: true, force: true });
  }
}
