// A fast TOML reader for lock files. Locks are written by tools (uv, pip, Poetry), often megabytes long, in a plain
// subset of TOML: headers, arrays of tables, strings, numbers, booleans, arrays and inline tables. The general TOML
// tree (toml-tree.ts) needs seconds for a megabyte; this one reads the same document in one pass over the characters,
// every key and value with its span. It never throws: at the first thing it cannot read it stops, keeps what it read
// and says where and why. Datetimes and other bare values are kept as their text.
import type { Span } from '../model/types';

export interface LString {
  kind: 'string';
  value: string;
  /** The token, quotes included. */
  span: Span;
  /** The content between the quotes when it maps 1:1 onto the value (no escapes, single-line). */
  content: Span | null;
}
/** A number, boolean or datetime, as written. */
export interface LBare {
  kind: 'bare';
  raw: string;
  span: Span;
}
export interface LArray {
  kind: 'array';
  items: LValue[];
  span: Span;
}
export interface LTable {
  kind: 'table';
  entries: Map<string, LEntry>;
  /** The header (or inline table) and its body; for the root, the whole text. */
  span: Span;
}
/** A value read past but not into (a key the caller named shallow): only where it is written. */
export interface LRaw {
  kind: 'raw';
  span: Span;
}
export type LValue = LString | LBare | LArray | LTable | LRaw;
export interface LEntry {
  key: string;
  keySpan: Span;
  /** `key = value`, or the header and its body for a table. */
  span: Span;
  value: LValue;
}

export interface LockToml {
  root: LTable;
  /** The first thing that could not be read (the rest of the file is not read). */
  error: { span: Span; message: string } | null;
}

class Stop extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

const isBareKeyChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;

/** Arrays and inline tables nested deeper than this are refused. */
const MAX_DEPTH = 100;

class Reader {
  private i = 0;
  /** Tables defined by a header (`[a]`), which may not be defined twice. */
  private readonly headed = new Set<LTable>();
  /** Tables closed to further keys: inline tables and values. */
  private readonly sealed = new Set<LTable>();

  constructor(
    private readonly t: string,
    private readonly shallow: ReadonlySet<string> = new Set(),
  ) {}

  read(): LockToml {
    const t = this.t;
    const root: LTable = { kind: 'table', entries: new Map(), span: { start: 0, end: t.length } };
    let current = root;
    /** The spans the current header's body extends: its table, entry and the tables above it. */
    let open: Span[] = [];
    try {
      if (t.charCodeAt(0) === 0xfeff) this.i = 1;
      for (;;) {
        this.skipBlank();
        if (this.i >= t.length) break;
        const c = t.charCodeAt(this.i);
        if (c === 91 /* [ */) {
          const start = this.i;
          const array = t.charCodeAt(this.i + 1) === 91;
          this.i += array ? 2 : 1;
          const keys = this.keyPath();
          this.expect(']');
          if (array) this.expect(']');
          this.endOfLine();
          const header = { start, end: this.i };
          open = [];
          current = this.openHeader(root, keys, array, header, open);
          for (const s of open) s.end = Math.max(s.end, header.end);
        } else {
          const kv = this.keyValue(current, 0);
          this.endOfLine();
          for (const s of open) s.end = Math.max(s.end, kv.span.end);
        }
      }
      return { root, error: null };
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      const at = Math.min(e.at, Math.max(0, t.length - 1));
      return { root, error: { span: { start: at, end: Math.min(t.length, at + 1) }, message: e.message } };
    }
  }

  private lineOf(at: number): number {
    let n = 1;
    for (let k = 0; k < at; k++) if (this.t.charCodeAt(k) === 10) n++;
    return n;
  }

  private fail(message: string, at = this.i): never {
    throw new Stop(at, `TOML syntax error on line ${this.lineOf(at)}: ${message}`);
  }

  private openHeader(
    root: LTable,
    keys: { key: string; span: Span }[],
    array: boolean,
    header: Span,
    open: Span[],
  ): LTable {
    let t = root;
    for (let k = 0; k < keys.length - 1; k++) {
      t = this.descend(t, keys[k]!, header);
      open.push(t.span);
    }
    const last = keys[keys.length - 1]!;
    const existing = t.entries.get(last.key);
    const table: LTable = { kind: 'table', entries: new Map(), span: { ...header } };
    if (array) {
      if (!existing) {
        const entry: LEntry = {
          key: last.key,
          keySpan: last.span,
          span: { ...header },
          value: { kind: 'array', items: [table], span: { ...header } },
        };
        t.entries.set(last.key, entry);
        open.push(table.span, entry.span, entry.value.span);
        return table;
      }
      if (existing.value.kind !== 'array' || existing.value.items.some((x) => this.sealed.has(x as LTable)))
        this.fail(`'${last.key}' is already defined as something other than an array of tables`, last.span.start);
      existing.value.items.push(table);
      open.push(table.span, existing.span, existing.value.span);
      return table;
    }
    if (!existing) {
      const entry: LEntry = { key: last.key, keySpan: last.span, span: { ...header }, value: table };
      t.entries.set(last.key, entry);
      this.headed.add(table);
      open.push(table.span, entry.span);
      return table;
    }
    if (existing.value.kind !== 'table' || this.headed.has(existing.value) || this.sealed.has(existing.value))
      this.fail(`the table '${keys.map((k) => k.key).join('.')}' is defined twice`, header.start);
    this.headed.add(existing.value);
    open.push(existing.value.span, existing.span);
    return existing.value;
  }

  /** The table at `key` under `t`, created implicitly; through an array of tables, its last table. */
  private descend(t: LTable, key: { key: string; span: Span }, span: Span): LTable {
    const existing = t.entries.get(key.key);
    if (!existing) {
      const table: LTable = { kind: 'table', entries: new Map(), span: { ...span } };
      t.entries.set(key.key, { key: key.key, keySpan: key.span, span: { ...span }, value: table });
      return table;
    }
    const v = existing.value;
    if (v.kind === 'table' && !this.sealed.has(v)) return v;
    if (v.kind === 'array') {
      const last = v.items[v.items.length - 1];
      if (last && last.kind === 'table' && !this.sealed.has(last)) return last;
    }
    return this.fail(`'${key.key}' is already defined as a value`, key.span.start);
  }

  /** Spaces, tabs, newlines and comments. */
  private skipBlank(): void {
    const t = this.t;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else if (c === 35) this.skipComment();
      else return;
    }
  }

  private skipSpaces(): void {
    for (;;) {
      const c = this.t.charCodeAt(this.i);
      if (c === 32 || c === 9) this.i++;
      else return;
    }
  }

  private skipComment(): void {
    const nl = this.t.indexOf('\n', this.i);
    this.i = nl < 0 ? this.t.length : nl;
  }

  private endOfLine(): void {
    this.skipSpaces();
    const c = this.t.charCodeAt(this.i);
    if (c === 35) this.skipComment();
    else if (c === 13 && this.t.charCodeAt(this.i + 1) === 10) this.i += 2;
    else if (c === 10) this.i++;
    else if (this.i < this.t.length) this.fail('expected the end of the line');
  }

  private expect(ch: string): void {
    this.skipSpaces();
    if (this.t[this.i] !== ch) this.fail(`expected '${ch}'`);
    this.i++;
  }

  /** A dotted key: `a`, `"a.b"`, `a.b.c`. */
  private keyPath(): { key: string; span: Span }[] {
    const keys: { key: string; span: Span }[] = [];
    for (;;) {
      this.skipSpaces();
      keys.push(this.key());
      this.skipSpaces();
      if (this.t.charCodeAt(this.i) !== 46 /* . */) return keys;
      this.i++;
    }
  }

  private key(): { key: string; span: Span } {
    const t = this.t;
    const c = t.charCodeAt(this.i);
    if (c === 34 || c === 39) {
      const s = this.string();
      if (s.span.end - s.span.start >= 6 && t.startsWith(t[s.span.start]!.repeat(3), s.span.start))
        this.fail('a key cannot be a multi-line string', s.span.start);
      return { key: s.value, span: s.content ?? s.span };
    }
    const start = this.i;
    while (isBareKeyChar(t.charCodeAt(this.i))) this.i++;
    if (this.i === start) this.fail('expected a key');
    return { key: t.slice(start, this.i), span: { start, end: this.i } };
  }

  /** `key = value` into `table`; the entry. */
  private keyValue(table: LTable, depth: number): LEntry {
    const start = this.i;
    const keys = this.keyPath();
    this.expect('=');
    this.skipSpaces();
    const last = keys[keys.length - 1]!;
    let value: LValue;
    if (this.shallow.has(last.key)) {
      const from = this.i;
      this.skipValue(depth);
      value = { kind: 'raw', span: { start: from, end: this.i } };
    } else value = this.value(depth);
    let t = table;
    const span = { start, end: value.span.end };
    for (let k = 0; k < keys.length - 1; k++) t = this.descend(t, keys[k]!, span);
    if (t.entries.has(last.key)) this.fail(`the key '${last.key}' is defined twice`, last.span.start);
    if (value.kind === 'table') this.sealed.add(value);
    if (value.kind === 'array') for (const item of value.items) if (item.kind === 'table') this.sealed.add(item);
    const entry: LEntry = { key: last.key, keySpan: last.span, span, value };
    t.entries.set(last.key, entry);
    return entry;
  }

  private value(depth: number): LValue {
    const t = this.t;
    const c = t.charCodeAt(this.i);
    if (c === 34 || c === 39) return this.string();
    if (c === 91) return this.array(depth + 1);
    if (c === 123) return this.inlineTable(depth + 1);
    const start = this.i;
    for (;;) {
      const d = t.charCodeAt(this.i);
      // A datetime may hold one space between its date and time.
      if (d === 32 && /^\d{4}-\d\d-\d\d$/.test(t.slice(start, this.i)) && /\d/.test(t[this.i + 1] ?? '')) {
        this.i++;
        continue;
      }
      if (
        this.i >= t.length ||
        d === 32 ||
        d === 9 ||
        d === 10 ||
        d === 13 ||
        d === 44 ||
        d === 93 ||
        d === 125 ||
        d === 35
      )
        break;
      this.i++;
    }
    if (this.i === start) this.fail('expected a value');
    const raw = t.slice(start, this.i);
    if (
      !/^(true|false|[+-]?(inf|nan)|[-+0-9_.eExobaA-Fa-f:TZtz]+|\d{4}-\d\d-\d\d[ Tt][\d:.]+([Zz]|[+-]\d\d:\d\d)?)$/.test(
        raw,
      )
    )
      this.fail(`'${raw.length > 40 ? raw.slice(0, 40) + '…' : raw}' is not a TOML value`, start);
    return { kind: 'bare', raw, span: { start, end: this.i } };
  }

  /** Moves past a value without building it (the same syntax checks as reading it, no values kept). */
  private skipValue(depth: number): void {
    const t = this.t;
    const c = t.charCodeAt(this.i);
    if (c === 34 || c === 39) {
      this.skipString();
      return;
    }
    if (c === 91 || c === 123) {
      if (depth + 1 > MAX_DEPTH) this.fail(`arrays or inline tables are nested more than ${MAX_DEPTH} levels deep`);
      const close = c === 91 ? 93 : 125;
      this.i++;
      for (;;) {
        if (c === 91) this.skipBlank();
        else this.skipSpaces();
        const d = t.charCodeAt(this.i);
        if (d === close) break;
        if (this.i >= t.length) this.fail(`expected '${String.fromCharCode(close)}'`);
        if (c === 123) {
          this.keyPath();
          this.expect('=');
          this.skipSpaces();
        }
        this.skipValue(depth + 1);
        if (c === 91) this.skipBlank();
        else this.skipSpaces();
        const e = t.charCodeAt(this.i);
        if (e === 44) this.i++;
        else if (e !== close) this.fail(`expected ',' or '${String.fromCharCode(close)}'`);
      }
      this.i++;
      return;
    }
    this.value(depth);
  }

  /** Moves past a single-line string without unescaping it; other strings are read. */
  private skipString(): void {
    const t = this.t;
    const qc = t.charCodeAt(this.i);
    if (t.charCodeAt(this.i + 1) === qc && t.charCodeAt(this.i + 2) === qc) {
      this.string();
      return;
    }
    let j = this.i + 1;
    for (;;) {
      const c = t.charCodeAt(j);
      if (j >= t.length || c === 10 || c === 13) this.fail('a string is not closed', this.i);
      if (qc === 34 && c === 92) {
        j += 2;
        continue;
      }
      if (c === qc) break;
      j++;
    }
    this.i = j + 1;
  }

  private array(depth: number): LArray {
    if (depth > MAX_DEPTH) this.fail(`arrays or inline tables are nested more than ${MAX_DEPTH} levels deep`);
    const start = this.i++;
    const items: LValue[] = [];
    for (;;) {
      this.skipBlank();
      if (this.t.charCodeAt(this.i) === 93) break;
      if (this.i >= this.t.length) this.fail("expected ']'");
      items.push(this.value(depth));
      this.skipBlank();
      const c = this.t.charCodeAt(this.i);
      if (c === 44) this.i++;
      else if (c !== 93) this.fail("expected ',' or ']'");
    }
    this.i++;
    return { kind: 'array', items, span: { start, end: this.i } };
  }

  private inlineTable(depth: number): LTable {
    if (depth > MAX_DEPTH) this.fail(`arrays or inline tables are nested more than ${MAX_DEPTH} levels deep`);
    const start = this.i++;
    const table: LTable = { kind: 'table', entries: new Map(), span: { start, end: start } };
    this.skipSpaces();
    if (this.t.charCodeAt(this.i) === 125) {
      this.i++;
      table.span.end = this.i;
      return table;
    }
    for (;;) {
      this.skipSpaces();
      this.keyValue(table, depth);
      this.skipSpaces();
      const c = this.t.charCodeAt(this.i);
      if (c === 44) this.i++;
      else if (c === 125) break;
      else this.fail("expected ',' or '}' in an inline table");
    }
    this.i++;
    table.span.end = this.i;
    return table;
  }

  private string(): LString {
    const t = this.t;
    const start = this.i;
    const qc = t.charCodeAt(start);
    const q = qc === 34 ? '"' : "'";
    const basic = qc === 34;
    if (t.charCodeAt(start + 1) === qc && t.charCodeAt(start + 2) === qc) {
      let from = start + 3;
      if (t.startsWith('\r\n', from)) from += 2;
      else if (t[from] === '\n') from++;
      let end = t.indexOf(q + q + q, from);
      if (basic) while (end > 0 && this.escaped(end, from)) end = t.indexOf(q + q + q, end + 1);
      if (end < 0) this.fail('a multi-line string is not closed', start);
      // Up to two more quotes belong to the content.
      let close = end + 3;
      while (close < t.length && close < end + 5 && t[close] === q) close++;
      this.i = close;
      const body = t.slice(from, close - 3);
      const value = basic ? this.unescape(body, from, true) : body;
      return { kind: 'string', value, span: { start, end: this.i }, content: null };
    }
    let j = start + 1;
    let simple = true;
    for (;;) {
      const c = t.charCodeAt(j);
      if (j >= t.length || c === 10 || c === 13) this.fail('a string is not closed', start);
      if (basic && c === 92) {
        simple = false;
        j += 2;
        continue;
      }
      if (c === qc) break;
      j++;
    }
    this.i = j + 1;
    const body = t.slice(start + 1, j);
    if (simple)
      return { kind: 'string', value: body, span: { start, end: this.i }, content: { start: start + 1, end: j } };
    return {
      kind: 'string',
      value: this.unescape(body, start + 1, false),
      span: { start, end: this.i },
      content: null,
    };
  }

  /** Whether the quote at `at` is escaped by an odd run of backslashes (after `from`). */
  private escaped(at: number, from: number): boolean {
    let n = 0;
    for (let k = at - 1; k >= from && this.t.charCodeAt(k) === 92; k--) n++;
    return n % 2 === 1;
  }

  private unescape(body: string, offset: number, multiline: boolean): string {
    let out = '';
    for (let k = 0; k < body.length; k++) {
      const ch = body[k]!;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = body[++k];
      if (multiline && (e === '\n' || e === '\r' || e === ' ' || e === '\t')) {
        // A line-ending backslash trims the whitespace that follows, newlines included.
        while (k + 1 < body.length && /[\s]/.test(body[k + 1]!)) k++;
        continue;
      }
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        const hex = body.slice(k + 1, k + 1 + n);
        const cp = /^[0-9a-fA-F]+$/.test(hex) && hex.length === n ? parseInt(hex, 16) : NaN;
        if (!(cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) this.fail('an invalid unicode escape', offset + k - 1);
        out += String.fromCodePoint(cp);
        k += n;
      } else this.fail(`an invalid escape '\\${e ?? ''}'`, offset + k - 1);
    }
    return out;
  }
}

/**
 * Reads a lock file's TOML text. Never throws. The values of keys in `shallow` (at any depth) are read past, not into:
 * an {@link LRaw} with their span, for the caller to scan when it needs a little of a large value.
 */
export function readLockToml(text: string, shallow?: ReadonlySet<string>): LockToml {
  return new Reader(text, shallow).read();
}

/** The string value of an entry, or null. */

/** The table at a path of keys below `t` (`tableAt(tree, 'tool', 'poetry')`), or null where a key is missing or not a table. */
export function tableAt(t: LTable | null, ...keys: string[]): LTable | null {
  let cur: LTable | null = t;
  for (const k of keys) {
    const v = cur?.entries.get(k)?.value;
    cur = v && v.kind === 'table' ? v : null;
  }
  return cur;
}

export function str(v: LValue | undefined): LString | null {
  return v && v.kind === 'string' ? v : null;
}

/** Where a finding about a string goes: its content, or the token when the content is inexact or empty. */
export const stringSpan = (s: LString): Span => (s.content && s.content.end > s.content.start ? s.content : s.span);
