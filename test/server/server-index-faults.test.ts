// The built server's index stage with many projects and a faulty index: no MaxListenersExceededWarning in its log, no
// stack trace, the other findings published and the bad answer said once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

describe('language server: the index stage under many projects and bad answers', () => {
  const names = Array.from({ length: 30 }, (_, i) => `proj${i}`);
  let index: PackageIndex;
  let dir: string;
  let client: LspClient;
  const logs: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-faults-'));
    index = await startPackageIndex(
      names.map((name, i) => ({ name, version: '1.0', dependencies: i ? [`proj${i - 1}`] : [] })),
      {
        format: 'json',
        fault: (r) => (r.path === '/simple/proj7/' ? { kind: 'html-as-json' } : null),
      },
    );
    client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
    client.connection.onNotification(
      'window/logMessage',
      (m: { type: number; message: string }) => void logs.push(`${m.type} ${m.message}`),
    );
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

  it(
    '30 projects on one signal: no MaxListenersExceededWarning; ' +
      'a bad page is one information finding, the not-found stays',
    async () => {
      const file = path.join(dir, 'requirements.txt');
      const text = [...names, 'notthere'].join('\n') + '\n';
      fs.writeFileSync(file, text);
      const uri = pathToFileURL(file).toString();
      const waiting = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'not-found'), 30_000);
      client.open(file, text);
      const pub = await waiting;
      const info = pub.diagnostics.filter((d) => d.severity === 3);
      assert.equal(info.length, 1, JSON.stringify(pub.diagnostics));
      assert.match(info[0]!.message, /simple\/proj7\/, announced as JSON, is an HTML page/);
      assert.deepEqual(
        logs.filter((l) => /MaxListeners|index stage failed/.test(l)),
        [],
      );
    },
  );
});
