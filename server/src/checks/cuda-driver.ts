// `cuda-driver`: a CUDA build needs a newer NVIDIA driver than the target has.
import { finding } from '../model/finding';
import { cudaReleases, driverRuns, variantToCuda, type DriverPlatform } from '../knowledge/cuda';
import { condaCudaPackage } from '../knowledge/gpu-packages';
import { formatCuda, parseCudaVersion, type CudaVersion } from '../knowledge/types';
import type { Finding, Fix } from '../model/types';
import { targetOs, type MachineProfile } from '../system/profile';
import {
  cudaBuilds,
  describeCuda,
  isTorchVariantBuild,
  retargetAll,
  torchVariantsFor,
  type CudaBuild,
  buildName,
  sentence,
} from './cuda-builds';
import { isLockedDependency } from './locked';
import type { Check } from './types';
import type { EnvironmentSet } from '../model/sets';

/**
 * Whether the target's driver runs a CUDA build; null where neither the tables nor the driver's own CUDA version can
 * say.
 */
export function runsOnTarget(
  profile: MachineProfile,
  cuda: CudaVersion,
): { runs: boolean; minimum: string | null } | null {
  const nv = profile.nvidia;
  if (!nv) return null;
  const os = targetOs(profile);
  if (os !== 'linux' && os !== 'windows') return null;
  const platform: DriverPlatform = os;
  const judged = /^\d+(\.\d+)*$/.test(nv.driver) ? driverRuns(nv.driver, cuda, platform) : null;
  if (judged) return { runs: judged.runs, minimum: judged.minimum };
  // No table row (Windows and CUDA 13): the newest CUDA the driver reports decides, minor compatibility within a major
  // from 11 on.
  const supported = nv.cuda ? parseCudaVersion(nv.cuda) : null;
  if (!supported || supported.minor === null) return null;
  if (cuda.major !== supported.major) return { runs: cuda.major < supported.major, minimum: null };
  return { runs: cuda.major >= 11 || cuda.minor === null || cuda.minor <= supported.minor, minimum: null };
}

/**
 * Every exact CUDA major.minor a fix may move to, newest first: the PyTorch variants, conda's pytorch-cuda, and the
 * toolkit releases.
 */
function candidates(set: EnvironmentSet, builds: CudaBuild[]): { major: number; minor: number }[] {
  const seen = new Map<string, { major: number; minor: number }>();
  const add = (c: { major: number; minor: number } | null) => c && seen.set(`${c.major}.${c.minor}`, c);
  if (builds.some(isTorchVariantBuild)) for (const v of torchVariantsFor(set)) add(variantToCuda(v));
  else {
    for (const r of cudaReleases) {
      const c = parseCudaVersion(r.cuda);
      if (c && c.minor !== null) add({ major: c.major, minor: c.minor });
    }
    for (const v of condaCudaPackage('pytorch-cuda')?.versions ?? []) {
      const c = parseCudaVersion(v);
      if (c && c.minor !== null) add({ major: c.major, minor: c.minor });
    }
  }
  return [...seen.values()].sort((a, b) => b.major - a.major || b.minor - a.minor);
}

/**
 * Flags each CUDA build (`torch==2.1.0+cu121`, the cu121 PyTorch index, `nvidia-*-cu12`, `cupy-cuda12x`,
 * `jax[cuda12]`, conda `pytorch-cuda=12.1`, `cudatoolkit=11.8`) whose CUDA version needs a newer NVIDIA driver
 * than the target's, with NVIDIA's minor-version compatibility allowed (any 12.x on a >= 525.60.13 driver on Linux).
 * Nothing is reported when the target's driver is unknown, or when it has no NVIDIA GPU (that is `cuda-unavailable`).
 *
 * Bad: `torch==2.1.0+cu121` with `--index-url https://download.pytorch.org/whl/cu121` on a 470.182.03 driver
 * (CUDA 11.4): `torch.cuda.is_available()` is False. Good: `torch==2.1.0+cu118` with the cu118 index.
 * Fix: the newest CUDA version the driver runs and every build of the set can be written for, switching the
 * PyTorch index URL and local version labels together.
 */
/** Messages lead with a verdict a Problems row shows whole. */
const VERDICT_MAX = 100;

export const cudaDriver: Check = {
  code: 'cuda-driver',
  description: 'A CUDA build needs a newer NVIDIA driver than the target has.',
  run(set, ctx) {
    const nv = ctx.profile.nvidia;
    if (!nv) return [];
    const builds = cudaBuilds(set, ctx);
    const failing = builds.map((b) => ({ b, r: runsOnTarget(ctx.profile, b.cuda) })).filter((x) => x.r && !x.r.runs);
    if (failing.length === 0) return [];
    const fix = fixFor(set, builds, ctx.profile);
    return failing.map(({ b, r }): Finding => {
      const need = r!.minimum ? `an NVIDIA driver >= ${r!.minimum}` : `a driver that supports ${describeCuda(b)}`;
      const has = `${nv.driver}${nv.cuda ? ` (CUDA ${nv.cuda} at most)` : ''}`;
      const tail = fix
        ? ''
        : b.dep && isLockedDependency(b.dep)
          ? ' Upgrade the driver, or ask the manifest for a build the driver runs and lock again.'
          : isTorchVariantBuild(b)
            ? ' No CUDA variant of this PyTorch release runs on that driver: upgrade the driver or use an older release.'
            : ' Upgrade the driver.';
      const machine = ctx.machine ?? 'the target machine';
      const name = buildName(b);
      const verdicts = [
        `${name} needs ${need}; ${machine} has ${nv.driver}`,
        `a ${describeCuda(b)} build needs ${need}; ${machine} has ${nv.driver}`,
        `a ${describeCuda(b)} build needs a newer NVIDIA driver than ${machine} has`,
      ];
      const verdict = verdicts.find((v) => v.length < VERDICT_MAX) ?? verdicts[verdicts.length - 1]!;
      return finding(
        'cuda-driver',
        b.file,
        b.span,
        `${sentence(verdict)}\n` +
          `${b.label} is a ${describeCuda(b)} build, and the driver ${has} does not run it: ` +
          `CUDA would not initialise (torch.cuda.is_available() is False).${tail}`,
        { fixes: fix ? [fix] : [] },
      );
    });
  },
};

function fixFor(set: EnvironmentSet, builds: CudaBuild[], profile: MachineProfile): Fix | null {
  const torchVariants = torchVariantsFor(set);
  for (const c of candidates(set, builds)) {
    const r = runsOnTarget(profile, { major: c.major, minor: c.minor });
    if (!r?.runs) continue;
    const edits = retargetAll(set, builds, c, torchVariants);
    if (!edits || edits.length === 0) continue;
    const torch = builds.some(isTorchVariantBuild)
      ? ` (PyTorch variant cu${c.major}${c.minor}: index URL and local labels together)`
      : '';
    return {
      title:
        `Switch to CUDA ${formatCuda({ major: c.major, minor: c.minor })}, ` +
        `which driver ${profile.nvidia!.driver} runs${torch}`,
      edits,
      preferred: true,
    };
  }
  return null;
}
