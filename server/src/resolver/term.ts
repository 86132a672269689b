// PubGrub terms over PEP 440 version sets: "p is selected at a version in S" or "p is not selected in S".
import { VersionSet } from '../pep/version-set';

/**
 * A statement about one package. Positive `{set}`: the package is selected, at a version in `set`.
 * Negative: the package is not selected at a version in `set` (it may be absent). Immutable.
 */
export class Term {
  private constructor(
    readonly positive: boolean,
    readonly set: VersionSet,
  ) {}

  static positive(set: VersionSet): Term {
    return new Term(true, set);
  }

  static negative(set: VersionSet): Term {
    return new Term(false, set);
  }

  /** No constraint at all (`not p in {}`). */
  static any(): Term {
    return ANY;
  }

  negate(): Term {
    return new Term(!this.positive, this.set);
  }

  /** Whether the term says nothing (a negative term over the empty set). */
  isAny(): boolean {
    return !this.positive && this.set.isEmpty();
  }

  /** Whether no state satisfies it (a positive term over the empty set). */
  isEmpty(): boolean {
    return this.positive && this.set.isEmpty();
  }

  intersect(o: Term): Term {
    if (this.positive && o.positive) return Term.positive(this.set.intersect(o.set));
    if (this.positive) return Term.positive(this.set.intersect(o.set.complement()));
    if (o.positive) return Term.positive(o.set.intersect(this.set.complement()));
    return Term.negative(this.set.union(o.set));
  }

  union(o: Term): Term {
    if (this.positive && o.positive) return Term.positive(this.set.union(o.set));
    if (this.positive) return Term.negative(o.set.intersect(this.set.complement()));
    if (o.positive) return Term.negative(this.set.intersect(o.set.complement()));
    return Term.negative(this.set.intersect(o.set));
  }

  /** Whether every state this term allows is allowed by `o` (this term satisfies `o`). */
  satisfies(o: Term): boolean {
    if (this.positive) return o.positive ? isSubset(this.set, o.set) : this.set.intersect(o.set).isEmpty();
    // A negative term allows "not selected", which no positive term allows.
    return !o.positive && isSubset(o.set, this.set);
  }

  /** Whether no state is allowed by both (this term contradicts `o`). */
  contradicts(o: Term): boolean {
    if (this.positive && o.positive) return this.set.intersect(o.set).isEmpty();
    if (this.positive) return isSubset(this.set, o.set);
    if (o.positive) return isSubset(o.set, this.set);
    return false;
  }

  equals(o: Term): boolean {
    return this.positive === o.positive && this.set.equals(o.set);
  }
}

const ANY = Term.negative(VersionSet.empty());

function isSubset(a: VersionSet, b: VersionSet): boolean {
  return a.intersect(b).equals(a);
}
