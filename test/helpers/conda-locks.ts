// Conda lock texts shaped as pixi and conda-lock write them (written for these tests, not copied): a pixi.lock of
// version 6 or 7 with two environments and three platforms, and a conda-lock.yml with conda and pip entries.

const CF = 'https://conda.anaconda.org/conda-forge';

/** A pixi.lock: `default` (linux-64, osx-arm64) and `cuda` (linux-64, with a CUDA pytorch); version 6 or 7. */
export function pixiLock(version: 6 | 7 = 6, opts: { pytorchDepends?: string[] } = {}): string {
  const torchDepends = opts.pytorchDepends ?? ['__cuda', 'cuda-version >=12.6,<13', '__glibc >=2.28,<3.0.a0'];
  const platforms = version === 7 ? 'platforms:\n- name: linux-64\n- name: osx-arm64\n' : '';
  const versionFields = version === 7 ? '  name: numpy\n  version: 2.1.3\n  build: py312h58c1407_0\n' : '';
  return `version: ${version}
${platforms}environments:
  cuda:
    channels:
    - url: ${CF}/
    indexes:
    - https://pypi.org/simple
    packages:
      linux-64:
      - conda: ${CF}/linux-64/python-3.12.7-hc5c86c4_0_cpython.conda
      - conda: ${CF}/linux-64/numpy-2.1.3-py312h58c1407_0.conda
      - conda: ${CF}/noarch/cuda-version-12.6-h7480c83_3.conda
      - conda: ${CF}/linux-64/pytorch-2.5.1-cuda126_py312h1763f6d_303.conda
      - pypi: https://files.pythonhosted.org/packages/aa/bb/rich-13.9.4-py3-none-any.whl
  default:
    channels:
    - url: ${CF}/
    indexes:
    - https://pypi.org/simple
    packages:
      linux-64:
      - conda: ${CF}/linux-64/python-3.12.7-hc5c86c4_0_cpython.conda
      - conda: ${CF}/linux-64/numpy-2.1.3-py312h58c1407_0.conda
      - pypi: https://files.pythonhosted.org/packages/aa/bb/rich-13.9.4-py3-none-any.whl
      osx-arm64:
      - conda: ${CF}/osx-arm64/python-3.12.7-h739c21a_0_cpython.conda
      - conda: ${CF}/osx-arm64/numpy-2.1.3-py312h94ee1e1_0.conda
      - pypi: https://files.pythonhosted.org/packages/aa/bb/rich-13.9.4-py3-none-any.whl
packages:
- conda: ${CF}/linux-64/python-3.12.7-hc5c86c4_0_cpython.conda
  sha256: 674be31ff152d9f0e0fe16959a45e3803a730fc4f54d87df6a9ac4e6a698c41d
  md5: 0515111a9cdf69f83278f7c197db9807
  depends:
  - __glibc >=2.17,<3.0.a0
  - libgcc >=13
  constrains:
  - python_abi 3.12.* *_cp312
  license: Python-2.0
  size: 31574780
  timestamp: 1728059777603
- conda: ${CF}/osx-arm64/python-3.12.7-h739c21a_0_cpython.conda
  sha256: 45d7ca2074aa92594bd2f91a9003b338cc1df8a46b9492b7fc8167110783c3ef
  md5: e0d82e57ebb456077565e6d82cd4a323
  depends:
  - __osx >=11.0
  license: Python-2.0
  size: 12975439
  timestamp: 1728057819519
- conda: ${CF}/linux-64/numpy-2.1.3-py312h58c1407_0.conda
${versionFields}  sha256: e4c14f71588a5627a6935d3e7d9ca78a8387229ec8ebc91616b0988ce9e8d903
  depends:
  - __glibc >=2.17,<3.0.a0
  - python >=3.12,<3.13.0a0
  constrains:
  - numpy-base <0a0
  license: BSD-3-Clause
- conda: ${CF}/osx-arm64/numpy-2.1.3-py312h94ee1e1_0.conda
  sha256: cd287b6c270ee8af77d200c46d56fdfe1e2a9deeff68044439718b8d073214dd
  depends:
  - __osx >=11.0
  - python >=3.12,<3.13.0a0
  license: BSD-3-Clause
- conda: ${CF}/noarch/cuda-version-12.6-h7480c83_3.conda
  sha256: fe6c9a1a6b0ee0e0e4a30e61ea8c8a6c9d6b2f0c4aa2d9fbee4a7d2a8d3c1e07
  constrains:
  - __cuda >=12
  - cudatoolkit 12.6|12.6.*
  license: LicenseRef-NVIDIA-End-User-License-Agreement
- conda: ${CF}/linux-64/pytorch-2.5.1-cuda126_py312h1763f6d_303.conda
  sha256: 9a7e1c4be3a7e5f2a5b2a2d9d8d2a5c0cf4b8b2c2a8e9b2d4d7d51b0e3e6a1f2
  depends:
${torchDepends.map((d) => `  - ${d}\n`).join('')}  - python >=3.12,<3.13.0a0
  license: BSD-3-Clause
- pypi: https://files.pythonhosted.org/packages/aa/bb/rich-13.9.4-py3-none-any.whl
  name: rich
  version: 13.9.4
  sha256: 6049d5e6ec054bf2779ab3358186963bac2ea89175919d699e378b99738c2a90
  requires_dist:
  - markdown-it-py>=2.2.0
  - pygments>=2.13.0,<3.0.0
  - ipywidgets>=7.5.1,<9 ; extra == 'jupyter'
  requires_python: '>=3.8.0'
`;
}

/** An environment.yml and the conda-lock.yml conda-lock made of it for linux-64 and osx-arm64. */
export const ENVIRONMENT_YML = `name: app
channels:
  - conda-forge
dependencies:
  - python=3.12
  - numpy>=2
  - pip
  - pip:
    - rich>=13
`;

/** A conda-lock.yml entry. */
function entry(
  name: string,
  version: string,
  manager: 'conda' | 'pip',
  platform: string,
  deps: Record<string, string>,
  url: string,
): string {
  const d = Object.entries(deps);
  return (
    `- name: ${name}\n  version: ${/^\d+\.\d+$/.test(version) ? `'${version}'` : version}\n  manager: ${manager}\n` +
    `  platform: ${platform}\n  dependencies:${d.length ? '\n' + d.map(([k, v]) => `    ${k}: '${v}'\n`).join('') : ' {}\n'}` +
    `  url: ${url}\n  hash:\n    sha256: 2ee2bd5d0bf8f8d93fb43f6e2e4ad39ed4ad3e1b6bf6c4ab1d0b3b5d2d1d7a0a\n` +
    `  category: main\n  optional: false\n`
  );
}

/** A conda-lock.yml for linux-64 and osx-arm64 (numpy at `numpyVersion`), with its pip entry. */
export function condaLockYml(opts: { numpyVersion?: string; channels?: string[]; cudaTorch?: boolean } = {}): string {
  const nv = opts.numpyVersion ?? '2.1.3';
  const channels = opts.channels ?? ['conda-forge'];
  const out = [
    '# This lock file was generated by conda-lock. DO NOT EDIT!\n',
    'version: 1\nmetadata:\n  content_hash:\n    linux-64: 4b5f1f3b0a\n    osx-arm64: 9c1e2d7a44\n  channels:\n',
    ...channels.map((c) => `  - url: ${c}\n    used_env_vars: []\n`),
    '  platforms:\n  - linux-64\n  - osx-arm64\n  sources:\n  - environment.yml\npackage:\n',
  ];
  for (const [platform, pyBuild, npBuild] of [
    ['linux-64', 'hc5c86c4_0_cpython', 'py312h58c1407_0'],
    ['osx-arm64', 'h739c21a_0_cpython', 'py312h94ee1e1_0'],
  ] as const) {
    const sys: Record<string, string> = platform === 'linux-64' ? { __glibc: '>=2.17,<3.0.a0' } : {};
    out.push(
      entry('python', '3.12.7', 'conda', platform, sys, `${CF}/${platform}/python-3.12.7-${pyBuild}.conda`),
      entry(
        'numpy',
        nv,
        'conda',
        platform,
        { ...sys, python: '>=3.12,<3.13.0a0' },
        `${CF}/${platform}/numpy-${nv}-${npBuild}.conda`,
      ),
      entry('pip', '24.3.1', 'conda', platform, { python: '>=3.8' }, `${CF}/noarch/pip-24.3.1-pyh8b19718_0.conda`),
      entry(
        'rich',
        '13.9.4',
        'pip',
        platform,
        { 'markdown-it-py': '>=2.2.0' },
        'https://files.pythonhosted.org/packages/aa/bb/rich-13.9.4-py3-none-any.whl',
      ),
    );
    if (opts.cudaTorch && platform === 'linux-64')
      out.push(
        entry(
          'pytorch',
          '2.5.1',
          'conda',
          platform,
          { __cuda: '', 'cuda-version': '>=12.6,<13', python: '>=3.12,<3.13.0a0' },
          `${CF}/linux-64/pytorch-2.5.1-cuda126_py312h1763f6d_303.conda`,
        ),
      );
  }
  return out.join('');
}

/** The pixi.toml that {@link pixiLock} locks: `default` on linux-64 and osx-arm64, `cuda` (with pytorch) on linux-64. */
export const PIXI_TOML = `[workspace]
name = "app"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[dependencies]
python = "3.12.*"
numpy = ">=2"

[pypi-dependencies]
rich = ">=13"

[feature.cuda]
platforms = ["linux-64"]

[feature.cuda.dependencies]
pytorch = ">=2.5"
cuda-version = "12.6.*"

[environments]
cuda = ["cuda"]
`;
