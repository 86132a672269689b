// The provider against a faulty loopback index: every bad answer becomes a typed error or a recorded problem (never a
// crash), nothing bad is cached, the healed index is read right; unreachable indexes cost one timeout.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DiskCache } from '../../server/src/index/cache';
import { InvalidDataError, NotFoundError, UnreachableError } from '../../server/src/index/errors';
import { CancelledError } from '../../server/src/model/cancel';
import { HostHealth } from '../../server/src/index/http';
import { METADATA_MAX_BYTES } from '../../server/src/index/metadata-fetch';
import { PAGE_MAX_BYTES } from '../../server/src/index/project-pages';
import { MetadataProvider, type MetadataProviderOptions } from '../../server/src/index/provider';
import { Version } from '../../server/src/pep/version';
import {
  buildWheel,
  gzipBomb,
  indexFixture,
  type FaultPicker,
  type IndexFault,
  type IndexPackage,
  LINUX_CP311 as target,
} from '../helpers/package-index';

const PACKAGES: IndexPackage[] = [
  { name: 'alpha', version: '1.0.0', dependencies: ['beta>=2'] },
  { name: 'alpha', version: '1.1.0', dependencies: ['beta>=2.1'] },
  { name: 'beta', version: '2.1.0' },
];
const SECRET = 'pa55-W0RD-xyz';

const { tmp, serve } = indexFixture('sd-faults-', PACKAGES, after);
/** The index URL with credentials in it: no message, problem or cache file may show them. */
const withCreds = (url: string): string => url.replace('http://', `http://user:${SECRET}@`);
function provider(
  indexUrls: string[],
  extra: Partial<MetadataProviderOptions> = {},
  http: MetadataProviderOptions['http'] = {},
): MetadataProvider {
  return new MetadataProvider({
    indexes: { indexUrls, findLinks: [], noIndex: false },
    target,
    http: { timeoutMs: 2000, retryDelayMs: 10, hostHealth: new HostHealth(), ...http },
    ...extra,
  });
}
const v = (s: string): Version => Version.parse(s)!;
const walk = (d: string): string[] => {
  try {
    return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
    );
  } catch {
    return [];
  }
};
const onlyFor =
  (match: (p: string) => boolean, fault: IndexFault): FaultPicker =>
  (r) =>
    match(r.path) ? fault : null;
const isPage = (p: string): boolean => p === '/simple/alpha/';

const PAGE_FAULTS: [string, IndexFault, RegExp][] = [
  ['truncated JSON', { kind: 'truncated' }, /announced as JSON, is not valid JSON/],
  ['an HTML error page served as JSON', { kind: 'html-as-json' }, /announced as JSON, is an HTML page/],
  [
    'a 1 GiB gzip bomb',
    { kind: 'gzip-bomb' },
    new RegExp(`larger than the ${PAGE_MAX_BYTES}-byte limit once decompressed \\(gzip\\)`),
  ],
  ['an 80 MB page', { kind: 'oversized', bytes: 80 * 1024 * 1024 }, /Answer of 83886080 bytes .* is larger than the/],
  [
    'an 80 MB page without Content-Length',
    { kind: 'oversized', bytes: 80 * 1024 * 1024, chunked: true },
    /is larger than the \d+-byte limit/,
  ],
  [
    'an HTML page whose tags never end',
    { kind: 'body', body: '<a x'.repeat(2_000_000), contentType: 'text/html' },
    /is not an HTML page that can be read \(tags that never end\)/,
  ],
  [
    'a page of another content type',
    { kind: 'body', body: 'alpha-1.0.0.whl', contentType: 'text/plain' },
    /has Content-Type text\/plain, not a simple index page/,
  ],
];

for (const [what, fault, message] of PAGE_FAULTS) {
  test(
    `project page fault: ${what} is an InvalidDataError naming the ` +
      `redacted URL, is not cached, and the healed index is read right`,
    async () => {
      const idx = await serve({ format: 'json', fault: onlyFor(isPage, fault) });
      const cacheDir = path.join(tmp, `cache-${what.replace(/\W+/g, '-')}`);
      const rss = process.memoryUsage().rss;
      const started = Date.now();
      const p = provider([withCreds(idx.url)], { cacheDir });
      const err = await p.explain('alpha').then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof InvalidDataError, `${what}: ${String(err)}`);
      assert.match(err.message, message);
      // The URL asked, with its password replaced (or its userinfo removed): never the secret.
      assert.ok(err.message.includes(`${new URL(idx.url).host}/simple/alpha/`), err.message);
      assert.ok(!err.message.includes(SECRET) && !err.url.includes(SECRET));
      assert.ok(Date.now() - started < 10_000, 'bounded time');
      assert.ok(process.memoryUsage().rss - rss < 400 * 1024 * 1024, 'a bounded amount of memory');
      const problems = p.problems();
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.kind, 'invalid');
      assert.ok(!JSON.stringify(problems).includes(SECRET));
      // Beta is unaffected: one bad page costs only its project.
      assert.deepEqual((await p.versions('beta')).map(String), ['2.1.0']);
      assert.ok(
        !walk(path.join(cacheDir, 'page')).some((f) => readFileSync(f).includes('alpha-1.')),
        'the bad page was not cached',
      );
      for (const f of walk(cacheDir)) assert.ok(!readFileSync(f).includes(SECRET) && !f.includes(SECRET));
      idx.setFault(null);
      const healed = provider([withCreds(idx.url)], { cacheDir });
      assert.deepEqual((await healed.versions('alpha')).map(String), ['1.1.0', '1.0.0']);
      assert.deepEqual(healed.problems(), []);
    },
  );
}

test(
  'a bad page on one index of two: the other answers, ' + 'and the provider says which index could not be read',
  async () => {
    const bad = await serve({ format: 'json', fault: onlyFor(isPage, { kind: 'truncated' }) });
    const good = await serve({}, [{ name: 'alpha', version: '0.5' }]);
    const p = provider([bad.url, good.url]);
    assert.deepEqual((await p.versions('alpha')).map(String), ['0.5']);
    assert.equal(p.unreachableFor('alpha').length, 1);
    assert.equal(p.unreachableFor('alpha')[0]!.kind, 'invalid');
    assert.equal(p.unreachableFor('alpha')[0]!.host, new URL(bad.url).host);
    assert.deepEqual(p.unreachableFor('beta'), []);
  },
);

test('a bad page cached by an older version is dropped and fetched again', async () => {
  const idx = await serve({ format: 'json' });
  const cacheDir = path.join(tmp, 'cache-old-page');
  await new DiskCache(cacheDir).put('page', `${idx.url}/alpha/`, {
    fetchedAt: Date.now(),
    etag: null,
    lastModified: null,
    contentType: 'application/vnd.pypi.simple.v1+json',
    body: Buffer.from('{"files": ['),
  });
  const p = provider([idx.url], { cacheDir });
  assert.deepEqual((await p.versions('alpha')).map(String), ['1.1.0', '1.0.0']);
  assert.equal(p.stats.pageFetches, 1);
});

test(
  'metadata naming another project, with the sha256 the page ' +
    'advertises, is rejected and never cached; the wheel is read instead',
  async () => {
    // The real alpha 1.1.0 needs beta>=2.1; the forged metadata says it needs nothing and is another project.
    const forged = Buffer.from('Metadata-Version: 2.1\nName: evil\nVersion: 1.1.0\n\n');
    const idx = await serve({
      format: 'json',
      metadataFor: (f, real) => (f.startsWith('alpha-1.1.0') ? forged : real),
    });
    const cacheDir = path.join(tmp, 'cache-forged');
    const p = provider([idx.url], { cacheDir });
    const md = await p.dependencies('alpha', v('1.1.0'));
    assert.ok(md !== 'unknown');
    assert.equal(md.source, 'wheel');
    assert.deepEqual(
      md.requires.map((r) => `${r.name}${r.specifier}`),
      ['beta>=2.1'],
    );
    assert.match(
      p
        .problems()
        .map((x) => x.message)
        .join('\n'),
      /The metadata file at http:\/\/127\.0\.0\.1:\d+\/files\/alpha-1\.1\.0-py3-none-any\.whl\.metadata names evil, not alpha/,
    );
    for (const f of walk(cacheDir))
      assert.ok(!readFileSync(f).includes('Name: evil'), `forged metadata cached in ${f}`);
    // Garbage (not core metadata at all) is rejected the same way, and an entry an older version cached is re-read.
    await new DiskCache(cacheDir).put(
      'metadata',
      `${idx.url.replace('/simple', '')}/files/alpha-1.0.0-py3-none-any.whl.metadata`,
      {
        fetchedAt: Date.now(),
        etag: null,
        lastModified: null,
        contentType: 'text/plain',
        body: Buffer.from('<html>garbage</html>'),
      },
    );
    const again = provider([idx.url], { cacheDir });
    const md0 = await again.dependencies('alpha', v('1.0.0'));
    assert.ok(md0 !== 'unknown' && md0.requires[0]!.specifier === '>=2');
    assert.equal(again.stats.metadataCacheHits, 0);
  },
);

test('oversized and gzip-bomb metadata files are refused past the cap; the wheel is read instead', async () => {
  for (const fault of [{ kind: 'oversized', bytes: 50 * 1024 * 1024 }, { kind: 'gzip-bomb' }] as IndexFault[]) {
    const idx = await serve({ format: 'json', fault: onlyFor((x) => x.endsWith('.metadata'), fault) });
    const p = provider([idx.url]);
    const md = await p.dependencies('alpha', v('1.1.0'));
    assert.ok(md !== 'unknown' && md.source === 'wheel', fault.kind);
    assert.match(p.problems()[0]!.message, new RegExp(`larger than the ${METADATA_MAX_BYTES}-byte limit`));
  }
});

test('a broken wheel zip: dependencies unknown with a problem naming the file; healed, read right', async () => {
  const idx = await serve({
    format: 'json',
    metadata: false,
    fault: onlyFor((x) => x.endsWith('.whl'), {
      kind: 'body',
      body: Buffer.from('PK\x03\x04 this is not a zip'),
      contentType: 'application/octet-stream',
    }),
  });
  const cacheDir = path.join(tmp, 'cache-zip');
  const p = provider([idx.url], { cacheDir });
  assert.equal(await p.dependencies('alpha', v('1.1.0')), 'unknown');
  const [problem] = p.problems();
  assert.equal(problem?.kind, 'invalid');
  assert.match(
    problem!.message,
    /Cannot read alpha-1\.1\.0-py3-none-any\.whl at http:\/\/127\.0\.0\.1:\d+\/files\/alpha-1\.1\.0-py3-none-any\.whl: not a zip file/,
  );
  // The unknown answer is remembered only for a while; a new provider (or the next run after it) reads the healed
  // index.
  idx.setFault(null);
  const healed = provider([idx.url], { cacheDir });
  const md = await healed.dependencies('alpha', v('1.1.0'));
  assert.ok(md !== 'unknown' && md.requires[0]!.name === 'beta');
});

test('a wheel whose METADATA is a zip bomb is refused without inflating it', async () => {
  const real = buildWheel({ name: 'alpha', version: '1.1.0' });
  // Patch the central directory's uncompressed size of METADATA to claim 1 GiB.
  const bytes = Buffer.from(real.bytes);
  const name = Buffer.from('alpha-1.1.0.dist-info/METADATA');
  let at = bytes.indexOf(Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02])]));
  while (at >= 0 && !bytes.subarray(at + 46, at + 46 + name.length).equals(name))
    at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 1);
  assert.ok(at >= 0);
  bytes.writeUInt32LE(1024 * 1024 * 1024, at + 24);
  const idx = await serve({
    format: 'json',
    metadata: false,
    fault: onlyFor((x) => x.endsWith('.whl'), { kind: 'body', body: bytes, contentType: 'application/octet-stream' }),
  });
  const p = provider([idx.url]);
  assert.equal(await p.dependencies('alpha', v('1.1.0')), 'unknown');
  assert.match(p.problems()[0]!.message, /too large/);
});

test(
  'an sdist whose tar is a gzip bomb is scanned as a ' + 'stream and refused past its cap, in bounded memory',
  async () => {
    // A tar header announcing a 1 GiB member, then 1 GiB of zeros, then (never reached) PKG-INFO.
    const header = Buffer.alloc(512);
    header.write('gamma-0.1/big.bin', 0, 'utf8');
    header.write('0000644\0', 100, 'latin1');
    header.write((1024 * 1024 * 1024).toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    header.write('0', 156, 'latin1');
    const body = Buffer.concat([gzipSync(header), gzipBomb(1024 * 1024 * 1024)]);
    const idx = await serve(
      {
        format: 'json',
        metadata: false,
        fault: onlyFor((x) => x.endsWith('.tar.gz'), { kind: 'body', body, contentType: 'application/octet-stream' }),
      },
      [{ name: 'gamma', version: '0.1', sdist: { metadataVersion: '2.2', only: true } }],
    );
    const p = provider([idx.url]);
    const rss = process.memoryUsage().rss;
    assert.equal(await p.dependencies('gamma', v('0.1')), 'unknown');
    assert.ok(process.memoryUsage().rss - rss < 200 * 1024 * 1024, 'bounded memory');
    assert.match(
      p.problems()[0]!.message,
      /Cannot read gamma-0\.1\.tar\.gz at .*: more than \d+ bytes once decompressed/,
    );
    idx.setFault(null);
    const healed = await provider([idx.url]).dependencies('gamma', v('0.1'));
    assert.ok(healed !== 'unknown' && healed.source === 'sdist');
  },
);

test(
  '500, 429, 404, a redirect loop, a dropped connection ' + 'and a hanging answer: typed errors in bounded time',
  async () => {
    const cases: [IndexFault, (e: unknown) => boolean][] = [
      [
        { kind: 'status', status: 500 },
        (e) => e instanceof UnreachableError && e.reason === 'server' && e.status === 500,
      ],
      [
        { kind: 'status', status: 429 },
        (e) => e instanceof UnreachableError && e.status === 429 && /HTTP 429/.test(e.message),
      ],
      [{ kind: 'status', status: 404 }, (e) => e instanceof NotFoundError],
      [{ kind: 'redirect-loop' }, (e) => e instanceof UnreachableError && e.reason === 'network'],
      [{ kind: 'drop' }, (e) => e instanceof UnreachableError && e.reason === 'network'],
      [{ kind: 'hang' }, (e) => e instanceof UnreachableError && e.reason === 'timeout'],
    ];
    for (const [fault, ok] of cases) {
      const idx = await serve({ format: 'json', fault: onlyFor(isPage, fault) });
      const started = Date.now();
      const p = provider([withCreds(idx.url)], {}, { timeoutMs: 300 });
      const err = await p.explain('alpha').then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(ok(err), `${fault.kind}: ${String(err)}`);
      assert.ok(!String((err as Error).message).includes(SECRET));
      assert.ok(Date.now() - started < 5000, `${fault.kind} took ${Date.now() - started} ms`);
      idx.setFault(null);
      assert.deepEqual(
        (await provider([idx.url]).versions('alpha')).map(String),
        ['1.1.0', '1.0.0'],
        `${fault.kind}: healed`,
      );
    }
  },
);

test(
  'one hanging extra index beside a reachable one: 30 projects cost one timeout, ' +
    'the reachable answers are used, not-found says which index may have it',
  async () => {
    const names = Array.from({ length: 30 }, (_, i) => `proj${i}`);
    const good = await serve(
      {},
      names.map((name) => ({ name, version: '1.0' })),
    );
    const hanging = await serve({ fault: () => ({ kind: 'hang' }) }, []);
    const p = provider([good.url, hanging.url], {}, { timeoutMs: 800 });
    const started = Date.now();
    const results = await Promise.all(names.map((n) => p.versions(n)));
    const missing = await p.explain('missing').then(
      () => null,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    assert.ok(results.every((r) => r.map(String).join() === '1.0'));
    assert.ok(elapsed < 2 * 800, `one timeout, not one per project: ${elapsed} ms`);
    assert.ok(hanging.requests.length <= 16, `the hanging index was asked ${hanging.requests.length} times`);
    assert.ok(missing instanceof NotFoundError);
    assert.deepEqual(
      missing.unreachable.map((x) => [x.kind, x.host]),
      [['unreachable', new URL(hanging.url).host]],
    );
    assert.ok(names.every((n) => p.unreachableFor(n).length === 1));
    const hosts = new Set(p.problems().map((x) => x.host));
    assert.deepEqual([...hosts], [new URL(hanging.url).host]);
  },
);

test('a closed port beside a reachable index; when every index is unreachable the project is unknown', async () => {
  const closed = await serve();
  const port = new URL(closed.url).port;
  await closed.close();
  const good = await serve();
  const p = provider([`http://127.0.0.1:${port}/simple`, good.url]);
  assert.deepEqual((await p.versions('alpha')).map(String), ['1.1.0', '1.0.0']);
  assert.match(p.unreachableFor('alpha')[0]!.message, /connection refused/);
  await assert.rejects(provider([`http://127.0.0.1:${port}/simple`]).versions('alpha'), UnreachableError);
});

test('a host that did not answer is remembered for a while, then asked again (the network came back)', async () => {
  const idx = await serve({ fault: () => ({ kind: 'hang' }) });
  let now = 0;
  const health = new HostHealth(30_000, () => now);
  const make = (): MetadataProvider => provider([idx.url], {}, { timeoutMs: 300, hostHealth: health });
  await assert.rejects(
    make().versions('alpha'),
    (e: unknown) => e instanceof UnreachableError && e.reason === 'timeout',
  );
  idx.setFault(null);
  const asked = idx.requests.length;
  const started = Date.now();
  await assert.rejects(
    make().versions('alpha'),
    (e: unknown) => e instanceof UnreachableError && /earlier in this run/.test(e.message),
  );
  assert.ok(Date.now() - started < 100, 'a remembered host fails at once');
  assert.equal(idx.requests.length, asked, 'and is not asked');
  now += 31_000;
  assert.deepEqual((await make().versions('alpha')).map(String), ['1.1.0', '1.0.0']);
});

test('a DNS lookup that never answers is bounded by the request timeout', async () => {
  const lookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = function (this: unknown, host: string, ...rest: unknown[]) {
    if (host === 'never-answers.test') return undefined;
    return (lookup as (...a: unknown[]) => unknown).call(this, host, ...rest);
  };
  try {
    const started = Date.now();
    await assert.rejects(
      provider(['http://never-answers.test/simple'], {}, { timeoutMs: 400 }).versions('alpha'),
      (e: unknown) => e instanceof UnreachableError && e.reason === 'timeout',
    );
    assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  } finally {
    (dns as { lookup: unknown }).lookup = lookup;
  }
});

test(
  'many callers on one signal: no MaxListenersExceededWarning, ' + 'and cancellation still reaches every one',
  async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const names = Array.from({ length: 40 }, (_, i) => `p${i}`);
      const idx = await serve(
        {},
        names.map((name) => ({ name, version: '1.0', dependencies: ['beta'] })),
      );
      const p = provider([idx.url], {}, { timeoutMs: 5000 });
      const ac = new AbortController();
      await Promise.all(names.map((n) => p.explain(n, { signal: ac.signal })));
      await Promise.all(names.map((n) => p.dependencies(n, v('1.0'), ac.signal)));
      const slow = await serve(
        { delayMs: 2000 },
        names.map((name) => ({ name, version: '1.0' })),
      );
      const q = provider([slow.url]);
      const pending = names.map((n) =>
        q.versions(n, ac.signal).then(
          () => 'done',
          (e: unknown) => (e instanceof CancelledError ? 'cancelled' : String(e)),
        ),
      );
      setTimeout(() => ac.abort(), 50);
      assert.deepEqual(new Set(await Promise.all(pending)), new Set(['cancelled']));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(
        warnings.filter((w) => w.startsWith('MaxListeners')),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  },
);
