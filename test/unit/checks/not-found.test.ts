// not-found on locked versions: a lock that lists no file the target can install (no wheel that fits, no sdist) cannot
// be installed there; said on the lock entry. An unknown C library never yields it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import type { CheckContext } from '../../../server/src/checks/types';
import { byCode, defaultContext } from '../../helpers/check-kit';
import { GLIBC, MANYLINUX, lockOf, manifest, on, places } from '../../helpers/lock-kit';
import { setOf } from '../../helpers/sets';

const cp313 = 'numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.whl';

describe('not-found: locked versions', () => {
  it('says it on a locked version with neither a fitting wheel nor an sdist', () => {
    const lock = lockOf([{ name: 'numpy', version: '2.1.0', wheels: [cp313], sdist: false }]);
    const found = runChecks([setOf(manifest('"numpy"'), lock)], on(GLIBC));
    assert.deepEqual(places(found, 'not-found', [lock]), [['uv.lock', '2.1.0']]);
    const f = byCode(found, 'not-found')[0]!;
    assert.equal(f.severity, 'error');
    assert.match(f.message, /only numpy-2\.1\.0-cp313-cp313-manylinux_2_17_x86_64\.whl, and no sdist/);
  });

  it('says nothing where a wheel fits, or where the C library is unknown; says it where the glibc is too old', () => {
    const m = manifest('"numpy"');
    const fits = lockOf([
      { name: 'numpy', version: '2.1.0', wheels: [cp313, MANYLINUX('numpy', '2.1.0')], sdist: false },
    ]);
    const quiet = (ctx: CheckContext) =>
      runChecks([setOf(m, fits)], ctx).filter((f) => f.code === 'not-found' || f.code === 'no-wheel');
    assert.deepEqual(quiet(on(GLIBC)), []);
    const cp311 = lockOf([
      { name: 'numpy', version: '2.1.0', wheels: ['numpy-2.1.0-cp311-cp311-manylinux_2_28_x86_64.whl'], sdist: false },
    ]);
    // No C library in the profile: the manylinux wheel may fit.
    assert.deepEqual(byCode(runChecks([setOf(m, cp311)], defaultContext), 'not-found'), []);
    const old = on({ libc: { kind: 'glibc', version: '2.17' } });
    assert.deepEqual(places(runChecks([setOf(m, cp311)], old), 'not-found', [cp311]), [['uv.lock', '2.1.0']]);
  });

  it('says nothing of an entry that lists no file at all (an old Poetry lock without its file table)', () => {
    const bare = lockOf([{ name: 'numpy', version: '2.1.0', wheels: [], sdist: false }]);
    assert.deepEqual(byCode(runChecks([setOf(manifest('"numpy"'), bare)], on(GLIBC)), 'not-found'), []);
  });
});
