// pip's req/constructors.py for one requirement line: PEP 508 lines, URLs, archives, wheels, local directories and
// editables.
import { finding } from '../model/finding';
import * as nodePath from 'node:path';
import type { Dependency, FileOption, Finding, Include, Span } from '../model/types';
import { parseRequirement, RequirementError, type ParsedRequirement } from '../pep/requirement';
import { normalizeExtra, parseRequirementEntry } from './requirement-entry';
import {
  baseName,
  eggFragment,
  isArchiveFile,
  isUrl,
  looksLikePath,
  parseWheelName,
  pathToUrl,
  splitExt,
  stripExtras,
  urlPath,
  urlScheme,
  VCS_NAMES,
  VCS_SCHEMES,
} from './req-links';
import { isPySpace, MappedText } from './req-text';

/** Findings after this many in one file collapse into one: junk input must not flood the editor. */
export const MAX_FINDINGS_PER_FILE = 200;

/** The file being parsed and what has been read from it so far. */
export interface FileContext {
  path: string;
  dir: string;
  kind: 'requirements' | 'constraints';
  /** Dependency.section of its entries (null in requirements files, `dependencies.pip` in environment.yml). */
  section: string | null;
  /** The text of the file spans point into. */
  fileText: string;
  isDirectory: ((absPath: string) => boolean) | undefined;
  dependencies: Dependency[];
  includes: Include[];
  options: FileOption[];
  findings: Finding[];
  overflow: boolean;
}

export function addFinding(
  ctx: FileContext,
  span: Span,
  message: string,
  severity: 'error' | 'warning' = 'error',
): void {
  if (ctx.findings.length >= MAX_FINDINGS_PER_FILE) {
    if (!ctx.overflow) {
      ctx.overflow = true;
      ctx.findings.push(
        syntaxFinding(
          ctx.path,
          span,
          `More than ${MAX_FINDINGS_PER_FILE} syntax errors; the rest of this file is not reported.`,
        ),
      );
    }
    return;
  }
  const end = span.end > span.start ? span.end : Math.min(span.start + 1, ctx.fileText.length);
  const f = syntaxFinding(ctx.path, { start: span.start, end: Math.max(end, span.start) }, message);
  ctx.findings.push(severity === 'error' ? f : { ...f, severity });
}

export function syntaxFinding(file: string, span: Span, message: string): Finding {
  return finding('syntax', file, span, message);
}

export function resolvePath(ctx: FileContext, p: string): string {
  return nodePath.resolve(ctx.dir, p);
}

/** The name (and specifier, extras) pip gets from a link: from `#egg=` or a wheel filename. */
interface LinkName {
  name: string;
  rawName: string;
  nameSpan: Span;
  specifier: string;
  extras: string[];
}

/**
 * A dependency that is not a plain PEP 508 line (a URL, a local path, an editable): named by `got` when
 * pip can name it before building, unnamed (`''`) otherwise; `extras` written after a path win over the
 * link's own.
 */
function linkDependency(
  ctx: FileContext,
  entry: MappedText,
  got: LinkName | null,
  link: { url: string; marker: string; editable: boolean; extras: string[]; options: string[] },
): Dependency {
  const span = entry.span(0, entry.length);
  const nameSpan = got?.nameSpan ?? entry.span(0, 0);
  return {
    file: ctx.path,
    kind: ctx.kind === 'constraints' ? 'constraint' : 'requirement',
    name: got?.name ?? '',
    rawName: got?.rawName ?? '',
    extras: link.extras.length ? link.extras : (got?.extras ?? []),
    specifier: got?.specifier ?? '',
    marker: link.marker,
    url: link.url,
    editable: link.editable,
    section: ctx.section,
    span,
    nameSpan,
    specifierSpan: { start: nameSpan.end, end: nameSpan.end },
    text: ctx.fileText.slice(span.start, span.end),
    ...(link.options.length ? { options: link.options } : {}),
  };
}

/** Parses `text` (mapped) as PEP 508 with requirement-entry, mapping spans back to the file. */
function parseMapped(ctx: FileContext, text: MappedText, editable: boolean, options: string[]): Dependency | null {
  const r = parseRequirementEntry(text.text, 0, {
    file: ctx.path,
    kind: ctx.kind === 'constraints' ? 'constraint' : 'requirement',
    section: ctx.section,
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

/**
 * Checks a marker pip split off the line; returns it as written (the model keeps markers as written), or null after a
 * finding.
 */
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

/** A link's name; null: unnamed; false: rejected (a finding was added). */
type LinkResult = LinkName | null | false;

/** pip's Wheel(filename): `name==version` from the filename at `at` in `entry` (-1: not written as such). */
function wheelRequirement(ctx: FileContext, entry: MappedText, filename: string, at: number): LinkResult {
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
          MappedText.synthetic(
            `==${version}`,
            where.offsetAt(wheel.name.length + 1),
            where.span(wheel.name.length + 1, wheel.name.length + 1 + wheel.version.length).end,
          ),
        ])
      : MappedText.synthetic(name + `==${version}`, whole.start, whole.end);
  const d = parseMapped(ctx, mapped.withText(name + `==${version}`), false, []);
  if (!d) return false;
  return { name: d.name, rawName: wheel.name, nameSpan: d.nameSpan, specifier: d.specifier, extras: d.extras };
}

/** pip's Link.egg_fragment: the requirement after `#egg=` (or `&egg=`) in the URL at `at` in `entry`. */
function eggRequirement(ctx: FileContext, entry: MappedText, url: string, at: number): LinkResult {
  const egg = eggFragment(url);
  if (!egg) return null;
  const d = parseMapped(ctx, entry.slice(at + egg.index, at + egg.index + egg.name.length), false, []);
  if (!d) return false;
  return { name: d.name, rawName: d.rawName, nameSpan: d.nameSpan, specifier: d.specifier, extras: d.extras };
}

/** pip's parse_req_from_line for the arguments part of a line. */
export function parseRequirementArgs(ctx: FileContext, args: MappedText, options: string[]): void {
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
    if (urlScheme(linkUrl) === 'file' && linkUrl.includes('../'))
      linkUrl = pathToUrl(resolvePath(ctx, urlPath(linkUrl)));
    const filename = baseName(urlPath(name));
    const got =
      splitExt(filename)[1] === '.whl'
        ? wheelRequirement(ctx, entry, filename, name.lastIndexOf(filename))
        : eggRequirement(ctx, entry, name, 0);
    if (got === false) return;
    addDependency(
      ctx,
      linkDependency(ctx, entry, got, { url: linkUrl, marker: markerText, editable: false, extras: [], options }),
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
  const got =
    splitExt(filename)[1] === '.whl' ? wheelRequirement(ctx, entry, filename, base.lastIndexOf(filename)) : null;
  if (got === false) return;
  addDependency(
    ctx,
    linkDependency(ctx, entry, got, { url: linkUrl, marker: markerText, editable: false, extras: extraList, options }),
  );
}

/** pip's parse_editable: a local project directory or a VCS URL (named by `#egg=`). */
export function parseEditable(ctx: FileContext, valueText: MappedText, value: string): void {
  // The value may have come out of shell quoting; use the mapped text when it is the same string.
  const mapped =
    valueText.text === value
      ? valueText
      : MappedText.synthetic(value, valueText.offsetAt(0), valueText.span(0, valueText.length).end);
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
      linkDependency(ctx, mapped, req, { url, marker: '', editable: true, extras: extraList, options: [] }),
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
      `${value} is not a valid editable requirement. It should either be a path to ` +
        `a local project or a VCS URL (beginning with ${VCS_SCHEMES.join(', ')}).`,
    );
    return;
  }
  const egg = eggFragment(value);
  if (!egg || !egg.name) {
    addFinding(
      ctx,
      mapped.span(0, mapped.length),
      `Could not detect requirement name for '${value}', please specify one with #egg=your_package_name`,
    );
    return;
  }
  const got = eggRequirement(ctx, mapped, value, 0);
  if (!got) return;
  addDependency(ctx, linkDependency(ctx, mapped, got, { url, marker: '', editable: true, extras: [], options: [] }));
}
