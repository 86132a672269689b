// `cuda-unavailable`: a CUDA build on a target without an NVIDIA GPU, on macOS, or where the package has no native GPU
// build.
import { finding } from '../model/finding';
import { tensorflowAndCuda } from '../knowledge/tensorflow';
import type { Finding, Fix } from '../model/types';
import { targetOs } from '../system/profile';
import { cpuEdits, cudaBuilds, describeCuda, isTorchVariantBuild, type CudaBuild } from './cuda-builds';
import { removalSpan } from './edits';
import type { Check, CheckContext } from './types';
import type { EnvironmentSet } from '../model/sets';
import { formatCuda } from '../knowledge/types';
import { cpuOnlyPlatforms, describeRoute, gatedCudaRoutes, routeName, torchIndexCuda } from './uv-torch-routes';

/**
 * Why a build cannot use a GPU on the target, short (for the verdict) and in full; null when it can, or when the target
 * is not known well enough to say.
 */
function reason(b: CudaBuild, ctx: CheckContext): { short: string; long: string } | null {
  const os = targetOs(ctx.profile);
  if (os === 'darwin') return { short: 'macOS, no CUDA', long: 'macOS has no CUDA' };
  if (os === 'windows' && b.kind === 'tensorflow')
    return {
      short: 'native Windows',
      long:
        `TensorFlow's [and-cuda] extra is for Linux only (${tensorflowAndCuda.platforms.join(', ')}), ` +
        `and TensorFlow after 2.10 has no GPU support on native Windows (use WSL2)`,
    };
  if (os === 'windows' && b.kind === 'jax')
    return { short: 'native Windows', long: 'JAX publishes no native Windows GPU wheels (GPU only through WSL2)' };
  if (ctx.profile.nvidia === null)
    return { short: 'no NVIDIA driver', long: `${ctx.machine ?? 'the target machine'} has no NVIDIA GPU driver` };
  return null;
}

/**
 * Flags a CUDA build (`+cu121` labels, the cu121 PyTorch index, `nvidia-*-cu12`, `cupy-cuda12x`, `jax[cuda12]`,
 * `tensorflow[and-cuda]`, conda `pytorch-cuda=12.1`) where it cannot use a GPU: a target whose probe found no
 * NVIDIA driver (`nvidia: null`), macOS, or native Windows for TensorFlow's and JAX's CUDA extras. An unknown
 * `nvidia` field never yields a finding. In a uv project, also torch (or a package built with it) routed to a CUDA
 * index only through an extra or a group `uv sync` does not install by default (a bare sync takes it from PyPI).
 *
 * Bad: `torch==2.1.0+cu121` on a laptop without an NVIDIA GPU (gigabytes of CUDA libraries that never load).
 * Good: `torch==2.1.0+cpu` with `--index-url https://download.pytorch.org/whl/cpu`.
 * Fix: the CPU build: PyTorch labels and index switched to `cpu` (on macOS the label dropped and the index
 * line removed), the JAX / TensorFlow CUDA extra dropped.
 */
export const cudaUnavailable: Check = {
  code: 'cuda-unavailable',
  description: 'A CUDA build on a target without an NVIDIA GPU, or on macOS.',
  run(set, ctx) {
    return [...unavailableBuilds(set, ctx), ...bareSyncMisses(set, ctx)];
  },
};

/**
 * A uv project that routes a PyTorch-variant package to a CUDA index only under an extra or a non-default group, while
 * a bare `uv sync` installs the package: that sync takes it from the project's other indexes, so CUDA is not there
 * unless the extra or group is asked for. Said on the source entry; for a group, the fix adds it to `default-groups`.
 */
function bareSyncMisses(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  return gatedCudaRoutes(set, ctx.markerEnvironment).map((g) => {
    const cuda = torchIndexCuda(g.index.url)!;
    const only = g.source.extra !== null ? `the extra '${g.source.extra}'` : `the group '${g.source.group}'`;
    const ask = g.source.extra !== null ? `--extra ${g.source.extra}` : `--group ${g.source.group}`;
    // PyPI's torch is a CPU-only build on Windows and macOS; a PyTorch index's non-CUDA variant everywhere.
    const cpu = g.route.index === null ? cpuOnlyPlatforms(set) : null;
    return finding(
      'cuda-unavailable',
      g.file.path,
      g.source.span,
      `A bare uv sync installs ${g.dep.name} from ${routeName(g.route, g.file.uvIndexes!)}, not from ` +
        `${g.index.name} (CUDA ${formatCuda(cuda)})\n` +
        `${g.dep.name} is routed to ${g.index.name} only with ${only}: uv sync and uv run without ${ask} take it ` +
        `from ${describeRoute(g.route)}${cpu ? ` (a CPU-only build on ${cpu})` : cpu === null && g.route.index !== 'local' ? ' (a build without CUDA)' : ''}.`,
      {
        fixes: g.fix
          ? [{ title: `Install the group '${g.source.group}' by default (tool.uv default-groups)`, edits: g.fix }]
          : [],
      },
    );
  });
}

function unavailableBuilds(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const builds = cudaBuilds(set, ctx);
  const flagged = builds
    .map((b) => ({ b, why: reason(b, ctx) }))
    .filter((x): x is { b: CudaBuild; why: { short: string; long: string } } => x.why !== null);
  if (flagged.length === 0) return [];
  const macos = targetOs(ctx.profile) === 'darwin';
  const edits = cpuEdits(
    set,
    flagged.map((x) => x.b),
    macos,
    (file, span) => removalSpan(file.text, span),
  );
  const fix: Fix | null = edits.length
    ? { title: macos ? 'Use the CPU builds (macOS wheels from PyPI)' : 'Use the CPU builds', edits, preferred: true }
    : null;
  const machine = ctx.machine ?? 'the target machine';
  const cause = `cuda-unavailable\0${set.root}\0torch`;
  return flagged.map(({ b, why }): Finding => {
    const what = b.kind === 'torch-index' ? `The PyTorch ${describeCuda(b)} index` : `A ${describeCuda(b)} build`;
    return finding(
      'cuda-unavailable',
      b.file,
      b.span,
      `${what} on ${machine} (${why.short}): it runs on the CPU only\n` +
        `${b.label} is a ${describeCuda(b)} build, and ${why.long}: it would run on the CPU only, or fail to install.`,
      { fixes: fix ? [fix] : [], ...(isTorchVariantBuild(b) ? { cause } : {}) },
    );
  });
}
