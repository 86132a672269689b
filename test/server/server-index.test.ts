// The built server with a real loopback index: index-backed findings arrive after the fast ones, and a verified quick
// fix clears them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyEdits, LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

describe('language server: the index stage', () => {
  let index: PackageIndex;
  let dir: string;
  let client: LspClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-index-'));
    index = await startPackageIndex([
      { name: 'numpy', version: '1.24.3' },
      { name: 'numpy', version: '1.26.4' },
      { name: 'scipy', version: '1.11.1', dependencies: ['numpy>=1.21.6,<1.25'] },
      { name: 'scipy', version: '1.13.1', dependencies: ['numpy>=1.22.4,<2.3'] },
    ]);
    client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
    await client.initialize(dir, {
      trusted: true,
      debounceMs: 0,
      indexDebounceMs: 0,
      indexUrl: index.url,
      cacheDir: path.join(dir, '.cache'),
    });
  });
  after(async () => {
    await client.shutdown();
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes conflict-transitive after the fast stage, and its quick fix clears it', async () => {
    const file = path.join(dir, 'requirements.txt');
    const text = 'scipy==1.11.1\nnumpy>=1.26\n';
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).toString();
    const waiting = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'conflict-transitive'), 20_000);
    client.open(file, text);
    const pub = await waiting;
    const scipy = pub.diagnostics.find((d) => d.code === 'conflict-transitive' && d.range.start.line === 0)!;
    assert.match(scipy.message, /scipy 1\.11\.1 needs numpy/);
    const actions = await client.request<{ title: string; edit: { changes: Record<string, never[]> } }[]>(
      'textDocument/codeAction',
      { textDocument: { uri }, range: scipy.range, context: { diagnostics: [scipy] } },
    );
    assert.ok(actions.length >= 1);
    const fixed = applyEdits(text, actions[0]!.edit.changes[uri]!);
    assert.equal(fixed, 'scipy==1.13.1\nnumpy>=1.26\n');
    // After the edit: the fast stage publishes (nothing), then the index stage publishes and finds nothing either.
    let publishes = 0;
    const cleared = client.waitFor(uri, (p) => ++publishes >= 2 && p.diagnostics.length === 0, 20_000);
    client.change(uri, fixed);
    await cleared;
    assert.equal(client.exited, false);
  });
});
