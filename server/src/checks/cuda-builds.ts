// Finds the CUDA builds an environment set asks for (local labels, the PyTorch index, nvidia-*-cuNN, CuPy, JAX extras,
// conda CUDA pins) and rewrites them to another CUDA version.
import {
  condaCudaPackage,
  cudaOfBuildString,
  cupyCuda,
  cupyForMajor,
  cupyPackage,
  cupyPackages,
  jaxExtra,
  jaxPluginPattern,
  nvidiaComponents,
  nvidiaWheelMajor,
} from '../knowledge/gpu-packages';
import {
  allTorchCudaVariants,
  parseTorchIndexUrl,
  torchFamily,
  torchRelease,
  releaseOfCompanion,
  type TorchRelease,
} from '../knowledge/pytorch';
import { tensorflowRelease, tensorflowReleases } from '../knowledge/tensorflow';
import { cudaToVariant, variantToCuda } from '../knowledge/cuda';
import { formatCuda, parseCudaVersion, type CudaVersion } from '../knowledge/types';
import type { Dependency, FileOption, LockedPackage, ParsedFile, Span, TextEdit } from '../model/types';
import { SpecifierSet } from '../pep/specifier';
import { hasPep440Text, requirementText, where } from './edits';
import { answeredByLock, isLockedDependency, lockedFiles, lockedLabel, lockedOnTarget } from './locked';
import { markerHolds, scopeOf, uvLeavesOut } from './scope';
import type { CheckContext } from './types';
import { torchDeclarations, torchIndexCuda } from './uv-torch-routes';
import type { EnvironmentSet } from '../model/sets';

/** How a build states its CUDA version. */
export type CudaBuildKind = 'local-label' | 'torch-index' | 'nvidia-wheel' | 'cupy' | 'jax' | 'tensorflow' | 'conda';

/** One declaration that selects a CUDA build. */
export interface CudaBuild {
  kind: CudaBuildKind;
  cuda: CudaVersion;
  /**
   * True when the minor must match the other builds (`+cu121`, the cu121 index, `pytorch-cuda=12.1`); false when any
   * minor of the major does (`cupy-cuda12x`).
   */
  exact: boolean;
  file: string;
  span: Span;
  /**
   * How the build is written, for messages: `torch==2.1.0+cu121`, `--index-url https://download.pytorch.org/whl/cu121`.
   */
  label: string;
  /** Where it is written, for messages: `requirements.txt:3`. */
  where: string;
  /** '' for what is always installed; else the extra or group (see scope.ts). */
  scope: string;
  dep?: Dependency;
  option?: FileOption;
  /** A uv project's `[[tool.uv.index]]` url (never removed: switched to another variant). */
  uvIndex?: boolean;
  /** For `local-label` and `torch-index`: the variant (`cu121`) and the span of its text, for edits. */
  variant?: { text: string; span: Span };
}

const INDEX_OPTIONS = new Set(['--index-url', '--extra-index-url', '--find-links']);

/** The exact version a declaration pins (`==2.1.0+cu121`, conda `2.1.0`), or null where it admits more than one. */
export function pinnedVersion(dep: Dependency): string | null {
  if (dep.kind === 'conda') {
    // conda's `=2.1.0` is the fuzzy `2.1.0.*`: with three or more components it names one release.
    const v = (dep.conda?.version ?? '').trim().replace(/^(\d+\.\d+\.\d+[\w.+!]*)\.\*$/, '$1');
    const m = /^(?:==?)?(\d[\w.+!]*)$/.exec(v);
    return m && !m[1]!.includes('*') ? m[1]! : null;
  }
  if (!dep.specifier || dep.specifierUnknown) return null;
  try {
    const set = SpecifierSet.parse(dep.specifier);
    if (set.specifiers.length !== 1) return null;
    const s = set.specifiers[0]!;
    return (s.operator === '==' || s.operator === '===') && !s.version.includes('*') ? s.version : null;
  } catch {
    return null;
  }
}

function fileOf(set: EnvironmentSet, p: string): ParsedFile | undefined {
  return set.files.find((f) => f.path === p);
}

/** Where `needle` is written inside `span` of the file (case-insensitive), as an absolute span. */
function findIn(file: ParsedFile | undefined, span: Span, needle: RegExp): { text: string; span: Span } | null {
  if (!file) return null;
  const slice = file.text.slice(span.start, span.end);
  const m = needle.exec(slice);
  if (!m) return null;
  const start = span.start + m.index;
  return { text: m[0], span: { start, end: start + m[0].length } };
}

function condaCuda(dep: Dependency): { cuda: CudaVersion; exact: boolean } | null {
  const known = condaCudaPackage(dep.name);
  if (known?.versionIsCuda) {
    const v = (dep.conda?.version ?? '').trim().replace(/^==?/, '').replace(/\.\*$/, '').replace(/\*$/, '');
    const c = parseCudaVersion(v);
    if (c) return { cuda: c, exact: c.minor !== null };
  }
  const build = dep.conda?.build ? cudaOfBuildString(dep.conda.build) : null;
  return build ? { cuda: build, exact: true } : null;
}

const buildsCache = new WeakMap<EnvironmentSet, { env: CheckContext['markerEnvironment']; builds: CudaBuild[] }>();

/**
 * Every CUDA build the set declares on the target (markers that hold, build requirements left out), in file order;
 * computed once per set and target.
 */
export function cudaBuilds(set: EnvironmentSet, ctx: CheckContext): CudaBuild[] {
  const hit = buildsCache.get(set);
  if (hit && hit.env === ctx.markerEnvironment) return hit.builds;
  const builds = findCudaBuilds(set, ctx);
  buildsCache.set(set, { env: ctx.markerEnvironment, builds });
  return builds;
}

function findCudaBuilds(set: EnvironmentSet, ctx: CheckContext): CudaBuild[] {
  const out: CudaBuild[] = [];
  for (const file of set.files) {
    for (const opt of file.options) {
      if (!INDEX_OPTIONS.has(opt.name) || !opt.value) continue;
      const parsed = parseTorchIndexUrl(opt.value);
      const cuda = parsed ? variantToCuda(parsed.variant) : null;
      if (!parsed || !cuda) continue;
      const v = findIn(
        file,
        opt.span,
        new RegExp(`(?<=download\\.pytorch\\.org/whl/(?:test/|nightly/)?)${parsed.variant}`, 'i'),
      );
      out.push({
        kind: 'torch-index',
        cuda,
        exact: true,
        file: file.path,
        span: opt.span,
        label: `${opt.name} ${opt.value}`,
        where: whereSpan(file, opt.span),
        scope: '',
        option: opt,
        variant: v ?? undefined,
      });
    }
    // A uv project's PyTorch CUDA index stands for the builds of what is taken from it, in their scopes.
    if (file === set.files[0]) out.push(...uvIndexBuilds(set, file, ctx));
    const leftOut = uvLeavesOut(set, ctx.markerEnvironment);
    // Made only when a build is found: most lines are not CUDA builds (asked first, before the marker and locks).
    const base = (dep: Dependency) => ({
      file: file.path,
      span: dep.span,
      label: dep.text.trim(),
      where: where(dep, set.files),
      scope: scopeOf(dep)!,
      dep,
    });
    for (const dep of file.dependencies) {
      if (scopeOf(dep) === null) continue;
      const b = buildOf(dep, file, base);
      if (!b || !markerHolds(dep, ctx.markerEnvironment) || leftOut?.(dep)) continue;
      // A package a lock of the set answers for: its locked entry carries the build.
      if (!answeredByLock(dep, set, ctx.markerEnvironment)) out.push(b);
    }
  }
  for (const { entry, dep, scope } of lockedOnTarget(set, ctx.markerEnvironment)) {
    const base = (): Pick<CudaBuild, 'file' | 'span' | 'label' | 'where' | 'scope' | 'dep'> => ({
      file: entry.file,
      span: dep.span,
      label: lockedLabel(dep) ?? dep.text,
      where: where(dep, set.files),
      scope,
      dep,
    });
    const b = buildOf(dep, undefined, base) ?? wheelBuild(entry, ctx, base);
    if (b) out.push(b);
  }
  return out;
}

/** The CUDA build one declaration selects, or null; `file` (where edits may go) is absent for a lock entry. */
/**
 * Whether a declaration takes part in what the CUDA checks judge: a CUDA build itself, or a package of the PyTorch
 * family (its pinned release decides the variants a fix may choose).
 */
export function readByCudaChecks(dep: Dependency): boolean {
  return (
    torchFamily.includes(dep.name) ||
    dep.name === 'pytorch' ||
    buildOf(dep, undefined, () => ({ file: dep.file, span: dep.span, label: '', where: '', scope: '', dep })) !== null
  );
}

/** A `+cuNNN` local version label (PyTorch's builds). */
const CUDA_LABEL = /\+cu(\d{2,3})(?![\d])/i;
/** The same label's variant, where a fix rewrites it. */
const CUDA_LABEL_VARIANT = /(?<=\+)cu\d{2,3}(?!\d)/i;
/** A `+cudaNN` local version label (jaxlib's builds). */
const JAX_CUDA_LABEL = /\+cuda(\d{2})(?:\.|$)/i;

function buildOf(
  dep: Dependency,
  file: ParsedFile | undefined,
  base: (dep: Dependency) => Pick<CudaBuild, 'file' | 'span' | 'label' | 'where' | 'scope' | 'dep'>,
): CudaBuild | null {
  if (dep.kind === 'conda') {
    const c = condaCuda(dep);
    return c ? { kind: 'conda', ...c, ...base(dep) } : null;
  }
  // Most specifiers name no local label: the patterns run only where a `+` is written.
  const plus = dep.specifier.includes('+');
  const label = plus ? CUDA_LABEL.exec(dep.specifier) : null;
  if (label) {
    const cuda = variantToCuda(`cu${label[1]}`);
    const v = findIn(file, dep.specifierSpan, CUDA_LABEL_VARIANT);
    return cuda ? { kind: 'local-label', cuda, exact: true, ...base(dep), variant: v ?? undefined } : null;
  }
  const jaxLabel = plus ? JAX_CUDA_LABEL.exec(dep.specifier) : null;
  if (jaxLabel)
    return { kind: 'local-label', cuda: { major: Number(jaxLabel[1]), minor: null }, exact: false, ...base(dep) };
  const nv = nvidiaWheelMajor(dep.name);
  if (nv !== null) return { kind: 'nvidia-wheel', cuda: { major: nv, minor: null }, exact: false, ...base(dep) };
  const cp = cupyPackage(dep.name);
  if (cp) {
    const cuda = cupyCuda(cp);
    return { kind: 'cupy', cuda, exact: cuda.minor !== null, ...base(dep) };
  }
  if (dep.name === 'jax') {
    const ex = dep.extras.map(jaxExtra).find((e) => e !== undefined);
    return ex ? { kind: 'jax', cuda: { major: ex.cudaMajor, minor: null }, exact: false, ...base(dep) } : null;
  }
  const plugin = jaxPluginPattern.exec(dep.name);
  if (plugin) return { kind: 'jax', cuda: { major: Number(plugin[1]), minor: null }, exact: false, ...base(dep) };
  if (dep.name === 'tensorflow' && dep.extras.includes('and-cuda')) {
    const pinned = pinnedVersion(dep);
    const rel = pinned ? tensorflowRelease(pinned) : tensorflowReleases[tensorflowReleases.length - 1];
    const c = rel ? parseCudaVersion(rel.cuda) : null;
    if (c) return { kind: 'tensorflow', cuda: { major: c.major, minor: null }, exact: false, ...base(dep) };
  }
  return null;
}

/**
 * A locked entry whose version says nothing of CUDA, but whose wheels for the target do: every wheel the lock lists
 * that fits carries a `+cuNNN` label (a build from the PyTorch index the lock records by file).
 */
function wheelBuild(
  entry: LockedPackage,
  ctx: CheckContext,
  base: () => Pick<CudaBuild, 'file' | 'span' | 'label' | 'where' | 'scope' | 'dep'>,
): CudaBuild | null {
  const files = lockedFiles(entry, ctx.profile);
  if (files.kind !== 'wheel') return null;
  const labels = new Set(files.wheels.map((w) => /\+cu(\d{2,3})$/i.exec(w.version)?.[1] ?? ''));
  if (labels.size !== 1 || labels.has('')) return null;
  const cuda = variantToCuda(`cu${[...labels][0]}`);
  return cuda ? { kind: 'local-label', cuda, exact: true, ...base() } : null;
}

function whereSpan(file: ParsedFile, span: Span): string {
  const line = file.text.slice(0, span.start).split('\n').length;
  return `${file.path.split(/[\\/]/).pop() ?? file.path}:${line}`;
}

/**
 * True when a build of `a` and one of `b` can live in one environment: the same major, and the same minor where both
 * fix it.
 */
export function compatible(
  a: CudaBuild | { cuda: CudaVersion; exact: boolean },
  b: { cuda: CudaVersion; exact: boolean },
): boolean {
  if (a.cuda.major !== b.cuda.major) return false;
  if (a.exact && b.exact && a.cuda.minor !== null && b.cuda.minor !== null) return a.cuda.minor === b.cuda.minor;
  return true;
}

/** The builds that belong to the PyTorch index's variant: labels of torch/torchvision/torchaudio and the index URLs. */
export function isTorchVariantBuild(b: CudaBuild): boolean {
  return (
    b.kind === 'torch-index' ||
    (b.kind === 'local-label' && b.variant !== undefined && !!b.dep && torchFamily.includes(b.dep.name))
  );
}

/** The torch release the set pins (through torch, torchvision or torchaudio), if any. */
export function pinnedTorchRelease(set: EnvironmentSet): TorchRelease | undefined {
  for (const f of set.files) {
    for (const d of f.dependencies) {
      if (!torchFamily.includes(d.name) && d.name !== 'pytorch') continue;
      const v = pinnedVersion(d);
      if (!v) continue;
      const rel =
        d.name === 'torch' || d.name === 'pytorch'
          ? torchRelease(v)
          : releaseOfCompanion(d.name as 'torchvision' | 'torchaudio', v);
      if (rel) return rel;
    }
  }
  return undefined;
}

/** The CUDA variants of the PyTorch index the set can switch to: the pinned release's, else every known one. */
export function torchVariantsFor(set: EnvironmentSet): string[] {
  return pinnedTorchRelease(set)?.cuda ?? allTorchCudaVariants();
}

/**
 * Edits that make one build a build for `target` (an exact major.minor), or null where that cannot be
 * written: a PyTorch variant the release does not offer, a CuPy or JAX major that does not exist, TensorFlow.
 */
export function retarget(
  set: EnvironmentSet,
  b: CudaBuild,
  target: { major: number; minor: number },
  torchVariants: string[],
): TextEdit[] | null {
  // A lock entry is written by its tool: no edit of it fixes anything.
  if (b.dep && isLockedDependency(b.dep)) return null;
  const file = fileOf(set, b.file);
  switch (b.kind) {
    case 'local-label':
    case 'torch-index': {
      if (!b.variant) return null;
      const v = cudaToVariant(target);
      if (isTorchVariantBuild(b) && !torchVariants.includes(v)) return null;
      return [{ file: b.file, span: b.variant.span, newText: v }];
    }
    case 'cupy': {
      const name =
        cupyForMajor(target.major)?.package ??
        cupyPackages.find((p) => p.cudaMin === `${target.major}.${target.minor}` && p.cudaMax === p.cudaMin)?.package;
      return name && b.dep ? [{ file: b.file, span: b.dep.nameSpan, newText: name }] : null;
    }
    case 'jax': {
      if (!b.dep) return null;
      if (b.dep.name === 'jax') {
        if (!jaxExtra(`cuda${target.major}`)) return null;
        const ex = findIn(file, b.dep.span, /(?<=[[,]\s*)cuda\d+(?=[-_.]?local\b|\s*[\],])/i);
        return ex ? [{ file: b.file, span: ex.span, newText: `cuda${target.major}` }] : null;
      }
      if (target.major < 12) return null;
      return [{ file: b.file, span: b.dep.nameSpan, newText: b.dep.name.replace(/cuda\d+/, `cuda${target.major}`) }];
    }
    case 'nvidia-wheel': {
      if (!b.dep) return null;
      const comp = nvidiaComponents.find(
        (c) => c.cu11 === b.dep!.name || c.cu12 === b.dep!.name || c.cu13 === b.dep!.name,
      );
      const name = comp
        ? target.major === 11
          ? comp.cu11
          : target.major === 12
            ? comp.cu12
            : target.major === 13
              ? comp.cu13
              : null
        : null;
      // CUDA 13 toolkit wheels carry the major in their version, not their name: a rename alone would not pin it.
      if (!name || (target.major === 13 && !name.endsWith('-cu13'))) return null;
      return [{ file: b.file, span: b.dep.nameSpan, newText: name }];
    }
    case 'conda': {
      if (!b.dep) return null;
      const known = condaCudaPackage(b.dep.name);
      const text = `${target.major}.${target.minor}`;
      if (known?.versions && !known.versions.includes(text)) return null;
      if (b.dep.name === 'cudatoolkit' && known?.cudaMajors && !known.cudaMajors.includes(target.major)) {
        return [{ file: b.file, span: b.dep.span, newText: `cuda-version=${text}` }];
      }
      const digits = findIn(file, b.dep.specifierSpan, /\d+\.\d+(?:\.[\d*]+)*/);
      return digits ? [{ file: b.file, span: digits.span, newText: text }] : null;
    }
    case 'tensorflow':
      return null;
  }
}

/**
 * Edits that make every build of `builds` not compatible with `target` into one for it (torch labels and
 * index URLs switched together); null when one of them cannot be rewritten.
 */
export function retargetAll(
  set: EnvironmentSet,
  builds: CudaBuild[],
  target: { major: number; minor: number },
  torchVariants: string[],
): TextEdit[] | null {
  const edits: TextEdit[] = [];
  const want = { cuda: target, exact: true };
  for (const b of builds) {
    const needsTorchSwitch = isTorchVariantBuild(b) && b.cuda.minor !== target.minor;
    if (compatible(b, want) && !needsTorchSwitch) continue;
    const e = retarget(set, b, target, torchVariants);
    if (!e) return null;
    edits.push(...e);
  }
  return edits;
}

/**
 * Edits that turn the set's CUDA builds into CPU builds where that can be written: PyTorch labels and index to
 * `cpu` (on macOS the labels dropped and the index lines removed, as macOS wheels carry no label), JAX and
 * TensorFlow CUDA extras dropped. Builds that have no CPU form (CuPy, nvidia-* wheels, conda CUDA pins) are left.
 */
export function cpuEdits(
  set: EnvironmentSet,
  builds: CudaBuild[],
  macos: boolean,
  removal: (file: ParsedFile, span: Span) => Span,
): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const b of builds) {
    const file = fileOf(set, b.file);
    if (isTorchVariantBuild(b) && b.variant) {
      if (!macos) edits.push({ file: b.file, span: b.variant.span, newText: 'cpu' });
      else if (b.uvIndex) edits.push({ file: b.file, span: b.variant.span, newText: 'cpu' });
      else if (b.kind === 'torch-index' && file) edits.push({ file: b.file, span: removal(file, b.span), newText: '' });
      else
        edits.push({ file: b.file, span: { start: b.variant.span.start - 1, end: b.variant.span.end }, newText: '' });
    } else if ((b.kind === 'jax' && b.dep?.name === 'jax') || b.kind === 'tensorflow') {
      const dep = b.dep!;
      if (!hasPep440Text(dep)) continue;
      const extras = dep.extras.filter((e) => (b.kind === 'jax' ? !jaxExtra(e) : e !== 'and-cuda'));
      edits.push({ file: b.file, span: dep.span, newText: requirementText(dep, dep.specifier, extras) });
    }
  }
  return edits;
}

/** `CUDA 12.1` / `CUDA 12.x`. */
export function describeCuda(b: { cuda: CudaVersion }): string {
  return `CUDA ${formatCuda(b.cuda)}`;
}

/** A verdict that starts with "a" or "the" as a sentence; a package's own name is left as written. */
export function sentence(text: string): string {
  return /^(a|the) /.test(text) ? `${text.charAt(0).toUpperCase()}${text.slice(1)}` : text;
}

/** How a verdict names a build: its line where that is short and no URL, else what it is ("the PyTorch CUDA 12.1 index"). */
export function buildName(b: CudaBuild): string {
  if (b.kind === 'torch-index') return `the PyTorch ${describeCuda(b)} index`;
  return b.label.length <= 40 && !/:\/\//.test(b.label) ? b.label : `a ${describeCuda(b)} build`;
}

/**
 * The `[[tool.uv.index]]` entries of a uv project that are PyTorch CUDA indexes and that a PyTorch-variant package is
 * taken from (routed by `[tool.uv.sources]`, or an index that serves unrouted packages): one build per scope that
 * takes from it, on the index's URL.
 */
function uvIndexBuilds(set: EnvironmentSet, file: ParsedFile, ctx: CheckContext): CudaBuild[] {
  if (!file.uvIndexes) return [];
  const out: CudaBuild[] = [];
  const routes = torchDeclarations(set, ctx.markerEnvironment);
  for (const index of file.uvIndexes.indexes) {
    const cuda = torchIndexCuda(index.url);
    if (!cuda) continue;
    const scopes = [...new Set(routes.filter((r) => r.route.index === index).map((r) => scopeOf(r.dep) ?? ''))].sort();
    const parsed = parseTorchIndexUrl(index.url)!;
    const v = findIn(
      file,
      index.urlSpan,
      new RegExp(`(?<=download\\.pytorch\\.org/whl/(?:test/|nightly/)?)${parsed.variant}`, 'i'),
    );
    for (const scope of scopes)
      out.push({
        kind: 'torch-index',
        cuda,
        exact: true,
        file: file.path,
        span: index.urlSpan,
        label: `the ${index.name || 'PyTorch'} index ${index.url}`,
        where: whereSpan(file, index.urlSpan),
        scope,
        uvIndex: true,
        variant: v ?? undefined,
      });
  }
  return out;
}
