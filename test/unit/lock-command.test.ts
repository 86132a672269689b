// The lock fix's command line (client/src/environments/lock-command.ts): what the editor types into a terminal in the
// lock's folder, checked argument by argument, and pip's `lock` command told from `pip --version` (pip >= 25.1; pip's
// changelog, 25.1: "Add an experimental `pip lock` command"). A fake pip on disk answers `--version` as pip does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lockCommand, pipHasLock, pipLockSupport } from '../../client/src/environments/lock-command';

describe('lockCommand', () => {
  it("builds pip's lock command for a pylock.toml, run in the lock's folder", () => {
    const lock = path.resolve('/w/project/pylock.toml');
    assert.deepEqual(lockCommand(lock, 'pip', ['lock', '-r', 'env/requirements.txt', '-o', 'pylock.toml']), {
      tool: 'pip',
      args: ['lock', '-r', 'env/requirements.txt', '-o', 'pylock.toml'],
      line: 'pip lock -r env/requirements.txt -o pylock.toml',
      cwd: path.dirname(lock),
    });
    assert.equal(lockCommand(lock, 'pip', ['lock', '.', '-o', 'pylock.toml'])!.line, 'pip lock . -o pylock.toml');
    assert.equal(lockCommand(path.resolve('/w/uv.lock'), 'uv', ['lock'])!.line, 'uv lock');
  });

  it('refuses anything a terminal would read as more than words: spaces, shell characters, unknown tools', () => {
    const lock = path.resolve('/w/pylock.toml');
    for (const args of [['lock', '-r', 'a b.txt'], ['lock', ';', 'rm'], ['lock', '$(id)'], ['lock', '`id`'], 'lock'])
      assert.equal(lockCommand(lock, 'pip', args), null, JSON.stringify(args));
    assert.equal(lockCommand(lock, 'bash', ['-c']), null);
    assert.equal(lockCommand('pylock.toml', 'pip', ['lock']), null);
  });
});

describe('pip lock support', () => {
  it('pip 25.1 and later have it; earlier pips do not', () => {
    assert.equal(pipHasLock('pip 25.1 from /usr/lib/python3/dist-packages/pip (python 3.13)\n'), true);
    assert.equal(pipHasLock('pip 26.0.1 from /x (python 3.12)'), true);
    assert.equal(pipHasLock('pip 25.0.1 from /x (python 3.12)'), false);
    assert.equal(pipHasLock('pip 24.3 from /x (python 3.12)'), false);
    assert.equal(pipHasLock('not pip'), null);
  });

  it(
    'asks the pip found on PATH (`pip --version`), and a pip that fails to run has none',
    { skip: process.platform === 'win32' },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-pip-'));
      try {
        const fake = (name: string, version: string, code = 0) => {
          const file = path.join(dir, name);
          fs.writeFileSync(file, `#!/bin/sh\necho "pip ${version} from /fake/pip (python 3.12)"\nexit ${code}\n`, {
            mode: 0o755,
          });
          return file;
        };
        assert.deepEqual(await pipLockSupport(fake('pip-new', '25.2')), { version: '25.2', ok: true });
        assert.deepEqual(await pipLockSupport(fake('pip-old', '24.0')), { version: '24.0', ok: false });
        assert.equal((await pipLockSupport(fake('pip-broken', '25.2', 1))).ok, false);
        assert.equal((await pipLockSupport(path.join(dir, 'missing'))).ok, false);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
