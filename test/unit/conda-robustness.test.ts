// Hostile and odd input on the conda side: unusual match specs, broken repodata, a broken shard, a timeout; never a
// crash or hang.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { condaFindings } from '../../server/src/checks/conda-solve';
import { condaHover, condaReport, resetRepodataStores, type CondaReportOptions } from '../../server/src/conda/report';
import { condaInstalledForPip } from '../../server/src/conda/pypi-names';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import { markerEnvironmentFor } from '../../server/src/system/profile';
import { startCondaChannel, zstdStore, type CondaChannel } from '../helpers/conda-channel';
import { LINUX_GPU_470, ML_CHANNEL, condaYml, reportOptions } from '../helpers/conda-fixtures';
import { setOf } from '../helpers/sets';

let channel: CondaChannel;
let cache: string;
before(async () => {
  channel = await startCondaChannel(ML_CHANNEL, { format: 'zst' });
  cache = mkdtempSync(join(tmpdir(), 'sd-conda-rob-'));
});
after(async () => {
  await channel.close();
  rmSync(cache, { recursive: true, force: true });
});

const yml = (url: string, deps: string[], pip: string[] = []): string => condaYml([url, 'nodefaults'], deps, pip, true);
const opts = (over: Partial<CondaReportOptions> = {}): CondaReportOptions =>
  reportOptions(cache, { timeoutMs: 30000, requestTimeoutMs: 2000, ...over });

/** A server answering every path with `body`. */
async function serving(body: (path: string) => Buffer | null): Promise<{ url: string; close: () => Promise<void> }> {
  const s = createServer((req, res) => {
    const b = body(req.url ?? '/');
    res.writeHead(b ? 200 : 404);
    res.end(b ?? undefined);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => s.close(() => r())),
  };
}

const summary = (r: Awaited<ReturnType<typeof condaReport>>): string =>
  `${r.status} ${r.picked.map((p) => `${p.pkg.name}=${p.pkg.version}=${p.pkg.build}`).join(',')} ` +
  `${r.conflicts.map((c) => c.roots.map((d) => d.text).join('+') + ':' + c.fixes.map((f) => f.fix.edits[0]!.newText).join('/')).join(';')} ` +
  `` +
  `` +
  `${r.notFound.map((n) => n.dep.text).join(',')}`;

describe('conda robustness', () => {
  it('unusual specs conda accepts are solved or reported, never crash', async () => {
    const specs = [
      'numpy >=1.2,<2|2.0.*',
      'numpy ~=1.26.0',
      'numpy=1.26=py311*',
      "numpy[version='>=1.26']",
      'numpy==1.26.4',
      'numpy 1.26.*',
      'numpy=*=*',
      'numpy>=1.0a0',
      'numpy !=2.0.0',
      'pytorch * cpu*',
    ];
    for (const s of specs) {
      const r = await condaReport(
        setOf(parseEnvironmentYml('/w/environment.yml', yml(channel.url, ['python=3.11', s]))),
        opts(),
      );
      assert.ok(r.status === 'ok' || r.status === 'failed', `${s}: ${r.status} ${r.unavailable}`);
    }
  });

  it('broken repodata (not zstd, not JSON, a bad shard index) is one information finding', async () => {
    const bodies: [string, (p: string) => Buffer | null][] = [
      ['garbage zst', (p) => (p.endsWith('.zst') && !p.includes('shards') ? Buffer.from('not zstd at all') : null)],
      ['zst of non-JSON', (p) => (p.endsWith('repodata.json.zst') ? zstdStore(Buffer.from('{"packages": [')) : null)],
      [
        'bad shard index',
        (p) => (p.endsWith('repodata_shards.msgpack.zst') ? zstdStore(Buffer.from([0xc1, 0xc1, 0xc1])) : null),
      ],
      ['a JSON array', (p) => (p.endsWith('repodata.json') ? Buffer.from('[1,2,3]') : null)],
      [
        'a shard index that is a number',
        (p) => (p.endsWith('repodata_shards.msgpack.zst') ? zstdStore(Buffer.from([0x2a])) : null),
      ],
    ];
    for (const [label, body] of bodies) {
      resetRepodataStores();
      const srv = await serving(body);
      try {
        const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(srv.url, ['numpy'])));
        const r = await condaReport(set, opts({ cacheDir: null }));
        assert.equal(r.status, 'unavailable', label);
        const f = condaFindings(set, {
          markerEnvironment: markerEnvironmentFor(LINUX_GPU_470),
          profile: LINUX_GPU_470,
          conda: new Map([[set.root, r]]),
        });
        assert.deepEqual(
          f.map((x) => x.severity),
          ['information'],
          label,
        );
      } finally {
        await srv.close();
      }
    }
  });

  it('a channel that never answers runs into the time budget, not a hang', async () => {
    const s = createServer(() => undefined);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      const t = Date.now();
      const r = await condaReport(
        setOf(parseEnvironmentYml('/w/environment.yml', yml(url, ['numpy']))),
        opts({ cacheDir: null, timeoutMs: 1500, requestTimeoutMs: 60000 }),
      );
      assert.equal(r.status, 'unavailable');
      assert.ok(Date.now() - t < 10000);
    } finally {
      s.closeAllConnections();
      s.close();
    }
  });

  it('reports running at the same time get the answers they get alone', async () => {
    const envs = [
      ['python=3.12', 'tensorflow=2.10'],
      ['python=3.11', 'numpy'],
      ['python=3.11', 'pytorch=2.1=*cuda*'],
      ['python=3.10', 'tensorflow'],
      ['numpi'],
      ['python=3.11', 'scipy', 'numpy=2'],
    ];
    const one = (deps: string[]) =>
      condaReport(setOf(parseEnvironmentYml('/w/environment.yml', yml(channel.url, deps))), opts());
    const alone: string[] = [];
    for (const e of envs) alone.push(summary(await one(e)));
    const together = (await Promise.all(envs.map(one))).map(summary);
    assert.deepEqual(together, alone);
  });

  it("hover says what was picked; pip sees conda's Python packages as installed", async () => {
    const set = setOf(
      parseEnvironmentYml('/w/environment.yml', yml(channel.url, ['python=3.11', 'pytorch', 'requests'])),
    );
    const r = await condaReport(set, opts());
    assert.equal(r.status, 'ok');
    const torch = set.files[0]!.dependencies.find((d) => d.name === 'pytorch')!;
    assert.match(
      condaHover(r, torch)!,
      /conda picks \*\*pytorch 2\.1\.0\*\* \(build `cpu_py311_0`, linux-64\) from http:\/\/127\.0\.0\.1/,
    );
    const pip = condaInstalledForPip(r);
    assert.equal(pip.get('torch')?.version, '2.1.0');
    assert.equal(pip.get('idna')?.version, '3.6');
    assert.ok(!pip.has('python'));
  });
});
