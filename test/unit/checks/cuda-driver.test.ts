// cuda-driver on locked versions: a locked CUDA build the target's driver cannot run is said on the lock entry, with no
// edit of the lock (its tool writes it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { byCode } from '../../helpers/check-kit';
import { OLD_DRIVER, lockOf, manifest, places } from '../../helpers/lock-kit';
import { setOf } from '../../helpers/sets';

describe('cuda-driver: locked versions', () => {
  it('says it on each locked CUDA build the driver cannot run, with no fix that edits the lock', () => {
    const lock = lockOf([
      { name: 'torch', version: '2.1.2+cu121', wheels: ['torch-2.1.2+cu121-cp311-cp311-linux_x86_64.whl'] },
      { name: 'nvidia-cublas-cu12', version: '12.1.3.1' },
    ]);
    const found = runChecks([setOf(manifest('"torch"'), lock)], OLD_DRIVER);
    assert.deepEqual(places(found, 'cuda-driver', [lock]), [
      ['uv.lock', '2.1.2+cu121'],
      ['uv.lock', '12.1.3.1'],
    ]);
    for (const f of byCode(found, 'cuda-driver')) {
      assert.deepEqual(f.fixes, []);
      assert.match(f.message, /lock again/);
    }
  });
});
