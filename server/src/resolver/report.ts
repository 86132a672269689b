// Turns a PubGrub derivation tree into a short numbered explanation whose steps carry the root lines they rest on.
import type { Version } from '../pep/version';
import type { VersionSet } from '../pep/version-set';
import { readableSpecifier } from '../pep/simplify';
import { ROOT, type Incompatibility, type PackageTerm } from './incompatibility';
import type { ExplanationStep } from './types';

/** What the report needs from the solver. */
export interface ReportContext<O> {
  /** The candidates of a package id, oldest first, when known: ranges are printed relative to them. */
  known(pkg: string): readonly Version[] | null;
  describeOrigin?: ((origin: O) => string) | undefined;
}

/**
 * A version set in few words, relative to the candidates: `2.10.0` (one candidate), `>=1.1.0` (from 1.1.0 to the
 * newest), `>=1.0,<1.2` (a run), runs joined by ` or `; `*` when it holds every candidate. Without candidates
 * (or none inside), the set's own form.
 */
export function describeSet(set: VersionSet, known: readonly Version[] | null): string {
  if (set.isFull()) return '*';
  if (!known || known.length === 0) return set.toString();
  const inside = known.map((v) => set.contains(v));
  if (!inside.includes(true)) return set.toString();
  if (!inside.includes(false)) return '*';
  const runs: string[] = [];
  for (let i = 0; i < known.length; i++) {
    if (!inside[i]) continue;
    let j = i;
    while (j + 1 < known.length && inside[j + 1]) j++;
    if (i === j) runs.push(`==${known[i]}`);
    else
      runs.push(
        [i > 0 ? `>=${known[i]}` : '', j < known.length - 1 ? `<${known[j + 1]}` : ''].filter(Boolean).join(','),
      );
    i = j;
  }
  if (runs.length === 1 && runs[0]!.startsWith('==')) return runs[0]!.slice(2);
  return runs.join(' or ');
}

function originKey(o: unknown): string {
  return typeof o === 'object' && o !== null ? JSON.stringify(o) : `${typeof o}:${String(o)}`;
}

function pushUnique<O>(into: O[], items: readonly O[]): void {
  const seen = new Set(into.map(originKey));
  for (const o of items) {
    const k = originKey(o);
    if (!seen.has(k)) {
      seen.add(k);
      into.push(o);
    }
  }
}

function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The explanation of a derivation tree: every external fact once, in depth-first order (a derived cause before
 * an external one, root requirements before other facts), and a conclusion where the tree branches, where a
 * derived fact is used twice, and at the end. Returns the steps, their text, and the root origins involved.
 */
export function explain<O>(
  tree: Incompatibility<O>,
  ctx: ReportContext<O>,
): { steps: ExplanationStep<O>[]; text: string; rootsInvolved: O[] } {
  const steps: ExplanationStep<O>[] = [];
  const done = new Map<Incompatibility<O>, number[]>();
  const parents = new Map<Incompatibility<O>, number>();

  // Count how often each derived incompatibility is used, and collect the root requirements per package.
  const seen = new Set<Incompatibility<O>>();
  const rootOrigins = new Map<string, O[]>();
  const requirementItems: string[] = [];
  const constraintItems: string[] = [];
  const rootsInvolved: O[] = [];
  const walk = (inc: Incompatibility<O>): void => {
    if (seen.has(inc)) return;
    seen.add(inc);
    const c = inc.cause;
    if (c.kind === 'derived') {
      for (const x of [c.left, c.right]) {
        parents.set(x, (parents.get(x) ?? 0) + 1);
        walk(x);
      }
    }
  };
  walk(tree);

  const describeOrigin = (o: O): string => (ctx.describeOrigin ? ` (${ctx.describeOrigin(o)})` : '');
  const phrase = (pt: PackageTerm): string => {
    const d = describeSet(pt.term.set, ctx.known(pt.pkg));
    return d === '*' ? `every version of ${pt.pkg}` : `${pt.pkg} ${d}`;
  };
  const dependencyTerm = (pkg: string, set: VersionSet, specifier: string | null): string => {
    if (specifier !== null) return specifier ? `${pkg} ${readableSpecifier(specifier)}` : `${pkg}`;
    const d = describeSet(set, ctx.known(pkg));
    return d === '*' ? pkg : `${pkg} ${d}`;
  };
  const packagesOf = (inc: Incompatibility<O>): string[] => inc.terms.map((t) => t.pkg).filter((p) => p !== ROOT);

  const factOrigins = (inc: Incompatibility<O>): O[] => {
    const c = inc.cause;
    if (c.kind === 'requirement' || c.kind === 'constraint') return [c.origin];
    const out: O[] = [];
    if (c.kind === 'dependency' && c.override) out.push(c.override.origin);
    const first = inc.terms[0];
    if (first) pushUnique(out, rootOrigins.get(first.pkg.replace(/\[.*$/, '')) ?? []);
    return out;
  };

  const factText = (inc: Incompatibility<O>): string => {
    const c = inc.cause;
    const [a, b] = inc.terms;
    switch (c.kind) {
      case 'requirement':
        return `${c.requirement} is required${describeOrigin(c.origin)}`;
      case 'constraint':
        return `the constraint ${c.requirement} applies${describeOrigin(c.origin)}`;
      case 'dependency': {
        if (c.extraOf !== null)
          return `${phrase(a!)} is ${c.extraOf} with its extra ${a!.pkg.slice(c.extraOf.length + 1, -1)}`;
        const base = `${phrase(a!)} needs ${dependencyTerm(b!.pkg, b!.term.set, c.override ? null : c.specifier)}`;
        return c.override
          ? `${base} (by the override ${c.override.requirement}${describeOrigin(c.override.origin)})`
          : base;
      }
      case 'no-versions': {
        if (c.known === 0) return `${a!.pkg} has no versions on the index`;
        const known = ctx.known(a!.pkg);
        const range =
          known && known.length > 0
            ? ` (the index has ${known.length === 1 ? known[0] : `${known[0]} to ${known[known.length - 1]}`})`
            : '';
        return a!.term.set.isFull()
          ? `no version of ${a!.pkg} is available`
          : `no version of ${a!.pkg} matches ${a!.term.set.toString()}${range}`;
      }
      case 'requires-python':
        return `${phrase(a!)} requires Python ${c.requiresPython}, but the target is ${c.python}`;
      case 'root':
      case 'derived':
        return '';
    }
  };

  const conclusionText = (inc: Incompatibility<O>, final: boolean): string => {
    if (final || inc.isTerminal()) {
      const cons = constraintItems.length
        ? ` under ${constraintItems.length === 1 ? 'the constraint' : 'the constraints'} ${listWords(constraintItems)}`
        : '';
      if (requirementItems.length === 1) return `So the requirement ${requirementItems[0]} cannot be installed${cons}.`;
      if (requirementItems.length > 1)
        return `So the requirements ${listWords(requirementItems)} cannot be installed together${cons}.`;
      return `So no set of versions satisfies all of these.`;
    }
    const terms = inc.terms.filter((t) => t.pkg !== ROOT);
    const [a, b] = terms;
    if (terms.length === 1 && a!.term.positive) {
      const d = describeSet(a!.term.set, ctx.known(a!.pkg));
      return d === '*' ? `So no version of ${a!.pkg} can be installed` : `So ${a!.pkg} ${d} cannot be installed`;
    }
    if (terms.length === 1) return `So ${dependencyTerm(a!.pkg, a!.term.set, null)} is needed`;
    if (terms.length === 2 && a!.term.positive !== b!.term.positive) {
      const [pos, neg] = a!.term.positive ? [a!, b!] : [b!, a!];
      return `So ${phrase(pos)} needs ${dependencyTerm(neg.pkg, neg.term.set, null)}`;
    }
    if (terms.every((t) => t.term.positive)) return `So ${listWords(terms.map(phrase))} cannot be installed together`;
    return (
      `So these cannot all hold: ` +
      `${terms.map((t) => (t.term.positive ? phrase(t) : `not ${dependencyTerm(t.pkg, t.term.set, null)}`)).join('; ')}`
    );
  };

  const emit = (
    kind: 'fact' | 'conclusion',
    text: string,
    origins: O[],
    from: number[],
    packages: string[],
  ): number => {
    const number = steps.length + 1;
    steps.push({ number, kind, text, origins, from, packages });
    return number;
  };

  // Root requirements first: their origins are attached to the facts about the packages they name.
  for (const inc of seen) {
    const c = inc.cause;
    if (c.kind === 'requirement') {
      for (const p of packagesOf(inc)) {
        const base = p.replace(/\[.*$/, '');
        const list = rootOrigins.get(base) ?? [];
        pushUnique(list, [c.origin]);
        rootOrigins.set(base, list);
      }
    }
  }

  const visit = (inc: Incompatibility<O>, isTop: boolean, parentBranches = false): number[] => {
    const memo = done.get(inc);
    if (memo) return memo;
    const c = inc.cause;
    let result: number[];
    if (c.kind !== 'derived') {
      if (c.kind === 'root') result = [];
      else {
        if (c.kind === 'requirement') {
          const item = `${c.requirement}${describeOrigin(c.origin)}`;
          if (!requirementItems.includes(item)) requirementItems.push(item);
        }
        if (c.kind === 'constraint') {
          const item = `${c.requirement}${describeOrigin(c.origin)}`;
          if (!constraintItems.includes(item)) constraintItems.push(item);
        }
        if (c.kind === 'requirement' || c.kind === 'constraint') pushUnique(rootsInvolved, [c.origin]);
        if (c.kind === 'dependency' && c.override) pushUnique(rootsInvolved, [c.override.origin]);
        result = [emit('fact', factText(inc), factOrigins(inc), [], packagesOf(inc))];
      }
      done.set(inc, result);
      return result;
    }
    const causes = [c.left, c.right];
    const rank = (x: Incompatibility<O>): number => (x.isDerived() ? 0 : x.terms.some((t) => t.pkg === ROOT) ? 1 : 2);
    causes.sort((x, y) => rank(x) - rank(y));
    const branch = c.left.isDerived() && c.right.isDerived();
    const from = [...visit(causes[0]!, false, branch), ...visit(causes[1]!, false, branch)];
    if (isTop || branch || parentBranches || (parents.get(inc) ?? 0) > 1) {
      const origins: O[] = [];
      for (const n of from) pushUnique(origins, steps[n - 1]!.origins);
      result = [emit('conclusion', conclusionText(inc, isTop), origins, from, packagesOf(inc))];
    } else result = from;
    done.set(inc, result);
    return result;
  };
  const top = visit(tree, true);
  if (steps.length === 0 || steps[steps.length - 1]!.kind !== 'conclusion') {
    const origins: O[] = [];
    for (const n of top) pushUnique(origins, steps[n - 1]!.origins);
    emit('conclusion', conclusionText(tree, true), origins, top, packagesOf(tree));
  }

  const last = steps.length;
  const text = steps
    .map((s) => {
      const by = s.kind === 'conclusion' && s.number !== last ? ` (by ${listWords(s.from.map(String))})` : '';
      return s.number === last && s.kind === 'conclusion'
        ? s.text
        : `${s.number}. ${s.text}${by}${s.text.endsWith('.') ? '' : '.'}`;
    })
    .join('\n');
  return { steps, text, rootsInvolved };
}
