// Misspelled project names: the popular project one edit away (or a known alias), for `not-found`'s fix.
import data from './popular-projects.json';
import { canonicalizeName } from '../pep/name';
import { deprecatedPackage } from './deprecated';

const d = data as unknown as { aliases: Record<string, string>; projects: string[] };
/** Normalized popular names, most downloaded first. */
const popular: readonly string[] = d.projects.map(canonicalizeName);
const popularSet = new Set(popular);
const aliases = new Map(Object.entries(d.aliases).map(([k, v]) => [canonicalizeName(k), v]));

/**
 * Whether `a` and `b` are one insertion, deletion, substitution or swap of neighbours apart (optimal string alignment
 * distance 1).
 */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.slice(i + 1) === short.slice(i);
}

/**
 * The project someone who wrote `name` probably meant: a known alias (`pytorch` -> `torch`, `opencv` ->
 * `opencv-python`), else the most downloaded popular project one edit away from it (normalized; names of four
 * characters or fewer are left alone). Null for a popular name itself (in any spelling PEP 503 treats as the
 * same), a name the deprecated table covers (`sklearn`, `pil`), or no candidate.
 */
export function suggestName(name: string): string | null {
  const key = canonicalizeName(name);
  if (!key || popularSet.has(key) || deprecatedPackage(key, 'pip')) return null;
  const alias = aliases.get(key);
  if (alias) return alias;
  if (key.length <= 4) return null;
  return popular.find((p) => oneEditApart(key, p)) ?? null;
}
