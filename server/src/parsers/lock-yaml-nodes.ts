// The tree a lock file's YAML reads into (scalars, mappings and sequences, each with its span) and the API the lock
// parsers read it by; the fast reader's nodes are made from its tape only when asked for.
import type { Span } from '../model/types';

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

// The fast reader writes the whole tree as integers on a tape (one allocation that grows by doubling, nothing per line)
// and hands out nodes made from the tape when they are asked for: a lock file's many values nobody reads (hashes,
// sizes, timestamps, licenses) never become objects. A node on the tape, at index n:
//   scalar: SCALAR, start, end, offset, valueEnd, nullish
//   map:    MAP, start, end, count, next   then per pair: keyStart, keyTextStart, keyTextEnd, keyEnd, pairEnd, value
//   seq:    SEQ, start, end, count, next   then per item: the item
//   null:   NULL                           (an absent value or item)
// `next` is the index after the node's last descendant.
export const SCALAR = 0;
export const MAP = 1;
export const SEQ = 2;
export const NULL = 3;
export const SCALAR_SIZE = 6;
export const PAIR_HEAD = 5;

/** The tape of one text; `data` is final once the reader is done. */
export interface Tape {
  text: string;
  data: Int32Array;
}

/** The index after the node at n. */
function nextOf(d: Int32Array, n: number): number {
  const k = d[n]!;
  return k === SCALAR ? n + SCALAR_SIZE : k === NULL ? n + 1 : d[n + 4]!;
}

/** The node at n, made from the tape. */
export function nodeAt(tape: Tape, n: number): YNode | null {
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

/** A mapping or sequence on the tape, at index n: its span, and the tape its items are read from. */
abstract class TapeCollection {
  constructor(
    protected readonly tape: Tape,
    protected readonly n: number,
  ) {}
  get span(): Span {
    const d = this.tape.data;
    return { start: d[this.n + 1]!, end: d[this.n + 2]! };
  }
}

export class TapeMap extends TapeCollection implements YMap {
  readonly kind = 'map' as const;
  private made: YPair[] | undefined;
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

export class TapeSeq extends TapeCollection implements YSeq {
  readonly kind = 'seq' as const;
  private made: (YNode | null)[] | undefined;
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
