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
