// PEP 440 versions exactly as packaging 26.2 parses, normalizes and orders them, compared through a precomputed string
// key.

/** Python's `str.isspace()` characters, which `\s` matches in packaging's regexes (JS `\s` differs). */
export const PY_WS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const VERSION_RE = new RegExp(
  `^[${PY_WS}]*v?(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)` +
    `(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?` +
    `(?:-([0-9]+)|[._-]?(post|rev|r)[._-]?([0-9]+)?)?` +
    `(?:[._-]?(dev)[._-]?([0-9]+)?)?` +
    `(?:\\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?[${PY_WS}]*$`,
  'i',
);

const PRE_LETTER: Record<string, 'a' | 'b' | 'rc'> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};
const PRE_RANK: Record<string, string> = { a: '1', b: '2', rc: '3' };
const RANK_DEV_ONLY = '0';
const RANK_STABLE = '4';

/** A local segment part: lower-cased text, or a number written as canonical digits. */
export type LocalPart = { s: string } | { n: string };

/** The parts of a version with numbers kept as canonical decimal strings (Python ints are unbounded). */
export interface VersionParts {
  epoch: string;
  release: readonly string[];
  pre: readonly ['a' | 'b' | 'rc', string] | null;
  post: string | null;
  dev: string | null;
  local: readonly LocalPart[] | null;
}

/** Strips leading zeros from an ASCII digit string ("007" -> "7", "0" stays). */
/** A version's parts by VERSION_RE alone (the fast paths' differential test); null where packaging rejects it. */
export function versionPartsFull(text: string): VersionParts | null {
  const m = VERSION_RE.exec(text);
  if (!m) return null;
  const [, epoch, release, preL, preN, postN1, postL, postN2, devL, devN, local] = m;
  return {
    epoch: epoch ? canonicalDigits(epoch) : '0',
    release: release!.split('.').map(canonicalDigits),
    pre: preL ? [PRE_LETTER[preL.toLowerCase()]!, preN ? canonicalDigits(preN) : '0'] : null,
    post: postN1 ? canonicalDigits(postN1) : postL ? (postN2 ? canonicalDigits(postN2) : '0') : null,
    dev: devL ? (devN ? canonicalDigits(devN) : '0') : null,
    local: local ? parseLocal(local) : null,
  };
}

/**
 * The parts of a version in its usual written form, `N!` then `N(.N)*` then `aN`, `bN` or `rcN`, `.postN`, `.devN`
 * (each but the release optional, lower case, no local label), as VERSION_RE would give them; null for any other text
 * (VERSION_RE decides). Scanned by hand: compiling VERSION_RE costs a process a millisecond or more.
 */
export function versionPartsFast(text: string): VersionParts | null {
  let i = 0;
  const digits = (): string | null => {
    const start = i;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    return i > start ? canonicalDigits(text.slice(start, i)) : null;
  };
  let epoch = '0';
  const bang = text.indexOf('!');
  if (bang > 0) {
    const e = digits();
    if (e === null || i !== bang) return null;
    epoch = e;
    i++;
  }
  const release: string[] = [];
  for (;;) {
    const d = digits();
    if (d === null) return null;
    release.push(d);
    if (text.charCodeAt(i) !== 46 || !(text.charCodeAt(i + 1) >= 48 && text.charCodeAt(i + 1) <= 57)) break;
    i++;
  }
  let pre: ['a' | 'b' | 'rc', string] | null = null;
  for (const letter of ['rc', 'a', 'b'] as const) {
    if (!text.startsWith(letter, i)) continue;
    i += letter.length;
    const n = digits();
    if (n === null) return null;
    pre = [letter, n];
    break;
  }
  let post: string | null = null;
  if (text.startsWith('.post', i)) {
    i += 5;
    if ((post = digits()) === null) return null;
  }
  let dev: string | null = null;
  if (text.startsWith('.dev', i)) {
    i += 4;
    if ((dev = digits()) === null) return null;
  }
  return i === text.length ? { epoch, release, pre, post, dev, local: null } : null;
}

export function canonicalDigits(d: string): string {
  if (d.length > 1 && d.charCodeAt(0) === 48) {
    let i = 0;
    while (i < d.length - 1 && d.charCodeAt(i) === 48) i++;
    return d.slice(i);
  }
  return d;
}

/** Adds one to a canonical digit string. */
export function incrementDigits(d: string): string {
  return d.length < 15 ? String(Number(d) + 1) : (BigInt(d) + 1n).toString();
}

/** Order-preserving encoding of a non-negative integer: a length character, then the digits. */
function encInt(d: string): string {
  return String.fromCharCode(0x40 + d.length) + d;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/**
 * The comparison key of packaging's `_cmpkey` as one string whose code-unit order is the version order:
 * epoch, trimmed release (each element `\x02`+int, ended by `\x01`), the pre rank and number, post rank and
 * number, dev rank and number, then local parts (`\x02`text`\x01` sorts before `\x03`int, shorter first).
 * `prefixEnd` is where the post rank starts (the "same release and pre-release" prefix).
 */
function buildKey(p: VersionParts): { key: string; publicKey: string; prefixEnd: number } {
  let k = encInt(p.epoch);
  let end = p.release.length;
  while (end > 0 && p.release[end - 1] === '0') end--;
  for (let i = 0; i < end; i++) k += '\x02' + encInt(p.release[i]!);
  k += '\x01';
  if (p.pre === null && p.post === null && p.dev !== null) k += RANK_DEV_ONLY + encInt('0');
  else if (p.pre === null) k += RANK_STABLE + encInt('0');
  else k += PRE_RANK[p.pre[0]]! + encInt(p.pre[1]);
  const prefixEnd = k.length;
  k += p.post === null ? '0' + encInt('0') : '1' + encInt(p.post);
  k += p.dev === null ? '1' + encInt('0') : '0' + encInt(p.dev);
  const publicKey = k;
  if (p.local !== null) {
    for (const part of p.local) k += 'n' in part ? '\x03' + encInt(part.n) : '\x02' + part.s + '\x01';
  }
  return { key: k, publicKey, prefixEnd };
}

function parseLocal(text: string): LocalPart[] {
  return text.split(/[._-]/).map((part) => (isDigits(part) ? { n: canonicalDigits(part) } : { s: part.toLowerCase() }));
}

/**
 * An immutable PEP 440 version. `Version.parse` accepts exactly what `packaging.version.Version` accepts;
 * `toString()` is `str(Version)`; `compare` is packaging's ordering (through the precomputed `key`).
 */
export class Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre: readonly [string, number] | null;
  readonly post: number | null;
  readonly dev: number | null;
  readonly local: string | null;
  /** Order-preserving key: `a.key < b.key` exactly when `a < b` in packaging; equal keys mean equal versions. */
  readonly key: string;
  /** The key of the public part (no local segment); `key` starts with it. */
  readonly publicKey: string;
  /** @internal Length of the key prefix that fixes epoch, release and pre-release. */
  readonly prefixEnd: number;
  /** @internal The parts with exact (unbounded) numbers. */
  readonly parts: VersionParts;
  private text: string | undefined;

  private constructor(parts: VersionParts) {
    this.parts = parts;
    this.epoch = Number(parts.epoch);
    this.release = parts.release.map(Number);
    this.pre = parts.pre ? [parts.pre[0], Number(parts.pre[1])] : null;
    this.post = parts.post === null ? null : Number(parts.post);
    this.dev = parts.dev === null ? null : Number(parts.dev);
    this.local = parts.local === null ? null : parts.local.map((p) => ('n' in p ? p.n : p.s)).join('.');
    const k = buildKey(parts);
    this.key = k.key;
    this.publicKey = k.publicKey;
    this.prefixEnd = k.prefixEnd;
  }

  /** Parses a version; `null` where packaging raises `InvalidVersion`. */
  static parse(text: string): Version | null {
    const parts = versionPartsFast(text) ?? versionPartsFull(text);
    return parts ? new Version(parts) : null;
  }

  /** Builds a version from parts (numbers as canonical digit strings or numbers); `local` is the dotted local text. */
  static fromParts(p: {
    epoch?: string | number;
    release: readonly (string | number)[];
    pre?: readonly [string, string | number] | null;
    post?: string | number | null;
    dev?: string | number | null;
    local?: string | null;
  }): Version {
    const d = (x: string | number): string => canonicalDigits(String(x));
    const pre = p.pre ? ([PRE_LETTER[p.pre[0].toLowerCase()] ?? 'rc', d(p.pre[1])] as const) : null;
    return new Version({
      epoch: d(p.epoch ?? 0),
      release: p.release.map(d),
      pre,
      post: p.post === null || p.post === undefined ? null : d(p.post),
      dev: p.dev === null || p.dev === undefined ? null : d(p.dev),
      local: p.local ? parseLocal(p.local) : null,
    });
  }

  /** @internal A copy with some parts replaced (`__replace__`). */
  with(change: Partial<VersionParts>): Version {
    return new Version({ ...this.parts, ...change });
  }

  /** Whether this is a pre-release or a dev release. */
  get isPrerelease(): boolean {
    return this.parts.dev !== null || this.parts.pre !== null;
  }
  get isPostrelease(): boolean {
    return this.parts.post !== null;
  }
  get isDevrelease(): boolean {
    return this.parts.dev !== null;
  }

  /** The version without its local segment, as a string. */
  get public(): string {
    const s = this.toString();
    const i = s.indexOf('+');
    return i < 0 ? s : s.slice(0, i);
  }

  /** Epoch and release only (`1!1.2.3`). */
  get baseVersion(): string {
    const r = this.parts.release.join('.');
    return this.parts.epoch !== '0' ? `${this.parts.epoch}!${r}` : r;
  }

  /** The normalized form, exactly `str(Version)`. */
  toString(): string {
    if (this.text !== undefined) return this.text;
    const p = this.parts;
    let s = p.release.join('.');
    if (p.epoch !== '0') s = `${p.epoch}!${s}`;
    if (p.pre) s += p.pre[0] + p.pre[1];
    if (p.post !== null) s += '.post' + p.post;
    if (p.dev !== null) s += '.dev' + p.dev;
    if (this.local !== null) s += '+' + this.local;
    this.text = s;
    return s;
  }

  /** Negative, zero or positive as this version sorts before, equal to or after `other`. */
  compare(other: Version): number {
    return this.key < other.key ? -1 : this.key > other.key ? 1 : 0;
  }

  /** Equality in the version order (`1.0 == 1.0.0`). */
  equals(other: Version): boolean {
    return this.key === other.key;
  }
}

/** `a.compare(b)`, for sorting. */
export function compareVersions(a: Version, b: Version): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
