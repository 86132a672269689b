// The texts of pyproject.toml, uv.lock and poetry.lock fixtures, written from a compact description in the layout
// each tool writes (uv 0.8-0.9, Poetry 2): the keys in the tool's order, one blank line between tables. Tests read
// spans, lines and columns of these texts, so the layout is fixed here once: a change to it moves every such test.

/** A TOML value as a fixture writes it: strings quoted, tables and arrays inline unless a field says otherwise. */
export type Value = string | number | boolean | Value[] | Layout | { [key: string]: Value };

/** An array written one item a line (`lines`) or on the key's line (`oneLine`), against the field's usual layout. */
export class Layout {
  constructor(
    readonly items: Value[],
    readonly oneLine: boolean,
  ) {}
}
export const lines = (...items: Value[]) => new Layout(items, false);
export const oneLine = (...items: Value[]) => new Layout(items, true);

/** A value inline: `{ a = "x", b = 1 }` as uv writes a table, `{a = "x"}` as Poetry does (`tight`). */
export function inline(v: Value, tight = false): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Layout) return inline(v.items, tight);
  if (Array.isArray(v)) return `[${v.map((x) => inline(x, tight)).join(', ')}]`;
  const body = Object.entries(v)
    .map(([k, x]) => `${k} = ${inline(x, tight)}`)
    .join(', ');
  return tight ? `{${body}}` : `{ ${body} }`;
}

/** `key = [...]`: one item a line (indented by `indent`) unless `multi` is false or the value says `oneLine`. */
function array(key: string, items: Value[] | Layout, multi = true, indent = '    ', tight = false): string {
  const layout = items instanceof Layout ? items : new Layout(items, !multi);
  if (layout.oneLine) return `${key} = ${inline(layout.items, tight)}\n`;
  return `${key} = [\n${layout.items.map((x) => `${indent}${inline(x, tight)},\n`).join('')}]\n`;
}

/** `key = value` lines of a table, arrays inline unless laid out with `lines`. */
function keys(table: Record<string, Value | undefined>, tight = false): string {
  return Object.entries(table)
    .filter((e): e is [string, Value] => e[1] !== undefined)
    .map(([k, v]) => (v instanceof Layout ? array(k, v, true, '    ', tight) : `${k} = ${inline(v, tight)}\n`))
    .join('');
}

export const PYPI = 'https://pypi.org/simple';
/** PyTorch's index of one build, `cpu` or a CUDA tag like `cu121`. */
export const pytorch = (tag: string) => `https://download.pytorch.org/whl/${tag}`;
/** A wheel or sdist as a uv.lock lists it: its url, and its hash and size where given. */
export const artifact = (url: string, hash?: string, size?: number): Record<string, Value> => ({
  url,
  ...(hash === undefined ? {} : { hash }),
  ...(size === undefined ? {} : { size }),
});
/** A file on the fixtures' file host. */
export const hosted = (file: string, hash: string, size?: number) =>
  artifact(`https://files.example/${file}`, hash, size);

// ---- pyproject.toml

export interface PyprojectText {
  requiresPython?: string;
  /** Inline, unless laid out with `lines`. */
  dependencies: string[] | Layout;
  optionalDependencies?: Record<string, string[]>;
  dependencyGroups?: Record<string, string[]>;
  /** `[tool.uv]` keys, e.g. `conflicts` or `constraint-dependencies`. */
  uv?: Record<string, Value>;
  /** `[tool.uv.sources]`: one source inline, a list of sources by marker or extra one a line. */
  sources?: Record<string, Record<string, Value> | Record<string, Value>[]>;
  /** `[[tool.uv.index]]` tables. */
  indexes?: { name: string; url: string; explicit?: boolean }[];
  workspaceMembers?: string[];
}

/** A uv project's pyproject.toml: its name and version, then the rest. */
export function pyprojectText(name: string, version: string, p: PyprojectText): string {
  const tables = [
    '[project]\n' +
      keys({ name, version, 'requires-python': p.requiresPython }) +
      array('dependencies', p.dependencies, false),
  ];
  if (p.optionalDependencies) tables.push('[project.optional-dependencies]\n' + keys(p.optionalDependencies));
  if (p.dependencyGroups) tables.push('[dependency-groups]\n' + keys(p.dependencyGroups));
  if (p.uv) tables.push('[tool.uv]\n' + keys(p.uv));
  if (p.sources)
    tables.push(
      '[tool.uv.sources]\n' +
        Object.entries(p.sources)
          .map(([name, s]) => (Array.isArray(s) ? array(name, s, true, '  ') : `${name} = ${inline(s)}\n`))
          .join(''),
    );
  for (const index of p.indexes ?? []) tables.push('[[tool.uv.index]]\n' + keys({ ...index }));
  if (p.workspaceMembers) tables.push('[tool.uv.workspace]\n' + keys({ members: p.workspaceMembers }));
  return tables.join('\n');
}

/** The explicit PyTorch indexes of these builds, each named `pytorch-<tag>`, as uv's PyTorch guide writes them. */
export const pytorchIndexes = (...tags: string[]) =>
  tags.map((tag) => ({ name: `pytorch-${tag}`, url: pytorch(tag), explicit: true }));

// ---- uv.lock

/**
 * A dependency or requirement as uv.lock records it: its inline table, or a requirement like `numpy>=1.24` (a name
 * alone, or with a specifier and a `; marker`) for the table uv writes of it: name, marker, specifier.
 */
export type Dep = string | Record<string, Value>;
/** A dependency on one of the entries of a name where the lock forks: uv names its version, source and marker. */
export const forked = (name: string, version: string, registry: string, marker: string): Dep => ({
  name,
  version,
  source: { registry },
  marker,
});
/**
 * What uv records of a requirement of one of the project's conflicting extras, routed to `index` in that extra:
 * the extra's marker and the conflict it belongs to.
 */
export const inExtra = (project: string, extra: string, name: string, specifier: string, index: string): Dep => ({
  name,
  marker: `extra == '${extra}'`,
  specifier,
  index,
  conflict: { package: project, extra },
});
function dep(d: Dep): Value {
  if (typeof d !== 'string') return d;
  const [, name, specifier, marker] = /^([\w.-]+)\s*([^;]*?)\s*(?:;\s*(.*))?$/.exec(d)!;
  return { name: name!, ...(marker ? { marker } : {}), ...(specifier ? { specifier } : {}) };
}
const deps = (key: string, ds: Dep[] | Layout) =>
  array(
    key,
    ds instanceof Layout
      ? new Layout(
          ds.items.map((d) => dep(d as Dep)),
          ds.oneLine,
        )
      : ds.map(dep),
  );

export interface UvPackage {
  name: string;
  version: string;
  /** A registry's url (PyPI unless given), or a table like `{ editable: '.' }`, `{ virtual: '.' }`, `{ git: url }`. */
  source?: string | Record<string, string>;
  resolutionMarkers?: string[];
  dependencies?: Dep[] | Layout;
  sdist?: Record<string, Value>;
  wheels?: Record<string, Value>[];
  /** `[package.optional-dependencies]`, each extra's list one item a line. */
  optionalDependencies?: Record<string, Dep[]>;
  /** `[package.dev-dependencies]`, each group's list one item a line. */
  devDependencies?: Record<string, Dep[]>;
  /** `[package.metadata]`: requires-dist one item a line unless `oneLine`. */
  requiresDist?: Dep[] | Layout;
  providesExtras?: string[];
  /** `[package.metadata.requires-dev]`, each group inline. */
  requiresDev?: Record<string, Dep[]>;
}

export interface UvLockText {
  revision?: number;
  requiresPython?: string;
  resolutionMarkers?: string[];
  /** Each set of conflicting extras or groups. */
  conflicts?: Record<string, Value>[][];
  /** `[manifest]`: constraints and overrides inline, members one a line. */
  manifest?: { constraints?: Dep[]; overrides?: Dep[]; members?: string[] };
  packages: UvPackage[];
}

/**
 * The project's own entry: its source is the project's folder, `editable` where uv builds and installs the project,
 * `virtual` where it does not (a project without a build system).
 */
export const root = (
  name: string,
  version: string,
  kind: 'editable' | 'virtual',
  rest: Omit<UvPackage, 'name' | 'version' | 'source'> = {},
): UvPackage => ({ name, version, source: { [kind]: '.' }, ...rest });

function uvPackage(p: UvPackage): string {
  let text =
    '[[package]]\n' +
    keys({ name: p.name, version: p.version }) +
    `source = ${inline(typeof p.source === 'object' ? p.source : { registry: p.source ?? PYPI })}\n`;
  if (p.resolutionMarkers) text += array('resolution-markers', p.resolutionMarkers);
  if (p.dependencies) text += deps('dependencies', p.dependencies);
  if (p.sdist) text += `sdist = ${inline(p.sdist)}\n`;
  if (p.wheels) text += array('wheels', p.wheels);
  const groups = (header: string, g: Record<string, Dep[]>) =>
    `\n${header}\n` +
    Object.entries(g)
      .map(([k, ds]) => deps(k, ds))
      .join('');
  if (p.optionalDependencies) text += groups('[package.optional-dependencies]', p.optionalDependencies);
  if (p.devDependencies) text += groups('[package.dev-dependencies]', p.devDependencies);
  if (p.requiresDist || p.providesExtras) {
    text += '\n[package.metadata]\n';
    if (p.requiresDist) text += deps('requires-dist', p.requiresDist);
    if (p.providesExtras) text += array('provides-extras', p.providesExtras, false);
  }
  if (p.requiresDev)
    text +=
      '\n[package.metadata.requires-dev]\n' +
      Object.entries(p.requiresDev)
        .map(([k, ds]) => deps(k, oneLine(...ds)))
        .join('');
  return text;
}

/** A uv.lock: version 1, revision 3 and requires-python >=3.10 unless given. */
export function uvLockText(l: UvLockText): string {
  let head = keys({ version: 1, revision: l.revision ?? 3, 'requires-python': l.requiresPython ?? '>=3.10' });
  if (l.resolutionMarkers) head += array('resolution-markers', l.resolutionMarkers);
  if (l.conflicts)
    head += `conflicts = [${l.conflicts.map((c) => `[\n${c.map((x) => `    ${inline(x)},\n`).join('')}]`).join(', ')}]\n`;
  const tables = [head];
  if (l.manifest) {
    const { constraints, overrides, members } = l.manifest;
    const inlineDeps = (ds?: Dep[]) => ds && oneLine(...ds.map(dep));
    tables.push(
      '[manifest]\n' +
        keys({
          constraints: inlineDeps(constraints),
          overrides: inlineDeps(overrides),
          members: members && lines(...members),
        }),
    );
  }
  return [...tables, ...l.packages.map(uvPackage)].join('\n');
}

// ---- poetry.lock

export interface PoetryPackage {
  name: string;
  version: string;
  description?: string;
  optional?: boolean;
  pythonVersions?: string;
  groups?: string[];
  markers?: string;
  /** `{file, hash}` tables one a line; none at all is `files = []`. */
  files?: { file: string; hash: string }[];
  /** `[package.dependencies]`: a version constraint or an inline table (version, markers). */
  dependencies?: Record<string, Value>;
  /** `[package.source]`, e.g. type `legacy`, url and reference. */
  source?: Record<string, string>;
}

export interface PoetryLockText {
  /** The comment Poetry writes on the first line, naming its version. */
  generatedBy?: string;
  packages: PoetryPackage[];
  metadata: { lockVersion: string; pythonVersions: string; contentHash: string };
  /** `[metadata.files]` of lock-version 1.x: each package's files. */
  metadataFiles?: Record<string, { file: string; hash: string }[]>;
}

function poetryPackage(p: PoetryPackage): string {
  let text =
    '[[package]]\n' +
    keys({
      name: p.name,
      version: p.version,
      description: p.description,
      optional: p.optional,
      'python-versions': p.pythonVersions,
      groups: p.groups,
      markers: p.markers,
    });
  if (p.files) text += p.files.length ? array('files', p.files, true, '    ', true) : 'files = []\n';
  if (p.dependencies) text += '\n[package.dependencies]\n' + keys(p.dependencies, true);
  if (p.source) text += '\n[package.source]\n' + keys(p.source);
  return text;
}

/** A poetry.lock: its packages, then `[metadata]`. */
export function poetryLockText(l: PoetryLockText): string {
  const { lockVersion, pythonVersions, contentHash } = l.metadata;
  const tables = l.packages.map(poetryPackage);
  if (l.generatedBy)
    tables.unshift(
      `# This file is automatically @generated by Poetry ${l.generatedBy} and should not be changed by hand.\n`,
    );
  tables.push(
    '[metadata]\n' +
      keys({ 'lock-version': lockVersion, 'python-versions': pythonVersions, 'content-hash': contentHash }),
  );
  if (l.metadataFiles)
    tables.push(
      '[metadata.files]\n' +
        Object.entries(l.metadataFiles)
          .map(([k, files]) => array(k, files, true, '    ', true))
          .join(''),
    );
  return tables.join('\n');
}
