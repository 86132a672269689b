// PEP 440 specifiers said in words, for hover.
import { SpecifierSet } from '../pep/specifier';

const phrases: Record<string, (v: string) => string> = {
  '==': (v) => (v.endsWith('.*') ? `any ${v.slice(0, -2)}.x release` : `exactly ${v}`),
  '!=': (v) => (v.endsWith('.*') ? `not a ${v.slice(0, -2)}.x release` : `not ${v}`),
  '>=': (v) => `at least ${v}`,
  '<=': (v) => `at most ${v}`,
  '>': (v) => `above ${v} (not its post-releases)`,
  '<': (v) => `below ${v} (not its pre-releases)`,
  '~=': (v) => {
    const parts = v.split('.');
    return `compatible with ${v} (at least ${v}, same ${parts.slice(0, -1).join('.')}.x)`;
  },
  '===': (v) => `the exact string '${v}'`,
};

/** `>=1.24,<2` -> "at least 1.24 and below 2 (not its pre-releases)"; "" -> "any version". */
export function specifierInWords(specifier: string): string {
  if (!specifier) return 'any version';
  try {
    const set = SpecifierSet.parse(specifier);
    const words = set.specifiers.map((s) => (phrases[s.operator] ?? ((v: string) => `${s.operator}${v}`))(s.version));
    return words.length ? words.join(' and ') : 'any version';
  } catch {
    return specifier;
  }
}
