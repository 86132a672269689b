// PubGrub incompatibilities: sets of terms that cannot all hold, each with the external fact or derivation behind it.
import type { Term } from './term';

/** The package that stands for the files being resolved; its one version is `ROOT_VERSION`. */
export const ROOT = '<root>';

/** One term of an incompatibility. Package ids are normalized names, `name[extra]` for an extra, or `ROOT`. */
export interface PackageTerm {
  readonly pkg: string;
  readonly term: Term;
}

/** Why an incompatibility holds: an external fact (from the files or the index), or two earlier incompatibilities. */
export type IncompatibilityCause<O = unknown> =
  /** `{not root}`: the root is selected. */
  | { readonly kind: 'root' }
  /** `{root, not p in S}`: a top-level requirement. */
  | { readonly kind: 'requirement'; readonly origin: O; readonly requirement: string }
  /** `{root, p not in S}`: a constraint (`-c`): when p is installed, it is in S. */
  | { readonly kind: 'constraint'; readonly origin: O; readonly requirement: string }
  /**
   * `{p in X, not d in S}`: versions X of p require d in S, as `specifier` says; `override` when a uv override
   * replaced the declared requirement; `extraOf` when p is `d[extra]`, which is d itself with that extra.
   */
  | {
      readonly kind: 'dependency';
      readonly specifier: string;
      readonly override: { readonly origin: O; readonly requirement: string } | null;
      readonly extraOf: string | null;
    }
  /** `{p in S}`: the index has no version of p in S (`known` candidates in all). */
  | { readonly kind: 'no-versions'; readonly known: number }
  /** `{p in S}`: these versions need another Python. */
  | { readonly kind: 'requires-python'; readonly requiresPython: string; readonly python: string }
  /** Derived by conflict resolution from two incompatibilities. */
  | { readonly kind: 'derived'; readonly left: Incompatibility<O>; readonly right: Incompatibility<O> };

/** A set of terms that are not all true in any solution. Immutable. */
export class Incompatibility<O = unknown> {
  constructor(
    readonly terms: readonly PackageTerm[],
    readonly cause: IncompatibilityCause<O>,
  ) {}

  /** The term on `pkg`, if any. */
  get(pkg: string): Term | undefined {
    for (const t of this.terms) if (t.pkg === pkg) return t.term;
    return undefined;
  }

  /** Whether it says that the root cannot be selected: no solution exists. */
  isTerminal(): boolean {
    if (this.terms.length === 0) return true;
    return this.terms.length === 1 && this.terms[0]!.pkg === ROOT && this.terms[0]!.term.positive;
  }

  isDerived(): boolean {
    return this.cause.kind === 'derived';
  }
}
