// The built server over stdio: how soon it answers. An edit after a pause is analysed at once (the debounce only
// gathers a burst), and requests answer from what is known while the index is slow.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv, startPackageIndex } from '../helpers/package-index';

describe('server latency', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-latency-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('publishes an edit made after a pause without waiting for the debounce', async () => {
    const file = path.join(dir, 'requirements.txt');
    const text = 'numpy>=1.24\nnumpy<1.20\n';
    fs.writeFileSync(file, text);
    const client = new LspClient();
    try {
      // A debounce far longer than any analysis of this file: only a burst of edits waits for it.
      await client.initialize(dir, { offline: true, debounceMs: 4000 });
      const uri = client.open(file, text);
      await client.waitFor(uri, (p) => p.version === 1, 20_000);
      const started = Date.now();
      const version = client.change(uri, 'numpy>=1.24\nnumpy<1.21\n');
      const published = await client.waitFor(uri, (p) => p.version === version, 20_000);
      const ms = Date.now() - started;
      assert.ok(ms < 2000, `published after ${ms} ms`);
      assert.match(published.diagnostics.map((d) => d.message).join('\n'), /<1\.21/);
    } finally {
      await client.shutdown();
    }
  });

  it('hovers at once while the index is slow, saying what is still being fetched, and later with what it found', async () => {
    const index = await startPackageIndex(
      [
        { name: 'numpy', version: '1.26.4' },
        { name: 'numpy', version: '2.0.0' },
      ],
      { delayMs: 1500 },
    );
    const work = fs.mkdtempSync(path.join(dir, 'slow-'));
    const file = path.join(work, 'requirements.txt');
    const text = 'numpy<2\n';
    fs.writeFileSync(file, text);
    const client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
    try {
      await client.initialize(work, {
        debounceMs: 0,
        indexDebounceMs: 0,
        indexUrl: index.url,
        cacheDir: path.join(work, '.cache'),
      });
      const uri = client.open(file, text);
      await client.waitFor(uri, (p) => p.version === 1, 20_000);
      type H = { contents: { value: string } } | null;
      const hover = () =>
        client.request<H>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
      const started = Date.now();
      const first = (await hover())?.contents.value ?? '';
      const ms = Date.now() - started;
      // Every answer of the index takes 1.5 s: the hover does not wait for one.
      assert.ok(ms < 1000, `answered after ${ms} ms`);
      assert.match(first, /\*\*numpy\*\*/);
      assert.match(first, /still being fetched from http:\/\/127\.0\.0\.1:\d+\/simple/);
      let later = '';
      for (let i = 0; i < 100 && !/picks \*\*numpy/.test(later); i++) {
        await new Promise((r) => setTimeout(r, 200));
        later = (await hover())?.contents.value ?? '';
      }
      assert.match(later, /The resolution for Python 3\.\d+ · \S+ \S+ picks \*\*numpy 1\.26\.4\*\*/);
      assert.match(later, /Newest for Python 3\.\d+ · \S+ \S+: \*\*2\.0\.0\*\* \(`<2` excludes it\)/);
    } finally {
      await client.shutdown();
      await index.close();
    }
  });
});
