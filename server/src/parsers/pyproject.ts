// Reads pyproject.toml ([project], PEP 735 dependency groups, [build-system], Poetry, uv) into the shared model, every
// entry with its source span.
import { finding } from '../model/finding';
import type { AST } from 'toml-eslint-parser';
import { tomlParser } from '../system/lazy/toml';
import type { Severity } from '../model/codes';
import type { Dependency, DependencyKind, ExtraInclude, Finding, ParsedFile, Span } from '../model/types';
import { canonicalizeName, isValidName } from '../pep/name';
import { parseRequirement } from '../pep/requirement';
import { SpecifierSet } from '../pep/specifier';
import {
  andMarkers,
  parsePoetryConstraint,
  poetryConstraintToPep440,
  poetryPythonMarker,
  PoetryConstraintError,
} from './poetry';
import { normalizeExtra, parseRequirementEntry } from './requirement-entry';

/** Larger files are not parsed: the TOML parser needs seconds for a few MB, and no real pyproject.toml is that big. */
export const MAX_PYPROJECT_LENGTH = 1024 * 1024;
/** Arrays and inline tables nested deeper than this are refused: the TOML parser recurses per level. */
export const MAX_TOML_NESTING = 100;
/** Strings and bare runs longer than this overflow the TOML parser's stack (it spreads their code points). */
export const MAX_TOML_TOKEN_LENGTH = 50_000;

interface VScalar {
  kind: 'value';
  span: Span;
  node: AST.TOMLValue;
}
interface VArray {
  kind: 'array';
  span: Span;
  items: VNode[];
}
interface VTable {
  kind: 'table';
  span: Span;
  entries: Map<string, VEntry>;
}
/** A TOML value with the document structure resolved (dotted keys, headers, arrays of tables). */
type VNode = VScalar | VArray | VTable;
/** One key of a table: where its key is written, the whole `key = value` (or `[header]` + body), and its value. */
interface VEntry {
  key: string;
  keySpan: Span;
  span: Span;
  value: VNode;
}

interface StringInfo {
  value: string;
  /** The string token, quotes included. */
  token: Span;
  /** The content between the quotes when it maps 1:1 onto the value (no escapes, no line-ending backslash). */
  content: Span | null;
}

/** Where to put a finding about a string: its content, or the whole token when the content is inexact or empty. */
const at = (s: StringInfo): Span => (s.content && s.content.end > s.content.start ? s.content : s.token);

const spanOf = (range: [number, number]): Span => ({ start: range[0], end: range[1] });

function extend(target: Span, by: Span): void {
  target.start = Math.min(target.start, by.start);
  target.end = Math.max(target.end, by.end);
}

interface Prescan {
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
function prescan(text: string): Prescan {
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

type ParseOutcome =
  { program: AST.TOMLProgram; error?: undefined } | { program?: undefined; error: { offset: number; message: string } };

function tryParse(text: string): ParseOutcome {
  try {
    // TOML 1.0: what pip's tomli, Python's tomllib and Poetry read; 1.1-only syntax breaks their installs.
    return { program: tomlParser().parseTOML(text, { tomlVersion: '1.0' }) };
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
function parsePrefix(text: string, errorOffset: number): AST.TOMLProgram | null {
  const lineStart = text.lastIndexOf('\n', errorOffset - 1) + 1;
  const cuts = [lineStart, text.lastIndexOf('\n[', lineStart - 2) + 1];
  for (const cut of cuts) {
    if (cut <= 0) continue;
    const r = tryParse(text.slice(0, cut));
    if (r.program) return r.program;
  }
  return null;
}

function keyName(k: AST.TOMLBare | AST.TOMLQuoted): string {
  return k.type === 'TOMLBare' ? k.name : k.value;
}

/** Builds the resolved table tree; the parser has already rejected redefinitions, so conflicts are skipped. */
class TreeBuilder {
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

function stringInfo(node: AST.TOMLStringValue | AST.TOMLQuoted, text: string): StringInfo {
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

const describeNode = (v: VNode): string =>
  v.kind === 'table'
    ? 'a table'
    : v.kind === 'array'
      ? 'an array'
      : v.node.kind === 'string'
        ? 'a string'
        : `a ${v.node.kind.replace(/-/g, ' ')}`;

/** Walks the resolved tree and turns the sections Stack Doctor reads into dependencies and findings. */
class PyprojectReader {
  readonly dependencies: Dependency[] = [];
  readonly findings: Finding[] = [];
  requiresPython = '';
  /** Self-references of the project (`mypkg[extra]` in mypkg's own lists), kept out of `dependencies`. */
  readonly extraIncludes: ExtraInclude[] = [];
  /** Group scope -> the group scopes it includes (`include-group`). */
  private readonly includes = new Map<string, Set<string>>();
  /** `[tool.poetry.extras]`: extra -> the package names it lists, with where each is written. */
  private readonly poetryExtras = new Map<string, Array<{ name: string; span: Span; raw: string }>>();
  private readonly maskedStarts: Set<number>;

  constructor(
    private readonly path: string,
    private readonly text: string,
    private readonly parsedText: string,
    masked: Span[],
  ) {
    this.maskedStarts = new Set(masked.map((m) => m.start));
  }

  finding(span: Span, message: string, severity: Severity = 'error'): void {
    this.findings.push(finding('syntax', this.path, span, message, { severity }));
  }

  read(root: VTable): void {
    this.readBuildSystem(root.entries.get('build-system'));
    this.readProject(root.entries.get('project'));
    this.readDependencyGroups(root.entries.get('dependency-groups'));
    const tool = this.table(root.entries.get('tool'), 'tool');
    if (tool) {
      this.readPoetry(tool.entries.get('poetry'));
      this.readUv(tool.entries.get('uv'));
    }
    this.assignScopes();
  }

  private include(from: string, to: string): void {
    (this.includes.get(from) ?? this.includes.set(from, new Set()).get(from)!).add(to);
  }

  /**
   * Gives each declaration the scopes that install it where its section alone does not say: a dependency
   * group joins the groups that include it, recursively; a Poetry optional dependency belongs to the
   * `[tool.poetry.extras]` that list it, and to none when none does (Poetry never installs it then).
   * Self-referencing extras are left to checks/scope.ts: their markers depend on the target.
   */
  private assignScopes(): void {
    // Who includes each scope, transitively (cycles end where they started).
    const includers = new Map<string, Set<string>>();
    const reverse = new Map<string, string[]>();
    for (const [from, tos] of this.includes)
      for (const to of tos) (reverse.get(to) ?? reverse.set(to, []).get(to)!).push(from);
    const includersOf = (scope: string): Set<string> => {
      const hit = includers.get(scope);
      if (hit) return hit;
      const seen = new Set<string>();
      const work = [scope];
      while (work.length)
        for (const from of reverse.get(work.pop()!) ?? [])
          if (!seen.has(from) && from !== scope) {
            seen.add(from);
            work.push(from);
          }
      includers.set(scope, seen);
      return seen;
    };
    const listedBy = new Map<string, string[]>();
    for (const [extra, names] of this.poetryExtras)
      for (const n of names) (listedBy.get(n.name) ?? listedBy.set(n.name, []).get(n.name)!).push(extra);
    for (const dep of this.dependencies) {
      let own: string[];
      if (dep.optional) own = [...new Set(listedBy.get(dep.name) ?? [])].map((e) => 'extra:' + e);
      else {
        const s = sectionScope(dep.section ?? '');
        if (s === null || !this.includes.size) continue;
        own = [s];
      }
      const all = new Set(own);
      for (const s of own) for (const i of includersOf(s)) all.add(i);
      // Included into the base: always installed, once.
      const scopes = all.has('') ? [''] : [...all].sort();
      if (dep.optional || scopes.length !== own.length || scopes[0] !== own[0]) dep.scopes = scopes;
    }
    const optionalNames = new Set(this.dependencies.filter((d) => d.optional).map((d) => d.name));
    const declaredNames = new Set(
      this.dependencies.filter((d) => d.section === 'tool.poetry.dependencies').map((d) => d.name),
    );
    for (const [extra, names] of this.poetryExtras) {
      for (const n of names) {
        if (optionalNames.has(n.name)) continue;
        const why = declaredNames.has(n.name)
          ? 'is not marked optional = true, so it is always installed'
          : 'is not declared in [tool.poetry.dependencies]';
        this.finding(n.span, `Extra '${extra}' lists '${n.raw}', which ${why}`, 'warning');
      }
    }
  }

  /** The entry's table, or null (with a finding when the entry exists but is something else). */
  private table(entry: VEntry | undefined, section: string): VTable | null {
    if (!entry) return null;
    if (entry.value.kind === 'table') return entry.value;
    this.finding(entry.value.span, `'${section}' must be a table, not ${describeNode(entry.value)}`);
    return null;
  }

  private array(entry: VEntry | undefined, section: string): VArray | null {
    if (!entry) return null;
    if (entry.value.kind === 'array') return entry.value;
    this.finding(
      entry.value.span,
      `'${section}' must be an array of requirement strings, not ${describeNode(entry.value)}`,
    );
    return null;
  }

  /** The string's info; null (with a finding unless it was blanked as over-long) when it is not a string. */
  private string(v: VNode, what: string): StringInfo | null {
    if (v.kind !== 'value' || v.node.kind !== 'string') {
      this.finding(v.span, `${what} must be a string, not ${describeNode(v)}`);
      return null;
    }
    if (this.maskedStarts.has(v.span.start)) return null;
    return stringInfo(v.node, this.parsedText);
  }

  private requirements(entry: VEntry | undefined, section: string, kind: DependencyKind): void {
    const arr = this.array(entry, section);
    if (arr) for (const item of arr.items) this.requirement(item, section, kind, `An entry of '${section}'`);
  }

  /** One PEP 508 string; with escapes in it, every span (and `text`) is the whole string token, quotes included. */
  private requirement(v: VNode, section: string, kind: DependencyKind, what: string): void {
    const s = this.string(v, what);
    if (!s) return;
    const ctx = { file: this.path, kind, section };
    const r = parseRequirementEntry(s.value, s.content ? s.content.start : s.token.start, ctx);
    if (r.finding) {
      if (!s.content) r.finding.span = { ...s.token };
      this.findings.push(r.finding);
      return;
    }
    const dep = r.dependency;
    if (!s.content) {
      dep.span = { ...s.token };
      dep.nameSpan = { ...s.token };
      dep.specifierSpan = { ...s.token };
      dep.text = this.text.slice(s.token.start, s.token.end);
    }
    this.dependencies.push(dep);
  }

  private readBuildSystem(entry: VEntry | undefined): void {
    const bs = this.table(entry, 'build-system');
    if (bs) this.requirements(bs.entries.get('requires'), 'build-system.requires', 'build');
  }

  private readProject(entry: VEntry | undefined): void {
    const project = this.table(entry, 'project');
    if (!project) return;
    const nameEntry = project.entries.get('name');
    const name =
      nameEntry && nameEntry.value.kind === 'value' && nameEntry.value.node.kind === 'string'
        ? String(nameEntry.value.node.value)
        : '';
    const self = isValidName(name) ? canonicalizeName(name) : null;
    const first = this.dependencies.length;
    this.requirements(project.entries.get('dependencies'), 'project.dependencies', 'requirement');
    const optional = this.table(project.entries.get('optional-dependencies'), 'project.optional-dependencies');
    const extras = new Set<string>();
    if (optional) {
      for (const [extra, e] of optional.entries) {
        if (!isValidName(extra)) this.finding(e.keySpan, `'${extra}' is not a valid extra name`);
        extras.add(normalizeExtra(extra));
        this.requirements(e, `project.optional-dependencies.${normalizeExtra(extra)}`, 'requirement');
      }
    }
    if (self !== null) this.selfReferences(self, first, extras);
    const rp = project.entries.get('requires-python');
    if (rp) {
      const s = this.string(rp.value, "'project.requires-python'");
      if (s) {
        const normalized = this.specifierSet(s.value, at(s), "'requires-python'");
        if (normalized !== null) this.requiresPython = normalized;
      }
    }
  }

  /**
   * `mypkg[a,b]` in mypkg's own dependencies or extras names the project's extras a and b (the usual way to
   * compose extras): it is no package of its own, so it leaves `dependencies` and becomes an include of
   * those extras into the list that names it (checks/scope.ts expands it where its marker holds).
   */
  private selfReferences(self: string, first: number, extras: Set<string>): void {
    const kept: Dependency[] = [];
    for (const dep of this.dependencies.splice(first)) {
      const scope = dep.name === self ? sectionScope(dep.section ?? '') : null;
      if (scope === null) {
        kept.push(dep);
        continue;
      }
      this.extraIncludes.push({
        scope,
        extras: dep.extras,
        marker: dep.marker,
        span: dep.span,
        text: dep.text,
        declared: dep,
      });
      for (const e of dep.extras) {
        if (!extras.has(e))
          this.finding(dep.span, `'${dep.text}' names the extra '${e}', which this project does not define`, 'warning');
      }
    }
    this.dependencies.push(...kept);
  }

  private specifierSet(value: string, span: Span, what: string): string | null {
    try {
      return SpecifierSet.parse(value).toString();
    } catch (e) {
      this.finding(
        span,
        `${what} '${value}' is not a valid PEP 440 specifier ` +
          `set${e instanceof Error && e.message ? `: ${e.message}` : ''}`,
      );
      return null;
    }
  }

  private readDependencyGroups(entry: VEntry | undefined): void {
    const groups = this.table(entry, 'dependency-groups');
    if (!groups) return;
    interface IncludeEdge {
      from: string;
      to: string;
      rawTo: string;
      span: Span;
    }
    const declared = new Map<string, string>();
    const edges: IncludeEdge[] = [];
    for (const [rawName, e] of groups.entries) {
      const name = canonicalizeName(rawName);
      if (!isValidName(rawName)) this.finding(e.keySpan, `'${rawName}' is not a valid dependency group name`);
      const earlier = declared.get(name);
      if (earlier !== undefined) {
        this.finding(
          e.keySpan,
          `Dependency group '${rawName}' is the same group as '${earlier}' (names are compared normalized)`,
        );
        continue;
      }
      declared.set(name, rawName);
      const section = `dependency-groups.${name}`;
      const arr = this.array(e, section);
      if (!arr) continue;
      for (const item of arr.items) {
        if (item.kind !== 'table') {
          this.requirement(item, section, 'requirement', `An entry of '${section}'`);
          continue;
        }
        const include = item.entries.get('include-group');
        if (!include || item.entries.size !== 1) {
          this.finding(item.span, `A table in a dependency group must be exactly {include-group = "NAME"}`);
          continue;
        }
        const target = this.string(include.value, "'include-group'");
        if (target)
          edges.push({ from: name, to: canonicalizeName(target.value), rawTo: target.value, span: item.span });
      }
    }
    const known: IncludeEdge[] = [];
    for (const edge of edges) {
      if (declared.has(edge.to)) known.push(edge);
      else
        this.finding(
          edge.span,
          `Dependency group '${declared.get(edge.from)}' includes '${edge.rawTo}', which is not defined`,
        );
    }
    for (const edge of known) if (edge.from !== edge.to) this.include('group:' + edge.from, 'group:' + edge.to);
    const component = stronglyConnected([...declared.keys()], known);
    for (const edge of known) {
      if (edge.from === edge.to)
        this.finding(edge.span, `Dependency group '${declared.get(edge.from)}' includes itself`);
      else if (component.get(edge.from) === component.get(edge.to)) {
        this.finding(
          edge.span,
          `Dependency group '${declared.get(edge.from)}' includes '${edge.rawTo}', ` +
            `which includes '${declared.get(edge.from)}' again (an include cycle)`,
        );
      }
    }
  }

  private readUv(entry: VEntry | undefined): void {
    const uv = this.table(entry, 'tool.uv');
    if (!uv) return;
    this.requirements(uv.entries.get('constraint-dependencies'), 'tool.uv.constraint-dependencies', 'constraint');
    this.requirements(uv.entries.get('override-dependencies'), 'tool.uv.override-dependencies', 'constraint');
    this.requirements(uv.entries.get('dev-dependencies'), 'tool.uv.dev-dependencies', 'requirement');
  }

  private readPoetry(entry: VEntry | undefined): void {
    const poetry = this.table(entry, 'tool.poetry');
    if (!poetry) return;
    this.poetrySection(poetry.entries.get('dependencies'), 'tool.poetry.dependencies', true);
    this.readPoetryExtras(poetry.entries.get('extras'));
    this.poetrySection(poetry.entries.get('dev-dependencies'), 'tool.poetry.dev-dependencies', false);
    const groups = this.table(poetry.entries.get('group'), 'tool.poetry.group');
    if (!groups) return;
    for (const [rawName, e] of groups.entries) {
      const name = canonicalizeName(rawName);
      const group = this.table(e, `tool.poetry.group.${rawName}`);
      if (group) this.poetrySection(group.entries.get('dependencies'), `tool.poetry.group.${name}.dependencies`, false);
    }
  }

  /** `[tool.poetry.extras]`: each extra lists the optional dependencies it installs, by name. */
  private readPoetryExtras(entry: VEntry | undefined): void {
    const extras = this.table(entry, 'tool.poetry.extras');
    if (!extras) return;
    for (const [rawExtra, e] of extras.entries) {
      if (!isValidName(rawExtra)) this.finding(e.keySpan, `'${rawExtra}' is not a valid extra name`);
      const extra = normalizeExtra(rawExtra);
      const names = this.poetryExtras.get(extra) ?? this.poetryExtras.set(extra, []).get(extra)!;
      const arr = this.array(e, `tool.poetry.extras.${rawExtra}`);
      if (!arr) continue;
      for (const item of arr.items) {
        const s = this.string(item, `An entry of 'tool.poetry.extras.${rawExtra}'`);
        if (!s) continue;
        // Poetry takes the name before any extras or version written after it.
        const raw = s.value.trim().split(/[\s[<>=!~;(]/)[0]!;
        if (!isValidName(raw)) this.finding(at(s), `'${s.value}' is not a valid package name`);
        else names.push({ name: canonicalizeName(raw), span: at(s), raw });
      }
    }
  }

  private poetrySection(entry: VEntry | undefined, section: string, main: boolean): void {
    const deps = this.table(entry, section);
    if (!deps) return;
    for (const [name, e] of deps.entries) {
      // The `python` entry of the main dependencies is the project's Python, not a package.
      if (main && name.toLowerCase() === 'python') this.poetryPython(e);
      else this.poetryDependency(name, e, section);
    }
  }

  private poetryPython(e: VEntry): void {
    const s = this.string(e.value, "Poetry's 'python'");
    if (!s) return;
    try {
      const { specifier } = poetryConstraintToPep440(parsePoetryConstraint(s.value));
      // [project] requires-python, the standard field, wins where both are written.
      if (this.requiresPython === '') this.requiresPython = specifier;
    } catch (err) {
      this.finding(at(s), this.poetryMessage(err, s.value));
    }
  }

  private poetryMessage(err: unknown, value: string): string {
    if (err instanceof PoetryConstraintError) return `Invalid Poetry version constraint: ${err.message}`;
    return `Invalid version constraint '${value}'${err instanceof Error ? `: ${err.message}` : ''}`;
  }

  private poetryDependency(rawName: string, e: VEntry, section: string): void {
    if (!isValidName(rawName)) {
      this.finding(e.keySpan, `'${rawName}' is not a valid package name`);
      return;
    }
    const v = e.value;
    if (v.kind === 'table') this.poetryTable(rawName, e.keySpan, v, e.span, section);
    else if (v.kind === 'array') {
      for (const item of v.items) {
        if (item.kind === 'table') this.poetryTable(rawName, e.keySpan, item, item.span, section);
        else this.finding(item.span, `Each constraint of '${rawName}' must be a table, not ${describeNode(item)}`);
      }
    } else {
      const s = this.string(v, `The version of '${rawName}'`);
      if (!s) return;
      const span = s.content ?? s.token;
      const spec = this.poetrySpecifier(s);
      if (!spec) return;
      this.dependencies.push(this.poetryDep(rawName, e.keySpan, span, span, section, spec, [], '', null, false));
    }
  }

  private poetrySpecifier(s: StringInfo): { specifier: string; unknown: boolean } | null {
    try {
      return poetryConstraintToPep440(parsePoetryConstraint(s.value));
    } catch (err) {
      this.finding(at(s), this.poetryMessage(err, s.value));
      return null;
    }
  }

  /** One `{version, extras, python, markers, ...}` table (inline, `[header]`, dotted keys or an array item). */
  private poetryTable(rawName: string, nameSpan: Span, t: VTable, span: Span, section: string): void {
    // Every string field is read (and its type checked) once.
    const fields = new Map<string, StringInfo | null>();
    for (const key of [
      'version',
      'markers',
      'python',
      'platform',
      'git',
      'path',
      'url',
      'rev',
      'tag',
      'branch',
      'subdirectory',
      'source',
    ]) {
      const e = t.entries.get(key);
      fields.set(key, e ? this.string(e.value, `'${rawName}'.${key}`) : null);
    }
    const str = (key: string): StringInfo | null => fields.get(key) ?? null;
    let spec = { specifier: '', unknown: false };
    let specifierSpan: Span = { start: nameSpan.end, end: nameSpan.end };
    const version = str('version');
    if (version) {
      const translated = this.poetrySpecifier(version);
      if (!translated) return;
      spec = translated;
      specifierSpan = version.content ?? version.token;
    } else if (t.entries.has('version')) return;

    const extras: string[] = [];
    const extrasEntry = t.entries.get('extras');
    if (extrasEntry) {
      if (extrasEntry.value.kind !== 'array')
        this.finding(
          extrasEntry.value.span,
          `'${rawName}'.extras must be an array of strings, not ${describeNode(extrasEntry.value)}`,
        );
      else {
        for (const item of extrasEntry.value.items) {
          const s = this.string(item, `An extra of '${rawName}'`);
          if (s) extras.push(s.value);
        }
      }
    }

    const markers: string[] = [];
    const written = str('markers');
    if (written) {
      try {
        parseRequirement(`x ; ${written.value}`);
        markers.push(written.value);
      } catch (err) {
        this.finding(at(written), `Invalid marker '${written.value}'${err instanceof Error ? `: ${err.message}` : ''}`);
      }
    }
    const python = str('python');
    if (python) {
      try {
        markers.push(poetryPythonMarker(python.value));
      } catch (err) {
        this.finding(at(python), this.poetryMessage(err, python.value));
      }
    }
    const platform = str('platform');
    if (platform) markers.push(`sys_platform == "${platform.value.replace(/"/g, '')}"`);

    for (const key of ['develop', 'optional', 'allow-prereleases', 'allows-prereleases']) {
      const e = t.entries.get(key);
      if (e && !(e.value.kind === 'value' && e.value.node.kind === 'boolean'))
        this.finding(e.value.span, `'${rawName}'.${key} must be true or false, not ${describeNode(e.value)}`);
    }
    const develop = t.entries.get('develop');
    const editable = develop?.value.kind === 'value' && develop.value.node.value === true;

    let url: string | null = null;
    const git = str('git');
    const path = str('path');
    const direct = str('url');
    if (git) {
      const ref = str('rev') ?? str('tag') ?? str('branch');
      const sub = str('subdirectory');
      url =
        (git.value.startsWith('git+') ? git.value : `git+${git.value}`) +
        (ref ? `@${ref.value}` : '') +
        (sub ? `#subdirectory=${sub.value}` : '');
    } else if (path) url = path.value;
    else if (direct) url = direct.value;

    const dep = this.poetryDep(
      rawName,
      nameSpan,
      span,
      specifierSpan,
      section,
      spec,
      extras,
      andMarkers(markers),
      url,
      editable,
    );
    // An optional main dependency is installed only through the [tool.poetry.extras] that list it.
    const optional = t.entries.get('optional');
    if (
      section === 'tool.poetry.dependencies' &&
      optional?.value.kind === 'value' &&
      optional.value.node.value === true
    )
      dep.optional = true;
    this.dependencies.push(dep);
  }

  private poetryDep(
    rawName: string,
    nameSpan: Span,
    span: Span,
    specifierSpan: Span,
    section: string,
    spec: { specifier: string; unknown: boolean },
    extras: string[],
    marker: string,
    url: string | null,
    editable: boolean,
  ): Dependency {
    return {
      file: this.path,
      kind: 'requirement',
      name: canonicalizeName(rawName),
      rawName,
      extras: [...new Set(extras.map(normalizeExtra))].sort(),
      specifier: spec.specifier,
      marker,
      url,
      editable,
      section,
      span: { ...span },
      nameSpan: { ...nameSpan },
      specifierSpan: { ...specifierSpan },
      text: this.text.slice(span.start, span.end),
      ...(spec.unknown ? { specifierUnknown: true } : {}),
    };
  }
}

/** Tarjan's strongly connected components, iteratively (group graphs in hostile files can be long chains). */
function stronglyConnected(nodes: string[], edges: { from: string; to: string }[]): Map<string, number> {
  const out = new Map<string, string[]>();
  for (const n of nodes) out.set(n, []);
  for (const e of edges) out.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  let components = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const succ = out.get(frame.node)!;
      if (frame.next < succ.length) {
        const w = succ[frame.next++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.set(w, components);
        } while (w !== frame.node);
        components++;
      }
    }
  }
  return component;
}

/**
 * Parses a pyproject.toml. Reads `[project]` dependencies, optional-dependencies and requires-python,
 * `[dependency-groups]` (PEP 735, includes validated), `[build-system] requires`, Poetry's dependency
 * tables (constraints translated to PEP 440, see `poetry.ts`) and `[tool.uv]` constraint, override and dev
 * dependencies. Never throws: TOML errors, wrong shapes, bad requirements and hostile input (huge files,
 * deep nesting, over-long strings) become `syntax` findings; after a TOML error only what precedes it is read.
 */
export function parsePyproject(path: string, text: string): ParsedFile {
  const file: ParsedFile = {
    path,
    kind: 'pyproject',
    text,
    dependencies: [],
    includes: [],
    options: [],
    findings: [],
    requiresPython: '',
  };
  const fail = (span: Span, message: string): ParsedFile => {
    file.findings.push(finding('syntax', path, span, message));
    return file;
  };
  if (text.length > MAX_PYPROJECT_LENGTH) {
    const firstLineEnd = text.indexOf('\n');
    return fail(
      { start: 0, end: firstLineEnd > 0 ? firstLineEnd : Math.min(text.length, 200) },
      `The file has ${text.length} characters; pyproject.toml files over ${MAX_PYPROJECT_LENGTH} are not analysed`,
    );
  }
  // A byte-order mark is not TOML; read it as a space so offsets stay put.
  const scan = prescan(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text);
  const reader = new PyprojectReader(path, text, scan.text, scan.masked);
  for (const m of scan.masked)
    reader.finding(m, `This string has ${m.end - m.start} characters, too many to read; it is skipped`, 'warning');

  let program: AST.TOMLProgram | null = null;
  if (scan.refuse) {
    reader.finding(scan.refuse.span, `${scan.refuse.message}; the rest of the file was not read`);
    program = parsePrefix(scan.text, scan.refuse.span.start);
  } else {
    const r = tryParse(scan.text);
    if (r.program) program = r.program;
    else {
      const start = Math.min(r.error.offset, Math.max(0, text.length - 1));
      reader.finding(
        { start, end: Math.min(text.length, start + 1) },
        `TOML syntax error: ${r.error.message}; the rest of the file was not read`,
      );
      program = parsePrefix(scan.text, r.error.offset);
    }
  }
  if (program) reader.read(new TreeBuilder(scan.text).build(program));

  file.dependencies = reader.dependencies.sort(
    (a, b) => a.span.start - b.span.start || a.nameSpan.start - b.nameSpan.start,
  );
  file.findings = reader.findings.sort((a, b) => a.span.start - b.span.start);
  file.requiresPython = reader.requiresPython;
  if (reader.extraIncludes.length) file.extraIncludes = reader.extraIncludes;
  return file;
}

/**
 * The optional scope a section's declarations belong to: '' for what is always installed, `extra:NAME` or
 * `group:NAME` for extras and dependency groups, null for what is never installed with the rest
 * (`build-system.requires` runs in its own isolated build environment). checks/scope.ts reads it.
 */
export function sectionScope(section: string): string | null {
  if (section === 'build-system.requires') return null;
  if (section.startsWith('project.optional-dependencies.'))
    return 'extra:' + section.slice('project.optional-dependencies.'.length);
  if (section.startsWith('dependency-groups.')) return 'group:' + section.slice('dependency-groups.'.length);
  const poetryGroup = /^tool\.poetry\.group\.(.+)\.dependencies$/.exec(section);
  if (poetryGroup) return 'group:' + poetryGroup[1];
  if (section === 'tool.poetry.dev-dependencies' || section === 'tool.uv.dev-dependencies') return 'group:dev';
  return '';
}
