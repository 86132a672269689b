// The built server over stdio: how soon it answers. An edit after a pause is analysed at once (the debounce only
// gathers a burst), and requests answer from what is known while the index is slow.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from '../helpers/lsp-client';

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
});
