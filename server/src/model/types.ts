// The parsed-file model shared by parsers, checks, the LSP layer and the CLI: every entry carries its source span.
import type { Code, Severity } from './codes';

/** Half-open range of UTF-16 offsets into a file's text (the unit LSP uses). */
export interface Span {
  start: number;
  end: number;
}

/** The file kinds the analysis reads. */
export type FileKind = 'requirements' | 'constraints' | 'conda' | 'pyproject' | 'pixi';

/** What a declared dependency does in its environment set. */
export type DependencyKind = 'requirement' | 'constraint' | 'conda' | 'build';

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
  /** environment.yml `name` and `channels`. */
  condaName?: string | null;
  channels?: string[];
  /** pyproject self-references (`mypkg[extra]` in mypkg's own lists), which are not dependencies. */
  extraIncludes?: ExtraInclude[];
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
  /** The preferred fix is applied by "Fix all" / marked isPreferred. */
  preferred?: boolean;
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
}
