// Parses pip requirements and constraints files (pip 23.2.1's grammar) into the model, and follows their -r/-c includes.
import * as nodePath from 'node:path';
import type { Dependency, FileOption, Finding, Include, ParsedFile, Span } from '../model/types';
import { parseRequirement, RequirementError, type ParsedRequirement } from '../pep/requirement';
import { normalizeExtra, parseRequirementEntry } from './requirement-entry';

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

/** Findings after this many in one file collapse into one: junk input must not flood the editor. */
const MAX_FINDINGS_PER_FILE = 200;

// ---------------------------------------------------------------------------------------------
// Text that remembers where each of its characters came from in the file.

/**
 * A string derived from the file text (lines joined across `\`, comments cut, `${VAR}` expanded),
 * with, for each character, the file offsets it covers: `starts[i]`..`ends[i]`. Text inserted by an
 * expansion covers the whole `${VAR}` it replaced.
 */
class MappedText {
  /**
   * `base` >= 0: the text is the file's own characters from `base` on (the common case: no continuation, no
   * expansion), and no per-character arrays are kept. Otherwise `st`/`en` hold each character's file range.
   */
  private constructor(
    readonly text: string,
    private readonly base: number,
    private readonly st: Int32Array | null,
    private readonly en: Int32Array | null,
    /** File offset of the (empty) end of the text. */
    readonly endOffset: number,
  ) {}

  static fromFile(fileText: string, start: number, end: number): MappedText {
    return new MappedText(fileText.slice(start, end), start, null, null, end);
  }

  static concat(parts: MappedText[]): MappedText {
    if (parts.length === 1) return parts[0]!;
    const last = parts[parts.length - 1];
    const text = parts.map((p) => p.text).join('');
    // Contiguous pieces of the file stay an identity mapping.
    if (parts.every((p, k) => p.base >= 0 && (k === 0 || parts[k - 1]!.base + parts[k - 1]!.text.length === p.base))) {
      return new MappedText(text, parts[0]!.base, null, null, last ? last.endOffset : 0);
    }
    const starts = new Int32Array(text.length);
    const ends = new Int32Array(text.length);
    let k = 0;
    for (const p of parts) {
      for (let i = 0; i < p.text.length; i++) {
        starts[k + i] = p.startAt(i);
        ends[k + i] = p.endAt(i);
      }
      k += p.text.length;
    }
    return new MappedText(text, -1, starts, ends, last ? last.endOffset : 0);
  }

  /** Characters that map onto the file range start..end (a synthetic separator, a prepended space). */
  static synthetic(text: string, start: number, end: number): MappedText {
    return new MappedText(text, -1, new Int32Array(text.length).fill(start), new Int32Array(text.length).fill(end), end);
  }

  /** The same mapping under another text of the same length (e.g. lower-cased). */
  withText(text: string): MappedText {
    return new MappedText(text, this.base, this.st, this.en, this.endOffset);
  }

  get length(): number {
    return this.text.length;
  }

  private startAt(i: number): number {
    return this.st ? this.st[i]! : this.base + i;
  }

  private endAt(i: number): number {
    return this.en ? this.en[i]! : this.base + i + 1;
  }

  /** File offset where the character at index i starts (the end offset for i >= length). */
  offsetAt(i: number): number {
    return i < this.text.length ? this.startAt(i) : this.endOffset;
  }

  slice(a: number, b: number = this.text.length): MappedText {
    const lo = Math.max(0, Math.min(a, this.text.length));
    const hi = Math.max(lo, Math.min(b, this.text.length));
    if (!this.st) return new MappedText(this.text.slice(lo, hi), this.base + lo, null, null, this.offsetAt(hi));
    return new MappedText(this.text.slice(lo, hi), -1, this.st.subarray(lo, hi), this.en!.subarray(lo, hi), this.offsetAt(hi));
  }

  /** The file span covered by text indices a..b. */
  span(a: number, b: number): Span {
    const lo = Math.max(0, Math.min(a, this.text.length));
    const hi = Math.max(lo, Math.min(b, this.text.length));
    if (hi === lo) {
      const o = this.offsetAt(lo);
      return { start: o, end: o };
    }
    return { start: this.startAt(lo), end: Math.max(this.startAt(lo), this.endAt(hi - 1)) };
  }

  /** Maps a span of `text` (as offsets into it) back to the file. */
  mapSpan(s: Span): Span {
    return this.span(s.start, s.end);
  }
}

// ---------------------------------------------------------------------------------------------
// Python's notion of whitespace and line breaks (str.isspace, re's \s, str.splitlines).

function isPySpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    (c >= 0x1c && c <= 0x20) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

function isPyLineBreak(c: number): boolean {
  return (c >= 10 && c <= 13) || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x85 || c === 0x2028 || c === 0x2029;
}

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
interface LogicalLine {
  line: number;
  text: MappedText;
  /** File span of the physical lines that make it up (for findings about the whole line). */
  extent: Span;
}

/** pip's join_lines + ignore_comments: logical lines with comments removed, stripped, empty ones dropped. */
function logicalLines(fileText: string): LogicalLine[] {
  const start = fileText.charCodeAt(0) === 0xfeff ? 1 : 0;
  const phys = physicalLines(fileText, start);
  const out: LogicalLine[] = [];
  let pending: MappedText[] = [];
  let primary = 0;
  let pendingStart = 0;
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
    const comment = isCommentLine(fileText, s, e);
    if (!(e > s && fileText.charCodeAt(e - 1) === 92) || comment) {
      // pip prepends a space to comment lines so that, joined to a continued line, they stay comments.
      const parts = comment ? [MappedText.synthetic(' ', s, s), MappedText.fromFile(fileText, s, e)] : [MappedText.fromFile(fileText, s, e)];
      if (pending.length) {
        emit([...pending, ...parts], primary, { start: pendingStart, end: e });
        pending = [];
      } else emit(parts, k + 1, { start: s, end: e });
    } else {
      // line.strip("\\"): every backslash at either end goes.
      let a = s;
      let b = e;
      while (a < b && fileText.charCodeAt(a) === 92) a++;
      while (b > a && fileText.charCodeAt(b - 1) === 92) b--;
      if (!pending.length) {
        primary = k + 1;
        pendingStart = s;
      }
      pending.push(MappedText.fromFile(fileText, a, b));
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
function expandEnv(t: MappedText, env: Record<string, string | undefined>): { text: MappedText; error?: string } {
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

// ---------------------------------------------------------------------------------------------
// Options: shlex.split in POSIX mode, then optparse as pip configures it.

/** A shell word of the options part: its value, and for each value character its index in the line. */
interface Word {
  value: string;
  idx: number[];
  /** Raw extent in the line, quotes included. */
  start: number;
  end: number;
}

class OptionError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/** shlex.split(s) (posix=True, whitespace_split=True, no comments), keeping positions; `base` is s's index in the line. */
function shlexSplit(s: string, base: number): Word[] {
  const words: Word[] = [];
  const ws = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && ws(s[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let value = '';
    const idx: number[] = [];
    let quoted = false;
    while (i < n && !ws(s[i]!)) {
      const c = s[i]!;
      if (c === '\\') {
        if (i + 1 >= n) throw new OptionError('No escaped character', base + i, base + n);
        value += s[i + 1]!;
        idx.push(base + i + 1);
        i += 2;
      } else if (c === "'" || c === '"') {
        quoted = true;
        const q = c;
        const open = i;
        i++;
        for (;;) {
          if (i >= n) throw new OptionError('No closing quotation', base + open, base + n);
          const d = s[i]!;
          if (d === q) {
            i++;
            break;
          }
          if (q === '"' && d === '\\') {
            if (i + 1 >= n) throw new OptionError('No escaped character', base + i, base + n);
            const e = s[i + 1]!;
            // In double quotes only the quote and the backslash itself are escaped.
            if (e !== '\\' && e !== '"') {
              value += '\\';
              idx.push(base + i);
            }
            value += e;
            idx.push(base + i + 1);
            i += 2;
            continue;
          }
          value += d;
          idx.push(base + i);
          i++;
        }
      } else {
        value += c;
        idx.push(base + i);
        i++;
      }
    }
    if (value || quoted) words.push({ value, idx, start: base + start, end: base + i });
  }
  return words;
}

/** pip's requirement-file options (SUPPORTED_OPTIONS + SUPPORTED_OPTIONS_REQ). */
interface OptionDef {
  dest: string;
  /** The name the model uses (FileOption.name, Dependency.options). */
  canonical: string;
  names: string[];
  takesValue: boolean;
  choices?: string[];
  check?: (value: string, opt: string) => string | undefined;
}

const STRONG_HASHES = ['sha256', 'sha384', 'sha512'];

const OPTION_DEFS: OptionDef[] = [
  { dest: 'index_url', canonical: '--index-url', names: ['-i', '--index-url', '--pypi-url'], takesValue: true },
  { dest: 'extra_index_urls', canonical: '--extra-index-url', names: ['--extra-index-url'], takesValue: true },
  { dest: 'no_index', canonical: '--no-index', names: ['--no-index'], takesValue: false },
  { dest: 'constraints', canonical: '--constraint', names: ['-c', '--constraint'], takesValue: true },
  { dest: 'requirements', canonical: '--requirement', names: ['-r', '--requirement'], takesValue: true },
  { dest: 'editables', canonical: '--editable', names: ['-e', '--editable'], takesValue: true },
  { dest: 'find_links', canonical: '--find-links', names: ['-f', '--find-links'], takesValue: true },
  { dest: 'format_control', canonical: '--no-binary', names: ['--no-binary'], takesValue: true, check: binaryCheck },
  { dest: 'format_control', canonical: '--only-binary', names: ['--only-binary'], takesValue: true, check: binaryCheck },
  { dest: 'prefer_binary', canonical: '--prefer-binary', names: ['--prefer-binary'], takesValue: false },
  { dest: 'require_hashes', canonical: '--require-hashes', names: ['--require-hashes'], takesValue: false },
  { dest: 'pre', canonical: '--pre', names: ['--pre'], takesValue: false },
  { dest: 'trusted_hosts', canonical: '--trusted-host', names: ['--trusted-host'], takesValue: true },
  {
    dest: 'features_enabled',
    canonical: '--use-feature',
    names: ['--use-feature'],
    takesValue: true,
    choices: ['fast-deps', 'truststore', 'no-binary-enable-wheel-cache'],
  },
  { dest: 'global_options', canonical: '--global-option', names: ['--global-option'], takesValue: true },
  {
    dest: 'hashes',
    canonical: '--hash',
    names: ['--hash'],
    takesValue: true,
    check: (v, opt) => {
      const colon = v.indexOf(':');
      if (colon < 0) return `Arguments to ${opt} must be a hash name followed by a value, like --hash=sha256:abcde...`;
      if (!STRONG_HASHES.includes(v.slice(0, colon))) return `Allowed hash algorithms for ${opt} are ${STRONG_HASHES.join(', ')}.`;
      return undefined;
    },
  },
  {
    dest: 'config_settings',
    canonical: '--config-settings',
    names: ['-C', '--config-settings'],
    takesValue: true,
    check: (v, opt) => (v.includes('=') ? undefined : `Arguments to ${opt} must be of the form KEY=VAL`),
  },
];

function binaryCheck(v: string): string | undefined {
  return v.startsWith('-') ? '--no-binary / --only-binary option requires 1 argument.' : undefined;
}

/** Destinations that apply to the requirement on the same line (SUPPORTED_OPTIONS_REQ). */
const PER_REQUIREMENT = new Set(['global_options', 'hashes', 'config_settings']);

const SHORT_OPTS = new Map<string, OptionDef>();
const LONG_OPTS = new Map<string, OptionDef>();
for (const d of OPTION_DEFS) for (const n of d.names) (n.startsWith('--') ? LONG_OPTS : SHORT_OPTS).set(n, d);
const LONG_NAMES = [...LONG_OPTS.keys()];

/** One option as optparse took it: its definition, the spelling used, its value and where both are. */
interface OptionUse {
  def: OptionDef;
  value: string | null;
  /** Line indices of the option (name and value). */
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
}

/** optparse's _match_abbrev: an exact long option, or the one it uniquely abbreviates. */
function matchLong(opt: string, start: number, end: number): OptionDef {
  const exact = LONG_OPTS.get(opt);
  if (exact) return exact;
  const possible = LONG_NAMES.filter((n) => n.startsWith(opt));
  if (possible.length === 1) return LONG_OPTS.get(possible[0]!)!;
  if (!possible.length) throw new OptionError(`no such option: ${opt}`, start, end);
  possible.sort();
  throw new OptionError(`ambiguous option: ${opt} (${possible.join(', ')}?)`, start, end);
}

function wordValueSpan(w: Word, from: number): [number, number] {
  if (from >= w.value.length) return [w.end, w.end];
  return [w.idx[from]!, w.idx[w.value.length - 1]! + 1];
}

/** optparse's _process_args over the shell words; positional arguments are dropped, as pip drops them. */
function parseOptions(words: Word[]): OptionUse[] {
  const uses: OptionUse[] = [];
  // The next argument: the rest of a word optparse split (`--opt=value`, `-rfile`), else the next word.
  let pending: { w: Word; from: number } | null = null;
  let q = 0;
  const next = (): { w: Word; from: number } | null => {
    if (pending) {
      const p = pending;
      pending = null;
      return p;
    }
    const w = words[q];
    if (!w) return null;
    q++;
    return { w, from: 0 };
  };
  const takeValue = (def: OptionDef, opt: string, optStart: number, optEnd: number): OptionUse => {
    const arg = next();
    if (!arg) throw new OptionError(`${opt} option requires 1 argument`, optStart, optEnd);
    const value = arg.w.value.slice(arg.from);
    const [vs, ve] = arg.from === 0 ? [arg.w.start, arg.w.end] : wordValueSpan(arg.w, arg.from);
    if (def.choices && !def.choices.includes(value)) {
      throw new OptionError(
        `option ${opt}: invalid choice: '${value}' (choose from ${def.choices.map((c) => `'${c}'`).join(', ')})`,
        vs,
        Math.max(ve, vs + 1),
      );
    }
    const problem = def.check?.(value, opt);
    if (problem) throw new OptionError(problem, vs, Math.max(ve, vs + 1));
    return { def, value, start: optStart, end: ve, valueStart: vs, valueEnd: ve };
  };
  for (let cur = next(); cur; cur = next()) {
    const { w, from } = cur;
    const arg = w.value.slice(from);
    const [argStart, argEnd] = from === 0 ? [w.start, w.end] : wordValueSpan(w, from);
    if (arg === '--') return uses;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const opt = eq >= 0 ? arg.slice(0, eq) : arg;
      const optEnd = eq >= 0 ? w.idx[from + eq]! : argEnd;
      if (eq >= 0) pending = { w, from: from + eq + 1 };
      const def = matchLong(opt, argStart, optEnd);
      if (def.takesValue) uses.push(takeValue(def, opt, argStart, optEnd));
      else if (eq >= 0) throw new OptionError(`${opt} option does not take a value`, argStart, argEnd);
      else uses.push({ def, value: null, start: argStart, end: argEnd, valueStart: argEnd, valueEnd: argEnd });
    } else if (arg.startsWith('-') && arg.length > 1) {
      // Every short option pip accepts here takes a value, so the first letter decides.
      const opt = '-' + arg[1]!;
      const optEnd = w.idx[from + 1]! + 1;
      const def = SHORT_OPTS.get(opt);
      if (!def) throw new OptionError(`no such option: ${opt}`, argStart, optEnd);
      if (arg.length > 2) pending = { w, from: from + 2 };
      uses.push(takeValue(def, opt, argStart, optEnd));
    }
  }
  return uses;
}

// ---------------------------------------------------------------------------------------------
// Requirement lines beyond PEP 508: URLs, archives, wheels, local directories, editables.

const VCS_NAMES = ['bzr', 'git', 'hg', 'svn'];
const VCS_SCHEMES = [
  'bzr+http', 'bzr+https', 'bzr+ssh', 'bzr+sftp', 'bzr+ftp', 'bzr+lp', 'bzr+file',
  'git+http', 'git+https', 'git+ssh', 'git+git', 'git+file',
  'hg+file', 'hg+http', 'hg+https', 'hg+ssh', 'hg+static-http',
  'svn+ssh', 'svn+http', 'svn+https', 'svn+svn', 'svn+file',
];
const URL_SCHEMES = new Set(['http', 'https', 'file', 'ftp', ...VCS_SCHEMES]);
const ARCHIVE_EXTENSIONS = ['.zip', '.whl', '.tar.bz2', '.tbz', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma', '.tar.gz', '.tgz', '.tar'];

/** pip's is_url: the part before the first `:` is a scheme pip downloads from. */
function isUrl(s: string): boolean {
  const colon = s.indexOf(':');
  return colon >= 0 && URL_SCHEMES.has(s.slice(0, colon).toLowerCase());
}

/** urllib.parse.urlsplit's scheme, lowercased ('' when there is none). */
function urlScheme(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return m ? m[1]!.toLowerCase() : '';
}

/** urlsplit(url).path, percent-decoded as pip's Link.path does. */
function urlPath(url: string): string {
  let rest = url;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const qm = rest.indexOf('?');
  if (qm >= 0) rest = rest.slice(0, qm);
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash >= 0 ? rest.slice(slash) : '';
  }
  return unquote(rest);
}

function unquote(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return s;
  }
}

/** posixpath.splitext, then pip's: `.tar` joins the extension. */
function splitExt(name: string): [string, string] {
  let dot = name.lastIndexOf('.');
  let lead = 0;
  while (lead < name.length && name[lead] === '.') lead++;
  if (dot < lead) dot = -1;
  let base = dot < 0 ? name : name.slice(0, dot);
  let ext = dot < 0 ? '' : name.slice(dot);
  if (base.toLowerCase().endsWith('.tar')) {
    ext = base.slice(-4) + ext;
    base = base.slice(0, -4);
  }
  return [base, ext];
}

function isArchiveFile(name: string): boolean {
  return ARCHIVE_EXTENSIONS.includes(splitExt(name)[1].toLowerCase());
}

function baseName(p: string): string {
  const s = p.replace(/\/+$/, '');
  return s.slice(s.lastIndexOf('/') + 1);
}

/** pip's _looks_like_path (POSIX separators; a backslash too, for files written on Windows). */
function looksLikePath(name: string): boolean {
  return name.includes('/') || name.includes('\\') || name.startsWith('.');
}

/** pip's `[#&]egg=([^&]*)`: the egg name and where it is in `url`. */
function eggFragment(url: string): { name: string; index: number } | null {
  const m = /[#&]egg=([^&]*)/.exec(url);
  return m ? { name: m[1]!, index: m.index + 5 } : null;
}

/** pip's Wheel filename pattern: name and version of `name-ver[-build]-py-abi-plat.whl`. */
function parseWheelName(filename: string): { name: string; version: string } | null {
  if (!filename.endsWith('.whl')) return null;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  const noSpace = (s: string): boolean => !/[\s\x1c-\x1f\x85]/.test(s);
  const [name, version] = parts as [string, string];
  if (!name || !noSpace(name) || !noSpace(version)) return null;
  if (parts.length === 6 && !/^\d/.test(parts[2]!)) return null;
  for (const tag of parts.slice(-3)) if (!tag || !noSpace(tag)) return null;
  return { name, version };
}

/** urllib's quote(path) with '/' safe, as pip's path_to_url writes local paths. */
function pathToUrl(absPath: string): string {
  let posix = absPath.split(nodePath.sep).join('/');
  if (!posix.startsWith('/')) posix = '/' + posix;
  const bytes = Buffer.from(posix, 'utf8');
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.\-~/]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return 'file://' + out;
}

/**
 * pip's _strip_extras, `^(.+)(\[[^\]]+\])$`, without the regex (it backtracks quadratically on `[[[[...`):
 * the greedy `.+` leaves the last `[` whose rest up to the final `]` is non-empty and holds no `]`.
 */
function stripExtras(s: string): { base: string; extras: string | null } {
  const n = s.length;
  if (n < 4 || s[n - 1] !== ']') return { base: s, extras: null };
  const open = s.lastIndexOf('[', n - 3);
  const close = s.lastIndexOf(']', n - 2);
  if (open < 1 || close > open) return { base: s, extras: null };
  return { base: s.slice(0, open), extras: s.slice(open) };
}

// ---------------------------------------------------------------------------------------------
// The file parser.

interface FileContext {
  path: string;
  dir: string;
  kind: 'requirements' | 'constraints';
  fileText: string;
  isDirectory: ((absPath: string) => boolean) | undefined;
  dependencies: Dependency[];
  includes: Include[];
  options: FileOption[];
  findings: Finding[];
  overflow: boolean;
}

function addFinding(ctx: FileContext, span: Span, message: string): void {
  if (ctx.findings.length >= MAX_FINDINGS_PER_FILE) {
    if (!ctx.overflow) {
      ctx.overflow = true;
      ctx.findings.push(syntaxFinding(ctx.path, span, `More than ${MAX_FINDINGS_PER_FILE} syntax errors; the rest of this file is not reported.`));
    }
    return;
  }
  const end = span.end > span.start ? span.end : Math.min(span.start + 1, ctx.fileText.length);
  ctx.findings.push(syntaxFinding(ctx.path, { start: span.start, end: Math.max(end, span.start) }, message));
}

function syntaxFinding(file: string, span: Span, message: string): Finding {
  return { code: 'syntax', severity: 'error', file, span, message, related: [], fixes: [] };
}

function resolvePath(ctx: FileContext, p: string): string {
  return nodePath.resolve(ctx.dir, p);
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
export function parseRequirementsFile(path: string, text: string, opts: RequirementsParseOptions): ParsedFile {
  const ctx: FileContext = {
    path,
    dir: nodePath.dirname(path),
    kind: opts.kind,
    fileText: text,
    isDirectory: opts.isDirectory,
    dependencies: [],
    includes: [],
    options: [],
    findings: [],
    overflow: false,
  };
  const env = opts.env ?? process.env;
  const bad = text.indexOf('\ufffd');
  const nul = bad >= 0 ? -1 : text.indexOf('\0');
  // pip stops at the first byte it cannot decode, so nothing after it is worth a finding of its own.
  if (bad >= 0) addFinding(ctx, { start: bad, end: bad + 1 }, 'The file is not valid UTF-8 text (pip cannot decode it); nothing else in it was read.');
  else if (nul >= 0) addFinding(ctx, { start: nul, end: nul + 1 }, 'The file contains NUL characters: it looks like a binary file, not a requirements file; nothing else in it was read.');
  for (const logical of bad >= 0 || nul >= 0 ? [] : logicalLines(text)) {
    try {
      const expanded = expandEnv(logical.text, env);
      if (expanded.error) {
        addFinding(ctx, logical.extent, expanded.error);
        continue;
      }
      parseLine(ctx, expanded.text);
    } catch (e) {
      if (e instanceof RangeError) addFinding(ctx, logical.extent, 'This line is too large to parse.');
      else throw e;
    }
  }
  return {
    path,
    kind: opts.kind,
    text,
    dependencies: ctx.dependencies,
    includes: ctx.includes,
    options: ctx.options,
    findings: ctx.findings,
  };
}

/** One logical line: pip's break_args_options, then options, then the requirement or the option line. */
function parseLine(ctx: FileContext, line: MappedText): void {
  const t = line.text;
  // Tokens are cut on ' ' only; the arguments end before the first token that starts with '-'.
  let argsEnd = t.length;
  let optsStart = t.length;
  for (let i = 0; i < t.length; ) {
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
    const msg = e.message === 'No closing quotation' || e.message === 'No escaped character' ? `Could not split options: ${e.message}` : e.message;
    addFinding(ctx, line.span(e.start, e.end), msg);
    return;
  }
  const args = line.slice(0, argsEnd);
  if (args.length > 0) {
    const reqOptions = uses.filter((u) => PER_REQUIREMENT.has(u.def.dest)).map((u) => `${u.def.canonical}=${u.value ?? ''}`);
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

/** Base fields of a dependency that is not a plain PEP 508 line. */
function linkDependency(
  ctx: FileContext,
  entry: MappedText,
  fields: { name: string; rawName: string; nameSpan: Span; specifier: string; extras: string[]; marker: string; url: string; editable: boolean },
  options: string[],
): Dependency {
  const span = entry.span(0, entry.length);
  return {
    file: ctx.path,
    kind: ctx.kind === 'constraints' ? 'constraint' : 'requirement',
    name: fields.name,
    rawName: fields.rawName,
    extras: fields.extras,
    specifier: fields.specifier,
    marker: fields.marker,
    url: fields.url,
    editable: fields.editable,
    section: null,
    span,
    nameSpan: fields.nameSpan,
    specifierSpan: { start: fields.nameSpan.end, end: fields.nameSpan.end },
    text: ctx.fileText.slice(span.start, span.end),
    ...(options.length ? { options } : {}),
  };
}

/** Parses `text` (mapped) as PEP 508 with requirement-entry, mapping spans back to the file. */
function parseMapped(ctx: FileContext, text: MappedText, editable: boolean, options: string[]): Dependency | null {
  const r = parseRequirementEntry(text.text, 0, {
    file: ctx.path,
    kind: ctx.kind === 'constraints' ? 'constraint' : 'requirement',
    section: null,
    editable,
    options,
  });
  if (r.finding) {
    addFinding(ctx, text.mapSpan(r.finding.span), r.finding.message);
    return null;
  }
  const d = r.dependency;
  d.span = text.mapSpan(d.span);
  d.nameSpan = text.mapSpan(d.nameSpan);
  d.specifierSpan = text.mapSpan(d.specifierSpan);
  d.text = ctx.fileText.slice(d.span.start, d.span.end);
  return d;
}

/** Shortens text quoted in a message. */
function shown(text: string): string {
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}

/**
 * Parses `prefix + part` as PEP 508 to check a part pip parses on its own (a marker, an extras list);
 * a fault becomes a finding about `what`, placed inside the part. Null after a finding.
 */
function probe(ctx: FileContext, prefix: string, part: MappedText, what: string): ParsedRequirement | null {
  const mapped = MappedText.concat([MappedText.synthetic(prefix, part.offsetAt(0), part.offsetAt(0)), part]);
  try {
    return parseRequirement(mapped.text);
  } catch (e) {
    if (!(e instanceof RequirementError)) throw e;
    const start = Math.max(prefix.length, Math.min(e.offset, mapped.length));
    const end = Math.max(start + 1, Math.min(e.end ?? mapped.length, mapped.length));
    addFinding(ctx, mapped.span(start, end), `Invalid ${what} '${shown(part.text)}': ${e.message}`);
    return null;
  }
}

/** Checks a marker pip split off the line; returns it as written (the model keeps markers as written), or null after a finding. */
function parseMarker(ctx: FileContext, marker: MappedText): string | null {
  return probe(ctx, 'x ; ', marker, 'marker') ? marker.text : null;
}

/** Parses `[a,b]` written after a path or URL as pip's convert_extras does (lower-cased, PEP 685 normalized). */
function parseExtras(ctx: FileContext, extras: MappedText | null): string[] | null {
  if (!extras) return [];
  const lowered = extras.withText(extras.text.toLowerCase());
  const r = probe(ctx, 'placeholder', lowered, 'extras');
  return r ? [...new Set(r.extras.map(normalizeExtra))].sort() : null;
}

/** A dependency that constraints files cannot hold (pip's check_invalid_constraint_type). */
function constraintProblem(d: Dependency): string | null {
  if (!d.name) return 'Unnamed requirements are not allowed as constraints';
  if (d.editable) return 'Editable requirements are not allowed as constraints';
  if (d.extras.length) return 'Constraints cannot have extras';
  return null;
}

function addDependency(ctx: FileContext, d: Dependency | null): void {
  if (!d) return;
  if (ctx.kind === 'constraints') {
    const problem = constraintProblem(d);
    if (problem) {
      addFinding(ctx, d.span, `${problem}: a constraint is a package name and a version specifier.`);
      return;
    }
  }
  ctx.dependencies.push(d);
}

/** A name (and specifier, extras) pip gets from a link; null: unnamed; false: rejected (a finding was added). */
type LinkName = { name: string; rawName: string; nameSpan: Span; specifier: string; extras: string[] } | null | false;

/** pip's Wheel(filename): `name==version` from the filename at `at` in `entry` (-1: not written as such). */
function wheelRequirement(ctx: FileContext, entry: MappedText, filename: string, at: number): LinkName {
  const wheel = parseWheelName(filename);
  const where = at >= 0 ? entry.slice(at, at + filename.length) : entry;
  if (!wheel) {
    addFinding(ctx, where.span(0, where.length), `${filename} is not a valid wheel filename.`);
    return false;
  }
  const name = wheel.name.replace(/_/g, '-');
  const version = wheel.version.replace(/_/g, '-');
  const whole = where.span(0, where.length);
  const mapped =
    at >= 0
      ? MappedText.concat([
          where.slice(0, wheel.name.length),
          MappedText.synthetic(`==${version}`, where.offsetAt(wheel.name.length + 1), where.span(wheel.name.length + 1, wheel.name.length + 1 + wheel.version.length).end),
        ])
      : MappedText.synthetic(name + `==${version}`, whole.start, whole.end);
  const d = parseMapped(ctx, mapped.withText(name + `==${version}`), false, []);
  if (!d) return false;
  return { name: d.name, rawName: wheel.name, nameSpan: d.nameSpan, specifier: d.specifier, extras: d.extras };
}

/** pip's Link.egg_fragment: the requirement after `#egg=` (or `&egg=`) in the URL at `at` in `entry`. */
function eggRequirement(ctx: FileContext, entry: MappedText, url: string, at: number): LinkName {
  const egg = eggFragment(url);
  if (!egg) return null;
  const d = parseMapped(ctx, entry.slice(at + egg.index, at + egg.index + egg.name.length), false, []);
  if (!d) return false;
  return { name: d.name, rawName: d.rawName, nameSpan: d.nameSpan, specifier: d.specifier, extras: d.extras };
}

/** pip's parse_req_from_line for the arguments part of a line. */
function parseRequirementArgs(ctx: FileContext, args: MappedText, options: string[]): void {
  const raw = args.text;
  const url = isUrl(raw);
  const sep = url ? '; ' : ';';
  const cut = raw.indexOf(sep);
  let nameEnd = raw.length;
  let markerText = '';
  if (cut >= 0) {
    nameEnd = cut;
    const m = args.slice(cut + sep.length);
    let a = 0;
    let b = m.length;
    while (a < b && isPySpace(m.text.charCodeAt(a))) a++;
    while (b > a && isPySpace(m.text.charCodeAt(b - 1))) b--;
    if (b > a) {
      const parsed = parseMarker(ctx, m.slice(a, b));
      if (parsed === null) return;
      markerText = parsed;
    }
  }
  let a = 0;
  let b = nameEnd;
  while (a < b && isPySpace(raw.charCodeAt(a))) a++;
  while (b > a && isPySpace(raw.charCodeAt(b - 1))) b--;
  const name = raw.slice(a, b);
  // The entry is the requirement with its marker, without the surrounding blanks.
  let entryEnd = raw.length;
  while (entryEnd > a && isPySpace(raw.charCodeAt(entryEnd - 1))) entryEnd--;
  const entry = args.slice(a, Math.max(entryEnd, b));

  if (url) {
    let linkUrl = name;
    if (urlScheme(linkUrl) === 'file' && linkUrl.includes('../')) linkUrl = pathToUrl(resolvePath(ctx, urlPath(linkUrl)));
    const filename = baseName(urlPath(name));
    const got = splitExt(filename)[1] === '.whl' ? wheelRequirement(ctx, entry, filename, name.lastIndexOf(filename)) : eggRequirement(ctx, entry, name, 0);
    if (got === false) return;
    addDependency(
      ctx,
      linkDependency(
        ctx,
        entry,
        {
          name: got?.name ?? '',
          rawName: got?.rawName ?? '',
          nameSpan: got?.nameSpan ?? entry.span(0, 0),
          specifier: got?.specifier ?? '',
          extras: got?.extras ?? [],
          marker: markerText,
          url: linkUrl,
          editable: false,
        },
        options,
      ),
    );
    return;
  }

  const { base, extras } = stripExtras(name);
  const extrasText = extras ? entry.slice(base.length, name.length) : null;
  const abs = resolvePath(ctx, base);
  const pathLike = looksLikePath(name);
  let isDir = false;
  if (pathLike) {
    if (ctx.isDirectory) isDir = ctx.isDirectory(abs);
    else if (!isArchiveFile(base)) {
      // Without a disk to look at: a path-like entry that is no PEP 508 requirement is a local project.
      const r = parseRequirementEntry(name, 0, { file: ctx.path, kind: 'requirement', section: null });
      isDir = !!r.finding;
    }
  }
  let linkUrl: string | null = null;
  if (isDir) linkUrl = pathToUrl(abs);
  else if (isArchiveFile(base)) {
    const at = name.indexOf('@');
    if (!(at >= 0 && !looksLikePath(name.slice(0, at)))) linkUrl = pathToUrl(abs);
  }
  if (linkUrl === null) {
    // A PEP 508 requirement; pip parses the part before `;` and the marker (checked above) separately.
    const d = parseMapped(ctx, entry.slice(0, b - a), false, options);
    if (d) {
      d.span = entry.span(0, entry.length);
      d.text = ctx.fileText.slice(d.span.start, d.span.end);
      d.marker = markerText;
    }
    addDependency(ctx, d);
    return;
  }
  const extraList = parseExtras(ctx, extrasText);
  if (!extraList) return;
  const filename = baseName(base.replace(/\\/g, '/'));
  // A local path's URL is quoted by pip, so only a wheel filename can name it.
  const got = splitExt(filename)[1] === '.whl' ? wheelRequirement(ctx, entry, filename, base.lastIndexOf(filename)) : null;
  if (got === false) return;
  addDependency(
    ctx,
    linkDependency(
      ctx,
      entry,
      {
        name: got?.name ?? '',
        rawName: got?.rawName ?? '',
        nameSpan: got?.nameSpan ?? entry.span(0, 0),
        specifier: got?.specifier ?? '',
        extras: extraList.length ? extraList : (got?.extras ?? []),
        marker: markerText,
        url: linkUrl,
        editable: false,
      },
      options,
    ),
  );
}

/** pip's parse_editable: a local project directory or a VCS URL (named by `#egg=`). */
function parseEditable(ctx: FileContext, valueText: MappedText, value: string): void {
  // The value may have come out of shell quoting; use the mapped text when it is the same string.
  const mapped = valueText.text === value ? valueText : MappedText.synthetic(value, valueText.offsetAt(0), valueText.span(0, valueText.length).end);
  const { base, extras } = stripExtras(value);
  const extrasText = extras ? mapped.slice(base.length, value.length) : null;
  const scheme = urlScheme(base);
  let isDir: boolean;
  if (ctx.isDirectory) isDir = !isUrl(base) && ctx.isDirectory(resolvePath(ctx, base));
  else isDir = !isUrl(base) && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(base) && (looksLikePath(base) || !scheme);
  let url = base;
  if (isDir) url = pathToUrl(resolvePath(ctx, base));
  if (url.toLowerCase().startsWith('file:')) {
    const extraList = parseExtras(ctx, extrasText);
    if (!extraList) return;
    const req = isDir ? null : eggRequirement(ctx, mapped, base, 0);
    if (req === false) return;
    addDependency(
      ctx,
      linkDependency(
        ctx,
        mapped,
        {
          name: req?.name ?? '',
          rawName: req?.rawName ?? '',
          nameSpan: req?.nameSpan ?? mapped.span(0, 0),
          specifier: req?.specifier ?? '',
          extras: extraList.length ? extraList : (req?.extras ?? []),
          marker: '',
          url,
          editable: true,
        },
        [],
      ),
    );
    return;
  }
  url = value;
  for (const v of VCS_NAMES) {
    if (url.toLowerCase().startsWith(`${v}:`)) {
      url = `${v}+${url}`;
      break;
    }
  }
  if (!VCS_SCHEMES.includes(urlScheme(url))) {
    addFinding(
      ctx,
      mapped.span(0, mapped.length),
      `${value} is not a valid editable requirement. It should either be a path to a local project or a VCS URL (beginning with ${VCS_SCHEMES.join(', ')}).`,
    );
    return;
  }
  const egg = eggFragment(value);
  if (!egg || !egg.name) {
    addFinding(ctx, mapped.span(0, mapped.length), `Could not detect requirement name for '${value}', please specify one with #egg=your_package_name`);
    return;
  }
  const got = eggRequirement(ctx, mapped, value, 0);
  if (!got) return;
  addDependency(
    ctx,
    linkDependency(
      ctx,
      mapped,
      { ...got, marker: '', url, editable: true },
      [],
    ),
  );
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
      findings.push(syntaxFinding(top.file.path, inc.span, `Include cycle: ${chain.map((p) => nodePath.basename(p)).join(' -> ')} (pip would recurse forever).`));
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
