// Completion of package names and versions: where the cursor is (a requirements line, a pyproject dependency string, a
// Poetry table, the pip part of environment.yml), and the items.
import { CompletionItemKind, CompletionItemTag, type CompletionItem, type CompletionList } from 'vscode-languageserver';
import { ProjectListCache } from '../index/project-list';
import { indexOrigin } from '../index/url-origin';
import { LineIndex } from '../model/text';
import { toRange } from './convert';
import { within, type PackageVersions } from './package-versions';
import type { VersionVerdict } from '../index/candidates';
import type { FileKind, Span } from '../model/types';
import { fileKindRow } from '../workspace/file-kinds';

/** What may be completed at the cursor. */
export type CompletionContext =
  /** A project name: `typed` is what stands before the cursor, `span` what the item replaces. */
  | { type: 'name'; typed: string; span: Span; style: 'pep508' | 'poetry-key' }
  /** A version after an operator (or in a Poetry version string): `name` is the project. */
  | { type: 'version'; name: string; typed: string; span: Span; style: 'pep508' | 'poetry' }
  /** A place where PyPI names do not belong (the conda part of environment.yml): complete nothing. */
  | { type: 'none' };

const NAME = '[A-Za-z0-9][A-Za-z0-9._-]*';
const OPS = '===|==|!=|~=|>=|<=|>|<';
const NAME_ONLY = new RegExp(`^\\s*(${NAME})?$`);
const AFTER_OP = new RegExp(
  `^\\s*(${NAME})\\s*(?:\\[[^\\]]*\\]\\s*)?(?:\\(\\s*)?(?:(?:${OPS})\\s*[^,;\\s()]*\\s*,\\s*)*(?:${OPS})\\s*([^,;\\s()]*)$`,
);

/** A PEP 508 requirement typed so far (`before` ends at the cursor, which is at `offset`). */
function pep508Context(before: string, offset: number, after: string): CompletionContext | null {
  const op = AFTER_OP.exec(before);
  if (op) {
    const typed = op[2]!;
    return {
      type: 'version',
      name: op[1]!,
      typed,
      span: { start: offset - typed.length, end: offset + tokenRest(after) },
      style: 'pep508',
    };
  }
  const nm = NAME_ONLY.exec(before);
  if (nm && nm[1]) {
    const typed = nm[1];
    return {
      type: 'name',
      typed,
      span: { start: offset - typed.length, end: offset + nameRest(after) },
      style: 'pep508',
    };
  }
  return null;
}

/** Length of the version characters right after the cursor (replaced along with what was typed). */
function tokenRest(after: string): number {
  return /^[^,;\s"'()\]]*/.exec(after)![0].length;
}

function nameRest(after: string): number {
  return /^[A-Za-z0-9._-]*/.exec(after)![0].length;
}

function lineAround(text: string, offset: number): { before: string; after: string; lineStart: number } {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1) + 1, 0);
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  return { before: text.slice(lineStart, offset), after: text.slice(offset, lineEnd).replace(/\r$/, ''), lineStart };
}

/** Where completion is at `offset` of a dependency file, or null where it offers no names or versions. */
export function completionContext(kind: FileKind, text: string, offset: number): CompletionContext | null {
  const { before, after } = lineAround(text, offset);
  const flavour = fileKindRow(kind).completion;
  switch (flavour) {
    case 'pip':
      if (/^\s*-/.test(before) || before.includes('#')) return null;
      return pep508Context(before, offset, after);
    case 'conda':
      return condaContext(text, offset, before, after);
    case 'pyproject':
      return pyprojectContext(text, offset, before, after);
    case 'pixi':
      return pixiContext(text, offset, before, after);
    case 'none':
      return null;
    default:
      return unknownFlavour(flavour);
  }
}

function unknownFlavour(flavour: never): never {
  throw new Error(`unknown completion flavour ${String(flavour)}`);
}

/** environment.yml: items of the `pip:` list are PEP 508; conda items get nothing from PyPI. */
function condaContext(text: string, offset: number, before: string, after: string): CompletionContext | null {
  const item = /^(\s*)-\s+(.*)$/.exec(before);
  if (!item) return null;
  const indent = item[1]!.length;
  const lines = text.slice(0, offset - before.length).split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (!l.trim() || /^\s*#/.test(l)) continue;
    const ind = /^\s*/.exec(l)![0].length;
    if (ind >= indent) continue;
    if (/^\s*-\s*pip\s*:\s*(#.*)?$/.test(l)) {
      const body = item[2]!;
      return pep508Context(body, offset, after);
    }
    return { type: 'none' };
  }
  return { type: 'none' };
}

/**
 * The dotted name of the TOML table the offset is in (`tool.poetry.dependencies`), quotes removed; '' before any
 * header.
 */
export function tomlTableAt(text: string, offset: number): string {
  const head = text.slice(0, offset);
  const re = /^[ \t]*\[\[?([^\]\n]+)\]\]?[ \t]*(?:#.*)?$/gm;
  let table = '';
  for (let m = re.exec(head); m; m = re.exec(head))
    table = m[1]!
      .split('.')
      .map((p) => p.trim().replace(/^["']|["']$/g, ''))
      .join('.');
  return table;
}

/** The content of the string the cursor is in on this line (after its opening quote), or null outside strings. */
function openString(before: string): string | null {
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < before.length; i++) {
    const c = before[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      start = i + 1;
    } else if (c === '#') return null;
  }
  return quote ? before.slice(start) : null;
}

/** The key of the array value the offset is inside (in the current table), or null when it is not inside an array. */
function arrayKeyAt(text: string, offset: number): string | null {
  const tableStart = (() => {
    const re = /^[ \t]*\[\[?[^\]\n]+\]\]?[ \t]*(?:#.*)?$/gm;
    let last = 0;
    const head = text.slice(0, offset);
    for (let m = re.exec(head); m; m = re.exec(head)) last = m.index + m[0].length;
    return last;
  })();
  const region = text.slice(tableStart, offset);
  const keyRe = /^[ \t]*("[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_.-]+)[ \t]*=/gm;
  let key: string | null = null;
  let at = -1;
  for (let m = keyRe.exec(region); m; m = keyRe.exec(region)) {
    key = m[1]!.replace(/^["']|["']$/g, '');
    at = m.index + m[0].length;
  }
  if (key === null) return null;
  // Bracket depth from the `=` to the cursor, outside strings and comments.
  let depth = 0;
  let quote: string | null = null;
  const body = region.slice(at);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote || c === '\n') quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#') while (i < body.length && body[i] !== '\n') i++;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
  }
  return depth > 0 ? key : null;
}

const PEP508_ARRAYS: [RegExp, RegExp][] = [
  [/^project$/, /^dependencies$/],
  [/^project\.optional-dependencies$/, /.*/],
  [/^dependency-groups$/, /.*/],
  [/^build-system$/, /^requires$/],
  [/^tool\.uv$/, /^(dev|constraint|override)-dependencies$/],
];

function isPoetryDependencyTable(table: string): boolean {
  return /^tool\.poetry\.(dependencies|dev-dependencies|group\.[^.]+\.dependencies)$/.test(table);
}

/** A table whose keys are project names and whose values are version strings or `{ version = "..." }` tables. */
function keyedTableContext(
  before: string,
  offset: number,
  after: string,
  str: string | null,
): CompletionContext | null {
  if (str === null) {
    const nm = NAME_ONLY.exec(before);
    if (nm && nm[1])
      return {
        type: 'name',
        typed: nm[1],
        span: { start: offset - nm[1].length, end: offset + nameRest(after) },
        style: 'poetry-key',
      };
    return null;
  }
  const m = new RegExp(`^\\s*["']?(${NAME})["']?\\s*=\\s*(?:\\{[^}]*\\bversion\\s*=\\s*)?["']`).exec(before);
  if (!m || m[1]!.toLowerCase() === 'python') return null;
  const last = str.split(',').pop()!;
  const v = /^\s*(?:\^|~=|~|>=|<=|==|!=|>|<|=)?\s*([^\s,]*)$/.exec(last);
  if (!v) return null;
  return {
    type: 'version',
    name: m[1]!,
    typed: v[1]!,
    span: { start: offset - v[1]!.length, end: offset + tokenRest(after) },
    style: 'poetry',
  };
}

/**
 * A pixi manifest: PyPI names and versions in `[pypi-dependencies]` tables (top level, features, targets,
 * environments); conda's `[dependencies]` and `[constraints]` get nothing from PyPI.
 */
function pixiContext(text: string, offset: number, before: string, after: string): CompletionContext | null {
  const table = tomlTableAt(text, offset).replace(/^tool\.pixi\./, '');
  if (/(^|\.)pypi-dependencies$/.test(table)) return keyedTableContext(before, offset, after, openString(before));
  if (/(^|\.)(dependencies|constraints)$/.test(table)) return { type: 'none' };
  return null;
}

function pyprojectContext(text: string, offset: number, before: string, after: string): CompletionContext | null {
  const table = tomlTableAt(text, offset);
  const str = openString(before);
  if (/^tool\.pixi\./.test(table)) return pixiContext(text, offset, before, after);
  if (isPoetryDependencyTable(table)) return keyedTableContext(before, offset, after, str);
  if (str === null) return null;
  const key = arrayKeyAt(text, offset);
  if (key === null || !PEP508_ARRAYS.some(([t, k]) => t.test(table) && k.test(key))) return null;
  return pep508Context(str, offset, after);
}

/** Name items, in the order given (best first). */
export function nameItems(names: readonly string[], range: unknown): CompletionItem[] {
  return names.map((name, i) => ({
    label: name,
    kind: CompletionItemKind.Module,
    sortText: String(i).padStart(5, '0'),
    filterText: name,
    textEdit: { range: range as never, newText: name },
  }));
}

/**
 * Version items from the index's verdicts (newest first): versions whose every file needs another Python are left
 * out; finals come first, newest first, then pre-releases; yanked ones are struck through and say why.
 */
export function versionItems(verdicts: readonly VersionVerdict[], typed: string, range: unknown): CompletionItem[] {
  const shown = verdicts.filter(
    (v) => v.excluded?.reason !== 'requires-python' && v.version.toString().startsWith(typed),
  );
  const finals = shown.filter((v) => !v.version.isPrerelease);
  const pres = shown.filter((v) => v.version.isPrerelease);
  const newestFinal = finals.find((v) => v.files.length > 0);
  return [...finals, ...pres].map((v, i) => {
    const text = v.version.toString();
    const yanked = v.excluded?.reason === 'yanked';
    const notes: string[] = [];
    if (v === newestFinal) notes.push('newest');
    if (v.version.isPrerelease) notes.push('pre-release');
    if (yanked)
      notes.push(
        `yanked${/: (.+)$/.exec(v.excluded!.detail)?.[1] ? `: ${/: (.+)$/.exec(v.excluded!.detail)![1]}` : ''}`,
      );
    else if (v.excluded && v.excluded.reason !== 'prerelease')
      notes.push(`no file for this target (${v.excluded.detail})`);
    const wheel = v.files.some((f) => f.kind === 'wheel');
    if (!v.excluded && !wheel) notes.push('sdist only');
    return {
      label: text,
      kind: CompletionItemKind.Value,
      sortText: String(i).padStart(5, '0'),
      filterText: text,
      ...(notes.length ? { detail: notes.join(', ') } : {}),
      ...(yanked ? { tags: [CompletionItemTag.Deprecated] } : {}),
      textEdit: { range: range as never, newText: text },
    };
  });
}

/** Name and version completion from the index. */
export class PackageCompletion {
  private readonly lists = new Map<string, ProjectListCache>();

  constructor(private readonly packages: PackageVersions) {}

  private listCache(cacheDir: string | null): ProjectListCache {
    const key = cacheDir ?? '';
    let c = this.lists.get(key);
    if (!c) this.lists.set(key, (c = new ProjectListCache({ cacheDir })));
    return c;
  }

  /**
   * Names or versions at the offset; null where the cursor is in no such place (other completions apply), an
   * empty list where PyPI names do not belong (conda's part of environment.yml) or nothing is known yet.
   */
  async complete(filePath: string, kind: FileKind, text: string, offset: number): Promise<CompletionList | null> {
    const cx = completionContext(kind, text, offset);
    if (!cx) return null;
    if (cx.type === 'none') return { isIncomplete: false, items: [] };
    const at = this.packages.contextFor(filePath);
    if (!at) return { isIncomplete: false, items: [] };
    const lines = new LineIndex(text);
    const range = toRange(cx.span, lines);
    if (cx.type === 'name') {
      const lists = this.listCache(at.ic.cacheDir);
      const urls = at.ic.indexes.noIndex ? [] : at.ic.indexes.indexUrls;
      const found: string[] = [];
      const seen = new Set<string>();
      let pending = false;
      for (const url of urls) {
        const origin = indexOrigin(at.ic.indexes, url);
        const names =
          lists.peek(url, origin) ??
          (await within(lists.get(url, undefined, origin), this.packages.waitMs).catch(() => null));
        if (!names) {
          pending = true;
          continue;
        }
        for (const n of names.matching(cx.typed, 100)) {
          const k = n.toLowerCase().replace(/[-_.]+/g, '-');
          if (!seen.has(k)) {
            seen.add(k);
            found.push(n);
          }
        }
      }
      return { isIncomplete: pending || found.length >= 100, items: nameItems(found.slice(0, 100), range) };
    }
    const entry = await this.packages.versionsSoon(at.ic.provider, cx.name.toLowerCase().replace(/[-_.]+/g, '-'));
    if (!entry) return { isIncomplete: true, items: [] };
    return { isIncomplete: false, items: entry.verdicts ? versionItems(entry.verdicts, cx.typed, range) : [] };
  }
}
