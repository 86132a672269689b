// The built server, offline, on a uv project: hover on a pyproject requirement shows what uv.lock locks (per platform
// where the lock forks, the target's one marked), and the inlay hint after it says `locked X`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PYPI, artifact, forked, hosted, lines, pyprojectText, pytorch, root, uvLockText } from '../helpers/lock-texts';
import { LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv } from '../helpers/package-index';

const PYPROJECT = pyprojectText('demo', '0.1.0', {
  requiresPython: '>=3.10',
  dependencies: lines('torch>=2.1', 'numpy'),
});

// uv forks torch per platform: a CUDA build on Linux, PyPI's on macOS.
const UV_LOCK = uvLockText({
  resolutionMarkers: ["sys_platform == 'linux'", "sys_platform != 'linux'"],
  packages: [
    root('demo', '0.1.0', 'virtual', {
      dependencies: [
        'numpy',
        forked('torch', '2.1.2', PYPI, "sys_platform != 'linux'"),
        forked('torch', '2.1.2+cu121', pytorch('cu121'), "sys_platform == 'linux'"),
      ],
      requiresDist: ['numpy', 'torch>=2.1'],
    }),
    {
      name: 'numpy',
      version: '2.1.0',
      wheels: [hosted('numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.whl', 'sha256:01', 1)],
    },
    {
      name: 'torch',
      version: '2.1.2',
      resolutionMarkers: ["sys_platform != 'linux'"],
      wheels: [hosted('torch-2.1.2-cp311-none-macosx_11_0_arm64.whl', 'sha256:02', 1)],
    },
    {
      name: 'torch',
      version: '2.1.2+cu121',
      source: pytorch('cu121'),
      resolutionMarkers: ["sys_platform == 'linux'"],
      wheels: [artifact(`${pytorch('cu121')}/torch-2.1.2%2Bcu121-cp311-cp311-linux_x86_64.whl`, 'sha256:03', 1)],
    },
  ],
});

interface Hint {
  position: { line: number; character: number };
  label: string;
}

describe('language server: what a lock records, in hover and inlay hints', () => {
  let dir: string;
  let client: LspClient;
  let uri: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-lock-hover-'));
    fs.writeFileSync(path.join(dir, 'uv.lock'), UV_LOCK);
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), PYPROJECT);
    const profile = path.join(dir, 'profile.json');
    fs.writeFileSync(
      profile,
      JSON.stringify({ os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } }),
    );
    client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
    await client.initialize(dir, { trusted: true, debounceMs: 0, offline: true, profile });
    uri = client.open(path.join(dir, 'pyproject.toml'), PYPROJECT, 'toml');
  });
  after(async () => {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const hover = async (line: number, character: number): Promise<string> => {
    const h = await client.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character },
    });
    return h?.contents.value ?? '';
  };

  it('shows the locked versions per platform where the lock forks, the target one marked', async () => {
    const value = await hover(5, 7);
    assert.match(value, /Locked in `uv\.lock`, per platform:/);
    assert.match(value, /- \*\*2\.1\.2\*\* where `sys_platform != 'linux'`\n/);
    assert.match(value, /- \*\*2\.1\.2\+cu121\*\* where `sys_platform == 'linux'` \(the target installs this one\)/);
  });

  it('shows the one locked version where the lock does not fork', async () => {
    assert.match(await hover(6, 6), /Locked in `uv\.lock`: \*\*2\.1\.0\*\*\./);
  });

  it("says 'locked X' after each requirement, the version the target installs", async () => {
    const hints = await client.request<Hint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } },
    });
    assert.deepEqual(
      hints.filter((h) => h.label.startsWith('locked')).map((h) => [h.position.line, h.label]),
      [
        [5, 'locked 2.1.2+cu121'],
        [6, 'locked 2.1.0'],
      ],
    );
  });
});
