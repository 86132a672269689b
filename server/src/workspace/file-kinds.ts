// The one table of dependency file kinds: which names are requirements, constraints, conda or pyproject files. The
// server, the client and package.json read it (a test holds package.json to it).
import type { FileKind } from '../model/types';

/** One kind of dependency file and the names it goes by. */
export interface FileKindRule {
  kind: FileKind;
  /** Which parser reads it (constraints files are requirements files whose entries constrain). */
  parser: 'requirements' | 'conda' | 'pyproject';
  /**
   * Globs on the file name (`*` is any run of characters but `/`), or on `folder/name` for files known by their
   * folder (`requirements/*.txt`). Matched case-insensitively. The first rule that matches decides.
   */
  globs: readonly string[];
  /** Names the globs match that are not of this kind (tried first; the later rules still may claim them). */
  except?: readonly string[];
}

/** The kinds, in the order they are tried: a constraints file is never a requirements file. */
export const FILE_KINDS: readonly FileKindRule[] = [
  { kind: 'pyproject', parser: 'pyproject', globs: ['pyproject.toml'] },
  {
    kind: 'conda',
    parser: 'conda',
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
  },
  { kind: 'constraints', parser: 'requirements', globs: ['constraints*.txt'] },
  {
    kind: 'requirements',
    parser: 'requirements',
    globs: [
      'requirements*.txt',
      '*.requirements.txt',
      '*-requirements.txt',
      'requirements/*.txt',
      'requirements*.in',
      '*-requirements.in',
      'requirements/*.in',
    ],
  },
];

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

const compiled = FILE_KINDS.map((r) => ({
  rule: r,
  patterns: r.globs.map((g) => ({ inFolder: g.includes('/'), re: new RegExp(globToRegExpSource(g), 'i') })),
  except: (r.except ?? []).map((g) => new RegExp(globToRegExpSource(g), 'i')),
}));

/** The kind of a dependency file by its name (and its folder's name), or null for a file not read on its own. */
export function classify(filePath: string): FileKind | null {
  const parts = filePath.split(/[\\/]/);
  const base = parts[parts.length - 1] ?? '';
  const withFolder = `${parts[parts.length - 2] ?? ''}/${base}`;
  for (const { rule, patterns, except } of compiled)
    if (!except.some((re) => re.test(base)) && patterns.some((p) => p.re.test(p.inFolder ? withFolder : base)))
      return rule.kind;
  return null;
}

/**
 * Names of files that are conda environments when their content says so (`conda.yaml`, `env.gpu.yml`), whatever the
 * table says of their name: a YAML mapping whose `dependencies` lists conda specs.
 */
export const CONDA_CONTENT_GLOBS: readonly string[] = ['*.yml', '*.yaml'];

const contentPatterns = CONDA_CONTENT_GLOBS.map((g) => new RegExp(globToRegExpSource(g), 'i'));

/** Whether a file the table does not name may still be a conda environment file, by its content. */
export function mayBeCondaByContent(filePath: string): boolean {
  const base = filePath.split(/[\\/]/).pop() ?? '';
  return contentPatterns.some((re) => re.test(base));
}

/**
 * Globs of the documents the editor sends to the server besides pip requirements (a language of ours): every YAML
 * file (the server decides by content whether it is a conda environment) and pyproject.toml.
 */
export function editorDocumentGlobs(): string[] {
  return [...CONDA_CONTENT_GLOBS.map((g) => `**/${g}`), ...workspaceGlobs(['pyproject'])];
}

/** Workspace globs of every dependency file (`**` + each glob): file watchers and `workspaceContains` activation. */
export function workspaceGlobs(
  kinds: readonly FileKind[] = ['requirements', 'constraints', 'conda', 'pyproject'],
): string[] {
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
  const alternation = (kind: FileKind) =>
    FILE_KINDS.filter((r) => r.kind === kind).flatMap((r) =>
      r.globs.filter((g) => !g.includes('/')).map((g) => globToRegExpSource(g, '.*').slice(1, -1)),
    );
  const regex = (kind: FileKind) => `/^(${alternation(kind).join('|')})$/i`;
  const pip = FILE_KINDS.filter((r) => r.parser === 'requirements').flatMap((r) =>
    r.globs.map((g) => (g.includes('/') ? `**/${g}` : g)),
  );
  return {
    activationEvents: workspaceGlobs().map((g) => `workspaceContains:${g}`),
    preCommitFiles: `(?i)(^|/)(${FILE_KINDS.flatMap((r) => r.globs.map((g) => globToRegExpSource(g).slice(1, -1))).join('|')})$`,
    filenamePatterns: pip,
    installWhen:
      `resourceScheme == file && (resourceLangId == pip-requirements && !(resourceFilename =~ ` +
      `${regex('constraints')}) || resourceFilename == pyproject.toml || resourceFilename =~ ${regex('conda')})`,
  };
}
