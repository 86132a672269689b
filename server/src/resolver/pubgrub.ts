// The PubGrub core: unit propagation, decision making and conflict resolution over a package source, which says
// what each package's candidates and dependencies are (python-packages.ts for pip's rules).
import { Version } from '../pep/version';
import { VersionSet } from '../pep/version-set';
import { Incompatibility, ROOT, type IncompatibilityCause, type PackageTerm } from './incompatibility';
import { explain, type ReportContext } from './report';
import { Stop, type RunBudget } from './run-budget';
import { Term } from './term';
import type { Resolution, ResolveOptions } from './types';

/** The one version of the root package. */
export const ROOT_VERSION = Version.parse('0')!;

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
export interface Edge<O> {
  pkg: string;
  set: VersionSet;
  specifier: string;
  override: { origin: O; requirement: string } | null;
  extraOf: string | null;
}

/** What a package at a version needs: its edges, or the `Requires-Python` that excludes the target. */
export type Dependencies<O> =
  { kind: 'deps'; edges: Edge<O>[] } | { kind: 'python'; requiresPython: string; python: string };

/** What the core asks of the packages it decides over (package ids are names, or `name[extra]` for an extra). */
export interface PackageSource<O> {
  /** The root's requirements and constraints (read by `setup`), added when the root is decided. */
  readonly rootIncompatibilities: readonly Incompatibility<O>[];
  /** Notes on what could not be followed, for the result. */
  readonly incomplete: readonly string[];
  setup(): Promise<void>;
  /** Starts fetching a package's versions, once. */
  prefetch(base: string): void;
  loadVersions(base: string): Promise<Version[]>;
  /** Candidates of a package (newest first) when already loaded. */
  knownVersions(base: string): Version[] | undefined;
  isUrlPinned(base: string): boolean;
  /** What `pkg` (not the root) at `v` needs. */
  dependenciesOf(pkg: string, v: Version): Promise<Dependencies<O>>;
  /** The versions that `v` stands for in facts about it (from `v` up to the next newer candidate). */
  rangeOf(pkg: string, v: Version): VersionSet;
  /** The candidate to decide among those that fit, or null. */
  pickVersion(pkg: string, fits: (v: Version) => boolean): Version | null;
}

class NoSolution<O> {
  constructor(readonly incompatibility: Incompatibility<O>) {}
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

/** One PubGrub run. Not reusable: `resolve` makes a new one per call. */
export class PubGrub<O> {
  private readonly incompats = new Map<string, Incompatibility<O>[]>();
  private readonly depIndex = new Map<string, Incompatibility<O>>();
  private readonly discovery = new Map<string, number>();

  private readonly trail: Assignment<O>[] = [];
  private readonly states = new Map<string, PackageState<O>>();
  private level = 0;
  private readonly contradicted = new Map<Incompatibility<O>, number>();
  private readonly countCache = new Map<string, { term: Term; base: Term | null; n: number }>();

  constructor(
    private readonly source: PackageSource<O>,
    private readonly budget: RunBudget,
    private readonly describeOrigin: ResolveOptions<O>['describeOrigin'],
  ) {}

  async run(): Promise<Resolution<O>> {
    if (this.budget.signal?.aborted) return this.budget.stopped('cancelled');
    this.budget.arm();
    try {
      this.addIncompatibility(
        new Incompatibility<O>([{ pkg: ROOT, term: Term.negative(VersionSet.exactly(ROOT_VERSION)) }], {
          kind: 'root',
        }),
      );
      await this.source.setup();
      return await this.loop();
    } catch (e) {
      if (e instanceof Stop) return this.budget.stopped(e.reason);
      if (e instanceof NoSolution) return this.conflict(e.incompatibility as Incompatibility<O>);
      if (this.budget.signal?.aborted) return this.budget.stopped('cancelled');
      throw e;
    } finally {
      this.budget.dispose();
    }
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
        this.source.prefetch(splitPackage(t.pkg).base);
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
    const range = this.source.rangeOf(pkg, v);
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
      this.budget.tick();
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
    for (const v of this.source.knownVersions(splitPackage(pkg).base)!) if (this.fits(v, term, base)) n++;
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
    const missing = pending.map((p) => splitPackage(p).base).filter((b) => !this.source.knownVersions(b));
    if (missing.length > 0) await Promise.all(missing.map((b) => this.source.loadVersions(b)));
    let best: string | null = null;
    let bestKey: [number, number, number] = [0, 0, 0];
    for (const pkg of pending) {
      const key: [number, number, number] = [
        this.source.isUrlPinned(splitPackage(pkg).base) || pkg === ROOT ? 0 : 1,
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
      this.budget.tick();
      this.propagate(next);
      const pkg = await this.pickPackage();
      if (pkg === null) return this.solution();
      const term = this.states.get(pkg)!.term!;
      const bt = this.baseTerm(pkg);
      const v = this.source.pickVersion(pkg, (x) => this.fits(x, term, bt));
      next = pkg;
      if (v === null) {
        const known = this.source.knownVersions(splitPackage(pkg).base)!.length;
        this.addIncompatibility(
          new Incompatibility<O>([{ pkg, term: Term.positive(term.set) }], { kind: 'no-versions', known }),
        );
        continue;
      }
      if (pkg === ROOT) {
        for (const inc of this.source.rootIncompatibilities) this.addIncompatibility(inc);
        this.decide(pkg, v);
        continue;
      }
      const deps = await this.source.dependenciesOf(pkg, v);
      if (deps.kind === 'python') {
        this.addMerged(`${pkg}\0python\0${deps.requiresPython}`, pkg, v, [], {
          kind: 'requires-python',
          requiresPython: deps.requiresPython,
          python: deps.python,
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
    return { ok: true, versions, extras, incomplete: [...this.source.incomplete], steps: this.budget.steps };
  }

  private conflict(tree: Incompatibility<O>): Resolution<O> {
    const ctx: ReportContext<O> = {
      known: (pkg) => {
        const list = this.source.knownVersions(splitPackage(pkg).base);
        return list ? [...list].reverse() : null;
      },
      describeOrigin: this.describeOrigin,
    };
    const { steps, text, rootsInvolved } = explain(tree, ctx);
    return {
      ok: false,
      reason: 'conflict',
      tree,
      explanation: steps,
      text,
      rootsInvolved,
      incomplete: [...this.source.incomplete],
      steps: this.budget.steps,
    };
  }
}
