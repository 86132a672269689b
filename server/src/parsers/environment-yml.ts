// Parses conda environment.yml files (name, channels, conda dependencies and the pip: section) into the model.
import { finding } from '../model/finding';
import type { Document, Node, Scalar, YAMLSeq } from 'yaml';
import { yaml } from '../system/lazy/yaml';
import type { Dependency, Finding, ParsedFile, Span } from '../model/types';
import { condaSpecToPep440, isMatchSpecError, parseMatchSpec } from '../conda-spec/match-spec';
import { parseRequirementsSource } from './requirements';
import { MappedText } from './req-text';
import { sniffCondaEnvironment } from './conda-content';
import { emptyParsedFile } from '../model/parsed-file';

/** Findings after this many in one file collapse into one: junk input must not flood the editor. */
const MAX_FINDINGS = 200;
/** Aliases followed in one file; the rest are reported. Bounds the work an alias bomb can cause. */
const MAX_ALIASES = 1000;
/** Larger files are not read: real environment files are a few kilobytes, and YAML parsing takes ~1 s/MB. */
const MAX_CHARS = 1 << 20;
/** Deeper `[`/`{` nesting is not read: the YAML library slows down sharply on it. */
const MAX_FLOW_DEPTH = 500;

/**
 * Offset where `[`/`{` nesting (counted without regard to quotes, so an overestimate) first exceeds the limit, or -1.
 */
function tooDeepAt(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return -1;
}

function fileFinding(path: string, span: Span, message: string): Finding {
  return finding('syntax', path, span, message);
}

/** How to read an environment.yml's `pip:` part (see {@link RequirementsParseOptions}). */
export interface EnvironmentYmlOptions {
  /** Variables for `${VAR}` expansion in the pip part; `process.env` when absent. */
  env?: Record<string, string | undefined>;
  /** Whether an absolute path is an existing directory (pip looks at the disk for a path-like line). */
  isDirectory?: (absPath: string) => boolean;
}

interface Ctx {
  opts: EnvironmentYmlOptions;
  path: string;
  text: string;
  doc: Document.Parsed;
  out: ParsedFile;
  aliases: number;
  findingCount: number;
}

function clampSpan(ctx: Ctx, start: number, end: number): Span {
  const n = ctx.text.length;
  const s = Math.max(0, Math.min(start, n));
  return { start: s, end: Math.max(s, Math.min(Math.max(end, s + 1), n)) };
}

function addFinding(ctx: Ctx, span: Span, message: string): void {
  ctx.findingCount++;
  if (ctx.findingCount > MAX_FINDINGS) return;
  const found: Finding = finding('syntax', ctx.path, span, message);
  if (ctx.findingCount === MAX_FINDINGS) found.message = `${message} (further problems in this file are not reported)`;
  ctx.out.findings.push(found);
}

function nodeSpan(ctx: Ctx, node: Node | null | undefined, fallback: number): Span {
  const r = node?.range;
  return r ? clampSpan(ctx, r[0], r[1]) : clampSpan(ctx, fallback, fallback + 1);
}

/** Follows an alias to its anchored node, within the file's alias budget. */
function deref(ctx: Ctx, node: unknown): unknown {
  if (!yaml().isAlias(node)) return node;
  ctx.aliases++;
  if (ctx.aliases > MAX_ALIASES) {
    addFinding(ctx, nodeSpan(ctx, node, 0), `More than ${MAX_ALIASES} YAML aliases: the rest are not followed.`);
    return null;
  }
  return node.resolve(ctx.doc) ?? null;
}

function describe(node: unknown): string {
  if (yaml().isMap(node)) return 'a mapping';
  if (yaml().isSeq(node)) return 'a list';
  if (yaml().isScalar(node)) {
    if (node.value === null) return 'an empty value';
    return (
      `${typeof node.value === 'number' ? 'a number' : typeof node.value === 'boolean' ? 'a boolean' : typeof node.value} ` +
      `` +
      `` +
      `` +
      `(${String(node.source ?? node.value)})`
    );
  }
  return 'nothing';
}

/**
 * A string scalar's value and where its characters are: `offset` is where value[0] sits in the file when
 * every character maps one to one (plain single-line scalars, quoted scalars without escapes, block
 * scalars whose text appears as is); null when escapes or line folding make positions inexact.
 */
interface ScalarText {
  value: string;
  offset: number | null;
  whole: Span;
}

function scalarText(ctx: Ctx, node: Scalar): ScalarText | null {
  if (typeof node.value !== 'string' || !node.range) return null;
  const [start, valueEnd] = node.range;
  const src = ctx.text.slice(start, valueEnd);
  const value = node.value;
  const whole = clampSpan(ctx, start, valueEnd);
  let offset: number | null = null;
  if (node.type === yaml().Scalar.PLAIN) {
    if (src === value) offset = start;
  } else if (node.type === yaml().Scalar.QUOTE_SINGLE || node.type === yaml().Scalar.QUOTE_DOUBLE) {
    if (src.slice(1, -1) === value) offset = start + 1;
  } else {
    const trimmed = value.trimEnd();
    const at = trimmed ? src.indexOf(trimmed) : -1;
    if (at >= 0 && src.indexOf(trimmed, at + 1) < 0) return { value: trimmed, offset: start + at, whole };
  }
  return { value, offset, whole };
}

/** Spans for a part [a, b) of the scalar's value: exact where positions are, the whole scalar otherwise. */
function partSpan(st: ScalarText, a: number, b: number): Span {
  return st.offset === null ? { ...st.whole } : { start: st.offset + a, end: st.offset + b };
}

function readName(ctx: Ctx, value: unknown): void {
  const node = deref(ctx, value);
  if (yaml().isScalar(node) && (typeof node.value === 'string' || node.value === null)) {
    ctx.out.condaName = node.value;
  } else {
    addFinding(ctx, nodeSpan(ctx, node as Node, 0), `'name' must be a string, not ${describe(node)}.`);
  }
}

function readChannels(ctx: Ctx, value: unknown): void {
  const node = deref(ctx, value);
  if (yaml().isScalar(node) && node.value === null) return;
  if (!yaml().isSeq(node)) {
    addFinding(
      ctx,
      nodeSpan(ctx, node as Node, 0),
      `'channels' must be a list of channel names, not ${describe(node)}.`,
    );
    return;
  }
  for (const raw of node.items) {
    const item = deref(ctx, raw);
    if (yaml().isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') {
      ctx.out.channels!.push(item.value.trim());
      ctx.out.channelSpans!.push(nodeSpan(ctx, item, 0));
    } else
      addFinding(
        ctx,
        nodeSpan(ctx, (item ?? raw) as Node, node.range?.[0] ?? 0),
        `A channel must be a name or URL, not ${describe(item)}.`,
      );
  }
}

function condaEntry(ctx: Ctx, node: Scalar): void {
  const st = scalarText(ctx, node);
  if (!st) return;
  const value = st.value;
  const m = parseMatchSpec(value);
  if (isMatchSpecError(m)) {
    const at = m.offset;
    addFinding(
      ctx,
      st.offset === null
        ? st.whole
        : clampSpan(ctx, st.offset + at, st.offset + Math.max(value.trimEnd().length, at + 1)),
      `Invalid conda match spec '${value.length > 80 ? value.slice(0, 77) + '...' : value}': ${m.error}.`,
    );
    return;
  }
  const pep = condaSpecToPep440(m.version);
  const trimmedStart = value.length - value.trimStart().length;
  const dep: Dependency = {
    file: ctx.path,
    kind: 'conda',
    // Conda names are literal (`atari_py`, `path.py` are other packages than `atari-py`, `path-py`); conda only
    // lowercases them.
    name: m.name.toLowerCase(),
    rawName: m.name,
    extras: [],
    specifier: pep ?? '',
    marker: '',
    url: m.url,
    editable: false,
    section: 'dependencies',
    span: partSpan(st, trimmedStart, value.trimEnd().length),
    nameSpan: partSpan(st, m.nameSpan.start, m.nameSpan.end),
    specifierSpan: partSpan(st, m.versionSpan.start, m.versionSpan.end),
    text: value.trim(),
    conda: { channel: m.channel, version: m.version, build: m.build },
  };
  if (pep === null) dep.specifierUnknown = true;
  ctx.out.dependencies.push(dep);
  if (dep.name === 'python' && pep !== null && pep !== '' && !ctx.out.requiresPython) ctx.out.requiresPython = pep;
}

/** The `pip:` items of one list: conda writes them, one per line, to a requirements file that pip reads. */
interface PipItems {
  pieces: MappedText[];
}

function pipEntry(ctx: Ctx, items: PipItems, node: Scalar): void {
  const st = scalarText(ctx, node);
  if (!st) return;
  // Exact where positions are; otherwise every character stands for the whole scalar.
  const piece =
    st.offset === null
      ? MappedText.synthetic(st.value, st.whole.start, st.whole.end)
      : MappedText.fromFile(ctx.text, st.offset, st.offset + st.value.length);
  if (items.pieces.length) {
    const prev = items.pieces[items.pieces.length - 1]!.endOffset;
    items.pieces.push(MappedText.synthetic('\n', prev, prev));
  }
  items.pieces.push(piece);
}

/** Reads the `pip:` items through the requirements parser, as pip reads the file conda writes. */
function readPipItems(ctx: Ctx, items: PipItems): void {
  if (!items.pieces.length) return;
  const read = parseRequirementsSource(ctx.path, ctx.text, MappedText.concat(items.pieces), {
    kind: 'requirements',
    section: 'dependencies.pip',
    env: ctx.opts.env,
    isDirectory: ctx.opts.isDirectory,
  });
  ctx.out.dependencies.push(...read.dependencies);
  ctx.out.includes.push(...read.includes);
  ctx.out.options.push(...read.options);
  for (const f of read.findings) addFinding(ctx, f.span, f.message);
}

/**
 * The list a key holds, or null: an empty value is nothing to read, anything else than a list a finding that says
 * `what` it must be.
 */
function listOf(ctx: Ctx, value: unknown, keyNode: unknown, what: string): YAMLSeq | null {
  const node = deref(ctx, value);
  if (yaml().isScalar(node) && node.value === null) return null;
  if (yaml().isSeq(node)) return node;
  addFinding(ctx, nodeSpan(ctx, (node ?? keyNode) as Node, 0), `${what}, not ${describe(node)}.`);
  return null;
}

function readPip(ctx: Ctx, value: unknown, keyNode: unknown): void {
  const node = listOf(ctx, value, keyNode, `'pip' must be a list of requirements`);
  if (!node) return;
  const items: PipItems = { pieces: [] };
  for (const raw of node.items) {
    const item = deref(ctx, raw);
    if (yaml().isScalar(item) && typeof item.value === 'string') pipEntry(ctx, items, item);
    else
      addFinding(
        ctx,
        nodeSpan(ctx, (item ?? raw) as Node, node.range?.[0] ?? 0),
        `A pip entry must be a requirement string, not ${describe(item)}.`,
      );
  }
  readPipItems(ctx, items);
}

function readDependencies(ctx: Ctx, value: unknown, keyNode: unknown): void {
  const node = listOf(ctx, value, keyNode, `'dependencies' must be a list of conda match specs`);
  if (!node) return;
  for (const raw of node.items) {
    const item = deref(ctx, raw);
    if (yaml().isScalar(item) && typeof item.value === 'string') {
      condaEntry(ctx, item);
    } else if (yaml().isMap(item)) {
      for (const pair of item.items) {
        const key = deref(ctx, pair.key);
        // Other installer sections are conda's business; only pip's is read.
        if (yaml().isScalar(key) && key.value === 'pip') readPip(ctx, pair.value, key);
      }
    } else {
      addFinding(
        ctx,
        nodeSpan(ctx, (item ?? raw) as Node, node.range?.[0] ?? 0),
        `A dependency must be a conda match spec string or a 'pip:' list, not ${describe(item)}.`,
      );
    }
  }
}

/**
 * Parses an environment.yml: `name`, `channels`, `dependencies` (conda match specs, kind `conda`,
 * section `dependencies`, the version translated to PEP 440 where it can be and `specifierUnknown`
 * where not) and the `pip:` list (kind `requirement`, section `dependencies.pip`, pip options as
 * includes and options). A `python` spec also sets `requiresPython`. Spans are exact inside plain
 * and quoted scalars, and cover the whole scalar where escapes or folding make positions inexact.
 * The pip part is read by the requirements parser as one text, the items joined by newlines as conda
 * writes them for pip (`\` continuations, comments, `${VAR}`, options and local paths as pip reads them),
 * paths resolved against the file's folder (conda runs pip there).
 * Never throws: YAML errors and wrong shapes become `syntax` findings and the rest still parses.
 */
export function parseEnvironmentYml(path: string, text: string, opts: EnvironmentYmlOptions = {}): ParsedFile {
  const out: ParsedFile = {
    ...emptyParsedFile(path, 'conda', text),
    requiresPython: '',
    condaName: null,
    channels: [],
    channelSpans: [],
  };
  if (text.length > MAX_CHARS) {
    out.findings.push(
      fileFinding(
        path,
        { start: 0, end: Math.min(1, text.length) },
        `The file is too large to analyse (${(text.length / (1 << 20)).toFixed(1)} MiB; the limit is 1 MiB).`,
      ),
    );
    return out;
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    out.findings.push(
      fileFinding(
        path,
        { start: nul, end: nul + 1 },
        'The file contains NUL characters: it looks like a binary file, not YAML.',
      ),
    );
    return out;
  }
  const deep = tooDeepAt(text);
  if (deep >= 0) {
    out.findings.push(
      fileFinding(
        path,
        { start: deep, end: deep + 1 },
        `The YAML is nested more than ${MAX_FLOW_DEPTH} levels deep: the file is not analysed.`,
      ),
    );
    return out;
  }
  let doc: Document.Parsed;
  try {
    doc = yaml().parseDocument(text, { prettyErrors: false, keepSourceTokens: false });
  } catch (e) {
    // The YAML library recurses on nesting; absurdly deep input overflows its stack.
    const message =
      e instanceof RangeError
        ? 'The YAML is nested too deeply to read.'
        : `The YAML could not be read: ${e instanceof Error ? e.message : String(e)}`;
    out.findings.push(fileFinding(path, { start: 0, end: Math.min(1, text.length) }, message));
    return out;
  }
  const ctx: Ctx = { opts, path, text, doc, out, aliases: 0, findingCount: 0 };
  const bad = text.indexOf('\ufffd');
  if (bad >= 0) addFinding(ctx, { start: bad, end: bad + 1 }, 'The file is not valid UTF-8 text.');
  for (const err of doc.errors)
    addFinding(ctx, clampSpan(ctx, err.pos[0], err.pos[1]), `YAML: ${err.message.split('\n')[0]}`);

  const root = doc.contents;
  if (root === null || (yaml().isScalar(root) && root.value === null)) return out;
  if (!yaml().isMap(root)) {
    addFinding(
      ctx,
      nodeSpan(ctx, root, 0),
      `An environment file must be a mapping with 'name', 'channels' and 'dependencies', not ${describe(root)}.`,
    );
    return out;
  }
  for (const pair of root.items) {
    const key = deref(ctx, pair.key);
    if (!yaml().isScalar(key)) continue;
    switch (key.value) {
      case 'name':
        readName(ctx, pair.value);
        break;
      case 'channels':
        readChannels(ctx, pair.value);
        break;
      case 'dependencies':
        readDependencies(ctx, pair.value, key);
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Whether a YAML file whose name does not say is a conda environment file: its first kilobytes look like one
 * ({@link sniffCondaEnvironment}), and the YAML confirms it: a mapping whose `dependencies` is a list of specs and `pip:`
 * parts and/or whose `channels` is a list of names. A file too large, too deep or with YAML errors is judged by the
 * sniff alone (the parser then reports what is wrong with it).
 */
export function isCondaEnvironmentText(text: string): boolean {
  if (!sniffCondaEnvironment(text)) return false;
  if (text.length > MAX_CHARS || tooDeepAt(text) >= 0) return true;
  let doc: Document.Parsed;
  try {
    doc = yaml().parseDocument(text, { prettyErrors: false, keepSourceTokens: false });
  } catch {
    return true;
  }
  if (doc.errors.length) return true;
  const Y = yaml();
  const root = doc.contents;
  if (!Y.isMap(root)) return false;
  let lists = 0;
  for (const pair of root.items) {
    const key = Y.isScalar(pair.key) ? pair.key.value : null;
    if (key !== 'dependencies' && key !== 'channels') continue;
    if (!Y.isSeq(pair.value)) return false;
    for (const item of pair.value.items) {
      if (Y.isScalar(item) || Y.isAlias(item)) continue;
      const pipPart =
        key === 'dependencies' &&
        Y.isMap(item) &&
        item.items.length === 1 &&
        Y.isScalar(item.items[0]!.key) &&
        item.items[0]!.key.value === 'pip';
      if (!pipPart) return false;
    }
    if (pair.value.items.length) lists++;
  }
  return lists > 0;
}
