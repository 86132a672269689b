// MetadataProvider against a real loopback index: JSON/HTML, .metadata or wheel ranges, file:// and find-links,
// failures, cache, credentials.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { Version } from '../../server/src/pep/version';
import { NotFoundError, UnreachableError } from '../../server/src/index/errors';
import { CancelledError } from '../../server/src/model/cancel';
import { MetadataProvider, type MetadataProviderOptions } from '../../server/src/index/provider';
import { redact } from '../../server/src/index/credentials';
import { HostHealth } from '../../server/src/index/http';
import { buildWheel, indexFixture, type IndexPackage, LINUX_CP311 as target } from '../helpers/package-index';

const PACKAGES: IndexPackage[] = [
  { name: 'alpha', version: '1.0.0', dependencies: ['beta>=2'] },
  {
    name: 'alpha',
    version: '1.1.0',
    dependencies: ['beta>=2.1', 'gamma; extra == "fast"', 'delta; python_version < "3.8"'],
    extras: ['fast'],
  },
  { name: 'alpha', version: '1.2.0', requiresPython: '>=3.12', dependencies: ['beta>=3'] },
  { name: 'alpha', version: '1.3.0', yanked: 'broken build' },
  { name: 'alpha', version: '2.0.0b1' },
  { name: 'alpha', version: '0.9.0', tag: 'cp311-cp311-win_amd64' },
  { name: 'beta', version: '2.1.0', files: { 'beta/big.txt': 'x'.repeat(200_000) } },
  { name: 'gamma', version: '0.1', sdist: { metadataVersion: '2.2', only: true }, dependencies: ['beta'] },
  { name: 'gamma', version: '0.2', sdist: { metadataVersion: '2.2', dynamic: ['Requires-Dist'], only: true } },
  { name: 'gamma', version: '0.3', sdist: { metadataVersion: '2.1', only: true } },
];

const { tmp, serve } = indexFixture('sd-index-', PACKAGES, after);
function provider(indexUrls: string[], extra: Partial<MetadataProviderOptions> = {}): MetadataProvider {
  return new MetadataProvider({
    indexes: { indexUrls, findLinks: [], noIndex: false },
    target,
    http: { timeoutMs: 2000, retryDelayMs: 10, hostHealth: new HostHealth() },
    ...extra,
  });
}
const v = (s: string): Version => Version.parse(s)!;
const strs = (vs: Version[]): string[] => vs.map(String);

for (const format of ['json', 'html'] as const) {
  for (const metadata of [true, false]) {
    test(`${format} index ${metadata ? 'with' : 'without'} .metadata files: versions and dependencies`, async () => {
      const idx = await serve({ format, metadata, ranges: !metadata });
      const p = provider([idx.url]);
      assert.deepEqual(
        strs(await p.versions('Alpha')),
        ['2.0.0b1', '1.1.0', '1.0.0'],
        'yanked, requires-python and win wheels left out',
      );
      assert.deepEqual(strs(await p.versionsFor('alpha')), ['1.1.0', '1.0.0'], 'pre-releases only when asked');
      assert.deepEqual(
        strs(await p.versionsFor('alpha', { specifier: '==1.3.0' })),
        ['1.3.0'],
        'a pinned yanked version',
      );
      const why = await p.explain('alpha');
      assert.equal(why.find((x) => x.version.toString() === '1.2.0')?.excluded?.reason, 'requires-python');
      assert.equal(why.find((x) => x.version.toString() === '0.9.0')?.excluded?.reason, 'incompatible-tags');
      const deps = await p.dependencies('alpha', v('1.1.0'));
      assert.ok(deps !== 'unknown');
      assert.deepEqual(
        deps.requires.map((r) => [r.name, r.specifier, r.marker]),
        [
          ['beta', '>=2.1', ''],
          ['gamma', '', 'extra == "fast"'],
          ['delta', '', 'python_version < "3.8"'],
        ],
      );
      assert.equal(deps.source, metadata ? 'metadata-file' : 'wheel');
      const withFast = await p.requirementsFor('alpha', v('1.1.0'), ['fast']);
      assert.ok(withFast !== 'unknown');
      assert.deepEqual(
        withFast.requires.map((r) => r.name),
        ['beta', 'gamma'],
      );
      assert.equal(p.stats.metadataFetches, 1);
      if (!metadata) assert.ok(p.stats.rangeRequests >= 1 && p.stats.fullDownloads === 0, JSON.stringify(p.stats));
      await assert.rejects(p.dependencies('nope', v('1.0')), NotFoundError);
      assert.deepEqual(await p.versions('nope'), []);
    });
  }
}

test('remote wheels without range support are downloaded whole, within the cap', async () => {
  const idx = await serve({ metadata: false, ranges: false });
  const p = provider([idx.url]);
  const deps = await p.dependencies('beta', v('2.1.0'));
  assert.ok(deps !== 'unknown');
  assert.equal(p.stats.fullDownloads, 1);
  // Past the cap: the dependencies are unknown and the problem says why (it never aborts the caller).
  const capped = provider([idx.url], { maxDownloadBytes: 1000 });
  assert.equal(await capped.dependencies('beta', v('2.1.0')), 'unknown');
  assert.match(
    capped
      .problems()
      .map((p) => p.message)
      .join('\n'),
    /larger than the 1000-byte limit/,
  );
});

test('range requests read only the tail and the METADATA entry of a large wheel', async () => {
  const idx = await serve({ metadata: false, ranges: true });
  const p = provider([idx.url], { tailBytes: 4096 });
  const deps = await p.dependencies('beta', v('2.1.0'));
  assert.ok(deps !== 'unknown');
  assert.equal(p.stats.fullDownloads, 0);
  assert.ok(p.stats.rangeRequests >= 1);
});

test('sdists: reliable PKG-INFO is used, dynamic or old metadata is unknown', async () => {
  const idx = await serve({ metadata: false });
  const p = provider([idx.url]);
  assert.deepEqual(strs(await p.versions('gamma')), ['0.3', '0.2', '0.1']);
  const ok = await p.dependencies('gamma', v('0.1'));
  assert.ok(ok !== 'unknown' && ok.source === 'sdist');
  assert.deepEqual(
    ok.requires.map((r) => r.name),
    ['beta'],
  );
  assert.equal(await p.dependencies('gamma', v('0.2')), 'unknown');
  assert.equal(await p.dependencies('gamma', v('0.3')), 'unknown');
});

test('a file:// index and a --find-links folder', async () => {
  const root = path.join(tmp, 'file-index');
  const links = path.join(tmp, 'links');
  mkdirSync(path.join(root, 'alpha'), { recursive: true });
  mkdirSync(links, { recursive: true });
  const w = buildWheel({ name: 'alpha', version: '3.0', dependencies: ['beta<9'] });
  writeFileSync(path.join(links, w.filename), w.bytes);
  writeFileSync(
    path.join(links, 'unrelated-1.0-py3-none-any.whl'),
    buildWheel({ name: 'unrelated', version: '1.0' }).bytes,
  );
  writeFileSync(
    path.join(root, 'alpha', 'index.html'),
    `<html><body><a href="${pathToFileURL(path.join(links, w.filename)).toString()}">${w.filename}</a></body></html>`,
  );
  const fileIndex = provider([pathToFileURL(root).toString()]);
  assert.deepEqual(strs(await fileIndex.versions('alpha')), ['3.0']);
  const d = await fileIndex.dependencies('alpha', v('3.0'));
  assert.ok(d !== 'unknown' && d.requires[0]!.specifier === '<9');
  const fl = new MetadataProvider({ indexes: { indexUrls: [], findLinks: [links], noIndex: true }, target });
  assert.deepEqual(strs(await fl.versions('alpha')), ['3.0']);
  assert.ok((await fl.dependencies('alpha', v('3.0'))) !== 'unknown');
  assert.equal(fl.stats.localReads, 1);
  await assert.rejects(fl.dependencies('beta', v('1.0')), NotFoundError);
});

test('a slow index times out as Unreachable; cancellation rejects at once', async () => {
  const idx = await serve({ delayMs: 1500 });
  const slow = provider([idx.url], { http: { timeoutMs: 200, retries: 1, retryDelayMs: 10 } });
  await assert.rejects(slow.versions('alpha'), (e: unknown) => e instanceof UnreachableError && e.reason === 'timeout');
  const p = provider([idx.url]);
  const ac = new AbortController();
  const started = Date.now();
  const pending = p.versions('alpha', ac.signal);
  setImmediate(() => ac.abort());
  await assert.rejects(pending, CancelledError);
  assert.ok(Date.now() - started < 10_000);
});

test('500s are retried once, then Unreachable; dropped connections too', async () => {
  const flaky = await serve({ fail500: (p, n) => p.startsWith('/simple/') && n === 1 });
  assert.deepEqual(strs(await provider([flaky.url]).versions('alpha')), ['2.0.0b1', '1.1.0', '1.0.0']);
  const broken = await serve({ fail500: () => true });
  await assert.rejects(
    provider([broken.url]).versions('alpha'),
    (e: unknown) => e instanceof UnreachableError && e.reason === 'server' && e.status === 500,
  );
  const dropping = await serve({ dropConnection: (p) => p.startsWith('/simple/') });
  await assert.rejects(
    provider([dropping.url]).versions('alpha'),
    (e: unknown) => e instanceof UnreachableError && e.reason === 'network',
  );
  // One unreachable index beside one that answers: pip skips it, and so do we.
  const good = await serve();
  assert.deepEqual(strs(await provider([dropping.url, good.url]).versions('alpha')), ['2.0.0b1', '1.1.0', '1.0.0']);
});

test('concurrent requests for one project are de-duplicated', async () => {
  const idx = await serve();
  const p = provider([idx.url]);
  await Promise.all([
    p.versions('alpha'),
    p.versions('alpha'),
    p.versionsFor('alpha'),
    p.dependencies('alpha', v('1.0.0')),
    p.dependencies('alpha', v('1.0.0')),
  ]);
  assert.equal(idx.requests.filter((r) => r.path === '/simple/alpha/').length, 1);
  assert.equal(idx.requests.filter((r) => r.path.endsWith('.metadata')).length, 1);
});

test('a project no index has is asked about once a minute, not on every question', async () => {
  const idx = await serve();
  let now = 1_000_000;
  const p = provider([idx.url], { now: () => now });
  const asked = () => idx.requests.filter((r) => r.path === '/simple/nope/').length;
  await assert.rejects(p.explain('nope'), NotFoundError);
  await assert.rejects(p.explain('Nope'), NotFoundError);
  assert.deepEqual(await p.versions('nope'), []);
  assert.equal(asked(), 1);
  now += 61_000;
  await assert.rejects(p.explain('nope'), NotFoundError);
  assert.equal(asked(), 2);
  // Projects that exist are unaffected (their page TTL applies).
  assert.ok((await p.versions('alpha')).length > 0);
});

test('disk cache: TTL, 304 revalidation, immutable metadata, corrupt entries refetched', async () => {
  const idx = await serve({ validators: true });
  const cacheDir = path.join(tmp, 'cache');
  let now = 1_000_000;
  const make = (): MetadataProvider => provider([idx.url], { cacheDir, now: () => now });
  const first = make();
  await first.dependencies('alpha', v('1.0.0'));
  assert.equal(first.stats.pageFetches, 1);
  const second = make();
  await second.dependencies('alpha', v('1.0.0'));
  assert.deepEqual(
    [
      second.stats.pageFetches,
      second.stats.pageCacheHits,
      second.stats.metadataCacheHits,
      second.stats.metadataFetches,
    ],
    [0, 1, 1, 0],
  );
  now += 11 * 60 * 1000;
  const third = make();
  assert.deepEqual(strs(await third.versions('alpha')), ['2.0.0b1', '1.1.0', '1.0.0']);
  assert.deepEqual([third.stats.pageFetches, third.stats.pageRevalidations], [1, 1]);
  // Corrupt every cached file: each is dropped and fetched again.
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
    );
  for (const f of walk(cacheDir)) writeFileSync(f, readFileSync(f).subarray(0, 40));
  const fourth = make();
  const d = await fourth.dependencies('alpha', v('1.0.0'));
  assert.ok(d !== 'unknown' && d.requires[0]!.name === 'beta');
  assert.deepEqual([fourth.stats.pageFetches, fourth.stats.metadataFetches, fourth.stats.metadataCacheHits], [1, 1, 0]);
  assert.ok(!walk(cacheDir).some((f) => f.endsWith('.tmp')));
});

test('credentials are sent as Basic auth and never appear in errors or cache files', async () => {
  const secret = 's3cr3t-T0KEN';
  const idx = await serve({ auth: { username: 'user', password: secret } });
  const withCreds = idx.url.replace('http://', `http://user:${secret}@`);
  const cacheDir = path.join(tmp, 'cache-auth');
  const p = provider([withCreds], { cacheDir });
  assert.deepEqual(strs(await p.versions('alpha')), ['2.0.0b1', '1.1.0', '1.0.0']);
  assert.ok((await p.dependencies('alpha', v('1.1.0'))) !== 'unknown');
  const viaEnv = provider([idx.url.replace('http://', 'http://user:${INDEX_TOKEN}@')], {
    http: { env: { INDEX_TOKEN: secret } },
  });
  assert.equal((await viaEnv.versions('alpha')).length, 3);
  const netrc = provider([idx.url], { http: { netrc: new Map([['127.0.0.1', { login: 'user', password: secret }]]) } });
  assert.equal((await netrc.versions('alpha')).length, 3);
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
    );
  for (const f of walk(cacheDir)) {
    assert.ok(!f.includes(secret));
    assert.ok(!readFileSync(f).includes(secret), `secret in ${f}`);
  }
  const wrong = provider([idx.url.replace('http://', 'http://user:wrong-pass@')]);
  await assert.rejects(
    wrong.versions('alpha'),
    (e: unknown) => e instanceof Error && e.message.includes('HTTP 401') && !e.message.includes('wrong-pass'),
  );
  const closed = await serve();
  const port = new URL(closed.url).port;
  await closed.close();
  const down = provider([`http://user:${secret}@127.0.0.1:${port}/simple`]);
  await assert.rejects(
    down.versions('alpha'),
    (e: unknown) =>
      e instanceof UnreachableError &&
      e.reason === 'network' &&
      !e.message.includes(secret) &&
      e.message.includes(`127.0.0.1:${port}`),
  );
  assert.equal(redact(`https://tok@h/x https://u:p@h/`), 'https://***@h/x https://u:***@h/');
});
