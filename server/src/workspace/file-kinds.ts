// The one table of dependency file kinds. A row says everything about its kind: the names it goes by (and the content
// that makes a file of another name one), its parser and decoding, which environment set it joins, its completion and
// how the editor sends it to the server. The analyzer, the disk source, completion, the server, the client's document
// selector, the CLI's usage and package.json (a test holds it to the table) all read the rows.
import type { FileKind, ParsedFile } from '../model/types';
import { pixiManifestOf } from '../model/pixi';
import { isCondaEnvironmentText, parseEnvironmentYml } from '../parsers/environment-yml';
import { parsePoetryLock } from '../parsers/poetry-lock';
import { parsePylock } from '../parsers/pylock';
import { parseCondaLock } from '../parsers/conda-lock';
import { parsePixiLock } from '../parsers/pixi-lock';
import { parsePixiToml } from '../parsers/pixi';
import { parsePyproject } from '../parsers/pyproject';
import { parseUvLock } from '../parsers/uv-lock';
import { parseRequirementsFile } from '../parsers/requirements';
import { parseSetupCfg } from '../parsers/setup-cfg';

/** Which environment set a file of a kind joins. */
export type SetRole =
  /**
   * The root of its own set where no other file of its folder includes it. `follows`: its includes as pip follows
   * `-r`/`-c` from a file read as `pip` says, or (`includes`) the file parsed once and each include's pip tree.
   * `projects`: a local project its requirements name (`-e .`) joins the set.
   */
  | { joins: 'own'; follows: { pip: 'requirements' | 'constraints' } | 'includes'; projects: boolean }
  /** A set of its own, and joins every set whose requirements name its folder (a pyproject.toml). */
  | { joins: 'reference' }
  /**
   * A lock: joins the sets of its folder rooted at a file of its manifest's kind; where there is none, those rooted at
   * a file `holdsManifest` accepts (a pyproject.toml with `[tool.pixi]`); a set of its own without either.
   */
  | { joins: 'lock'; manifest: FileKind; holdsManifest?: (file: ParsedFile) => boolean };

/** What completion offers in a file of the kind. */
export type CompletionFlavour =
  /** pip's lines: names and versions in PEP 508 requirements; option and path completion elsewhere. */
  | 'pip'
  /** An environment.yml: PEP 508 in its `pip:` part, nothing from PyPI in conda's part. */
  | 'conda'
  /** pyproject.toml's dependency arrays and Poetry's tables. */
  | 'pyproject'
  /** A pixi manifest: PyPI names and versions in `[pypi-dependencies]`, nothing from PyPI in conda's tables. */
  | 'pixi'
  | 'none';

/** How the editor sends documents of the kind to the server. */
export type EditorSync =
  /**
   * By a language of ours (package.json assigns it by the row's globs); `unnamed`: a document of that language whose
   * name no row claims is read as this kind (a requirements file the person named freely, an untitled buffer).
   */
  | { language: string; unnamed?: boolean }
  /** By the row's content globs and the name globs they do not cover. */
  | 'patterns'
  | 'none';

/** One kind of dependency file: everything about it. */
export interface FileKindRow {
  kind: FileKind;
  /** How the CLI's usage and messages name its files. */
  label: string;
  /**
   * Globs on the file name (`*` is any run of characters but `/`), or on `folder/name` for files known by their
   * folder (`requirements/*.txt`). Matched case-insensitively. The first row that matches decides.
   */
  globs: readonly string[];
  /** Names the globs match that are not of this kind (tried first; the later rows still may claim them). */
  except?: readonly string[];
  /** Files no glob names that are of this kind when their text says so: which names may be, and the test. */
  content?: { globs: readonly string[]; test: (text: string) => boolean };
  /** Extensions (`.txt`) a file named explicitly (a CLI path) is read as this kind by, when no row's globs match. */
  extensions?: readonly string[];
  /**
   * Reads a text; never throws (problems are `syntax` findings). `env` expands `${VAR}` where the kind does.
   * `previous`, when given, is this row's parse of an earlier text of the file with the same `env`: a parser may
   * reuse what did not change (an edit in an editor), and must return what a parse of `text` alone returns.
   */
  parse: (filePath: string, text: string, env: Record<string, string | undefined>, previous?: ParsedFile) => ParsedFile;
  /** Whether `${VAR}` in its URLs is expanded as pip expands it (requirements lines) or never (TOML). */
  expandsVariables: boolean;
  /** How bytes on disk become text: as pip reads requirements files (BOMs, a coding comment) or plain UTF-8. */
  decoding: 'pip' | 'utf-8';
  set: SetRole;
  completion: CompletionFlavour;
  editor: EditorSync;
  /** Whether "Install into Environment" is offered on the file (package.json's menus). */
  install: boolean;
  /**
   * How the client's installer takes the file: pip's `-r`, pip's `-c` beside what it installs, the project folder
   * (`pip install .`), or conda's `env update`. Absent: the installer leaves it alone.
   */
  installAs?: InstallRole;
}

/** How a file is installed: see {@link FileKindRow.installAs}. */
export type InstallRole = 'requirements' | 'constraints' | 'project' | 'conda-environment';

const PIP_LANGUAGE = 'pip-requirements';

/**
 * A lock file's row: read as UTF-8 with no `${VAR}` expansion, joins its manifest's set, no completion, synced by its
 * globs, never installed.
 */
function lockRow<K extends FileKind>(
  kind: K,
  label: string,
  globs: readonly string[],
  parse: (filePath: string, text: string) => ParsedFile,
  joins: Omit<Extract<SetRole, { joins: 'lock' }>, 'joins'>,
): FileKindRow & { kind: K } {
  return {
    kind,
    label,
    globs,
    parse: (filePath, text) => parse(filePath, text),
    expandsVariables: false,
    decoding: 'utf-8',
    set: { joins: 'lock', ...joins },
    completion: 'none',
    editor: 'patterns',
    install: false,
  };
}

/** The kinds, in the order they are tried: a constraints file is never a requirements file. */
const BUILTIN_ROWS = [
  {
    kind: 'pyproject',
    label: 'pyproject.toml',
    globs: ['pyproject.toml'],
    parse: (filePath, text) => parsePyproject(filePath, text),
    expandsVariables: false,
    decoding: 'utf-8',
    set: { joins: 'reference' },
    completion: 'pyproject',
    editor: 'patterns',
    install: true,
    installAs: 'project',
  },
  {
    // setuptools' declarative configuration, read like a pyproject's [project] table; it joins a set the same way.
    kind: 'setup-cfg',
    label: 'setup.cfg',
    globs: ['setup.cfg'],
    parse: (filePath, text) => parseSetupCfg(filePath, text),
    expandsVariables: false,
    decoding: 'utf-8',
    set: { joins: 'reference' },
    completion: 'none',
    editor: 'patterns',
    install: false,
  },
  {
    kind: 'pixi',
    label: 'pixi.toml',
    globs: ['pixi.toml'],
    parse: (filePath, text) => parsePixiToml(filePath, text),
    expandsVariables: false,
    decoding: 'utf-8',
    // Its own set; a PyPI dependency on a local project (`{ path = ".", editable = true }`) joins that project.
    set: { joins: 'own', follows: 'includes', projects: true },
    completion: 'pixi',
    editor: 'patterns',
    install: false,
  },
  {
    kind: 'conda',
    label: 'environment.yml (any YAML conda environment)',
    globs: [
      'environment.yml',
      'environment.yaml',
      '*.environment.yml',
      '*.environment.yaml',
      'conda-*.yml',
      'conda-*.yaml',
    ],
    // conda-lock's lock file, not an environment.
    except: ['conda-lock.yml', 'conda-lock.yaml'],
    // `conda.yaml`, `env.gpu.yml`: a YAML mapping whose `dependencies` lists conda specs.
    content: { globs: ['*.yml', '*.yaml'], test: isCondaEnvironmentText },
    extensions: ['.yml', '.yaml'],
    parse: (filePath, text, env) => parseEnvironmentYml(filePath, text, { env }),
    expandsVariables: true,
    decoding: 'pip',
    set: { joins: 'own', follows: 'includes', projects: true },
    completion: 'conda',
    editor: 'patterns',
    install: true,
    installAs: 'conda-environment',
  },
  lockRow(
    'conda-lock',
    'conda-lock.yml',
    ['conda-lock.yml', 'conda-lock.yaml', '*.conda-lock.yml', '*.conda-lock.yaml'],
    parseCondaLock,
    {
      manifest: 'conda',
    },
  ),
  // Joins the set of the pixi.toml beside it, else (as pixi prefers pixi.toml) of a pyproject.toml with [tool.pixi].
  lockRow('pixi-lock', 'pixi.lock', ['pixi.lock'], parsePixiLock, {
    manifest: 'pixi',
    holdsManifest: (file) => pixiManifestOf(file) !== null,
  }),
  {
    kind: 'constraints',
    label: 'constraints*.txt',
    globs: ['constraints*.txt'],
    parse: (filePath, text, env, previous) =>
      parseRequirementsFile(filePath, text, { kind: 'constraints', env }, previous),
    expandsVariables: true,
    decoding: 'pip',
    set: { joins: 'own', follows: { pip: 'constraints' }, projects: false },
    completion: 'pip',
    editor: { language: PIP_LANGUAGE },
    install: false,
    installAs: 'constraints',
  },
  {
    kind: 'requirements',
    label: 'requirements*.txt, *.in',
    globs: [
      'requirements*.txt',
      '*.requirements.txt',
      '*-requirements.txt',
      'requirements/*.txt',
      'requirements*.in',
      '*-requirements.in',
      'requirements/*.in',
    ],
    extensions: ['.txt', '.in'],
    parse: (filePath, text, env, previous) =>
      parseRequirementsFile(filePath, text, { kind: 'requirements', env }, previous),
    expandsVariables: true,
    decoding: 'pip',
    set: { joins: 'own', follows: { pip: 'requirements' }, projects: true },
    completion: 'pip',
    editor: { language: PIP_LANGUAGE, unnamed: true },
    install: true,
    installAs: 'requirements',
  },
  lockRow('uv-lock', 'uv.lock', ['uv.lock'], parseUvLock, { manifest: 'pyproject' }),
  lockRow('pylock', 'pylock.toml, pylock.*.toml', ['pylock.toml', 'pylock.*.toml'], parsePylock, {
    manifest: 'pyproject',
  }),
  lockRow('poetry-lock', 'poetry.lock', ['poetry.lock'], parsePoetryLock, { manifest: 'pyproject' }),
] as const satisfies readonly FileKindRow[];

// Every FileKind has a row: a kind added to the union without one fails to compile here.
type KindsWithoutRow = Exclude<FileKind, (typeof BUILTIN_ROWS)[number]['kind']>;
const everyKindHasARow: [KindsWithoutRow] extends [never] ? true : KindsWithoutRow = true;
void everyKindHasARow;

/** The table, in the order rows are tried (tests add rows of their own through registerFileKind). */
export const FILE_KINDS: readonly FileKindRow[] = [...BUILTIN_ROWS];

/** A glob of the table as a regular expression source (anchored), case-insensitive by the caller. */
export function globToRegExpSource(glob: string, star = '[^/]*'): string {
  return (
    '^' +
    glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join(star) +
    '$'
  );
}

/** What a glob of the table is tested with: `new RegExp(globToRegExpSource(glob), 'i')`'s `test`. */
interface GlobTest {
  test(text: string): boolean;
}

/**
 * A glob of the table as a test that gives what `new RegExp(globToRegExpSource(glob), 'i')` gives, without compiling
 * a regex (the CLI classifies every file of a folder on every start): `*` is any run without `/`, letters compare
 * without ASCII case (a character outside ASCII never equals one inside, as the regex's `i` has it). A glob with a
 * character outside ASCII is the regex.
 */
export function globTest(glob: string): GlobTest {
  for (let i = 0; i < glob.length; i++) if (glob.charCodeAt(i) > 0x7f) return new RegExp(globToRegExpSource(glob), 'i');
  const parts = glob.toLowerCase().split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  return {
    test(text) {
      const t = asciiLower(text);
      if (parts.length === 1) return t === first;
      if (t.length < first.length + last.length || !t.startsWith(first) || !t.endsWith(last)) return false;
      const end = t.length - last.length;
      let at = first.length;
      for (let k = 1; k < parts.length - 1; k++) {
        // The leftmost place leaves the most room to the parts after it; a gap with a `/` fails in any later place too.
        const found = t.indexOf(parts[k]!, at);
        if (found < 0 || found + parts[k]!.length > end || t.slice(at, found).includes('/')) return false;
        at = found + parts[k]!.length;
      }
      return !t.slice(at, end).includes('/');
    },
  };
}

/** `text` with ASCII capitals lowered and every other character as it is. */
function asciiLower(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) {
      out += text.slice(from, i) + String.fromCharCode(c + 32);
      from = i + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

interface CompiledRow {
  row: FileKindRow;
  patterns: { inFolder: boolean; re: GlobTest }[];
  except: GlobTest[];
  content: GlobTest[];
}

const compile = (r: FileKindRow): CompiledRow => ({
  row: r,
  patterns: r.globs.map((g) => ({ inFolder: g.includes('/'), re: globTest(g) })),
  except: (r.except ?? []).map(globTest),
  content: (r.content?.globs ?? []).map(globTest),
});

let compiled = FILE_KINDS.map(compile);

/**
 * Adds a row to the table (before the others when `first`), for tests that prove a kind is one row; returns what
 * removes it again.
 */
export function registerFileKind(row: FileKindRow, first = false): () => void {
  const rows = FILE_KINDS as FileKindRow[];
  if (rows.some((r) => r.kind === row.kind)) throw new Error(`file kind '${row.kind}' is already in the table`);
  if (first) rows.unshift(row);
  else rows.push(row);
  compiled = rows.map(compile);
  return () => {
    const at = rows.indexOf(row);
    if (at >= 0) rows.splice(at, 1);
    compiled = rows.map(compile);
  };
}

/** The row of a kind. */
export function fileKindRow(kind: FileKind): FileKindRow {
  const row = FILE_KINDS.find((r) => r.kind === kind);
  if (!row) throw new Error(`no file kind '${kind}' in the table`);
  return row;
}

/** Where the last path separator (`/` or `\\`) before `end` is, or -1. */
function lastSeparator(filePath: string, end = filePath.length): number {
  return Math.max(filePath.lastIndexOf('/', end - 1), filePath.lastIndexOf('\\', end - 1));
}

function baseName(filePath: string): string {
  return filePath.slice(lastSeparator(filePath) + 1);
}

/** The row of a dependency file by its name (and its folder's name), or undefined for a file not read on its own. */
function rowByName(filePath: string): FileKindRow | undefined {
  const cut = lastSeparator(filePath);
  const base = filePath.slice(cut + 1);
  const withFolder = `${cut < 0 ? '' : filePath.slice(lastSeparator(filePath, cut) + 1, cut)}/${base}`;
  for (const { row, patterns, except } of compiled)
    if (!except.some((re) => re.test(base)) && patterns.some((p) => p.re.test(p.inFolder ? withFolder : base)))
      return row;
  return undefined;
}

/** The kind of a dependency file by its name (and its folder's name), or null for a file not read on its own. */
export function classify(filePath: string): FileKind | null {
  return rowByName(filePath)?.kind ?? null;
}

/** The rows whose content test may claim a file the names do not: the name is one their content globs match. */
export function contentRows(filePath: string): FileKindRow[] {
  const base = baseName(filePath);
  return compiled.filter((c) => c.content.some((re) => re.test(base))).map((c) => c.row);
}

/** The kind a text makes a file of one of {@link contentRows}, or null. */
export function kindByContent(rows: readonly FileKindRow[], text: string): FileKind | null {
  return rows.find((r) => r.content?.test(text))?.kind ?? null;
}

/**
 * The kind of a file named explicitly (a CLI path): by its name, else by its extension (`deps.txt` is read as
 * requirements, `env.yml` as a conda environment), else null: a file no row claims is not read as anything. Where
 * the row that has the extension tests content (YAML), the text must pass it: a YAML file of another tool
 * (conda-lock.yml, a pixi.lock) is not a conda environment because of its extension.
 */
export function kindOfNamedFile(filePath: string, readText?: () => string | undefined): FileKind | null {
  const byName = rowByName(filePath);
  if (byName) return byName.kind;
  const base = baseName(filePath);
  let text: string | undefined | null = null;
  for (const r of FILE_KINDS) {
    if (!r.extensions?.some((e) => base.toLowerCase().endsWith(e))) continue;
    // A name the row excludes is another tool's file, whatever its extension.
    if (compiled.find((c) => c.row === r)?.except.some((re) => re.test(base))) continue;
    if (!r.content) return r.kind;
    if (text === null) text = readText?.();
    if (text !== undefined && r.content.test(text)) return r.kind;
  }
  return null;
}

function rowByExtension(filePath: string): FileKindRow | undefined {
  const base = baseName(filePath).toLowerCase();
  return FILE_KINDS.find((r) => r.extensions?.some((e) => base.endsWith(e)));
}

/**
 * How a file's bytes become text: the decoding of the row that names it (by name, else by extension: any `.toml` is
 * UTF-8); a file no row names (an include such as `-r base.cfg`) is read as pip reads requirements files.
 */
export function decodingOf(filePath: string): FileKindRow['decoding'] {
  return (rowByName(filePath) ?? rowByExtension(filePath))?.decoding ?? 'pip';
}

/** The kind a document of an editor language is read as when no row names it (`unnamed` rows), or null. */
export function kindOfLanguage(languageId: string | undefined): FileKind | null {
  return (
    FILE_KINDS.find((r) => typeof r.editor === 'object' && r.editor.language === languageId && r.editor.unnamed)
      ?.kind ?? null
  );
}

/** The files the CLI reads, as its usage names them. */
export function fileKindLabels(): string {
  return FILE_KINDS.map((r) => r.label).join(', ');
}

/**
 * The globs of the documents the editor sends to the server by pattern: each `patterns` row's content globs (the
 * server decides by content: every YAML file) and its name globs they do not cover.
 */
export function editorDocumentGlobs(rows: readonly FileKindRow[] = FILE_KINDS): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.editor !== 'patterns') continue;
    const content = (r.content?.globs ?? []).map(globTest);
    for (const g of r.content?.globs ?? []) out.push(`**/${g}`);
    for (const g of r.globs) if (!content.some((re) => re.test(baseName(g).replace(/\*/g, 'x')))) out.push(`**/${g}`);
  }
  return [...new Set(out)];
}

/** A document filter of the client's document selector. */
export type DocumentFilter = { language: string; scheme: string } | { scheme: string; pattern: string };

/**
 * The client's document selector: each language of a row (on disk and in untitled buffers), then the patterns of
 * {@link editorDocumentGlobs}.
 */
export function editorDocumentSelector(rows: readonly FileKindRow[] = FILE_KINDS): DocumentFilter[] {
  const languages = new Set<string>();
  for (const r of rows) if (typeof r.editor === 'object') languages.add(r.editor.language);
  return [
    ...[...languages].flatMap((language) => [
      { language, scheme: 'file' },
      { language, scheme: 'untitled' },
    ]),
    ...editorDocumentGlobs(rows).map((pattern) => ({ scheme: 'file', pattern })),
  ];
}

/** Workspace globs of every dependency file (`**` + each glob): file watchers and `workspaceContains` activation. */
export function workspaceGlobs(kinds: readonly FileKind[] = FILE_KINDS.map((r) => r.kind)): string[] {
  return FILE_KINDS.filter((r) => kinds.includes(r.kind)).flatMap((r) => r.globs.map((g) => `**/${g}`));
}

/**
 * What package.json must say for the table (a unit test compares): activation, the requirements language's names, the
 * menus' condition; and the `files` regex of `.pre-commit-hooks.yaml` (Python's `re.search` on a path from the
 * repository's root).
 */
export function manifestEntries(): {
  activationEvents: string[];
  filenamePatterns: string[];
  installWhen: string;
  preCommitFiles: string;
} {
  const regex = (globs: readonly string[]) =>
    `/^(${globs
      .filter((g) => !g.includes('/'))
      .map((g) => globToRegExpSource(g, '.*').slice(1, -1))
      .join('|')})$/i`;
  // A row's names, less its exceptions (the conda row's `conda-*.yml` is not conda-lock's `conda-lock.yml`).
  const byName = (r: FileKindRow) => {
    const named =
      r.globs.length === 1 && !/[*/]/.test(r.globs[0]!)
        ? `resourceFilename == ${r.globs[0]}`
        : `resourceFilename =~ ${regex(r.globs)}`;
    return r.except?.length ? `(${named} && !(resourceFilename =~ ${regex(r.except)}))` : named;
  };
  const pip = FILE_KINDS.filter((r) => typeof r.editor === 'object' && r.editor.language === PIP_LANGUAGE).flatMap(
    (r) => r.globs.map((g) => (g.includes('/') ? `**/${g}` : g)),
  );
  // A language's files are offered where its rows install, except the names of its rows that do not.
  const conditions: string[] = [];
  const languages = new Set(FILE_KINDS.flatMap((r) => (typeof r.editor === 'object' ? [r.editor.language] : [])));
  for (const language of languages) {
    const rows = FILE_KINDS.filter((r) => typeof r.editor === 'object' && r.editor.language === language);
    if (!rows.some((r) => r.install)) continue;
    conditions.push(
      [`resourceLangId == ${language}`, ...rows.filter((r) => !r.install).map((r) => `!(${byName(r)})`)].join(' && '),
    );
  }
  for (const r of FILE_KINDS) if (r.install && typeof r.editor !== 'object') conditions.push(byName(r));
  return {
    activationEvents: workspaceGlobs().map((g) => `workspaceContains:${g}`),
    preCommitFiles: `(?i)(^|/)(${FILE_KINDS.flatMap((r) => r.globs.map((g) => globToRegExpSource(g).slice(1, -1))).join('|')})$`,
    filenamePatterns: pip,
    installWhen: `resourceScheme == file && (${conditions.join(' || ')})`,
  };
}
