// The `pip:` part of an environment.yml on top of conda's solution, as `conda env create` runs it: pip resolves with
// conda's Python packages installed, keeps those that fit and replaces those that do not; a replacement that breaks a
// conda package's own requirements is what pip reports after installing ("tensorflow 2.10.0 requires numpy<1.24, but
// you have numpy 2.1.0 which is incompatible").
import { isMatchSpecError, parseMatchSpec } from '../../conda-spec/match-spec';
import { condaInstalledForPip, pypiNameOfConda } from '../../conda/pypi-names';
import { condaVersionSpecMatches } from '../../conda-spec/version';
import { joinSpecifiers, where } from '../../checks/edits';
import type { Dependency } from '../../model/types';
import { markerTextHolds } from '../../pep/marker';
import { SpecifierSet } from '../../pep/specifier';
import { Version } from '../../pep/version';
import type { ResolutionOk } from '../../resolver/types';
import { resolveSet, setRoots, type SetRoots } from '../set-resolution';
import type { CondaPackage, CondaSolveReport, LineFix, PipBreak, PipOnCondaReport } from '../../model/reports';
import type { EnvironmentSet } from '../../model/sets';
import type { IndexContext } from '../index-context';
import { CancelledError } from '../../model/cancel';
import type { Stage } from './stage';

/** At most this many versions of a root are tried for a fix. */
const MAX_FIX_TRIES = 12;

interface Installed {
  /** PEP 503 name -> conda's package. */
  byName: Map<string, CondaPackage>;
  preferred: Map<string, string>;
}

function installedOf(report: CondaSolveReport): Installed {
  const byName = condaInstalledForPip(report);
  return { byName, preferred: new Map([...byName].map(([n, p]) => [n, p.version])) };
}

function sameVersion(a: Version, b: string): boolean {
  const v = Version.parse(b);
  return v ? v.equals(a) : String(a) === b;
}

/** The conda packages whose dependency on `condaName` does not admit `version`. */
function brokenBy(installed: Installed, name: string, version: string): { pkg: CondaPackage; spec: string }[] {
  const out: { pkg: CondaPackage; spec: string }[] = [];
  for (const pkg of installed.byName.values()) {
    for (const dep of pkg.depends) {
      const ms = parseMatchSpec(dep);
      if (isMatchSpecError(ms) || pypiNameOfConda(ms.name) !== name || !ms.version) continue;
      let ok: boolean;
      try {
        ok = condaVersionSpecMatches(ms.version, version);
      } catch {
        continue;
      }
      if (!ok) {
        out.push({ pkg, spec: dep }); // one entry per package: its first dependency the version breaks
        break;
      }
    }
  }
  return out;
}

function excludes(specifier: string, version: string): boolean {
  if (!specifier) return false;
  try {
    return !SpecifierSet.parse(specifier).contains(version, true);
  } catch {
    return false;
  }
}

interface Graph {
  /** Package -> the packages it requires (picked), by resolution. */
  edges: Map<string, Set<string>>;
  /** Requirements that exclude an installed conda version: replaced package -> who (`name version` or a root). */
  excluders: Map<string, { from: string; text: string }[]>;
}

/** The resolution's requirement graph (marker-true requirements of each picked version), and what excludes conda's. */
async function graphOf(
  res: ResolutionOk,
  roots: SetRoots,
  set: EnvironmentSet,
  ctx: IndexContext,
  installed: Installed,
  signal?: AbortSignal,
): Promise<Graph> {
  const edges = new Map<string, Set<string>>();
  const excluders = new Map<string, { from: string; text: string }[]>();
  const note = (name: string, from: string, text: string): void => {
    (excluders.get(name) ?? excluders.set(name, []).get(name)!).push({ from, text });
  };
  for (const d of [...roots.requirements, ...roots.constraints]) {
    const inst = installed.byName.get(d.name);
    if (inst && excludes(d.specifier, inst.version)) note(d.name, '', `'${d.text}' (${where(d, set.files)})`);
  }
  for (const [name, version] of res.versions) {
    const meta = await ctx.provider.dependencies(name, version, signal);
    const out = new Set<string>();
    edges.set(name, out);
    if (meta === 'unknown') continue;
    const extras = res.extras.get(name) ?? [];
    for (const r of meta.requires) {
      const holds =
        !r.marker ||
        markerTextHolds(r.marker, ctx.markerEnvironment) ||
        extras.some((e) => markerTextHolds(r.marker, ctx.markerEnvironment, e));
      if (!holds || !res.versions.has(r.name)) continue;
      out.add(r.name);
      const inst = installed.byName.get(r.name);
      if (inst && excludes(r.specifier, inst.version))
        note(r.name, name, `${name} ${String(version)} requires ${r.name}${r.specifier}`);
    }
  }
  return { edges, excluders };
}

function reaches(edges: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>([from]);
  const todo = [from];
  while (todo.length) {
    const n = todo.pop()!;
    if (n === to) return true;
    for (const m of edges.get(n) ?? []) {
      if (seen.has(m)) continue;
      seen.add(m);
      todo.push(m);
    }
  }
  return false;
}

interface Options {
  signal?: AbortSignal;
  deadline: number;
}

/** What breaks when pip installs the set's `pip:` part on top of conda's solution (empty when nothing does). */
export async function pipOnConda(
  set: EnvironmentSet,
  report: CondaSolveReport,
  ctx: IndexContext,
  opts: Options,
): Promise<PipBreak[]> {
  const installed = installedOf(report); // empty unless conda solved
  if (installed.byName.size === 0) return [];
  const roots = setRoots(set, ctx.markerEnvironment);
  if (roots.requirements.length === 0) return [];
  const python = ctx.profile.python?.version;
  if (!python) return [];
  const resolveOpts = {
    provider: ctx.provider,
    markerEnvironment: ctx.markerEnvironment,
    python,
    preferred: installed.preferred,
    deadline: opts.deadline,
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const breaksOf = async (changed?: Map<Dependency, string>) => {
    const res = await resolveSet(set, roots, resolveOpts, changed);
    if (!res.ok) return null;
    const out: { name: string; conda: CondaPackage; pipVersion: string; broken: PipBreak['broken'] }[] = [];
    for (const [name, v] of res.versions) {
      const conda = installed.byName.get(name);
      if (!conda || sameVersion(v, conda.version)) continue;
      const broken = brokenBy(installed, name, String(v));
      if (broken.length) out.push({ name, conda, pipVersion: String(v), broken });
    }
    return { res, out };
  };
  const first = await breaksOf();
  // A pip part that does not resolve is the index stage's conflict; one that resolves and breaks nothing is fine.
  if (!first || first.out.length === 0) return [];
  const graph = await graphOf(first.res, roots, set, ctx, installed, opts.signal);
  const breaks: PipBreak[] = [];
  for (const b of first.out) {
    const why = graph.excluders.get(b.name) ?? [];
    const rootsOf = roots.requirements.filter((d) =>
      why.some((w) => (w.from === '' ? d.name === b.name : reaches(graph.edges, d.name, w.from))),
    );
    if (rootsOf.length === 0) continue; // nothing pip was asked for excludes conda's version: pip keeps it
    const fixes: LineFix[] = [];
    for (const dep of rootsOf) {
      if (Date.now() > opts.deadline || opts.signal?.aborted) break;
      const fix = await fixFor(dep, b.name, b.conda.version, first.res, ctx, breaksOf, opts);
      if (fix) fixes.push(fix);
    }
    breaks.push({
      roots: rootsOf,
      name: b.name,
      conda: b.conda,
      pipVersion: b.pipVersion,
      because: why.map((w) => w.text),
      broken: b.broken,
      fixes,
    });
  }
  return breaks;
}

/** The written specifier's parts that admit `v`, and those that do not. */
function split(specifier: string, v: string): { kept: string[]; crossed: string[] } | null {
  try {
    const parts = SpecifierSet.parse(specifier).specifiers;
    return {
      kept: parts.filter((s) => s.contains(v, true)).map(String),
      crossed: parts.filter((s) => !s.contains(v, true)).map(String),
    };
  } catch {
    return null;
  }
}

/**
 * A change to `dep` after which pip keeps conda's `name` (or at least breaks nothing), verified by a resolution on top
 * of conda's packages: for a line on the package itself, the bounds that exclude conda's version dropped; for another
 * line, the newest older version of it whose requirements let conda's version stay.
 */
async function fixFor(
  dep: Dependency,
  name: string,
  condaVersion: string,
  res: ResolutionOk,
  ctx: IndexContext,
  breaksOf: (changed?: Map<Dependency, string>) => Promise<{ out: { name: string }[] } | null>,
  opts: Options,
): Promise<LineFix | null> {
  if (dep.url || dep.specifierUnknown) return null;
  const accept = async (specifier: string, crosses: string[]): Promise<LineFix | null> => {
    const r = await breaksOf(new Map([[dep, specifier]]));
    return r && r.out.length === 0 ? { dep, specifier, crosses } : null;
  };
  if (dep.name === name) {
    const s = split(dep.specifier, condaVersion);
    if (!s) return null;
    return accept(joinSpecifiers(s.kept) ?? '', s.crossed);
  }
  const picked = res.versions.get(dep.name);
  if (!picked) return null;
  const older = (await ctx.provider.versions(dep.name, opts.signal)).filter((v) => v.compare(picked) < 0);
  for (const v of older.slice(0, MAX_FIX_TRIES)) {
    if (Date.now() > opts.deadline || opts.signal?.aborted) return null;
    const s = split(dep.specifier, String(v));
    if (!s) return null;
    const spec = joinSpecifiers([...s.kept, `<=${String(v)}`]);
    if (!spec) continue;
    const fix = await accept(spec, s.crossed);
    if (fix) return fix;
  }
  return null;
}

/**
 * The `pip:` part on top of conda's solution, where conda solved the set and the index can be asked. A failure here
 * costs only this report.
 */
export const stage: Stage<PipOnCondaReport> = {
  async run(set, ctx, signal) {
    if (ctx.conda?.status !== 'ok' || !ctx.index) return null;
    try {
      const deadline = Date.now() + (ctx.timeoutMs ?? 30_000);
      const breaks = await pipOnConda(set, ctx.conda, ctx.index, { deadline, ...(signal ? { signal } : {}) });
      return { breaks };
    } catch (e) {
      if (e instanceof CancelledError || signal?.aborted) throw new CancelledError();
      return null;
    }
  },
};
