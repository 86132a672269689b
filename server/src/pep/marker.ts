// PEP 508 environment markers: packaging 26.2's tokenizer and grammar, str() form and evaluation.
import { SpanError } from './span-error';
import { canonicalizeName } from './name';
import {
  SPECIFIER_BODY,
  Specifier,
  SpecifierError,
  arbitrarySpecifierLength,
  simpleSpecifierLength,
} from './specifier';

/** Marker variables and their values (`python_version`, `sys_platform`, `extra`, ...). */
export type MarkerEnvironment = Record<string, string>;

/** A syntax error with packaging's message ("Expected ...") and span `[offset, end)` in the parsed text. */
export class MarkerError extends SpanError {
  override name = 'MarkerError';
}

/**
 * Evaluation failed as packaging's would: an undefined environment name or an undefined comparison (`os_name ~= "x"`).
 */
export class MarkerEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarkerEvaluationError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tokenizer (packaging._tokenizer.DEFAULT_RULES), with Python's Unicode `\b` and `$`.

const WORD_RE = /^[\p{L}\p{N}_]$/u;

function codePointBefore(s: string, i: number): string {
  if (i <= 0) return '';
  const c = s.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const h = s.charCodeAt(i - 2);
    if (h >= 0xd800 && h <= 0xdbff) return s.slice(i - 2, i);
  }
  return s[i - 1]!;
}

function codePointAt(s: string, i: number): string {
  if (i >= s.length) return '';
  const cp = s.codePointAt(i)!;
  return String.fromCodePoint(cp);
}

function isWordChar(ch: string): boolean {
  if (ch === '') return false;
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  return WORD_RE.test(ch);
}

/** Python's `\b` at `i`. */
function boundary(s: string, i: number): boolean {
  return isWordChar(codePointBefore(s, i)) !== isWordChar(codePointAt(s, i));
}

const VARIABLES = [
  'python_version',
  'python_full_version',
  'os_name',
  'os.name',
  'sys_platform',
  'sys.platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform.version',
  'platform_machine',
  'platform.machine',
  'platform_python_implementation',
  'platform.python_implementation',
  'python_implementation',
  'implementation_name',
  'implementation_version',
  'extras',
  'extra',
  'dependency_groups',
];
const OPS = ['===', '==', '~=', '!=', '<=', '>=', '<', '>'];
const SPECIFIER_STICKY = new RegExp(SPECIFIER_BODY, 'iy');
/**
 * The common shapes of one specifier (`==1.2.3`, `>=2`, `~=1.4`, simpleSpecifierLength) are scanned first: where one
 * matches and the next character cannot continue a version (SPECIFIER_STICKY's optional tails all start with one of
 * `[-A-Za-z0-9._+*!]` or a character outside printable ASCII and `\t\n\r\f\v`), the full regex matches exactly the
 * same text, and compiling it costs milliseconds.
 */
const LOCAL_TRAIL = /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y;

/** The longest run of characters `ok` takes at `pos` (at least one), or null. */
function run(s: string, pos: number, ok: (c: number) => boolean): string | null {
  let end = pos;
  while (end < s.length && ok(s.charCodeAt(end))) end++;
  return end > pos ? s.slice(pos, end) : null;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** `[a-zA-Z0-9._-]` */
function isIdentChar(c: number): boolean {
  return isAlnum(c) || c === 0x2e || c === 0x5f || c === 0x2d;
}

/** Token names of packaging's tokenizer. */
export type TokenName =
  | 'LEFT_PARENTHESIS'
  | 'RIGHT_PARENTHESIS'
  | 'LEFT_BRACKET'
  | 'RIGHT_BRACKET'
  | 'SEMICOLON'
  | 'COMMA'
  | 'QUOTED_STRING'
  | 'OP'
  | 'BOOLOP'
  | 'IN'
  | 'NOT'
  | 'VARIABLE'
  | 'SPECIFIER'
  | 'AT'
  | 'URL'
  | 'IDENTIFIER'
  | 'VERSION_PREFIX_TRAIL'
  | 'VERSION_LOCAL_LABEL_TRAIL'
  | 'WS'
  | 'END';

const SINGLE: Partial<Record<TokenName, string>> = {
  LEFT_PARENTHESIS: '(',
  RIGHT_PARENTHESIS: ')',
  LEFT_BRACKET: '[',
  RIGHT_BRACKET: ']',
  SEMICOLON: ';',
  COMMA: ',',
  AT: '@',
  VERSION_PREFIX_TRAIL: '.*',
};

/** The specifier (packaging's regex) that starts at `pos`, or null. */
export function specifierAt(s: string, pos: number): string | null {
  const n = simpleSpecifierLength(s, pos);
  if (n > 0 && !specifierContinues(s.charCodeAt(pos + n))) return s.slice(pos, pos + n);
  const arbitrary = arbitrarySpecifierLength(s, pos);
  if (arbitrary > 0) return s.slice(pos, pos + arbitrary);
  // Every specifier starts with an operator's first character: none here, none to look for.
  if (!'=!~<>'.includes(s.charAt(pos) || ' ')) return null;
  return sticky(SPECIFIER_STICKY, s, pos);
}

/** Whether a character can continue a version: `[-A-Za-z0-9._+*!]|[^ -~\t\n\r\f\v]` (false past the end). */
function specifierContinues(c: number): boolean {
  if (Number.isNaN(c)) return false;
  if (isAlnum(c)) return true;
  if (c === 0x2d || c === 0x2e || c === 0x5f || c === 0x2b || c === 0x2a || c === 0x21) return true;
  return !((c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d));
}

/** The full regex alone (the fast path's differential test). */
export function specifierAtFull(s: string, pos: number): string | null {
  return sticky(SPECIFIER_STICKY, s, pos);
}

function sticky(re: RegExp, s: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m ? m[0] : null;
}

function word(s: string, pos: number, w: string): string | null {
  return boundary(s, pos) && s.startsWith(w, pos) && boundary(s, pos + w.length) ? w : null;
}

/** @internal Context-sensitive tokenizer over one source string (positions are UTF-16 offsets). */
export class Tokenizer {
  pos = 0;
  constructor(readonly source: string) {}

  /** The text the rule matches at the current position, or null. */
  peek(name: TokenName): string | null {
    const s = this.source;
    const pos = this.pos;
    const single = SINGLE[name];
    if (single !== undefined) return s.startsWith(single, pos) ? single : null;
    switch (name) {
      case 'QUOTED_STRING': {
        const q = s[pos];
        if (q !== "'" && q !== '"') return null;
        const close = s.indexOf(q, pos + 1);
        return close < 0 ? null : s.slice(pos, close + 1);
      }
      case 'OP':
        return OPS.find((o) => s.startsWith(o, pos)) ?? null;
      case 'BOOLOP':
        return word(s, pos, 'or') ?? word(s, pos, 'and');
      case 'IN':
        return word(s, pos, 'in');
      case 'NOT':
        return word(s, pos, 'not');
      case 'VARIABLE':
        if (!boundary(s, pos)) return null;
        return VARIABLES.find((v) => s.startsWith(v, pos) && boundary(s, pos + v.length)) ?? null;
      case 'SPECIFIER':
        return specifierAt(s, pos);
      // The simple tokens are scanned by hand: each regex a process runs first costs it time to compile.
      case 'URL':
        return run(s, pos, (c) => c !== 0x20 && c !== 0x09);
      case 'IDENTIFIER': {
        if (!isAlnum(s.charCodeAt(pos)) || !boundary(s, pos)) return null;
        let end = pos + 1;
        while (end < s.length && isIdentChar(s.charCodeAt(end))) end++;
        for (; end > pos; end--) if (boundary(s, end)) return s.slice(pos, end);
        return null;
      }
      case 'VERSION_LOCAL_LABEL_TRAIL':
        return s.charCodeAt(pos) === 0x2b ? sticky(LOCAL_TRAIL, s, pos) : null;
      case 'WS':
        return run(s, pos, (c) => c === 0x20 || c === 0x09);
      case 'END':
        return pos === s.length || (pos === s.length - 1 && s[pos] === '\n') ? '' : null;
      default:
        return null;
    }
  }

  /** Consumes the token if it is next; returns its text or null. */
  take(name: TokenName): string | null {
    const t = this.peek(name);
    if (t !== null) this.pos += t.length;
    return t;
  }

  /** Consumes the token or fails with `Expected <expected>`. */
  expect(name: TokenName, expected: string): string {
    const t = this.take(name);
    if (t === null) this.fail(`Expected ${expected}`);
    return t;
  }

  fail(message: string, start: number = this.pos, end: number = this.pos): never {
    throw new MarkerError(message, start, end);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Python string literals (packaging runs `ast.literal_eval` on each quoted string).

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Decodes a quoted Python string literal; throws MarkerError where Python raises SyntaxError/ValueError. */
function pyStringLiteral(token: string, at: number): string {
  const body = token.slice(1, -1);
  const bad = (why: string): never => {
    throw new MarkerError(`Invalid string literal: ${why}`, at, at + token.length);
  };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\0') bad('null byte');
    if (ch === '\n' || ch === '\r') bad('unterminated string literal');
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) bad('unterminated string literal');
    i++;
    if (e === '\n') continue;
    if (e === '\r') {
      if (body[i + 1] === '\n') i++;
      continue;
    }
    if (e === '\0') bad('null byte');
    const simple = SIMPLE_ESCAPES[e!];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    if (e! >= '0' && e! <= '7') {
      let j = i;
      while (j < body.length && j < i + 3 && body[j]! >= '0' && body[j]! <= '7') j++;
      out += String.fromCodePoint(parseInt(body.slice(i, j), 8));
      i = j - 1;
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen) {
      const hex = body.slice(i + 1, i + 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) bad(`truncated \\${e} escape`);
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) bad('illegal Unicode character');
      out += String.fromCodePoint(cp);
      i += hexLen;
      continue;
    }
    if (e === 'N') bad('\\N{...} escapes are not supported');
    out += '\\' + e;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Marker tree, grammar, str() and evaluation.

/** @internal A marker operand: an environment variable or a string value. */
export type MarkerNode = { readonly kind: 'variable' | 'value'; readonly value: string };
/** @internal `lhs op rhs`. */
export interface MarkerItem {
  readonly lhs: MarkerNode;
  readonly op: string;
  readonly rhs: MarkerNode;
}
/** @internal packaging's `MarkerList`: atoms (items or nested lists) joined by `and`/`or`. */
export type MarkerList = Array<MarkerList | MarkerItem | 'and' | 'or'>;

function parseMarkerExpr(t: Tokenizer): MarkerList {
  const expression: MarkerList = [parseMarkerAtom(t)];
  for (let op = t.take('BOOLOP'); op !== null; op = t.take('BOOLOP')) {
    expression.push(op as 'and' | 'or', parseMarkerAtom(t));
  }
  return expression;
}

function parseMarkerAtom(t: Tokenizer): MarkerList | MarkerItem {
  t.take('WS');
  let marker: MarkerList | MarkerItem;
  if (t.peek('LEFT_PARENTHESIS') !== null) {
    const open = t.pos;
    t.take('LEFT_PARENTHESIS');
    t.take('WS');
    marker = parseMarkerExpr(t);
    t.take('WS');
    if (t.take('RIGHT_PARENTHESIS') === null)
      t.fail('Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression', open);
  } else {
    marker = parseMarkerItem(t);
  }
  t.take('WS');
  return marker;
}

function parseMarkerItem(t: Tokenizer): MarkerItem {
  t.take('WS');
  const lhs = parseMarkerVar(t);
  t.take('WS');
  const op = parseMarkerOp(t);
  t.take('WS');
  const rhs = parseMarkerVar(t);
  t.take('WS');
  return { lhs, op, rhs };
}

function parseMarkerVar(t: Tokenizer): MarkerNode {
  const v = t.take('VARIABLE');
  if (v !== null) {
    const name = v.replaceAll('.', '_');
    return { kind: 'variable', value: name === 'python_implementation' ? 'platform_python_implementation' : name };
  }
  const at = t.pos;
  const q = t.take('QUOTED_STRING');
  if (q !== null) return { kind: 'value', value: pyStringLiteral(q, at) };
  return t.fail('Expected a marker variable or quoted string');
}

function parseMarkerOp(t: Tokenizer): string {
  if (t.take('IN') !== null) return 'in';
  if (t.take('NOT') !== null) {
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  const op = t.take('OP');
  if (op !== null) return op;
  return t.fail('Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in');
}

/**
 * `_normalize_extra_values`: PEP 685 normalization of the operand compared with `extra` (top-level items only, like
 * packaging).
 */
function normalizeExtras(list: MarkerList): MarkerList {
  return list.map((m) => {
    if (typeof m === 'string' || Array.isArray(m)) return m;
    if (m.lhs.kind === 'variable' && m.lhs.value === 'extra')
      return { ...m, rhs: { kind: 'value', value: canonicalizeName(m.rhs.value) } };
    if (m.rhs.kind === 'variable' && m.rhs.value === 'extra')
      return { ...m, lhs: { kind: 'value', value: canonicalizeName(m.lhs.value) } };
    return m;
  });
}

/** @internal Parses a marker expression at the tokenizer's position (no END check). */
export function parseMarkerList(t: Tokenizer): MarkerList {
  return normalizeExtras(parseMarkerExpr(t));
}

function serializeNode(n: MarkerNode): string {
  return n.kind === 'value' ? `"${n.value}"` : n.value;
}

function formatMarker(marker: MarkerList | MarkerItem | string, first = true): string {
  if (Array.isArray(marker)) {
    if (marker.length === 1 && typeof marker[0] !== 'string') return formatMarker(marker[0]!);
    const inner = marker.map((m) => formatMarker(m, false)).join(' ');
    return first ? inner : `(${inner})`;
  }
  if (typeof marker === 'string') return marker;
  return `${serializeNode(marker.lhs)} ${marker.op} ${serializeNode(marker.rhs)}`;
}

const REQUIRES_VERSION = new Set([
  'implementation_version',
  'platform_release',
  'python_full_version',
  'python_version',
]);
const ALLOWS_SET = new Set(['extras', 'dependency_groups']);

function lookup(env: MarkerEnvironment, key: string): string {
  const v = Object.prototype.hasOwnProperty.call(env, key) ? env[key] : undefined;
  if (v === undefined) throw new MarkerEvaluationError(`'${key}' does not exist in evaluation environment.`);
  return v;
}

function evalOp(lhs: string, op: string, rhs: string, key: string): boolean {
  if (REQUIRES_VERSION.has(key)) {
    let spec: Specifier | null = null;
    try {
      spec = Specifier.parse(op + rhs);
    } catch (e) {
      if (!(e instanceof SpecifierError)) throw e;
    }
    if (spec) return spec.contains(lhs, true);
  }
  switch (op) {
    case 'in':
      return rhs.includes(lhs);
    case 'not in':
      return !rhs.includes(lhs);
    case '<':
    case '>':
      return false;
    case '<=':
    case '==':
    case '>=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    default:
      throw new MarkerEvaluationError(`Undefined ${op} on ${lhs} and ${rhs}.`);
  }
}

function evaluateList(markers: MarkerList, env: MarkerEnvironment): boolean {
  const groups: boolean[][] = [[]];
  for (const m of markers) {
    if (Array.isArray(m)) groups[groups.length - 1]!.push(evaluateList(m, env));
    else if (m === 'or') groups.push([]);
    else if (m === 'and') continue;
    else {
      let key: string;
      let lhs: string;
      let rhs: string;
      if (m.lhs.kind === 'variable') {
        key = m.lhs.value;
        lhs = lookup(env, key);
        rhs = m.rhs.value;
      } else {
        lhs = m.lhs.value;
        key = m.rhs.value;
        rhs = lookup(env, key);
      }
      if (key !== 'extra' && ALLOWS_SET.has(key)) {
        lhs = canonicalizeName(lhs);
        rhs = canonicalizeName(rhs);
      }
      groups[groups.length - 1]!.push(evalOp(lhs, m.op, rhs, key));
    }
  }
  return groups.some((g) => g.every(Boolean));
}

/**
 * A marker environment like packaging's `default_environment()` for the given interpreter and platform
 * (defaults: CPython 3.12 on the platform this process runs on).
 */
/** `defaultEnvironment()` of this process, computed once: every evaluation starts from it. */
let processDefaults: MarkerEnvironment | undefined;

export function defaultEnvironment(
  opts: {
    pythonVersion?: string;
    platform?: 'linux' | 'darwin' | 'win32';
    machine?: string;
    implementation?: string;
  } = {},
): MarkerEnvironment {
  const platform =
    opts.platform ?? (process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux');
  const parts = (opts.pythonVersion ?? '3.12').split('.');
  const full = parts.length >= 3 ? parts.join('.') : [...parts, '0', '0'].slice(0, 3).join('.');
  const impl = (opts.implementation ?? 'cpython').toLowerCase();
  return {
    implementation_name: impl,
    implementation_version: full,
    os_name: platform === 'win32' ? 'nt' : 'posix',
    platform_machine: opts.machine ?? (platform === 'win32' ? 'AMD64' : platform === 'darwin' ? 'arm64' : 'x86_64'),
    platform_release: '',
    platform_system: platform === 'win32' ? 'Windows' : platform === 'darwin' ? 'Darwin' : 'Linux',
    platform_version: '',
    python_full_version: full,
    platform_python_implementation: impl === 'pypy' ? 'PyPy' : impl === 'cpython' ? 'CPython' : impl,
    python_version: parts.slice(0, 2).join('.'),
    sys_platform: platform,
  };
}

/** A parsed PEP 508 marker (`python_version < "3.11" and sys_platform == "linux"`), as `packaging.markers.Marker`. */
export class Marker {
  /** @internal */
  readonly markers: MarkerList;

  /** @internal */
  constructor(markers: MarkerList) {
    this.markers = markers;
  }

  /** Parses a marker; throws `MarkerError` (packaging's message and span) where packaging raises `InvalidMarker`. */
  static parse(text: string): Marker {
    const t = new Tokenizer(text);
    const list = parseMarkerList(t);
    t.expect('END', 'end of marker expression');
    return new Marker(list);
  }

  /**
   * Evaluates against `env` laid over `defaultEnvironment()` with `extra` = "" (packaging's "metadata" context);
   * `extra` is normalized. Throws `MarkerEvaluationError` where packaging raises.
   */
  evaluate(env?: Partial<MarkerEnvironment>): boolean {
    const current: MarkerEnvironment = { ...(processDefaults ??= defaultEnvironment()), extra: '' };
    if (env) {
      for (const [k, v] of Object.entries(env)) if (v !== undefined) current[k] = v;
      const extra = current['extra'];
      current['extra'] = extra ? canonicalizeName(extra) : '';
    }
    const full = current['python_full_version'];
    if (full !== undefined && full.endsWith('+')) current['python_full_version'] = full + 'local';
    return evaluateList(this.markers, current);
  }

  /** packaging's `str(Marker)`: normalized spacing, double-quoted values, redundant parentheses dropped. */
  toString(): string {
    return formatMarker(this.markers);
  }
}

/** Parsed markers by text (null: does not parse), for `markerTextHolds`. */
const parsedMarkers = new Map<string, Marker | null>();

/**
 * Whether PEP 508 marker text holds in `env` with `extra` set (normalized): "" always holds; a marker that does not
 * parse, or raises while evaluating, never holds (the place that read it reports the error). Parses are remembered.
 */
export function markerTextHolds(text: string, env: MarkerEnvironment, extra = ''): boolean {
  if (!text) return true;
  // Answers per environment object: a resolution asks about the same few markers of every release again and again.
  let known = evaluated.get(env);
  if (!known) evaluated.set(env, (known = new Map()));
  const key = `${extra}\0${text}`;
  const hit = known.get(key);
  if (hit !== undefined) return hit;
  const holds = evaluateText(text, env, extra);
  if (known.size >= 10_000) known.clear();
  known.set(key, holds);
  return holds;
}

/** Marker answers by environment object (environments are not changed once made) and `extra\0text`. */
const evaluated = new WeakMap<MarkerEnvironment, Map<string, boolean>>();

function evaluateText(text: string, env: MarkerEnvironment, extra: string): boolean {
  let m = parsedMarkers.get(text);
  if (m === undefined) {
    try {
      m = Marker.parse(text);
    } catch {
      m = null;
    }
    if (parsedMarkers.size >= 10_000) parsedMarkers.clear();
    parsedMarkers.set(text, m);
  }
  if (m === null) return false;
  try {
    return m.evaluate({ ...env, extra });
  } catch {
    return false;
  }
}
