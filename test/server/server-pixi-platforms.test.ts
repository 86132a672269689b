// The built server on a pixi manifest whose only platform this machine does not run, over a loopback conda channel:
// the `stackDoctor.pixiPlatforms` setting has that platform solved (its findings published); without it the hover of
// a conda line says the platform was not solved and how to ask for it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv } from '../helpers/package-index';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';

describe('language server: pixi platforms this machine does not run', () => {
  let dir: string;
  let channel: CondaChannel;
  let profile: string;
  const clients: LspClient[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-pixi-platforms-'));
    channel = await startCondaChannel(
      [
        { name: 'python', version: '3.12.3', build: 'h0_0_cpython', depends: ['__osx >=11.0'] },
        { name: 'numpy', version: '2.0.0', build: 'py312h0_0', depends: ['python >=3.12,<3.13.0a0'] },
      ],
      { format: 'sharded', subdir: 'osx-arm64' },
    );
    profile = path.join(dir, 'profile.json');
    fs.writeFileSync(
      profile,
      JSON.stringify({ os: 'linux', arch: 'x86_64', libc: { kind: 'glibc', version: '2.35' }, nvidia: null }),
    );
  });
  after(async () => {
    for (const c of clients) await c.shutdown();
    await channel.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = async (name: string, settings: Record<string, unknown>) => {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder);
    const text =
      `[workspace]\nchannels = ["${channel.url}"]\nplatforms = ["osx-arm64"]\n\n` +
      '[dependencies]\npython = "3.12.*"\nnumpy = ">=3"\n';
    const file = path.join(folder, 'pixi.toml');
    fs.writeFileSync(file, text);
    const client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
    clients.push(client);
    await client.initialize(folder, {
      trusted: true,
      debounceMs: 0,
      indexDebounceMs: 0,
      offline: false,
      profile,
      cacheDir: path.join(folder, '.cache'),
      ...settings,
    });
    const uri = client.open(file, text, 'toml');
    return { client, uri };
  };

  it('solves the platform the setting asks for and publishes its findings', async () => {
    const { client, uri } = await open('asked', { pixiPlatforms: ['osx-arm64'] });
    const p = await client.waitFor(uri, (x) => x.diagnostics.some((d) => d.code === 'not-found'), 60_000);
    const found = p.diagnostics.find((d) => d.code === 'not-found')!;
    assert.match(found.message, /^In environment default \(osx-arm64\): No build of numpy/);
    assert.equal(found.range.start.line, 6);
  });

  it('without the setting, the hover says the platform was not solved and how to ask for it', async () => {
    const { client, uri } = await open('plain', {});
    let value = '';
    // The hover speaks once the stages have run.
    for (let i = 0; i < 100 && !/Not solved/.test(value); i++) {
      const h = await client.request<{ contents: { value: string } } | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line: 6, character: 1 },
      });
      value = h?.contents.value ?? '';
      if (!/Not solved/.test(value)) await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(value, /Not solved for osx-arm64: this machine does not run it/);
    assert.match(value, /`stackDoctor\.pixiPlatforms`/);
  });
});
