// Text edits the fixes share: where an entry sits in its file, how to remove it cleanly, how to write a merged requirement.
import type { Dependency, ParsedFile, Span } from '../model/types';
import { LineIndex } from '../model/text';
import { simplifySpecifiers } from '../pep/simplify';

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

/** True when the entry's specifier is written in PEP 440 (not a conda spec or a Poetry constraint), so a fix may rewrite it. */
export function hasPep440Text(dep: Dependency): boolean {
  return dep.kind !== 'conda' && !dep.specifierUnknown && dep.url === null && !(dep.section ?? '').startsWith('tool.poetry');
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
  const standsAlone = /^\s*(-\s+)?$/.test(before) && (/^\s*,?\s*(#.*)?\r?$/.test(after) || /^\s+--?[a-z]/.test(after) || after.trim() === '');
  if (standsAlone) return { start: lineStart, end: lineEnd < text.length ? lineEnd + 1 : lineEnd };
  const forward = /^\s*,[ \t]*/.exec(text.slice(end, lineEnd));
  if (forward) return { start, end: end + forward[0].length };
  let back = start - 1;
  while (back >= 0 && /\s/.test(text[back]!)) back--;
  if (text[back] === ',') return { start: back, end };
  return { start, end };
}
