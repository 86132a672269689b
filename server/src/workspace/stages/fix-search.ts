// The index stage's fixes for a conflict's lines, each verified by a full resolution, ranked by the bounds they cross,
// and the verdict an explanation gives of the conflict.
import { hasPep440Text } from '../../checks/edits';
import { versionSetOf } from '../../checks/scope';
import type { MetadataProvider } from '../../index/provider';
import type { LineFix } from '../../model/reports';
import type { Dependency } from '../../model/types';
import { SpecifierSet } from '../../pep/specifier';
import { nearestResolvingVersion, narrowToResolve } from '../../resolver/fixes';
import type { resolve } from '../../resolver/solver';
import type { ExplanationStep, RootRequirement } from '../../resolver/types';
/**
 * The first fact of an explanation that says what a package needs of another whose own line asks for something else:
 * the conflict's verdict (`tensorflow 2.13.0 needs numpy<=1.24.3`, and the numpy line).
 */
export function verdictOf(
  steps: readonly ExplanationStep<Dependency>[],
  involved: readonly Dependency[],
  nameOf: (d: Dependency) => string,
): { needs: string; line: Dependency } | null {
  for (const s of steps) {
    if (s.kind !== 'fact' || s.packages.length !== 2 || !/ needs /.test(s.text)) continue;
    const target = s.packages[1]!.replace(/\[.*$/, '');
    const line = involved.find((d) => nameOf(d) === target && d.kind === 'requirement' && !s.origins.includes(d));
    if (line) return { needs: s.text.replace(/ needs (\S+) (?=[<>=!~])/, ' needs $1'), line };
  }
  return null;
}

/**
 * Fixes for the lines of a conflict, each verified by a full resolution: move a line to the nearest version that
 * resolves, or narrow it. Fixes that keep every bound the author wrote come first; one that crosses a bound says
 * which (the conflict itself proves that nothing inside the written bounds resolves with the other lines as they are).
 */
export async function searchFixes(
  roots: RootRequirement<Dependency>[],
  involved: Dependency[],
  provider: MetadataProvider,
  options: Parameters<typeof resolve<Dependency>>[2],
  deadline: number,
): Promise<LineFix[]> {
  const fixes: LineFix[] = [];
  for (const dep of involved) {
    const index = roots.findIndex((r) => r.origin === dep);
    if (index < 0 || !hasPep440Text(dep) || Date.now() > deadline) continue;
    for (const search of [narrowToResolve, nearestResolvingVersion]) {
      const found = await search(roots, index, provider, { ...options, maxAttempts: 8 }).catch(() => null);
      if (!found || fixes.some((f) => f.dep === dep && f.specifier === found.specifier)) continue;
      const admits = versionSetOf(found.specifier);
      if (admits && admits.isEmpty()) continue;
      fixes.push({ dep, specifier: found.specifier, crosses: crossedBounds(dep.specifier, found.specifier) });
    }
  }
  // Keeping every written bound first; then moving a pin or a lower bound; crossing a cap (an upper bound) last.
  const rank = (f: LineFix) => (f.crosses.length === 0 ? 0 : f.crosses.some(isCap) ? 2 : 1);
  return fixes.sort((a, b) => rank(a) - rank(b));
}

/** An upper bound the author wrote on purpose: `<2`, `<=1.9`, `~=1.4`, `==1.*`. */
function isCap(spec: string): boolean {
  return /^(<|<=|~=)/.test(spec) || /^==.*\.\*$/.test(spec);
}

/** The single specifiers of `written` that `proposed` does not stay inside. */
export function crossedBounds(written: string, proposed: string): string[] {
  const now = versionSetOf(proposed);
  if (!written || !now) return [];
  try {
    return SpecifierSet.parse(written)
      .specifiers.map(String)
      .filter((s) => {
        const bound = versionSetOf(s);
        return bound !== null && !now.intersect(bound).equals(now);
      });
  } catch {
    return [];
  }
}
