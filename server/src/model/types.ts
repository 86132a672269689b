// The parsed-file model shared by parsers, checks, the LSP layer and the CLI: every entry carries its source span.
import type { Code, Severity } from './codes';

/** Half-open range of UTF-16 offsets into a file's text (the unit LSP uses). */
export interface Span {
  start: number;
  end: number;
}

/** The file kinds the analysis reads (one row each in workspace/file-kinds.ts). */
export type FileKind =
  | 'requirements'
  | 'constraints'
  | 'conda'
  | 'pyproject'
  | 'setup-cfg'
  | 'uv-lock'
  | 'pylock'
  | 'poetry-lock'
  | 'pixi'
  | 'pixi-lock'
  | 'conda-lock';

/**
 * What a declared dependency does in its environment set. An `override` (uv's `override-dependencies`) replaces
 * every requirement on its name, direct and transitive, and adds none: unlike a constraint, it can widen.
 */
export type DependencyKind = 'requirement' | 'constraint' | 'override' | 'conda' | 'build';

/** One declared dependency, as `stack-doctor list` reports it, plus the spans the checks and fixes need. */
export interface Dependency {
  /** Absolute path of the declaring file. */
  file: string;
  kind: DependencyKind;
  /** PEP 503 normalized name. */
  name: string;
  /** The name as written. */
  rawName: string;
  /** PEP 685 normalized extras, sorted. */
  extras: string[];
  /** PEP 440 specifier set as a string ("" for none); conda and Poetry specs are translated where they can be. */
  specifier: string;
  /** PEP 508 marker, normalized as packaging prints it ("" for none). */
  marker: string;
  url: string | null;
  editable: boolean;
  /** Dotted TOML path or `dependencies` / `dependencies.pip`; null in requirements files. */
  section: string | null;
  /** The whole entry (for a requirements line: the requirement, without options or comment). */
  span: Span;
  /** Where the name is written. */
  nameSpan: Span;
  /** Where the version part is written; an empty span right after the name/extras where none is. */
  specifierSpan: Span;
  /** Text of the entry as the user wrote it (for quick fixes that rewrite it). */
  text: string;
  /** For conda entries: the match spec's parts. */
  conda?: CondaDetails;
  /** Per-line pip options (`--hash`, `--config-settings`, ...) as written. */
  options?: string[];
  /**
   * True when the specifier could not be expressed in PEP 440 (conda build strings, odd Poetry forms): checks skip it.
   */
  specifierUnknown?: boolean;
  /**
   * True for a Poetry `optional = true` dependency: installed only through the `[tool.poetry.extras]` that
   * list it (`extras` on the file names them), never with the base.
   */
  optional?: boolean;
  /**
   * The scopes that install this declaration ('' the base, `extra:NAME`, `group:NAME`) where its section
   * alone does not say: a dependency group another includes, a Poetry optional dependency (the extras that
   * list it; [] when none does, so it is never installed). Absent: the section's own scope. Extras that
   * other extras name through a self-reference are expanded per target by checks/scope.ts from
   * ParsedFile.extraIncludes.
   */
  scopes?: string[];
}

/** `mypkg[a,b]` inside mypkg's own pyproject: a reference to the project's extras a and b, not a package. */
export interface ExtraInclude {
  /** The list that names them: '' for `project.dependencies`, `extra:NAME` for an extra. */
  scope: string;
  /** The extras it names (PEP 685 normalized). */
  extras: string[];
  /** Its marker as written ("" for none): the extras are included only on targets where it holds. */
  marker: string;
  span: Span;
  text: string;
  /** The entry as written, for what lists a file's declarations (`list`); no check reads it as a package. */
  declared: Dependency;
}

/** One item of a uv `conflicts` entry: an extra or a group of this project (`package` null) or of another. */
export interface UvConflictItem {
  /** `package`: another workspace member's own dependencies. */
  kind: 'extra' | 'group' | 'package';
  /** The extra or group (PEP 685 / 503 normalized), or the package for `package`. */
  name: string;
  /** The workspace member named by `package`, null for this project. */
  package: string | null;
  span: Span;
}

/** One entry of `tool.uv.exclude-dependencies` (names normalized). */
export interface UvExclusion {
  names: string[];
  package: { name: string; version: string | null } | null;
  span: Span;
}

/** A `{ package = { name, version }, dependencies = [...] }` entry of `tool.uv.override-dependencies`. */
export interface UvScopedOverride {
  package: { name: string; version: string | null };
  /** PEP 508 requirement texts, as written. */
  requirements: string[];
  span: Span;
}

/** pyproject `[tool.uv]`: what uv resolves and installs together (parsers/uv-resolution.ts). */
export interface UvResolution {
  /** `conflicts`: each entry's items are never installed together (uv resolves each on its own fork). */
  conflicts: { items: UvConflictItem[]; span: Span }[];
  /** `default-groups`: what `uv sync` installs besides the base (null: not written, which is `["dev"]`). */
  defaultGroups: { groups: string[] | 'all'; span: Span } | null;
  /** `environments`: the resolution is limited to these markers (normalized). */
  environments: { marker: string; span: Span }[];
  /** The `environments` key, where a finding about the list as a whole goes (null: not written). */
  environmentsSpan: Span | null;
  /**
   * `exclude-dependencies`: packages removed from the resolution, wherever they are required (`package` null), or
   * only from the dependencies of one package (`version` null: of every version of it).
   */
  excludes: UvExclusion[];
  /** The tables of `override-dependencies`: overrides of the dependencies of one package (`version` null: every one). */
  scopedOverrides: UvScopedOverride[];
  /** `required-environments`: each needs a wheel of every package that publishes no sdist. */
  requiredEnvironments: { marker: string; span: Span }[];
}

export interface CondaDetails {
  channel: string | null;
  /** Conda version spec as written ("" for none). */
  version: string;
  build: string | null;
}

/** `-r FILE` or `-c FILE` in a requirements file (also PIP_CONSTRAINT). */
export interface Include {
  kind: 'requirements' | 'constraints';
  /** The path as written, after ${VAR} expansion. */
  target: string;
  /** Absolute path, resolved relative to the including file; null for URLs. */
  resolved: string | null;
  span: Span;
}

/** A global option of a requirements file, e.g. `--index-url URL`. */
export interface FileOption {
  name: string;
  value: string | null;
  span: Span;
}

export interface ParsedFile {
  path: string;
  kind: FileKind;
  text: string;
  dependencies: Dependency[];
  includes: Include[];
  options: FileOption[];
  /** Syntax findings (code `syntax`), each at its fault. */
  findings: Finding[];
  /** pyproject `requires-python` / environment.yml python pin, as PEP 440 ("" when absent). */
  requiresPython?: string;
  /** Where a pyproject's `requires-python` value is written. */
  requiresPythonSpan?: Span;
  /** A pyproject's uv index settings: `[[tool.uv.index]]`, `[tool.uv.sources]`, the older index keys. */
  uvIndexes?: UvIndexSettings;
  /** environment.yml `name` and `channels`. */
  condaName?: string | null;
  channels?: string[];
  /** environment.yml: where each of `channels` is written (same order). */
  channelSpans?: Span[];
  /** pyproject self-references (`mypkg[extra]` in mypkg's own lists), which are not dependencies. */
  extraIncludes?: ExtraInclude[];
  /** What a lock file (uv.lock, pylock.toml, poetry.lock, pixi.lock, conda-lock.yml) records; absent in manifests. */
  lock?: LockInfo;
  /**
   * pyproject.toml with a `[project]` table: its `dynamic` list (each name lower-cased). setuptools then reads only
   * the fields listed there from setup.cfg; absent where the file has no `[project]` table.
   */
  projectDynamic?: string[];
  /** pyproject `[tool.uv]` settings that decide what uv resolves and installs together. */
  uvResolution?: UvResolution;
}

/** The lock file formats the analysis reads. */
export type LockFormat = 'uv' | 'pylock' | 'poetry' | 'pixi' | 'conda-lock';

/** Where a locked package comes from, as the lock records it. */
export type LockSource =
  /** A Python package index (uv's `registry`, pylock's `index`, Poetry's `legacy`/PyPI). */
  | { kind: 'index'; url: string }
  /** A conda channel. */
  | { kind: 'channel'; url: string }
  /** A direct archive URL. */
  | { kind: 'url'; url: string }
  | { kind: 'git'; url: string }
  /** A local folder or file: the project itself, a workspace member, a path dependency. */
  | { kind: 'path'; path: string; editable: boolean }
  /** The lock does not say (an old format, a record without a URL). */
  | { kind: 'unknown' };

/** One package entry of a lock file, with the spans a finding on the entry needs. */
export interface LockedPackage {
  file: string;
  /** `pypi` for Python distributions, `conda` for conda records. */
  ecosystem: 'pypi' | 'conda';
  /** PEP 503 normalized (pypi) or lower-case (conda) name. */
  name: string;
  /** The name as written. */
  rawName: string;
  /** The locked version as written. */
  version: string;
  source: LockSource;
  /**
   * The PEP 508 marker under which this entry is installed ("" for always): uv's `resolution-markers` of a fork,
   * pylock's `marker`; conda records use `platform` instead.
   */
  marker: string;
  /** pixi.lock / conda-lock: the conda subdir (platform) the record is for. */
  platform?: string;
  /** pixi.lock: the environments whose package lists name this entry (absent: every environment of the lock). */
  environments?: string[];
  /** What it depends on, as the lock writes it: PEP 508 strings (pypi) or match specs (conda). */
  dependencies: string[];
  /** File names of the wheels the lock lists (pypi), or the conda package file name. */
  wheels: string[];
  /** Whether the lock lists a source distribution (pypi). */
  sdist: boolean;
  /** conda records: the build string and what the record depends on and constrains. */
  conda?: { build: string; subdir: string; channel: string; depends: string[]; constrains: string[] };
  /** The whole entry (a TOML table or YAML item). */
  span: Span;
  nameSpan: Span;
  /** Where the version is written (an empty span after the name where the entry has none). */
  versionSpan: Span;
}

/** What a lock file records as a whole. */
export interface LockInfo {
  format: LockFormat;
  /** The format's version as written (`1`, `6`, `1.0`). */
  version: string;
  /** The `requires-python` the lock was made for ("" when it records none). */
  requiresPython: string;
  /**
   * True when the lock holds every package for every platform it covers (uv, Poetry, pixi, conda-lock): then a
   * requirement of the manifest that has no entry is missing, whatever its marker. False for a lock made for one
   * environment (a pylock.toml without `environments`).
   */
  universal: boolean;
  packages: LockedPackage[];
  /** What the lock recorded of its manifest's inputs (uv's `[manifest]` and the projects' `[package.metadata]`). */
  recorded?: LockRecorded;
  /** conda locks (pixi.lock, conda-lock.yml): their platforms and environments. */
  conda?: CondaLockInfo;
}

/** What a conda lock records besides its packages. */
export interface CondaLockInfo {
  /** The conda platforms (subdirs) the lock covers, where each is written. */
  platforms: { name: string; span: Span }[];
  /** pixi.lock: each environment; conda-lock.yml: one, named `default`. */
  environments: LockEnvironment[];
  /** conda-lock.yml: the files it was made from, as `metadata.sources` writes them (relative to the lock's folder). */
  sources?: string[];
}

/** One locked environment: its channels, PyPI indexes and platforms, as the lock writes them. */
export interface LockEnvironment {
  name: string;
  /** The environment's name (pixi) or the `metadata` key (conda-lock). */
  span: Span;
  channels: { url: string; span: Span }[];
  indexes: string[];
  /** The platforms it has packages for. */
  platforms: string[];
}

/** A requirement as a lock recorded it from its manifest, with where the lock writes it. */
export interface RecordedRequirement {
  /** PEP 503 normalized. */
  name: string;
  rawName: string;
  /** PEP 685 normalized, sorted. */
  extras: string[];
  /** As recorded ("" for none). */
  specifier: string;
  /** As recorded ("" for none). */
  marker: string;
  /** Where it comes from when not the default index: an index URL, a git, archive or local source. */
  source: { kind: 'index' | 'git' | 'url' | 'path' | 'editable' | 'directory'; value: string } | null;
  span: Span;
}

/** A project of the lock's workspace as the lock recorded its metadata. */
export interface RecordedProject {
  name: string;
  rawName: string;
  /** The version locked for it ("" when dynamic or absent). */
  version: string;
  versionSpan: Span | null;
  /** Its folder relative to the lock's ("." for the project beside it). */
  path: string;
  requiresDist: RecordedRequirement[];
  /** Dependency groups (uv's `requires-dev`), by normalized name. */
  requiresDev: Map<string, RecordedRequirement[]>;
  /** The extras it provides, where the lock records them. */
  providesExtras: string[] | null;
  /** The package entry. */
  span: Span;
}

/** The inputs a lock recorded, so that drift can be judged as the tool judges it. */
export interface LockRecorded {
  /** Workspace members' names (uv's `[manifest] members`; empty when the lock records none). */
  members: string[];
  /** Where each of `members` is written, in the same order (absent where the lock records none). */
  memberSpans?: Span[];
  constraints: RecordedRequirement[];
  overrides: RecordedRequirement[];
  /** The `requires-python` entry's span in the lock (null where none is written). */
  requiresPythonSpan: Span | null;
  /** The `[manifest]` table's span (null without one). */
  manifestSpan: Span | null;
  /** poetry.lock: `[metadata] content-hash` and the Poetry version its first line names ('' where none). */
  contentHash?: { value: string; span: Span; poetryVersion: string };
  projects: RecordedProject[];
}

export interface TextEdit {
  file: string;
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** A command suggested to the person (typed into a terminal, never run by the tool). */
  run?: string;
  /**
   * The lock file's own tool writes the lock again: the editor runs `tool args…` in a terminal in the lock's folder,
   * in a trusted workspace and where the tool is on PATH (`run` is the same command, for the command line's output).
   */
  relock?: { lockFile: string; tool: string; args: string[] };
  /** The preferred fix is applied by "Fix all" / marked isPreferred; at most one per line once the findings are ranked. */
  preferred?: boolean;
  /** What a title leaves out: the bound a fix crosses, why it was chosen (a tooltip, the CLI's JSON and SARIF). */
  detail?: string;
}

export interface RelatedLocation {
  file: string;
  span: Span;
  message: string;
}

/** What a check reports; `lsp/` and `cli.ts` turn it into a diagnostic. Built with `finding()` (model/finding.ts). */
export interface Finding {
  code: Code;
  severity: Severity;
  file: string;
  span: Span;
  message: string;
  related: RelatedLocation[];
  fixes: Fix[];
  /**
   * What the finding is about, as a key: findings of one cause (the lines of one conflict, the builds of one CUDA index
   * on a machine without a GPU, a companion rule stating the fact a conflict states) become one diagnostic, anchored
   * where its preferred fix edits, the other lines related (`checks/fold.ts`). Absent: a cause of its own.
   */
  cause?: string;
}

/** One `[[tool.uv.index]]` entry. */
export interface UvIndex {
  /** "" when the entry has no name (it cannot be routed to then). */
  name: string;
  url: string;
  /** Serves only the packages a source routes to it. */
  explicit: boolean;
  /** Replaces the main index (PyPI); tried last. */
  default: boolean;
  /** The whole entry, its name's value and its url's value. */
  span: Span;
  nameSpan: Span | null;
  urlSpan: Span;
}

/** One entry of a package's `[tool.uv.sources]` (a table, or one table of a list). */
export interface UvSource {
  kind: 'index' | 'url' | 'path' | 'git' | 'workspace';
  /** The index name (`index`), URL (`url`, `git`) or path (`path`); "" for `workspace = true`. */
  target: string;
  /** The selectors that limit it: a PEP 508 marker ("" none), an extra or a dependency group (normalized). */
  marker: string;
  extra: string | null;
  group: string | null;
  /** The entry and the value naming where it routes. */
  span: Span;
  targetSpan: Span;
}

/** A pyproject's uv settings that decide where each package is looked up. */
export interface UvIndexSettings {
  indexes: UvIndex[];
  /** Normalized package name -> its source entries, in written order, and where its key is written. */
  sources: Map<string, { keySpan: Span; entries: UvSource[] }>;
  /** `[tool.uv] index-url` (the older way to name the default index) and `extra-index-url`. */
  indexUrl: { url: string; span: Span } | null;
  extraIndexUrls: { url: string; span: Span }[];
  /** `[tool.uv] index-strategy` as written (uv's default: first-index). */
  indexStrategy: string;
  /** `[tool.uv] default-groups` (normalized names, or 'all'); null when not written (uv then installs `dev`). */
  defaultGroups: string[] | 'all' | null;
  defaultGroupsSpan: Span | null;
}
