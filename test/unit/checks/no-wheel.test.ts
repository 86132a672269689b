// no-wheel on locked versions: judged by the files the lock lists (wheel tags against the target's Python and
// platform), on the lock entry; the index's answer for the manifest line is not repeated.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { byCode, contextFor, indexReport } from '../../helpers/check-kit';
import { GLIBC, lockOf, manifest, on, places } from '../../helpers/lock-kit';
import { setOf } from '../../helpers/sets';

describe('no-wheel: locked versions', () => {
  it('says it on a locked version whose only fitting file is its sdist, not on the manifest line', () => {
    const m = manifest('"numpy"');
    const lock = lockOf([
      { name: 'numpy', version: '2.1.0', wheels: ['numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.whl'], sdist: true },
    ]);
    const s = setOf(m, lock);
    // The index stage found the same fact for the manifest's line: the lock entry says it alone.
    const index = indexReport({ sdistOnly: [{ dep: m.dependencies[0]!, version: '2.1.0', target: 'CPython 3.11' }] });
    const found = runChecks([s], contextFor(s, { index, context: on(GLIBC) }));
    assert.deepEqual(places(found, 'no-wheel', [m, lock]), [['uv.lock', '2.1.0']]);
    assert.match(
      byCode(found, 'no-wheel')[0]!.message,
      /^No wheel of numpy 2\.1\.0 in uv\.lock for CPython 3\.11 on linux x86_64: installing the lock builds it\nuv\.lock lists only its sdist/,
    );
  });
});
