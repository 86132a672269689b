// Reads the uv settings of a pyproject.toml that decide where each package is looked up: `[[tool.uv.index]]`,
// `[tool.uv.sources]`, the older `index-url` / `extra-index-url`, `index-strategy` and `default-groups`.
import type { Span, UvIndex, UvIndexSettings, UvSource } from '../model/types';
import { Marker } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { normalizeExtra } from './requirement-entry';
import { at, type TomlReader, type VEntry, type VNode, type VTable } from './toml-tree';

/** uv's rule for index names: ASCII letters and digits, dashes, underscores and periods. */
const INDEX_NAME = /^[A-Za-z0-9._-]+$/;

/** The source keys that say where a package comes from; exactly one of them per entry. */
const SOURCE_KINDS = ['index', 'url', 'path', 'git', 'workspace'] as const;

/** Keys a source entry may carry besides its kind (git's refs, path's `editable`, the selectors). */
const SOURCE_KEYS = new Set([
  ...SOURCE_KINDS,
  'marker',
  'extra',
  'group',
  'rev',
  'tag',
  'branch',
  'subdirectory',
  'editable',
  'package',
  'lfs',
]);

/** Reads the index settings of `[tool.uv]`; wrong shapes become `syntax` findings on the reader. */
export function readUvIndexSettings(reader: TomlReader, uv: VTable): UvIndexSettings {
  const settings: UvIndexSettings = {
    indexes: readIndexes(reader, uv.entries.get('index')),
    sources: new Map(),
    indexUrl: null,
    extraIndexUrls: [],
    indexStrategy: 'first-index',
    defaultGroups: null,
    defaultGroupsSpan: null,
  };
  const indexUrl = uv.entries.get('index-url');
  if (indexUrl) {
    const s = reader.string(indexUrl.value, "'tool.uv.index-url'");
    if (s) settings.indexUrl = { url: s.value, span: at(s) };
  }
  const extra = reader.array(uv.entries.get('extra-index-url'), 'tool.uv.extra-index-url', 'URL strings');
  for (const item of extra?.items ?? []) {
    const s = reader.string(item, "An entry of 'tool.uv.extra-index-url'");
    if (s) settings.extraIndexUrls.push({ url: s.value, span: at(s) });
  }
  const strategy = uv.entries.get('index-strategy');
  if (strategy) {
    const s = reader.string(strategy.value, "'tool.uv.index-strategy'");
    if (s) settings.indexStrategy = s.value;
  }
  const groups = uv.entries.get('default-groups');
  if (groups) {
    settings.defaultGroupsSpan = groups.value.span;
    if (groups.value.kind === 'value' && groups.value.node.kind === 'string' && groups.value.node.value === 'all')
      settings.defaultGroups = 'all';
    else {
      const arr = reader.array(groups, 'tool.uv.default-groups', 'group names (or "all")');
      if (arr)
        settings.defaultGroups = arr.items.flatMap((item) => {
          const s = reader.string(item, "An entry of 'tool.uv.default-groups'");
          return s ? [canonicalizeName(s.value)] : [];
        });
    }
  }
  const sources = reader.table(uv.entries.get('sources'), 'tool.uv.sources');
  const names = new Set(settings.indexes.map((i) => i.name).filter((n) => n !== ''));
  for (const [rawName, e] of sources?.entries ?? []) {
    const entries = readSource(reader, e, `tool.uv.sources.${rawName}`, names);
    const name = canonicalizeName(rawName);
    const had = settings.sources.get(name);
    if (had) reader.finding(e.keySpan, `'${rawName}' has sources already (names are compared normalized)`);
    else settings.sources.set(name, { keySpan: e.keySpan, entries });
  }
  return settings;
}

function readIndexes(reader: TomlReader, entry: VEntry | undefined): UvIndex[] {
  if (!entry) return [];
  if (entry.value.kind !== 'array') {
    reader.finding(entry.value.span, `'tool.uv.index' must be an array of tables ([[tool.uv.index]])`);
    return [];
  }
  const out: UvIndex[] = [];
  const seen = new Set<string>();
  for (const item of entry.value.items) {
    if (item.kind !== 'table') {
      reader.finding(item.span, `An entry of 'tool.uv.index' must be a table with a url`);
      continue;
    }
    const url = item.entries.get('url');
    const u = url ? reader.string(url.value, "An index's 'url'") : null;
    if (!url) reader.finding(item.span, `An entry of 'tool.uv.index' needs a url`);
    if (!u) continue;
    let name = '';
    let nameSpan: Span | null = null;
    const n = item.entries.get('name');
    if (n) {
      const s = reader.string(n.value, "An index's 'name'");
      if (s && !INDEX_NAME.test(s.value))
        reader.finding(at(s), `'${s.value}' is not a valid index name (letters, digits, '-', '_' and '.' only)`);
      else if (s) {
        if (seen.has(s.value)) reader.finding(at(s), `Index '${s.value}' is defined twice; uv uses the first`);
        else {
          name = s.value;
          nameSpan = at(s);
          seen.add(name);
        }
      }
    }
    out.push({
      name,
      url: u.value,
      explicit: flag(reader, item, 'explicit'),
      default: flag(reader, item, 'default'),
      span: item.span,
      nameSpan,
      urlSpan: at(u),
    });
  }
  return out;
}

function flag(reader: TomlReader, table: VTable, key: string): boolean {
  const e = table.entries.get(key);
  if (!e) return false;
  if (e.value.kind === 'value' && e.value.node.kind === 'boolean') return e.value.node.value === true;
  reader.finding(e.value.span, `An index's '${key}' must be true or false`);
  return false;
}

/** A package's sources: one table, or a list of tables told apart by `marker`, `extra` or `group`. */
function readSource(reader: TomlReader, e: VEntry, section: string, indexNames: Set<string>): UvSource[] {
  const items: VNode[] = e.value.kind === 'array' ? e.value.items : [e.value];
  const out: UvSource[] = [];
  for (const item of items) {
    if (item.kind !== 'table') {
      reader.finding(item.span, `'${section}' must be a table or a list of tables`);
      continue;
    }
    const source = readSourceTable(reader, item, section, indexNames);
    if (source) out.push(source);
  }
  return out;
}

function readSourceTable(reader: TomlReader, t: VTable, section: string, indexNames: Set<string>): UvSource | null {
  for (const [key, e] of t.entries)
    if (!SOURCE_KEYS.has(key)) reader.finding(e.keySpan, `'${key}' is not a key of a uv source`, 'warning');
  const kinds = SOURCE_KINDS.filter((k) => t.entries.has(k));
  if (kinds.length !== 1) {
    reader.finding(
      t.span,
      `A source in '${section}' must name exactly one of index, url, path, git or workspace` +
        (kinds.length ? ` (it names ${kinds.join(', ')})` : ''),
    );
    return null;
  }
  const kind = kinds[0]!;
  const e = t.entries.get(kind)!;
  let target = '';
  let targetSpan = e.value.span;
  if (kind === 'workspace') {
    if (!(e.value.kind === 'value' && e.value.node.kind === 'boolean' && e.value.node.value === true)) {
      reader.finding(e.value.span, `'workspace' must be true`);
      return null;
    }
  } else {
    const s = reader.string(e.value, `'${kind}' of a source in '${section}'`);
    if (!s) return null;
    target = s.value;
    targetSpan = at(s);
    if (kind === 'index' && !indexNames.has(target))
      reader.finding(targetSpan, `No [[tool.uv.index]] in this file is named '${target}'`);
  }
  const selector = (key: string): string | null => {
    const v = t.entries.get(key);
    if (!v) return null;
    const s = reader.string(v.value, `'${key}' of a source in '${section}'`);
    return s ? s.value : null;
  };
  let marker = selector('marker') ?? '';
  if (marker) {
    try {
      marker = Marker.parse(marker).toString();
    } catch (err) {
      reader.finding(t.entries.get('marker')!.value.span, `Invalid marker: ${(err as Error).message}`);
      return null;
    }
  }
  const extra = selector('extra');
  const group = selector('group');
  return {
    kind,
    target,
    marker,
    extra: extra === null ? null : normalizeExtra(extra),
    group: group === null ? null : canonicalizeName(group),
    span: t.span,
    targetSpan,
  };
}

/**
 * The source entries that apply to a declaration of `name` installed in `scopes` ('' the base, `extra:X`,
 * `group:G`): an entry without `extra`/`group` applies everywhere, one with them only to a declaration in that extra
 * or group. Markers are left to the caller (they depend on the target).
 */
export function sourcesFor(settings: UvIndexSettings | undefined, name: string, scopes: readonly string[]): UvSource[] {
  const entries = settings?.sources.get(name)?.entries ?? [];
  return entries.filter(
    (s) =>
      (s.extra === null || scopes.includes('extra:' + s.extra)) &&
      (s.group === null || scopes.includes('group:' + s.group)),
  );
}

/** The index an `index` source names, or undefined. */
export function routedIndex(settings: UvIndexSettings, source: UvSource): UvIndex | undefined {
  return source.kind === 'index' ? settings.indexes.find((i) => i.name === source.target) : undefined;
}
