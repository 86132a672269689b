// How a uv project routes the packages whose builds follow the PyTorch variant (torch, torchvision, xformers, ...):
// the index each declaration is taken from, as `[tool.uv.sources]` and `[[tool.uv.index]]` decide, for the checks that
// judge that routing (`cuda-unavailable`, `cuda-mix`) and for the CUDA builds a routed index stands for.
import { variantToCuda } from '../knowledge/cuda';
import { parseTorchIndexUrl, torchBackendPackages } from '../knowledge/pytorch';
import { formatCuda, type CudaVersion } from '../knowledge/types';
import type { EnvironmentSet } from '../model/sets';
import type { Dependency, ParsedFile, TextEdit, UvIndex, UvIndexSettings, UvSource } from '../model/types';
import { redact } from '../index/credentials';
import { markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import { markersOverlap } from '../pep/marker-overlap';
import { parsePyproject } from '../parsers/pyproject';
import { routedIndex, sourcesFor } from '../parsers/uv-index';
import { markerHolds, scopesOf, uvLeavesOut, uvRootOf } from './scope';

/** The set's uv project: its root pyproject and the uv index settings it writes; null for any other set. */
export function uvProject(set: EnvironmentSet): { file: ParsedFile; uv: UvIndexSettings } | null {
  const file = set.files[0];
  return file?.kind === 'pyproject' && file.uvIndexes ? { file, uv: file.uvIndexes } : null;
}

/** The CUDA version of a PyTorch CUDA index URL (`/whl/cu121`), or null for any other index. */
export function torchIndexCuda(url: string): CudaVersion | null {
  const parsed = parseTorchIndexUrl(url);
  return parsed ? variantToCuda(parsed.variant) : null;
}

/** Where one declaration is taken from. */
export interface Route {
  /** The index, or null for the main index (PyPI or the person's), or 'local' for a path, git or workspace source. */
  index: UvIndex | null | 'local';
  /** The source entry that routes it there; null when no entry applies (uv's index order decides). */
  source: UvSource | null;
}

/**
 * The index a declaration is taken from on the target: the first source entry that applies to its scopes and whose
 * marker holds, else, by uv's `first-index` order, the first index that serves unrouted packages and is a PyTorch index
 * (those carry every package of the variant), else the main index.
 */
export function routeOf(uv: UvIndexSettings, dep: Dependency, env: MarkerEnvironment): Route {
  const applies = sourcesFor(uv, dep.name, scopesOf(dep)).filter((s) => markerTextHolds(s.marker, env));
  const first = applies[0];
  if (first) {
    if (first.kind === 'index') return { index: routedIndex(uv, first) ?? null, source: first };
    if (first.kind !== 'url') return { index: 'local', source: first };
  }
  const ordered = [...uv.indexes.filter((i) => !i.default), ...uv.indexes.filter((i) => i.default)];
  const torchIndex = ordered.find((i) => !i.explicit && parseTorchIndexUrl(i.url));
  return { index: torchIndex ?? null, source: null };
}

/** The declarations of the uv project's PyTorch-variant packages that hold on the target, each with its route. */
export function torchDeclarations(
  set: EnvironmentSet,
  env: MarkerEnvironment,
): { file: ParsedFile; uv: UvIndexSettings; dep: Dependency; route: Route }[] {
  const project = uvProject(set);
  if (!project) return [];
  const leftOut = uvLeavesOut(set, env);
  return project.file.dependencies
    .filter((d) => d.kind === 'requirement' && torchBackendPackages.has(d.name) && markerHolds(d, env) && !leftOut?.(d))
    .map((dep) => ({ ...project, dep, route: routeOf(project.uv, dep, env) }));
}

/** The groups a bare `uv sync` installs: `default-groups` ("all": every group), `dev` when it is not written. */
export function installedByDefault(uv: UvIndexSettings, scope: string): boolean {
  if (scope === '') return true;
  if (!scope.startsWith('group:')) return false;
  const groups = uv.defaultGroups ?? ['dev'];
  return groups === 'all' || groups.includes(scope.slice('group:'.length));
}

/** "pytorch-cu121 (CUDA 12.1)", "PyPI", for messages. */
export function describeRoute(route: Route): string {
  if (route.index === 'local') return 'a local or git source';
  if (route.index === null) return 'the main index (PyPI unless configured otherwise)';
  const cuda = torchIndexCuda(route.index.url);
  const label = route.index.name || redact(route.index.url);
  return cuda ? `${label} (CUDA ${formatCuda(cuda)})` : label;
}

/**
 * A route named in a few words, for the first line of a message: "pytorch-cu121", "PyPI" (the main index where the
 * project names no other), "the main index", "a local or git source".
 */
export function routeName(route: Route, uv: UvIndexSettings): string {
  if (route.index === 'local') return 'a local or git source';
  if (route.index === null) return uv.indexUrl || uv.indexes.some((i) => i.default) ? 'the main index' : 'PyPI';
  return route.index.name || redact(route.index.url);
}

/**
 * Where PyPI's torch is a CPU-only build ("Windows and macOS"), among the platforms the project's uv `environments`
 * allow (all where it writes none); "" where it allows neither.
 */
export function cpuOnlyPlatforms(set: EnvironmentSet): string {
  const environments = uvRootOf(set)?.uvResolution?.environments.map((e) => e.marker) ?? [];
  const allowed = [
    ['win32', 'Windows'],
    ['darwin', 'macOS'],
  ].filter(([p]) => environments.length === 0 || environments.some((m) => markersOverlap(m, `sys_platform == '${p}'`)));
  return allowed.map(([, name]) => name).join(' and ');
}

/** Whether two routes take from the same place. */
export function sameRoute(a: Route, b: Route): boolean {
  if (a.index === null || b.index === null || a.index === 'local' || b.index === 'local') return a.index === b.index;
  return a.index.url === b.index.url;
}

/**
 * Applies edits to a pyproject's text and reads it again: the fix is offered only when the edited file parses without
 * a new problem and `holds` says it does what it promises.
 */
export function verifiedEdit(file: ParsedFile, edits: TextEdit[], holds: (edited: ParsedFile) => boolean): boolean {
  let text = file.text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start))
    text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
  const edited = parsePyproject(file.path, text);
  return edited.findings.length <= file.findings.length && holds(edited);
}

/**
 * The source entries that route a PyTorch-variant package to a CUDA index only under an extra or a group a bare
 * `uv sync` does not install, while that sync does install the package (declared in the base or a default group):
 * the bare sync takes it from the project's other indexes (PyPI). Each with the fix that adds the group to
 * `default-groups` where it is a group, verified by reading the edited file again.
 */
export function gatedCudaRoutes(
  set: EnvironmentSet,
  env: MarkerEnvironment,
): { file: ParsedFile; dep: Dependency; source: UvSource; index: UvIndex; route: Route; fix: TextEdit[] | null }[] {
  const out: ReturnType<typeof gatedCudaRoutes> = [];
  const seen = new Set<UvSource>();
  for (const d of torchDeclarations(set, env)) {
    if (!scopesOf(d.dep).some((s) => installedByDefault(d.uv, s))) continue;
    if (d.route.index === 'local' || (d.route.index && torchIndexCuda(d.route.index.url))) continue;
    for (const source of d.uv.sources.get(d.dep.name)?.entries ?? []) {
      const index = routedIndex(d.uv, source);
      if (!index || !torchIndexCuda(index.url) || seen.has(source) || !markerTextHolds(source.marker, env)) continue;
      const gated =
        source.extra !== null || (source.group !== null && !installedByDefault(d.uv, 'group:' + source.group));
      if (!gated) continue;
      seen.add(source);
      const fix = source.extra === null && source.group !== null ? defaultGroupFix(d.file, d.uv, source.group) : null;
      out.push({ file: d.file, dep: d.dep, source, index, route: d.route, fix });
    }
  }
  return out;
}

/**
 * The edit that adds `group` to `[tool.uv] default-groups`, keeping uv's default `dev` where none is written and the
 * project has that group (uv refuses a default group the project does not define).
 */
function defaultGroupFix(file: ParsedFile, uv: UvIndexSettings, group: string): TextEdit[] | null {
  if (uv.defaultGroups === 'all') return null;
  const tries = uv.defaultGroups ? [[...uv.defaultGroups, group]] : [['dev', group], [group]];
  for (const groups of tries) {
    const edit = defaultGroupsEdit(file, uv, `[${groups.map((g) => JSON.stringify(g)).join(', ')}]`);
    const ok = verifiedEdit(file, [edit], (edited) => {
      const g = edited.uvIndexes?.defaultGroups;
      return g === 'all' || (Array.isArray(g) && g.includes(group));
    });
    if (ok) return [edit];
  }
  return null;
}

/** The edit that writes `array` as `[tool.uv] default-groups`: in place, under `[tool.uv]`, or in a new table. */
function defaultGroupsEdit(file: ParsedFile, uv: UvIndexSettings, array: string): TextEdit {
  if (uv.defaultGroupsSpan) return { file: file.path, span: uv.defaultGroupsSpan, newText: array };
  const header = /^\[tool\.uv\][ \t]*(#.*)?\r?\n/m.exec(file.text);
  if (header) {
    const at = header.index + header[0].length;
    return { file: file.path, span: { start: at, end: at }, newText: `default-groups = ${array}\n` };
  }
  const end = file.text.length;
  const lead = file.text.endsWith('\n') ? '\n' : '\n\n';
  return { file: file.path, span: { start: end, end }, newText: `${lead}[tool.uv]\ndefault-groups = ${array}\n` };
}

/**
 * PyTorch-variant packages taken from another index than torch in a scope both are installed in (torchvision from PyPI
 * while torch comes from the cu121 index, or from the cu118 one): their builds are made for one another only on the
 * same index. Reported on the package's source entry, else on its line; the fix routes it to torch's index, verified.
 */
export function splitTorchRoutes(
  set: EnvironmentSet,
  env: MarkerEnvironment,
): { file: ParsedFile; dep: Dependency; route: Route; torch: Route; at: UvSource | null; fix: TextEdit[] | null }[] {
  const decls = torchDeclarations(set, env);
  const torches = decls.filter((d) => d.dep.name === 'torch');
  const out: ReturnType<typeof splitTorchRoutes> = [];
  for (const d of decls) {
    if (d.dep.name === 'torch' || d.route.index === 'local') continue;
    const scopes = scopesOf(d.dep);
    const t = torches.find((x) => scopesOf(x.dep).some((s) => s === '' || scopes.includes(s)));
    if (!t || t.route.index === 'local' || sameRoute(d.route, t.route)) continue;
    const cuda = [d.route, t.route].some((r) => r.index && r.index !== 'local' && torchIndexCuda(r.index.url));
    if (!cuda) continue;
    out.push({
      file: d.file,
      dep: d.dep,
      route: d.route,
      torch: t.route,
      at: d.route.source,
      fix: alignFix(d, t, env),
    });
  }
  return out;
}

function alignFix(
  d: { file: ParsedFile; uv: UvIndexSettings; dep: Dependency; route: Route },
  t: { route: Route },
  env: MarkerEnvironment,
): TextEdit[] | null {
  const target = t.route.index;
  if (!target || target === 'local' || !target.name) return null;
  let edit: TextEdit;
  if (d.route.source?.kind === 'index')
    edit = { file: d.file.path, span: d.route.source.targetSpan, newText: target.name };
  else if (!d.uv.sources.has(d.dep.name)) {
    const torchKey = d.uv.sources.get('torch')?.keySpan;
    if (!torchKey) return null;
    const lineStart = d.file.text.lastIndexOf('\n', torchKey.start - 1) + 1;
    edit = {
      file: d.file.path,
      span: { start: lineStart, end: lineStart },
      newText: `${d.dep.name} = { index = ${JSON.stringify(target.name)} }\n`,
    };
  } else return null;
  const ok = verifiedEdit(d.file, [edit], (edited) => {
    const dep = edited.dependencies.find((x) => x.name === d.dep.name && x.section === d.dep.section);
    const route = dep && edited.uvIndexes ? routeOf(edited.uvIndexes, dep, env) : null;
    return !!route && route.index !== null && route.index !== 'local' && route.index.url === target.url;
  });
  return ok ? [edit] : null;
}
