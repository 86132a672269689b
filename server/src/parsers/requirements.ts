// Parses pip requirements and constraints files (pip 23.2.1's grammar) into the model, and follows their -r/-c
// includes.
// The grammar's parts: req-text (mapped text), req-lines (logical lines, comments, ${VAR}), req-options
// (shlex and optparse), req-links and req-constructors (URLs, paths, editables); this module joins them and reads
// include trees.
import * as nodePath from 'node:path';
import { withPlacesIn } from '../model/finding';
import type { Dependency, FileOption, Finding, Include, ParsedFile, Span } from '../model/types';
import {
  addFinding,
  MAX_FINDINGS_PER_FILE,
  parseEditable,
  parseRequirementArgs,
  resolvePath,
  syntaxFinding,
  type FileContext,
} from './req-constructors';
import { expandEnv, logicalLines } from './req-lines';
import { OptionError, parseOptions, PER_REQUIREMENT, shlexSplit, type OptionUse } from './req-options';
import { MappedText } from './req-text';

/** How to parse one requirements file. */
export interface RequirementsParseOptions {
  /** `constraints` for a file named by `-c` (or PIP_CONSTRAINT): its entries get kind `constraint`. */
  kind: 'requirements' | 'constraints';
  /** Variables for `${VAR}` expansion; `process.env` when absent. */
  env?: Record<string, string | undefined>;
  /**
   * Whether an absolute path is an existing directory. pip decides by looking at the disk whether a
   * path-like line (`./pkg`, `-e ../lib`) is a local project; when this is absent, a path-like entry that
   * is not a valid PEP 508 requirement is taken to be a local project directory.
   */
  isDirectory?: (absPath: string) => boolean;
}

/**
 * Parses one pip requirements or constraints file (pip 23.2.1's grammar: logical lines joined across
 * `\`, `#` comments, `${VAR}` expansion, options, PEP 508 lines, URLs, paths and editables).
 * Never throws: what pip would reject becomes a `syntax` finding at the fault and the rest still parses.
 * Includes are listed, not read (see {@link loadRequirementsTree}).
 *
 * Model conventions: `FileOption.name` and `Dependency.options` use pip's long option names
 * (`--index-url`, `--hash=sha256:...`); a dependency pip cannot name before building it (a URL without
 * `#egg=`, a local directory or sdist) has name `''`; local paths are resolved against the file's folder.
 */
export function parseRequirementsFile(
  path: string,
  text: string,
  opts: RequirementsParseOptions,
  previous?: ParsedFile,
): ParsedFile {
  const bad = text.indexOf('\ufffd');
  const nul = bad >= 0 ? -1 : text.indexOf('\0');
  if (previous && bad < 0 && nul < 0) {
    const again = reparse(previous, path, text, opts);
    if (again) return again;
  }
  const lines: LineRecord[] = [];
  const read = parseRequirementsSource(path, text, MappedText.fromFile(text, 0, text.length), {
    ...opts,
    lines,
    // pip stops at the first byte it cannot decode, so nothing after it is worth a finding of its own.
    stopAt:
      bad >= 0
        ? {
            span: { start: bad, end: bad + 1 },
            message: 'The file is not valid UTF-8 text (pip cannot decode it); nothing else in it was read.',
          }
        : nul >= 0
          ? {
              span: { start: nul, end: nul + 1 },
              message:
                'The file contains NUL characters: it looks like a binary ' +
                'file, not a requirements file; nothing else in it was read.',
            }
          : undefined,
  });
  const parsed: ParsedFile = { path, kind: opts.kind, text, ...read };
  if (bad < 0 && nul < 0 && !opts.isDirectory) layouts.set(parsed, { opts, lines });
  return parsed;
}

/** What one logical line of a parse added: its extent in the file, and how many entries of each list. */
interface LineRecord {
  start: number;
  end: number;
  dependencies: number;
  includes: number;
  options: number;
  /** Its syntax findings (a line's findings lie within it and depend on nothing else but the file's count cap). */
  findings: number;
}

/** How a file parse was made, line by line: what {@link reparse} reuses of it. */
const layouts = new WeakMap<ParsedFile, { opts: RequirementsParseOptions; lines: LineRecord[] }>();

/**
 * The parse of `text` made from `previous`, the parse of an earlier text of the same file with the same options:
 * only the logical lines around the part that changed are parsed again; the entries of the lines before it are
 * reused as they are, those after it moved by the change in length, syntax findings included. Undefined where that
 * cannot be done (another file or options, a text pip cannot decode, findings near the file's cap): the caller parses
 * the whole text.
 */
function reparse(
  previous: ParsedFile,
  path: string,
  text: string,
  opts: RequirementsParseOptions,
): ParsedFile | undefined {
  const layout = layouts.get(previous);
  if (!layout || previous.path !== path) return undefined;
  const was = layout.opts;
  if (was.kind !== opts.kind || was.env !== opts.env || opts.isDirectory) return undefined;
  const old = previous.text;
  if (old === text) return previous;
  // The common start and end of the two texts; the window between them, widened to whole logical lines, is parsed.
  const shortest = Math.min(old.length, text.length);
  const prefix = commonStart(old, text, shortest);
  const suffix = commonEnd(old, text, shortest - prefix);
  const from = windowStart(old, prefix);
  const oldEnd = windowEnd(old, old.length - suffix);
  // A byte-order mark is only skipped at the very start of a text: a window may not begin at one.
  if (from > 0 && text.charCodeAt(from) === 0xfeff) return undefined;
  const delta = text.length - old.length;
  const end = oldEnd + delta;
  // The lines before the window and those after it (the records are in text order), and what each group holds.
  const records = layout.lines;
  const firstAfter = firstStartingAt(records, oldEnd);
  const lastBefore = firstStartingAt(records, from);
  const before = entriesOf(records, 0, lastBefore);
  const after = entriesOf(records, firstAfter, records.length);
  const lines: LineRecord[] = [];
  const read = parseRequirementsSource(path, text, MappedText.fromFile(text, from, end), { ...opts, lines });
  // Past the cap on a file's findings, which lines are reported depends on the count before them: a whole parse.
  if (previous.findings.length + read.findings.length >= MAX_FINDINGS_PER_FILE) return undefined;
  /** The entries of the lines before the window as they were, those read now, then those after it moved. */
  const join = <T>(
    list: readonly T[],
    headCount: number,
    fresh: readonly T[],
    tailCount: number,
    move: (x: T) => T,
  ) => {
    const out = list.slice(0, headCount);
    for (const x of fresh) out.push(x);
    for (let i = list.length - tailCount; i < list.length; i++) out.push(delta ? move(list[i]!) : list[i]!);
    return out;
  };
  const parsed: ParsedFile = {
    path,
    kind: opts.kind,
    text,
    dependencies: join(previous.dependencies, before.dependencies, read.dependencies, after.dependencies, (d) =>
      shiftDependency(d, delta),
    ),
    includes: join(previous.includes, before.includes, read.includes, after.includes, (i) => ({
      ...i,
      span: shift(i.span, delta),
    })),
    options: join(previous.options, before.options, read.options, after.options, (o) => ({
      ...o,
      span: shift(o.span, delta),
    })),
    findings: join(previous.findings, before.findings, read.findings, after.findings, (f) =>
      withPlacesIn(f, path, (s) => shift(s, delta))!,
    ),
  };
  edits.set(parsed, {
    previous,
    from,
    oldEnd,
    delta,
    sameLines: newlines(old, from, oldEnd) === newlines(text, from, end),
    optionsKept: sameOptions(
      previous.options.slice(before.options, previous.options.length - after.options),
      read.options,
    ),
    removed: { start: before.dependencies, end: previous.dependencies.length - after.dependencies },
    added: { start: before.dependencies, end: before.dependencies + read.dependencies.length },
  });
  layouts.set(parsed, {
    opts,
    lines: join(records, lastBefore, lines, records.length - firstAfter, (l) => ({
      ...l,
      start: l.start + delta,
      end: l.end + delta,
    })),
  });
  return parsed;
}

/**
 * How a parse made by {@link reparse} differs from the parse it was made from: the logical lines from `from` to
 * `oldEnd` of the earlier text were parsed again, and everything after them moved by `delta`.
 */
export interface RequirementsEdit {
  previous: ParsedFile;
  /** Where the lines parsed again start (the same offset in both texts). */
  from: number;
  /** Where they ended in the earlier text; what followed starts at `oldEnd + delta` now. */
  oldEnd: number;
  delta: number;
  /** Whether those lines hold as many line breaks as before (the line of every other entry is unchanged). */
  sameLines: boolean;
  /** Whether those lines hold the same options as before (names and values, in order). */
  optionsKept: boolean;
  /** The indexes of `previous.dependencies` that those lines held. */
  removed: { start: number; end: number };
  /** The indexes of the new parse's dependencies that they hold now. */
  added: { start: number; end: number };
}

const edits = new WeakMap<ParsedFile, RequirementsEdit>();

/** How `file` was made from an earlier parse of the same file by {@link reparse}; undefined for a whole parse. */
export function requirementsEdit(file: ParsedFile): RequirementsEdit | undefined {
  return edits.get(file);
}

function sameOptions(a: readonly FileOption[], b: readonly FileOption[]): boolean {
  return a.length === b.length && a.every((o, i) => o.name === b[i]!.name && o.value === b[i]!.value);
}

/**
 * The line breaks the text holds from `start` to `end`: `\n` characters, and breaks as an editor counts them (`\r\n`
 * once, a lone `\r` too).
 */
function newlines(text: string, start: number, end: number): string {
  let lf = 0;
  let breaks = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lf++;
      breaks++;
    } else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10 && i + 1 < end) {
        lf++;
        i++;
      }
      breaks++;
    }
  }
  return `${lf}:${breaks}`;
}

/** The index of the first record that starts at or after `at` (the records are in text order). */
function firstStartingAt(records: readonly LineRecord[], at: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many entries of each list the records from `from` to `to` (exclusive) added. */
function entriesOf(
  records: readonly LineRecord[],
  from: number,
  to: number,
): { dependencies: number; includes: number; options: number; findings: number } {
  const n = { dependencies: 0, includes: 0, options: 0, findings: 0 };
  for (let i = from; i < to; i++) {
    const r = records[i]!;
    n.dependencies += r.dependencies;
    n.includes += r.includes;
    n.options += r.options;
    n.findings += r.findings;
  }
  return n;
}

/** Characters compared at once by {@link commonStart} and {@link commonEnd}: slices compare natively, much faster. */
const BLOCK = 256;

/** How many characters `a` and `b` have in common at their start, at most `max`. */
function commonStart(a: string, b: string, max: number): number {
  let n = 0;
  while (n + BLOCK <= max && a.slice(n, n + BLOCK) === b.slice(n, n + BLOCK)) n += BLOCK;
  while (n < max && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  return n;
}

/** How many characters `a` and `b` have in common at their end, at most `max`. */
function commonEnd(a: string, b: string, max: number): number {
  let n = 0;
  while (
    n + BLOCK <= max &&
    a.slice(a.length - n - BLOCK, a.length - n) === b.slice(b.length - n - BLOCK, b.length - n)
  )
    n += BLOCK;
  while (n < max && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}

/**
 * Where a logical line starts at or before `at`: after a `\n` whose physical line does not end in a backslash (so
 * does not continue into the next), or the start of the text. The text before `at` is the same in both texts.
 */
function windowStart(text: string, at: number): number {
  // (lastIndexOf reads a negative position as 0, where a `\n` at 0 would be found.)
  let nl = at > 0 ? text.lastIndexOf('\n', at - 1) : -1;
  while (nl >= 0 && endsInBackslash(text, nl)) nl = nl === 0 ? -1 : text.lastIndexOf('\n', nl - 1);
  return nl + 1;
}

/**
 * Where a logical line starts at or after `at` (the start of the common end of both texts): after a `\n` whose
 * physical line ends in the common part too and not in a backslash; the end of the text where there is none.
 */
function windowEnd(text: string, at: number): number {
  for (let nl = text.indexOf('\n', at); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    const last = text.charCodeAt(nl - 1) === 13 ? nl - 2 : nl - 1;
    if (last >= at && !endsInBackslash(text, nl)) return nl + 1;
  }
  return text.length;
}

/** Whether the physical line that the `\n` at `nl` ends (a `\r\n` counted as one break) ends in a backslash. */
function endsInBackslash(text: string, nl: number): boolean {
  const last = text.charCodeAt(nl - 1) === 13 ? nl - 2 : nl - 1;
  return last >= 0 && text.charCodeAt(last) === 92;
}

/** What {@link parseRequirementsSource} reads: the parts of a ParsedFile a requirements text fills. */
export type RequirementsRead = Pick<ParsedFile, 'dependencies' | 'includes' | 'options' | 'findings'>;

/**
 * Parses `source`, a text pip reads as a requirements file, whose characters map onto `fileText` (the
 * file that holds it, where spans point): a whole requirements file, or the `pip:` items of an
 * environment.yml joined by newlines as conda writes them for pip. Local paths resolve against
 * `path`'s folder. `section` becomes each entry's Dependency.section; `stopAt`, when given, is the one
 * finding made and nothing is read (text pip cannot decode).
 */
export function parseRequirementsSource(
  path: string,
  fileText: string,
  source: MappedText,
  opts: RequirementsParseOptions & {
    section?: string | null;
    stopAt?: { span: Span; message: string } | undefined;
    /** When given, what each logical line added is recorded there (for a later {@link reparse}). */
    lines?: LineRecord[];
  },
): RequirementsRead {
  const ctx: FileContext = {
    path,
    dir: nodePath.dirname(path),
    kind: opts.kind,
    section: opts.section ?? null,
    fileText,
    isDirectory: opts.isDirectory,
    dependencies: [],
    includes: [],
    options: [],
    findings: [],
    overflow: false,
  };
  const env = opts.env ?? process.env;
  if (opts.stopAt) addFinding(ctx, opts.stopAt.span, opts.stopAt.message);
  // Lines read from the disk (isDirectory) are parsed each time: a folder may appear or go between two parses.
  let askedDisk = false;
  if (opts.isDirectory) {
    const isDirectory = opts.isDirectory;
    ctx.isDirectory = (p) => {
      askedDisk = true;
      return isDirectory(p);
    };
  }
  // Whether the disk is asked decides what a path-like line is: parses with and without it keep apart.
  const memo = linesOf(`${path}\0${opts.kind}\0${opts.section ?? ''}\0${opts.isDirectory ? 'disk' : ''}`);
  for (const logical of opts.stopAt ? [] : logicalLines(source)) {
    const counts = [ctx.dependencies.length, ctx.includes.length, ctx.options.length, ctx.findings.length] as const;
    try {
      const start = logical.text.fileStart;
      // A line that is one piece of the file, with no ${VAR}, reads the same wherever it is: its last parse is reused.
      const key = start >= 0 && !logical.text.text.includes('${') ? logical.text.text : null;
      const known = key === null ? undefined : memo.get(key);
      if (known) {
        replayLine(ctx, known, start);
        continue;
      }
      const expanded = expandEnv(logical.text, env);
      if (expanded.error) {
        addFinding(ctx, logical.extent, expanded.error);
        continue;
      }
      const before = [ctx.dependencies.length, ctx.includes.length, ctx.options.length, ctx.findings.length] as const;
      askedDisk = false;
      parseLine(ctx, expanded.text);
      if (expanded.text !== logical.text)
        keepUrlsAsWritten(ctx, expanded.text, { deps: before[0], options: before[2] });
      if (key !== null && !askedDisk && !ctx.overflow && ctx.findings.length === before[3])
        rememberLine(memo, key, {
          dependencies: ctx.dependencies.slice(before[0]).map((d) => shiftDependency(d, -start)),
          includes: ctx.includes.slice(before[1]).map((i) => ({ ...i, span: shift(i.span, -start) })),
          options: ctx.options.slice(before[2]).map((o) => ({ ...o, span: shift(o.span, -start) })),
        });
    } catch (e) {
      if (e instanceof RangeError) addFinding(ctx, logical.extent, 'This line is too large to parse.');
      else throw e;
    } finally {
      opts.lines?.push({
        start: logical.extent.start,
        end: logical.extent.end,
        dependencies: ctx.dependencies.length - counts[0],
        includes: ctx.includes.length - counts[1],
        options: ctx.options.length - counts[2],
        findings: ctx.findings.length - counts[3],
      });
    }
  }
  return { dependencies: ctx.dependencies, includes: ctx.includes, options: ctx.options, findings: ctx.findings };
}

/**
 * The URLs of the entries and options a line just added, as written: `${VAR}` kept, so that no expanded value is
 * shown, and so that the request layer expands it only where the URL's origin allows. `file:` URLs and paths (which
 * decide how files join and which folders are read) keep pip's expanded form.
 */
function keepUrlsAsWritten(ctx: FileContext, line: MappedText, before: { deps: number; options: number }): void {
  const written = (value: string): string => {
    if (/^file:/i.test(value) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
    const at = line.text.indexOf(value);
    return at < 0 ? value : line.slice(at, at + value.length).asWritten(ctx.fileText);
  };
  for (const d of ctx.dependencies.slice(before.deps)) if (d.url) d.url = written(d.url);
  for (const o of ctx.options.slice(before.options)) if (o.value) o.value = written(o.value);
}

/** What one logical line adds to a file, with spans relative to the line's first character. */
interface LineRead {
  dependencies: Dependency[];
  includes: Include[];
  options: FileOption[];
}

/**
 * The last parse of each line text (per file, kind and section) that made no finding and asked nothing of the disk:
 * an edit re-parses the file, and all but the edited lines are lines seen before. Bounded; cleared when full.
 */
const lineMemo = new Map<string, Map<string, LineRead>>();
let lineMemoSize = 0;
const LINE_MEMO_MAX = 50_000;

function linesOf(context: string): Map<string, LineRead> {
  let m = lineMemo.get(context);
  if (!m) lineMemo.set(context, (m = new Map()));
  return m;
}

function rememberLine(memo: Map<string, LineRead>, text: string, read: LineRead): void {
  if (lineMemoSize >= LINE_MEMO_MAX) {
    for (const m of lineMemo.values()) m.clear();
    lineMemo.clear();
    lineMemoSize = 0;
  }
  memo.set(text, read);
  lineMemoSize++;
}

function shift(s: Span, by: number): Span {
  return { start: s.start + by, end: s.end + by };
}

function shiftDependency(d: Dependency, by: number): Dependency {
  return {
    ...d,
    span: shift(d.span, by),
    nameSpan: shift(d.nameSpan, by),
    specifierSpan: shift(d.specifierSpan, by),
  };
}

/** A remembered line's entries, placed at `start`. */
function replayLine(ctx: FileContext, read: LineRead, start: number): void {
  for (const d of read.dependencies) ctx.dependencies.push(shiftDependency(d, start));
  for (const i of read.includes) ctx.includes.push({ ...i, span: shift(i.span, start) });
  for (const o of read.options) ctx.options.push({ ...o, span: shift(o.span, start) });
}

/** One logical line: pip's break_args_options, then options, then the requirement or the option line. */
function parseLine(ctx: FileContext, line: MappedText): void {
  const t = line.text;
  // Tokens are cut on ' ' only; the arguments end before the first token that starts with '-'.
  let argsEnd = t.length;
  let optsStart = t.length;
  for (let i = 0; i < t.length;) {
    if (t.charCodeAt(i) === 45) {
      argsEnd = Math.max(0, i - 1);
      optsStart = i;
      break;
    }
    const sp = t.indexOf(' ', i);
    if (sp < 0) break;
    i = sp + 1;
  }
  let uses: OptionUse[];
  try {
    uses = parseOptions(shlexSplit(t.slice(optsStart), optsStart));
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    const msg =
      e.message === 'No closing quotation' || e.message === 'No escaped character'
        ? `Could not split options: ${e.message}`
        : e.message;
    addFinding(ctx, line.span(e.start, e.end), msg);
    return;
  }
  const args = line.slice(0, argsEnd);
  if (args.length > 0) {
    requirementLineOptions(ctx, line, uses);
    const reqOptions = uses
      .filter((u) => PER_REQUIREMENT.has(u.def.dest))
      .map((u) => `${u.def.canonical}=${u.value ?? ''}`);
    parseRequirementArgs(ctx, args, reqOptions);
    return;
  }
  const editable = uses.find((u) => u.def.dest === 'editables');
  if (editable) {
    parseEditable(ctx, line.slice(editable.valueStart, editable.valueEnd), editable.value ?? '');
    return;
  }
  const include = uses.find((u) => u.def.dest === 'requirements') ?? uses.find((u) => u.def.dest === 'constraints');
  if (include) {
    const target = include.value ?? '';
    const url = /^(http|https|file):/i.test(target);
    ctx.includes.push({
      kind: include.def.dest === 'constraints' ? 'constraints' : 'requirements',
      target,
      resolved: url ? null : resolvePath(ctx, target),
      span: line.span(include.start, include.end),
    });
    return;
  }
  for (const u of uses) {
    if (PER_REQUIREMENT.has(u.def.dest)) continue; // pip warns and ignores a --hash with no requirement
    ctx.options.push({ name: u.def.canonical, value: u.value, span: line.span(u.start, u.end) });
  }
}

/**
 * The options of a requirement line that are not the requirement's own. pip 23.2 parses them (so they are no syntax
 * error) but applies only --hash, --config-settings and --global-option to the requirement; of the others, the format
 * options (--no-binary, --only-binary) still change the whole run, because every line is parsed with the finder's
 * format control, and the rest (--pre, --index-url, --find-links, -r, ...) are dropped without a word.
 */
function requirementLineOptions(ctx: FileContext, line: MappedText, uses: readonly OptionUse[]): void {
  for (const u of uses) {
    if (PER_REQUIREMENT.has(u.def.dest)) continue;
    const span = line.span(u.start, u.end);
    if (u.def.dest === 'format_control') {
      ctx.options.push({ name: u.def.canonical, value: u.value, span });
      continue;
    }
    addFinding(
      ctx,
      span,
      `pip ignores ${u.def.canonical} on a requirement line: there it applies only --hash, --config-settings ` +
        `and --global-option, so this changes nothing (on a line of its own it would apply to the whole file).`,
      'warning',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Include trees.

/**
 * Parses a root requirements (or constraints) file and every file it names with `-r`/`-c`, read
 * through `read` (undefined: unreadable) and resolved against the including file's folder. As in pip,
 * a file named by `-c` is a constraints file and a file named by `-r` a requirements file (pip 23.2.1
 * parses `-r` targets as requirements even inside a constraints file). Each (path, kind) is parsed
 * once. `findings` holds the tree's own problems, each at the `-r`/`-c` that causes it: an unreadable
 * include and an include cycle; each file's syntax findings stay on its ParsedFile. URL includes are
 * not fetched. `parse`, when given, parses each file instead of {@link parseRequirementsFile} (a cache).
 */
export function loadRequirementsTree(
  rootPath: string,
  rootText: string,
  opts: RequirementsParseOptions & {
    read: (absPath: string) => string | undefined;
    parse?: (absPath: string, text: string, kind: 'requirements' | 'constraints') => ParsedFile;
  },
): { files: ParsedFile[]; findings: Finding[] } {
  const files: ParsedFile[] = [];
  const findings: Finding[] = [];
  const done = new Map<string, ParsedFile>();
  const onStack: string[] = [];
  const key = (p: string, kind: string): string => `${kind}\0${nodePath.resolve(p)}`;
  // An explicit stack keeps deep include chains from overflowing the call stack.
  type Frame = { file: ParsedFile; next: number };
  const open = (path: string, text: string, kind: 'requirements' | 'constraints'): Frame => {
    const file = opts.parse ? opts.parse(path, text, kind) : parseRequirementsFile(path, text, { ...opts, kind });
    files.push(file);
    done.set(key(path, kind), file);
    onStack.push(key(path, kind));
    return { file, next: 0 };
  };
  const stack: Frame[] = [open(rootPath, rootText, opts.kind)];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const inc = top.file.includes[top.next++];
    if (!inc) {
      stack.pop();
      onStack.pop();
      continue;
    }
    if (inc.resolved === null) continue;
    const k = key(inc.resolved, inc.kind);
    const cycleAt = onStack.indexOf(k);
    if (cycleAt >= 0) {
      const chain = [...stack.slice(cycleAt).map((f) => f.file.path), inc.resolved];
      findings.push(
        syntaxFinding(
          top.file.path,
          inc.span,
          `Include cycle: ${chain.map((p) => nodePath.basename(p)).join(' -> ')} (pip would recurse forever).`,
        ),
      );
      continue;
    }
    if (done.has(k)) continue;
    const text = opts.read(inc.resolved);
    if (text === undefined) {
      findings.push(syntaxFinding(top.file.path, inc.span, `Could not open requirements file: ${inc.resolved}`));
      continue;
    }
    stack.push(open(inc.resolved, text, inc.kind));
  }
  return { files, findings };
}
