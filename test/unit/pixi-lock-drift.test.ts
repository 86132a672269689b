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

  it('flags a locked conda record nothing the environment declares reaches any more, on its lock entry', () => {
    const CF = 'https://conda.anaconda.org/conda-forge';
    const lock = pixiLock(6)
      .replace(
        `\n- conda: ${CF}/linux-64/numpy-2.1.3`,
        `\n- conda: ${CF}/linux-64/⟦numpy⟧⟨lock-drift: pixi.lock locks numpy 2.1.3 for linux-64 (environment default), ` +
          `linux-64 (environment cuda), where nothing the manifest declares requires it any more⟩-2.1.3`,
      )
      .replace(
        `\n- conda: ${CF}/osx-arm64/numpy-2.1.3`,
        `\n- conda: ${CF}/osx-arm64/⟦numpy⟧⟨lock-drift: pixi.lock locks numpy 2.1.3 for osx-arm64 (environment ` +
          `default), where nothing the manifest declares requires it any more⟩-2.1.3`,
      );
    const { findings } = judge(PIXI_TOML.replace('numpy = ">=2"\n', ''), lock);
    assert.ok(findings.every((f) => f.code !== 'lock-drift' || f.fixes[0]!.run === 'pixi lock'));
  });

  it('flags a PyPI record nothing reaches, following requires_dist with the extras asked for', () => {
    const record = (name: string, version: string, requires: string[] = []) =>
      `- pypi: https://files.pythonhosted.org/packages/cc/dd/${name.replace(/-/g, '_')}-${version}-py3-none-any.whl\n` +
      `  name: ${name}\n  version: ${version}\n  sha256: ${'ab'.repeat(32)}\n` +
      (requires.length ? `  requires_dist:\n${requires.map((r) => `  - ${r}\n`).join('')}` : '') +
      `  requires_python: '>=3.8'\n`;
    const selector = (name: string, version: string) =>
      `      - pypi: https://files.pythonhosted.org/packages/cc/dd/${name.replace(/-/g, '_')}-${version}-py3-none-any.whl\n`;
    // The default environment on linux-64 also locks markdown-it-py (rich requires it), ipywidgets (rich's
    // `jupyter` extra) and mdurl (markdown-it-py requires it).
    const lock = (mark: boolean) =>
      pixiLock(6).replace(
        `numpy-2.1.3-py312h58c1407_0.conda\n      - pypi: https://files.pythonhosted.org/packages/aa/bb/rich-13.9.4-py3-none-any.whl\n`,
        `numpy-2.1.3-py312h58c1407_0.conda\n      - pypi: https://files.pythonhosted.org/packages/aa/bb/rich-13.9.4-py3-none-any.whl\n` +
          selector('markdown-it-py', '3.0.0') +
          selector('ipywidgets', '8.1.5') +
          selector('mdurl', '0.1.2'),
      ) +
      record('markdown-it-py', '3.0.0', ['mdurl~=0.1', "psutil ; extra == 'profiling'"]) +
      record('ipywidgets', '8.1.5').replace(
        'name: ipywidgets',
        mark
          ? 'name: ⟦ipywidgets⟧⟨lock-drift: pixi.lock locks ipywidgets 8.1.5 for linux-64 (environment default), ' +
              'where nothing the manifest declares requires it any more⟩'
          : 'name: ipywidgets',
      ) +
      record('mdurl', '0.1.2');
    judge(PIXI_TOML, lock(true));
    judge(PIXI_TOML.replace('rich = ">=13"', 'rich = { version = ">=13", extras = ["jupyter"] }'), lock(false));
  });

  it('counts a conda record that installs a PyPI requirement as reached through it', () => {
    // numpy leaves [dependencies] for [pypi-dependencies]: the locked conda numpy still provides it.
    judge(
      PIXI_TOML.replace('numpy = ">=2"\n', '').replace('rich = ">=13"', 'rich = ">=13"\nnumpy = ">=2"'),
      pixiLock(6),
    );
  });
});
