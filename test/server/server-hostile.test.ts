// The built language server on hostile input over stdio: thousands of duplicate lines, a long include chain, a skipped
// file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../helpers/lsp-client';

describe('language server on hostile input', () => {
  let dir: string;
  let client: LspClient;
  const write = (name: string, text: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const uri = (name: string) => pathToFileURL(path.join(dir, name)).toString();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-hostile-'));
    client = new LspClient();
    await client.initialize(dir, { debounceMs: 0, offline: true });
  });
  after(async () => {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('2,000 identical lines: the server stays alive, publishes one small diagnostic for them, and answers', async () => {
    const text = 'numpy==1.26.4\n'.repeat(2000);
    const f = write('dup/requirements.txt', text);
    const published = client.waitFor(uri('dup/requirements.txt'), (p) => p.diagnostics.length > 0, 30_000);
    client.open(f, text);
    const p = await published;
    assert.equal(p.diagnostics.length, 1);
    assert.equal(p.diagnostics[0]!.range.start.line, 1);
    assert.ok((p.diagnostics[0]!.relatedInformation ?? []).length <= 10);
    assert.ok(JSON.stringify(p).length < 50_000, `${JSON.stringify(p).length} bytes published`);
    assert.match(p.diagnostics[0]!.message, /declared 2000 times/);
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: uri('dup/requirements.txt') },
      position: { line: 1500, character: 2 },
    });
    assert.ok(hover, 'hover answers');
    assert.equal(client.exited, false, client.stderr);
    assert.doesNotMatch(client.stderr, /RangeError|Invalid string length/);
  });

  it('a chain of 1,000 requirements files: the first publish comes in seconds and covers the chain', async () => {
    const n = 1000;
    for (let i = 0; i < n; i++) {
      const own = i === 0 ? 'pkg-a==1\n' : i === n - 1 ? 'pkg-a==2\n' : `pkg${i}>=1\n`;
      write(
        `chain/requirements-${String(i).padStart(5, '0')}.txt`,
        own + (i + 1 < n ? `-r requirements-${String(i + 1).padStart(5, '0')}.txt\n` : ''),
      );
    }
    const first = 'chain/requirements-00000.txt';
    const last = uri(`chain/requirements-${String(n - 1).padStart(5, '0')}.txt`);
    // One conflict, one diagnostic: on the first file's pin, the last file's related (the walk reached the chain's end).
    const published = client.waitFor(
      uri(first),
      (p) =>
        p.diagnostics.some(
          (d) => d.code === 'conflict' && (d.relatedInformation ?? []).some((r) => r.location.uri === last),
        ),
      20_000,
    );
    const started = Date.now();
    client.open(path.join(dir, first), fs.readFileSync(path.join(dir, first), 'utf8'));
    await published;
    const ms = Date.now() - started;
    // Quadratic set building took 31 s here.
    assert.ok(ms < 10_000, `first publish after ${ms} ms`);
    console.log(`# server, chain of ${n} files: first publish after ${ms} ms`);
  });

  it('a 9 MB file beside an open one gets an information diagnostic saying it was skipped', async () => {
    write('big/requirements-huge.txt', Buffer.alloc(9 * 1024 * 1024, 'numpy==1.26.4\n'));
    const f = write('big/requirements.txt', 'numpy>=1\n');
    const skipped = client.waitFor(uri('big/requirements-huge.txt'), (p) => p.diagnostics.length > 0, 20_000);
    client.open(f, 'numpy>=1\n');
    const p = await skipped;
    assert.equal(p.diagnostics.length, 1);
    assert.equal(p.diagnostics[0]!.severity, 3);
    assert.match(p.diagnostics[0]!.message, /skipped this file: it is 9\.0 MB, over the 8 MB/);
  });
});
