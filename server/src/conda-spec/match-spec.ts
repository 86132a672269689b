// Parses conda MatchSpec strings as environment.yml writes them and translates conda version specs to PEP 440.
import type { Span } from '../model/types';
import { CondaVersion, CondaVersionSpec, condaSpecTree, type CondaSpecTree } from './version';

/** A parsed conda MatchSpec, with the offsets (into the parsed text) that fixes and diagnostics need. */
export interface MatchSpec {
  name: string;
  /** `conda-forge` of `conda-forge::numpy` or `numpy[channel=conda-forge]`; null where none (or `*`). */
  channel: string | null;
  /** `linux-64` of `conda-forge/linux-64::numpy` or `[subdir=linux-64]`. */
  subdir: string | null;
  /**
   * The conda version spec that the MatchSpec applies, without spaces ("" for none). `numpy=1.24` gives
   * `1.24.*` (conda's fuzzy `=`), `numpy=1.24=py311_0` gives `1.24` (with a build string `=` is exact, as
   * conda does), `numpy 1.24` gives `1.24` (exact); other forms are kept as written. It means the same
   * when handed to {@link CondaVersionSpec} on its own.
   */
  version: string;
  /** Build-string glob (`py311h*_0`); null where none. */
  build: string | null;
  /** For a package-file spec (`.../numpy-1.24.3-py311_0.conda`), the file or URL. */
  url: string | null;
  nameSpan: Span;
  /** Where the version is written; an empty span right after the name where there is none. */
  versionSpan: Span;
  buildSpan: Span | null;
  channelSpan: Span | null;
}

/** Why a MatchSpec string is rejected, and where (an offset into the parsed text). */
export interface MatchSpecError {
  error: string;
  offset: number;
}

/** Conda's known platform subdirectories, which may follow a channel (`conda-forge/linux-64::numpy`). */
export const KNOWN_SUBDIRS: ReadonlySet<string> = new Set([
  'noarch',
  'emscripten-wasm32',
  'wasi-wasm32',
  'freebsd-64',
  'linux-32',
  'linux-64',
  'linux-aarch64',
  'linux-armv6l',
  'linux-armv7l',
  'linux-ppc64',
  'linux-ppc64le',
  'linux-riscv64',
  'linux-s390x',
  'osx-64',
  'osx-arm64',
  'win-32',
  'win-64',
  'win-arm64',
  'zos-z',
]);

/** MatchSpec fields that may appear in brackets. */
const BRACKET_FIELDS = new Set([
  'channel',
  'subdir',
  'name',
  'version',
  'build',
  'build_number',
  'track_features',
  'features',
  'url',
  'md5',
  'sha256',
  'license',
  'license_family',
  'fn',
  'namespace',
]);

const NAME_RE = /^(?:\*|[A-Za-z0-9_][A-Za-z0-9_.+-]*)$/;
const MAX_SPEC_LENGTH = 4096;

/** A piece of the spec text with the original offset of each of its characters. */
class Piece {
  constructor(
    readonly s: string,
    readonly pos: readonly number[],
    /** Offset just after the piece in the original text (for empty pieces). */
    readonly endOffset: number,
  ) {}

  static of(text: string): Piece {
    return new Piece(
      text,
      Array.from({ length: text.length }, (_, i) => i),
      text.length,
    );
  }

  slice(a: number, end: number = this.s.length): Piece {
    const b = Math.min(end, this.s.length);
    return new Piece(this.s.slice(a, b), this.pos.slice(a, b), b > a ? this.pos[b - 1]! + 1 : this.at(a));
  }

  /** The piece without the characters [a, b). */
  remove(a: number, b: number): Piece {
    return new Piece(
      this.s.slice(0, a) + this.s.slice(b),
      [...this.pos.slice(0, a), ...this.pos.slice(b)],
      this.endOffset,
    );
  }

  trim(): Piece {
    const lead = this.s.length - this.s.trimStart().length;
    const kept = this.s.trim().length;
    return this.slice(lead, lead + kept);
  }

  /** Original offset of character i (or of the piece's end). */
  at(i: number): number {
    return i < this.pos.length ? this.pos[i]! : this.endOffset;
  }

  span(): Span {
    if (this.s.length === 0) return { start: this.endOffset, end: this.endOffset };
    return { start: this.pos[0]!, end: this.pos[this.pos.length - 1]! + 1 };
  }
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** The bracket section's key/value pairs, each value with its piece. */
function parseBrackets(content: Piece): Map<string, Piece> {
  const out = new Map<string, Piece>();
  const s = content.s;
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ')) i++;
    if (i >= s.length) break;
    const key = /^[A-Za-z0-9_-]+/.exec(s.slice(i))?.[0];
    if (!key) throw new ParseError('expected key=value in brackets', content.at(i));
    const keyAt = i;
    i += key.length;
    while (s[i] === ' ') i++;
    if (s[i] !== '=') throw new ParseError(`key-value mismatch in brackets: '${key}' has no value`, content.at(i));
    i++;
    while (s[i] === ' ') i++;
    let value: Piece;
    const q = s[i];
    if (q === "'" || q === '"') {
      const close = s.indexOf(q, i + 1);
      if (close < 0) throw new ParseError('unterminated quote in brackets', content.at(i));
      value = content.slice(i + 1, close);
      i = close + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== ',' && s[j] !== ' ') j++;
      value = content.slice(i, j);
      i = j;
    }
    if (i < s.length && s[i] !== ',' && s[i] !== ' ')
      throw new ParseError('expected , or ] after a bracket value', content.at(i));
    if (value.s === '')
      throw new ParseError(`key-value mismatch in brackets: '${key}' has an empty value`, content.at(keyAt));
    if (!BRACKET_FIELDS.has(key)) throw new ParseError(`cannot match on field '${key}'`, content.at(keyAt));
    out.set(key, value);
  }
  return out;
}

/**
 * Where conda's `_parse_version_plus_build` splits "version build": the earliest space or `=` not
 * preceded by an operator or separator, after which only build-string characters follow. Returns the
 * index of that separator, or -1 when the whole text is the version.
 */
function versionBuildSplit(s: string): number {
  const n = s.length;
  // buildOk[i]: s[i..] is a possible build string (one or more characters, none of -=,|<>~).
  const buildOk = new Array<boolean>(n + 1).fill(false);
  for (let i = n - 1; i >= 0; i--) buildOk[i] = !'-=,|<>~'.includes(s[i]!) && (i === n - 1 || buildOk[i + 1]!);
  const splitsAt = (p: number): boolean =>
    p < n - 1 && (s[p] === ' ' || s[p] === '=') && !'=!|,<>~'.includes(s[p - 1]!) && buildOk[p + 1]!;
  // The regex's lazy version `.+?` and optional `[^><!,|]?` try split points in the order L+1, L.
  for (let len = 1; len <= n; len++) {
    const candidates = len < n && !'><!,|'.includes(s[len]!) ? [len + 1, len] : [len];
    for (const p of candidates) {
      if (splitsAt(p)) return p;
      if (p === n) return -1;
    }
  }
  return -1;
}

function channelParts(piece: Piece): { channel: string | null; subdir: string | null; span: Span | null } {
  const text = piece.s.trim();
  if (text === '' || text === '*') return { channel: null, subdir: null, span: null };
  const slash = text.lastIndexOf('/');
  if (slash > 0 && KNOWN_SUBDIRS.has(text.slice(slash + 1))) {
    const channel = text.slice(0, slash);
    return { channel: channel === '*' ? null : channel, subdir: text.slice(slash + 1), span: piece.trim().span() };
  }
  return { channel: text, subdir: null, span: piece.trim().span() };
}

function packageFileSpec(w: Piece): MatchSpec {
  const s = w.s;
  const slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
  const fileStart = slash + 1;
  const stem = s.slice(fileStart).replace(/(\.tar\.bz2|\.conda)$/, '');
  const lastDash = stem.lastIndexOf('-');
  const midDash = lastDash > 0 ? stem.lastIndexOf('-', lastDash - 1) : -1;
  if (midDash <= 0) throw new ParseError('a package file name must read name-version-build', w.at(fileStart));
  const name = w.slice(fileStart, fileStart + midDash);
  const version = w.slice(fileStart + midDash + 1, fileStart + lastDash);
  const build = w.slice(fileStart + lastDash + 1, fileStart + stem.length);
  if (!CondaVersion.parse(version.s)) {
    throw new ParseError(`invalid version '${version.s}' in package file name`, version.span().start);
  }
  const dir = s.slice(0, Math.max(slash, 0));
  const dirParts = dir.split('/');
  const subdir = KNOWN_SUBDIRS.has(dirParts[dirParts.length - 1] ?? '') ? dirParts[dirParts.length - 1]! : null;
  return {
    name: name.s,
    channel: null,
    subdir,
    version: version.s,
    build: build.s || null,
    url: s,
    nameSpan: name.span(),
    versionSpan: version.span(),
    buildSpan: build.s ? build.span() : null,
    channelSpan: null,
  };
}

/** Conda's rewrite of a version starting with `=` outside brackets (`=1.2` -> `1.2*`, `==1.2` -> exact). */
function normalizeEqualsForm(v: string, hasBuild: boolean): string {
  if (!v.startsWith('=')) return v;
  const rest = v.slice(1);
  if (v.startsWith('==') && !hasBuild) {
    // conda drops the `==`; kept where that means the same on its own (it does unless a `*` follows).
    return rest.slice(1).includes('*') ? rest.slice(1) : v;
  }
  if (/[=,|]/.test(rest)) return v;
  if (rest === '') return v;
  if (hasBuild) return rest;
  const fuzzy = rest.endsWith('*') ? rest : rest + '*';
  // `1.24*` and `1.24.*` are the same spec; write the usual one where that is all the `*` there is.
  if (/^[^*]+\*$/.test(fuzzy) && !fuzzy.endsWith('.*')) return fuzzy.slice(0, -1) + '.*';
  return fuzzy;
}

function parse(text: string): MatchSpec {
  if (text.length > MAX_SPEC_LENGTH) throw new ParseError('match spec too long', 0);
  let w = Piece.of(text);
  if (text.trimEnd().endsWith('@'))
    throw new ParseError("legacy feature specs ('name@') are not packages", text.trimEnd().length - 1);
  const hash = w.s.indexOf('#');
  if (hash >= 0) w = w.slice(0, hash);
  const cond = w.s.indexOf(' if ');
  if (cond >= 0) w = w.slice(0, cond);
  w = w.trim();
  if (w.s === '') throw new ParseError('empty match spec', w.endOffset);
  if (/(\.tar\.bz2|\.conda)$/.test(w.s)) return packageFileSpec(w);

  let brackets = new Map<string, Piece>();
  const br = /^.*(\[.*\])/.exec(w.s);
  if (br) {
    const end = br[0].length;
    const start = end - br[1]!.length;
    brackets = parseBrackets(w.slice(start + 1, end - 1));
    w = w.remove(start, end);
  }
  const open = w.s.indexOf('[');
  if (open >= 0) throw new ParseError(br ? 'multiple bracket sections not allowed' : "unclosed '['", w.at(open));
  const pr = /^.*(\(.*\))/.exec(w.s);
  if (pr) {
    // conda ignores a parenthesised section (`(optional)`), wherever it is.
    const end = pr[0].length;
    w = w.remove(end - pr[1]!.length, end);
  }

  let channelPiece: Piece | null = null;
  const c2 = w.s.lastIndexOf(':');
  if (c2 >= 0) {
    const c1 = c2 > 0 ? w.s.lastIndexOf(':', c2 - 1) : -1;
    if (c1 >= 0) channelPiece = w.slice(0, c1);
    w = w.slice(c2 + 1);
  }
  let {
    channel,
    subdir,
    span: channelSpan,
  } = channelPiece ? channelParts(channelPiece) : { channel: null, subdir: null, span: null as Span | null };
  const bChannel = brackets.get('channel');
  if (bChannel) {
    const p = channelParts(bChannel);
    if (p.channel) {
      channel = p.channel;
      channelSpan = p.span;
    }
    if (p.subdir) subdir = p.subdir;
  }
  const bSubdir = brackets.get('subdir');
  if (bSubdir) subdir = bSubdir.s;

  const nm = /^([^ =<>!~]+)?([><!=~ ].+)?/.exec(w.s)!;
  if (nm[1] === undefined) throw new ParseError('no package name found', w.at(0));
  let namePiece = w.slice(0, nm[1].length);
  const bName = brackets.get('name');
  if (bName) namePiece = bName;
  if (!NAME_RE.test(namePiece.s)) throw new ParseError(`invalid package name '${namePiece.s}'`, namePiece.at(0));

  let versionPiece: Piece | null = null;
  let buildPiece: Piece | null = null;
  let version = '';
  if (nm[2] !== undefined) {
    const vb = w.slice(nm[1].length, nm[1].length + nm[2].length).trim();
    if (vb.s.includes('[')) throw new ParseError('multiple bracket sections not allowed', vb.at(vb.s.indexOf('[')));
    const p = versionBuildSplit(vb.s);
    versionPiece = (p < 0 ? vb : vb.slice(0, p)).trim();
    if (p >= 0) buildPiece = vb.slice(p + 1).trim();
    version = normalizeEqualsForm(versionPiece.s.replace(/ /g, ''), buildPiece !== null);
    if (version === '=' || version === '==')
      throw new ParseError('missing version after operator', versionPiece.span().start);
  }
  const bVersion = brackets.get('version');
  if (bVersion) {
    versionPiece = bVersion;
    version = bVersion.s;
  }
  const bBuild = brackets.get('build');
  if (bBuild) buildPiece = bBuild;
  if (version !== '') {
    const parsed = CondaVersionSpec.parse(version);
    if (!(parsed instanceof CondaVersionSpec))
      throw new ParseError(`invalid version spec '${version}': ${parsed.error}`, versionPiece!.span().start);
  }
  const nameSpan = namePiece.span();
  return {
    name: namePiece.s,
    channel,
    subdir,
    version,
    build: buildPiece ? buildPiece.s : null,
    url: null,
    nameSpan,
    versionSpan: versionPiece ? versionPiece.span() : { start: nameSpan.end, end: nameSpan.end },
    buildSpan: buildPiece ? buildPiece.span() : null,
    channelSpan,
  };
}

/**
 * Parses a conda MatchSpec (`numpy`, `numpy=1.24`, `numpy>=1.24,<2`, `numpy 1.24.* py311*`,
 * `numpy=1.24=py311h*_0`, `conda-forge/linux-64::numpy`, `numpy[version='>=1.24',build=py*]`) the way
 * conda's `_parse_spec_str` does. Spans are offsets into `text`. Invalid specs give the reason and the
 * offset of the fault; this never throws.
 */
export function parseMatchSpec(text: string): MatchSpec | MatchSpecError {
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof ParseError) return { error: e.message, offset: Math.max(0, Math.min(e.offset, text.length)) };
    throw e;
  }
}

/** Type guard for {@link parseMatchSpec}'s failure. */
export function isMatchSpecError(r: MatchSpec | MatchSpecError): r is MatchSpecError {
  return 'error' in r;
}

/** Versions that mean the same in conda and PEP 440: an optional epoch and a numeric release. */
const PLAIN_VERSION = /^(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*$/;

/**
 * A release with a pre-release or development tag glued to its last number (`3.0a0`, `2.4.0dev0`,
 * `25.8.0rc1`): conda orders these as PEP 440 does (`dev` < `a` < `b` < `rc` < the release; conda
 * lowercases versions). Other letters (`post`, `c`, `alpha`, `_`, local parts) are left out: their order differs.
 * Two differences remain, as for plain versions: PEP 440's `<V` leaves out V's own pre-releases (conda's
 * `<25.10` admits `25.10.0a3`), and conda compares a tag against a longer release component by component
 * (`3.0.0dev0` is above `3.0a0` in conda, below it in PEP 440).
 */
const PRE_VERSION = /^((?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*)(a|b|rc|dev)([0-9]*)$/i;

/** The PEP 440 spelling of a conda version that orders the same in both, or null. */
function sameOrderVersion(v: string): string | null {
  if (PLAIN_VERSION.test(v)) return v;
  const m = PRE_VERSION.exec(v);
  if (!m) return null;
  const tag = m[2]!.toLowerCase();
  const n = m[3] || '0';
  return tag === 'dev' ? `${m[1]}.dev${n}` : `${m[1]}${tag}${n}`;
}

function leafToPep440(leaf: string): string | null {
  const s = leaf.trim();
  if (s === '*') return '';
  if (s.startsWith('^') || s.endsWith('$') || s.includes('@')) return null;
  if ('=<>!~'.includes(s[0] ?? '')) {
    const m = /^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$/.exec(s);
    if (!m) return null;
    const op = m[1]!;
    let v = m[2]!;
    const star = v.endsWith('.*');
    if (star) v = v.slice(0, -2);
    const pep = sameOrderVersion(v);
    if (pep === null) return null;
    // A prefix match (`=1.0`, `!=1.0.*`) is on the release only in PEP 440.
    if (!PLAIN_VERSION.test(v) && (op === '=' || op === '~=' || star)) return null;
    switch (op) {
      case '=':
        return `==${v}.*`;
      case '!=':
        return star ? `!=${v}.*` : `!=${pep}`;
      case '~=':
        return star || !v.replace(/^[0-9]+!/, '').includes('.') ? null : `~=${v}`;
      default:
        // conda ignores `.*` after `==`, `<`, `<=`, `>`, `>=`.
        return `${op}${pep}`;
    }
  }
  if (s.endsWith('*')) {
    const base = s.slice(0, -1).replace(/\.$/, '');
    return PLAIN_VERSION.test(base) ? `==${base}.*` : null;
  }
  const pep = sameOrderVersion(s);
  return pep === null ? null : `==${pep}`;
}

function andLeaves(tree: CondaSpecTree): string[] | null {
  if (typeof tree === 'string') return [tree];
  if (tree.op === '|') return null;
  const out: string[] = [];
  for (const item of tree.items) {
    const leaves = andLeaves(item);
    if (!leaves) return null;
    out.push(...leaves);
  }
  return out;
}

/**
 * Translates a conda version spec to the PEP 440 specifier set that admits the same versions, where one
 * exists: `=1.24` and `1.24.*` -> `==1.24.*`, `1.24` -> `==1.24` (conda's bare version is exact),
 * `==1.24.3` -> `==1.24.3`, `>=1.24,<2` -> `>=1.24,<2`, `<3.0a0` -> `<3.0a0`, `<2.4.0dev0` -> `<2.4.0.dev0`,
 * `*` or "" -> "". Null for unions (`|`), regexes, globs inside a version, and versions with other letters,
 * `_` or local parts, whose order differs between the two.
 */
export function condaSpecToPep440(version: string): string | null {
  const v = version.trim();
  if (v === '') return '';
  const tree = condaSpecTree(v);
  if (typeof tree !== 'string' && 'error' in tree) return null;
  const leaves = andLeaves(tree);
  if (!leaves) return null;
  const out: string[] = [];
  for (const leaf of leaves) {
    const t = leafToPep440(leaf);
    if (t === null) return null;
    if (t !== '') out.push(t);
  }
  return out.join(',');
}
