// `check --python`: installed-mismatch against a real virtual environment whose site-packages holds a distribution.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve('dist/cli.js');

describe('stack-doctor check --python (installed-mismatch)', () => {
  let dir: string;
  let python: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-installed-'));
    execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(dir, 'venv')]);
    python = path.join(dir, 'venv', 'bin', 'python');
    const site = execFileSync(python, ['-c', 'import sysconfig;print(sysconfig.get_paths()["purelib"])'], {
      encoding: 'utf8',
    }).trim();
    // What an installer leaves behind: a dist-info folder with the core metadata.
    const distInfo = path.join(site, 'tiny_pkg-1.5.dist-info');
    fs.mkdirSync(distInfo, { recursive: true });
    fs.writeFileSync(path.join(distInfo, 'METADATA'), 'Metadata-Version: 2.1\nName: Tiny-Pkg\nVersion: 1.5\n');
    fs.writeFileSync(path.join(distInfo, 'INSTALLER'), 'pip\n');
    fs.mkdirSync(path.join(dir, 'proj'));
    fs.writeFileSync(
      path.join(dir, 'proj', 'requirements.txt'),
      'tiny-pkg>=2\nabsent-pkg\nother ; sys_platform == "win32"\n',
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(
    'warns about a version outside the specifier and a missing ' +
      'package, not about lines whose marker does not hold',
    () => {
      const r = spawnSync(
        process.execPath,
        [CLI, 'check', 'proj', '--offline', '--python', python, '--format', 'json'],
        {
          cwd: dir,
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const diags = (
        JSON.parse(r.stdout) as { diagnostics: { code: string; message: string; range: { start: { line: number } } }[] }
      ).diagnostics.filter((d) => d.code === 'installed-mismatch');
      assert.deepEqual(
        diags.map((d) => d.range.start.line),
        [0, 1],
      );
      assert.match(diags[0]!.message, /has tiny-pkg 1\.5, which '>=2' excludes/);
      assert.match(diags[1]!.message, /absent-pkg is not installed in venv/);
    },
  );

  it('fails clearly when the interpreter cannot be run', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'check', 'proj', '--offline', '--python', path.join(dir, 'nope', 'python')],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /could not run the interpreter/);
  });
});
