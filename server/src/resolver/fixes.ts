// Quick-fix search over the resolver: move or narrow one top-level requirement, each fix verified by resolving again.
import { defaultEnvironment, markerTextHolds } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { SpecifierSet } from '../pep/specifier';
import type { Version } from '../pep/version';
import { VersionSet } from '../pep/version-set';
import { simplifySpecifiers } from '../pep/simplify';
import { requirementText, toRequirementSpec } from './python-packages';
import { resolve } from './solver';
import type { MetadataProvider, RequirementSpec, ResolutionOk, ResolveOptions, RootRequirement } from './types';

/** Options of a fix search: those of `resolve` (the time budget covers the whole search) and a cap on attempts. */
export interface FixOptions<O> extends ResolveOptions<O> {
  /** How many candidate fixes to verify at most. Default 12. */
  maxAttempts?: number;
}

/** A verified change to one top-level requirement. */
export interface RequirementFix {
  /** Index of the changed requirement in `roots`. */
  rootIndex: number;
  /** Normalized package name. */
  name: string;
  /** The new version specifier (`==2.15.0`, `>=1.23.2,<1.24.4`). */
  specifier: string;
  /** The whole new requirement, extras and marker kept (`tensorflow==2.15.0`). */
  requirement: string;
  /** The resolution that verified it. */
  resolution: ResolutionOk;
}

function withRoot<O>(roots: readonly RootRequirement<O>[], i: number, spec: RequirementSpec): RootRequirement<O>[] {
  return roots.map((r, j) => (j === i ? { requirement: spec, origin: r.origin } : r));
}

function sharedOptions<O>(options: FixOptions<O>): ResolveOptions<O> {
  const deadline = Math.min(options.deadline ?? Infinity, Date.now() + (options.timeoutMs ?? 30_000));
  return { ...options, deadline };
}

async function verify<O>(
  roots: readonly RootRequirement<O>[],
  i: number,
  spec: RequirementSpec,
  specifier: string,
  provider: MetadataProvider,
  opts: ResolveOptions<O>,
): Promise<RequirementFix | null> {
  const changed = { ...spec, specifier, url: null };
  const r = await resolve(withRoot(roots, i, changed), provider, opts);
  if (!r.ok) return null;
  return {
    rootIndex: i,
    name: canonicalizeName(spec.name),
    specifier,
    requirement: requirementText(changed),
    resolution: r,
  };
}

/** One requirement resolved without its version constraint: where both fix searches start. */
interface FreeStart {
  spec: RequirementSpec;
  free: ResolutionOk;
  chosen: Version;
}

/** Free resolutions per roots array and index: the searches for one line share the one they start from. */
const freeStarts = new WeakMap<readonly RootRequirement<unknown>[], Map<number, Promise<FreeStart | null>>>();

/** The requirement without a version constraint resolved; null when even that fails (no version of it can help). */
function resolveFree<O>(
  roots: readonly RootRequirement<O>[],
  i: number,
  provider: MetadataProvider,
  opts: ResolveOptions<O>,
): Promise<FreeStart | null> {
  let byIndex = freeStarts.get(roots);
  if (!byIndex) freeStarts.set(roots, (byIndex = new Map()));
  let start = byIndex.get(i);
  if (!start) {
    start = (async () => {
      const spec = toRequirementSpec(roots[i]!.requirement);
      if (spec.url) return null;
      const r = await resolve(withRoot(roots, i, { ...spec, specifier: '' }), provider, opts);
      if (!r.ok) return null;
      const v = r.versions.get(canonicalizeName(spec.name));
      return v ? { spec, free: r, chosen: v } : null;
    })();
    // A stopped (cancelled, out of time) start is not remembered: a later search may have the time.
    start.then(
      (found) => (found === null ? byIndex.delete(i) : undefined),
      () => byIndex.delete(i),
    );
    byIndex.set(i, start);
  }
  return start;
}

/** A fix search over one line: given the free start, proposes specifiers and verifies them. */
type FixSearch = <O>(
  roots: readonly RootRequirement<O>[],
  rootIndex: number,
  provider: MetadataProvider,
  options?: FixOptions<O>,
) => Promise<RequirementFix | null>;

/** Wraps a search body: the shared budget, the shared free resolution, null when that fails. */
function fixSearch(
  body: <O>(
    start: FreeStart,
    roots: readonly RootRequirement<O>[],
    rootIndex: number,
    provider: MetadataProvider,
    options: FixOptions<O>,
    opts: ResolveOptions<O>,
  ) => Promise<RequirementFix | null>,
): FixSearch {
  return async (roots, rootIndex, provider, options = {}) => {
    const opts = sharedOptions(options);
    const start = await resolveFree(roots, rootIndex, provider, opts);
    return start ? body(start, roots, rootIndex, provider, options, opts) : null;
  };
}

/**
 * Moves `roots[rootIndex]` to the nearest version that resolves with everything else (`tensorflow==2.13.0` ->
 * `tensorflow==2.15.0`): candidates are tried by their distance, in the index's version list, from the versions
 * the current specifier admits (the newer one first on a tie), and each is verified by a full resolution.
 * Null when no version of the package resolves, or the attempts or the time run out.
 */
export const nearestResolvingVersion: FixSearch = fixSearch(
  async (start, roots, rootIndex, provider, options, opts) => {
    const { spec, chosen } = start;
    const asc = [...(await provider.versions(canonicalizeName(spec.name), options.signal))].reverse();
    let current: VersionSet;
    let pre = false;
    try {
      const s = SpecifierSet.parse(spec.specifier);
      current = VersionSet.fromSpecifierSet(s);
      pre = s.prereleases === true;
    } catch {
      return null;
    }
    const inside = asc.map((v, k) => (current.contains(v) ? k : -1)).filter((k) => k >= 0);
    let pivot = asc.length;
    const w = current.witness();
    if (w) {
      const p = asc.findIndex((v) => v.compare(w) >= 0);
      pivot = p < 0 ? asc.length : p;
    }
    const distance = (k: number): number =>
      inside.length ? Math.min(...inside.map((j) => Math.abs(j - k))) : k >= pivot ? k - pivot + 1 : pivot - k;
    const candidates = asc
      .map((v, k) => ({ v, k, d: distance(k) }))
      .filter((c) => !current.contains(c.v) && (pre || !c.v.isPrerelease || c.v.equals(chosen)))
      .sort((a, b) => a.d - b.d || b.k - a.k);
    const limit = options.maxAttempts ?? 12;
    let attempts = 0;
    let triedChosen = false;
    for (const c of candidates) {
      if (attempts >= limit) break;
      const dChosen = distance(asc.findIndex((v) => v.equals(chosen)));
      if (c.d > dChosen) break;
      attempts++;
      if (c.v.equals(chosen)) triedChosen = true;
      const fix = await verify(roots, rootIndex, spec, `==${c.v}`, provider, opts);
      if (fix) return fix;
      if (options.signal?.aborted || Date.now() > (opts.deadline ?? Infinity)) return null;
    }
    return triedChosen ? null : verify(roots, rootIndex, spec, `==${chosen}`, provider, opts);
  },
);

/**
 * Narrows `roots[rootIndex]` (or replaces its range) so that everything resolves (`numpy>=1.25` ->
 * `numpy>=1.23.2,<1.24.4`): resolves with that requirement unconstrained, collects what the chosen packages, the
 * other top-level requirements and the constraints ask of the package, and offers their intersection (with the
 * original range where they overlap), falling back to the chosen version; each candidate is verified by a full
 * resolution. Null when no version of the package resolves, or the time runs out.
 */
export const narrowToResolve: FixSearch = fixSearch(async (start, roots, rootIndex, provider, options, opts) => {
  const { spec, free, chosen } = start;
  const name = canonicalizeName(spec.name);
  const env = options.markerEnvironment ?? defaultEnvironment();
  const holds = (marker: string, extra: string): boolean => markerTextHolds(marker, env, extra);
  if ((options.overrides ?? []).some((o) => canonicalizeName(toRequirementSpec(o.requirement).name) === name))
    return null;
  const texts: string[] = [];
  const take = (r: RequirementSpec, extra: string): void => {
    if (canonicalizeName(r.name) === name && !r.url && r.specifier && holds(r.marker, extra)) texts.push(r.specifier);
  };
  roots.forEach((r, j) => {
    if (j !== rootIndex) take(toRequirementSpec(r.requirement), '');
  });
  for (const c of options.constraints ?? []) take(toRequirementSpec(c.requirement), '');
  const selected: Array<[string, Version]> = [...free.versions];
  for (const [pkg, v] of selected) {
    if (pkg === name) continue;
    const meta = await provider.dependencies(pkg, v, options.signal);
    if (meta === 'unknown') continue;
    for (const r of meta.requires) {
      take(r, '');
      for (const x of free.extras.get(pkg) ?? []) take(r, x);
    }
  }
  const tries: string[] = [];
  if (texts.length > 0) {
    const collected = simplifySpecifiers(texts);
    if (spec.specifier) {
      const both = VersionSet.fromSpecifierSet(SpecifierSet.parse(`${spec.specifier},${collected}`));
      if (!both.isEmpty()) tries.push(simplifySpecifiers([spec.specifier, collected]));
    }
    tries.push(collected);
  }
  tries.push(`==${chosen}`);
  for (const specifier of [...new Set(tries)]) {
    const fix = await verify(roots, rootIndex, spec, specifier, provider, opts);
    if (fix) return fix;
    if (options.signal?.aborted || Date.now() > (opts.deadline ?? Infinity)) return null;
  }
  return null;
});
