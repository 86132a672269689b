// Exact sets of PEP 440 versions (unions of disjoint intervals over the version order) built from specifiers.
import { Specifier, SpecifierSet } from './specifier';
import { Version, incrementDigits, type LocalPart } from './version';

/**
 * A cut in the version order, as a key string comparable with `Version.key`: an interval is `[lo.key, hi.key)`.
 * - `min` / `max`: below / above every version.
 * - `at`: at version `v` (the cut just below it).
 * - `after`: just above exactly `v` (below `v`'s own local extensions such as `v+a`, which have no least element).
 * - `afterPosts`: above final release `v`, all of its post-releases and local versions (below `v.0.0...1.dev0`,
 *   an infimum that is never attained).
 * Bounds whose successor is a real version are always written as `at` of that version, so two sets are equal
 * exactly when their bound lists are, and every interval with `lo < hi` holds at least one real version.
 */
interface Bound {
  readonly key: string;
  readonly kind: 'min' | 'at' | 'after' | 'afterPosts' | 'max';
  readonly v: Version | null;
}

const MIN_VERSION = Version.parse('0.dev0')!;
const MIN: Bound = { key: '', kind: 'min', v: null };
const MAX: Bound = { key: '\uffff\uffff', kind: 'max', v: null };

function at(v: Version): Bound {
  return v.key === MIN_VERSION.key ? MIN : { key: v.key, kind: 'at', v };
}

function after(v: Version): Bound {
  return { key: v.key + '\0', kind: 'after', v };
}

/** The least public version after `v` and all of `v`'s local versions. */
function nextPublic(v: Version): Version {
  const p = v.parts;
  if (p.dev !== null) return v.with({ dev: incrementDigits(p.dev), local: null });
  return v.with({ post: p.post === null ? '0' : incrementDigits(p.post), dev: '0', local: null });
}

/** Above `v` (no post, no dev), its post-releases and its local versions. */
function afterPosts(v: Version): Bound {
  const pre = v.parts.pre;
  if (pre) return at(v.with({ pre: [pre[0], incrementDigits(pre[1])], post: null, dev: '0', local: null }));
  return { key: v.key.slice(0, v.prefixEnd) + '\uffff', kind: 'afterPosts', v };
}

/** `[lo, hi)`, or nothing when `lo >= hi`. */
function range(lo: Bound, hi: Bound): Bound[] {
  return lo.key < hi.key ? [lo, hi] : [];
}

/** Sweeps two sorted bound lists, emitting a bound wherever `op(inA, inB)` changes. */
function combine(a: readonly Bound[], b: readonly Bound[], op: (x: boolean, y: boolean) => boolean): Bound[] {
  const out: Bound[] = [];
  let i = 0;
  let j = 0;
  let inA = false;
  let inB = false;
  let cur = false;
  while (i < a.length || j < b.length) {
    let k: Bound;
    const ka = i < a.length ? a[i]!.key : null;
    const kb = j < b.length ? b[j]!.key : null;
    if (kb === null || (ka !== null && ka < kb)) {
      k = a[i++]!;
      inA = !inA;
    } else if (ka === null || kb < ka) {
      k = b[j++]!;
      inB = !inB;
    } else {
      k = a[i++]!;
      j++;
      inA = !inA;
      inB = !inB;
    }
    const next = op(inA, inB);
    if (next !== cur) {
      out.push(k);
      cur = next;
    }
  }
  return out;
}

function final(v: Version): Version {
  return v.isPrerelease || v.local !== null ? v.with({ pre: null, dev: null, local: null }) : v;
}

/**
 * Real versions to try as a witness of `[lo, hi)`; the analysis in `Bound` guarantees one fits when the interval is
 * non-empty.
 */
function candidates(lo: Bound, hi: Bound): Version[] {
  const out: Version[] = [];
  switch (lo.kind) {
    case 'min':
      out.push(Version.parse('0')!, MIN_VERSION);
      break;
    case 'at':
      out.push(final(lo.v!), lo.v!);
      break;
    case 'after': {
      const v = lo.v!;
      const local: readonly LocalPart[] = v.parts.local ?? [];
      let next: LocalPart = { s: 'a' };
      const h = hi.v;
      if (
        h &&
        (hi.kind === 'at' || hi.kind === 'after') &&
        h.key.startsWith(v.key) &&
        h.parts.local &&
        h.parts.local.length > local.length
      ) {
        const x = h.parts.local[local.length]!;
        next = 'n' in x ? { s: 'a' } : { s: '0' + x.s };
      }
      out.push(v.with({ local: [...local, next] }));
      if (h && hi.kind === 'after') out.push(h);
      break;
    }
    case 'afterPosts': {
      const r = lo.v!.parts.release;
      const bare = { pre: null, post: null, dev: null, local: null } as const;
      out.push(lo.v!.with({ ...bare, release: [...r.slice(0, -1), incrementDigits(r[r.length - 1]!)] }));
      // R.1, R.0.1, R.0.0.1, ...: one more zero than `hi` has release parts always fits below it.
      const zeros: string[] = [];
      for (let z = 0; z <= (hi.v?.parts.release.length ?? 0) + 1; z++, zeros.push('0')) {
        const deeper = lo.v!.with({ ...bare, release: [...r, ...zeros, '1'] });
        out.push(deeper, deeper.with({ dev: '0' }));
      }
      break;
    }
    case 'max':
      break;
  }
  return out;
}

function describeLower(b: Bound): string {
  if (b.kind === 'min') return '';
  if (b.kind === 'at') return `>=${b.v}`;
  return `>${b.v}`;
}

function describeUpper(b: Bound): string {
  if (b.kind === 'max') return '';
  if (b.kind === 'after') return `<=${b.v}`;
  if (b.kind === 'afterPosts') return `<=${b.v}.post*`;
  const v = b.v!;
  const p = v.parts;
  if (p.dev === '0' && p.pre === null && p.post === null && p.local === null) return `<${v.baseVersion}`;
  return `<${v}`;
}

/**
 * A set of versions as a union of disjoint intervals over packaging's version order, exact with respect to
 * `Specifier.contains(v, true)`: `fromSpecifierSet(s).contains(v) === s.contains(v, true)` for every version.
 * Two approximations, where no set over the version order can be exact because packaging's answer depends on
 * how an equal version is spelled: `===` is taken as the one version it names, and a `~=` whose prefix packaging
 * cannot read as a release (`~=v1.2`, `~=1.2RC1.R1.DEV1`) as packaging's own range for it.
 */
export class VersionSet {
  private constructor(private readonly bounds: readonly Bound[]) {}

  /** Every version. */
  static full(): VersionSet {
    return new VersionSet([MIN, MAX]);
  }

  /** No version. */
  static empty(): VersionSet {
    return new VersionSet([]);
  }

  /** Exactly `v` (and versions equal to it, like `1.0.0` for `1.0`), without its local variants. */
  static exactly(v: Version): VersionSet {
    return new VersionSet([at(v), after(v)]);
  }

  /** The versions one specifier admits (pre-releases included). */
  static fromSpecifier(s: Specifier): VersionSet {
    const v = s.spec;
    if (v === null) return VersionSet.empty();
    const wildcard = (): Bound[] => {
      const m = s.prefix;
      const epoch = m && m.kind === 'numeric' ? m.epoch : v.parts.epoch;
      const rel =
        m && m.kind === 'numeric' ? m.release : s.operator === '~=' ? v.parts.release.slice(0, -1) : v.parts.release;
      const upper = [...rel.slice(0, -1), incrementDigits(rel[rel.length - 1]!)];
      const base = { epoch, pre: null, post: null, dev: '0', local: null } as const;
      return range(
        at(Version.fromParts({ ...base, release: rel })),
        at(Version.fromParts({ ...base, release: upper })),
      );
    };
    let b: Bound[];
    switch (s.operator) {
      case '===':
        b = v.toString() === s.version.toLowerCase() ? [at(v), after(v)] : [];
        break;
      case '==':
      case '!=':
        b = s.prefix ? wildcard() : v.local !== null ? [at(v), after(v)] : range(at(v), at(nextPublic(v)));
        if (s.operator === '!=') return new VersionSet(b).complement();
        break;
      case '<=':
        b = range(MIN, at(nextPublic(v)));
        break;
      case '>=':
        b = [at(v), MAX];
        break;
      case '<':
        b = range(MIN, at(v.isPrerelease ? v : v.with({ dev: '0', local: null })));
        break;
      case '>':
        if (v.parts.dev !== null || v.parts.post !== null) b = [at(nextPublic(v)), MAX];
        else b = [afterPosts(v), MAX];
        break;
      case '~=':
        b = combine([at(v), MAX], wildcard(), (x, y) => x && y);
        break;
      default:
        b = [];
    }
    return new VersionSet(b);
  }

  /** The versions every specifier of the set admits (pre-releases included); the full set for an empty one. */
  static fromSpecifierSet(s: SpecifierSet): VersionSet {
    let out = VersionSet.full();
    for (const spec of s.specifiers) {
      out = out.intersect(VersionSet.fromSpecifier(spec));
      if (out.isEmpty()) break;
    }
    return out;
  }

  intersect(o: VersionSet): VersionSet {
    return new VersionSet(combine(this.bounds, o.bounds, (x, y) => x && y));
  }

  union(o: VersionSet): VersionSet {
    return new VersionSet(combine(this.bounds, o.bounds, (x, y) => x || y));
  }

  /** Everything not in this set. */
  complement(): VersionSet {
    const b = [...this.bounds];
    if (b[0] === MIN) b.shift();
    else b.unshift(MIN);
    if (b[b.length - 1] === MAX) b.pop();
    else b.push(MAX);
    return new VersionSet(b);
  }

  /** Whether this set minus `o` is empty. */
  isSubsetOf(o: VersionSet): boolean {
    return this.intersect(o.complement()).isEmpty();
  }

  isEmpty(): boolean {
    return this.bounds.length === 0;
  }

  isFull(): boolean {
    return this.bounds.length === 2 && this.bounds[0] === MIN && this.bounds[1] === MAX;
  }

  contains(v: Version): boolean {
    const k = v.key;
    let lo = 0;
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bounds[mid]!.key <= k) lo = mid + 1;
      else hi = mid;
    }
    return (lo & 1) === 1;
  }

  equals(o: VersionSet): boolean {
    if (this.bounds.length !== o.bounds.length) return false;
    for (let i = 0; i < this.bounds.length; i++) if (this.bounds[i]!.key !== o.bounds[i]!.key) return false;
    return true;
  }

  /** Some version inside: the first final (non-pre, non-local) release found, else any; null when empty. */
  witness(): Version | null {
    let fallback: Version | null = null;
    for (let i = 0; i < this.bounds.length; i += 2) {
      const lo = this.bounds[i]!;
      const hi = this.bounds[i + 1]!;
      for (const c of candidates(lo, hi)) {
        if (c.key < lo.key || c.key >= hi.key) continue;
        if (!c.isPrerelease && c.local === null) return c;
        fallback ??= c;
      }
    }
    return fallback;
  }

  /** Readable form, e.g. `>=1.24, <2` or `<1.0 | >=2.0`; `*` for everything, `<empty>` for nothing. */
  toString(): string {
    if (this.isEmpty()) return '<empty>';
    if (this.isFull()) return '*';
    const parts: string[] = [];
    for (let i = 0; i < this.bounds.length; i += 2) {
      const lo = this.bounds[i]!;
      const hi = this.bounds[i + 1]!;
      if (lo.kind === 'at' && hi.kind === 'after' && lo.v!.key === hi.v!.key) parts.push(`===${lo.v}`);
      else if (lo.kind === 'at' && hi.kind === 'at' && nextPublic(lo.v!).key === hi.key && lo.v!.local === null)
        parts.push(`==${lo.v}`);
      else parts.push([describeLower(lo), describeUpper(hi)].filter(Boolean).join(', '));
    }
    return parts.join(' | ');
  }
}
