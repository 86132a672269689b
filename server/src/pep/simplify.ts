// Specifier texts made short and readable: repeated and implied parts dropped, lower bounds first.
import { Specifier, SpecifierSet } from './specifier';
import { VersionSet } from './version-set';

const OPERATOR_RANK = ['===', '==', '~=', '>=', '>', '!=', '<=', '<'];

/** A specifier with its lower bounds first (`>=1.0,<2`), for reading; packaging's own order sorts `<` first. */
export function readableSpecifier(text: string): string {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const rank = (s: string): number => OPERATOR_RANK.findIndex((op) => s.startsWith(op));
  return items.sort((a, b) => rank(a) - rank(b)).join(',');
}

/** Splits specifier texts into single specifiers, drops repeated and implied ones, lower bounds first. */
export function simplifySpecifiers(texts: readonly string[]): string {
  const specs: Specifier[] = [];
  const seen = new Set<string>();
  for (const t of texts) {
    for (const s of SpecifierSet.parse(t).specifiers) {
      if (seen.has(s.toString())) continue;
      seen.add(s.toString());
      specs.push(s);
    }
  }
  const sets = specs.map((s) => VersionSet.fromSpecifier(s));
  const keep = specs.map(() => true);
  for (let k = 0; k < specs.length; k++) {
    let others = VersionSet.full();
    for (let j = 0; j < specs.length; j++) if (j !== k && keep[j]) others = others.intersect(sets[j]!);
    if (others.intersect(sets[k]!).equals(others)) keep[k] = false;
  }
  return readableSpecifier(
    specs
      .filter((_, k) => keep[k])
      .map(String)
      .join(','),
  );
}
