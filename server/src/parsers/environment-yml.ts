// Parses conda environment.yml files (name, channels, conda dependencies and the pip: section) into the model.
import * as nodePath from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar, type Document, type Node } from 'yaml';
import type { Dependency, FileOption, Finding, Include, ParsedFile, Span } from '../model/types';
import { condaSpecToPep440, isMatchSpecError, parseMatchSpec } from '../conda/match-spec';
import { canonicalizeName } from '../pep/name';
import { parseRequirementEntry } from './requirement-entry';

/** Findings after this many in one file collapse into one: junk input must not flood the editor. */
const MAX_FINDINGS = 200;
/** Aliases followed in one file; the rest are reported. Bounds the work an alias bomb can cause. */
const MAX_ALIASES = 1000;
/** Larger files are not read: real environment files are a few kilobytes, and YAML parsing takes ~1 s/MB. */
const MAX_CHARS = 1 << 20;
/** Deeper `[`/`{` nesting is not read: the YAML library slows down sharply on it. */
const MAX_FLOW_DEPTH = 500;

/** Offset where `[`/`{` nesting (counted without regard to quotes, so an overestimate) first exceeds the limit, or -1. */
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
  return { code: 'syntax', severity: 'error', file: path, span, message, related: [], fixes: [] };
}

interface Ctx {
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
  const finding: Finding = { code: 'syntax', severity: 'error', file: ctx.path, span, message, related: [], fixes: [] };
  if (ctx.findingCount === MAX_FINDINGS) finding.message = `${message} (further problems in this file are not reported)`;
  ctx.out.findings.push(finding);
}

function nodeSpan(ctx: Ctx, node: Node | null | undefined, fallback: number): Span {
  const r = node?.range;
  return r ? clampSpan(ctx, r[0], r[1]) : clampSpan(ctx, fallback, fallback + 1);
}

/** Follows an alias to its anchored node, within the file's alias budget. */
function deref(ctx: Ctx, node: unknown): unknown {
  if (!isAlias(node)) return node;
  ctx.aliases++;
  if (ctx.aliases > MAX_ALIASES) {
    addFinding(ctx, nodeSpan(ctx, node, 0), `More than ${MAX_ALIASES} YAML aliases: the rest are not followed.`);
    return null;
  }
  return node.resolve(ctx.doc) ?? null;
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'an empty value';
    return `${typeof node.value === 'number' ? 'a number' : typeof node.value === 'boolean' ? 'a boolean' : typeof node.value} (${String(node.source ?? node.value)})`;
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
  if (node.type === Scalar.PLAIN) {
    if (src === value) offset = start;
  } else if (node.type === Scalar.QUOTE_SINGLE || node.type === Scalar.QUOTE_DOUBLE) {
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
  if (isScalar(node) && (typeof node.value === 'string' || node.value === null)) {
    ctx.out.condaName = node.value;
  } else {
    addFinding(ctx, nodeSpan(ctx, node as Node, 0), `'name' must be a string, not ${describe(node)}.`);
  }
}

function readChannels(ctx: Ctx, value: unknown): void {
  const node = deref(ctx, value);
  if (isScalar(node) && node.value === null) return;
  if (!isSeq(node)) {
    addFinding(ctx, nodeSpan(ctx, node as Node, 0), `'channels' must be a list of channel names, not ${describe(node)}.`);
    return;
  }
  for (const raw of node.items) {
    const item = deref(ctx, raw);
    if (isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') ctx.out.channels!.push(item.value.trim());
    else addFinding(ctx, nodeSpan(ctx, (item ?? raw) as Node, node.range?.[0] ?? 0), `A channel must be a name or URL, not ${describe(item)}.`);
  }
}

function condaEntry(ctx: Ctx, node: Scalar): void {
  const st = scalarText(ctx, node);
  if (!st) return;
  const value = st.value;
  const m = parseMatchSpec(value);
  if (isMatchSpecError(m)) {
    const at = m.offset;
    addFinding(ctx, st.offset === null ? st.whole : clampSpan(ctx, st.offset + at, st.offset + Math.max(value.trimEnd().length, at + 1)),
      `Invalid conda match spec '${value.length > 80 ? value.slice(0, 77) + '...' : value}': ${m.error}.`);
    return;
  }
  const pep = condaSpecToPep440(m.version);
  const trimmedStart = value.length - value.trimStart().length;
  const dep: Dependency = {
    file: ctx.path,
    kind: 'conda',
    name: canonicalizeName(m.name),
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
  if (m.name === 'python' && pep !== null && pep !== '' && !ctx.out.requiresPython) ctx.out.requiresPython = pep;
}

/** pip's short option names, as the model writes them. */
const LONG_OPTION: Record<string, string> = {
  '-i': '--index-url',
  '-f': '--find-links',
  '-r': '--requirement',
  '-c': '--constraint',
  '-e': '--editable',
};

const URL_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const ARCHIVE_RE = /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar)$/i;

function looksLikeLocation(s: string): boolean {
  return URL_RE.test(s) || /^(\.|\/|~|[A-Za-z]:[\\/])/.test(s) || ARCHIVE_RE.test(s.split('#')[0]!);
}

/** A name pip knows before building: `#egg=name` or a wheel's file name; '' otherwise. */
function locationName(location: string): string {
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(location);
  if (egg) return egg[1]!;
  const file = location.split(/[?#]/)[0]!.split(/[\\/]/).pop() ?? '';
  const wheel = /^([A-Za-z0-9._]+)-[^-]+(-[^-]+)?-[^-]+-[^-]+-[^-]+\.whl$/i.exec(file);
  return wheel ? wheel[1]! : '';
}

function locationDependency(ctx: Ctx, st: ScalarText, location: string, a: number, editable: boolean, options: string[]): Dependency {
  const name = locationName(location);
  const url = URL_RE.test(location) ? location : nodePath.resolve(nodePath.dirname(ctx.path), location.replace(/^~(?=\/|$)/, process.env['HOME'] ?? '~'));
  const span = partSpan(st, a, a + location.length);
  return {
    file: ctx.path, kind: 'requirement', name: canonicalizeName(name), rawName: name, extras: [], specifier: '', marker: '',
    url, editable, section: 'dependencies.pip', span, nameSpan: span, specifierSpan: { start: span.end, end: span.end },
    text: location, ...(options.length ? { options } : {}),
  };
}

/** pip's `${VAR}` expansion (upper-case names, digits and `_`; unset variables stay as written): conda hands this part to pip as a requirements file. */
function expandEnvVars(s: string): string {
  return s.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => process.env[name] ?? whole);
}

function requirement(ctx: Ctx, st: ScalarText, req: string, a: number, editable: boolean, options: string[]): void {
  const expanded = expandEnvVars(req);
  if (expanded !== req) {
    // Offsets no longer line up with the text: findings and spans cover the whole entry.
    st = { ...st, offset: null };
    req = expanded;
  }
  if (!/^[A-Za-z0-9._-]+\s*(\[[^\]]*\])?\s*@/.test(req) && looksLikeLocation(req)) {
    ctx.out.dependencies.push(locationDependency(ctx, st, req, a, editable, options));
    return;
  }
  const r = parseRequirementEntry(req, st.offset === null ? 0 : st.offset + a, {
    file: ctx.path, kind: 'requirement', section: 'dependencies.pip', editable, options,
  });
  if (r.finding) {
    if (st.offset === null) r.finding.span = { ...st.whole };
    addFinding(ctx, r.finding.span, r.finding.message);
    return;
  }
  const dep = r.dependency;
  if (st.offset === null) {
    dep.span = { ...st.whole };
    dep.nameSpan = { ...st.whole };
    dep.specifierSpan = { ...st.whole };
  }
  ctx.out.dependencies.push(dep);
}

/** Splits trailing per-line options (`--hash=...`) off a requirement, in pip's long `--name=value` form. */
function splitLineOptions(s: string): { req: string; options: string[] } {
  const m = /\s--[A-Za-z]/.exec(s);
  if (!m) return { req: s, options: [] };
  const tokens = s.slice(m.index).trim().split(/\s+/);
  const options: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.startsWith('--') && !t.includes('=') && next !== undefined && !next.startsWith('-')) {
      options.push(`${t}=${next}`);
      i++;
    } else options.push(t);
  }
  return { req: s.slice(0, m.index).trimEnd(), options };
}

function pipOption(ctx: Ctx, st: ScalarText, line: string, a: number): void {
  const span = partSpan(st, a, a + line.length);
  let flag: string;
  let valueAt: number;
  if (line.startsWith('--')) {
    const m = /^--[A-Za-z0-9-]*/.exec(line)!;
    flag = m[0];
    valueAt = flag.length + (line[flag.length] === '=' ? 1 : 0);
  } else {
    // Short options may be glued to their value: `-rbase.txt`.
    flag = line.slice(0, 2);
    valueAt = 2;
  }
  while (valueAt < line.length && /\s/.test(line[valueAt]!)) valueAt++;
  const value = line.slice(valueAt).trim();
  if (!/^--?[A-Za-z]/.test(flag)) {
    addFinding(ctx, span, `Invalid pip option '${line}'.`);
    return;
  }
  const name = LONG_OPTION[flag] ?? flag;
  if (name === '--requirement' || name === '--constraint' || name === '--editable') {
    if (!value) {
      addFinding(ctx, span, `pip option '${flag}' needs ${name === '--editable' ? 'a path or URL' : 'a file'}.`);
      return;
    }
    if (name === '--editable') {
      requirement(ctx, st, value, a + valueAt, true, []);
      return;
    }
    const include: Include = {
      kind: name === '--requirement' ? 'requirements' : 'constraints',
      target: value,
      resolved: URL_RE.test(value) ? null : nodePath.resolve(nodePath.dirname(ctx.path), value),
      span,
    };
    ctx.out.includes.push(include);
    return;
  }
  const option: FileOption = { name, value: value === '' ? null : value, span };
  ctx.out.options.push(option);
}

function pipEntry(ctx: Ctx, node: Scalar): void {
  const st = scalarText(ctx, node);
  if (!st) return;
  // pip drops a `#` comment that starts the line or follows whitespace.
  const raw = st.value.replace(/(^|\s)#.*$/s, '');
  const a = raw.length - raw.trimStart().length;
  const line = raw.trim();
  if (line === '') return;
  if (line.startsWith('-')) {
    pipOption(ctx, st, line, a);
    return;
  }
  const { req, options } = splitLineOptions(line);
  requirement(ctx, st, req, a, false, options);
}

function readPip(ctx: Ctx, value: unknown, keyNode: unknown): void {
  const node = deref(ctx, value);
  if (isScalar(node) && node.value === null) return;
  if (!isSeq(node)) {
    addFinding(ctx, nodeSpan(ctx, (node ?? keyNode) as Node, 0), `'pip' must be a list of requirements, not ${describe(node)}.`);
    return;
  }
  for (const raw of node.items) {
    const item = deref(ctx, raw);
    if (isScalar(item) && typeof item.value === 'string') pipEntry(ctx, item);
    else addFinding(ctx, nodeSpan(ctx, (item ?? raw) as Node, node.range?.[0] ?? 0), `A pip entry must be a requirement string, not ${describe(item)}.`);
  }
}

function readDependencies(ctx: Ctx, value: unknown, keyNode: unknown): void {
  const node = deref(ctx, value);
  if (isScalar(node) && node.value === null) return;
  if (!isSeq(node)) {
    addFinding(ctx, nodeSpan(ctx, (node ?? keyNode) as Node, 0), `'dependencies' must be a list of conda match specs, not ${describe(node)}.`);
    return;
  }
  for (const raw of node.items) {
    const item = deref(ctx, raw);
    if (isScalar(item) && typeof item.value === 'string') {
      condaEntry(ctx, item);
    } else if (isMap(item)) {
      for (const pair of item.items) {
        const key = deref(ctx, pair.key);
        // Other installer sections are conda's business; only pip's is read.
        if (isScalar(key) && key.value === 'pip') readPip(ctx, pair.value, key);
      }
    } else {
      addFinding(ctx, nodeSpan(ctx, (item ?? raw) as Node, node.range?.[0] ?? 0), `A dependency must be a conda match spec string or a 'pip:' list, not ${describe(item)}.`);
    }
  }
}

/**
 * Parses an environment.yml: `name`, `channels`, `dependencies` (conda match specs, kind `conda`,
 * section `dependencies`, the version translated to PEP 440 where it can be and `specifierUnknown`
 * where not) and the `pip:` list (kind `requirement`, section `dependencies.pip`, pip options as
 * includes and options). A `python` spec also sets `requiresPython`. Spans are exact inside plain
 * and quoted scalars, and cover the whole scalar where escapes or folding make positions inexact.
 * Never throws: YAML errors and wrong shapes become `syntax` findings and the rest still parses.
 */
export function parseEnvironmentYml(path: string, text: string): ParsedFile {
  const out: ParsedFile = {
    path, kind: 'conda', text, dependencies: [], includes: [], options: [], findings: [], requiresPython: '', condaName: null, channels: [],
  };
  if (text.length > MAX_CHARS) {
    out.findings.push(fileFinding(path, { start: 0, end: Math.min(1, text.length) }, `The file is too large to analyse (${(text.length / (1 << 20)).toFixed(1)} MiB; the limit is 1 MiB).`));
    return out;
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    out.findings.push(fileFinding(path, { start: nul, end: nul + 1 }, 'The file contains NUL characters: it looks like a binary file, not YAML.'));
    return out;
  }
  const deep = tooDeepAt(text);
  if (deep >= 0) {
    out.findings.push(fileFinding(path, { start: deep, end: deep + 1 }, `The YAML is nested more than ${MAX_FLOW_DEPTH} levels deep: the file is not analysed.`));
    return out;
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { prettyErrors: false, keepSourceTokens: false });
  } catch (e) {
    // The YAML library recurses on nesting; absurdly deep input overflows its stack.
    const message = e instanceof RangeError ? 'The YAML is nested too deeply to read.' : `The YAML could not be read: ${e instanceof Error ? e.message : String(e)}`;
    out.findings.push(fileFinding(path, { start: 0, end: Math.min(1, text.length) }, message));
    return out;
  }
  const ctx: Ctx = { path, text, doc, out, aliases: 0, findingCount: 0 };
  const bad = text.indexOf('\ufffd');
  if (bad >= 0) addFinding(ctx, { start: bad, end: bad + 1 }, 'The file is not valid UTF-8 text.');
  for (const err of doc.errors) addFinding(ctx, clampSpan(ctx, err.pos[0], err.pos[1]), `YAML: ${err.message.split('\n')[0]}`);

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return out;
  if (!isMap(root)) {
    addFinding(ctx, nodeSpan(ctx, root, 0), `An environment file must be a mapping with 'name', 'channels' and 'dependencies', not ${describe(root)}.`);
    return out;
  }
  for (const pair of root.items) {
    const key = deref(ctx, pair.key);
    if (!isScalar(key)) continue;
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
