// Translates Poetry version constraints (caret, tilde, wildcards, comparisons, `||` unions) into PEP 440 specifier sets
// and PEP 508 python markers.
//
// Semantics follow Poetry's documentation ("Dependency specification") and poetry-core's constraint parser:
//   ^1.2.3 -> >=1.2.3,<2.0.0   ^0.2.3 -> >=0.2.3,<0.3.0   ^0.0.3 -> >=0.0.3,<0.0.4   ^0.0 -> >=0.0,<0.1   ^0 -> >=0,<1
//   ~1.2.3 -> >=1.2.3,<1.3.0   ~1.2 -> >=1.2,<1.3         ~1 -> >=1,<2
//   ~=1.2 / ~=1.2.3 stay as written (PEP 440 means the same); other ~= precisions become the range Poetry computes
//   * -> (any)   1.* -> >=1.0.0,<2.0.0   1.2.* -> >=1.2.0,<1.3.0   0.* -> <1.0.0
//   1.2.3 -> ==1.2.3   =1.2.3 -> ==1.2.3   <>1.2 -> !=1.2   >= 1.2, < 1.5 / >=1.2 <1.5 -> both clauses
//   a || b -> a union, which one PEP 440 specifier set cannot say.
// Upper bounds keep the written version's precision (Poetry's `next_major` etc. do) and drop pre/dev/local
// parts; the lower bound is the version as written. `1.*` becomes a range, not `==1.*`, because Poetry reads it
// as `>=1.0.0,<2.0.0`, which (unlike PEP 440 prefix matching) does not admit pre-releases of 1.0.0.
// `1.2.3.*` (a patch-level wildcard) is left as PEP 440 `==1.2.3.*`: Poetry documents no meaning for it.
import { SpecifierSet } from '../pep/specifier';

/** A Poetry constraint string that Poetry itself would reject. */
export class PoetryConstraintError extends Error {}

/**
 * A Poetry constraint in PEP 440 terms: `any` (no restriction), `set` (one intersection of PEP 440 clauses,
 * in the order written), or `union` (`||`: several such intersections, which one PEP 440 set cannot express).
 */
export type PoetryConstraint =
  { kind: 'any' } | { kind: 'set'; clauses: string[] } | { kind: 'union'; groups: string[][] };

/** A parsed PEP 440 version: what the bound arithmetic needs, plus the text as written. */
interface ParsedVersion {
  text: string;
  epoch: bigint;
  release: bigint[];
}

// PEP 440's version grammar (its appendix), with Poetry's tolerance for a leading `v`.
const VERSION_SOURCE =
  'v?(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)' +
  '(?:[-_.]?(?:alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*)?' +
  '(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?' +
  '(?:[-_.]?dev[-_.]?[0-9]*)?' +
  '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
const VERSION = new RegExp(`^${VERSION_SOURCE}$`, 'i');
const ANY = /^v?[x*](?:\.[x*])*$/i;
const TILDE = /^~(?!=)\s*(.+)$/;
const TILDE_PEP440 = /^~=\s*(.+)$/;
const CARET = /^\^\s*(.+)$/;
const X_RANGE = /^(!=|==)?\s*v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.\*)+$/;
const BASIC = /^(<>|!=|>=?|<=?|==?)?\s*(.+?)(\.\*)?$/;
const OPERATOR = /^(?:<>|!=|==|<=|>=|~=|[<>=~^])/;

function parseVersion(text: string): ParsedVersion | null {
  const m = VERSION.exec(text);
  if (!m || !m.groups) return null;
  const release = m.groups['release']!.split('.').map((p) => BigInt(p));
  // PEP 440 allows the leading `v`; dropping it keeps the printed bound plain.
  return { text: text.replace(/^v/i, ''), epoch: BigInt(m.groups['epoch'] ?? '0'), release };
}

function requireVersion(text: string, whole: string): ParsedVersion {
  const v = parseVersion(text.trim());
  if (!v)
    throw new PoetryConstraintError(`'${whole}' is not a valid version constraint: '${text.trim()}' is not a version`);
  return v;
}

function formatRelease(epoch: bigint, release: bigint[]): string {
  return (epoch !== 0n ? `${epoch}!` : '') + release.join('.');
}

// The next_* helpers work on the stable release (Poetry calls them on `version.stable`), keep the number of
// release components, and zero what follows the incremented one.
function nextMajor(r: bigint[]): bigint[] {
  return [r[0]! + 1n, ...r.slice(1).map(() => 0n)];
}

function nextMinor(r: bigint[]): bigint[] {
  if (r.length === 1) return [r[0]!, 1n];
  return [r[0]!, r[1]! + 1n, ...r.slice(2).map(() => 0n)];
}

function nextPatch(r: bigint[]): bigint[] {
  if (r.length === 1) return [r[0]!, 0n, 1n];
  if (r.length === 2) return [r[0]!, r[1]!, 1n];
  return [r[0]!, r[1]!, r[2]! + 1n, ...r.slice(3).map(() => 0n)];
}

/** Poetry's `next_breaking`: the first version a caret range excludes. */
function nextBreaking(r: bigint[]): bigint[] {
  if (r[0]! > 0n || r.length === 1) return nextMajor(r);
  if (r[1]! > 0n || r.length === 2) return nextMinor(r);
  return nextPatch(r);
}

function range(v: ParsedVersion, upper: bigint[]): string[] {
  return [`>=${v.text}`, `<${formatRelease(v.epoch, upper)}`];
}

/** One Poetry constraint without `,`/space/`||` (e.g. `^1.2`, `>=1.0`, `1.*`) as PEP 440 clauses; [] for any. */
function translateSingle(c: string, whole: string): string[] {
  if (ANY.test(c)) return [];
  let m = TILDE.exec(c);
  if (m) {
    const v = requireVersion(m[1]!, whole);
    return range(v, v.release.length === 1 ? nextMajor(v.release) : nextMinor(v.release));
  }
  m = TILDE_PEP440.exec(c);
  if (m) {
    const v = requireVersion(m[1]!, whole);
    if (v.release.length === 2 || v.release.length === 3) return [`~=${v.text}`];
    return range(v, v.release.length === 2 ? nextMajor(v.release) : nextMinor(v.release));
  }
  m = CARET.exec(c);
  if (m) {
    const v = requireVersion(m[1]!, whole);
    return range(v, nextBreaking(v.release));
  }
  m = X_RANGE.exec(c);
  if (m) {
    const negate = m[1] === '!=';
    const major = BigInt(m[2]!);
    if (m[4] !== undefined) return [`${negate ? '!=' : '=='}${major}.${BigInt(m[3]!)}.${BigInt(m[4])}.*`];
    if (m[3] !== undefined) {
      const minor = BigInt(m[3]);
      if (negate) return [`!=${major}.${minor}.*`];
      return [`>=${major}.${minor}.0`, `<${major}.${minor + 1n}.0`];
    }
    if (major === 0n) return [negate ? '>=1.0.0' : '<1.0.0'];
    if (negate) return [`!=${major}.*`];
    return [`>=${major}.0.0`, `<${major + 1n}.0.0`];
  }
  m = BASIC.exec(c);
  if (m) {
    const written = m[1] ?? '';
    const op = written === '' || written === '=' ? '==' : written === '<>' ? '!=' : written;
    const versionText = m[2]!.trim();
    // Poetry reads the bare word `dev` as 0.0-dev.
    const v = versionText.toLowerCase() === 'dev' ? { text: '0.0.dev0' } : requireVersion(versionText, whole);
    return [`${op}${v.text}`];
  }
  throw new PoetryConstraintError(`'${whole}' is not a valid Poetry version constraint`);
}

/** Splits one `||` alternative into its single constraints (separated by commas or spaces). */
function splitAnd(group: string, whole: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < group.length) {
    const ch = group[i]!;
    if (ch === ',' || /\s/.test(ch)) {
      i++;
      continue;
    }
    const op = OPERATOR.exec(group.slice(i, i + 2));
    let j = i + (op ? op[0].length : 0);
    while (j < group.length && /\s/.test(group[j]!)) j++;
    const start = j;
    while (j < group.length && group[j] !== ',' && !/\s/.test(group[j]!)) j++;
    if (j === start) throw new PoetryConstraintError(`'${whole}' has an operator without a version`);
    out.push(group.slice(i, j).replace(/\s+/g, ''));
    i = j;
  }
  return out;
}

/**
 * Parses a Poetry constraint string (the value of `numpy = "^1.2"` or of a table's `version`).
 * Throws {@link PoetryConstraintError} for what Poetry would reject (e.g. `1.2 - 1.5`, `>=1<2`, `^abc`).
 */
export function parsePoetryConstraint(text: string): PoetryConstraint {
  const trimmed = text.trim();
  if (trimmed === '*') return { kind: 'any' };
  if (trimmed === '') throw new PoetryConstraintError('empty version constraint');
  const groups: string[][] = [];
  for (const alternative of trimmed.split(/\s*\|\|?\s*/)) {
    const group = alternative.replace(/[\s,]+$/, '');
    if (group === '') throw new PoetryConstraintError(`'${trimmed}' has an empty alternative`);
    const clauses = splitAnd(group, trimmed).flatMap((c) => translateSingle(c, trimmed));
    if (clauses.length === 0) return { kind: 'any' };
    groups.push(clauses);
  }
  return groups.length === 1 ? { kind: 'set', clauses: groups[0]! } : { kind: 'union', groups };
}

/**
 * A Poetry constraint as a PEP 440 specifier string, validated by `SpecifierSet` but kept in the order the
 * translation reads (`^2.0.3` -> `>=2.0.3,<3.0.0`, as `list` prints it), each clause normalized once;
 * `''` with `unknown: true` for a union, which one specifier set cannot say.
 */
export function poetryConstraintToPep440(c: PoetryConstraint): { specifier: string; unknown: boolean } {
  if (c.kind === 'any') return { specifier: '', unknown: false };
  if (c.kind === 'union') return { specifier: '', unknown: true };
  const set = SpecifierSet.parse(c.clauses.join(','));
  return { specifier: [...new Set(set.specifiers.map((x) => x.toString()))].join(','), unknown: false };
}

/**
 * Translates a Poetry constraint string straight to PEP 440 (see {@link poetryConstraintToPep440}).
 * Throws {@link PoetryConstraintError} where Poetry would reject the string.
 */
export function translatePoetryConstraint(text: string): { specifier: string; unknown: boolean } {
  return poetryConstraintToPep440(parsePoetryConstraint(text));
}

function clauseToMarker(clause: string): string {
  const m = /^(~=|==|!=|<=|>=|<|>)(.*)$/.exec(clause);
  if (!m) throw new PoetryConstraintError(`cannot express '${clause}' as a python marker`);
  const version = m[2]!;
  // Poetry's rule: a bound with three or more release parts needs the full version (3.8.1), else python_version.
  const parts = version
    .replace(/^v/i, '')
    .replace(/^[0-9]+!/, '')
    .split(/[^0-9.]/)[0]!
    .split('.')
    .filter((p) => p !== '');
  const variable = parts.length >= 3 ? 'python_full_version' : 'python_version';
  return `${variable} ${m[1]} "${version}"`;
}

/**
 * The PEP 508 marker that a Poetry `python = "..."` constraint inside a dependency table means
 * (`^3.8` -> `python_version >= "3.8" and python_version < "4.0"`); `''` for `*`. Unions become `or`.
 * Throws {@link PoetryConstraintError} where Poetry would reject the string.
 */
export function poetryPythonMarker(text: string): string {
  const c = parsePoetryConstraint(text);
  if (c.kind === 'any') return '';
  if (c.kind === 'set') return c.clauses.map(clauseToMarker).join(' and ');
  return c.groups.map((g) => g.map(clauseToMarker).join(' and ')).join(' or ');
}

/** Joins PEP 508 marker expressions with `and`, parenthesizing any that contain a top-level-looking `or`. */
export function andMarkers(markers: string[]): string {
  const parts = markers.map((m) => m.trim()).filter((m) => m !== '');
  if (parts.length <= 1) return parts[0] ?? '';
  return parts.map((m) => (/\bor\b/.test(m) ? `(${m})` : m)).join(' and ');
}
