// pip's logical lines: physical lines as str.splitlines() cuts them, joined across `\`, comments cut, `${VAR}`
// expanded.
import type { Span } from '../model/types';
import { isPyLineBreak, isPySpace, MappedText } from './req-text';

/** Physical lines as str.splitlines() cuts them: [start, end) of each line's content, and its number. */
function physicalLines(text: string, from: number): Array<[number, number]> {
  const lines: Array<[number, number]> = [];
  let start = from;
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isPyLineBreak(c)) {
      lines.push([start, i]);
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      start = i;
    } else i++;
  }
  if (start < n) lines.push([start, n]);
  return lines;
}

/** pip's COMMENT_RE.match: the first non-whitespace character is `#`. */
function isCommentLine(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && isPySpace(text.charCodeAt(i))) i++;
  return i < end && text.charCodeAt(i) === 35;
}

/** Where pip's COMMENT_RE.sub cuts the line: `#` at the start, or after a run of whitespace. */
function commentCut(text: string): number {
  if (text.charCodeAt(0) === 35) return 0;
  let runStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isPySpace(c)) {
      if (runStart < 0) runStart = i;
    } else {
      if (c === 35 && runStart >= 0) return runStart;
      runStart = -1;
    }
  }
  return text.length;
}

/** One logical line: what pip's preprocess() yields, with its 1-based primary line number. */
export interface LogicalLine {
  line: number;
  text: MappedText;
  /** File span of the physical lines that make it up (for findings about the whole line). */
  extent: Span;
}

/**
 * pip's join_lines + ignore_comments: logical lines with comments removed, stripped, empty ones dropped.
 * `source` is the text pip reads (a whole requirements file, or the `pip:` items of an environment.yml
 * joined by newlines as conda writes them), mapped onto the file it came from.
 */
export function logicalLines(source: MappedText): LogicalLine[] {
  const text = source.text;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const phys = physicalLines(text, start);
  const out: LogicalLine[] = [];
  let pending: MappedText[] = [];
  let primary = 0;
  let pendingStart = 0;
  const extentEnd = (s: number, e: number): number => (e > s ? source.span(s, e).end : source.offsetAt(s));
  const emit = (parts: MappedText[], line: number, extent: Span): void => {
    const joined = MappedText.concat(parts);
    let cut = commentCut(joined.text);
    let lo = 0;
    while (lo < cut && isPySpace(joined.text.charCodeAt(lo))) lo++;
    while (cut > lo && isPySpace(joined.text.charCodeAt(cut - 1))) cut--;
    if (cut > lo) out.push({ line, text: joined.slice(lo, cut), extent });
  };
  for (let k = 0; k < phys.length; k++) {
    const [s, e] = phys[k]!;
    const comment = isCommentLine(text, s, e);
    if (!(e > s && text.charCodeAt(e - 1) === 92) || comment) {
      // pip prepends a space to comment lines so that, joined to a continued line, they stay comments.
      const at = source.offsetAt(s);
      const parts = comment ? [MappedText.synthetic(' ', at, at), source.slice(s, e)] : [source.slice(s, e)];
      if (pending.length) {
        emit([...pending, ...parts], primary, { start: pendingStart, end: extentEnd(s, e) });
        pending = [];
      } else emit(parts, k + 1, { start: at, end: extentEnd(s, e) });
    } else {
      // line.strip("\\"): every backslash at either end goes.
      let a = s;
      let b = e;
      while (a < b && text.charCodeAt(a) === 92) a++;
      while (b > a && text.charCodeAt(b - 1) === 92) b--;
      if (!pending.length) {
        primary = k + 1;
        pendingStart = source.offsetAt(s);
      }
      pending.push(source.slice(a, b));
    }
  }
  if (pending.length) emit(pending, primary, { start: pendingStart, end: pending[pending.length - 1]!.endOffset });
  return out;
}

// ---------------------------------------------------------------------------------------------
// ${VAR} expansion, as pip's expand_env_variables does it.

const ENV_VAR_RE = /\$\{([A-Z0-9_]+)\}/g;

/** Replaces every `${name}` in `t` with `value`; null when there is none. */
function replaceAll(t: MappedText, name: string, value: string): MappedText | null {
  const needle = '${' + name + '}';
  let i = t.text.indexOf(needle);
  if (i < 0) return null;
  const parts: MappedText[] = [];
  let last = 0;
  while (i >= 0) {
    parts.push(t.slice(last, i));
    const sp = t.span(i, i + needle.length);
    parts.push(MappedText.synthetic(value, sp.start, sp.end));
    last = i + needle.length;
    i = t.text.indexOf(needle, last);
  }
  parts.push(t.slice(last));
  return MappedText.concat(parts);
}

/**
 * pip takes the `${NAME}` occurrences of the line in order and, for each whose variable is set and
 * non-empty, replaces every occurrence in the current line. A repeat of a name is a no-op unless some
 * replacement happened since that name was last replaced; skipping those keeps this linear on hostile
 * lines while giving pip's result. Work beyond a budget stops with an error (a runaway expansion).
 */
export function expandEnv(
  t: MappedText,
  env: Record<string, string | undefined>,
): { text: MappedText; error?: string } {
  const names: string[] = [];
  ENV_VAR_RE.lastIndex = 0;
  for (let m = ENV_VAR_RE.exec(t.text); m; m = ENV_VAR_RE.exec(t.text)) names.push(m[1]!);
  if (!names.length) return { text: t };
  const lastDone = new Map<string, number>();
  let replacements = 0;
  let work = 0;
  const budget = 64 * t.length + 1_000_000;
  let cur = t;
  for (const name of names) {
    const value = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
    if (!value) continue;
    const done = lastDone.get(name);
    if (done !== undefined && done === replacements) continue;
    work += cur.length;
    if (work > budget) return { text: cur, error: 'environment variable expansion grows without bound' };
    const next = replaceAll(cur, name, value);
    if (next) {
      cur = next;
      replacements++;
    }
    lastDone.set(name, replacements);
  }
  return { text: cur };
}
