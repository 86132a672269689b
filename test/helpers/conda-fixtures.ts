// Conda test fixtures: a small ML channel (Python 3.10-3.12, TensorFlow, numpy 1/2, PyTorch CUDA and CPU builds,
// constrains, track_features, noarch python) and machine profiles.
import type { MachineProfile } from '../../server/src/system/profile';
import type { CondaReportOptions } from '../../server/src/conda/report';
import type { ChannelPackage } from './conda-channel';

const GLIBC = ['__glibc >=2.17,<3.0.a0'];
const py = (v: string, build = '0'): ChannelPackage => ({
  name: 'python',
  version: v,
  build: `h${build}_0_cpython`,
  depends: GLIBC,
});
const pyAbi = (mm: string): string => `python >=${mm},<${mm.split('.')[0]}.${Number(mm.split('.')[1]) + 1}.0a0`;

/**
 * A small ML channel: Python 3.10-3.12, TensorFlow tied to one Python each, numpy 1/2, PyTorch CUDA and CPU builds,
 * constrains, noarch python.
 */
export const ML_CHANNEL: ChannelPackage[] = [
  py('3.10.14'),
  py('3.11.9'),
  py('3.12.3'),
  { name: 'tensorflow', version: '2.10.0', build: 'py310_0', depends: [pyAbi('3.10'), 'numpy >=1.20,<2'] },
  { name: 'tensorflow', version: '2.15.0', build: 'py311_0', depends: [pyAbi('3.11'), 'numpy >=1.23,<2'] },
  { name: 'tensorflow', version: '2.16.1', build: 'py312_0', depends: [pyAbi('3.12'), 'numpy >=1.26,<2.1'] },
  ...['3.10', '3.11', '3.12'].flatMap((mm): ChannelPackage[] => [
    { name: 'numpy', version: '1.26.4', build: `py${mm.replace('.', '')}h0_0`, depends: [pyAbi(mm)] },
    { name: 'numpy', version: '2.0.0', build: `py${mm.replace('.', '')}h0_0`, depends: [pyAbi(mm)] },
    {
      name: 'pytorch',
      version: '2.1.0',
      build: `cuda118_py${mm.replace('.', '')}_1`,
      build_number: 1,
      depends: [pyAbi(mm), '__cuda >=11.8', 'numpy >=1.22'],
    },
    {
      name: 'pytorch',
      version: '2.1.0',
      build: `cuda121_py${mm.replace('.', '')}_2`,
      build_number: 2,
      depends: [pyAbi(mm), '__cuda >=12.1', 'numpy >=1.22'],
    },
    {
      name: 'pytorch',
      version: '2.1.0',
      build: `cpu_py${mm.replace('.', '')}_0`,
      depends: [pyAbi(mm), 'numpy >=1.22'],
    },
    {
      name: 'scipy',
      version: '1.11.4',
      build: `py${mm.replace('.', '')}_0`,
      depends: [pyAbi(mm)],
      constrains: ['numpy <2'],
    },
  ]),
  { name: 'blas', version: '1.0', build: 'mkl', track_features: 'blas_mkl' },
  { name: 'blas', version: '1.0', build: 'openblas' },
  {
    name: 'requests',
    version: '2.31.0',
    build: 'pyhd8ed1ab_0',
    noarch: 'python',
    depends: ['python >=3.7', 'idna >=2.5'],
  },
  { name: 'idna', version: '3.6', build: 'pyhd8ed1ab_0', noarch: 'python', depends: ['python >=3.6'] },
  { name: 'cuda-version', version: '12.4', build: 'h0_3', constrains: ['__cuda >=12'] },
  { name: 'cuda-version', version: '11.8', build: 'h0_3', constrains: ['__cuda >=11'] },
];

export const LINUX_GPU_470: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.35' },
  nvidia: { driver: '470.57.02', cuda: '11.4', gpus: [] },
};
export const LINUX_NO_GPU: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.35' },
  nvidia: null,
};

/** An environment.yml text: the channels, the conda specs (quoted when `quoted`), and a `pip:` part when given. */
export function condaYml(
  channels: readonly string[],
  deps: readonly string[],
  pip: readonly string[] = [],
  quoted = false,
): string {
  const spec = (d: string) => (quoted ? `"${d}"` : d);
  const pipPart = pip.length ? `  - pip:\n${pip.map((p) => `      - ${p}`).join('\n')}\n` : '';
  return `name: t\nchannels:\n${channels.map((c) => `  - ${c}`).join('\n')}\ndependencies:\n${deps.map((d) => `  - ${spec(d)}`).join('\n')}\n${pipPart}`;
}

/** The options of a conda report in a test: trusted, no user .condarc, no CONDA_* variables; `over` changes any. */
export function reportOptions(cacheDir: string, over: Partial<CondaReportOptions> = {}): CondaReportOptions {
  return {
    profile: LINUX_GPU_470,
    cacheDir,
    offline: false,
    trustWorkspace: true,
    condarcPaths: [],
    timeoutMs: 60000,
    env: {},
    ...over,
  };
}

const pyBuilds = (mms: readonly string[], make: (mm: string, tag: string) => ChannelPackage[]): ChannelPackage[] =>
  mms.flatMap((mm) => make(mm, mm.replace('.', '')));

/**
 * ML_CHANNEL widened to the shapes the knowledge rules are about: Python 3.8-3.12, numpy 1.24/1.26/2.0/2.1 builds,
 * TensorFlow tied to its Pythons, PyTorch 1.13/2.1/2.3 CUDA (`__cuda`, `pytorch-cuda`) and CPU builds with the
 * torchvision/torchaudio that pair with them, cudatoolkit and cuda-version (constrains on `__cuda` and on each other),
 * cudnn, pandas and scikit-learn built for numpy 1.x, noarch python packages.
 */
export const ML_CHANNEL_WIDE: ChannelPackage[] = [
  ...ML_CHANNEL,
  py('3.8.19'),
  py('3.9.19'),
  ...pyBuilds(['3.8', '3.9', '3.10', '3.11'], (mm, t) => [
    { name: 'numpy', version: '1.24.4', build: `py${t}h1_0`, depends: [pyAbi(mm)] },
  ]),
  { name: 'numpy', version: '1.26.4', build: 'py39h0_0', depends: [pyAbi('3.9')] },
  ...pyBuilds(['3.10', '3.11', '3.12'], (mm, t) => [
    { name: 'numpy', version: '2.1.0', build: `py${t}h0_0`, depends: [pyAbi(mm)] },
  ]),
  { name: 'tensorflow', version: '2.10.0', build: 'py39_0', depends: [pyAbi('3.9'), 'numpy >=1.20,<2'] },
  ...pyBuilds(['3.8', '3.9', '3.10', '3.11'], (mm, t) => [
    { name: 'tensorflow', version: '2.13.0', build: `py${t}_0`, depends: [pyAbi(mm), 'numpy >=1.22,<1.25'] },
  ]),
  ...pyBuilds(['3.9', '3.10'], (mm, t) => [
    { name: 'tensorflow', version: '2.15.0', build: `py${t}_0`, depends: [pyAbi(mm), 'numpy >=1.23,<2'] },
  ]),
  // The pytorch channel's way: CUDA builds need the pytorch-cuda metapackage of their CUDA.
  ...['11.7', '11.8', '12.1'].map((cu): ChannelPackage => ({
    name: 'pytorch-cuda',
    version: cu,
    build: 'h0_5',
    depends: [`cuda-version >=${cu},<${cu.split('.')[0]}.${Number(cu.split('.')[1]) + 1}`],
  })),
  { name: 'pytorch-mutex', version: '1.0', build: 'cuda' },
  { name: 'pytorch-mutex', version: '1.0', build: 'cpu', track_features: 'pytorch-mutex' },
  ...pyBuilds(['3.8', '3.9', '3.10'], (mm, t) => [
    {
      name: 'pytorch',
      version: '1.13.1',
      build: `py${mm}_cuda11.7_cudnn8.5.0_0`,
      depends: [pyAbi(mm), 'pytorch-cuda >=11.7,<11.8', 'pytorch-mutex 1.0 cuda', 'numpy >=1.21,<2'],
    },
    {
      name: 'pytorch',
      version: '1.13.1',
      build: `py${mm}_cpu_0`,
      depends: [pyAbi(mm), 'pytorch-mutex 1.0 cpu', 'numpy >=1.21,<2'],
    },
    { name: 'torchvision', version: '0.14.1', build: `py${t}_0`, depends: [pyAbi(mm), 'pytorch 1.13.1'] },
    { name: 'torchaudio', version: '0.13.1', build: `py${t}_0`, depends: [pyAbi(mm), 'pytorch 1.13.1'] },
  ]),
  ...pyBuilds(['3.10', '3.11', '3.12'], (mm, t) => [
    {
      name: 'pytorch',
      version: '2.3.0',
      build: `cuda121_py${t}_1`,
      build_number: 1,
      depends: [pyAbi(mm), '__cuda >=12.1', 'cuda-version >=12.1,<13', 'numpy >=1.22'],
    },
    { name: 'pytorch', version: '2.3.0', build: `cpu_py${t}_0`, depends: [pyAbi(mm), 'numpy >=1.22'] },
    { name: 'torchvision', version: '0.16.0', build: `py${t}_0`, depends: [pyAbi(mm), 'pytorch 2.1.0.*'] },
    { name: 'torchaudio', version: '2.1.0', build: `py${t}_0`, depends: [pyAbi(mm), 'pytorch 2.1.0.*'] },
    { name: 'torchvision', version: '0.18.0', build: `py${t}_0`, depends: [pyAbi(mm), 'pytorch 2.3.0.*'] },
    { name: 'torchaudio', version: '2.3.0', build: `py${t}_0`, depends: [pyAbi(mm), 'pytorch 2.3.0.*'] },
    {
      name: 'pandas',
      version: '2.2.2',
      build: `py${t}_0`,
      depends: [pyAbi(mm), 'numpy >=1.22.4'],
    },
    {
      name: 'scikit-learn',
      version: '1.3.2',
      build: `py${t}_0`,
      depends: [pyAbi(mm), 'numpy >=1.21,<2', 'scipy >=1.5'],
    },
  ]),
  ...['10.2.89', '11.3.1', '11.8.0'].map((v): ChannelPackage => ({
    name: 'cudatoolkit',
    version: v,
    build: 'h0_12',
    depends: ['__glibc >=2.17', `cuda-version ${v.split('.').slice(0, 2).join('.')}.*`],
  })),
  ...['10.2', '11.3', '11.7', '12.1'].map((v): ChannelPackage => ({
    name: 'cuda-version',
    version: v,
    build: 'h0_3',
    constrains: [`__cuda >=${v.split('.')[0]}`, `cudatoolkit ${v}|${v}.*`],
  })),
  ...['11.8', '12.4'].map((v): ChannelPackage => ({
    name: 'cudnn',
    version: '8.9.7',
    build: `cuda${v.split('.')[0]}_0`,
    depends: [`cuda-version >=${v.split('.')[0]},<${Number(v.split('.')[0]) + 1}`],
  })),
  { name: 'tqdm', version: '4.66.4', build: 'pyhd8ed1ab_0', noarch: 'python', depends: ['python >=3.7'] },
  { name: 'typing_extensions', version: '4.12.2', build: 'pyha770c72_0', noarch: 'python', depends: ['python >=3.8'] },
];

/** A machine with a recent driver (CUDA 12.4). */
export const LINUX_GPU_550: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.35' },
  nvidia: { driver: '550.54.14', cuda: '12.4', gpus: [] },
};
