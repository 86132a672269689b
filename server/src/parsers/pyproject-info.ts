// What a pyproject.toml offers to install, as an installer asks it: the project's name, its extras (Poetry's included),
// its dependency groups as requirement strings, and whether `pip install .` builds something. Read through the same
// parser the analysis uses, so the two never disagree on what the file declares.
import type { Dependency, Finding } from '../model/types';
import { canonicalizeName } from '../pep/name';
import { parsePyproject, sectionScope } from './pyproject';
import { readTomlTree, type VEntry, type VTable } from './toml-tree';

/** What a pyproject.toml offers to install. */
export interface PyprojectInfo {
  /** `[project] name`, else Poetry's `[tool.poetry] name`; null when neither is a string. */
  name: string | null;
  /** The project's Python (`requires-python`, else Poetry's `python` dependency) as PEP 440; '' when absent. */
  requiresPython: string;
  /** `[project.optional-dependencies]` and `[tool.poetry.extras]` names, PEP 685 normalized, sorted, each once. */
  extras: string[];
  /**
   * Dependency groups by normalized name, in written order: each group's requirement strings, includes expanded in
   * place (PEP 735 `{include-group = ...}`), Poetry's groups and dev dependencies translated to PEP 508.
   */
  groups: Map<string, string[]>;
  /** The groups `[dependency-groups]` declares: the ones pip's own `--group` reads. */
  standardGroups: Set<string>;
  /** Whether it declares a `[project]` or a `[build-system]` table, so that `pip install .` builds it. */
  installable: boolean;
  /** The parser's findings on the file (TOML errors, bad entries, include cycles), by position. */
  findings: Finding[];
}

/** A dependency written as the PEP 508 requirement pip installs. */
export function requirementString(d: Dependency): string {
  const extras = d.extras.length ? `[${d.extras.join(',')}]` : '';
  const version = d.url !== null ? ` @ ${d.url}` : d.specifierUnknown ? '' : d.specifier;
  const marker = d.marker ? `${d.url !== null ? ' ' : ''}; ${d.marker}` : '';
  return `${d.rawName}${extras}${version}${marker}`;
}

const tableOf = (e: VEntry | undefined): VTable | null => (e?.value.kind === 'table' ? e.value : null);

const stringOf = (e: VEntry | undefined): string | null =>
  e?.value.kind === 'value' && e.value.node.kind === 'string' ? String(e.value.node.value) : null;

/** Reads what a pyproject.toml offers to install. Never throws: problems are in `findings`. */
export function readPyprojectInfo(path: string, text: string): PyprojectInfo {
  const parsed = parsePyproject(path, text);
  const root = readTomlTree(text).root;
  const project = tableOf(root?.entries.get('project'));
  const poetry = tableOf(tableOf(root?.entries.get('tool'))?.entries.get('poetry'));

  const extras = new Set<string>();
  for (const key of tableOf(project?.entries.get('optional-dependencies'))?.entries.keys() ?? [])
    extras.add(canonicalizeName(key));
  for (const key of tableOf(poetry?.entries.get('extras'))?.entries.keys() ?? []) extras.add(canonicalizeName(key));

  const groups = new Map<string, string[]>();
  const standardGroups = new Set<string>();
  // PEP 735 groups from the tree, includes expanded where written; the parser reports undefined names and cycles.
  const declared = new Map<string, VEntry>();
  for (const [raw, e] of tableOf(root?.entries.get('dependency-groups'))?.entries ?? []) {
    const name = canonicalizeName(raw);
    if (!declared.has(name)) declared.set(name, e);
  }
  const expand = (name: string, stack: readonly string[]): string[] => {
    const e = declared.get(name);
    if (!e || stack.includes(name) || e.value.kind !== 'array') return [];
    return e.value.items.flatMap((item) => {
      if (item.kind === 'value' && item.node.kind === 'string') return [String(item.node.value)];
      const include = item.kind === 'table' ? stringOf(item.entries.get('include-group')) : null;
      return include === null ? [] : expand(canonicalizeName(include), [...stack, name]);
    });
  };
  for (const name of declared.keys()) {
    groups.set(name, expand(name, []));
    standardGroups.add(name);
  }
  // Poetry's groups and dev dependencies (and uv's dev dependencies): translated by the parser.
  for (const d of parsed.dependencies) {
    if (d.kind !== 'requirement' || d.section === null || d.section.startsWith('dependency-groups.')) continue;
    const scope = sectionScope(d.section);
    if (!scope?.startsWith('group:')) continue;
    const name = scope.slice('group:'.length);
    standardGroups.delete(name);
    (groups.get(name) ?? groups.set(name, []).get(name)!).push(requirementString(d));
  }

  return {
    name: stringOf(project?.entries.get('name')) ?? stringOf(poetry?.entries.get('name')),
    requiresPython: parsed.requiresPython ?? '',
    extras: [...extras].sort(),
    groups,
    standardGroups,
    installable: !!root && (root.entries.has('project') || root.entries.has('build-system')),
    findings: parsed.findings,
  };
}
