// What the lock file parsers share: the file they return, the shape checks of their tables, and one locked entry.
import { finding } from '../model/finding';
import type { Severity } from '../model/codes';
import type {
  FileKind,
  LockFormat,
  LockSource,
  LockedPackage,
  ParsedFile,
  RecordedRequirement,
  Span,
} from '../model/types';
import { canonicalizeName } from '../pep/name';
import { normalizeExtra } from './requirement-entry';
import { readLockToml, str, stringSpan, type LArray, type LEntry, type LTable, type LValue } from './lock-toml';
import { emptyParsedFile } from '../model/parsed-file';

/** Lock files larger than this are not read (uv's locks of very large workspaces reach a few MB). */
export const MAX_LOCK_LENGTH = 16 * 1024 * 1024;

const describe = (v: LValue): string =>
  v.kind === 'table'
    ? 'a table'
    : v.kind === 'array'
      ? 'an array'
      : v.kind === 'string'
        ? 'a string'
        : v.kind === 'bare'
          ? `'${v.raw}'`
          : 'a value';

/** One lock file being read: its findings and the shape checks every format needs. */
export class LockReader {
  readonly file: ParsedFile & { lock: NonNullable<ParsedFile['lock']> };

  constructor(
    readonly path: string,
    readonly text: string,
    kind: FileKind,
    format: LockFormat,
  ) {
    this.file = {
      ...emptyParsedFile(path, kind, text),
      lock: { format, version: '', requiresPython: '', universal: true, packages: [] },
    };
  }

  finding(span: Span, message: string, severity: Severity = 'error'): void {
    this.file.findings.push(finding('syntax', this.path, span, message, { severity }));
  }

  /** The TOML root, or null when the file is too large (said so); `shallow`: keys whose values are only spanned. */
  root(fileName: string, shallow?: ReadonlySet<string>): LTable | null {
    if (this.text.length > MAX_LOCK_LENGTH) {
      const nl = this.text.indexOf('\n');
      this.finding(
        { start: 0, end: nl > 0 ? nl : Math.min(this.text.length, 200) },
        `The file has ${this.text.length} characters; ${fileName} files over ${MAX_LOCK_LENGTH} are not read`,
      );
      return null;
    }
    const toml = readLockToml(this.text, shallow);
    if (toml.error) this.finding(toml.error.span, `${toml.error.message}; the rest of the file was not read`);
    return toml.root;
  }

  table(e: LEntry | undefined, what: string): LTable | null {
    if (!e) return null;
    if (e.value.kind === 'table') return e.value;
    this.finding(e.value.span, `'${what}' must be a table, not ${describe(e.value)}`);
    return null;
  }

  array(e: LEntry | undefined, what: string): LArray | null {
    if (!e) return null;
    if (e.value.kind === 'array') return e.value;
    this.finding(e.value.span, `'${what}' must be an array, not ${describe(e.value)}`);
    return null;
  }

  /** The tables of an array of tables (a finding on each item that is not one). */
  tables(e: LEntry | undefined, what: string): LTable[] {
    const arr = this.array(e, what);
    if (!arr) return [];
    const out: LTable[] = [];
    for (const item of arr.items)
      if (item.kind === 'table') out.push(item);
      else this.finding(item.span, `An entry of '${what}' must be a table, not ${describe(item)}`);
    return out;
  }

  /** A string entry's value and span, or null (with a finding when it is something else). */
  string(t: LTable, key: string, what: string): { value: string; span: Span } | null {
    const e = t.entries.get(key);
    if (!e) return null;
    const s = str(e.value);
    if (!s) {
      this.finding(e.value.span, `'${what}' must be a string, not ${describe(e.value)}`);
      return null;
    }
    return { value: s.value, span: stringSpan(s) };
  }

  /** An array of strings (items that are not strings get a finding and are left out). */
  strings(t: LTable, key: string, what: string): { value: string; span: Span }[] {
    const arr = this.array(t.entries.get(key), what);
    if (!arr) return [];
    const out: { value: string; span: Span }[] = [];
    for (const item of arr.items) {
      const s = str(item);
      if (s) out.push({ value: s.value, span: stringSpan(s) });
      else this.finding(item.span, `An entry of '${what}' must be a string, not ${describe(item)}`);
    }
    return out;
  }

  /** A locked package entry with the name and version of table `t` (null, with a finding, without a name). */
  entry(
    t: LTable,
    what: string,
    rest: { source: LockSource; marker?: string; dependencies?: string[]; wheels?: string[]; sdist?: boolean },
  ): LockedPackage | null {
    const name = this.string(t, 'name', `${what}.name`);
    if (!name) {
      this.finding(t.span.start === t.span.end ? t.span : headerSpan(this.text, t.span), `A ${what} entry has no name`);
      return null;
    }
    const version = this.string(t, 'version', `${what}.version`);
    const pkg: LockedPackage = {
      file: this.path,
      ecosystem: 'pypi',
      name: canonicalizeName(name.value),
      rawName: name.value,
      version: version?.value ?? '',
      source: rest.source,
      marker: rest.marker ?? '',
      dependencies: rest.dependencies ?? [],
      wheels: rest.wheels ?? [],
      sdist: rest.sdist ?? false,
      span: { ...t.span },
      nameSpan: name.span,
      versionSpan: version?.span ?? { start: name.span.end, end: name.span.end },
    };
    this.file.lock.packages.push(pkg);
    return pkg;
  }
}

/** The first line of a table's span (its header). */
export function headerSpan(text: string, span: Span): Span {
  const nl = text.indexOf('\n', span.start);
  return { start: span.start, end: nl < 0 || nl > span.end ? span.end : nl };
}

/** The file name a URL or path ends with (percent-decoded). */
export function fileNameOf(urlOrPath: string): string {
  const clean = urlOrPath.replace(/[?#].*$/, '');
  const last = clean.slice(clean.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** A PEP 508 string for a dependency a lock records by parts. */
export function requirementString(name: string, extras: readonly string[], specifier: string, marker: string): string {
  return `${name}${extras.length ? `[${extras.join(',')}]` : ''}${specifier}${marker ? ` ; ${marker}` : ''}`;
}

/** A recorded requirement of an inline table `{ name, extra?, specifier?, marker?, <source> }` (uv's shape). */
export function recordedRequirement(r: LockReader, t: LTable, what: string): RecordedRequirement | null {
  const name = r.string(t, 'name', `${what}.name`);
  if (!name) {
    r.finding(t.span, `An entry of '${what}' has no name`);
    return null;
  }
  const extras = r
    .strings(t, 'extras', `${what}.extras`)
    .concat(r.strings(t, 'extra', `${what}.extra`))
    .map((e) => normalizeExtra(e.value))
    .sort();
  let source: RecordedRequirement['source'] = null;
  for (const kind of ['index', 'git', 'url', 'path', 'editable', 'directory'] as const) {
    const v = t.entries.has(kind) ? r.string(t, kind, `${what}.${kind}`) : null;
    if (v) {
      source = { kind, value: v.value };
      break;
    }
  }
  return {
    name: canonicalizeName(name.value),
    rawName: name.value,
    extras,
    specifier: r.string(t, 'specifier', `${what}.specifier`)?.value ?? '',
    marker: r.string(t, 'marker', `${what}.marker`)?.value ?? '',
    source,
    span: t.span,
  };
}
