// `cuda-mix`: builds for different CUDA versions in one environment set.
import { finding } from '../model/finding';
import { variantToCuda } from '../knowledge/cuda';
import { coexistsAcrossCudaMajors, jaxPluginPattern } from '../knowledge/gpu-packages';
import { formatCuda } from '../knowledge/types';
import type { Finding, Fix } from '../model/types';
import {
  compatible,
  cudaBuilds,
  describeCuda,
  isTorchVariantBuild,
  retargetAll,
  torchVariantsFor,
  type CudaBuild,
  buildName,
  sentence,
} from './cuda-builds';
import { runsOnTarget } from './cuda-driver';
import { describeRoute, routeName, splitTorchRoutes } from './uv-torch-routes';
import type { Check, CheckContext } from './types';
import type { EnvironmentSet } from '../model/sets';

/**
 * Flags builds for different CUDA versions that would be installed together: different majors anywhere
 * (`cupy-cuda11x` with the cu121 PyTorch index, `pytorch-cuda=12.1` with `cudatoolkit=11.8`), or different
 * minors where both fix the minor (`torch==2.1.0+cu118` with `torchvision==0.16.0+cu121`). Extras and groups
 * are judged each with the base, never against each other.
 *
 * In a uv project, also a package built with torch (torchvision, xformers, ...) that `[tool.uv.sources]` takes from
 * another index than torch, where one of them is a PyTorch CUDA index (its fix routes it to torch's index).
 *
 * Bad: `torch==2.1.0+cu118` and `torchvision==0.16.0+cu121`. Good: both `+cu121`.
 * Fix: one CUDA version for the whole set, one fix per version present (the newest the target's driver runs
 * is preferred), PyTorch index URLs and local labels switched together.
 */
/** Messages lead with a verdict a Problems row shows whole. */
const VERDICT_MAX = 100;

/** "torch==2.1.0+cu118 is CUDA 11.8, but this environment also gets CUDA 12.1 builds", else shorter. */
function mixVerdict(b: CudaBuild, others: CudaBuild[]): string {
  const versions = [...new Set(others.map(describeCuda))];
  const also = `${versions.length > 1 ? `${versions.slice(0, -1).join(', ')} and ${versions.at(-1)}` : versions[0]} builds`;
  const forms = [
    `${buildName(b)} is ${describeCuda(b)}, but this environment also gets ${also}`,
    `a ${describeCuda(b)} build is mixed with ${also} in this environment`,
    `a ${describeCuda(b)} build is mixed with builds of other CUDA versions`,
  ];
  return sentence(forms.find((f) => f.length < VERDICT_MAX) ?? forms[forms.length - 1]!);
}

export const cudaMix: Check = {
  code: 'cuda-mix',
  description: 'Packages built for different CUDA major/minor versions in one environment set.',
  run(set, ctx) {
    const all = cudaBuilds(set, ctx);
    const scopes = [...new Set(all.map((b) => b.scope).filter((s) => s !== ''))].sort();
    const groups = [
      all.filter((b) => b.scope === ''),
      ...scopes.map((s) => all.filter((b) => b.scope === '' || b.scope === s)),
    ];
    const out = new Map<string, Finding>();
    for (const builds of groups) {
      const clash = clashIn(builds);
      const clashing = builds.filter((b) => builds.some((o) => o !== b && clash(b, o)));
      if (clashing.length === 0) continue;
      const fixes = fixesFor(set, builds, ctx);
      for (const b of clashing) {
        const key = `${b.file}\0${b.span.start}`;
        if (out.has(key)) continue;
        const others = builds.filter((o) => o !== b && clash(b, o));
        out.set(
          key,
          finding(
            'cuda-mix',
            b.file,
            b.span,
            `${mixVerdict(b, others)}\n` +
              `${b.label} is a ${describeCuda(b)} build; the same environment also gets ` +
              `${others.map((o) => `${describeCuda(o)} from ${o.label}`).join(' and ')}. ` +
              `Builds for different CUDA versions load mismatched libraries or cannot be resolved together.`,
            {
              related: others.map((o) => ({ file: o.file, span: o.span, message: `${describeCuda(o)} build` })),
              fixes,
            },
          ),
        );
      }
    }
    for (const split of splitTorchRoutes(set, ctx.markerEnvironment)) {
      const span = split.at?.span ?? split.dep.span;
      const key = `${split.file.path}\0${span.start}`;
      if (out.has(key)) continue;
      const target = split.torch.index && split.torch.index !== 'local' ? split.torch.index.name : '';
      const uv = split.file.uvIndexes!;
      out.set(
        key,
        finding(
          'cuda-mix',
          split.file.path,
          span,
          `${split.dep.name} and torch come from different indexes: ${routeName(split.route, uv)} and ` +
            `${routeName(split.torch, uv)}\n` +
            `${split.dep.name} is taken from ${describeRoute(split.route)}, torch from ${describeRoute(split.torch)}. ` +
            `uv installs the two builds together, and ${split.dep.name}'s compiled parts do not load against ` +
            `another torch build.`,
          {
            fixes: split.fix
              ? [{ title: `Take ${split.dep.name} from ${target}, as torch`, edits: split.fix, preferred: true }]
              : [],
          },
        ),
      );
    }
    return [...out.values()];
  },
};

/**
 * Whether two builds of a group cannot be installed together: incompatible CUDA versions, unless both are builds that
 * coexist by design (JAX's CUDA plugins and their NVIDIA wheels) and the group has a JAX plugin for each of their majors,
 * so that each major's libraries belong to a plugin JAX may choose at run time.
 */
function clashIn(builds: readonly CudaBuild[]): (a: CudaBuild, b: CudaBuild) => boolean {
  const pluginMajors = new Set(
    builds.filter((b) => b.kind === 'jax' && b.dep && jaxPluginPattern.test(b.dep.name)).map((b) => b.cuda.major),
  );
  const byDesign = (b: CudaBuild): boolean =>
    !!b.dep && pluginMajors.has(b.cuda.major) && coexistsAcrossCudaMajors(b.dep.name);
  return (a, b) => !compatible(a, b) && !(a.cuda.major !== b.cuda.major && byDesign(a) && byDesign(b));
}

/** One fix per exact CUDA version present in the group that every build can be rewritten for. */
function fixesFor(set: EnvironmentSet, builds: CudaBuild[], ctx: CheckContext): Fix[] {
  const torchVariants = torchVariantsFor(set);
  const targets = new Map<string, { major: number; minor: number }>();
  for (const b of builds) {
    if (b.cuda.minor !== null && b.exact)
      targets.set(`${b.cuda.major}.${b.cuda.minor}`, { major: b.cuda.major, minor: b.cuda.minor });
    else if (builds.some(isTorchVariantBuild)) {
      // A major-only build (cupy-cuda12x): the newest PyTorch variant of that major.
      const v = torchVariants
        .map(variantToCuda)
        .filter((c): c is { major: number; minor: number } => !!c && c.major === b.cuda.major)
        .sort((x, y) => y.minor - x.minor)[0];
      if (v) targets.set(`${v.major}.${v.minor}`, v);
    }
  }
  const found: { fix: Fix; runs: boolean }[] = [];
  for (const t of [...targets.values()].sort((a, b) => b.major - a.major || b.minor - a.minor)) {
    const edits = retargetAll(set, builds, t, torchVariants);
    if (!edits || edits.length === 0) continue;
    const runs = runsOnTarget(ctx.profile, { major: t.major, minor: t.minor })?.runs !== false;
    found.push({
      fix: {
        title:
          `Use CUDA ${formatCuda({ major: t.major, minor: t.minor })} for every build of this ` +
          `environment${runs ? '' : ` (needs a newer driver than ${ctx.profile.nvidia?.driver})`}`,
        edits,
        preferred: false,
      },
      runs,
    });
  }
  const best = found.find((f) => f.runs);
  if (best) best.fix.preferred = true;
  const fixes = found.map((f) => f.fix);
  return fixes;
}
