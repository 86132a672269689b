// system-library on locked versions: a locked package built from its sdist (the lock lists no wheel that fits) needs
// its build libraries; said on the lock entry, with the install command and no edit of the lock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { byCode } from '../../helpers/check-kit';
import { GLIBC, lockOf, manifest, on, places } from '../../helpers/lock-kit';
import { setOf } from '../../helpers/sets';

describe('system-library: locked versions', () => {
  it('says it on a locked psycopg2 built from its sdist, with the install command and no lock edit', () => {
    const lock = lockOf([{ name: 'psycopg2', version: '2.9.9', wheels: [], sdist: true }]);
    const debian = on({
      ...GLIBC,
      distro: { id: 'debian', version: '12', family: 'debian' },
      packageManager: 'apt',
      systemPackages: ['python3'],
      sharedLibraries: ['libc.so.6'],
      pkgConfig: [],
    });
    const m = manifest('"psycopg2"');
    const found = runChecks([setOf(m, lock)], debian);
    assert.deepEqual(places(found, 'system-library', [m, lock]), [['uv.lock', '2.9.9']]);
    const f = byCode(found, 'system-library')[0]!;
    assert.match(
      f.message,
      /^psycopg2 2\.9\.9 \(locked in uv\.lock\) needs .*\n.*has no wheel for the target machine, so pip builds it/,
    );
    assert.ok(f.fixes.every((x) => x.edits.length === 0));
    assert.ok(f.fixes.some((x) => x.run?.includes('libpq-dev')));
  });

  it('takes the lock at its word where it lists a wheel that fits (no build libraries needed)', () => {
    const lock = lockOf([
      { name: 'psycopg2', version: '2.9.9', wheels: ['psycopg2-2.9.9-cp311-cp311-manylinux_2_17_x86_64.whl'] },
    ]);
    const debian = on({
      ...GLIBC,
      distro: { id: 'debian', version: '12', family: 'debian' },
      systemPackages: ['libpq5'],
      sharedLibraries: ['libpq.so.5'],
      pkgConfig: [],
    });
    assert.deepEqual(byCode(runChecks([setOf(manifest('"psycopg2"'), lock)], debian), 'system-library'), []);
  });
});
