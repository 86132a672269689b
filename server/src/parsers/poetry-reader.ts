// Reads Poetry's tables of a pyproject.toml (`[tool.poetry]` dependencies, dev dependencies, groups and extras) into
// the shared model; the constraints are translated to PEP 440 by poetry.ts.
import type { Dependency, Span } from '../model/types';
import { canonicalizeName, isValidName } from '../pep/name';
import { parseRequirement } from '../pep/requirement';
import {
  andMarkers,
  parsePoetryConstraint,
  poetryConstraintToPep440,
  poetryPythonMarker,
  PoetryConstraintError,
} from './poetry';
import { normalizeExtra } from './requirement-entry';
import { at, describeNode, type StringInfo, type TomlReader, type VEntry, type VTable } from './toml-tree';

/** `[tool.poetry.extras]`: extra -> the package names it lists, with where each is written. */
export type PoetryExtras = Map<string, Array<{ name: string; span: Span; raw: string }>>;

/** Reads `[tool.poetry]` through a TOML reader (its findings), adding the dependencies to the given list. */
export class PoetryReader {
  readonly extras: PoetryExtras = new Map();
  /** The main dependencies' `python` entry as PEP 440 ('' when absent or invalid). */
  requiresPython = '';

  constructor(
    private readonly r: TomlReader,
    private readonly dependencies: Dependency[],
  ) {}

  /** Reads `[tool.poetry]`: the main, dev and group dependency tables and the extras. */
  read(entry: VEntry | undefined): void {
    const poetry = this.r.table(entry, 'tool.poetry');
    if (!poetry) return;
    this.poetrySection(poetry.entries.get('dependencies'), 'tool.poetry.dependencies', true);
    this.readPoetryExtras(poetry.entries.get('extras'));
    this.poetrySection(poetry.entries.get('dev-dependencies'), 'tool.poetry.dev-dependencies', false);
    const groups = this.r.table(poetry.entries.get('group'), 'tool.poetry.group');
    if (!groups) return;
    for (const [rawName, e] of groups.entries) {
      const name = canonicalizeName(rawName);
      const group = this.r.table(e, `tool.poetry.group.${rawName}`);
      if (group) this.poetrySection(group.entries.get('dependencies'), `tool.poetry.group.${name}.dependencies`, false);
    }
  }

  /** `[tool.poetry.extras]`: each extra lists the optional dependencies it installs, by name. */
  private readPoetryExtras(entry: VEntry | undefined): void {
    const extras = this.r.table(entry, 'tool.poetry.extras');
    if (!extras) return;
    for (const [rawExtra, e] of extras.entries) {
      if (!isValidName(rawExtra)) this.r.finding(e.keySpan, `'${rawExtra}' is not a valid extra name`);
      const extra = normalizeExtra(rawExtra);
      const names = this.extras.get(extra) ?? this.extras.set(extra, []).get(extra)!;
      const arr = this.r.array(e, `tool.poetry.extras.${rawExtra}`);
      if (!arr) continue;
      for (const item of arr.items) {
        const s = this.r.string(item, `An entry of 'tool.poetry.extras.${rawExtra}'`);
        if (!s) continue;
        // Poetry takes the name before any extras or version written after it.
        const raw = s.value.trim().split(/[\s[<>=!~;(]/)[0]!;
        if (!isValidName(raw)) this.r.finding(at(s), `'${s.value}' is not a valid package name`);
        else names.push({ name: canonicalizeName(raw), span: at(s), raw });
      }
    }
  }

  private poetrySection(entry: VEntry | undefined, section: string, main: boolean): void {
    const deps = this.r.table(entry, section);
    if (!deps) return;
    for (const [name, e] of deps.entries) {
      // The `python` entry of the main dependencies is the project's Python, not a package.
      if (main && name.toLowerCase() === 'python') this.poetryPython(e);
      else this.poetryDependency(name, e, section);
    }
  }

  private poetryPython(e: VEntry): void {
    const s = this.r.string(e.value, "Poetry's 'python'");
    if (!s) return;
    try {
      const { specifier } = poetryConstraintToPep440(parsePoetryConstraint(s.value));
      if (this.requiresPython === '') this.requiresPython = specifier;
    } catch (err) {
      this.r.finding(at(s), this.poetryMessage(err, s.value));
    }
  }

  private poetryMessage(err: unknown, value: string): string {
    if (err instanceof PoetryConstraintError) return `Invalid Poetry version constraint: ${err.message}`;
    return `Invalid version constraint '${value}'${err instanceof Error ? `: ${err.message}` : ''}`;
  }

  private poetryDependency(rawName: string, e: VEntry, section: string): void {
    if (!isValidName(rawName)) {
      this.r.finding(e.keySpan, `'${rawName}' is not a valid package name`);
      return;
    }
    const v = e.value;
    if (v.kind === 'table') this.poetryTable(rawName, e.keySpan, v, e.span, section);
    else if (v.kind === 'array') {
      for (const item of v.items) {
        if (item.kind === 'table') this.poetryTable(rawName, e.keySpan, item, item.span, section);
        else this.r.finding(item.span, `Each constraint of '${rawName}' must be a table, not ${describeNode(item)}`);
      }
    } else {
      const s = this.r.string(v, `The version of '${rawName}'`);
      if (!s) return;
      const span = s.content ?? s.token;
      const spec = this.poetrySpecifier(s);
      if (!spec) return;
      this.dependencies.push(this.poetryDep(rawName, e.keySpan, span, span, section, spec, [], '', null, false));
    }
  }

  private poetrySpecifier(s: StringInfo): { specifier: string; unknown: boolean } | null {
    try {
      return poetryConstraintToPep440(parsePoetryConstraint(s.value));
    } catch (err) {
      this.r.finding(at(s), this.poetryMessage(err, s.value));
      return null;
    }
  }

  /** One `{version, extras, python, markers, ...}` table (inline, `[header]`, dotted keys or an array item). */
  private poetryTable(rawName: string, nameSpan: Span, t: VTable, span: Span, section: string): void {
    // Every string field is read (and its type checked) once.
    const fields = new Map<string, StringInfo | null>();
    for (const key of [
      'version',
      'markers',
      'python',
      'platform',
      'git',
      'path',
      'url',
      'rev',
      'tag',
      'branch',
      'subdirectory',
      'source',
    ]) {
      const e = t.entries.get(key);
      fields.set(key, e ? this.r.string(e.value, `'${rawName}'.${key}`) : null);
    }
    const str = (key: string): StringInfo | null => fields.get(key) ?? null;
    let spec = { specifier: '', unknown: false };
    let specifierSpan: Span = { start: nameSpan.end, end: nameSpan.end };
    const version = str('version');
    if (version) {
      const translated = this.poetrySpecifier(version);
      if (!translated) return;
      spec = translated;
      specifierSpan = version.content ?? version.token;
    } else if (t.entries.has('version')) return;

    const extras: string[] = [];
    const extrasEntry = t.entries.get('extras');
    if (extrasEntry) {
      if (extrasEntry.value.kind !== 'array')
        this.r.finding(
          extrasEntry.value.span,
          `'${rawName}'.extras must be an array of strings, not ${describeNode(extrasEntry.value)}`,
        );
      else {
        for (const item of extrasEntry.value.items) {
          const s = this.r.string(item, `An extra of '${rawName}'`);
          if (s) extras.push(s.value);
        }
      }
    }

    const markers: string[] = [];
    const written = str('markers');
    if (written) {
      try {
        parseRequirement(`x ; ${written.value}`);
        markers.push(written.value);
      } catch (err) {
        this.r.finding(
          at(written),
          `Invalid marker '${written.value}'${err instanceof Error ? `: ${err.message}` : ''}`,
        );
      }
    }
    const python = str('python');
    if (python) {
      try {
        markers.push(poetryPythonMarker(python.value));
      } catch (err) {
        this.r.finding(at(python), this.poetryMessage(err, python.value));
      }
    }
    const platform = str('platform');
    if (platform) markers.push(`sys_platform == "${platform.value.replace(/"/g, '')}"`);

    for (const key of ['develop', 'optional', 'allow-prereleases', 'allows-prereleases']) {
      const e = t.entries.get(key);
      if (e && !(e.value.kind === 'value' && e.value.node.kind === 'boolean'))
        this.r.finding(e.value.span, `'${rawName}'.${key} must be true or false, not ${describeNode(e.value)}`);
    }
    const develop = t.entries.get('develop');
    const editable = develop?.value.kind === 'value' && develop.value.node.value === true;

    let url: string | null = null;
    const git = str('git');
    const path = str('path');
    const direct = str('url');
    if (git) {
      const ref = str('rev') ?? str('tag') ?? str('branch');
      const sub = str('subdirectory');
      url =
        (git.value.startsWith('git+') ? git.value : `git+${git.value}`) +
        (ref ? `@${ref.value}` : '') +
        (sub ? `#subdirectory=${sub.value}` : '');
    } else if (path) url = path.value;
    else if (direct) url = direct.value;

    const dep = this.poetryDep(
      rawName,
      nameSpan,
      span,
      specifierSpan,
      section,
      spec,
      extras,
      andMarkers(markers),
      url,
      editable,
    );
    // An optional main dependency is installed only through the [tool.poetry.extras] that list it.
    const optional = t.entries.get('optional');
    if (
      section === 'tool.poetry.dependencies' &&
      optional?.value.kind === 'value' &&
      optional.value.node.value === true
    )
      dep.optional = true;
    this.dependencies.push(dep);
  }

  private poetryDep(
    rawName: string,
    nameSpan: Span,
    span: Span,
    specifierSpan: Span,
    section: string,
    spec: { specifier: string; unknown: boolean },
    extras: string[],
    marker: string,
    url: string | null,
    editable: boolean,
  ): Dependency {
    return {
      file: this.r.path,
      kind: 'requirement',
      name: canonicalizeName(rawName),
      rawName,
      extras: [...new Set(extras.map(normalizeExtra))].sort(),
      specifier: spec.specifier,
      marker,
      url,
      editable,
      section,
      span: { ...span },
      nameSpan: { ...nameSpan },
      specifierSpan: { ...specifierSpan },
      text: this.r.text.slice(span.start, span.end),
      ...(spec.unknown ? { specifierUnknown: true } : {}),
    };
  }
}
