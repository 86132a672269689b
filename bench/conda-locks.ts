// A large pixi.lock as pixi writes it (three platforms, two environments, conda records with hashes, depends and
// constrains, PyPI records with requires_dist), and the time to parse and judge it.
import { runChecks } from '../server/src/checks/registry';
import type { CheckContext } from '../server/src/checks/types';
import { defaultEnvironment } from '../server/src/pep/marker';
import { parsePixiLock } from '../server/src/parsers/pixi-lock';
import { time } from './timing';

const PLATFORMS = ['linux-64', 'osx-arm64', 'win-64'] as const;

const hex = (seed: number, n: number): string => {
  let s = '';
  let x = seed * 2654435761;
  while (s.length < n) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += x.toString(16).padStart(8, '0');
  }
  return s.slice(0, n);
};

/** A pixi.lock (format `version`) of at least `bytes` characters. */
export function pixiLockText(bytes: number, version = 6): string {
  const records: string[] = [];
  const env: Record<(typeof PLATFORMS)[number], string[]> = { 'linux-64': [], 'osx-arm64': [], 'win-64': [] };
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const platform = PLATFORMS[i % PLATFORMS.length]!;
    const pypi = i % 7 === 6;
    let rec: string;
    let url: string;
    if (pypi) {
      const name = `pkg-${i}`;
      url = `https://files.pythonhosted.org/packages/${hex(i, 2)}/${hex(i + 1, 2)}/${hex(i + 2, 60)}/pkg_${i}-1.${i % 10}.0-py3-none-any.whl`;
      rec =
        `- pypi: ${url}\n  name: ${name}\n  version: 1.${i % 10}.0\n  sha256: ${hex(i, 64)}\n  requires_dist:\n` +
        `  - numpy>=1.${i % 20}\n  - requests>=2 ; extra == 'http'\n  requires_python: '>=3.9'\n`;
    } else {
      const subdir = i % 5 === 0 ? 'noarch' : platform;
      const build = i % 11 === 0 ? `cuda126_py312h${hex(i, 7)}_${i % 3}` : `h${hex(i, 7)}_${i % 4}`;
      url = `https://conda.anaconda.org/conda-forge/${subdir}/lib-${i}-${i % 9}.${i % 13}.${i % 5}-${build}.conda`;
      const cuda = i % 11 === 0 ? `  - __cuda\n  - cuda-version >=12.6,<13\n` : '';
      const glibc = platform === 'linux-64' ? `  - __glibc >=2.17,<3.0.a0\n` : '';
      rec =
        `- conda: ${url}\n  sha256: ${hex(i, 64)}\n  md5: ${hex(i + 7, 32)}\n  depends:\n${cuda}${glibc}` +
        `  - libgcc >=13\n  - libzlib >=1.3.1,<2.0a0\n  - python >=3.12,<3.13.0a0\n  - python_abi 3.12.* *_cp312\n` +
        `  constrains:\n  - lib-${i}-static <0a0\n  license: BSD-3-Clause\n  license_family: BSD\n  purls: []\n` +
        `  size: ${1000 + i * 37}\n  timestamp: ${1720000000000 + i * 1000}\n`;
    }
    records.push(rec);
    env[platform].push(`      - ${pypi ? 'pypi' : 'conda'}: ${url}\n`);
    size += rec.length + url.length * 2 + 20;
  }
  const packages = PLATFORMS.map((p) => `      ${p}:\n${env[p].join('')}`).join('');
  const environment = (name: string) =>
    `  ${name}:\n    channels:\n    - url: https://conda.anaconda.org/conda-forge/\n    indexes:\n` +
    `    - https://pypi.org/simple\n    packages:\n${packages}`;
  const platforms = version >= 7 ? `platforms:\n${PLATFORMS.map((p) => `- name: ${p}\n`).join('')}` : '';
  return (
    `version: ${version}\n${platforms}environments:\n${environment('default')}${environment('cuda')}` +
    `packages:\n${records.join('')}`
  );
}

/** Parse and judge (every check on the lock's set) of a 2 MB pixi.lock, warm; times in ms. */
export function benchCondaLocks(): Record<string, unknown> {
  const text = pixiLockText(2 << 20);
  const ctx: CheckContext = {
    markerEnvironment: defaultEnvironment({ pythonVersion: '3.12.4', platform: 'linux', machine: 'x86_64' }),
    profile: { os: 'linux', arch: 'x86_64', libc: { kind: 'glibc', version: '2.31' }, nvidia: null },
  };
  return {
    [`pixi.lock, ${(text.length / (1 << 20)).toFixed(1)} MB: parse (ms)`]: time(
      () => parsePixiLock('/b/pixi.lock', text),
      20,
    ),
    [`pixi.lock, ${(text.length / (1 << 20)).toFixed(1)} MB: parse and judge (ms)`]: time(() => {
      const file = parsePixiLock('/b/pixi.lock', text);
      runChecks([{ root: file.path, files: [file], findings: [] }], ctx);
    }, 20),
  };
}
