// Text edits the fixes share: where an entry sits in its file, how to remove it cleanly, how to write a merged
// requirement.
import type { Dependency, ParsedFile, RelatedLocation, Span } from '../model/types';
import { scopeOf } from './scope';
import { LineIndex } from '../model/text';
import { simplifySpecifiers } from '../pep/simplify';
import type { SetIndexReport } from '../model/reports';

/** `requirements.txt:3` for messages: the file's base name and the one-based line of the entry. */
export function where(dep: Dependency, files: ParsedFile[]): string {
  const f = files.find((x) => x.path === dep.file);
  const line = f ? lineIndexOf(f).positionAt(dep.nameSpan.start).line + 1 : 0;
  const base = dep.file.split(/[\\/]/).pop() ?? dep.file;
  return line ? `${base}:${line}` : base;
}

const lineIndexes = new WeakMap<ParsedFile, LineIndex>();
function lineIndexOf(f: ParsedFile): LineIndex {
  let li = lineIndexes.get(f);
  if (!li) {
    li = new LineIndex(f.text);
    lineIndexes.set(f, li);
  }
  return li;
}

/**
 * True when the entry's specifier is written in PEP 440 (not a conda spec or a Poetry constraint), so a fix may rewrite
 * it.
 */
export function hasPep440Text(dep: Dependency): boolean {
  return (
    dep.kind !== 'conda' && !dep.specifierUnknown && dep.url === null && !(dep.section ?? '').startsWith('tool.poetry')
  );
}

/**
 * Specifiers joined into one set, each once and without the ones the others already imply (`>=1.25` with
 * `>=1.26` is `>=1.26`), lower bounds first; null when they do not parse.
 */
export function joinSpecifiers(specifiers: string[]): string | null {
  try {
    return simplifySpecifiers(specifiers.filter((s) => s));
  } catch {
    return null;
  }
}

/** The requirement written back in PEP 508 form with a new specifier. */
export function requirementText(dep: Dependency, specifier: string, extras: string[] = dep.extras): string {
  const ex = extras.length ? `[${extras.join(',')}]` : '';
  return `${dep.rawName}${ex}${specifier}${dep.marker ? `; ${dep.marker}` : ''}`;
}

/**
 * The span to delete so that an entry disappears without leaving an empty line, a dangling comma or a
 * lone `- ` behind: its whole line where it stands alone (with pip's `\` continuations), else the item
 * and one neighbouring comma inside an inline array.
 */
export function removalSpan(text: string, span: Span): Span {
  let start = span.start;
  let end = span.end;
  const q = text[start - 1];
  if ((q === '"' || q === "'") && text[end] === q) {
    start--;
    end++;
  }
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = end;
  for (;;) {
    const nl = text.indexOf('\n', lineEnd);
    const stop = nl < 0 ? text.length : nl;
    const segment = text.slice(lineEnd, stop).replace(/\r$/, '');
    if (segment.endsWith('\\') && nl >= 0) {
      lineEnd = nl + 1;
      continue;
    }
    lineEnd = stop;
    break;
  }
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd).replace(/\\\r?\n/g, ' ');
  const standsAlone =
    /^\s*(-\s+)?$/.test(before) &&
    (/^\s*,?\s*(#.*)?\r?$/.test(after) || /^\s+--?[a-z]/.test(after) || after.trim() === '');
  if (standsAlone) return { start: lineStart, end: lineEnd < text.length ? lineEnd + 1 : lineEnd };
  const forward = /^\s*,[ \t]*/.exec(text.slice(end, lineEnd));
  if (forward) return { start, end: end + forward[0].length };
  let back = start - 1;
  while (back >= 0 && /\s/.test(text[back]!)) back--;
  if (text[back] === ',') return { start: back, end };
  return { start, end };
}

/** How a scope reads in messages: "extra 'gpu'", "dependency group 'dev'". */
export function describeScope(scope: string): string {
  if (scope.startsWith('extra:')) return `extra '${scope.slice(6)}'`;
  if (scope.startsWith('group:')) return `dependency group '${scope.slice(6)}'`;
  if (scope.startsWith('env:')) return `environment '${scope.slice(4)}'`;
  return scope || 'the base';
}

/** " (in extra 'train')" for a line of an extra or dependency group, "" for the base. */
export function scopeNote(dep: Dependency): string {
  const scope = scopeOf(dep);
  return scope ? ` (in ${describeScope(scope)})` : '';
}

/** The requirement as a message names it: name, extras and specifier (`transformers>=4.35.2,<5.0.0`). */
export function requirementLabel(dep: Dependency): string {
  if (!dep.name) return dep.text;
  const extras = dep.extras.length ? `[${dep.extras.join(',')}]` : '';
  return dep.url ? `${dep.rawName}${extras} @ ${dep.url}` : `${dep.rawName}${extras}${writtenSpecifier(dep)}`;
}

/** The version part as the author wrote it (`>=4.35.2,<5.0.0`, `^2.0`), else the PEP 440 form. */
export function writtenSpecifier(dep: Dependency): string {
  const { span, specifierSpan } = dep;
  if (
    specifierSpan.start >= span.start &&
    specifierSpan.end <= span.start + dep.text.length &&
    specifierSpan.end > specifierSpan.start
  ) {
    const written = dep.text.slice(specifierSpan.start - span.start, specifierSpan.end - span.start).trim();
    if (written) return written;
  }
  return dep.specifierUnknown ? '' : dep.specifier;
}

/** At most this many related locations per finding; the rest are counted in the last one. */
export const MAX_RELATED = 20;

/**
 * Related locations capped at MAX_RELATED, so that what one finding carries stays small however many lines take part.
 */
export function capped(related: RelatedLocation[]): RelatedLocation[] {
  if (related.length <= MAX_RELATED) return related;
  const rest = related.length - (MAX_RELATED - 1);
  const last = related[MAX_RELATED - 1]!;
  return [...related.slice(0, MAX_RELATED - 1), { ...last, message: `${last.message} (and ${rest - 1} more places)` }];
}

/** The hosts of the indexes that could not be asked, for "X could not be reached; it may have this". */
export function unreachableHosts(report: SetIndexReport): string[] {
  const hosts = new Set<string>();
  for (const u of report.unreachable)
    for (const m of u.matchAll(/\b(?:https?|file):\/\/(?:[^@/\s]*@)?([^/\s?#)]+)/g)) hosts.add(m[1]!);
  return [...hosts];
}

/** A sentence for findings made without every configured index: which could not be reached. */
export function unreachableNote(report: SetIndexReport): string {
  const hosts = unreachableHosts(report);
  if (report.unreachable.length === 0) return '';
  const who = hosts.length ? hosts.join(', ') : 'an index';
  return ` (${who} could not be reached; it may have changed this.)`;
}
