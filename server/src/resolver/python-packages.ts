// The Python side of a resolution: pip's rules over a metadata provider (markers, pre-releases, yanked versions,
// overrides, constraints, URL pins, Requires-Python), turned into the packages, versions and dependencies the PubGrub
// core decides over.
import { defaultEnvironment, markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { parseRequirement } from '../pep/requirement';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import { VersionSet } from '../pep/version-set';
import { Incompatibility, ROOT } from './incompatibility';
import { ROOT_VERSION, splitPackage, type Dependencies, type Edge, type PackageSource } from './pubgrub';
import type { RunBudget } from './run-budget';
import { Term } from './term';
import type {
  MetadataProvider,
  PackageMetadata,
  RequirementSpec,
  ResolveOptions,
  RootRequirement,
  UrlMetadata,
} from './types';

/** The end of the `incomplete` note for a URL requirement in a package's metadata, which is never followed. */
export const URL_IN_METADATA =
  'from a URL in its metadata, which is not followed (pip does not follow such URLs either)';

/** Normalizes a requirement given as text or parts; throws `RequirementError` for invalid text. */
export function toRequirementSpec(r: string | RequirementSpec): RequirementSpec {
  if (typeof r !== 'string') return r;
  const p = parseRequirement(r);
  return { name: p.name, extras: p.extras, specifier: p.specifier, marker: p.markerText, url: p.url };
}

/** PEP 508 text of a requirement in parts (`name[x]>=1; marker`). */
export function requirementText(r: RequirementSpec): string {
  let s = r.name + (r.extras.length ? `[${r.extras.join(',')}]` : '');
  if (r.url) s += ` @ ${r.url}`;
  else s += r.specifier;
  if (r.marker) s += `${r.url ? ' ' : ''}; ${r.marker}`;
  return s;
}

/** The packages of one resolution as pip sees them. Not reusable: `resolve` makes a new one per call. */
export class PythonPackages<O> implements PackageSource<O> {
  private readonly env: MarkerEnvironment;
  private readonly python: Version | null;
  private readonly versionsCache = new Map<string, Version[]>();
  private readonly versionsPending = new Map<string, Promise<Version[]>>();
  private readonly metaCache = new Map<string, PackageMetadata | 'unknown'>();
  private readonly setCache = new Map<
    string,
    { set: VersionSet; pre: boolean; empty: boolean; pinned: boolean } | null
  >();
  private readonly pythonCache = new Map<string, boolean>();
  private readonly rangeCache = new Map<string, VersionSet>();
  private readonly explicitPre = new Set<string>();
  /**
   * Packages some requirement pins exactly (`==1.5`, `===1.5`): only these may get a yanked version, as pip decides.
   */
  private readonly pinned = new Set<string>();
  /** `base@versionKey` of the candidates whose every file is yanked. */
  private readonly yanked = new Set<string>();
  private readonly urlPins = new Map<string, UrlMetadata & { url: string }>();
  private readonly opaque = new Set<string>();
  private readonly overrides = new Map<string, Array<{ spec: RequirementSpec; origin: O; text: string }>>();
  private readonly notes: string[] = [];
  /** The root's requirements and constraints, added when the root is decided (so they derive at level 1). */
  readonly rootIncompatibilities: Incompatibility<O>[] = [];

  constructor(
    private readonly roots: readonly RootRequirement<O>[],
    private readonly provider: MetadataProvider,
    private readonly opts: ResolveOptions<O>,
    private readonly budget: RunBudget,
  ) {
    this.env = opts.markerEnvironment ?? defaultEnvironment();
    const py = opts.python ?? this.env['python_full_version'] ?? this.env['python_version'];
    this.python = py === undefined ? null : typeof py === 'string' ? Version.parse(py) : py;
  }

  /** Notes on what could not be followed (unknown metadata, invalid specifiers, URLs in metadata). */
  get incomplete(): readonly string[] {
    return this.notes;
  }

  // ---- inputs -------------------------------------------------------------------------------------------

  /** Whether a marker holds in the target environment with `extra` set; an invalid marker never holds. */
  private markerHolds(text: string, extra: string): boolean {
    return markerTextHolds(text, this.env, extra);
  }

  private specifierSet(text: string): { set: VersionSet; pre: boolean; empty: boolean; pinned: boolean } | null {
    let r = this.setCache.get(text);
    if (r === undefined) {
      try {
        const s = SpecifierSet.parse(text);
        r = {
          set: VersionSet.fromSpecifierSet(s),
          pre: s.prereleases === true,
          empty: s.specifiers.length === 0,
          pinned: s.specifiers.some((x) => x.operator === '===' || (x.operator === '==' && !x.version.endsWith('.*'))),
        };
      } catch {
        r = null;
      }
      this.setCache.set(text, r);
    }
    return r;
  }

  /**
   * The versions a requirement on `name` admits, as pip 23.2 (packaging 21.3) filters candidates: a specifier
   * that names no pre-release admits no pre-release (unless pre-releases are allowed everywhere or another
   * requirement names one), so the known pre-releases are cut out of its set. Records pins and named pre-releases.
   */
  private async requirementSet(name: string, text: string): Promise<{ set: VersionSet; pre: boolean } | null> {
    const s = this.specifierSet(text);
    if (!s) return null;
    if (s.pre) this.explicitPre.add(name);
    if (s.pinned) this.pinned.add(name);
    if (s.empty || s.pre || this.opts.prereleases === true || this.explicitPre.has(name)) return s;
    let set = s.set;
    for (const v of await this.loadVersions(name))
      if (v.isPrerelease && set.contains(v)) set = set.intersect(VersionSet.exactly(v).complement());
    return { set, pre: false };
  }

  private pythonAllows(requiresPython: string | undefined): boolean {
    if (!requiresPython || this.python === null) return true;
    let ok = this.pythonCache.get(requiresPython);
    if (ok === undefined) {
      try {
        ok = SpecifierSet.parse(requiresPython).contains(this.python, true);
      } catch {
        ok = true; // pip ignores a Requires-Python it cannot parse
      }
      this.pythonCache.set(requiresPython, ok);
    }
    return ok;
  }

  /** Reads the overrides, the root's requirements and the constraints into the root's incompatibilities. */
  async setup(): Promise<void> {
    for (const o of this.opts.overrides ?? []) {
      const spec = toRequirementSpec(o.requirement);
      const name = canonicalizeName(spec.name);
      // An override whose marker fails still replaces the requirements on its name, by nothing.
      const list = this.overrides.get(name) ?? [];
      if (this.markerHolds(spec.marker, '')) list.push({ spec, origin: o.origin, text: requirementText(spec) });
      this.overrides.set(name, list);
    }
    const rootTerm = Term.positive(VersionSet.exactly(ROOT_VERSION));
    for (const r of this.roots) {
      const spec = toRequirementSpec(r.requirement);
      if (!spec.url && this.markerHolds(spec.marker, '') && !this.excluded(spec.name, null))
        this.prefetch(canonicalizeName(spec.name));
    }
    for (const r of this.roots) {
      const spec = toRequirementSpec(r.requirement);
      if (!this.markerHolds(spec.marker, '') || this.excluded(spec.name, null)) continue;
      const written = typeof r.requirement === 'string' ? r.requirement.trim() : requirementText(spec);
      for (const { req, origin, text } of this.applyOverrides(spec, r.origin, written)) {
        for (const e of await this.edges(req, null)) {
          this.rootIncompatibilities.push(
            new Incompatibility<O>(
              [
                { pkg: ROOT, term: rootTerm },
                { pkg: e.pkg, term: Term.negative(e.set) },
              ],
              { kind: 'requirement', origin: origin as O, requirement: text },
            ),
          );
        }
      }
    }
    for (const c of this.opts.constraints ?? []) {
      const spec = toRequirementSpec(c.requirement);
      if (!this.markerHolds(spec.marker, '')) continue;
      const name = canonicalizeName(spec.name);
      if (this.opaque.has(name) || this.overrides.has(name) || this.excluded(name, null)) continue;
      let set: VersionSet;
      if (spec.url) {
        const pin = await this.pin(name, spec.url);
        if (!pin) continue;
        set = VersionSet.exactly(pin.version);
      } else {
        const s = await this.requirementSet(name, spec.specifier);
        if (!s) {
          this.notes.push(`${requirementText(spec)}: invalid specifier, ignored`);
          continue;
        }
        set = s.set;
      }
      if (set.isFull()) continue;
      this.rootIncompatibilities.push(
        new Incompatibility<O>(
          [
            { pkg: ROOT, term: rootTerm },
            { pkg: name, term: Term.positive(set.complement()) },
          ],
          {
            kind: 'constraint',
            origin: c.origin,
            requirement: typeof c.requirement === 'string' ? c.requirement.trim() : requirementText(spec),
          },
        ),
      );
    }
  }

  /**
   * Whether uv's `exclude-dependencies` removes a requirement on `name`: everywhere, or (`from`) among the
   * dependencies of one package version.
   */
  private excluded(name: string, from: { base: string; version: Version } | null): boolean {
    const n = canonicalizeName(name);
    if (this.opts.excludes?.has(n)) return true;
    if (!from || !this.opts.scopedExcludes?.length) return false;
    const entries = this.opts.scopedExcludes.filter((e) => e.package === from.base);
    const exact = entries.filter((e) => e.version !== null && Version.parse(e.version)?.equals(from.version));
    return (exact.length ? exact : entries.filter((e) => e.version === null)).some((e) => e.names.includes(n));
  }

  /**
   * uv's scoped overrides of one package version's dependencies, by name (an entry for the exact version is used
   * instead of those for every version); null when none applies.
   */
  private scopedOverridesFor(base: string, v: Version): Map<string, RequirementSpec[]> | null {
    const entries = (this.opts.scopedOverrides ?? []).filter((e) => e.package === base);
    if (entries.length === 0) return null;
    const exact = entries.filter((e) => e.version !== null && Version.parse(e.version)?.equals(v));
    const chosen = exact.length ? exact : entries.filter((e) => e.version === null);
    if (chosen.length === 0) return null;
    const out = new Map<string, RequirementSpec[]>();
    for (const e of chosen)
      for (const text of e.requirements) {
        let spec: RequirementSpec;
        try {
          spec = toRequirementSpec(text);
        } catch {
          continue; // the parser reported it
        }
        const name = canonicalizeName(spec.name);
        out.set(name, [...(out.get(name) ?? []), spec]);
      }
    return out;
  }

  /** A requirement as the overrides leave it: itself, or the overrides on its name (keeping its extras). */
  private applyOverrides(
    spec: RequirementSpec,
    origin: O | null,
    text: string,
  ): Array<{ req: RequirementSpec; origin: O | null; text: string; override: boolean }> {
    const list = this.overrides.get(canonicalizeName(spec.name));
    if (!list) return [{ req: spec, origin, text, override: false }];
    return list.map((o) => ({
      req: { ...o.spec, extras: [...new Set([...o.spec.extras, ...spec.extras])] },
      origin: o.origin,
      text: o.text,
      override: true,
    }));
  }

  /** Reads a direct URL's metadata once; `null` (and the name made opaque) when it cannot be read. */
  private async pin(name: string, url: string): Promise<(UrlMetadata & { url: string }) | null> {
    const have = this.urlPins.get(name);
    if (have) return have;
    if (this.opaque.has(name)) return null;
    const meta = this.provider.urlMetadata
      ? await this.budget.wait(this.provider.urlMetadata(name, url, this.budget.callSignal))
      : 'unknown';
    if (meta === 'unknown') {
      this.opaque.add(name);
      this.notes.push(`${name} @ ${url}: metadata unknown, its requirements were not followed`);
      return null;
    }
    const p = { ...meta, url };
    this.urlPins.set(name, p);
    return p;
  }

  /** The packages and version sets one requirement (markers already checked) asks for. */
  private async edges(spec: RequirementSpec, override: { origin: O; requirement: string } | null): Promise<Edge<O>[]> {
    const name = canonicalizeName(spec.name);
    let set: VersionSet;
    let specifier: string;
    if (spec.url) {
      const p = await this.pin(name, spec.url);
      if (!p) return [];
      set = VersionSet.exactly(p.version);
      specifier = `==${p.version}`;
    } else {
      if (this.opaque.has(name)) return [];
      const s = await this.requirementSet(name, spec.specifier);
      if (!s) {
        this.notes.push(`${requirementText(spec)}: invalid specifier, ignored`);
        return [];
      }
      set = s.set;
      specifier = spec.specifier;
    }
    const out: Edge<O>[] = [{ pkg: name, set, specifier, override, extraOf: null }];
    for (const x of spec.extras)
      out.push({ pkg: `${name}[${canonicalizeName(x)}]`, set, specifier, override, extraOf: null });
    return out;
  }

  // ---- metadata -----------------------------------------------------------------------------------------

  /** Starts fetching a package's versions, once. */
  prefetch(base: string): void {
    if (base === ROOT || this.versionsCache.has(base) || this.versionsPending.has(base) || this.urlPins.has(base))
      return;
    const yanked = this.provider.yankedVersions
      ? this.provider.yankedVersions(base, this.budget.callSignal)
      : Promise.resolve([]);
    // Yanked versions are candidates too (pip takes one when a requirement pins it), marked so that only a pin chooses
    // them.
    const p = Promise.all([this.provider.versions(base, this.budget.callSignal), yanked]).then(([vs, ys]) => {
      if (ys.length === 0) return vs;
      for (const y of ys) this.yanked.add(`${base}@${y.key}`);
      const have = new Set(vs.map((v) => v.key));
      return [...vs, ...ys.filter((y) => !have.has(y.key))].sort((a, b) => b.compare(a));
    });
    p.catch(() => undefined);
    this.versionsPending.set(base, p);
  }

  async loadVersions(base: string): Promise<Version[]> {
    const have = this.knownVersions(base);
    if (have) return have;
    this.prefetch(base);
    const list = await this.budget.wait(this.versionsPending.get(base)!);
    this.versionsPending.delete(base);
    this.versionsCache.set(base, list);
    return list;
  }

  /** Candidates of a package id (newest first) when already loaded. */
  knownVersions(base: string): Version[] | undefined {
    if (base === ROOT) return [ROOT_VERSION];
    const pin = this.urlPins.get(base);
    if (pin) return [pin.version];
    return this.versionsCache.get(base);
  }

  private async metadata(base: string, v: Version): Promise<PackageMetadata | 'unknown'> {
    const pin = this.urlPins.get(base);
    if (pin && pin.version.equals(v)) return pin;
    const key = `${base}@${v.key}`;
    let m = this.metaCache.get(key);
    if (m === undefined) {
      m = await this.budget.wait(this.provider.dependencies(base, v, this.budget.callSignal));
      this.metaCache.set(key, m);
    }
    return m;
  }

  /** What `pkg` (not the root) at `v` needs, grouped per package; or the `Requires-Python` that excludes the target. */
  async dependenciesOf(pkg: string, v: Version): Promise<Dependencies<O>> {
    const { base, extra } = splitPackage(pkg);
    const meta = await this.metadata(base, v);
    const raw: Edge<O>[] = [];
    if (meta === 'unknown') {
      if (!extra) this.notes.push(`${base} ${v}: dependencies unknown`);
    } else {
      if (!this.pythonAllows(meta.requiresPython))
        return { kind: 'python', requiresPython: meta.requiresPython!, python: this.python!.toString() };
      // Their versions are needed to build the requirement sets: ask for all at once rather than one by one.
      // uv's scoped overrides of this version's dependencies replace (or add) theirs, before any global override.
      const scoped = extra ? null : this.scopedOverridesFor(base, v);
      const requires = scoped
        ? [...meta.requires.filter((r) => !scoped.has(canonicalizeName(r.name))), ...[...scoped.values()].flat()]
        : meta.requires;
      const kept = requires.filter((r) => !this.excluded(r.name, { base, version: v }));
      for (const r of kept) if (!r.url && this.markerHolds(r.marker, extra)) this.prefetch(canonicalizeName(r.name));
      for (const r of kept) {
        if (!this.markerHolds(r.marker, extra)) continue;
        if (extra && this.markerHolds(r.marker, '')) continue; // the base package brings it already
        // A URL requirement in an index package's metadata is not followed (pip refuses it too): no request is made.
        if (r.url) {
          const note = `${base} ${v} requires ${r.name} ${URL_IN_METADATA}`;
          if (!this.notes.includes(note)) this.notes.push(note);
          continue;
        }
        const replaced = scoped?.has(canonicalizeName(r.name))
          ? [{ req: r, origin: null, override: false }]
          : this.applyOverrides(r, null, '');
        for (const { req, origin, override } of replaced) {
          const ov = override ? { origin: origin as O, requirement: requirementText(req) } : null;
          for (const e of await this.edges(req, ov)) if (e.pkg !== pkg) raw.push(e);
        }
      }
    }
    if (extra) raw.push({ pkg: base, set: VersionSet.exactly(v), specifier: `==${v}`, override: null, extraOf: base });
    // One incompatibility per depended-on package: several requirements on it are intersected.
    const grouped = new Map<string, Edge<O>>();
    for (const e of raw) {
      const g = grouped.get(e.pkg);
      if (!g) grouped.set(e.pkg, e);
      else
        grouped.set(e.pkg, {
          ...g,
          set: g.set.intersect(e.set),
          specifier: [g.specifier, e.specifier].filter(Boolean).join(','),
          override: g.override ?? e.override,
        });
    }
    return { kind: 'deps', edges: [...grouped.values()] };
  }

  /**
   * The versions that `v` stands for in facts about it: from `v` up to the next newer candidate (from the bottom
   * for the oldest, to the top for the newest). No other candidate lies inside, so a fact about the range is a
   * fact about `v`; adjacent ranges join without gaps, so facts about neighbouring versions merge into one range.
   */
  rangeOf(pkg: string, v: Version): VersionSet {
    const { base } = splitPackage(pkg);
    const key = `${base}@${v.key}`;
    const have = this.rangeCache.get(key);
    if (have) return have;
    const list = this.knownVersions(base) ?? [];
    const i = list.findIndex((x) => x.equals(v));
    let range = VersionSet.exactly(v);
    if (i >= 0 && v.local === null) {
      const newer = i > 0 ? list[i - 1]! : null;
      const older = i + 1 < list.length ? list[i + 1]! : null;
      const from = older ? this.specifierSet(`>=${v}`)?.set : VersionSet.full();
      const below =
        newer && newer.local === null
          ? this.specifierSet(`>=${newer}`)?.set.complement()
          : newer
            ? undefined
            : VersionSet.full();
      if (from && below) range = from.intersect(below);
    }
    this.rangeCache.set(key, range);
    return range;
  }

  /**
   * The newest candidate that `fits` (the package's term and its base's) and that pip would offer: a pre-release only
   * with `--pre`, when a requirement names one, or when the project has no final release at all (requirements that
   * name none already cut pre-releases out of their sets); a yanked version only when a requirement pins it.
   */
  pickVersion(pkg: string, fits: (v: Version) => boolean): Version | null {
    const { base } = splitPackage(pkg);
    const list = this.knownVersions(base)!;
    const anyPre = this.opts.prereleases === true || this.explicitPre.has(base) || list.every((v) => v.isPrerelease);
    const yankedOk = this.pinned.has(base);
    const installed = this.opts.preferred?.get(base);
    if (installed !== undefined) {
      // pip keeps an installed distribution that satisfies every requirement on it, however new the index's are.
      const want = Version.parse(installed);
      const v = want && list.find((x) => x.equals(want));
      if (v && fits(v)) return v;
    }
    for (const v of list) {
      if (!fits(v)) continue;
      if (v.isPrerelease && !anyPre) continue;
      if (!yankedOk && this.yanked.has(`${base}@${v.key}`)) continue;
      return v;
    }
    return null;
  }

  /** Whether a direct URL pins the package's version. */
  isUrlPinned(base: string): boolean {
    return this.urlPins.has(base);
  }
}
