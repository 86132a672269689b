// The PubGrub solver: unit propagation, decision making and conflict resolution over a metadata provider.
import { defaultEnvironment, markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { parseRequirement } from '../pep/requirement';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import { VersionSet } from '../pep/version-set';
import { Incompatibility, ROOT, type IncompatibilityCause, type PackageTerm } from './incompatibility';
import { explain, type ReportContext } from './report';
import { nextTurn, sliceSpent } from '../model/turns';
import { Term } from './term';
import type {
  MetadataProvider,
  PackageMetadata,
  RequirementSpec,
  Resolution,
  ResolveOptions,
  RootRequirement,
  UrlMetadata,
} from './types';

/** The one version of the root package. */
export const ROOT_VERSION = Version.parse('0')!;

const DEFAULT_MAX_STEPS = 200_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** The end of the `incomplete` note for a URL requirement in a package's metadata, which is never followed. */
export const URL_IN_METADATA =
  'from a URL in its metadata, which is not followed (pip does not follow such URLs either)';

/** One entry of the partial solution: a decision (`cause === null`) or a derivation. */
interface Assignment<O> {
  readonly pkg: string;
  readonly term: Term;
  readonly level: number;
  /** Position in the trail. */
  readonly index: number;
  readonly cause: Incompatibility<O> | null;
  /** The intersection of this package's assignments up to and including this one. */
  readonly accumulated: Term;
}

interface PackageState<O> {
  assignments: Assignment<O>[];
  term: Term | null;
  decision: Version | null;
}

/** A requirement after markers, overrides and URLs were applied: what one package needs of another. */
interface Edge<O> {
  pkg: string;
  set: VersionSet;
  specifier: string;
  override: { origin: O; requirement: string } | null;
  extraOf: string | null;
}

class NoSolution<O> {
  constructor(readonly incompatibility: Incompatibility<O>) {}
}

class Stop {
  constructor(readonly reason: 'budget' | 'cancelled') {}
}

type Relation =
  { kind: 'satisfied' } | { kind: 'contradicted' } | { kind: 'inconclusive' } | { kind: 'almost'; term: PackageTerm };
const SATISFIED: Relation = { kind: 'satisfied' };
const CONTRADICTED: Relation = { kind: 'contradicted' };
const INCONCLUSIVE: Relation = { kind: 'inconclusive' };

/** Splits `name[extra]` into its base name and extra ("" for a plain package). */
export function splitPackage(pkg: string): { base: string; extra: string } {
  const i = pkg.indexOf('[');
  return i < 0 ? { base: pkg, extra: '' } : { base: pkg.slice(0, i), extra: pkg.slice(i + 1, -1) };
}

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

/** One PubGrub run. Not reusable: `resolve` makes a new one per call. */
class Solver<O> {
  private readonly env: MarkerEnvironment;
  private readonly python: Version | null;
  private readonly maxSteps: number;
  private readonly deadline: number;
  private readonly signal: AbortSignal | undefined;
  private readonly started = Date.now();
  private steps = 0;

  private readonly versionsCache = new Map<string, Version[]>();
  private readonly versionsPending = new Map<string, Promise<Version[]>>();
  private readonly metaCache = new Map<string, PackageMetadata | 'unknown'>();
  private readonly setCache = new Map<
    string,
    { set: VersionSet; pre: boolean; empty: boolean; pinned: boolean } | null
  >();
  private readonly pythonCache = new Map<string, boolean>();
  private readonly rangeCache = new Map<string, VersionSet>();

  private readonly incompats = new Map<string, Incompatibility<O>[]>();
  private readonly depIndex = new Map<string, Incompatibility<O>>();
  private readonly discovery = new Map<string, number>();
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
  private readonly incomplete: string[] = [];
  /** The root's requirements and constraints, added when the root is decided (so they derive at level 1). */
  private readonly rootIncompats: Incompatibility<O>[] = [];

  private readonly trail: Assignment<O>[] = [];
  private readonly states = new Map<string, PackageState<O>>();
  private level = 0;
  private readonly contradicted = new Map<Incompatibility<O>, number>();
  private readonly countCache = new Map<string, { term: Term; base: Term | null; n: number }>();

  private stopPromise: Promise<never> | null = null;
  private cleanup: (() => void) | null = null;
  /**
   * Ends the provider calls this run started (prefetches included) when it returns: a resolution that gave up or
   * finished leaves nothing fetching behind it, outside its analysis's budget.
   */
  private readonly calls = new AbortController();
  private readonly callSignal: AbortSignal;

  constructor(
    private readonly roots: readonly RootRequirement<O>[],
    private readonly provider: MetadataProvider,
    private readonly opts: ResolveOptions<O>,
  ) {
    this.env = opts.markerEnvironment ?? defaultEnvironment();
    const py = opts.python ?? this.env['python_full_version'] ?? this.env['python_version'];
    this.python = py === undefined ? null : typeof py === 'string' ? Version.parse(py) : py;
    this.maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    this.deadline = Math.min(opts.deadline ?? Infinity, this.started + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    this.signal = opts.signal;
    this.callSignal = opts.signal ? AbortSignal.any([opts.signal, this.calls.signal]) : this.calls.signal;
  }

  async run(): Promise<Resolution<O>> {
    if (this.signal?.aborted) return this.stopped('cancelled');
    this.armStop();
    try {
      await this.setup();
      return await this.loop();
    } catch (e) {
      if (e instanceof Stop) return this.stopped(e.reason);
      if (e instanceof NoSolution) return this.conflict(e.incompatibility as Incompatibility<O>);
      if (this.signal?.aborted) return this.stopped('cancelled');
      throw e;
    } finally {
      this.cleanup?.();
      this.calls.abort();
    }
  }

  // ---- budget -------------------------------------------------------------------------------------------

  private armStop(): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    this.stopPromise = new Promise<never>((_, reject) => {
      const ms = this.deadline - Date.now();
      if (Number.isFinite(ms)) {
        timer = setTimeout(() => reject(new Stop('budget')), Math.max(0, ms));
        timer.unref?.();
      }
      if (this.signal) {
        onAbort = () => reject(new Stop('cancelled'));
        this.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    this.stopPromise.catch(() => undefined);
    this.cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort) this.signal?.removeEventListener('abort', onAbort);
    };
  }

  /** Counts a step and stops when a budget is spent or the signal fired. */
  private tick(): void {
    this.steps++;
    if (this.steps > this.maxSteps) throw new Stop('budget');
    if ((this.steps & 31) === 0 && Date.now() > this.deadline) throw new Stop('budget');
    if (this.signal?.aborted) throw new Stop('cancelled');
  }

  /**
   * Awaits a provider call, but no longer than the budget allows. A warm provider answers from memory (a chain of
   * microtasks), so each slice of background work ends here and the event loop, and the editor's messages, get a turn.
   */
  private async wait<T>(p: Promise<T>): Promise<T> {
    if (sliceSpent()) {
      // The call is under way while this waits for a turn: its failure (a cancellation) is read after, not unhandled.
      p.catch(() => undefined);
      await nextTurn();
    }
    if (Date.now() > this.deadline) throw new Stop('budget');
    if (this.signal?.aborted) throw new Stop('cancelled');
    return this.stopPromise ? Promise.race([p, this.stopPromise]) : p;
  }

  private stopped(reason: 'budget' | 'cancelled'): Resolution<O> {
    const elapsedMs = Date.now() - this.started;
    const message =
      reason === 'cancelled'
        ? 'Resolution was cancelled.'
        : this.steps > this.maxSteps
          ? `Resolution gave up after ${this.maxSteps} steps without an answer.`
          : `Resolution gave up after ${elapsedMs} ms without an answer.`;
    return { ok: false, reason, message, steps: this.steps, elapsedMs };
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

  private async setup(): Promise<void> {
    for (const o of this.opts.overrides ?? []) {
      const spec = toRequirementSpec(o.requirement);
      if (!this.markerHolds(spec.marker, '')) continue;
      const name = canonicalizeName(spec.name);
      const list = this.overrides.get(name) ?? [];
      list.push({ spec, origin: o.origin, text: requirementText(spec) });
      this.overrides.set(name, list);
    }
    this.addIncompatibility(
      new Incompatibility<O>([{ pkg: ROOT, term: Term.negative(VersionSet.exactly(ROOT_VERSION)) }], { kind: 'root' }),
    );
    const rootTerm = Term.positive(VersionSet.exactly(ROOT_VERSION));
    for (const r of this.roots) {
      const spec = toRequirementSpec(r.requirement);
      if (!spec.url && this.markerHolds(spec.marker, '')) this.prefetch(canonicalizeName(spec.name));
    }
    for (const r of this.roots) {
      const spec = toRequirementSpec(r.requirement);
      if (!this.markerHolds(spec.marker, '')) continue;
      const written = typeof r.requirement === 'string' ? r.requirement.trim() : requirementText(spec);
      for (const { req, origin, text } of this.applyOverrides(spec, r.origin, written)) {
        for (const e of await this.edges(req, null)) {
          this.rootIncompats.push(
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
      if (this.opaque.has(name) || this.overrides.has(name)) continue;
      let set: VersionSet;
      if (spec.url) {
        const pin = await this.pin(name, spec.url);
        if (!pin) continue;
        set = VersionSet.exactly(pin.version);
      } else {
        const s = await this.requirementSet(name, spec.specifier);
        if (!s) {
          this.incomplete.push(`${requirementText(spec)}: invalid specifier, ignored`);
          continue;
        }
        set = s.set;
      }
      if (set.isFull()) continue;
      this.rootIncompats.push(
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
      ? await this.wait(this.provider.urlMetadata(name, url, this.callSignal))
      : 'unknown';
    if (meta === 'unknown') {
      this.opaque.add(name);
      this.incomplete.push(`${name} @ ${url}: metadata unknown, its requirements were not followed`);
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
        this.incomplete.push(`${requirementText(spec)}: invalid specifier, ignored`);
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
  private prefetch(base: string): void {
    if (base === ROOT || this.versionsCache.has(base) || this.versionsPending.has(base) || this.urlPins.has(base))
      return;
    const yanked = this.provider.yankedVersions ? this.provider.yankedVersions(base, this.callSignal) : Promise.resolve([]);
    // Yanked versions are candidates too (pip takes one when a requirement pins it), marked so that only a pin chooses
    // them.
    const p = Promise.all([this.provider.versions(base, this.callSignal), yanked]).then(([vs, ys]) => {
      if (ys.length === 0) return vs;
      for (const y of ys) this.yanked.add(`${base}@${y.key}`);
      const have = new Set(vs.map((v) => v.key));
      return [...vs, ...ys.filter((y) => !have.has(y.key))].sort((a, b) => b.compare(a));
    });
    p.catch(() => undefined);
    this.versionsPending.set(base, p);
  }

  private async loadVersions(base: string): Promise<Version[]> {
    const have = this.knownVersions(base);
    if (have) return have;
    this.prefetch(base);
    const list = await this.wait(this.versionsPending.get(base)!);
    this.versionsPending.delete(base);
    this.versionsCache.set(base, list);
    return list;
  }

  /** Candidates of a package id (newest first) when already loaded. */
  private knownVersions(base: string): Version[] | undefined {
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
      m = await this.wait(this.provider.dependencies(base, v, this.callSignal));
      this.metaCache.set(key, m);
    }
    return m;
  }

  /** What `pkg` at `v` needs, grouped per package; or the `Requires-Python` that excludes the target. */
  private async dependenciesOf(
    pkg: string,
    v: Version,
  ): Promise<{ kind: 'deps'; edges: Edge<O>[] } | { kind: 'python'; requiresPython: string }> {
    if (pkg === ROOT) {
      for (const inc of this.rootIncompats) this.addIncompatibility(inc);
      return { kind: 'deps', edges: [] };
    }
    const { base, extra } = splitPackage(pkg);
    const meta = await this.metadata(base, v);
    const raw: Edge<O>[] = [];
    if (meta === 'unknown') {
      if (!extra) this.incomplete.push(`${base} ${v}: dependencies unknown`);
    } else {
      if (!this.pythonAllows(meta.requiresPython)) return { kind: 'python', requiresPython: meta.requiresPython! };
      // Their versions are needed to build the requirement sets: ask for all at once rather than one by one.
      for (const r of meta.requires)
        if (!r.url && this.markerHolds(r.marker, extra)) this.prefetch(canonicalizeName(r.name));
      for (const r of meta.requires) {
        if (!this.markerHolds(r.marker, extra)) continue;
        if (extra && this.markerHolds(r.marker, '')) continue; // the base package brings it already
        // A URL requirement in an index package's metadata is not followed (pip refuses it too): no request is made.
        if (r.url) {
          const note = `${base} ${v} requires ${r.name} ${URL_IN_METADATA}`;
          if (!this.incomplete.includes(note)) this.incomplete.push(note);
          continue;
        }
        for (const { req, origin, override } of this.applyOverrides(r, null, '')) {
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

  // ---- incompatibilities --------------------------------------------------------------------------------

  private addIncompatibility(inc: Incompatibility<O>): void {
    for (const t of inc.terms) {
      let list = this.incompats.get(t.pkg);
      if (!list) {
        list = [];
        this.incompats.set(t.pkg, list);
      }
      list.push(inc);
      if (!this.discovery.has(t.pkg)) {
        this.discovery.set(t.pkg, this.discovery.size);
        this.prefetch(splitPackage(t.pkg).base);
      }
    }
  }

  /**
   * Adds "`pkg` at `v` needs `edge`", merged with the same requirement of other versions of `pkg` (one
   * incompatibility `{pkg in {v1, v2, ...}, not dep in S}`), so that learning covers all of them at once.
   */
  private addDependency(pkg: string, v: Version, e: Edge<O>): Incompatibility<O> {
    const key = `${pkg}\0${e.pkg}\0${e.specifier}\0${e.set.toString()}\0${e.override?.requirement ?? ''}`;
    const cause: IncompatibilityCause<O> = {
      kind: 'dependency',
      specifier: e.specifier,
      override: e.override,
      extraOf: e.extraOf,
    };
    return this.addMerged(key, pkg, v, [{ pkg: e.pkg, term: Term.negative(e.set) }], cause);
  }

  /** Adds `{pkg in range(v), ...rest}`, merged with the incompatibility of the same `key` about other versions. */
  private addMerged(
    key: string,
    pkg: string,
    v: Version,
    rest: PackageTerm[],
    cause: IncompatibilityCause<O>,
  ): Incompatibility<O> {
    const old = this.depIndex.get(key);
    const range = this.rangeOf(pkg, v);
    const depender = old ? old.terms[0]!.term.set.union(range) : range;
    const inc = new Incompatibility<O>([{ pkg, term: Term.positive(depender) }, ...rest], cause);
    if (old) {
      for (const t of old.terms) {
        const list = this.incompats.get(t.pkg)!;
        const i = list.indexOf(old);
        if (i >= 0) list.splice(i, 1);
      }
    }
    this.depIndex.set(key, inc);
    this.addIncompatibility(inc);
    return inc;
  }

  /**
   * The versions that `v` stands for in facts about it: from `v` up to the next newer candidate (from the bottom
   * for the oldest, to the top for the newest). No other candidate lies inside, so a fact about the range is a
   * fact about `v`; adjacent ranges join without gaps, so facts about neighbouring versions merge into one range.
   */
  private rangeOf(pkg: string, v: Version): VersionSet {
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

  // ---- partial solution ---------------------------------------------------------------------------------

  private state(pkg: string): PackageState<O> {
    let s = this.states.get(pkg);
    if (!s) {
      s = { assignments: [], term: null, decision: null };
      this.states.set(pkg, s);
    }
    return s;
  }

  private assign(pkg: string, term: Term, cause: Incompatibility<O> | null): void {
    const st = this.state(pkg);
    const accumulated = st.term ? st.term.intersect(term) : term;
    const a: Assignment<O> = { pkg, term, level: this.level, index: this.trail.length, cause, accumulated };
    this.trail.push(a);
    st.assignments.push(a);
    st.term = accumulated;
  }

  private decide(pkg: string, v: Version): void {
    this.level++;
    this.assign(pkg, Term.positive(VersionSet.exactly(v)), null);
    this.state(pkg).decision = v;
  }

  private backtrack(level: number): void {
    while (this.trail.length > 0 && this.trail[this.trail.length - 1]!.level > level) {
      const a = this.trail.pop()!;
      const st = this.states.get(a.pkg)!;
      st.assignments.pop();
      if (a.cause === null) st.decision = null;
      st.term = st.assignments.length ? st.assignments[st.assignments.length - 1]!.accumulated : null;
    }
    this.level = level;
    for (const [inc, l] of this.contradicted) if (l > level) this.contradicted.delete(inc);
  }

  private relation(inc: Incompatibility<O>): Relation {
    let unsatisfied: PackageTerm | null = null;
    for (const pt of inc.terms) {
      const t = this.states.get(pt.pkg)?.term;
      if (t) {
        if (t.satisfies(pt.term)) continue;
        if (t.contradicts(pt.term)) return CONTRADICTED;
      }
      if (unsatisfied !== null) return INCONCLUSIVE;
      unsatisfied = pt;
    }
    return unsatisfied === null ? SATISFIED : { kind: 'almost', term: unsatisfied };
  }

  // ---- unit propagation and conflict resolution ---------------------------------------------------------

  private propagate(start: string): void {
    let queue = [start];
    while (queue.length > 0) {
      const pkg = queue.pop()!;
      const list = this.incompats.get(pkg);
      if (!list) continue;
      let conflict: Incompatibility<O> | null = null;
      for (let i = list.length - 1; i >= 0; i--) {
        const inc = list[i]!;
        if (this.contradicted.has(inc)) continue;
        const r = this.relation(inc);
        if (r.kind === 'satisfied') {
          conflict = inc;
          break;
        }
        if (r.kind === 'almost') {
          this.assign(r.term.pkg, r.term.term.negate(), inc);
          this.contradicted.set(inc, this.level);
          if (!queue.includes(r.term.pkg)) queue.push(r.term.pkg);
        } else if (r.kind === 'contradicted') this.contradicted.set(inc, this.level);
      }
      if (conflict) {
        let cause = this.resolveConflict(conflict);
        for (;;) {
          const r = this.relation(cause);
          if (r.kind === 'almost') {
            this.assign(r.term.pkg, r.term.term.negate(), cause);
            this.contradicted.set(cause, this.level);
            queue = [r.term.pkg];
            break;
          }
          if (r.kind !== 'satisfied') {
            queue = [];
            break;
          }
          cause = this.resolveConflict(cause);
        }
      }
    }
  }

  /** The first assignment of `pkg` at which the accumulated term satisfies `term`. */
  private satisfierOf(pkg: string, term: Term): Assignment<O> {
    for (const a of this.states.get(pkg)!.assignments) if (a.accumulated.satisfies(term)) return a;
    throw new Error(`resolver: no satisfier for ${pkg}`);
  }

  /**
   * Learns the root cause of a satisfied incompatibility (resolution with the causes of its satisfiers), adds
   * it, and backjumps to where it becomes almost satisfied. Throws `NoSolution` when the root cannot be selected.
   */
  private resolveConflict(incompat: Incompatibility<O>): Incompatibility<O> {
    let current = incompat;
    let changed = false;
    for (;;) {
      this.tick();
      if (current.isTerminal()) throw new NoSolution(current);
      let sat: Assignment<O> | null = null;
      const found: Assignment<O>[] = [];
      for (const pt of current.terms) {
        const a = this.satisfierOf(pt.pkg, pt.term);
        found.push(a);
        if (sat === null || a.index > sat.index) sat = a;
      }
      const s = sat!;
      const tSat = current.get(s.pkg)!;
      let prev = -1;
      for (const a of found) if (a.pkg !== s.pkg && a.index > prev) prev = a.index;
      if (!s.term.satisfies(tSat)) {
        // The satisfier alone does not satisfy its term: an earlier assignment of the same package is needed too.
        for (const a of this.states.get(s.pkg)!.assignments) {
          if (a === s) break;
          if (a.accumulated.intersect(s.term).satisfies(tSat)) {
            if (a.index > prev) prev = a.index;
            break;
          }
        }
      }
      const prevLevel = Math.max(1, prev >= 0 ? this.trail[prev]!.level : 1);
      if (s.cause === null || prevLevel !== s.level) {
        if (changed) this.addIncompatibility(current);
        this.backtrack(prevLevel);
        return current;
      }
      current = this.priorCause(current, s.cause, s.pkg);
      changed = true;
    }
  }

  /** Resolution of two incompatibilities on `pkg`: `{t1, q}` and `{t2, r}` give `{q, r, t1 union t2}`. */
  private priorCause(a: Incompatibility<O>, b: Incompatibility<O>, pkg: string): Incompatibility<O> {
    const terms = new Map<string, Term>();
    const both = a.get(pkg)!.union(b.get(pkg)!);
    for (const pt of [...a.terms, ...b.terms]) {
      if (pt.pkg === pkg) {
        if (!both.isAny() && !terms.has(pkg)) terms.set(pkg, both);
        continue;
      }
      const have = terms.get(pt.pkg);
      terms.set(pt.pkg, have ? have.intersect(pt.term) : pt.term);
    }
    // The root is always selected, so a positive root term says nothing next to other terms.
    const rootTerm = terms.get(ROOT);
    if (rootTerm && rootTerm.positive && terms.size > 1) terms.delete(ROOT);
    return new Incompatibility<O>(
      [...terms].map(([p, term]) => ({ pkg: p, term })),
      { kind: 'derived', left: a, right: b },
    );
  }

  // ---- decision making ----------------------------------------------------------------------------------

  /** The term of the base package that an extra package must also fit (its versions are the base's). */
  private baseTerm(pkg: string): Term | null {
    const { base, extra } = splitPackage(pkg);
    return extra ? (this.states.get(base)?.term ?? null) : null;
  }

  private fits(v: Version, term: Term, base: Term | null): boolean {
    if (!term.set.contains(v)) return false;
    return base === null || base.set.contains(v) === base.positive;
  }

  private matchingCount(pkg: string, term: Term): number {
    const base = this.baseTerm(pkg);
    const c = this.countCache.get(pkg);
    if (c && c.term === term && c.base === base) return c.n;
    let n = 0;
    for (const v of this.knownVersions(splitPackage(pkg).base)!) if (this.fits(v, term, base)) n++;
    this.countCache.set(pkg, { term, base, n });
    return n;
  }

  /**
   * The next package to decide: among those required (a positive term) and not decided, URL pins first, then
   * the one with the fewest candidate versions left, then the one seen first.
   */
  private async pickPackage(): Promise<string | null> {
    const pending: string[] = [];
    for (const [pkg, st] of this.states)
      if (st.decision === null && st.term !== null && st.term.positive) pending.push(pkg);
    if (pending.length === 0) return null;
    const missing = pending.map((p) => splitPackage(p).base).filter((b) => !this.knownVersions(b));
    if (missing.length > 0) await Promise.all(missing.map((b) => this.loadVersions(b)));
    let best: string | null = null;
    let bestKey: [number, number, number] = [0, 0, 0];
    for (const pkg of pending) {
      const key: [number, number, number] = [
        this.urlPins.has(splitPackage(pkg).base) || pkg === ROOT ? 0 : 1,
        this.matchingCount(pkg, this.states.get(pkg)!.term!),
        this.discovery.get(pkg) ?? 0,
      ];
      if (
        best === null ||
        key[0] < bestKey[0] ||
        (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))
      ) {
        best = pkg;
        bestKey = key;
      }
    }
    return best;
  }

  /**
   * The newest candidate in `term` that pip would offer: a pre-release only with `--pre`, when a requirement names
   * one, or when the project has no final release at all (requirements that name none already cut pre-releases out
   * of their sets); a yanked version only when a requirement pins it.
   */
  private pickVersion(pkg: string, term: Term): Version | null {
    const { base } = splitPackage(pkg);
    const list = this.knownVersions(base)!;
    const bt = this.baseTerm(pkg);
    const anyPre = this.opts.prereleases === true || this.explicitPre.has(base) || list.every((v) => v.isPrerelease);
    const yankedOk = this.pinned.has(base);
    const installed = this.opts.preferred?.get(base);
    if (installed !== undefined) {
      // pip keeps an installed distribution that satisfies every requirement on it, however new the index's are.
      const want = Version.parse(installed);
      const v = want && list.find((x) => x.equals(want));
      if (v && this.fits(v, term, bt)) return v;
    }
    for (const v of list) {
      if (!this.fits(v, term, bt)) continue;
      if (v.isPrerelease && !anyPre) continue;
      if (!yankedOk && this.yanked.has(`${base}@${v.key}`)) continue;
      return v;
    }
    return null;
  }

  /** Whether deciding `pkg == v` would satisfy `inc` at once. */
  private wouldConflict(inc: Incompatibility<O>, pkg: string, v: Version): boolean {
    for (const pt of inc.terms) {
      if (pt.pkg === pkg) {
        if (pt.term.set.contains(v) !== pt.term.positive) return false;
        continue;
      }
      const t = this.states.get(pt.pkg)?.term;
      if (!t || !t.satisfies(pt.term)) return false;
    }
    return true;
  }

  private async loop(): Promise<Resolution<O>> {
    let next = ROOT;
    for (;;) {
      this.tick();
      this.propagate(next);
      const pkg = await this.pickPackage();
      if (pkg === null) return this.solution();
      const term = this.states.get(pkg)!.term!;
      const v = this.pickVersion(pkg, term);
      next = pkg;
      if (v === null) {
        const known = this.knownVersions(splitPackage(pkg).base)!.length;
        this.addIncompatibility(
          new Incompatibility<O>([{ pkg, term: Term.positive(term.set) }], { kind: 'no-versions', known }),
        );
        continue;
      }
      const deps = await this.dependenciesOf(pkg, v);
      if (deps.kind === 'python') {
        this.addMerged(`${pkg}\0python\0${deps.requiresPython}`, pkg, v, [], {
          kind: 'requires-python',
          requiresPython: deps.requiresPython,
          python: this.python!.toString(),
        });
        continue;
      }
      let conflict = false;
      for (const e of deps.edges) if (this.wouldConflict(this.addDependency(pkg, v, e), pkg, v)) conflict = true;
      if (!conflict) this.decide(pkg, v);
    }
  }

  // ---- results ------------------------------------------------------------------------------------------

  private solution(): Resolution<O> {
    const versions = new Map<string, Version>();
    const extras = new Map<string, string[]>();
    for (const a of this.trail) {
      if (a.cause !== null || a.pkg === ROOT) continue;
      const { base, extra } = splitPackage(a.pkg);
      const v = this.states.get(a.pkg)!.decision!;
      if (extra) extras.set(base, [...(extras.get(base) ?? []), extra]);
      else versions.set(base, v);
    }
    return { ok: true, versions, extras, incomplete: [...this.incomplete], steps: this.steps };
  }

  private conflict(tree: Incompatibility<O>): Resolution<O> {
    const ctx: ReportContext<O> = {
      known: (pkg) => {
        const list = this.knownVersions(splitPackage(pkg).base);
        return list ? [...list].reverse() : null;
      },
      describeOrigin: this.opts.describeOrigin,
    };
    const { steps, text, rootsInvolved } = explain(tree, ctx);
    return {
      ok: false,
      reason: 'conflict',
      tree,
      explanation: steps,
      text,
      rootsInvolved,
      incomplete: [...this.incomplete],
      steps: this.steps,
    };
  }
}

/**
 * Resolves `roots` with PubGrub against `provider`: the newest versions that satisfy every requirement (as pip
 * prefers), or a derivation tree and a numbered explanation of why none exist, or a stop when the step/time budget
 * runs out or `options.signal` fires. Deterministic: the same inputs and provider answers give the same result.
 * Extras are virtual packages `name[extra]` that depend on `name` at the same version; markers are evaluated
 * against `options.markerEnvironment` (with `extra` set while following an extra); a URL requirement pins its
 * package to the version the provider reads from the URL. Provider errors other than cancellation are thrown.
 */
export function resolve<O>(
  roots: readonly RootRequirement<O>[],
  provider: MetadataProvider,
  options: ResolveOptions<O> = {},
): Promise<Resolution<O>> {
  return new Solver(roots, provider, options).run();
}
