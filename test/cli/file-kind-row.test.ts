// The CLI with a throwaway file kind added as one row (test/helpers/throwaway-kind.ts): it checks, lists and names the
// kind's files. Run with SD_PINS_CLI=1, this file is that CLI: the row registered, then the CLI's own entry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerFileKind } from '../../server/src/workspace/file-kinds';
import { isolatedPipEnv } from '../helpers/package-index';
import { PINS_ROW } from '../helpers/throwaway-kind';

if (process.env.SD_PINS_CLI === '1') {
  registerFileKind(PINS_ROW);
  // cli.ts runs main(process.argv.slice(2)) as the entry module.
  void import('../../server/src/cli');
} else {
  const cli = (args: string[], cwd: string) =>
    spawnSync(process.execPath, [__filename, ...args], {
      cwd,
      env: { ...isolatedPipEnv(), SD_PINS_CLI: '1' },
      encoding: 'utf8',
    });

  describe('CLI: a file kind added as one row', () => {
    it('checks its files, lists them and names them in its usage', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-kind-'));
      try {
        fs.writeFileSync(path.join(dir, 'deps.pins'), '# pinned\nnumpy==1.26.4\nscipy>=1.11\nnumpy==2.0.0\n');
        const profile = path.resolve('test/fixtures/profiles/minimal.json');
        const check = cli(
          ['check', '--offline', '--profile', profile, '--cache-dir', path.join(dir, 'c'), 'deps.pins'],
          dir,
        );
        assert.equal(check.status, 1, check.stdout + check.stderr);
        assert.match(check.stdout, /deps\.pins:2:\d+: error .*numpy.*\(line 4\)/i);
        // A folder is searched for them too.
        const folder = cli(['check', '--offline', '--profile', profile, '--cache-dir', path.join(dir, 'c'), '.'], dir);
        assert.equal(folder.status, 1, folder.stdout + folder.stderr);
        assert.match(folder.stdout, /deps\.pins:2:\d+: error .*\(line 4\)/);
        const list = cli(['list', '--format', 'json', 'deps.pins'], dir);
        assert.equal(list.status, 0, list.stderr);
        assert.deepEqual([...new Set(list.stdout.match(/"name": "[a-z]+"/g))].sort(), [
          '"name": "numpy"',
          '"name": "scipy"',
        ]);
        const help = cli(['--help'], dir);
        assert.match(help.stdout, /Files: .*\*\.pins/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
