// The project list cache over a real loopback server: answers at once from memory or disk, refreshes a stale list in
// the background (a later request sees it), revalidates with ETag, remembers a failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectListCache } from '../../server/src/index/project-list';

describe('ProjectListCache', () => {
  let server: Server;
  let base: string;
  let names = ['alpha', 'Beta_Two'];
  let requests: { accept: string; ifNoneMatch: string | undefined }[] = [];
  let fail = false;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-project-list-'));
    server = createServer((req, res) => {
      requests.push({
        accept: String(req.headers.accept),
        ifNoneMatch: req.headers['if-none-match'] as string | undefined,
      });
      if (fail) {
        res.writeHead(404);
        res.end();
        return;
      }
      const body = JSON.stringify({ meta: { 'api-version': '1.1' }, projects: names.map((name) => ({ name })) });
      const etag = `"${names.join(',')}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/vnd.pypi.simple.v1+json', ETag: etag });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads once, answers from memory at once, and from the disk in a new session without a request', async () => {
    let now = 1_000;
    const cache = new ProjectListCache({ cacheDir: dir, ttlMs: 60_000, now: () => now });
    assert.equal(cache.peek(base), null);
    const list = await cache.get(base);
    assert.deepEqual(list!.matching('beta'), ['Beta_Two']);
    assert.equal(requests.length, 1);
    assert.match(requests[0]!.accept, /^application\/vnd\.pypi\.simple\.v1\+json/);
    assert.ok(cache.peek(base)!.has('alpha'));
    await cache.get(base);
    assert.equal(requests.length, 1);
    const again = new ProjectListCache({ cacheDir: dir, ttlMs: 60_000, now: () => now });
    assert.ok((await again.get(base))!.has('beta-two'));
    assert.equal(requests.length, 1);
    assert.equal(again.fetches, 0);

    // Stale: the old list answers at once, the refresh runs behind it, and a later request sees the new list.
    names = ['alpha', 'Beta_Two', 'gamma'];
    now += 120_000;
    assert.equal(cache.peek(base)!.has('gamma'), false);
    for (let i = 0; i < 500 && !cache.peek(base)!.has('gamma'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(cache.peek(base)!.has('gamma'), true);
    assert.equal(requests.length, 2);
    assert.equal(requests[1]!.ifNoneMatch, '"alpha,Beta_Two"');

    // Stale again with nothing new: revalidated with 304, the list kept (once the refresh above has finished writing).
    await cache.idle();
    now += 120_000;
    await cache.get(base);
    for (let i = 0; i < 500 && requests.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(requests[2]!.ifNoneMatch, '"alpha,Beta_Two,gamma"');
    assert.ok(cache.peek(base)!.has('gamma'));
  });

  it('an index without a list gives null and is not asked again on every keystroke', async () => {
    fail = true;
    requests = [];
    const cache = new ProjectListCache({ cacheDir: null, ttlMs: 60_000 });
    assert.equal(await cache.get(base + '/other'), null);
    assert.equal(await cache.get(base + '/other'), null);
    assert.equal(cache.peek(base + '/other'), null);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(requests.length, 1);
    fail = false;
  });
});
