// The quick picks of the environment commands, each with a sensible default and each answered instead by the caller's
// options when given.
import { statSync } from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { SpecifierSet } from '../../../server/src/pep/specifier';
import { Version } from '../../../server/src/pep/version';
import { condaKindOf, findCondaManagers, type CondaManager } from '../environments/conda';
import { discoverEnvironments } from '../environments/discovery';
import {
  discoverInterpreters,
  probeInterpreter,
  rankInterpreters,
  type Interpreter,
} from '../environments/interpreters';
import { environmentKindAt, readEnvironment, type PythonEnvironment } from '../environments/environment';
import { EnvironmentError } from '../environments/errors';
import {
  findDependencyFiles,
  readPyprojectInfo,
  type DependencyFiles,
  type PyprojectInfo,
} from '../environments/dependency-files';
import type { EnvironmentCommandOptions } from './command-options';
import { Dismissed } from './outcome';

function invalid(message: string): EnvironmentError {
  return new EnvironmentError('invalid-request', message);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The local workspace folders (environments live on the extension host's file system). */
export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/**
 * The project folder: the caller's (relative to the first workspace folder), the only workspace folder, or the one
 * picked.
 */
export async function pickFolder(given: string | undefined): Promise<string> {
  const folders = workspaceFolderPaths();
  if (given !== undefined) {
    const abs = nodePath.resolve(folders[0] ?? process.cwd(), given);
    if (!isDirectory(abs)) throw invalid(`${abs} is not a folder.`);
    return abs;
  }
  if (folders.length === 0)
    throw invalid('Open a folder first: environments are created in, and installed from, a workspace folder.');
  if (folders.length === 1) return folders[0]!;
  const picked = await vscode.window.showWorkspaceFolderPick({
    placeHolder: 'Choose the project folder',
    ignoreFocusOut: true,
  });
  if (!picked) throw new Dismissed();
  return picked.uri.fsPath;
}

/** The pyproject's `requires-python` ('' when there is none or it cannot be read). */
export function requiresPythonOf(files: DependencyFiles): string {
  if (!files.pyproject) return '';
  try {
    return readPyprojectInfo(files.pyproject).requiresPython;
  } catch {
    return '';
  }
}

/**
 * The base interpreter: the caller's (probed), or picked from those found, the newest that satisfies `requires-python`
 * first and preselected.
 */
export async function pickInterpreter(
  given: string | undefined,
  requiresPython: string,
  env: NodeJS.ProcessEnv | undefined,
): Promise<Interpreter> {
  if (given !== undefined) {
    const probed = await probeInterpreter(given, 'configured', { env });
    if (!probed) throw new EnvironmentError('spawn-failed', `${given} did not run as a Python interpreter.`);
    return probed;
  }
  const found = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Stack Doctor: looking for Python interpreters' },
    () => discoverInterpreters({ env }),
  );
  if (found.length === 0)
    throw invalid(
      'No Python interpreter was found (PATH, pyenv, /usr/bin, /usr/local/bin, ' +
        'Homebrew, ~/.local/bin). Install Python 3, then try again.',
    );
  const ranked = rankInterpreters(found, requiresPython);
  const items = ranked.map((r, i) => {
    const notes = [
      ...(r.satisfiesRequiresPython ? [] : [`does not satisfy requires-python ${requiresPython}`]),
      ...(r.interpreter.venvProblem
        ? [r.interpreter.venvProblem.message]
        : r.canCreateVenv
          ? []
          : ['cannot create a virtual environment']),
    ];
    const recommended = i === 0 && r.satisfiesRequiresPython && r.canCreateVenv;
    return {
      label:
        `${recommended ? '$(star-full) ' : ''}Python ` +
        `${r.interpreter.version}${r.interpreter.implementation === 'cpython' ? '' : ` (${r.interpreter.implementation})`}`,
      description: `${r.interpreter.path}${recommended ? ' (recommended)' : ''}`,
      detail: notes.length ? `$(warning) ${notes.join('; ')}` : undefined,
      interpreter: r.interpreter,
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Stack Doctor: base interpreter',
    placeHolder: requiresPython
      ? `Choose the interpreter for the environment (the project requires Python ${requiresPython})`
      : 'Choose the interpreter for the environment',
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked) throw new Dismissed();
  return picked.interpreter;
}

/** The dependency files chosen for an install. */
export interface FileSelection {
  requirements: string[];
  pyproject: string | null;
  environmentYml: string | null;
  /** Applied with `-c` to every pip install. */
  constraints: string[];
}

const CONSTRAINTS_NAME = /^constraints.*\.txt$/i;

/** Sorts given paths into the kinds of {@link FileSelection}; each must exist. */
function classify(paths: readonly string[], folder: string): FileSelection {
  const out: FileSelection = { requirements: [], pyproject: null, environmentYml: null, constraints: [] };
  for (const p of paths.map((f) => nodePath.resolve(folder, f))) {
    if (!isFile(p)) throw invalid(`${p} does not exist.`);
    const base = nodePath.basename(p);
    if (base === 'pyproject.toml') out.pyproject = p;
    else if (/\.ya?ml$/i.test(base)) out.environmentYml = p;
    else if (CONSTRAINTS_NAME.test(base)) out.constraints.push(p);
    else out.requirements.push(p);
  }
  return out;
}

/**
 * The files to install from `folder`: the caller's, or picked from those found, all preselected. Constraints files
 * (`constraints*.txt`) are applied to every pip install unless the caller names others (or the person unticks them).
 * `conda`: offer environment files (only a conda environment takes them).
 */
export async function pickDependencyFiles(
  folder: string,
  options: Pick<EnvironmentCommandOptions, 'files' | 'constraints'>,
  conda: boolean,
): Promise<FileSelection> {
  const found = await findDependencyFiles(folder);
  const constraintsGiven = options.constraints?.map((c) => nodePath.resolve(folder, c));
  for (const c of constraintsGiven ?? []) if (!isFile(c)) throw invalid(`${c} does not exist.`);
  if (options.files !== undefined) {
    const selection = classify(options.files, folder);
    if (selection.environmentYml && !conda)
      throw invalid(
        `${selection.environmentYml} is a conda environment file; it installs only into a conda environment.`,
      );
    selection.constraints = [...new Set([...selection.constraints, ...(constraintsGiven ?? found.constraints)])];
    return selection;
  }
  type Item = vscode.QuickPickItem & { path?: string; role?: keyof FileSelection };
  const rel = (p: string): string => nodePath.relative(folder, p);
  const items: Item[] = [];
  const installable = [
    ...found.requirements.map((p) => ({
      label: rel(p),
      description: 'requirements',
      path: p,
      role: 'requirements' as const,
      picked: !p.endsWith('.in'),
    })),
    ...(found.pyproject
      ? [
          {
            label: 'pyproject.toml',
            description: 'project (extras and groups next)',
            path: found.pyproject,
            role: 'pyproject' as const,
            picked: true,
          },
        ]
      : []),
    ...(conda
      ? found.environmentYml.map((p, i) => ({
          label: rel(p),
          description: 'conda environment file',
          path: p,
          role: 'environmentYml' as const,
          picked: i === 0,
        }))
      : []),
  ];
  if (installable.length === 0)
    return {
      requirements: [],
      pyproject: null,
      environmentYml: null,
      constraints: constraintsGiven ?? found.constraints,
    };
  items.push({ label: 'install', ...separator() }, ...installable);
  const constraints = constraintsGiven ?? found.constraints;
  if (constraints.length)
    items.push(
      { label: 'constraints (applied to every pip install)', ...separator() },
      ...constraints.map((p) => ({
        label: rel(p),
        description: 'constraints',
        path: p,
        role: 'constraints' as const,
        picked: true,
      })),
    );
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Stack Doctor: dependency files',
    placeHolder: 'Choose what to install (all found are selected)',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked) throw new Dismissed();
  const selection: FileSelection = { requirements: [], pyproject: null, environmentYml: null, constraints: [] };
  for (const item of picked) {
    if (!item.path) continue;
    if (item.role === 'requirements') selection.requirements.push(item.path);
    else if (item.role === 'constraints') selection.constraints.push(item.path);
    else if (item.role === 'pyproject') selection.pyproject = item.path;
    else if (item.role === 'environmentYml') selection.environmentYml ??= item.path;
  }
  return selection;
}

function separator(): { kind: vscode.QuickPickItemKind } {
  return { kind: vscode.QuickPickItemKind.Separator };
}

/**
 * The extras and dependency groups to install with a pyproject: the caller's (checked against the file), or picked
 * (none preselected).
 */
export async function pickExtrasAndGroups(
  pyproject: string,
  options: Pick<EnvironmentCommandOptions, 'extras' | 'groups'>,
): Promise<{ info: PyprojectInfo; extras: string[]; groups: string[] }> {
  const info = readPyprojectInfo(pyproject);
  const norm = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');
  if (options.extras !== undefined || options.groups !== undefined) {
    const extras = (options.extras ?? []).map(norm);
    const groups = (options.groups ?? []).map(norm);
    for (const e of extras)
      if (!info.extras.includes(e))
        throw invalid(`${pyproject} has no extra '${e}' (it has: ${info.extras.join(', ') || 'none'}).`);
    for (const g of groups)
      if (!info.groups.has(g))
        throw invalid(
          `${pyproject} has no dependency group '${g}' (it has: ${[...info.groups.keys()].join(', ') || 'none'}).`,
        );
    return { info, extras, groups };
  }
  if (info.extras.length === 0 && info.groups.size === 0) return { info, extras: [], groups: [] };
  type Item = vscode.QuickPickItem & { extra?: string; group?: string };
  const items: Item[] = [
    ...(info.extras.length
      ? [{ label: 'extras', ...separator() }, ...info.extras.map((e) => ({ label: e, description: 'extra', extra: e }))]
      : []),
    ...(info.groups.size
      ? [
          { label: 'dependency groups', ...separator() },
          ...[...info.groups.entries()].map(([g, reqs]) => ({
            label: g,
            description: `group: ${reqs.join(', ')}`,
            group: g,
          })),
        ]
      : []),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Stack Doctor: extras and groups of ${info.name ?? 'the project'}`,
    placeHolder: 'Choose extras and dependency groups to install too (none: only the dependencies)',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked) throw new Dismissed();
  return {
    info,
    extras: picked.flatMap((i) => (i.extra ? [i.extra] : [])),
    groups: picked.flatMap((i) => (i.group ? [i.group] : [])),
  };
}

/**
 * Reads the environment at a folder, or the one an interpreter path belongs to (`bin/python`, `Scripts\python.exe`,
 * `python.exe`).
 */
export async function environmentAt(p: string): Promise<PythonEnvironment> {
  const abs = nodePath.resolve(workspaceFolderPaths()[0] ?? process.cwd(), p);
  const candidates = isFile(abs) ? [nodePath.dirname(nodePath.dirname(abs)), nodePath.dirname(abs)] : [abs];
  for (const c of candidates) {
    const env = await readEnvironment(c, 'workspace');
    if (env) return env;
  }
  throw invalid(`${abs} is not a virtual or conda environment (no pyvenv.cfg or conda-meta found).`);
}

/** What the person chose in the environment picker. */
export type EnvironmentChoice = PythonEnvironment | 'create-venv' | 'create-conda';

/**
 * An environment: the caller's, or picked from those found (workspace folders, WORKON_HOME, pyenv, conda), the active
 * one first.
 */
export async function pickEnvironment(
  given: string | undefined,
  active: PythonEnvironment | undefined,
  placeHolder: string,
  env: NodeJS.ProcessEnv | undefined,
): Promise<EnvironmentChoice> {
  if (given !== undefined) return environmentAt(given);
  const found = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Stack Doctor: looking for environments' },
    async () =>
      discoverEnvironments({
        workspaceFolders: workspaceFolderPaths(),
        condaManagers: await findCondaManagers({ env }),
        env,
      }),
  );
  const ordered = active ? [active, ...found.filter((e) => e.prefix !== active.prefix)] : found;
  type Item = vscode.QuickPickItem & { choice?: EnvironmentChoice };
  const items: Item[] = ordered.map((e) => ({
    label: `${e.prefix === active?.prefix ? '$(check) ' : ''}${e.name}`,
    description: [
      e.version ? `Python ${e.version}` : 'Python version unknown',
      e.kind === 'venv' ? 'virtual environment' : 'conda',
      e.prefix === active?.prefix ? 'active' : '',
    ]
      .filter(Boolean)
      .join(' · '),
    detail: e.prefix,
    choice: e,
  }));
  items.push(
    { label: '', ...separator() },
    { label: '$(add) Create Virtual Environment…', choice: 'create-venv' },
    { label: '$(add) Create Conda Environment…', choice: 'create-conda' },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Stack Doctor: environment',
    placeHolder,
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  if (!picked?.choice) throw new Dismissed();
  return picked.choice;
}

/** The conda front end: the caller's, the only one found, or picked. */
export async function pickCondaManager(
  given: string | undefined,
  env: NodeJS.ProcessEnv | undefined,
): Promise<CondaManager> {
  if (given !== undefined) {
    const kind = condaKindOf(given);
    if (!kind) throw invalid(`${given} is not conda, mamba or micromamba.`);
    if (!isFile(given)) throw new EnvironmentError('spawn-failed', `${given} was not found.`);
    return { kind, path: given, source: 'configured' };
  }
  const managers = await findCondaManagers({ env });
  if (managers.length === 0) {
    throw new EnvironmentError(
      'spawn-failed',
      'No conda, mamba or micromamba was found (CONDA_EXE, MAMBA_EXE, PATH, and the usual install folders such as ' +
        '~/miniforge3, ~/miniconda3 and ~/micromamba). Install ' +
        'Miniforge or micromamba, or put conda on PATH, then try again.',
    );
  }
  if (managers.length === 1) return managers[0]!;
  const picked = await vscode.window.showQuickPick(
    managers.map((m) => ({ label: m.kind, description: m.path, manager: m })),
    { title: 'Stack Doctor: conda front end', placeHolder: 'Choose conda, mamba or micromamba', ignoreFocusOut: true },
  );
  if (!picked) throw new Dismissed();
  return picked.manager;
}

/**
 * The environment file a conda environment is created from: the caller's (`''`: none), the only one found, or picked;
 * null for none.
 */
export async function pickEnvironmentFile(given: string | undefined, folder: string): Promise<string | null> {
  if (given !== undefined) {
    if (given === '') return null;
    const abs = nodePath.resolve(folder, given);
    if (!isFile(abs)) throw invalid(`${abs} does not exist.`);
    return abs;
  }
  const found = (await findDependencyFiles(folder)).environmentYml;
  if (found.length === 0) return null;
  type Item = vscode.QuickPickItem & { file: string | null };
  const items: Item[] = [
    ...found.map((f) => ({ label: nodePath.relative(folder, f), description: 'conda environment file', file: f })),
    { label: 'No file', description: 'an environment with only Python', file: null },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Stack Doctor: environment file',
    placeHolder: 'Create the environment from',
    ignoreFocusOut: true,
  });
  if (!picked) throw new Dismissed();
  return picked.file;
}

/** Python versions offered for a conda environment without a file. */
const CONDA_PYTHONS = ['3.13', '3.12', '3.11', '3.10', '3.9'];

/**
 * The Python version of a conda environment without a file: the caller's, or picked, the newest that satisfies
 * `requires-python` first.
 */
export async function pickPythonVersion(given: string | undefined, requiresPython: string): Promise<string> {
  if (given !== undefined) {
    if (!/^\d+\.\d+(\.\d+)?$/.test(given)) throw invalid(`'${given}' is not a Python version such as 3.12.`);
    return given;
  }
  let spec: SpecifierSet | null = null;
  try {
    spec = requiresPython ? SpecifierSet.parse(requiresPython) : null;
  } catch {
    spec = null;
  }
  // As pip does, judge X.Y by X.Y.0's later patch releases too: X.Y fits when X.Y.0 or X.Y.99 does.
  const fits = (v: string): boolean =>
    !spec || [`${v}.0`, `${v}.99`].some((p) => spec.contains(Version.parse(p)!, true));
  const ordered = [...CONDA_PYTHONS.filter(fits), ...CONDA_PYTHONS.filter((v) => !fits(v))];
  const picked = await vscode.window.showQuickPick(
    ordered.map((v) => ({
      label: `Python ${v}`,
      description: fits(v) ? '' : `does not satisfy requires-python ${requiresPython}`,
      version: v,
    })),
    {
      title: 'Stack Doctor: Python version',
      placeHolder: 'Choose the Python version of the conda environment',
      ignoreFocusOut: true,
    },
  );
  if (!picked) throw new Dismissed();
  return picked.version;
}

/** Whether to replace an environment already at `dir`: the caller's answer, else asked (modal) when one is there. */
export async function confirmOverwrite(dir: string, given: boolean | undefined): Promise<boolean> {
  if (given !== undefined) return given;
  const kind = await environmentKindAt(dir);
  if (!kind) return false;
  const replace = 'Replace';
  const choice = await vscode.window.showWarningMessage(
    `${dir} already holds a ${kind === 'venv' ? 'virtual' : 'conda'} ` +
      `environment. Replace it? The old one is kept until the new one is ready.`,
    { modal: true },
    replace,
  );
  if (choice !== replace) throw new Dismissed();
  return true;
}
