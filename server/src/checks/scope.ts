// Which declarations of a set are installed together, and which of them take part in version checks on this target.
import type { Dependency, ParsedFile } from '../model/types';
import { sectionScope } from '../parsers/pyproject';
import { markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import { markersOverlap } from '../pep/marker-overlap';
import { canonicalizeName } from '../pep/name';
import { SpecifierSet } from '../pep/specifier';
import { VersionSet } from '../pep/version-set';
import type { ResolveOptions } from '../resolver/types';
import type { ScopedDependency } from './types';
import type { EnvironmentSet } from '../model/sets';

/**
 * The scopes that install a declaration: '' for what is always installed, `extra:NAME` or `group:NAME` for
 * extras and dependency groups; none for what is never installed with the rest (`build-system.requires`
 * runs in its own isolated build environment; a Poetry optional dependency no extra lists). A declaration
 * can be in several: an extra that other extras name (`mypkg[dataset]`), a group other groups include, a
 * Poetry optional dependency several extras list.
 */
export function scopesOf(dep: Dependency): readonly string[] {
  if (dep.kind === 'build') return NO_SCOPES;
  if (dep.scopes) return dep.scopes;
  const section = dep.section ?? '';
  let scopes = sectionScopes.get(section);
  if (!scopes) {
    const s = sectionScope(section);
    scopes = Object.freeze(s === null ? [] : [s]);
    if (sectionScopes.size > 10_000) sectionScopes.clear();
    sectionScopes.set(section, scopes);
  }
  return scopes;
}

const NO_SCOPES: readonly string[] = Object.freeze([]);
const BASE_SCOPE: readonly string[] = Object.freeze(['']);

/** The scopes of each section name: every line of a file asks, and a file has few sections. */
const sectionScopes = new Map<string, readonly string[]>();

/** The first scope of {@link scopesOf}, or null when the declaration is never installed with the rest. */
export function scopeOf(dep: Dependency): string | null {
  return scopesOf(dep)[0] ?? null;
}

/** Marker results per environment object: a file repeats few distinct markers, and every check asks. */
const holdsCache = new WeakMap<MarkerEnvironment, Map<string, boolean>>();

/**
 * True when the entry's marker holds on the target; a marker that does not parse never holds (the parser reported it).
 */
export function markerHolds(dep: Dependency, env: MarkerEnvironment): boolean {
  if (!dep.marker) return true;
  let results = holdsCache.get(env);
  if (!results) holdsCache.set(env, (results = new Map()));
  const known = results.get(dep.marker);
  if (known !== undefined) return known;
  const holds = markerTextHolds(dep.marker, env);
  if (results.size > 10_000) results.clear();
  results.set(dep.marker, holds);
  return holds;
}

const setCache = new Map<string, VersionSet | null>();

/**
 * The exact set of versions a specifier admits, or null where it cannot be judged (unparsable). `===X`
 * (arbitrary equality) compares X, lower-cased, with a candidate's `str(Version)`, which is always the normal
 * form: it is the one version X where X is written in its normal form, and no version at all where X is a version
 * written otherwise (`===1.a3`, `===9c0`). Where X is no version, only a legacy release named X could match (pip
 * 23 still read those), so such a specifier is judged by its text ({@link nonVersionText}), never here.
 */
export function versionSetOf(specifier: string): VersionSet | null {
  let v = setCache.get(specifier);
  if (v !== undefined) return v;
  try {
    const parsed = SpecifierSet.parse(specifier);
    v = parsed.specifiers.some((s) => s.operator === '===' && s.spec === null)
      ? null
      : VersionSet.fromSpecifierSet(parsed);
  } catch {
    v = null;
  }
  if (setCache.size > 10_000) setCache.clear();
  setCache.set(specifier, v);
  return v;
}

/**
 * For a specifier with a `===` clause whose text is no version: that text, lower-cased (packaging compares it
 * case-insensitively) and whether the specifier is that one clause alone (a `===` of the same text counts as it);
 * null when it has no such clause or does not parse.
 */
export function nonVersionText(specifier: string): { text: string; alone: boolean } | null {
  if (!specifier.includes('===')) return null;
  try {
    const specs = SpecifierSet.parse(specifier).specifiers;
    const clause = specs.find((s) => s.operator === '===' && s.spec === null);
    if (!clause) return null;
    const text = clause.version.toLowerCase();
    return { text, alone: specs.every((s) => s.operator === '===' && s.version.toLowerCase() === text) };
  } catch {
    return null;
  }
}

/**
 * True when a specifier admits no version by itself: its exact version set is empty (`>=2,<1`, `==1.0,!=1.0`,
 * `<0`, `===1.a3`), or it is a `===X` of a text that is no version together with another clause (only a release
 * named X could match `===X`, and no other operator admits such a release).
 */
export function admitsNothing(specifier: string): boolean {
  // One clause other than `<` and `===` always admits a version; most lines are one such clause.
  if (!specifier.includes(',') && !specifier.includes('===') && !specifier.trimStart().startsWith('<')) return false;
  const text = nonVersionText(specifier);
  if (text) return !text.alone;
  const vs = versionSetOf(specifier);
  return vs !== null && vs.isEmpty();
}

/** The set's uv project when the set is that project judged on its own (uv's settings apply), else null. */
export function uvRootOf(set: EnvironmentSet): ParsedFile | null {
  const f = set.files[0];
  return f?.kind === 'pyproject' && f.uvResolution && !set.selectedExtras?.has(f.path) ? f : null;
}

/**
 * The packages uv removes from a uv project's resolution on the target: those `exclude-dependencies` names, and those
 * `override-dependencies` overrides whose markers all fail here (an override replaces every requirement on its name,
 * marker included, so where its marker fails the name is required by nothing: uv's docs, "Dependency overrides";
 * astral-sh/uv#4976). Empty for any other set.
 */
export function uvRemovedNames(set: EnvironmentSet, env: MarkerEnvironment): Map<string, 'excluded' | 'overridden'> {
  const out = new Map<string, 'excluded' | 'overridden'>();
  const root = uvRootOf(set);
  if (!root) return out;
  for (const e of root.uvResolution!.excludes) if (e.package === null) for (const n of e.names) out.set(n, 'excluded');
  const overrides = root.dependencies.filter((d) => d.kind === 'override' && d.name);
  for (const name of new Set(overrides.map((d) => d.name)))
    if (!out.has(name) && !overrides.some((d) => d.name === name && markerHolds(d, env))) out.set(name, 'overridden');
  return out;
}

/**
 * Whether uv leaves a declaration of the set's uv project out of its resolution on the target: its package is removed
 * ({@link uvRemovedNames}; an exclusion removes the overrides and constraints on it too), or its marker holds in none
 * of the `environments` the project limits its resolution to (uv never resolves it). Null when nothing is left out.
 */
export function uvLeavesOut(set: EnvironmentSet, env: MarkerEnvironment): ((dep: Dependency) => boolean) | null {
  const root = uvRootOf(set);
  if (!root) return null;
  const removed = uvRemovedNames(set, env);
  const environments = root.uvResolution!.environments.map((e) => e.marker);
  if (removed.size === 0 && environments.length === 0) return null;
  return (dep) => {
    if (dep.file !== root.path) return false;
    const why = removed.get(dep.name);
    if (why === 'excluded' && dep.kind !== 'build') return true;
    if (why === 'overridden' && (dep.kind === 'requirement' || dep.kind === 'constraint')) return true;
    return !!dep.marker && environments.length > 0 && !environments.some((m) => markersOverlap(m, dep.marker));
  };
}

/** The resolver's options for what uv removes from a uv project's resolution on the target (empty for other sets). */
export function uvExclusionOptions(
  set: EnvironmentSet,
  env: MarkerEnvironment,
): Pick<ResolveOptions, 'excludes' | 'scopedExcludes' | 'scopedOverrides'> {
  const root = uvRootOf(set);
  if (!root) return {};
  const names = new Set(uvRemovedNames(set, env).keys());
  const uv = root.uvResolution!;
  const scoped = uv.excludes.flatMap((e) =>
    e.package ? [{ package: e.package.name, version: e.package.version, names: e.names }] : [],
  );
  const overrides = uv.scopedOverrides.map((o) => ({
    package: o.package.name,
    version: o.package.version,
    requirements: o.requirements,
  }));
  return {
    ...(names.size ? { excludes: names } : {}),
    ...(scoped.length ? { scopedExcludes: scoped } : {}),
    ...(overrides.length ? { scopedOverrides: overrides } : {}),
  };
}

const declarationsCache = new WeakMap<EnvironmentSet, { env: MarkerEnvironment; decls: ScopedDependency[] }>();

/** Every declaration of the set that is installed on the target, with its scope (computed once per set and target). */
export function installedDeclarations(set: EnvironmentSet, env: MarkerEnvironment): ScopedDependency[] {
  const hit = declarationsCache.get(set);
  if (hit && hit.env === env) return hit.decls;
  const out: ScopedDependency[] = [];
  const leftOut = uvLeavesOut(set, env);
  for (const f of set.files) {
    const includers = extraIncluders(f, env);
    // A project a requirement of the set installs (`-e .[train]`): its base and the extras named there, nothing else.
    const selected = set.selectedExtras?.get(f.path);
    for (const dep of f.dependencies) {
      let scopes = includers ? withIncluders(scopesOf(dep), includers) : scopesOf(dep);
      if (!scopes.length || !markerHolds(dep, env) || leftOut?.(dep)) continue;
      if (selected) {
        const installed = scopes.some(
          (s) => s === '' || (s.startsWith('extra:') && selected.includes(canonicalizeName(s.slice('extra:'.length)))),
        );
        if (!installed) continue;
        scopes = BASE_SCOPE;
      }
      // One entry per scope: each optional scope is judged with the base (installGroups).
      for (const scope of scopes) out.push({ dep, scope });
    }
  }
  declarationsCache.set(set, { env, decls: out });
  return out;
}

/**
 * For each extra of a pyproject that names itself (`mypkg[dataset]` in mypkg's extras), the scopes that
 * install that extra too, transitively and through cycles: the lists whose self-reference names it and
 * whose marker holds on the target. Null when the file has none.
 */
function extraIncluders(file: ParsedFile, env: MarkerEnvironment): ((scope: string) => Set<string>) | null {
  if (!file.extraIncludes?.length) return null;
  const reverse = new Map<string, string[]>();
  for (const inc of file.extraIncludes ?? []) {
    if (inc.marker && !markerTextHolds(inc.marker, env)) continue;
    for (const e of inc.extras)
      (reverse.get('extra:' + e) ?? reverse.set('extra:' + e, []).get('extra:' + e)!).push(inc.scope);
  }
  const memo = new Map<string, Set<string>>();
  return (scope) => {
    let seen = memo.get(scope);
    if (seen) return seen;
    seen = new Set<string>();
    const work = [scope];
    while (work.length) {
      for (const from of reverse.get(work.pop()!) ?? []) {
        if (from === scope || seen.has(from)) continue;
        seen.add(from);
        work.push(from);
      }
    }
    memo.set(scope, seen);
    return seen;
  };
}

/** A declaration's scopes with those that include them; one that the base includes is always installed, once. */
function withIncluders(scopes: readonly string[], includers: (scope: string) => Set<string>): readonly string[] {
  const all = new Set(scopes);
  for (const s of scopes) for (const i of includers(s)) all.add(i);
  if (all.size === scopes.length) return scopes;
  return all.has('') ? [''] : [...all].sort();
}

/** How many combinations of declared alternatives are judged at most (one alternative of each `conflicts` entry). */
const MAX_TOGETHER = 16;

/** The optional scopes a combined scope installs together (`extra:a+group:dev`); one scope is its own member. */
export function membersOf(scope: string): string[] {
  return scope === '' ? [] : scope.split('+');
}

/**
 * The scopes a uv project (a pyproject with `[tool.uv]`, judged as its own set) installs together besides each
 * optional scope with the base: uv resolves every extra and dependency group of a project together, so a conflict
 * between two of them fails `uv lock`, except between the alternatives a `conflicts` entry declares, which are never
 * installed together and are resolved each on its own. One combined scope (`extra:a+group:dev`, members sorted) per
 * choice of one alternative from each entry, with every scope no entry names; only those of two members or more
 * (one member is judged already). None for other sets: pip installs only the extras a command names.
 */
export function togetherScopes(set: EnvironmentSet, decls: readonly ScopedDependency[]): string[] {
  const uvFile = set.files.find((f) => f.uvResolution && !set.selectedExtras?.has(f.path));
  if (!uvFile || set.files[0] !== uvFile) return [];
  const optional = [...new Set(decls.filter((d) => d.scope !== '' && d.dep.file === uvFile.path).map((d) => d.scope))];
  if (optional.length < 2) return [];
  const entries = uvFile
    .uvResolution!.conflicts.map((c) =>
      c.items.filter((i) => i.package === null && i.kind !== 'package').map((i) => `${i.kind}:${i.name}`),
    )
    .filter((items) => items.length > 0);
  const named = new Set(entries.flat());
  const free = optional.filter((s) => !named.has(s));
  let choices: string[][] = [[]];
  for (const items of entries) {
    const next: string[][] = [];
    for (const chosen of choices)
      for (const item of items) {
        // Two alternatives of one entry never go together (an item can be named by several entries).
        const clash = chosen.some((c) => entries.some((e) => e.includes(c) && e.includes(item) && c !== item));
        if (!clash && next.length < MAX_TOGETHER) next.push([...new Set([...chosen, item])]);
      }
    choices = next;
  }
  const out = new Set<string>();
  for (const chosen of choices) {
    const members = [...new Set([...free, ...chosen.filter((c) => optional.includes(c))])].sort();
    if (members.length > 1) out.add(members.join('+'));
  }
  return [...out];
}

/**
 * Whether the lines all belong to the base or to one optional scope (with the base): a conflict among them is
 * judged there, and a combined scope does not report it again.
 */
export function withinOneScope(decls: readonly ScopedDependency[], lines: readonly Dependency[]): boolean {
  const scopesOfLine = lines.map((l) => new Set(decls.filter((d) => d.dep === l).map((d) => d.scope)));
  if (scopesOfLine.every((ss) => ss.has(''))) return true;
  const optional = new Set(decls.map((d) => d.scope).filter((m) => m !== ''));
  return [...optional].some((m) => scopesOfLine.every((ss) => ss.has('') || ss.has(m)));
}

/** The declarations a combined scope installs: the base's and each member's, each once. */
export function togetherGroup(decls: readonly ScopedDependency[], scope: string): Dependency[] {
  const members = new Set(membersOf(scope));
  return [...new Set(decls.filter((d) => d.scope === '' || members.has(d.scope)).map((d) => d.dep))];
}

const groupsCache = new WeakMap<readonly ScopedDependency[], readonly (readonly Dependency[])[]>();

/**
 * The groups of declarations installed together: the base alone, then the base with each optional scope. Made once
 * per list of declarations (the checks of one set share it); the lists are shared, not to be changed.
 */
export function installGroups(decls: readonly ScopedDependency[]): readonly (readonly Dependency[])[] {
  const hit = groupsCache.get(decls);
  if (hit) return hit;
  const base: Dependency[] = [];
  let optional: Set<string> | undefined;
  for (const d of decls) {
    if (d.scope === '') base.push(d.dep);
    else (optional ??= new Set()).add(d.scope);
  }
  const groups = [
    base,
    ...[...(optional ?? [])].sort().map((s) => [...base, ...decls.filter((d) => d.scope === s).map((d) => d.dep)]),
  ];
  groupsCache.set(decls, groups);
  return groups;
}

/** Groups declarations by normalized name, keeping file order. */
export function byName(deps: readonly Dependency[]): Map<string, Dependency[]> {
  const m = new Map<string, Dependency[]>();
  for (const d of deps) {
    const list = m.get(d.name);
    if (list) list.push(d);
    else m.set(d.name, [d]);
  }
  return m;
}
