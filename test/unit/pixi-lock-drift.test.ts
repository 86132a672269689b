// lock-drift for pixi.lock against its pixi.toml, by pixi's satisfiability rules: every environment locked, with the
// manifest's channels in order and its platforms (no more), each conda spec matched by a locked record of the
// environment on each platform, one entry per package.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expectFindings } from '../helpers/check-kit';
import { PIXI_TOML, pixiLock } from '../helpers/conda-locks';

const MANIFEST = '/w/pixi.toml';
const LOCK = '/w/pixi.lock';
const judge = (manifest: string, lock = pixiLock(6)) =>
  expectFindings({ [MANIFEST]: manifest, [LOCK]: lock }, { codes: ['lock-drift'] });

describe('lock-drift: pixi.lock', () => {
  it('says nothing when the lock satisfies the manifest (versions 6 and 7)', () => {
    judge(PIXI_TOML);
    judge(PIXI_TOML, pixiLock(7));
  });

  it('flags a conda spec no locked record of an environment matches, once, naming each platform and environment', () => {
    const { findings } = judge(
      PIXI_TOML.replace(
        'numpy = ">=2"',
        'numpy = "⟦>=2.2⟧⟨lock-drift: pixi.lock locks numpy 2.1.3 py312h58c1407_0, 2.1.3 py312h94ee1e1_0 for ' +
          'linux-64 (environment default), osx-arm64 (environment default), linux-64 (environment cuda), outside numpy >=2.2⟩"',
      ),
    );
    assert.equal(findings.find((f) => f.code === 'lock-drift')!.fixes[0]!.run, 'pixi lock');
  });

  it('flags a spec the environment has no record of', () => {
    judge(
      PIXI_TOML.replace(
        'cuda-version = "12.6.*"',
        'cuda-version = "12.6.*"\n⟦scipy⟧⟨lock-drift: pixi.lock has no scipy for linux-64 (environment cuda)⟩ = "*"',
      ),
    );
  });

  it('flags an environment, a platform and a channel the lock does not have, on their manifest lines', () => {
    judge(
      PIXI_TOML.replace(
        'cuda = ["cuda"]',
        'cuda = ["cuda"]\n⟦lint = []⟧⟨lock-drift: pixi.lock has no environment lint⟩',
      ),
    );
    judge(
      PIXI_TOML.replace(
        'platforms = ["linux-64", "osx-arm64"]',
        'platforms = ["linux-64", "osx-arm64", ⟦"win-64"⟧⟨lock-drift: pixi.lock has no win-64 packages for environment default⟩]',
      ),
    );
    judge(
      PIXI_TOML.replace(
        'channels = ["conda-forge"]',
        'channels = [⟦"pytorch"⟧⟨lock-drift: pixi.lock locked environment default with channels ' +
          'https://conda.anaconda.org/conda-forge/, not pytorch, conda-forge⟩, "conda-forge"]',
      ),
      undefined,
    );
  });

  it('flags a platform the lock has that the environment no longer does', () => {
    judge(
      PIXI_TOML.replace(
        'platforms = ["linux-64", "osx-arm64"]',
        'platforms = [⟦"linux-64"⟧⟨lock-drift: pixi.lock locks platform(s) osx-arm64 for environment default⟩]',
      ),
    );
  });

  it('flags a package locked twice for one environment and platform', () => {
    const lock = pixiLock(6).replace(
      '      - conda: https://conda.anaconda.org/conda-forge/osx-arm64/numpy-2.1.3-py312h94ee1e1_0.conda\n',
      '      - conda: https://conda.anaconda.org/conda-forge/osx-arm64/numpy-2.1.3-py312h94ee1e1_0.conda\n' +
        '      - conda: https://conda.anaconda.org/conda-forge/linux-64/numpy-2.1.3-py312h58c1407_0.conda\n',
    );
    const { findings } = judge(
      PIXI_TOML.replace(
        'numpy = ">=2"',
        '⟦numpy⟧⟨lock-drift: pixi.lock locks numpy 2 times for osx-arm64 (environment default)⟩ = ">=2"',
      ),
      lock,
    );
    assert.equal(findings.filter((f) => f.code === 'lock-drift')[0]!.related.length, 2);
  });
});
