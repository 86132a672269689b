// cuda-unavailable on locked versions: a lock's CUDA build (a `+cu121` version, CUDA wheel file names, nvidia-*-cu12
// libraries) on a target without an NVIDIA driver is said on the lock entry; the manifest line for it does not repeat
// it, and what the target does not install (another platform's fork, a Linux-only dependency) is not judged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { byCode } from '../../helpers/check-kit';
import { LOCK, MAC, NO_GPU, lockOf, manifest, places } from '../../helpers/lock-kit';
import { setOf } from '../../helpers/sets';

const torchCu121 = {
  name: 'torch',
  version: '2.1.2+cu121',
  wheels: ['torch-2.1.2+cu121-cp311-cp311-linux_x86_64.whl'],
};

describe('cuda-unavailable: locked versions', () => {
  it('says it on the lock entry, and not again on the manifest line that asks for it', () => {
    const m = manifest('"torch==2.1.2+cu121"');
    const lock = lockOf([torchCu121]);
    const found = runChecks([setOf(m, lock)], NO_GPU);
    assert.deepEqual(places(found, 'cuda-unavailable', [m, lock]), [['uv.lock', '2.1.2+cu121']]);
    const f = byCode(found, 'cuda-unavailable')[0]!;
    assert.match(
      f.message,
      /^A CUDA 12\.1 build on the target machine \(no NVIDIA driver\).*\ntorch 2\.1\.2\+cu121 \(locked in uv\.lock\) is a CUDA 12\.1 build/,
    );
    // No fix edits the lock.
    assert.ok(f.fixes.every((x) => x.edits.every((e) => e.file !== LOCK)));
  });

  it('reads CUDA from the wheel file names where the locked version carries no label', () => {
    const lock = lockOf([
      {
        name: 'torch',
        version: '2.1.2',
        wheels: ['https://download.pytorch.org/whl/cu118/torch-2.1.2%2Bcu118-cp311-cp311-linux_x86_64.whl'],
      },
    ]);
    const found = runChecks([setOf(manifest('"torch"'), lock)], NO_GPU);
    assert.deepEqual(places(found, 'cuda-unavailable', [lock]), [['uv.lock', '2.1.2']]);
    assert.match(byCode(found, 'cuda-unavailable')[0]!.message, /CUDA 11\.8 build/);
  });

  it('judges the entry of a fork whose marker holds, and what the target installs through markers', () => {
    // uv locks torch twice (a CUDA build for Linux, a plain one for macOS); the CUDA libraries come in only through
    // torch's Linux-only dependency.
    const lock = lockOf([
      { name: 'app', version: '1', source: { kind: 'path', path: '.', editable: true }, dependencies: ['torch'] },
      {
        ...torchCu121,
        marker: "sys_platform == 'linux'",
        dependencies: ["nvidia-cublas-cu12; platform_system == 'Linux'"],
      },
      {
        name: 'torch',
        version: '2.1.2',
        marker: "sys_platform == 'darwin'",
        wheels: ['torch-2.1.2-cp311-none-macosx_11_0_arm64.whl'],
      },
      { name: 'nvidia-cublas-cu12', version: '12.1.3.1' },
    ]);
    const m = manifest('"torch"');
    assert.deepEqual(places(runChecks([setOf(m, lock)], MAC), 'cuda-unavailable', [lock]), []);
    assert.deepEqual(places(runChecks([setOf(m, lock)], NO_GPU), 'cuda-unavailable', [lock]), [
      ['uv.lock', '2.1.2+cu121'],
      ['uv.lock', '12.1.3.1'],
    ]);
  });
});
