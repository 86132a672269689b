// The fast reader of lock files' YAML subset: one pass over the lines writes the tree as integers on a tape; anything
// outside the subset (anchors, tags, block scalars, escapes, tabs in indentation, several documents) throws.
import { MAP, NULL, nodeAt, PAIR_HEAD, SCALAR, SCALAR_SIZE, SEQ, type YNode } from './lock-yaml-nodes';

/** Nesting deeper than this is not read by the fast reader (lock files nest five or six levels). */
const MAX_DEPTH = 64;

/** Thrown inside the fast reader when the text leaves the subset. */
export class OutsideSubset extends Error {}
const outside = (): never => {
  throw new OutsideSubset();
};

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const CR = 0x0d;

/** Reads a text of the block subset onto a tape in one pass over its lines; throws OutsideSubset beyond it. */
export class FastReader {
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
