// The YAML of conda lock files (pixi.lock, conda-lock.yml), read fast. These files are megabytes of one block subset:
// block mappings and sequences (`- key: value` items), one-line plain and quoted scalars, empty or simple flow
// collections (`[]`, `{}`, `[a, b]`) and comments. That subset is read here in one pass over the lines, every node with
// its span; a text with anything else (anchors, tags, block or multi-line scalars, escapes, tabs in indentation,
// several documents) is read by the full YAML library instead, whose nodes are converted to the same shape.
import type { Document, Node } from 'yaml';
import type { Span } from '../model/types';
import { yaml } from '../system/lazy/yaml';

export interface YScalar {
  kind: 'scalar';
  /** The scalar's text (plain scalars as written, so `1.10` stays `1.10`); null for an empty value, `null` or `~`. */
  value: string | null;
  span: Span;
  /** Where value[0] sits in the text when every character maps one to one; null otherwise. */
  offset: number | null;
}
export interface YPair {
  key: string;
  keySpan: Span;
  value: YNode | null;
  /** From the key to the end of its value. */
  span: Span;
}
export interface YMap {
  kind: 'map';
  pairs: YPair[];
  span: Span;
}
export interface YSeq {
  kind: 'seq';
  items: (YNode | null)[];
  span: Span;
}
export type YNode = YScalar | YMap | YSeq;

export interface YamlRead {
  root: YNode | null;
  /** YAML errors (only the full library reports them), at their fault. */
  errors: { span: Span; message: string }[];
  /** Whether the fast reader read the text (false: the full library did). */
  fast: boolean;
}

/** The full library reads at about 1 s/MB: beyond this a text outside the subset is not read. */
const MAX_FALLBACK_CHARS = 4 << 20;
/** Nesting deeper than this is not read by the fast reader (lock files nest five or six levels). */
const MAX_DEPTH = 64;

/** Thrown inside the fast reader when the text leaves the subset. */
class OutsideSubset extends Error {}
const outside = (): never => {
  throw new OutsideSubset();
};

/** A mapping's value by key, or undefined. */
export function get(map: YNode | null | undefined, key: string): YNode | null | undefined {
  if (!map || map.kind !== 'map') return undefined;
  for (const p of map.pairs) if (p.key === key) return p.value;
  return undefined;
}

/** A mapping's pair by key, or undefined. */
export function pairOf(map: YNode | null | undefined, key: string): YPair | undefined {
  if (!map || map.kind !== 'map') return undefined;
  for (const p of map.pairs) if (p.key === key) return p;
  return undefined;
}

/** A scalar's text, or null for anything else. */
export function str(node: YNode | null | undefined): string | null {
  return node && node.kind === 'scalar' ? node.value : null;
}

/** The span of a part of a scalar's value (exact where the scalar maps one to one, else the whole scalar). */
export function subSpan(node: YScalar, from: number, to: number): Span {
  return node.offset === null ? node.span : { start: node.offset + from, end: node.offset + to };
}

/** Where a scalar's text is, inside its quotes where it has them (the whole scalar where positions are inexact). */
export function textSpan(node: YScalar): Span {
  return node.offset === null || node.value === null
    ? node.span
    : { start: node.offset, end: node.offset + node.value.length };
}

/** Reads a lock file's YAML; never throws. */
export function readLockYaml(text: string): YamlRead {
  try {
    return { root: new FastReader(text).read(), errors: [], fast: true };
  } catch (e) {
    if (!(e instanceof OutsideSubset) && !(e instanceof RangeError)) throw e;
  }
  return readFull(text);
}

/**
 * A one-line scalar of the fast reader. Lock files hold many values nobody reads (hashes, sizes, timestamps): the text
 * and the span are made only when asked for.
 */
class FastScalar implements YScalar {
  readonly kind = 'scalar' as const;
  constructor(
    private readonly text: string,
    readonly start: number,
    readonly end: number,
    readonly offset: number,
    private readonly valueEnd: number,
    private readonly nullish: boolean,
  ) {}
  get value(): string | null {
    return this.nullish ? null : this.text.slice(this.offset, this.valueEnd);
  }
  get span(): Span {
    return { start: this.start, end: this.end };
  }
}

/** A `key: value` of the fast reader, its spans made when asked for. */
class FastPair implements YPair {
  constructor(
    readonly key: string,
    private readonly keyStart: number,
    private readonly keyEnd: number,
    readonly value: YNode | null,
    private readonly end: number,
  ) {}
  get keySpan(): Span {
    return { start: this.keyStart, end: this.keyEnd };
  }
  get span(): Span {
    return { start: this.keyStart, end: this.end };
  }
}

/** Where a node ends, without making its span. */
const endOf = (n: YNode): number => (n instanceof FastScalar ? n.end : n.span.end);

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const CR = 0x0d;

class FastReader {
  /** Per content line (blank and comment-only lines left out): where it starts, its content starts, and it ends. */
  private readonly starts: Int32Array;
  private readonly content: Int32Array;
  private readonly ends: Int32Array;
  private readonly count: number;
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string) {
    const t = text;
    let lines = 1;
    for (let nl = t.indexOf('\n'); nl >= 0; nl = t.indexOf('\n', nl + 1)) lines++;
    this.starts = new Int32Array(lines);
    this.content = new Int32Array(lines);
    this.ends = new Int32Array(lines);
    let n = 0;
    let pos = 0;
    while (pos < t.length) {
      let nl = t.indexOf('\n', pos);
      if (nl < 0) nl = t.length;
      let end = nl;
      if (end > pos && t.charCodeAt(end - 1) === CR) end--;
      let c = pos;
      while (c < end && t.charCodeAt(c) === SPACE) c++;
      if (c < end) {
        const ch = t.charCodeAt(c);
        if (ch === 0x09) outside(); // a tab in the indentation
        if (ch !== HASH) {
          // Directives and document markers: the full library.
          if (c === pos && (ch === 0x25 || t.startsWith('---', c) || t.startsWith('...', c))) outside();
          this.starts[n] = pos;
          this.content[n] = c;
          this.ends[n] = end;
          n++;
        }
      }
      pos = nl + 1;
    }
    this.count = n;
  }

  read(): YNode | null {
    if (!this.count) return null;
    const root = this.node(this.indent(0));
    if (this.at !== this.count) outside();
    return root;
  }

  private indent(i: number): number {
    return this.content[i]! - this.starts[i]!;
  }

  private isDash(i: number): boolean {
    const c = this.content[i]!;
    return this.text.charCodeAt(c) === DASH && (c + 1 === this.ends[i]! || this.text.charCodeAt(c + 1) === SPACE);
  }

  /** A block node whose first line is the current one, at `indent`. */
  private node(indent: number): YNode {
    if (++this.depth > MAX_DEPTH) outside();
    const n = this.isDash(this.at) ? this.seq(indent) : this.map(indent);
    this.depth--;
    return n;
  }

  /** The value of a `key:` or `-` with nothing after it on its line: a block below, a sequence beside, or null. */
  private blockBelow(indent: number, seqBeside: boolean): YNode | null {
    const i = this.at;
    if (i >= this.count) return null;
    const ind = this.indent(i);
    if (ind > indent) return this.node(ind);
    if (seqBeside && ind === indent && this.isDash(i)) return this.seq(indent);
    return null;
  }

  /** After a one-line value, a deeper line would continue it (a multi-line scalar): not in the subset. */
  private endOfValue(indent: number): void {
    if (this.at < this.count && this.indent(this.at) > indent) outside();
  }

  private seq(indent: number): YSeq {
    const items: (YNode | null)[] = [];
    const start = this.content[this.at]!;
    let end = start + 1;
    while (this.at < this.count && this.indent(this.at) === indent && this.isDash(this.at)) {
      const i = this.at;
      const lineEnd = this.ends[i]!;
      let p = this.content[i]! + 1;
      while (p < lineEnd && this.text.charCodeAt(p) === SPACE) p++;
      let item: YNode | null;
      if (p === lineEnd || this.text.charCodeAt(p) === HASH) {
        this.at++;
        item = this.blockBelow(indent, false);
        end = item ? endOf(item) : p;
      } else if (this.keyEnd(p, lineEnd) >= 0 || this.isDashAt(p, lineEnd)) {
        // `- key: value` / `- - x`: a block node that starts on this line, at the column after the dash.
        this.content[i] = p;
        item = this.node(p - this.starts[i]!);
        end = endOf(item);
      } else {
        item = this.inline(p, lineEnd);
        this.at++;
        this.endOfValue(indent);
        end = endOf(item);
      }
      items.push(item);
    }
    return { kind: 'seq', items, span: { start, end } };
  }

  private isDashAt(p: number, lineEnd: number): boolean {
    return this.text.charCodeAt(p) === DASH && (p + 1 === lineEnd || this.text.charCodeAt(p + 1) === SPACE);
  }

  /**
   * Where a plain or quoted key that starts at `p` ends (before its `:`), or -1 when the line holds no `key:`. Text the
   * subset does not hold (flow collections, anchors, tags, complex keys) is outside.
   */
  private keyEnd(p: number, lineEnd: number): number {
    const t = this.text;
    const ch = t.charCodeAt(p);
    if (ch === 0x22 || ch === 0x27) {
      const close = t.indexOf(String.fromCharCode(ch), p + 1);
      if (close < 0 || close >= lineEnd) outside();
      if (t.charCodeAt(close + 1) !== COLON) return -1;
      const after = close + 2;
      return after === lineEnd || t.charCodeAt(after) === SPACE ? close + 1 : -1;
    }
    if (isIndicator(ch)) return -1;
    for (let q = p; q < lineEnd; q++) {
      const c = t.charCodeAt(q);
      if (c === COLON && (q + 1 === lineEnd || t.charCodeAt(q + 1) === SPACE)) return q;
      if (c === HASH && t.charCodeAt(q - 1) === SPACE) return -1;
    }
    return -1;
  }

  private map(indent: number): YMap {
    const pairs: YPair[] = [];
    const t = this.text;
    const start = this.content[this.at]!;
    let end = start;
    while (this.at < this.count && this.indent(this.at) === indent && !this.isDash(this.at)) {
      const i = this.at;
      const k = this.content[i]!;
      const lineEnd = this.ends[i]!;
      const colon = this.keyEnd(k, lineEnd);
      if (colon < 0) outside();
      const quoted = t.charCodeAt(k) === 0x22 || t.charCodeAt(k) === 0x27;
      const key = quoted ? t.slice(k + 1, colon - 1) : t.slice(k, colon).trimEnd();
      // Escapes in a quoted key need the library's rules.
      if (quoted && (key.includes('\\') || key.includes("'"))) outside();
      let p = colon + 1;
      while (p < lineEnd && t.charCodeAt(p) === SPACE) p++;
      let value: YNode | null;
      if (p === lineEnd || t.charCodeAt(p) === HASH) {
        this.at++;
        value = this.blockBelow(indent, true);
        end = value ? endOf(value) : colon + 1;
      } else {
        value = this.inline(p, lineEnd);
        this.at++;
        this.endOfValue(indent);
        end = endOf(value);
      }
      pairs.push(new FastPair(key, k, quoted ? colon : k + key.length, value, end));
    }
    return { kind: 'map', pairs, span: { start, end } };
  }

  /** A one-line value from `p`: a scalar, or a flow collection of plain scalars; a comment may follow. */
  private inline(p: number, lineEnd: number): YNode {
    const t = this.text;
    const ch = t.charCodeAt(p);
    let node: YNode;
    let after: number;
    if (ch === 0x22 || ch === 0x27) {
      const close = t.indexOf(String.fromCharCode(ch), p + 1);
      if (close < 0 || close >= lineEnd) outside();
      const body = t.slice(p + 1, close);
      // Escapes (`\"`, `''`) shift positions and need the library's rules.
      if ((ch === 0x22 && body.includes('\\')) || (ch === 0x27 && t.charCodeAt(close + 1) === 0x27)) outside();
      node = new FastScalar(t, p, close + 1, p + 1, close, false);
      after = close + 1;
    } else if (ch === 0x5b || ch === 0x7b) {
      const close = t.indexOf(ch === 0x5b ? ']' : '}', p + 1);
      if (close < 0 || close >= lineEnd) outside();
      const body = t.slice(p + 1, close);
      if (/["'[\]{}#&*!|>]/.test(body)) outside();
      const span = { start: p, end: close + 1 };
      after = close + 1;
      if (!body.trim()) node = ch === 0x5b ? { kind: 'seq', items: [], span } : { kind: 'map', pairs: [], span };
      else {
        if (ch === 0x7b || body.includes(':')) outside();
        const items: YNode[] = [];
        let from = p + 1;
        for (const part of body.split(',')) {
          const lead = part.length - part.trimStart().length;
          const v = part.trim();
          if (!v) outside();
          items.push(
            new FastScalar(t, from + lead, from + lead + v.length, from + lead, from + lead + v.length, false),
          );
          from += part.length + 1;
        }
        node = { kind: 'seq', items, span };
      }
    } else {
      if (isIndicator(ch) || ch === 0x7d || ch === 0x5d || ch === 0x2c) outside();
      let q = p;
      let last = p;
      for (; q < lineEnd; q++) {
        const c = t.charCodeAt(q);
        if (c === HASH && t.charCodeAt(q - 1) === SPACE) break;
        if (c === COLON && (q + 1 === lineEnd || t.charCodeAt(q + 1) === SPACE)) outside();
        if (c !== SPACE) last = q + 1;
      }
      const n = last - p;
      const nullish = (n === 1 && t.charCodeAt(p) === 0x7e) || (n === 4 && /^(null|Null|NULL)$/.test(t.slice(p, last)));
      return new FastScalar(t, p, last, p, last, nullish);
    }
    while (after < lineEnd && t.charCodeAt(after) === SPACE) after++;
    if (after < lineEnd && !(t.charCodeAt(after) === HASH && t.charCodeAt(after - 1) === SPACE)) outside();
    return node;
  }
}

/** Characters that start YAML syntax the subset does not hold where a plain scalar or key would start. */
function isIndicator(ch: number): boolean {
  // & * ! | > % @ ` ? [ { # and a lone `-`/`:` are left to the full library.
  return (
    ch === 0x26 ||
    ch === 0x2a ||
    ch === 0x21 ||
    ch === 0x7c ||
    ch === 0x3e ||
    ch === 0x25 ||
    ch === 0x40 ||
    ch === 0x60 ||
    ch === 0x3f ||
    ch === 0x5b ||
    ch === 0x7b ||
    ch === HASH ||
    ch === COLON
  );
}

/** The full YAML library's reading, converted (aliases followed once each, within a budget). */
export function readFull(text: string): YamlRead {
  const one = { start: 0, end: Math.min(1, text.length) };
  if (text.length > MAX_FALLBACK_CHARS)
    return {
      root: null,
      errors: [
        {
          span: one,
          message:
            `The file uses YAML beyond what lock tools write and is too large to read in full ` +
            `(${(text.length / (1 << 20)).toFixed(1)} MiB; the limit is ${MAX_FALLBACK_CHARS >> 20} MiB).`,
        },
      ],
      fast: false,
    };
  let doc: Document.Parsed;
  try {
    doc = yaml().parseDocument(text, { prettyErrors: false, keepSourceTokens: false, uniqueKeys: false });
  } catch (e) {
    const message =
      e instanceof RangeError
        ? 'The YAML is nested too deeply to read.'
        : `The YAML could not be read: ${e instanceof Error ? e.message : String(e)}`;
    return { root: null, errors: [{ span: one, message }], fast: false };
  }
  const clamp = (a: number, b: number): Span => {
    const s = Math.max(0, Math.min(a, text.length));
    return { start: s, end: Math.max(s, Math.min(Math.max(b, s + 1), text.length)) };
  };
  const errors = doc.errors.map((e) => ({
    span: clamp(e.pos[0], e.pos[1]),
    message: `YAML: ${e.message.split('\n')[0]}`,
  }));
  const Y = yaml();
  let aliases = 0;
  const convert = (raw: unknown, depth: number): YNode | null => {
    let node = raw as Node | null;
    if (Y.isAlias(node)) {
      if (++aliases > 1000 || depth > 100) return null;
      node = (node.resolve(doc) as Node | undefined) ?? null;
    }
    if (!node || depth > 100) return null;
    const range = node.range ?? [0, 0, 0];
    const span = clamp(range[0], range[1]);
    if (Y.isMap(node)) {
      const pairs: YPair[] = [];
      for (const p of node.items) {
        const k = Y.isScalar(p.key) ? p.key : null;
        if (!k || !k.range) continue;
        const value = convert(p.value, depth + 1);
        pairs.push({
          key: String(k.value),
          keySpan: clamp(k.range[0], k.range[1]),
          value,
          span: clamp(k.range[0], value ? value.span.end : k.range[1]),
        });
      }
      return { kind: 'map', pairs, span };
    }
    if (Y.isSeq(node)) return { kind: 'seq', items: node.items.map((i) => convert(i, depth + 1)), span };
    if (Y.isScalar(node)) {
      if (node.value === null || node.value === undefined)
        return range[0] === range[1] ? null : { kind: 'scalar', value: null, span, offset: null };
      const src = text.slice(range[0], range[1]);
      if (node.type === Y.Scalar.PLAIN && !src.includes('\n'))
        return { kind: 'scalar', value: src, span, offset: range[0] };
      const value = String(node.value);
      const quoted = node.type === Y.Scalar.QUOTE_DOUBLE || node.type === Y.Scalar.QUOTE_SINGLE;
      const offset = quoted && src.slice(1, -1) === value ? range[0] + 1 : null;
      return { kind: 'scalar', value, span, offset };
    }
    return null;
  };
  return { root: convert(doc.contents, 0), errors, fast: false };
}
