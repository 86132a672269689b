// The span-carrying TOML tree every TOML file kind reads: the text prescanned against input that would overflow the
// parser, parsed as TOML 1.0 (after an error, the part before it), dotted keys, headers and arrays of tables resolved
// into tables whose every key and value keeps its span; and TomlReader, the shape checks a reader of such a tree makes.
import { finding } from '../model/finding';
import type { AST } from 'toml-eslint-parser';
import { tomlParser } from '../system/lazy/toml';
import type { Severity } from '../model/codes';
import type { Finding, Span } from '../model/types';
/** Arrays and inline tables nested deeper than this are refused: the TOML parser recurses per level. */
export const MAX_TOML_NESTING = 100;
/** Strings and bare runs longer than this overflow the TOML parser's stack (it spreads their code points). */
export const MAX_TOML_TOKEN_LENGTH = 50_000;

export interface VScalar {
  kind: 'value';
  span: Span;
  node: AST.TOMLValue;
}
export interface VArray {
  kind: 'array';
  span: Span;
  items: VNode[];
}
export interface VTable {
  kind: 'table';
  span: Span;
  entries: Map<string, VEntry>;
}
/** A TOML value with the document structure resolved (dotted keys, headers, arrays of tables). */
export type VNode = VScalar | VArray | VTable;
/** One key of a table: where its key is written, the whole `key = value` (or `[header]` + body), and its value. */
export interface VEntry {
  key: string;
  keySpan: Span;
  span: Span;
  value: VNode;
}

export interface StringInfo {
  value: string;
  /** The string token, quotes included. */
  token: Span;
  /** The content between the quotes when it maps 1:1 onto the value (no escapes, no line-ending backslash). */
  content: Span | null;
}

/** Where to put a finding about a string: its content, or the whole token when the content is inexact or empty. */
export const at = (s: StringInfo): Span => (s.content && s.content.end > s.content.start ? s.content : s.token);

export const spanOf = (range: [number, number]): Span => ({ start: range[0], end: range[1] });

export function extend(target: Span, by: Span): void {
  target.start = Math.min(target.start, by.start);
  target.end = Math.max(target.end, by.end);
}

export interface Prescan {
  /** The text to hand to the parser: same length, over-long strings blanked. */
  text: string;
  /** Tokens blanked because they were too long, with their original spans. */
  masked: Span[];
  /** Set when the parser must not see the text at all (nesting too deep, an over-long bare run). */
  refuse?: { span: Span; message: string };
}

/**
 * Walks the text once the way a TOML lexer would (comments, the four string forms, brackets) to keep the
 * recursive parser away from input that would overflow its stack: nesting deeper than MAX_TOML_NESTING is
 * refused; strings longer than MAX_TOML_TOKEN_LENGTH are replaced by `""` and spaces (newlines kept, so
 * every offset stays valid) and reported.
 */
export function prescan(text: string): Prescan {
  const masked: Span[] = [];
  const open: number[] = [];
  const n = text.length;
  let i = 0;
  let bareStart = -1;
  const endBare = (at: number): Prescan['refuse'] => {
    if (bareStart >= 0 && at - bareStart > MAX_TOML_TOKEN_LENGTH) {
      return {
        span: { start: bareStart, end: at },
        message: `A ${at - bareStart}-character run of unquoted text is too long to read as TOML`,
      };
    }
    bareStart = -1;
    return undefined;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    const isSpace = c === 32 || c === 9 || c === 10 || c === 13;
    const isSpecial =
      c === 35 || c === 34 || c === 39 || c === 91 || c === 93 || c === 123 || c === 125 || c === 61 || c === 44;
    if (isSpace || isSpecial) {
      const refuse = endBare(i);
      if (refuse) return { text, masked, refuse };
    } else if (bareStart < 0) bareStart = i;
    if (c === 35) {
      // A comment runs to the end of the line.
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === 34 || c === 39) {
      const quote = text[i]!;
      const basic = c === 34;
      const start = i;
      if (text.startsWith(quote.repeat(3), i)) {
        let j = i + 3;
        let end = n;
        while (j < n) {
          if (basic && text.charCodeAt(j) === 92) j += 2;
          else if (text.startsWith(quote.repeat(3), j)) {
            end = j + 3;
            // Up to two more quotes belong to the content (`""""a""""`).
            while (end < n && end < j + 5 && text[end] === quote) end++;
            break;
          } else j++;
        }
        i = end;
      } else {
        let j = i + 1;
        while (j < n && text[j] !== quote && text[j] !== '\n') j += basic && text.charCodeAt(j) === 92 ? 2 : 1;
        i = j < n && text[j] === quote ? j + 1 : Math.min(j, n);
      }
      if (i - start > MAX_TOML_TOKEN_LENGTH) masked.push({ start, end: i });
      continue;
    }
    if (c === 91 || c === 123) {
      open.push(i);
      if (open.length > MAX_TOML_NESTING) {
        const outer = open[0]!;
        return {
          text,
          masked,
          refuse: {
            span: { start: outer, end: outer + 1 },
            message: `Arrays or inline tables are nested more than ${MAX_TOML_NESTING} levels deep`,
          },
        };
      }
    } else if (c === 93 || c === 125) open.pop();
    i++;
  }
  const refuse = endBare(n);
  if (refuse) return { text, masked, refuse };
  if (masked.length === 0) return { text, masked };
  const parts: string[] = [];
  let at = 0;
  for (const m of masked) {
    parts.push(text.slice(at, m.start), '""');
    // Keep line breaks where they were so line numbers and offsets after the string stay right.
    parts.push(text.slice(m.start + 2, m.end).replace(/[^\r\n]/g, ' '));
    at = m.end;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), masked };
}

export type ParseOutcome =
  { program: AST.TOMLProgram; error?: undefined } | { program?: undefined; error: { offset: number; message: string } };

/**
 * The TOML versions a file kind is read as: 1.0 is what pip's tomli, Python's tomllib and Poetry read (1.1-only syntax
 * breaks their installs); 1.1 (multi-line inline tables, trailing commas) is what pixi reads in pixi.toml.
 */
export type TomlVersion = '1.0' | '1.1';

export function tryParse(text: string, version: TomlVersion = '1.0'): ParseOutcome {
  try {
    return { program: tomlParser().parseTOML(text, { tomlVersion: version }) };
  } catch (e) {
    if (e instanceof tomlParser().ParseError) return { error: { offset: e.index, message: e.message } };
    if (e instanceof RangeError)
      return { error: { offset: 0, message: 'The file is too deeply nested or too large to read as TOML' } };
    return { error: { offset: 0, message: `The TOML parser failed: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

/**
 * After a TOML error the parser yields nothing; the text before the error usually still parses. Tries the
 * text up to the start of the error's line, then up to the last table header before it.
 */
export function parsePrefix(text: string, errorOffset: number, version: TomlVersion = '1.0'): AST.TOMLProgram | null {
  const lineStart = text.lastIndexOf('\n', errorOffset - 1) + 1;
  const cuts = [lineStart, text.lastIndexOf('\n[', lineStart - 2) + 1];
  for (const cut of cuts) {
    if (cut <= 0) continue;
    const r = tryParse(text.slice(0, cut), version);
    if (r.program) return r.program;
  }
  return null;
}

export function keyName(k: AST.TOMLBare | AST.TOMLQuoted): string {
  return k.type === 'TOMLBare' ? k.name : k.value;
}

/** Builds the resolved table tree; the parser has already rejected redefinitions, so conflicts are skipped. */
export class TreeBuilder {
  constructor(private readonly text: string) {}

  build(program: AST.TOMLProgram): VTable {
    const top = program.body[0];
    const root: VTable = { kind: 'table', span: spanOf(top.range), entries: new Map() };
    for (const item of top.body) {
      if (item.type === 'TOMLKeyValue') this.addPair(root, item);
      else this.addHeaderTable(root, item);
    }
    return root;
  }

  keySpan(k: AST.TOMLBare | AST.TOMLQuoted): Span {
    if (k.type === 'TOMLBare') return spanOf(k.range);
    const info = stringInfo(k, this.text);
    return info.content ?? info.token;
  }

  private child(parent: VTable, k: AST.TOMLBare | AST.TOMLQuoted, span: Span): VTable | null {
    const name = keyName(k);
    const existing = parent.entries.get(name);
    if (!existing) {
      const t: VTable = { kind: 'table', span: { ...span }, entries: new Map() };
      parent.entries.set(name, { key: name, keySpan: this.keySpan(k), span: { ...span }, value: t });
      return t;
    }
    if (existing.value.kind === 'table') {
      extend(existing.span, span);
      extend(existing.value.span, span);
      return existing.value;
    }
    if (existing.value.kind === 'array') {
      // A dotted path through an array of tables means its last table.
      const last = existing.value.items[existing.value.items.length - 1];
      return last && last.kind === 'table' ? last : null;
    }
    return null;
  }

  private addPair(table: VTable, kv: AST.TOMLKeyValue): void {
    const keys = kv.key.keys;
    const span = spanOf(kv.range);
    let t: VTable | null = table;
    for (let i = 0; i < keys.length - 1 && t; i++) t = this.child(t, keys[i]!, span);
    const last = keys[keys.length - 1];
    if (!t || !last) return;
    const name = keyName(last);
    t.entries.set(name, { key: name, keySpan: this.keySpan(last), span: { ...span }, value: this.convert(kv.value) });
  }

  private addHeaderTable(root: VTable, item: AST.TOMLTable): void {
    const keys = item.key.keys;
    const span = spanOf(item.range);
    let t: VTable | null = root;
    for (let i = 0; i < keys.length - 1 && t; i++) t = this.child(t, keys[i]!, span);
    const last = keys[keys.length - 1];
    if (!t || !last) return;
    const name = keyName(last);
    const existing = t.entries.get(name);
    let target: VTable;
    if (item.kind === 'array') {
      target = { kind: 'table', span: { ...span }, entries: new Map() };
      if (!existing)
        t.entries.set(name, {
          key: name,
          keySpan: this.keySpan(last),
          span: { ...span },
          value: { kind: 'array', span: { ...span }, items: [target] },
        });
      else if (existing.value.kind === 'array') {
        extend(existing.span, span);
        extend(existing.value.span, span);
        existing.value.items.push(target);
      } else return;
    } else if (!existing) {
      target = { kind: 'table', span: { ...span }, entries: new Map() };
      t.entries.set(name, { key: name, keySpan: this.keySpan(last), span: { ...span }, value: target });
    } else if (existing.value.kind === 'table') {
      target = existing.value;
      extend(existing.span, span);
      extend(target.span, span);
    } else return;
    for (const kv of item.body) this.addPair(target, kv);
  }

  private convert(node: AST.TOMLContentNode): VNode {
    const span = spanOf(node.range);
    if (node.type === 'TOMLValue') return { kind: 'value', span, node };
    if (node.type === 'TOMLArray') return { kind: 'array', span, items: node.elements.map((e) => this.convert(e)) };
    const t: VTable = { kind: 'table', span, entries: new Map() };
    for (const kv of node.body) this.addPair(t, kv);
    return t;
  }
}

export function stringInfo(node: AST.TOMLStringValue | AST.TOMLQuoted, text: string): StringInfo {
  const quote = node.multiline ? 3 : 1;
  let start = node.range[0] + quote;
  const end = node.range[1] - quote;
  // A newline right after the opening quotes of a multi-line string is not part of its value.
  if (node.multiline) {
    if (text.startsWith('\r\n', start)) start += 2;
    else if (text[start] === '\n') start += 1;
  }
  const exact = end >= start && text.slice(start, end) === node.value;
  return { value: node.value, token: spanOf(node.range), content: exact ? { start, end } : null };
}

export const describeNode = (v: VNode): string =>
  v.kind === 'table'
    ? 'a table'
    : v.kind === 'array'
      ? 'an array'
      : v.node.kind === 'string'
        ? 'a string'
        : `a ${v.node.kind.replace(/-/g, ' ')}`;

/** A TOML text read into its resolved tree, with what kept part of it from being read. */
export interface TomlTree {
  /** The resolved top-level table; null when nothing could be read. */
  root: VTable | null;
  /** The text the parser saw: the file's, over-long strings blanked (same length, same offsets). */
  parsedText: string;
  /** Strings blanked because they were too long, by their original spans. */
  masked: Span[];
  /** Over-long strings skipped, refused input and the syntax error, in that order. */
  problems: { span: Span; message: string; severity: Severity }[];
}

/**
 * Reads a TOML text into its resolved tree. Never throws: an over-long string is blanked and reported, input nested too
 * deeply or an over-long bare run is refused, and after a TOML error only the text before it is read.
 */
export function readTomlTree(text: string, version: TomlVersion = '1.0'): TomlTree {
  const problems: TomlTree['problems'] = [];
  // A byte-order mark is not TOML; read it as a space so offsets stay put.
  const scan = prescan(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text);
  for (const m of scan.masked)
    problems.push({
      span: m,
      message: `This string has ${m.end - m.start} characters, too many to read; it is skipped`,
      severity: 'warning',
    });
  let program: AST.TOMLProgram | null = null;
  if (scan.refuse) {
    problems.push({
      span: scan.refuse.span,
      message: `${scan.refuse.message}; the rest of the file was not read`,
      severity: 'error',
    });
    program = parsePrefix(scan.text, scan.refuse.span.start, version);
  } else {
    const r = tryParse(scan.text, version);
    if (r.program) program = r.program;
    else {
      const start = Math.min(r.error.offset, Math.max(0, text.length - 1));
      problems.push({
        span: { start, end: Math.min(text.length, start + 1) },
        message: `TOML syntax error: ${r.error.message}; the rest of the file was not read`,
        severity: 'error',
      });
      program = parsePrefix(scan.text, r.error.offset, version);
    }
  }
  return {
    root: program ? new TreeBuilder(scan.text).build(program) : null,
    parsedText: scan.text,
    masked: scan.masked,
    problems,
  };
}

/**
 * What every reader of a TOML file kind needs: `syntax` findings on the file (the tree's problems first), and the
 * entry that must be a table, an array or a string, with a finding where it is something else.
 */
export class TomlReader {
  readonly findings: Finding[] = [];
  private readonly maskedStarts: Set<number>;
  private readonly parsedText: string;

  constructor(
    readonly path: string,
    readonly text: string,
    tree: TomlTree,
  ) {
    this.parsedText = tree.parsedText;
    this.maskedStarts = new Set(tree.masked.map((m) => m.start));
    for (const p of tree.problems) this.finding(p.span, p.message, p.severity);
  }

  finding(span: Span, message: string, severity: Severity = 'error'): void {
    this.findings.push(finding('syntax', this.path, span, message, { severity }));
  }

  /** The entry's table, or null (with a finding when the entry exists but is something else). */
  table(entry: VEntry | undefined, section: string): VTable | null {
    if (!entry) return null;
    if (entry.value.kind === 'table') return entry.value;
    this.finding(entry.value.span, `'${section}' must be a table, not ${describeNode(entry.value)}`);
    return null;
  }

  /** The entry's array, or null (with a finding when the entry exists but is something else). */
  array(entry: VEntry | undefined, section: string, of = 'requirement strings'): VArray | null {
    if (!entry) return null;
    if (entry.value.kind === 'array') return entry.value;
    this.finding(entry.value.span, `'${section}' must be an array of ${of}, not ${describeNode(entry.value)}`);
    return null;
  }

  /** The string's info; null (with a finding unless it was blanked as over-long) when it is not a string. */
  string(v: VNode, what: string): StringInfo | null {
    if (v.kind !== 'value' || v.node.kind !== 'string') {
      this.finding(v.span, `${what} must be a string, not ${describeNode(v)}`);
      return null;
    }
    if (this.maskedStarts.has(v.span.start)) return null;
    return stringInfo(v.node, this.parsedText);
  }
}
