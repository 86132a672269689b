// Conda locks on the command line: a conda-lock.yml that no longer satisfies its environment.yml is lock-drift on the
// environment's line; a pixi.lock whose CUDA pytorch depends on __cuda is cuda-unavailable on a machine profile
// without a driver, on the lock entry's line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson } from '../helpers/cli';
import { condaLockYml, ENVIRONMENT_YML, pixiLock } from '../helpers/conda-locks';

const NO_GPU = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.35' },
  python: { version: '3.12.7', implementation: 'cpython' },
  nvidia: null,
};

describe('conda locks from the command line', () => {
  let dir: string;
  let profile: string;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  const check = (folder: string) =>
    checkJson(
      [path.join(dir, folder), '--offline', '--profile', profile, '--cache-dir', path.join(dir, '.cache')],
      dir,
    );

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-conda-locks-'));
    profile = path.join(dir, 'profile.json');
    fs.writeFileSync(profile, JSON.stringify(NO_GPU));
    write('env/environment.yml', ENVIRONMENT_YML.replace('numpy>=2', 'numpy>=2.2'));
    write('env/conda-lock.yml', condaLockYml());
    write('fresh/environment.yml', ENVIRONMENT_YML);
    write('fresh/conda-lock.yml', condaLockYml());
    write('pixi/pixi.lock', pixiLock(6));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('conda-lock.yml: a spec the lock no longer satisfies is lock-drift on the environment.yml line', async () => {
    const r = await check('env');
    const drift = r.diagnostics.filter((d) => d.code === 'lock-drift');
    assert.equal(drift.length, 1, JSON.stringify(r.diagnostics));
    const [d] = drift;
    assert.equal(path.basename(d!.file), 'environment.yml');
    assert.equal(d!.severity, 'error');
    // `  - numpy>=2.2` is the sixth line; the finding covers `>=2.2`.
    assert.deepEqual(d!.range, { start: { line: 5, character: 9 }, end: { line: 5, character: 14 } });
    assert.match(d!.message, /^conda-lock\.yml locks numpy 2\.1\.3 .* outside numpy>=2\.2: the lock is out of date/);
    assert.deepEqual(
      d!.related.map((x) => path.basename(x.file)),
      ['conda-lock.yml', 'conda-lock.yml'],
    );
    assert.equal(d!.fixes[0]!.title, 'Update conda-lock.yml (conda-lock lock)');
    assert.equal(r.status, 1);
    // The same lock beside an environment it satisfies: no drift.
    const fresh = await check('fresh');
    assert.deepEqual(
      fresh.diagnostics.filter((x) => x.code === 'lock-drift'),
      [],
    );
  });

  it('pixi.lock: a pytorch record that depends on __cuda is cuda-unavailable on a profile without a driver', async () => {
    const r = await check('pixi');
    const found = r.diagnostics.filter((d) => d.code === 'cuda-unavailable');
    assert.equal(found.length, 1, JSON.stringify(r.diagnostics));
    const [d] = found;
    assert.equal(path.basename(d!.file), 'pixi.lock');
    const lines = pixiLock(6).split('\n');
    const line = lines.findIndex((l) => l.startsWith('- conda: ') && l.includes('/pytorch-2.5.1-'));
    assert.equal(d!.range.start.line, line);
    assert.equal(lines[line]!.slice(d!.range.start.character, d!.range.end.character), 'pytorch-2.5.1');
    assert.match(d!.message, /depends on __cuda.*no NVIDIA GPU driver/);
    assert.equal(r.diagnostics.filter((x) => x.severity === 'error').length, 0, JSON.stringify(r.diagnostics));
  });
});
