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
  if (map instanceof TapeMap) return map.get(key);
  for (const p of map.pairs) if (p.key === key) return p.value;
  return undefined;
}

/** A mapping's pair by key, or undefined. */
export function pairOf(map: YNode | null | undefined, key: string): YPair | undefined {
  if (!map || map.kind !== 'map') return undefined;
  for (const p of map.pairs) if (p.key === key) return p;
  return undefined;
}

/** A mapping's first pair (a lock record's kind and location), or undefined. */
export function firstPair(map: YMap): YPair | undefined {
  return map instanceof TapeMap ? map.first() : map.pairs[0];
}

/** The non-empty texts of a sequence's scalar items (nothing for anything else). */
export function scalarTexts(node: YNode | null | undefined): string[] {
  const out: string[] = [];
  if (!node || node.kind !== 'seq') return out;
  if (node instanceof TapeSeq) return node.texts(out);
  for (const i of node.items) {
    const v = i && i.kind === 'scalar' ? i.value : null;
    if (v) out.push(v);
  }
  return out;
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

// The fast reader writes the whole tree as integers on a tape (one allocation that grows by doubling, nothing per line)
// and hands out nodes made from the tape when they are asked for: a lock file's many values nobody reads (hashes,
// sizes, timestamps, licenses) never become objects. A node on the tape, at index n:
//   scalar: SCALAR, start, end, offset, valueEnd, nullish
//   map:    MAP, start, end, count, next   then per pair: keyStart, keyTextStart, keyTextEnd, keyEnd, pairEnd, value
//   seq:    SEQ, start, end, count, next   then per item: the item
//   null:   NULL                           (an absent value or item)
// `next` is the index after the node's last descendant.
const SCALAR = 0;
const MAP = 1;
const SEQ = 2;
const NULL = 3;
const SCALAR_SIZE = 6;
const PAIR_HEAD = 5;

/** The tape of one text; `data` is final once the reader is done. */
interface Tape {
  text: string;
  data: Int32Array;
}

/** The index after the node at n. */
function nextOf(d: Int32Array, n: number): number {
  const k = d[n]!;
  return k === SCALAR ? n + SCALAR_SIZE : k === NULL ? n + 1 : d[n + 4]!;
}

/** The node at n, made from the tape. */
function nodeAt(tape: Tape, n: number): YNode | null {
  const d = tape.data;
  switch (d[n]) {
    case SCALAR:
      return new FastScalar(tape.text, d[n + 1]!, d[n + 2]!, d[n + 3]!, d[n + 4]!, d[n + 5] === 1);
    case MAP:
      return new TapeMap(tape, n);
    case SEQ:
      return new TapeSeq(tape, n);
    default:
      return null;
  }
}

/** A one-line scalar of the fast reader: its text and span are made when asked for. */
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

/** A `key: value` on the tape (p: the pair's first index), its key, spans and value made when asked for. */
class TapePair implements YPair {
  private made: YNode | null | undefined;
  constructor(
    private readonly tape: Tape,
    private readonly p: number,
  ) {}
  get key(): string {
    const d = this.tape.data;
    return this.tape.text.slice(d[this.p + 1]!, d[this.p + 2]!);
  }
  get keySpan(): Span {
    const d = this.tape.data;
    return { start: d[this.p]!, end: d[this.p + 3]! };
  }
  get span(): Span {
    const d = this.tape.data;
    return { start: d[this.p]!, end: d[this.p + 4]! };
  }
  get value(): YNode | null {
    if (this.made === undefined) this.made = nodeAt(this.tape, this.p + PAIR_HEAD);
    return this.made;
  }
}

class TapeMap implements YMap {
  readonly kind = 'map' as const;
  private made: YPair[] | undefined;
  constructor(
    private readonly tape: Tape,
    private readonly n: number,
  ) {}
  get span(): Span {
    const d = this.tape.data;
    return { start: d[this.n + 1]!, end: d[this.n + 2]! };
  }
  get pairs(): YPair[] {
    if (!this.made) {
      const d = this.tape.data;
      const pairs: YPair[] = [];
      for (let i = 0, p = this.n + 5, count = d[this.n + 3]!; i < count; i++) {
        pairs.push(new TapePair(this.tape, p));
        p = nextOf(d, p + PAIR_HEAD);
      }
      this.made = pairs;
    }
    return this.made;
  }
  first(): YPair | undefined {
    return this.made ? this.made[0] : this.tape.data[this.n + 3]! > 0 ? new TapePair(this.tape, this.n + 5) : undefined;
  }
  /** The value of the first pair whose key is `key` (undefined when none is), found without making the others. */
  get(key: string): YNode | null | undefined {
    const { data: d, text } = this.tape;
    for (let i = 0, p = this.n + 5, count = d[this.n + 3]!; i < count; i++) {
      const from = d[p + 1]!;
      if (d[p + 2]! - from === key.length && text.startsWith(key, from)) return nodeAt(this.tape, p + PAIR_HEAD);
      p = nextOf(d, p + PAIR_HEAD);
    }
    return undefined;
  }
}

class TapeSeq implements YSeq {
  readonly kind = 'seq' as const;
  private made: (YNode | null)[] | undefined;
  constructor(
    private readonly tape: Tape,
    private readonly n: number,
  ) {}
  get span(): Span {
    const d = this.tape.data;
    return { start: d[this.n + 1]!, end: d[this.n + 2]! };
  }
  /** The non-empty texts of the scalar items, read from the tape. */
  texts(out: string[]): string[] {
    const { data: d, text } = this.tape;
    for (let i = 0, p = this.n + 5, count = d[this.n + 3]!; i < count; i++) {
      if (d[p] === SCALAR && d[p + 5] === 0 && d[p + 4]! > d[p + 3]!) out.push(text.slice(d[p + 3]!, d[p + 4]!));
      p = nextOf(d, p);
    }
    return out;
  }
  get items(): (YNode | null)[] {
    if (!this.made) {
      const d = this.tape.data;
      const items: (YNode | null)[] = [];
      for (let i = 0, p = this.n + 5, count = d[this.n + 3]!; i < count; i++) {
        items.push(nodeAt(this.tape, p));
        p = nextOf(d, p);
      }
      this.made = items;
    }
    return this.made;
  }
}

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
  private d: Int32Array;
  private len = 0;

  constructor(private readonly text: string) {
    const t = text;
    let lines = 1;
    for (let nl = t.indexOf('\n'); nl >= 0; nl = t.indexOf('\n', nl + 1)) lines++;
    this.starts = new Int32Array(lines);
    this.content = new Int32Array(lines);
    this.ends = new Int32Array(lines);
    // A `key: value` line takes 11 entries, a `- item` 6, a lock file about 10 a line on average: the tape grows
    // where a text needs more.
    this.d = new Int32Array(Math.max(64, lines * 12));
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
    this.node(this.indent(0));
    if (this.at !== this.count) outside();
    return nodeAt({ text: this.text, data: this.d.subarray(0, this.len) }, 0);
  }

  /** Room for `n` more entries on the tape; the index of the first. */
  private reserve(n: number): number {
    const at = this.len;
    if (at + n > this.d.length) {
      const grown = new Int32Array(Math.max(this.d.length * 2, at + n));
      grown.set(this.d);
      this.d = grown;
    }
    this.len = at + n;
    return at;
  }

  private scalar(start: number, end: number, offset: number, valueEnd: number, nullish: boolean): void {
    const s = this.reserve(SCALAR_SIZE);
    const d = this.d;
    d[s] = SCALAR;
    d[s + 1] = start;
    d[s + 2] = end;
    d[s + 3] = offset;
    d[s + 4] = valueEnd;
    d[s + 5] = nullish ? 1 : 0;
  }

  private nothing(): void {
    this.d[this.reserve(1)] = NULL;
  }

  /** A container's head; `close` fills in its end, count and next. */
  private open(kind: number, start: number): number {
    const s = this.reserve(5);
    this.d[s] = kind;
    this.d[s + 1] = start;
    return s;
  }

  private close(s: number, end: number, count: number): void {
    const d = this.d;
    d[s + 2] = end;
    d[s + 3] = count;
    d[s + 4] = this.len;
  }

  private indent(i: number): number {
    return this.content[i]! - this.starts[i]!;
  }

  private isDash(i: number): boolean {
    const c = this.content[i]!;
    return this.text.charCodeAt(c) === DASH && (c + 1 === this.ends[i]! || this.text.charCodeAt(c + 1) === SPACE);
  }

  /** A block node whose first line is the current one, at `indent`; where it ends. */
  private node(indent: number): number {
    if (++this.depth > MAX_DEPTH) outside();
    const end = this.isDash(this.at) ? this.seq(indent) : this.map(indent);
    this.depth--;
    return end;
  }

  /**
   * The value of a `key:` or `-` with nothing after it on its line: a block below, a sequence beside, or nothing (on
   * the tape: NULL). Where it ends, or -1 for nothing.
   */
  private blockBelow(indent: number, seqBeside: boolean): number {
    const i = this.at;
    if (i < this.count) {
      const ind = this.indent(i);
      if (ind > indent) return this.node(ind);
      if (seqBeside && ind === indent && this.isDash(i)) return this.seq(indent);
    }
    this.nothing();
    return -1;
  }

  /** After a one-line value, a deeper line would continue it (a multi-line scalar): not in the subset. */
  private endOfValue(indent: number): void {
    if (this.at < this.count && this.indent(this.at) > indent) outside();
  }

  private seq(indent: number): number {
    const start = this.content[this.at]!;
    const head = this.open(SEQ, start);
    let end = start + 1;
    let count = 0;
    while (this.at < this.count && this.indent(this.at) === indent && this.isDash(this.at)) {
      const i = this.at;
      const lineEnd = this.ends[i]!;
      let p = this.content[i]! + 1;
      while (p < lineEnd && this.text.charCodeAt(p) === SPACE) p++;
      if (p === lineEnd || this.text.charCodeAt(p) === HASH) {
        this.at++;
        const below = this.blockBelow(indent, false);
        end = below < 0 ? p : below;
      } else if (this.keyEnd(p, lineEnd) >= 0 || this.isDashAt(p, lineEnd)) {
        // `- key: value` / `- - x`: a block node that starts on this line, at the column after the dash.
        this.content[i] = p;
        end = this.node(p - this.starts[i]!);
      } else {
        end = this.inline(p, lineEnd);
        this.at++;
        this.endOfValue(indent);
      }
      count++;
    }
    this.close(head, end, count);
    return end;
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
      const close = t.indexOf(ch === 0x22 ? '"' : "'", p + 1);
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

  private map(indent: number): number {
    const t = this.text;
    const start = this.content[this.at]!;
    const head = this.open(MAP, start);
    let end = start;
    let count = 0;
    while (this.at < this.count && this.indent(this.at) === indent && !this.isDash(this.at)) {
      const i = this.at;
      const k = this.content[i]!;
      const lineEnd = this.ends[i]!;
      const colon = this.keyEnd(k, lineEnd);
      if (colon < 0) outside();
      const quoted = t.charCodeAt(k) === 0x22 || t.charCodeAt(k) === 0x27;
      let keyFrom = k;
      let keyTo = colon;
      if (quoted) {
        keyFrom = k + 1;
        keyTo = colon - 1;
        // Escapes in a quoted key need the library's rules.
        for (let q = keyFrom; q < keyTo; q++) {
          const c = t.charCodeAt(q);
          if (c === 0x5c || c === 0x27) outside();
        }
      } else while (keyTo > k && t.charCodeAt(keyTo - 1) <= SPACE) keyTo--;
      const pair = this.reserve(PAIR_HEAD);
      let p = colon + 1;
      while (p < lineEnd && t.charCodeAt(p) === SPACE) p++;
      if (p === lineEnd || t.charCodeAt(p) === HASH) {
        this.at++;
        const below = this.blockBelow(indent, true);
        end = below < 0 ? colon + 1 : below;
      } else {
        end = this.inline(p, lineEnd);
        this.at++;
        this.endOfValue(indent);
      }
      const d = this.d;
      d[pair] = k;
      d[pair + 1] = keyFrom;
      d[pair + 2] = keyTo;
      d[pair + 3] = quoted ? colon : keyTo;
      d[pair + 4] = end;
      count++;
    }
    this.close(head, end, count);
    return end;
  }

  /** A one-line value from `p`: a scalar, or a flow collection of plain scalars; a comment may follow. Where it ends. */
  private inline(p: number, lineEnd: number): number {
    const t = this.text;
    const ch = t.charCodeAt(p);
    let after: number;
    let nodeEnd: number;
    if (ch === 0x22 || ch === 0x27) {
      const close = t.indexOf(ch === 0x22 ? '"' : "'", p + 1);
      if (close < 0 || close >= lineEnd) outside();
      // Escapes (`\"`, `''`) shift positions and need the library's rules.
      if (ch === 0x22) {
        for (let q = p + 1; q < close; q++) if (t.charCodeAt(q) === 0x5c) outside();
      } else if (t.charCodeAt(close + 1) === 0x27) outside();
      this.scalar(p, close + 1, p + 1, close, false);
      after = nodeEnd = close + 1;
    } else if (ch === 0x5b || ch === 0x7b) {
      const close = t.indexOf(ch === 0x5b ? ']' : '}', p + 1);
      if (close < 0 || close >= lineEnd) outside();
      const body = t.slice(p + 1, close);
      if (/["'[\]{}#&*!|>]/.test(body)) outside();
      after = nodeEnd = close + 1;
      if (!body.trim()) this.close(this.open(ch === 0x5b ? SEQ : MAP, p), close + 1, 0);
      else {
        if (ch === 0x7b || body.includes(':')) outside();
        const head = this.open(SEQ, p);
        let from = p + 1;
        let count = 0;
        for (const part of body.split(',')) {
          const lead = part.length - part.trimStart().length;
          const v = part.trim();
          if (!v) outside();
          const s = from + lead;
          this.scalar(s, s + v.length, s, s + v.length, false);
          from += part.length + 1;
          count++;
        }
        this.close(head, close + 1, count);
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
      const nullish =
        (n === 1 && t.charCodeAt(p) === 0x7e) ||
        (n === 4 && (t.startsWith('null', p) || t.startsWith('Null', p) || t.startsWith('NULL', p)));
      this.scalar(p, last, p, last, nullish);
      return last;
    }
    while (after < lineEnd && t.charCodeAt(after) === SPACE) after++;
    if (after < lineEnd && !(t.charCodeAt(after) === HASH && t.charCodeAt(after - 1) === SPACE)) outside();
    return nodeEnd;
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
