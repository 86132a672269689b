// lock-drift for conda-lock.yml against its environment.yml: each conda spec satisfied by a locked record on every
// platform of the lock, each channel one the lock was made from, the pip part against the pip entries (and the conda
// records that install a PyPI name).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectFindings } from '../helpers/check-kit';
import { condaLockYml, ENVIRONMENT_YML } from '../helpers/conda-locks';

const ENV = '/w/environment.yml';
const LOCK = '/w/conda-lock.yml';
const judge = (env: string, lock = condaLockYml()) =>
  expectFindings({ [ENV]: env, [LOCK]: lock }, { codes: ['lock-drift'] });

describe('lock-drift: conda-lock.yml', () => {
  it('says nothing when the lock satisfies every spec, channel and pip requirement', () => {
    judge(ENVIRONMENT_YML);
    judge(ENVIRONMENT_YML.replace('numpy>=2', 'conda-forge::numpy=2.1'));
  });

  it('flags a spec no locked record matches, on its version, naming the platforms, the records related', () => {
    const { findings } = judge(
      ENVIRONMENT_YML.replace(
        'numpy>=2',
        'numpy⟦>=2.2⟧⟨lock-drift: conda-lock.yml locks numpy 2.1.3 py312h58c1407_0, 2.1.3 py312h94ee1e1_0 ' +
          'for linux-64, osx-arm64, outside numpy>=2.2: the lock is out of date⟩',
      ),
    );
    assert.deepEqual(
      findings[0]!.related.map((r) => r.message),
      ['numpy 2.1.3 is locked here for linux-64', 'numpy 2.1.3 is locked here for osx-arm64'],
    );
    assert.deepEqual(findings[0]!.fixes[0], {
      title: 'Update conda-lock.yml (conda-lock lock)',
      edits: [],
      run: 'conda-lock lock',
      relock: { lockFile: '/w/conda-lock.yml', tool: 'conda-lock', args: ['lock'] },
    });
  });

  it('flags a spec the lock has no record of, and a build or channel the locked record does not have', () => {
    judge(
      ENVIRONMENT_YML.replace(
        '  - pip\n',
        '  - pip\n  - ⟦scipy⟧⟨lock-drift: conda-lock.yml has no scipy for linux-64, osx-arm64⟩\n',
      ),
    );
    judge(ENVIRONMENT_YML.replace('numpy>=2', 'numpy⟦=2.1.3=*_1⟧⟨lock-drift: outside numpy=2.1.3=*_1⟩'));
    judge(ENVIRONMENT_YML.replace('python=3.12', 'pytorch::python⟦=3.12⟧⟨lock-drift: outside pytorch::python=3.12⟩'));
  });

  it('flags a channel of the environment the lock was not made from, on its line', () => {
    judge(
      ENVIRONMENT_YML.replace(
        '  - conda-forge\n',
        '  - ⟦pytorch⟧⟨lock-drift: conda-lock.yml was locked without channel pytorch⟩\n  - conda-forge\n',
      ),
    );
    // The same channel by URL is the same channel.
    judge(ENVIRONMENT_YML, condaLockYml({ channels: ['https://conda.anaconda.org/conda-forge/'] }));
  });

  it('judges only the environment files the lock was made from (metadata.sources)', () => {
    expectFindings(
      {
        [ENV]: ENVIRONMENT_YML,
        '/w/gpu.environment.yml': 'name: gpu\nchannels:\n  - conda-forge\ndependencies:\n  - scipy\n',
        [LOCK]: condaLockYml(),
      },
      { codes: ['lock-drift'] },
    );
  });

  it('judges the pip part by the pip entries, and a PyPI requirement a locked conda record installs as locked', () => {
    judge(
      ENVIRONMENT_YML.replace(
        '    - rich>=13\n',
        '    - rich⟦>=14⟧⟨lock-drift: conda-lock.yml locks rich 13.9.4, outside >=14⟩\n    - numpy>=2\n',
      ),
    );
  });
});
