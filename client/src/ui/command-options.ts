// The answers a caller (a test, another extension, a menu) can give an environment command instead of its pickers, read
// and checked.
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { EnvironmentError } from '../environments/errors';
import type { IndexOptions } from '../environments/pip';

/**
 * The first argument of the environment commands: each field answers one picker or question, and the real code
 * path runs with it. Paths may be relative to `folder`.
 */
export interface EnvironmentCommandOptions {
  /**
   * The project folder: dependency files are looked for here, `.venv` / `.conda` go here. Default: the workspace folder
   * (asked when there are several).
   */
  folder?: string;
  /** Create: the base interpreter (a path; it is probed as any other). */
  interpreter?: string;
  /** Create: the environment folder (default `.venv`, or `.conda` for conda). */
  location?: string;
  /** Create: replace an environment already at the location (default: ask). */
  overwrite?: boolean;
  /**
   * Dependency files to install (requirements files, a pyproject.toml, an environment.yml). Default: those found in the
   * folder.
   */
  files?: string[];
  /** Constraints files applied to every pip install (`-c`). Default: the folder's `constraints*.txt`. */
  constraints?: string[];
  /** Extras of the pyproject to install. */
  extras?: string[];
  /** Dependency groups (PEP 735) of the pyproject to install. */
  groups?: string[];
  /**
   * pip's index: a URL (`--index-url`) or the module's IndexOptions. Default: the stackDoctor.indexUrl / extraIndexUrls
   * settings.
   */
  index?: string | IndexOptions;
  /** The environment variables of the processes run (pip, python, conda). Default: the extension host's. */
  env?: Record<string, string>;
  /** Activate, Install: the environment (its folder, or its interpreter). */
  environment?: string;
  /** Create Conda: the conda, mamba or micromamba executable. */
  manager?: string;
  /** Create Conda: the environment file (`''` for none: an environment with only Python). */
  file?: string;
  /** Create Conda without a file: the Python version (`3.12`). */
  python?: string;
  /** Create Conda: a named environment (`-n NAME`) instead of a prefix folder. */
  name?: string;
  /** Activate: also open a terminal in the environment. */
  terminal?: boolean;
  /** Create Conda: go on when Stack Doctor's diagnostics say conda's solve fails (default: ask). */
  ignoreProblems?: boolean;
}

/**
 * What a command was invoked with: the options, and the file it was invoked on (editor title, explorer context menu).
 */
export interface CommandInput {
  options: EnvironmentCommandOptions;
  resource?: vscode.Uri;
}

const STRINGS = ['folder', 'interpreter', 'location', 'environment', 'manager', 'file', 'python', 'name'] as const;
const STRING_ARRAYS = ['files', 'constraints', 'extras', 'groups'] as const;
const BOOLEANS = ['overwrite', 'terminal', 'ignoreProblems'] as const;
const KNOWN = new Set<string>([...STRINGS, ...STRING_ARRAYS, ...BOOLEANS, 'index', 'env']);

function invalid(message: string): EnvironmentError {
  return new EnvironmentError('invalid-request', message);
}

/** Reads a command's first argument: nothing, a Uri (menus), or an options object whose fields are checked. */
export function readCommandInput(arg: unknown): CommandInput {
  if (arg === undefined || arg === null) return { options: {} };
  if (arg instanceof vscode.Uri) return { options: {}, resource: arg };
  if (typeof arg !== 'object' || Array.isArray(arg))
    throw invalid('The command takes an options object as its argument.');
  const raw = arg as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) throw invalid(`Unknown option '${key}'.`);
  const options: EnvironmentCommandOptions = {};
  for (const key of STRINGS) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw invalid(`Option '${key}' must be a string.`);
    options[key] = v;
  }
  for (const key of STRING_ARRAYS) {
    const v = raw[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
      throw invalid(`Option '${key}' must be a list of strings.`);
    options[key] = [...(v as string[])];
  }
  for (const key of BOOLEANS) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw invalid(`Option '${key}' must be true or false.`);
    options[key] = v;
  }
  const index = raw.index;
  if (index !== undefined) {
    if (typeof index !== 'string' && (typeof index !== 'object' || index === null || Array.isArray(index)))
      throw invalid(`Option 'index' must be a URL or index options.`);
    options.index = index as string | IndexOptions;
  }
  const env = raw.env;
  if (env !== undefined) {
    if (
      typeof env !== 'object' ||
      env === null ||
      Array.isArray(env) ||
      !Object.values(env).every((v) => typeof v === 'string')
    )
      throw invalid(`Option 'env' must map names to strings.`);
    options.env = { ...(env as Record<string, string>) };
  }
  return { options };
}

/** `p` as an absolute path (relative paths are taken from `base`). */
export function resolvePath(base: string, p: string): string {
  return nodePath.resolve(base, p);
}

/**
 * The index options of an install: the caller's, else the stackDoctor.indexUrl / extraIndexUrls settings (read only in
 * a trusted workspace).
 */
export function indexOptionsOf(
  options: EnvironmentCommandOptions,
  folder: vscode.Uri | undefined,
): IndexOptions | undefined {
  if (typeof options.index === 'string') return { indexUrl: options.index };
  if (options.index) return options.index;
  const config = vscode.workspace.getConfiguration('stackDoctor', folder);
  const indexUrl = config.get<string>('indexUrl', '');
  const extraIndexUrls = config.get<string[]>('extraIndexUrls', []);
  return indexUrl || extraIndexUrls.length ? { ...(indexUrl ? { indexUrl } : {}), extraIndexUrls } : undefined;
}
