// How a conda solve reads specs and records: a spec as rattler takes it, whether a record matches a spec, the closest
// names a channel has and versions in conda's order.
import type { MatchSpec } from '../conda-spec/match-spec';
import { CondaVersion, condaVersionSpecMatches } from '../conda-spec/version';

/** How a MatchSpec is handed to rattler: name, version and build only (the channel is applied by filtering records). */
export function rattlerSpec(s: Pick<MatchSpec, 'name' | 'version' | 'build'>): string {
  const v = s.version.trim();
  if (s.build) return `${s.name} ${v || '*'} ${s.build}`;
  return v ? `${s.name} ${v}` : s.name;
}

function globRe(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
}

/** Whether a record satisfies a spec's version and build. */
export function recordMatches(s: Pick<MatchSpec, 'version' | 'build'>, r: { version: string; build: string }): boolean {
  if (s.version && s.version !== '*' && !condaVersionSpecMatches(s.version, r.version)) return false;
  if (s.build && !globRe(s.build).test(r.build)) return false;
  return true;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 4) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The names of `all` closest to `name` (at most `n`), nearest first. */
export function closestNames(name: string, all: Iterable<string>, n = 3): string[] {
  const scored: [number, string][] = [];
  for (const c of all) {
    if (c.startsWith('__')) continue;
    const d = c.includes(name) || name.includes(c) ? Math.min(2, levenshtein(name, c)) : levenshtein(name, c);
    if (d <= Math.max(2, Math.floor(name.length / 3))) scored.push([d, c]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .slice(0, n)
    .map((x) => x[1]);
}

/** Conda's order of two versions (text order where one does not parse). */
export function cmpVersion(a: string, b: string): number {
  const va = CondaVersion.parse(a);
  const vb = CondaVersion.parse(b);
  return va && vb ? va.compare(vb) : a.localeCompare(b);
}

/** The distinct versions of `recs`, newest first. */
export function distinctVersionsDesc(recs: readonly { version: string }[]): string[] {
  return [...new Set(recs.map((r) => r.version))].sort((a, b) => cmpVersion(b, a));
}
