// The built language server in a hostile repository: started with the repository as its working folder it imports
// nothing of it; untrusted, it follows no include out of the workspace folders (nor an expanded or network path), and
// the lines of files outside never reach the index; hover Markdown from package metadata renders as text.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

function plantShadowModules(dir: string, names: readonly string[]): void {
  for (const n of names)
    fs.writeFileSync(
      path.join(dir, `${n}.py`),
      `open(${JSON.stringify(path.join(dir, `MARKER-${n}`))}, 'w').close()\nraise SystemExit(0)\n`,
    );
}

const markers = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith('MARKER-'));

describe('language server: a hostile workspace (local rules)', () => {
  let base: string;
  let index: PackageIndex;

  /** The built server over the loopback index, initialized for `ws` (trusted or not), with its own cache folder. */
  const serverOver = async (
    ws: string,
    cache: string,
    trusted: boolean,
    env = isolatedPipEnv(),
  ): Promise<LspClient> => {
    const client = new LspClient(path.resolve('dist/server.js'), env, os.tmpdir());
    try {
      await client.initialize(ws, {
        debounceMs: 0,
        indexDebounceMs: 0,
        indexUrl: index.url,
        cacheDir: path.join(base, cache),
        trusted,
      });
    } catch (e) {
      await client.shutdown();
      throw e;
    }
    return client;
  };

  before(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-trust-local-'));
    index = await startPackageIndex([
      { name: 'insidepkg', version: '1.0' },
      {
        name: 'evilmeta',
        version: '1.0',
        summary: 'Click [here](command:workbench.action.terminal.new) <img src=x onerror=alert(1)>',
        license: '<script>alert(1)</script> **MIT**',
        homePage: 'command:workbench.action.openSettings',
        projectUrls: [
          ['Docs](command:evil) [x', 'javascript:alert(1)'],
          ['Source', 'https://example.invalid/a)(command:evil)'],
        ],
      },
    ]);
  });
  after(async () => {
    await index.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  for (const trusted of [false, true]) {
    it(`started in the repository (${trusted ? 'trusted' : 'untrusted'}), the machine probe imports none of it`, async () => {
      const ws = fs.mkdtempSync(path.join(base, 'probe-'));
      plantShadowModules(ws, ['platform', 'json', 'site']);
      const client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv(), ws);
      try {
        await client.initialize(ws, { debounceMs: 0, indexDebounceMs: 0, offline: true, trusted });
        const file = path.join(ws, 'requirements.txt');
        fs.writeFileSync(file, 'numpy>=2\nnumpy<1\n');
        const uri = pathToFileURL(file).toString();
        const published = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'conflict'), 20_000);
        client.open(file, 'numpy>=2\nnumpy<1\n');
        await published;
        // The open's first publish may come before the target is loaded: choosing an interpreter probes it again, and
        // the server publishes once that probe is done.
        const again = client.waitFor(uri, () => true, 30_000);
        await client.connection.sendNotification('stackDoctor/activeEnvironment', { python: 'python3' });
        await again;
        assert.deepEqual(markers(ws), []);
      } finally {
        await client.shutdown();
      }
    });
  }

  it('untrusted: includes outside the workspace folders are not followed, and none of their lines reach the index', async () => {
    const home = fs.mkdtempSync(path.join(base, 'home-'));
    const ws = fs.mkdtempSync(path.join(base, 'ws-'));
    const outside = fs.mkdtempSync(path.join(base, 'outside-'));
    fs.writeFileSync(path.join(home, 'secret.txt'), 'leakhome\n');
    fs.writeFileSync(path.join(outside, 'abs.txt'), 'leakabsolute\n');
    fs.writeFileSync(path.join(outside, 'linked.txt'), 'leaklinked\n');
    fs.writeFileSync(path.join(base, 'parent.txt'), 'leakparent\n');
    fs.writeFileSync(path.join(ws, 'inside.txt'), 'insidepkg==1.0\n');
    fs.symlinkSync(path.join(outside, 'linked.txt'), path.join(ws, 'link.txt'));
    const lines = [
      '-r ../parent.txt',
      `-r ${path.join(outside, 'abs.txt')}`,
      '-r ${HOME}/secret.txt',
      '-r link.txt',
      '-r \\\\host\\share\\x.txt',
      '-c //host/share/y.txt',
      '-r inside.txt',
      'missingpkg==1.0',
    ];
    const text = lines.join('\n') + '\n';
    const file = path.join(ws, 'requirements.txt');
    fs.writeFileSync(file, text);
    const client = await serverOver(ws, `cache-${path.basename(ws)}`, false, { ...isolatedPipEnv(), HOME: home });
    try {
      const uri = pathToFileURL(file).toString();
      const done = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'not-found'), 30_000);
      client.open(file, text);
      const pub = await done;
      for (let line = 0; line <= 5; line++) {
        const d = pub.diagnostics.find((x) => x.range.start.line === line && /did not follow/.test(x.message));
        assert.ok(d, `line ${line + 1} (${lines[line]}) says it was not followed: ${JSON.stringify(pub.diagnostics)}`);
        assert.equal(d.severity, 3, 'an information finding');
        assert.ok(!/Could not open/.test(pub.diagnostics.find((x) => x.range.start.line === line)!.message));
      }
      assert.match(pub.diagnostics.find((x) => x.range.start.line === 2)!.message, /environment variable/);
      assert.match(pub.diagnostics.find((x) => x.range.start.line === 4)!.message, /network path/);
      assert.match(pub.diagnostics.find((x) => x.range.start.line === 0)!.message, /outside the workspace folders/);
      assert.ok(!pub.diagnostics.some((x) => x.range.start.line === 6), 'the include inside is followed silently');
      // The include inside was read and asked about; nothing of the files outside was.
      assert.ok(
        index.requests.some((r) => r.path.includes('insidepkg')),
        JSON.stringify(index.requests),
      );
      const leaked = index.requests.filter((r) => /leak/.test(r.path));
      assert.deepEqual(leaked, []);
    } finally {
      await client.shutdown();
    }
  });

  it('trusted: the same includes are followed as pip follows them', async () => {
    const ws = fs.mkdtempSync(path.join(base, 'trusted-'));
    fs.writeFileSync(path.join(base, 'parent-trusted.txt'), 'leaktrusted\n');
    const text = '-r ../parent-trusted.txt\n';
    const file = path.join(ws, 'requirements.txt');
    fs.writeFileSync(file, text);
    const client = await serverOver(ws, 'cache-trusted', true);
    try {
      const uri = pathToFileURL(path.join(base, 'parent-trusted.txt')).toString();
      const done = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'not-found'), 30_000);
      client.open(file, text);
      await done;
    } finally {
      await client.shutdown();
    }
  });

  it('hover Markdown from package metadata renders as text: no link, command URI or HTML', async () => {
    const ws = fs.mkdtempSync(path.join(base, 'hover-'));
    const text = 'evilmeta==1.0\n';
    const file = path.join(ws, 'requirements.txt');
    fs.writeFileSync(file, text);
    const client = await serverOver(ws, 'cache-hover', true);
    try {
      const uri = client.open(file, text);
      let value = '';
      for (let i = 0; i < 100 && !value.includes('Licence'); i++) {
        const h = await client.request<{ contents: { value: string } } | null>('textDocument/hover', {
          textDocument: { uri },
          position: { line: 0, character: 2 },
        });
        value = h?.contents.value ?? '';
        if (!value.includes('Licence')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(value, /Licence/);
      assert.match(value, /Click \\\[here\\\]\\\(command/, 'the summary is there, escaped');
      assert.doesNotMatch(value, /\]\(command:/);
      assert.doesNotMatch(value, /\]\(javascript:/);
      assert.doesNotMatch(value, /<img|<script/);
      assert.doesNotMatch(value, /\*\*MIT\*\*/);
      // The one http(s) project URL is a link whose parentheses cannot end it early.
      assert.match(value, /\[Source\]\(https:\/\/example\.invalid\/a%29%28command:evil%29\)/);
    } finally {
      await client.shutdown();
    }
  });
});
