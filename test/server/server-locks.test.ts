// The language server with a lock beside an open pyproject: the lock is read from disk and judged with it, drift on
// the pyproject's line; the quick fix runs the lock's own tool through the client; editing the pyproject so that the
// lock satisfies it again clears the drift.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { oneLine, pyprojectText, root, uvLockText } from '../helpers/lock-texts';
import { LspClient } from '../helpers/lsp-client';

const PYPROJECT = pyprojectText('demo', '0.1.0', { requiresPython: '>=3.10', dependencies: ['numpy>=2'] });
const UV_LOCK = uvLockText({
  packages: [
    root('demo', '0.1.0', 'editable', { dependencies: oneLine('numpy'), requiresDist: oneLine('numpy>=1.24') }),
    { name: 'numpy', version: '1.26.4' },
  ],
});

describe('language server: a lock beside an open pyproject', () => {
  let dir: string;
  let client: LspClient;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-locks-'));
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), PYPROJECT);
    fs.writeFileSync(path.join(dir, 'uv.lock'), UV_LOCK);
    client = new LspClient();
    await client.initialize(dir, { debounceMs: 0, offline: true });
  });
  after(async () => {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('judges the lock with the pyproject; the fix runs uv lock through the client; an edit clears the drift', async () => {
    const file = path.join(dir, 'pyproject.toml');
    const uri = pathToFileURL(file).toString();
    const got = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'lock-drift'));
    client.open(file, PYPROJECT, 'toml');
    const d = (await got).diagnostics.find((x) => x.code === 'lock-drift')!;
    assert.equal(d.range.start.line, 4);
    assert.match(d.message, /uv\.lock locks numpy 1\.26\.4, outside >=2/);
    const actions = await client.request<{ title: string; command?: { command: string; arguments: unknown[] } }[]>(
      'textDocument/codeAction',
      { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } },
    );
    const relock = actions.find((a) => a.command?.command === 'stackDoctor.updateLock');
    assert.ok(relock, JSON.stringify(actions));
    assert.deepEqual(relock.command!.arguments, [path.join(dir, 'uv.lock'), 'uv', ['lock']]);
    assert.equal(relock.title, 'Update uv.lock (uv lock)');
    const cleared = client.waitFor(uri, (p) => !p.diagnostics.some((x) => x.code === 'lock-drift'));
    client.change(uri, PYPROJECT.replace('numpy>=2', 'numpy>=1.24'));
    await cleared;
  });
});
