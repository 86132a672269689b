// Finds a folder's dependency files and reads what installing them needs: constraints and index options of requirements
// files, extras, groups and requires-python of a pyproject, the name and Python of an environment.yml.
import { readFileSync, promises as fs, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { FileOption, Finding } from '../../../server/src/model/types';
import { parseEnvironmentYml } from '../../../server/src/parsers/environment-yml';
import { loadRequirementsTree } from '../../../server/src/parsers/requirements';
import { readPyprojectInfo as readProjectInfo, type PyprojectInfo } from '../../../server/src/parsers/pyproject-info';
import {
  classify,
  contentRows,
  fileKindRow,
  kindByContent,
  type InstallRole,
} from '../../../server/src/workspace/file-kinds';
import { EnvironmentError } from './errors';

/** The dependency files of one folder, by kind (absolute paths, sorted). */
export interface DependencyFiles {
  requirements: string[];
  constraints: string[];
  pyproject: string | null;
  environmentYml: string[];
}

/** The dependency files in `folder` (and its `requirements/` subfolder), by the file-kind table's names. */
export async function findDependencyFiles(folder: string): Promise<DependencyFiles> {
  const out: DependencyFiles = { requirements: [], constraints: [], pyproject: null, environmentYml: [] };
  const list = async (dir: string): Promise<string[]> => {
    try {
      return (await fs.readdir(dir, { withFileTypes: true }))
        .filter((d) => d.isFile())
        .map((d) => d.name)
        .sort();
    } catch {
      return [];
    }
  };
  const sub = nodePath.join(folder, 'requirements');
  for (const p of [
    ...(await list(folder)).map((n) => nodePath.join(folder, n)),
    ...(await list(sub)).map((n) => nodePath.join(sub, n)),
  ]) {
    const inFolder = nodePath.dirname(p) === folder;
    const named = classify(p);
    const role = named ? fileKindRow(named).installAs : inFolder ? await installRoleByContent(p) : undefined;
    if (role === 'constraints') out.constraints.push(p);
    else if (role === 'requirements') out.requirements.push(p);
    else if (role === 'conda-environment' && inFolder) out.environmentYml.push(p);
    else if (role === 'project' && inFolder) out.pyproject = p;
  }
  return out;
}

/** Files larger than this are not read to learn what they are: environment files are a few kilobytes. */
const MAX_SNIFF_BYTES = 1 << 20;

/** How a file no row names is installed, by the rows whose content test its text passes (`conda.yaml`, `env.yml`). */
async function installRoleByContent(p: string): Promise<InstallRole | undefined> {
  const rows = contentRows(p).filter((r) => r.installAs);
  if (rows.length === 0) return undefined;
  try {
    if ((await fs.stat(p)).size > MAX_SNIFF_BYTES) return undefined;
    const kind = kindByContent(rows, await fs.readFile(p, 'utf8'));
    return kind ? fileKindRow(kind).installAs : undefined;
  } catch {
    return undefined;
  }
}

/** What a requirements file brings along through its includes. */
export interface RequirementsInfo {
  /** Every file of the include tree (the root first). */
  files: string[];
  /** Constraints files it names with `-c` (directly or through `-r`). */
  constraints: string[];
  /**
   * Index options (`--index-url`, `--extra-index-url`, `--find-links`, `--no-index`, ...) declared in the tree, as
   * written; pip applies them itself.
   */
  indexOptions: FileOption[];
  /** Problems of the tree (unreadable includes, cycles) and the files' syntax findings. */
  findings: Finding[];
}

const INDEX_OPTIONS = new Set([
  '--index-url',
  '--extra-index-url',
  '--find-links',
  '--no-index',
  '--trusted-host',
  '--pre',
  '--only-binary',
  '--prefer-binary',
]);

/** Reads a requirements file and its `-r`/`-c` includes (server/src/parsers/requirements.ts). */
export function readRequirementsInfo(file: string, env: NodeJS.ProcessEnv = process.env): RequirementsInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EnvironmentError('invalid-request', `Could not read ${file}: ${(e as Error).message}`);
  }
  const tree = loadRequirementsTree(nodePath.resolve(file), text, {
    kind: 'requirements',
    env,
    isDirectory: (p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
    read: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  return {
    files: tree.files.map((f) => f.path),
    constraints: tree.files.filter((f) => f.kind === 'constraints').map((f) => f.path),
    indexOptions: tree.files.flatMap((f) => f.options.filter((o) => INDEX_OPTIONS.has(o.name))),
    findings: [...tree.findings, ...tree.files.flatMap((f) => f.findings)],
  };
}

export type { PyprojectInfo };

/**
 * Reads a pyproject.toml's installable parts through the analysis' own parser (server/src/parsers/pyproject-info.ts):
 * Poetry's extras and groups included, dependency groups expanded for pips without `--group`. A file the parser finds
 * an error in (TOML syntax, an include cycle, an undefined group) is refused, as pip would refuse it.
 */
export function readPyprojectInfo(file: string): PyprojectInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EnvironmentError('invalid-request', `Could not read ${file}: ${(e as Error).message}`);
  }
  const info = readProjectInfo(nodePath.resolve(file), text);
  const error = info.findings.find((f) => f.severity === 'error');
  if (error) {
    const line = text.slice(0, error.span.start).split('\n').length;
    throw new EnvironmentError('invalid-request', `Could not read ${file}: line ${line}: ${error.message}`);
  }
  return info;
}

/** What an environment.yml declares about the environment it makes. */
export interface EnvironmentYmlInfo {
  name: string | null;
  /** The `python` pin as PEP 440 ('' when none). */
  requiresPython: string;
  channels: string[];
  /** Whether it has a `pip:` part. */
  hasPipPart: boolean;
  findings: Finding[];
}

/** Reads an environment.yml (server/src/parsers/environment-yml.ts). */
export function readEnvironmentYmlInfo(file: string): EnvironmentYmlInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EnvironmentError('invalid-request', `Could not read ${file}: ${(e as Error).message}`);
  }
  const parsed = parseEnvironmentYml(nodePath.resolve(file), text);
  return {
    name: parsed.condaName ?? null,
    requiresPython: parsed.requiresPython ?? '',
    channels: parsed.channels ?? [],
    hasPipPart:
      parsed.dependencies.some((d) => d.section === 'dependencies.pip') ||
      parsed.includes.length > 0 ||
      parsed.options.length > 0,
    findings: parsed.findings,
  };
}
