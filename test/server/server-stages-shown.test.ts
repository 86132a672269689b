// The built server says what is happening while the stages run: the target and each stage's time, index and
// reachability in the log, the target's summary to the client; the sets of the file that asked are resolved and
// published first, and the active editor's sets before those of other files; the findings the stages added stay on their unchanged lines until the stages answer again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

const PACKAGES = [
  { name: 'numpy', version: '1.26.4' },
  { name: 'requests', version: '2.31.0' },
];

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('language server: what is happening, in order, without flicker', () => {
  let index: PackageIndex;
  let dir: string;
  let client: LspClient;
  let deadIndex: string;
  const logs: string[] = [];
  const targets: { summary: string; description: string; fromProfile: boolean }[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-stages-'));
    index = await startPackageIndex(PACKAGES);
    deadIndex = `http://127.0.0.1:${await closedPort()}/simple`;
    const profile = path.join(dir, 'gpu-box.json');
    fs.writeFileSync(
      profile,
      JSON.stringify({
        os: 'linux',
        arch: 'x86_64',
        libc: { kind: 'glibc', version: '2.35' },
        python: { version: '3.10.14', implementation: 'cpython' },
        nvidia: { driver: '550.54.15', cuda: '12.4', gpus: [] },
      }),
    );
    client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
    client.connection.onNotification('window/logMessage', (m: unknown) => {
      logs.push((m as { message: string }).message);
    });
    client.connection.onNotification('stackDoctor/target', (t: unknown) => {
      targets.push(t as (typeof targets)[number]);
    });
    await client.initialize(dir, {
      trusted: true,
      debounceMs: 0,
      indexDebounceMs: 400,
      indexUrl: index.url,
      extraIndexUrls: [deadIndex],
      cacheDir: path.join(dir, '.cache'),
      profile,
    });
  });
  after(async () => {
    await client.shutdown();
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("logs the target and sends its summary: Python, platform, glibc and the driver's CUDA", async () => {
    for (let i = 0; i < 50 && targets.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(targets.at(-1), {
      summary: 'Py 3.10 · CUDA 12.4 driver',
      description: 'Python 3.10.14 · linux x86_64 · glibc 2.35 · NVIDIA driver 550.54.15 (CUDA 12.4)',
      fromProfile: true,
    });
    assert.ok(
      logs.some((l) => l.startsWith('Target: Python 3.10.14 · linux x86_64 · glibc 2.35 · NVIDIA driver 550.54.15')),
      logs.join('\n'),
    );
  });

  it("resolves the asking file's set first, and logs each stage's time and each index with its reachability", async () => {
    const folder = path.join(dir, 'two');
    fs.mkdirSync(folder);
    // Another root of the folder, first by name: before, it was resolved (and published) before the file asked about.
    fs.writeFileSync(path.join(folder, 'requirements-a.txt'), 'requests\n');
    const file = path.join(folder, 'requirements.txt');
    fs.writeFileSync(file, 'numpy==9.9\n');
    const uri = client.open(file, 'numpy==9.9\n');
    await client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'not-found'), 20_000);
    for (let i = 0; i < 100 && logs.filter((l) => l.startsWith('Stages of ')).length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    const stages = logs.filter((l) => l.startsWith('Stages of '));
    assert.deepEqual(
      stages.map((l) => /^Stages of (\S+): \d+ ms/.exec(l)?.[1]),
      [path.join('two', 'requirements.txt'), path.join('two', 'requirements-a.txt')],
    );
    assert.match(stages[0]!, new RegExp(`\\n  index ${index.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: answered`));
    assert.match(
      stages[0]!,
      new RegExp(`\\n  index ${deadIndex.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not reachable \\(`),
    );
  });

  it("resolves the active editor's set first, even when another file was opened before it", async () => {
    const other = path.join(dir, 'opened-first', 'requirements.txt');
    const active = path.join(dir, 'active', 'requirements.txt');
    for (const f of [other, active]) fs.mkdirSync(path.dirname(f));
    fs.writeFileSync(other, 'numpy==9.7\n');
    fs.writeFileSync(active, 'requests==9.7\n');
    const order: string[] = [];
    const notFound = (uri: string) =>
      client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'not-found'), 20_000).then(() => order.push(uri));
    // Two sets, opened one after the other; the editor then shows the second.
    const otherUri = client.open(other, 'numpy==9.7\n');
    const activeUri = client.open(active, 'requests==9.7\n');
    const published = [notFound(otherUri), notFound(activeUri)];
    await client.connection.sendNotification('stackDoctor/activeDocument', { uri: activeUri });
    await Promise.all(published);
    assert.deepEqual(order, [activeUri, otherUri]);
  });

  it('keeps the findings the stages added on their unchanged lines until the stages answer again', async () => {
    const file = path.join(dir, 'keep', 'requirements.txt');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, 'numpy==9.9\nrequests\n');
    const uri = client.open(file, 'numpy==9.9\nrequests\n');
    await client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'not-found'), 20_000);
    const next = client.waitFor(uri, () => true);
    client.change(uri, '# pinned for the demo\nnumpy==9.9\nrequests\n');
    const fast = await next;
    const notFound = fast.diagnostics.filter((d) => d.code === 'not-found');
    assert.deepEqual(
      notFound.map((d) => d.range.start.line),
      [1],
      'the fast publish after the edit still shows it, one line down',
    );
    // An edit of that line drops it until the stages say again.
    const edited = client.waitFor(uri, () => true);
    client.change(uri, '# pinned for the demo\nnumpy==9.8\nrequests\n');
    assert.deepEqual(
      (await edited).diagnostics.filter((d) => d.code === 'not-found'),
      [],
    );
    const again = await client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'not-found'), 20_000);
    assert.deepEqual(
      again.diagnostics.filter((d) => d.code === 'not-found').map((d) => d.range.start.line),
      [1],
    );
  });
});
