// cuda-mix on locked versions: locked builds for different CUDA versions are said on the lock entries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { GLIBC, lockOf, manifest, on, places } from '../../helpers/lock-kit';
import { setOf } from '../../helpers/sets';

describe('cuda-mix: locked versions', () => {
  it('says it between locked builds of different CUDA majors', () => {
    const lock = lockOf([
      { name: 'torch', version: '2.1.2+cu118', wheels: ['torch-2.1.2+cu118-cp311-cp311-linux_x86_64.whl'] },
      { name: 'nvidia-cudnn-cu12', version: '8.9.2.26' },
    ]);
    const gpu = on({ ...GLIBC, nvidia: { driver: '550.54.15', cuda: '12.4', gpus: [] } });
    const found = runChecks([setOf(manifest('"torch", "nvidia-cudnn-cu12"'), lock)], gpu);
    assert.deepEqual(places(found, 'cuda-mix', [lock]), [
      ['uv.lock', '2.1.2+cu118'],
      ['uv.lock', '8.9.2.26'],
    ]);
  });
});
