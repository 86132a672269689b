// uv's resolution settings of a pyproject's `[tool.uv]`: `conflicts`, `default-groups`, `environments`,
// `required-environments`, `exclude-dependencies` and the per-package tables of `override-dependencies`, with their
// spans, checked against the extras and groups the project declares.
import type { Span, UvConflictItem, UvExclusion, UvResolution, UvScopedOverride } from '../model/types';
import { Marker, MarkerError } from '../pep/marker';
import { canonicalizeName, isValidName } from '../pep/name';
import { parseRequirement, RequirementError } from '../pep/requirement';
import { Version } from '../pep/version';
import { normalizeExtra } from './requirement-entry';
import type { TomlReader, VEntry, VNode, VTable } from './toml-tree';

/** The extras and dependency groups a project declares (normalized), which `conflicts` and `default-groups` name. */
export interface DeclaredScopes {
  project: string | null;
  extras: ReadonlySet<string>;
  groups: ReadonlySet<string>;
}

/** Reads the settings of a `[tool.uv]` table (empty where none is written). Problems are `syntax` findings. */
export function readUvResolution(reader: TomlReader, uv: VTable, declared: DeclaredScopes): UvResolution {
  const out: UvResolution = {
    conflicts: [],
    defaultGroups: null,
    environments: [],
    environmentsSpan: uv.entries.get('environments')?.keySpan ?? null,
    requiredEnvironments: [],
    excludes: readExcludes(reader, uv.entries.get('exclude-dependencies')),
    scopedOverrides: readScopedOverrides(reader, uv.entries.get('override-dependencies')),
  };
  const conflicts = reader.array(uv.entries.get('conflicts'), 'tool.uv.conflicts', 'arrays of tables');
  if (conflicts) {
    for (const set of conflicts.items) {
      if (set.kind !== 'array') {
        reader.finding(
          set.span,
          "Each entry of 'tool.uv.conflicts' must be an array of { extra = ... } or { group = ... }",
        );
        continue;
      }
      const items: UvConflictItem[] = [];
      for (const item of set.items) {
        const it = conflictItem(reader, item.kind === 'table' ? item : null, item.span, declared);
        if (it) items.push(it);
      }
      if (items.length < 2)
        reader.finding(set.span, 'A conflict names at least two extras or groups (uv refuses one alone)');
      else out.conflicts.push({ items, span: set.span });
    }
  }
  const dg = uv.entries.get('default-groups');
  if (dg) {
    out.defaultGroups = defaultGroups(reader, dg, declared);
  }
  for (const [key, target] of [
    ['environments', out.environments],
    ['required-environments', out.requiredEnvironments],
  ] as const) {
    const entry = uv.entries.get(key);
    if (!entry) continue;
    // uv accepts one marker string too.
    const nodes = entry.value.kind === 'array' ? entry.value.items : [entry.value];
    for (const node of nodes) {
      const s = reader.string(node, `An entry of 'tool.uv.${key}'`);
      if (!s) continue;
      const span = s.content ?? s.token;
      try {
        target.push({ marker: Marker.parse(s.value).toString(), span: { ...span } });
      } catch (e) {
        if (!(e instanceof MarkerError)) throw e;
        reader.finding(span, `'${s.value}' is not a valid PEP 508 marker: ${e.message}`);
      }
    }
  }
  if (out.defaultGroups && out.defaultGroups.groups !== 'all') {
    const defaults = out.defaultGroups.groups;
    for (const c of out.conflicts) {
      const both = c.items.filter((i) => i.kind === 'group' && i.package === null && defaults.includes(i.name));
      if (both.length > 1)
        reader.finding(
          out.defaultGroups.span,
          `uv sync installs the default groups together, and 'tool.uv.conflicts' declares ` +
            `${both.map((i) => `'${i.name}'`).join(' and ')} never installed together: uv sync stops with ` +
            `"Groups ... are incompatible with the declared conflicts"`,
        );
    }
  } else if (out.defaultGroups?.groups === 'all') {
    for (const c of out.conflicts)
      if (c.items.filter((i) => i.kind === 'group' && i.package === null).length > 1)
        reader.finding(
          out.defaultGroups.span,
          `default-groups = "all" installs every group, and 'tool.uv.conflicts' declares groups that are never ` +
            `installed together: uv sync stops`,
        );
  }
  return out;
}

function conflictItem(
  reader: TomlReader,
  table: VTable | null,
  span: Span,
  declared: DeclaredScopes,
): UvConflictItem | null {
  const shape =
    'An item of a conflict must be a table { extra = "NAME" } or { group = "NAME" } (with optional \'package\')';
  if (!table) {
    reader.finding(span, shape);
    return null;
  }
  const text = (key: string): string | null | undefined => {
    const e = table.entries.get(key);
    if (!e) return undefined;
    return reader.string(e.value, `'${key}'`)?.value ?? null;
  };
  const extra = text('extra');
  const group = text('group');
  const pkg = text('package');
  if (extra === null || group === null || pkg === null) return null;
  for (const key of table.entries.keys())
    if (!['extra', 'group', 'package'].includes(key)) {
      reader.finding(table.entries.get(key)!.keySpan, `Unknown key '${key}' in a conflict item`);
      return null;
    }
  if (extra !== undefined && group !== undefined) {
    reader.finding(span, 'A conflict item names an extra or a group, not both');
    return null;
  }
  const pkgName = pkg === undefined ? null : canonicalizeName(pkg);
  // The project itself, named with `package`, is the same as no `package`.
  const own = pkgName === null || pkgName === declared.project;
  if (extra === undefined && group === undefined) {
    if (own) {
      reader.finding(span, shape);
      return null;
    }
    return { kind: 'package', name: pkgName!, package: pkgName, span };
  }
  const kind = extra !== undefined ? 'extra' : 'group';
  const name = kind === 'extra' ? normalizeExtra(extra!) : canonicalizeName(group!);
  if (own && !(kind === 'extra' ? declared.extras : declared.groups).has(name))
    reader.finding(
      span,
      `The conflict names ${kind} '${kind === 'extra' ? extra : group}', which this project does not define`,
      'warning',
    );
  return { kind, name, package: own ? null : pkgName, span };
}

function defaultGroups(reader: TomlReader, entry: VEntry, declared: DeclaredScopes): UvResolution['defaultGroups'] {
  const span = entry.span;
  if (entry.value.kind === 'value' && entry.value.node.kind === 'string') {
    const s = reader.string(entry.value, "'tool.uv.default-groups'");
    if (s?.value === 'all') return { groups: 'all', span };
    reader.finding(entry.value.span, `'tool.uv.default-groups' must be "all" or an array of group names`);
    return null;
  }
  const arr = reader.array(entry, 'tool.uv.default-groups', 'group names');
  if (!arr) return null;
  const groups: string[] = [];
  for (const item of arr.items) {
    const s = reader.string(item, "An entry of 'tool.uv.default-groups'");
    if (!s) continue;
    const name = canonicalizeName(s.value);
    if (!declared.groups.has(name))
      reader.finding(
        item.span,
        `Default group '${s.value}' is not defined in the project's dependency groups; uv stops with ` +
          `"Default group \`${s.value}\` (from \`tool.uv.default-groups\`) is not defined"`,
      );
    else groups.push(name);
  }
  return { groups, span };
}

/**
 * `{ package = { name = "bar", version = "0.0.5" }, dependencies = [...] }`: the package (and version, or every one)
 * whose own dependencies an entry of `exclude-dependencies` or `override-dependencies` changes. Null (reported) when
 * the table is not of that shape.
 */
function packageScope(
  reader: TomlReader,
  table: VTable,
  key: string,
): { package: { name: string; version: string | null }; dependencies: VNode[] } | null {
  const shape = `A table in 'tool.uv.${key}' must be { package = { name = "NAME", version = "X" }, dependencies = [...] }`;
  const pkg = table.entries.get('package');
  const deps = table.entries.get('dependencies');
  if (!pkg || !deps || pkg.value.kind !== 'table' || deps.value.kind !== 'array' || table.entries.size !== 2) {
    reader.finding(table.span, shape);
    return null;
  }
  const nameEntry = pkg.value.entries.get('name');
  const versionEntry = pkg.value.entries.get('version');
  const name = nameEntry ? reader.string(nameEntry.value, "'package.name'") : null;
  if (!name || !isValidName(name.value)) {
    if (!nameEntry || name) reader.finding(pkg.value.span, shape);
    return null;
  }
  let version: string | null = null;
  if (versionEntry) {
    const v = reader.string(versionEntry.value, "'package.version'");
    if (!v) return null;
    if (!Version.parse(v.value)) {
      reader.finding(versionEntry.value.span, `'${v.value}' is not a PEP 440 version`);
      return null;
    }
    version = v.value;
  }
  return { package: { name: canonicalizeName(name.value), version }, dependencies: deps.value.items };
}

/** `exclude-dependencies`: package names, or tables that remove names from one package's dependencies. */
function readExcludes(reader: TomlReader, entry: VEntry | undefined): UvExclusion[] {
  const out: UvExclusion[] = [];
  const arr = reader.array(entry, 'tool.uv.exclude-dependencies', 'package names');
  if (!arr) return out;
  const names = (nodes: VNode[]): string[] | null => {
    const list: string[] = [];
    for (const node of nodes) {
      const s = reader.string(node, "An entry of 'tool.uv.exclude-dependencies'");
      if (!s) return null;
      // uv reads a package name here, not a requirement: `torch>=2` stops uv lock.
      if (!isValidName(s.value.trim())) {
        reader.finding(s.content ?? s.token, `'${s.value}' is not a package name (uv takes names only here)`);
        return null;
      }
      list.push(canonicalizeName(s.value.trim()));
    }
    return list;
  };
  for (const item of arr.items) {
    if (item.kind === 'table') {
      const scoped = packageScope(reader, item, 'exclude-dependencies');
      const list = scoped && names(scoped.dependencies);
      if (scoped && list) out.push({ names: list, package: scoped.package, span: item.span });
      continue;
    }
    const list = names([item]);
    if (list) out.push({ names: list, package: null, span: item.span });
  }
  return out;
}

/** The tables of `override-dependencies` (its strings are read as override requirements by the pyproject reader). */
function readScopedOverrides(reader: TomlReader, entry: VEntry | undefined): UvScopedOverride[] {
  const out: UvScopedOverride[] = [];
  if (entry?.value.kind !== 'array') return out;
  for (const item of entry.value.items) {
    if (item.kind !== 'table') continue;
    const scoped = packageScope(reader, item, 'override-dependencies');
    if (!scoped) continue;
    const requirements: string[] = [];
    for (const node of scoped.dependencies) {
      const s = reader.string(node, `An entry of the dependencies of a scoped override`);
      if (!s) continue;
      try {
        const r = parseRequirement(s.value);
        // uv takes version specifiers only here (no URL, path or git source).
        if (r.url) reader.finding(s.content ?? s.token, 'A scoped override takes a version specifier, not a URL');
        else requirements.push(s.value);
      } catch (e) {
        if (!(e instanceof RequirementError)) throw e;
        reader.finding(s.content ?? s.token, `'${s.value}' is not a valid requirement: ${e.message}`);
      }
    }
    out.push({ package: scoped.package, requirements, span: item.span });
  }
  return out;
}
