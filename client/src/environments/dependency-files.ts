// Finds a folder's dependency files and reads what installing them needs: constraints and index options of requirements
// files, extras, groups and requires-python of a pyproject, the name and Python of an environment.yml.
import { readFileSync, promises as fs, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import type { FileOption, Finding } from '../../../server/src/model/types';
import { isCondaEnvironmentText, parseEnvironmentYml } from '../../../server/src/parsers/environment-yml';
import { loadRequirementsTree } from '../../../server/src/parsers/requirements';
import { canonicalizeName } from '../../../server/src/pep/name';
import { classify, mayBeCondaByContent } from '../../../server/src/workspace/file-kinds';
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
    const kind = classify(p) ?? (nodePath.dirname(p) === folder && (await condaByContent(p)) ? 'conda' : null);
    if (kind === 'constraints') out.constraints.push(p);
    else if (kind === 'requirements') out.requirements.push(p);
    else if (kind === 'conda' && nodePath.dirname(p) === folder) out.environmentYml.push(p);
    else if (kind === 'pyproject' && nodePath.dirname(p) === folder) out.pyproject = p;
  }
  return out;
}

/** Files larger than this are not read to learn what they are: environment files are a few kilobytes. */
const MAX_SNIFF_BYTES = 1 << 20;

/** Whether a YAML file the name table does not know is a conda environment by its content (`conda.yaml`, `env.yml`). */
async function condaByContent(p: string): Promise<boolean> {
  if (!mayBeCondaByContent(p)) return false;
  try {
    if ((await fs.stat(p)).size > MAX_SNIFF_BYTES) return false;
    return isCondaEnvironmentText(await fs.readFile(p, 'utf8'));
  } catch {
    return false;
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

/** What a pyproject.toml offers to install. */
export interface PyprojectInfo {
  /** `[project] name`, or null. */
  name: string | null;
  /** `requires-python` ('' when absent). */
  requiresPython: string;
  /** `[project.optional-dependencies]` names, PEP 685 normalized. */
  extras: string[];
  /** `[dependency-groups]` (PEP 735), normalized name -> requirement strings with `include-group` expanded. */
  groups: Map<string, string[]>;
  /** Whether it declares a build system or a [project] table, so `pip install .` can build it. */
  installable: boolean;
}

/**
 * Reads a pyproject.toml's installable parts. Dependency groups are expanded here (PEP 735's
 * `{include-group = "..."}`, cycles refused) for pips without `--group`.
 */
export function readPyprojectInfo(file: string): PyprojectInfo {
  let data: Record<string, unknown>;
  try {
    data = getStaticTOMLValue(parseTOML(readFileSync(file, 'utf8'))) as Record<string, unknown>;
  } catch (e) {
    throw new EnvironmentError('invalid-request', `Could not read ${file}: ${(e as Error).message}`);
  }
  const obj = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const project = obj(data.project);
  const rawGroups = obj(data['dependency-groups']);
  const byName = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(rawGroups)) byName.set(canonicalizeName(k), Array.isArray(v) ? v : []);
  const expand = (name: string, stack: string[]): string[] => {
    if (stack.includes(name))
      throw new EnvironmentError('invalid-request', `Dependency group include cycle: ${[...stack, name].join(' -> ')}`);
    const items = byName.get(name);
    if (!items) throw new EnvironmentError('invalid-request', `Dependency group '${name}' is not defined in ${file}.`);
    return items.flatMap((it) => {
      if (typeof it === 'string') return [it];
      const inc = obj(it)['include-group'];
      return typeof inc === 'string' ? expand(canonicalizeName(inc), [...stack, name]) : [];
    });
  };
  const groups = new Map<string, string[]>();
  for (const name of byName.keys()) groups.set(name, expand(name, []));
  return {
    name: typeof project.name === 'string' ? project.name : null,
    requiresPython: typeof project['requires-python'] === 'string' ? project['requires-python'] : '',
    extras: Object.keys(obj(project['optional-dependencies'])).map(canonicalizeName).sort(),
    groups,
    installable: 'project' in data || 'build-system' in data,
  };
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
