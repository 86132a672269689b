// PEP 440 version specifiers and specifier sets with packaging 26.2's parsing, matching and pre-release rules.
import { SpanError } from './span-error';
import { PY_WS, Version } from './version';

const WS = `[${PY_WS}]`;
const PRE = `(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?`;
const POST = `(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?`;
const DEV = `(?:[-_.]?dev[-_.]?[0-9]*)?`;
const LOCAL = `(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?`;
// The `~=` branch of packaging's regex is outside `(?a:...)`, so Python's Unicode IGNORECASE also lets
// U+0130/U+0131 match `i` and U+017F match `s` there; JS `/i` without `u` never does, hence the classes.
const COMPAT_PRE = `(?:[-_.]?(?:alpha|beta|prev[i\\u0130\\u0131]ew|pre|a|b|c|rc)[-_.]?[0-9]*)?`;
const COMPAT_POST = `(?:-[0-9]+|[-_.]?(?:po[s\\u017f]t|rev|r)[-_.]?[0-9]*)?`;

/** packaging's `Specifier._specifier_regex_str` (one specifier, no surrounding whitespace). */
export const SPECIFIER_BODY =
  `(?:` +
  `===${WS}*[^${PY_WS};)]*` +
  `|(?:==|!=)${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})?` +
  `|~=${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${COMPAT_PRE}${COMPAT_POST}${DEV}` +
  `|(?:<=|>=|<|>)${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*${PRE}${POST}${DEV}` +
  `)`;

const SPECIFIER_FULL = new RegExp(`^${WS}*${SPECIFIER_BODY}${WS}*$`, 'i');
/**
 * The common shapes (`==1.2.3`, `>=2`, `<3.0`, `~=1.4`), which SPECIFIER_FULL accepts too: tested first, because
 * compiling SPECIFIER_FULL (case-insensitive, Unicode whitespace) costs a command line run milliseconds.
 */
/**
 * The length of the common shape of one specifier at `pos` of `s`: `(==|!=|<=|>=|<|>)N(.N)*` or `~=N(.N)+` (N: ASCII
 * digits), then optionally `.*` (after `==` and `!=`) or a version's usual tails in their written form (`aN`, `bN` or
 * `rcN`, `.postN`, `.devN`), as
 * packaging's specifier regex matches it there when the next character cannot continue a version; -1 where it does
 * not. Scanned by hand: compiling that regex costs a process milliseconds.
 */
export function simpleSpecifierLength(s: string, pos: number): number {
  const c0 = s.charCodeAt(pos);
  const eq = s.charCodeAt(pos + 1) === 0x3d;
  let i: number;
  let compatible = false;
  // == != <= >= (a two-character operator wins over < and >, as the alternation's order has it), ~=, then < >
  if (eq && (c0 === 0x3d || c0 === 0x21 || c0 === 0x3c || c0 === 0x3e)) i = pos + 2;
  else if (eq && c0 === 0x7e) {
    i = pos + 2;
    compatible = true;
  } else if (c0 === 0x3c || c0 === 0x3e) i = pos + 1;
  else return -1;
  let parts = 0;
  for (;;) {
    const start = i;
    while (isDigit(s.charCodeAt(i))) i++;
    if (i === start) return -1;
    parts++;
    if (s.charCodeAt(i) !== 0x2e || !isDigit(s.charCodeAt(i + 1))) break;
    i++;
  }
  if (compatible && parts < 2) return -1;
  // `==1.4.*` and `!=1.4.*`: the prefix match ends the specifier.
  if ((c0 === 0x3d || c0 === 0x21) && eq && s.charCodeAt(i) === 0x2e && s.charCodeAt(i + 1) === 0x2a)
    return i + 2 - pos;
  // The tails, each optional and in this order; a tail's letters without its number leave the text to the regex.
  const tail = (letters: string): boolean => {
    if (!s.startsWith(letters, i)) return true;
    const start = i + letters.length;
    let j = start;
    while (isDigit(s.charCodeAt(j))) j++;
    if (j === start) return false;
    i = j;
    return true;
  };
  const pre = s.startsWith('rc', i) ? 'rc' : s.startsWith('a', i) ? 'a' : s.startsWith('b', i) ? 'b' : null;
  if (pre !== null && !tail(pre)) return -1;
  if (!tail('.post') || !tail('.dev')) return -1;
  return i - pos;
}

function isPrintable(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * The length of an arbitrary-equality specifier at `pos` of `s`, `===` then printable ASCII other than space, `;` and
 * `)`, where packaging's regex (`===\s*[^\s;)]*`) matches exactly that text: the next character ends the match (the
 * end, ASCII whitespace, `;` or `)`). -1 elsewhere (the regex decides).
 */
export function arbitrarySpecifierLength(s: string, pos: number): number {
  if (!s.startsWith('===', pos)) return -1;
  let i = pos + 3;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3b || c === 0x29) break;
    i++;
  }
  // Whitespace right after `===` is taken by the regex's `\s*`, and a character outside ASCII by `[^\s;)]`.
  if (i === pos + 3 && i < s.length && s.charCodeAt(i) !== 0x3b && s.charCodeAt(i) !== 0x29) return -1;
  const next = s.charCodeAt(i);
  if (
    i < s.length &&
    !(
      next === 0x3b ||
      next === 0x29 ||
      next === 0x20 ||
      (next >= 0x09 && next <= 0x0d) ||
      (next >= 0x1c && next <= 0x1f)
    )
  )
    return -1;
  return i - pos;
}

/** Whether all of `text` is the common shape of one specifier ({@link simpleSpecifierLength}) or a `===` one. */
export function isSimpleSpecifier(text: string): boolean {
  return simpleSpecifierLength(text, 0) === text.length || arbitrarySpecifierLength(text, 0) === text.length;
}
const STRIP_RE = new RegExp(`^${WS}+|${WS}+$`, 'g');

/** Python's `str.strip()` (Unicode whitespace). */
export function pyStrip(s: string): string {
  // Text that starts and ends with printable ASCII other than a space has nothing to strip (no regex run).
  if (s === '') return s;
  if (isPrintable(s.charCodeAt(0)) && isPrintable(s.charCodeAt(s.length - 1))) return s;
  return s.replace(STRIP_RE, '');
}

/** A specifier (or specifier set) that packaging rejects; `offset`/`end` locate the bad part in the parsed text. */
export class SpecifierError extends SpanError {
  override name = 'SpecifierError';
}

/** Python's repr of a str, for messages like packaging's `Invalid specifier: '...'`. */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

/** `_version_split`: epoch, then dot-separated items with `1rc2`-style items cut in two. */
function versionSplit(version: string): string[] {
  const bang = version.lastIndexOf('!');
  const epoch = bang >= 0 ? version.slice(0, bang) : '';
  const rest = bang >= 0 ? version.slice(bang + 1) : version;
  const result = [epoch || '0'];
  for (const item of rest.split('.')) {
    const m = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (m) result.push(m[1]!, m[2]!);
    else result.push(item);
  }
  return result;
}

function isPyDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

function numericPrefixLen(split: readonly string[]): number {
  let n = 0;
  while (n < split.length && isPyDigits(split[n]!)) n++;
  return n;
}

/** `str(Version)` or, with `trim`, `str(_TrimmedRelease(Version))` (trailing release zeros dropped, one kept). */
export function versionText(v: Version, trim: boolean): string {
  if (!trim) return v.toString();
  const r = v.parts.release;
  let end = r.length;
  while (end > 1 && r[end - 1] === '0') end--;
  return end === r.length ? v.toString() : v.with({ release: r.slice(0, end) }).toString();
}

/** The prefix a wildcard compares against: exact epoch/release digits, or packaging's generic split form. */
export type PrefixMatch =
  | { kind: 'numeric'; epoch: string; release: readonly string[] }
  | { kind: 'generic'; split: readonly string[]; numericLen: number };

/** `_get_wildcard_split` of a prefix string (what precedes `.*`). */
function prefixMatch(prefix: string): PrefixMatch {
  const v = Version.parse(prefix);
  const split = versionSplit(v ? v.toString() : prefix);
  const numericLen = numericPrefixLen(split);
  if (numericLen === split.length) return { kind: 'numeric', epoch: split[0]!, release: split.slice(1) };
  return { kind: 'generic', split, numericLen };
}

/** Whether `prospective` equals the prefix `m` (the `==X.*` rule, local segment ignored). */
function matchesPrefix(m: PrefixMatch, prospective: Version): boolean {
  if (m.kind === 'numeric') {
    const p = prospective.parts;
    if (p.epoch !== m.epoch) return false;
    for (let i = 0; i < m.release.length; i++) if ((p.release[i] ?? '0') !== m.release[i]) return false;
    return true;
  }
  const pub = prospective.local === null ? prospective : prospective.with({ local: null });
  const split = versionSplit(pub.toString());
  const numLen = numericPrefixLen(split);
  const padded =
    numLen >= m.numericLen
      ? split
      : [...split.slice(0, numLen), ...new Array<string>(m.numericLen - numLen).fill('0'), ...split.slice(numLen)];
  if (padded.length < m.split.length) return false;
  for (let i = 0; i < m.split.length; i++) if (padded[i] !== m.split[i]) return false;
  return true;
}

/**
 * One PEP 440 version specifier (`>=1.2`, `==1.2.*`, `~=1.4.2`, `===foo`), as `packaging.specifiers.Specifier`.
 * `operator` and `version` are as written (whitespace stripped); `toString()` is their concatenation.
 */
export class Specifier {
  readonly operator: string;
  readonly version: string;
  /**
   * @internal The specifier's version parsed (null only for `===` of a non-version, or a `~=` packaging cannot parse).
   */
  readonly spec: Version | null;
  /** @internal For `==X.*`, `!=X.*` and `~=`: the prefix rule. */
  readonly prefix: PrefixMatch | null;
  private readonly earliestPre: Version | null;
  private readonly postPrefix: string | null;

  private constructor(operator: string, version: string) {
    this.operator = operator;
    this.version = version;
    const wildcard = version.endsWith('.*');
    this.spec = operator === '===' ? Version.parse(version) : Version.parse(wildcard ? version.slice(0, -2) : version);
    this.prefix = null;
    this.earliestPre = null;
    this.postPrefix = null;
    const s = this.spec;
    if (wildcard) this.prefix = prefixMatch(version.slice(0, -2));
    else if (operator === '~=') {
      const items: string[] = [];
      for (const seg of versionSplit(version)) {
        if (['dev', 'a', 'b', 'rc', 'post'].some((p) => seg.startsWith(p))) break;
        items.push(seg);
      }
      items.pop();
      const [epoch, ...rest] = items;
      this.prefix = prefixMatch(`${epoch}!${rest.join('.')}`);
    } else if (operator === '<' && s) this.earliestPre = s.with({ dev: '0', local: null });
    else if (operator === '>' && s && s.parts.dev === null && s.parts.post === null)
      this.postPrefix = s.key.slice(0, s.prefixEnd);
  }

  /** Parses one specifier; throws `SpecifierError` where packaging raises `InvalidSpecifier`. */
  static parse(text: string): Specifier {
    if (!isSimpleSpecifier(text) && !SPECIFIER_FULL.test(text))
      throw new SpecifierError(`Invalid specifier: ${pyRepr(text)}`, 0, text.length);
    const spec = pyStrip(text);
    let op: string;
    if (spec.startsWith('===')) op = '===';
    else if (['~=', '==', '!=', '<=', '>='].some((o) => spec.startsWith(o))) op = spec.slice(0, 2);
    else op = spec.slice(0, 1);
    return new Specifier(op, pyStrip(spec.slice(op.length)));
  }

  /**
   * packaging's `Specifier.prereleases` with no override: whether the specifier itself implies pre-releases
   * (`undefined` = unknown).
   */
  get prereleases(): boolean | undefined {
    if (this.operator === '!=') return false;
    if (this.operator === '==' && this.version.endsWith('.*')) return false;
    if (this.spec === null) return undefined;
    return this.spec.isPrerelease;
  }

  /**
   * @internal Whether a parsed version satisfies the operator (pre-release policy aside). `item` is what `===`
   * compares.
   */
  matches(v: Version, item: Version | string = v): boolean {
    const s = this.spec;
    switch (this.operator) {
      case '===':
        return (typeof item === 'string' ? item : item.toString()).toLowerCase() === this.version.toLowerCase();
      case '==':
        return this.prefix
          ? matchesPrefix(this.prefix, v)
          : s !== null && (s.local === null ? v.publicKey === s.key : v.key === s.key);
      case '!=':
        return this.prefix
          ? !matchesPrefix(this.prefix, v)
          : s !== null && !(s.local === null ? v.publicKey === s.key : v.key === s.key);
      case '<=':
        return s !== null && v.publicKey <= s.key;
      case '>=':
        return s !== null && v.publicKey >= s.key;
      case '<':
        if (s === null || !(v.key < s.key)) return false;
        return !(this.earliestPre !== null && !s.isPrerelease && v.isPrerelease && v.key >= this.earliestPre.key);
      case '>':
        if (s === null || !(v.key > s.key)) return false;
        if (this.postPrefix !== null && v.parts.post !== null && v.key.startsWith(this.postPrefix)) return false;
        return !(v.local !== null && v.publicKey === s.key);
      case '~=':
        return s !== null && v.publicKey >= s.key && this.prefix !== null && matchesPrefix(this.prefix, v);
      default:
        return false;
    }
  }

  /**
   * `Specifier.contains`: whether `v` (a Version, or a string parsed as one) satisfies this specifier.
   * With `prereleases === false` pre-releases never match; otherwise (as packaging does for a single item) they may.
   */
  contains(v: Version | string, prereleases?: boolean): boolean {
    const parsed = typeof v === 'string' ? Version.parse(v) : v;
    if (parsed === null) return this.operator === '===' && (v as string).toLowerCase() === this.version.toLowerCase();
    if (!this.matches(parsed, v)) return false;
    return !(prereleases === false && parsed.isPrerelease);
  }

  /** @internal `_canonical_spec`, the identity used to de-duplicate a set's specifiers. */
  canonicalKey(): string {
    if (this.operator === '===' || this.version.endsWith('.*') || this.spec === null)
      return this.operator + '\0' + this.version;
    return this.operator + '\0' + versionText(this.spec, this.operator !== '~=');
  }

  toString(): string {
    return this.operator + this.version;
  }
}

/** Compares strings by code point, like Python's `str` ordering. */
function pyCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * A comma-separated set of specifiers, as `packaging.specifiers.SpecifierSet`. `specifiers` keeps the written
 * order; `toString()` is packaging's sorted, de-duplicated form.
 */
export class SpecifierSet {
  readonly specifiers: readonly Specifier[];
  private readonly hasArbitrary: boolean;
  private text: string | undefined;

  constructor(specifiers: readonly Specifier[] = []) {
    this.specifiers = specifiers;
    this.hasArbitrary = specifiers.some((s) => s.operator === '===');
  }

  /**
   * Parses `">=1.0, !=1.3"`; throws `SpecifierError` (offset of the bad item) where packaging raises
   * `InvalidSpecifier`.
   */
  static parse(text: string): SpecifierSet {
    const specs: Specifier[] = [];
    let start = 0;
    for (const piece of text.split(',')) {
      const item = pyStrip(piece);
      if (item) {
        try {
          specs.push(Specifier.parse(item));
        } catch (e) {
          if (!(e instanceof SpecifierError)) throw e;
          const lead = piece.length - piece.replace(new RegExp(`^${WS}+`), '').length;
          throw new SpecifierError(e.message, start + lead, start + lead + item.length);
        }
      }
      start += piece.length + 1;
    }
    return new SpecifierSet(specs);
  }

  /** `True` when any specifier implies pre-releases, else `undefined` (packaging's `None`). */
  get prereleases(): boolean | undefined {
    return this.specifiers.some((s) => s.prereleases) ? true : undefined;
  }

  /** `SpecifierSet.contains`: every specifier matches; with `prereleases === false`, pre-releases never do. */
  contains(v: Version | string, prereleases?: boolean): boolean {
    const parsed = typeof v === 'string' ? Version.parse(v) : v;
    const specs = this.specifiers;
    if (specs.length === 0) return !(prereleases === false && parsed !== null && parsed.isPrerelease);
    if (parsed === null) {
      const lower = (v as string).toLowerCase();
      return specs.every((s) => s.operator === '===' && lower === s.version.toLowerCase());
    }
    const p = prereleases ?? this.prereleases;
    if (p === false && parsed.isPrerelease) return false;
    const item = this.hasArbitrary && typeof v === 'string' ? v : parsed;
    for (const s of specs) if (!s.matches(parsed, item)) return false;
    return true;
  }

  /**
   * `SpecifierSet.filter`: the versions that match, in order. With `prereleases` unset (and no specifier implying
   * them), pre-releases are dropped when any final release matched (PEP 440).
   */
  filter(versions: Iterable<Version>, prereleases?: boolean): Version[] {
    let p = prereleases;
    if (p === undefined && this.prereleases !== undefined) p = this.prereleases;
    const matched: Version[] = [];
    for (const v of versions) {
      if (p === false && v.isPrerelease) continue;
      if (this.specifiers.every((s) => s.matches(v))) matched.push(v);
    }
    if (p !== undefined) return matched;
    const finals = matched.filter((v) => !v.isPrerelease);
    return finals.length > 0 ? finals : matched;
  }

  /** packaging's `str(SpecifierSet)`: specifiers sorted by their text and de-duplicated, joined with `,`. */
  toString(): string {
    if (this.text !== undefined) return this.text;
    let specs = this.specifiers;
    if (specs.length > 1) {
      const seen = new Set<string>();
      specs = [...specs]
        .sort((a, b) => pyCompare(a.toString(), b.toString()))
        .filter((s) => {
          const k = s.canonicalKey();
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
    }
    this.text = specs.map((s) => s.toString()).join(',');
    return this.text;
  }
}
