// Locked conda records (pixi.lock, conda-lock.yml) judged against the machine, on the lock entry's line: a record that
// depends on __cuda where there is no driver (cuda-unavailable), a cuda-version or __cuda need the driver does not
// meet (cuda-driver), an __glibc need newer than the target's glibc (system-library); the target's platform only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../server/src/checks/registry';
import type { CheckContext } from '../../server/src/checks/types';
import type { Finding, ParsedFile } from '../../server/src/model/types';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parseCondaLock } from '../../server/src/parsers/conda-lock';
import { parsePixiLock } from '../../server/src/parsers/pixi-lock';
import type { MachineProfile } from '../../server/src/system/profile';
import { byCode, profile } from '../helpers/check-kit';
import { condaLockYml, pixiLock } from '../helpers/conda-locks';
import { setOf } from '../helpers/sets';
import { slice } from '../helpers/spans';

const ctxOf = (over: Partial<MachineProfile>): CheckContext => {
  const p = profile(over);
  return {
    profile: p,
    markerEnvironment: defaultEnvironment({
      pythonVersion: '3.12.7',
      platform: p.os === 'darwin' ? 'darwin' : 'linux',
      machine: p.arch,
    }),
  };
};
const NO_GPU: Partial<MachineProfile> = { nvidia: null };
const driver = (version: string, cuda: string): Partial<MachineProfile> => ({
  nvidia: { driver: version, cuda, gpus: [{ name: 'NVIDIA A10', computeCapability: '8.6' }] },
});

const judge = (file: ParsedFile, over: Partial<MachineProfile>, code: string): Finding[] =>
  byCode(runChecks([setOf(file)], ctxOf(over)), code);

/** What a finding covers and the line it is on. */
const placed = (file: ParsedFile, f: Finding): [string, string] => {
  const lineStart = file.text.lastIndexOf('\n', f.span.start - 1) + 1;
  const lineEnd = file.text.indexOf('\n', f.span.start);
  return [slice(file.text, f.span), file.text.slice(lineStart, lineEnd)];
};

describe('locked conda records against the machine', () => {
  it('cuda-unavailable: a pixi.lock pytorch that depends on __cuda, on a target without a driver, on its record', () => {
    const lock = parsePixiLock('/w/pixi.lock', pixiLock(6));
    const found = judge(lock, NO_GPU, 'cuda-unavailable');
    assert.equal(found.length, 1);
    const [covered, line] = placed(lock, found[0]!);
    assert.equal(covered, 'pytorch-2.5.1');
    // The record in `packages:`, not the environment's list naming it.
    assert.equal(
      line,
      '- conda: https://conda.anaconda.org/conda-forge/linux-64/pytorch-2.5.1-cuda126_py312h1763f6d_303.conda',
    );
    assert.match(
      found[0]!.message,
      /^pytorch 2\.5\.1 cuda126_py312h1763f6d_303 is locked as a CUDA build .*no NVIDIA GPU driver/,
    );
    assert.equal(found[0]!.severity, 'warning');
  });

  it("judges only the target's platform, and says nothing where the driver is unknown", () => {
    const lock = parsePixiLock('/w/pixi.lock', pixiLock(7));
    assert.deepEqual(judge(lock, { os: 'darwin', arch: 'arm64', nvidia: null }, 'cuda-unavailable'), []);
    assert.deepEqual(judge(lock, {}, 'cuda-unavailable'), []);
    assert.deepEqual(judge(lock, {}, 'cuda-driver'), []);
  });

  it('cuda-driver: the locked cuda-version needs a newer driver (minor-version compatibility allowed)', () => {
    const lock = parsePixiLock('/w/pixi.lock', pixiLock(6));
    const found = judge(lock, driver('470.182.03', '11.4'), 'cuda-driver');
    assert.equal(found.length, 1);
    assert.equal(placed(lock, found[0]!)[0], 'cuda-version-12.6');
    assert.match(
      found[0]!.message,
      /built for CUDA 12\.6 .*need an NVIDIA driver >= 525\.60\.13, but the target's driver is 470\.182\.03/,
    );
    // A 12.4 driver runs CUDA 12.6 builds through minor-version compatibility; pytorch's bare __cuda is met.
    assert.deepEqual(judge(lock, driver('550.54.15', '12.4'), 'cuda-driver'), []);
    assert.deepEqual(judge(lock, driver('550.54.15', '12.4'), 'cuda-unavailable'), []);
  });

  it("cuda-driver: a record's __cuda dependency the driver's CUDA version does not meet", () => {
    const lock = parsePixiLock(
      '/w/pixi.lock',
      pixiLock(7, { pytorchDepends: ['__cuda >=12.8', 'cuda-version >=12.6,<13'] }),
    );
    const found = judge(lock, driver('550.54.15', '12.4'), 'cuda-driver');
    assert.equal(found.length, 1);
    assert.equal(placed(lock, found[0]!)[0], 'pytorch-2.5.1');
    assert.match(
      found[0]!.message,
      /needs __cuda >=12\.8, but the target's driver is 550\.54\.15 \(CUDA 12\.4 at most\)/,
    );
    assert.deepEqual(judge(lock, driver('570.86.10', '12.8'), 'cuda-driver'), []);
  });

  it('system-library: a record that needs a newer glibc than the target has', () => {
    const lock = parsePixiLock('/w/pixi.lock', pixiLock(6));
    const old = judge(lock, { libc: { kind: 'glibc', version: '2.17' } }, 'system-library');
    assert.deepEqual(
      old.map((f) => placed(lock, f)[0]),
      ['pytorch-2.5.1'],
    );
    assert.match(old[0]!.message, /needs glibc >=2\.28,<3\.0\.a0 \(__glibc\), but the target has glibc 2\.17/);
    assert.deepEqual(judge(lock, { libc: { kind: 'glibc', version: '2.31' } }, 'system-library'), []);
    assert.deepEqual(judge(lock, { libc: { kind: 'musl', version: '1.2.4' } }, 'system-library'), []);
  });

  it('conda-lock.yml: the same judges, on the entry of the target platform', () => {
    const lock = parseCondaLock('/w/conda-lock.yml', condaLockYml({ cudaTorch: true }));
    const found = judge(lock, NO_GPU, 'cuda-unavailable');
    assert.deepEqual(
      found.map((f) => placed(lock, f)),
      [['pytorch', '- name: pytorch']],
    );
  });
});
