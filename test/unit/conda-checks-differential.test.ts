// The whole analysis (every check, knowledge rules included) against rattler's verdict, on 200+ generated
// environment.yml files over an ML-shaped loopback channel and three machines: an environment conda cannot solve gets
// at least one error, one it can solve gets none.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetRepodataStores } from '../../server/src/conda/report';
import { diskSource } from '../../server/src/workspace/text-source';
import { Analysis } from '../../server/src/workspace/analysis';
import type { MachineProfile } from '../../server/src/system/profile';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { LINUX_GPU_470, LINUX_GPU_550, LINUX_NO_GPU, ML_CHANNEL_WIDE, condaYml } from '../helpers/conda-fixtures';
import { rattlerOracle } from '../helpers/rattler-oracle';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';
import { rng } from '../../bench/scenarios';

/** Spec forms per package, as people write them in an environment.yml. */
const FORMS: Record<string, string[]> = {
  python: ['python=3.8', 'python=3.9', 'python=3.10', 'python=3.11', 'python=3.12', 'python>=3.10', 'python<3.11'],
  numpy: ['numpy', 'numpy=1.24', 'numpy=1.26', 'numpy=2.0', 'numpy=2.1', 'numpy<2', 'numpy>=2'],
  tensorflow: ['tensorflow', 'tensorflow=2.10', 'tensorflow=2.13', 'tensorflow=2.15', 'tensorflow=2.16'],
  pytorch: [
    'pytorch',
    'pytorch=1.13',
    'pytorch=2.1',
    'pytorch=2.3',
    'pytorch=2.1=*cuda*',
    'pytorch=2.1=*cpu*',
    'pytorch=*=*cuda118*',
    'pytorch=*=*cuda121*',
    'pytorch=2.3=*cuda*',
    'pytorch=1.13=*cuda*',
  ],
  'pytorch-cuda': ['pytorch-cuda=11.7', 'pytorch-cuda=11.8', 'pytorch-cuda=12.1'],
  torchvision: ['torchvision', 'torchvision=0.14', 'torchvision=0.16', 'torchvision=0.18'],
  torchaudio: ['torchaudio', 'torchaudio=0.13', 'torchaudio=2.1', 'torchaudio=2.3'],
  cudatoolkit: ['cudatoolkit=10.2', 'cudatoolkit=11.3', 'cudatoolkit=11.8', 'cudatoolkit', 'cudatoolkit=12.1'],
  'cuda-version': ['cuda-version=11.8', 'cuda-version=12.1', 'cuda-version=12.4', 'cuda-version<12'],
  cudnn: ['cudnn', 'cudnn=8.9'],
  scipy: ['scipy', 'scipy=1.11'],
  pandas: ['pandas', 'pandas>=2'],
  'scikit-learn': ['scikit-learn', 'scikit-learn=1.3'],
  blas: ['blas=*=mkl', 'blas=*=openblas'],
  requests: ['requests', 'requests>=2.31'],
  tqdm: ['tqdm'],
  typing_extensions: ['typing_extensions'],
  // Not on the channel: a typo, a version no build has, packages of other channels.
  missing: ['pytoch', 'numpy=3.0', 'tensorflow-gpu', 'cupy', 'jaxlib=*=*cuda12*'],
};
const NAMES = Object.keys(FORMS);
/** The packages ML environments are made of, more often than the rest. */
const CORE = ['python', 'numpy', 'pytorch', 'tensorflow', 'pytorch-cuda', 'torchvision', 'cudatoolkit', 'cuda-version'];

function generateEnv(r: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out = new Map<string, string>();
  if (r() < 0.8) out.set('python', pick(FORMS['python']!));
  const k = 1 + Math.floor(r() * 5);
  for (let i = 0; i < k; i++) {
    const name = r() < 0.6 ? pick(CORE) : pick(NAMES);
    if (!out.has(name)) out.set(name, pick(FORMS[name]!));
  }
  return [...out.values()];
}

const MACHINES: [string, MachineProfile][] = [
  ['no GPU', LINUX_NO_GPU],
  ['driver 470 (CUDA 11.4)', LINUX_GPU_470],
  ['driver 550 (CUDA 12.4)', LINUX_GPU_550],
];

let channel: CondaChannel;
let index: PackageIndex;
let dir: string;
before(async () => {
  channel = await startCondaChannel(ML_CHANNEL_WIDE, { format: 'sharded' });
  // No `pip:` part here: the index is only there so that nothing asks PyPI.
  index = await startPackageIndex([]);
  dir = mkdtempSync(join(tmpdir(), 'sd-conda-checks-'));
});
after(async () => {
  await channel.close();
  await index.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the whole analysis against conda (rattler) on generated environments', () => {
  it('an environment conda cannot solve has an error; one it can solve has none (200+ environments, 3 machines)', async () => {
    const r = rng(1111);
    const mismatches: string[] = [];
    let unsolvable = 0;
    let n = 0;
    const seen = new Set<string>();
    resetRepodataStores();
    for (const [label, profile] of MACHINES) {
      const analysis = new Analysis(diskSource, {});
      analysis.configure({
        offline: false,
        trustFiles: true,
        cacheDir: join(dir, 'cache'),
        indexUrl: index.url,
        indexTimeoutMs: 30_000,
      });
      analysis.setTarget({ profile });
      for (let i = 0; i < 70; i++) {
        const deps = generateEnv(r);
        const key = `${label}|${[...deps].sort().join(' ')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const folder = join(dir, `e${n++}`);
        mkdirSync(folder);
        const file = join(folder, 'environment.yml');
        writeFileSync(file, condaYml([channel.url, 'nodefaults'], deps));
        const sets = analysis.setsAround(file, 'conda');
        await analysis.resolve(sets);
        const findings = analysis.findings(sets);
        const errors = findings.filter((f) => f.severity === 'error');
        const solves = (await rattlerOracle(deps, channel.url, profile)) !== null;
        if (!solves) unsolvable++;
        if (solves === errors.length > 0)
          mismatches.push(
            `${label}: [${deps.join(', ')}] conda ${solves ? 'solves' : 'refuses'}; errors: ` +
              (errors.map((f) => `${f.code}: ${f.message.split('\n')[0]}`).join(' | ') || 'none'),
          );
      }
    }
    assert.ok(n >= 200, `${n} environments`);
    assert.ok(unsolvable >= 40 && n - unsolvable >= 40, `both verdicts common (${unsolvable} of ${n} unsolvable)`);
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${n} environments disagree with conda`);
  });
});
