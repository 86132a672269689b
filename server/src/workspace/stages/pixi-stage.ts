// The pixi stage: a pixi manifest solved as pixi solves it. For each environment and each of its platforms this
// machine runs (its own subdir first), the conda part with rattler and the platform's declared virtual packages, then
// the PyPI part on top of the conda solution (conda's Python packages count as installed); and the CUDA builds of the
// solution against this machine's driver.
import * as path from 'node:path';
import { subdirFor } from '../../conda/channels';
import { cmpVersion } from '../../conda/record-match';
import { solveCondaSpecs } from '../../conda/report';
import { cudaOf, virtualPackages, type VirtualPackage } from '../../conda/virtual-packages';
import { CancelledError } from '../../model/cancel';
import {
  environmentPlatforms,
  environmentSpecs,
  isCondaSource,
  pixiManifestOf,
  pypiIndexOf,
  type PixiEnvironmentSpecs,
  type PixiManifest,
  type PixiPlatform,
} from '../../model/pixi';
import type {
  CondaPackage,
  CondaSolveReport,
  PixiCudaVerdict,
  PixiEnvironmentSolve,
  PixiSolveReport,
  PipOnCondaReport,
} from '../../model/reports';
import type { EnvironmentSet } from '../../model/sets';
import type { Dependency, ParsedFile, Span, TextEdit } from '../../model/types';
import type { MachineProfile } from '../../system/profile';
import { pipOnConda } from './pip-on-conda';
import type { Stage, StageContext } from './stage';

/** Subdirs a machine of one subdir also runs (Rosetta, Windows' x64 emulation), after its own. */
const ALSO_RUNS: Record<string, string[]> = { 'osx-arm64': ['osx-64'], 'win-arm64': ['win-64'] };

/** The platforms of an environment this machine runs: its own subdir first, then the emulated ones. */
export function runnablePlatforms(m: PixiManifest, environment: string, machine: MachineProfile): PixiPlatform[] {
  const own = subdirFor(machine);
  if (!own) return [];
  const order = [own, ...(ALSO_RUNS[own] ?? [])];
  const platforms = environmentPlatforms(m, environment);
  for (const subdir of order) {
    const here = platforms.filter((p) => p.subdir === subdir);
    // An emulated subdir only where the environment has none of the machine's own.
    if (here.length) return here;
  }
  return [];
}

/** Whether this machine runs a subdir (its own, or one it emulates). */
function machineRuns(machine: MachineProfile, subdir: string): boolean {
  const own = subdirFor(machine);
  return own !== null && own !== undefined && (subdir === own || (ALSO_RUNS[own] ?? []).includes(subdir));
}

/**
 * The platforms of an environment that are solved: those this machine runs, and those asked for (by platform name or
 * subdir: the command line's `--platform`, the `stackDoctor.pixiPlatforms` setting).
 */
export function solvedPlatforms(
  m: PixiManifest,
  environment: string,
  machine: MachineProfile,
  asked: readonly string[] = [],
): PixiPlatform[] {
  const runnable = runnablePlatforms(m, environment, machine);
  const more = environmentPlatforms(m, environment).filter(
    (p) => !runnable.includes(p) && (asked.includes(p.name) || asked.includes(p.subdir)),
  );
  return [...runnable, ...more];
}

/** The virtual packages pixi's solve assumes on a platform: the declared ones (pixi's defaults included). */
export function declaredVirtualPackages(specs: PixiEnvironmentSpecs, machine: MachineProfile): VirtualPackage[] {
  const out: VirtualPackage[] = [];
  const subdir = specs.platform.subdir;
  if (subdir.startsWith('linux-') || subdir.startsWith('osx-')) out.push({ name: '__unix', version: '0', build: '0' });
  if (subdir.startsWith('win-') && !specs.virtual['__win']) out.push({ name: '__win', version: '0', build: '0' });
  for (const [name, version] of Object.entries(specs.virtual))
    if (name !== '__archspec') out.push({ name, version, build: '0' });
  // The CPU microarchitecture: as declared, else this machine's where it runs the platform.
  const arch =
    specs.virtual['__archspec'] ??
    (machineRuns(machine, subdir)
      ? virtualPackages(machine, {}).find((v) => v.name === '__archspec')?.build
      : undefined);
  if (arch) out.push({ name: '__archspec', version: '1', build: arch });
  return out;
}

/** A fix's spelling in a pixi table: `name = "1.2.*"`, or an inline table with the build (and channel kept). */
function respell(dep: Dependency, version: string, build: string | null): { text: string; edits: TextEdit[] } {
  const key = /^[A-Za-z0-9_-]+$/.test(dep.rawName) ? dep.rawName : JSON.stringify(dep.rawName);
  const fields = [`version = ${JSON.stringify(version)}`];
  if (build) fields.push(`build = ${JSON.stringify(build)}`);
  if (dep.conda?.channel) fields.push(`channel = ${JSON.stringify(dep.conda.channel)}`);
  const text = `${key} = ${fields.length === 1 ? JSON.stringify(version) : `{ ${fields.join(', ')} }`}`;
  return { text, edits: [{ file: dep.file, span: dep.span, newText: text }] };
}

function lineOfIn(files: readonly ParsedFile[]): (dep: Dependency) => number {
  return (dep) => {
    const f = files.find((x) => x.path === dep.file);
    if (!f) return 0;
    let n = 1;
    for (let i = 0; i < dep.span.start && i < f.text.length; i++) if (f.text.charCodeAt(i) === 10) n++;
    return n;
  };
}

/**
 * The solution's CUDA builds against the machine: where a build asks the driver for `__cuda` and this machine has no
 * driver, or an older one than the newest such build needs. Null where nothing is wrong or the driver is not known.
 */
export function cudaVerdict(
  report: CondaSolveReport,
  specs: PixiEnvironmentSpecs,
  machine: MachineProfile,
  env: Record<string, string | undefined>,
): PixiCudaVerdict | null {
  if (report.status !== 'ok') return null;
  const needing = report.solution.filter((p) => p.depends.some((d) => /^__cuda(\s|$)/.test(d)));
  if (!needing.length) return null;
  const declared = specs.virtual['__cuda'] ?? null;
  let needs: string | null = null;
  for (const p of needing)
    for (const d of p.depends) {
      const m = /^__cuda\s*>=\s*([0-9][0-9.]*)/.exec(d);
      if (m && (needs === null || cmpVersion(m[1]!, needs) > 0)) needs = m[1]!;
    }
  needs ??= declared ?? '0';
  const known = machine.nvidia !== undefined || env['CONDA_OVERRIDE_CUDA'] !== undefined;
  if (!known) return null;
  const has = cudaOf(virtualPackages(machine, env));
  const kind = has === null ? 'cuda-unavailable' : cmpVersion(has, needs) < 0 ? 'cuda-driver' : null;
  if (!kind) return null;
  const lines = report.picked.filter((p) => needing.includes(p.pkg)).map((p) => p.dep);
  return { kind, declared, needs, has, lines };
}

/** The set one environment installs on one platform: the manifest with that environment's PyPI lines alone. */
function environmentSet(set: EnvironmentSet, specs: PixiEnvironmentSpecs, trusted: boolean): EnvironmentSet {
  const root = set.files[0]!;
  // Chosen for this environment and platform already: each is installed with the base. A line that names its own
  // index is looked up there alone: in an untrusted workspace, nowhere.
  const pypi = specs.pypiDependencies
    .filter((d) => trusted || pypiIndexOf(d) === null)
    .map((d) => ({ ...d, scopes: [''] }));
  return { root: set.root, files: [{ ...root, dependencies: pypi }, ...set.files.slice(1)], findings: [] };
}

/** The package name a match spec in a record's depends names (`numpy >=1.21` -> `numpy`). */
const dependName = (spec: string): string => /^[^\s=<>!~[]+/.exec(spec.trim())?.[0]?.toLowerCase() ?? '';

/**
 * One environment's share of its solve-group's solution: the picks of its own lines and the packages they need, as
 * pixi installs it (the group's versions, only what the environment asks for).
 */
export function shareOf(group: CondaSolveReport, specs: PixiEnvironmentSpecs): CondaSolveReport {
  const lines = new Set(specs.dependencies);
  const picked = group.picked.filter((p) => lines.has(p.dep));
  const byName = new Map(group.solution.map((p) => [p.name, p]));
  const keep = new Set<CondaPackage>();
  const todo = picked.map((p) => p.pkg);
  for (let pkg = todo.pop(); pkg; pkg = todo.pop()) {
    if (keep.has(pkg)) continue;
    keep.add(pkg);
    for (const d of pkg.depends) {
      const next = byName.get(dependName(d));
      if (next && !keep.has(next)) todo.push(next);
    }
  }
  const pypi = new Set(specs.pypiDependencies.map((d) => d.name));
  return {
    ...group,
    picked,
    solution: group.solution.filter((p) => keep.has(p)),
    condaHas: Object.fromEntries(Object.entries(group.condaHas).filter(([name]) => pypi.has(name))),
  };
}

/** The requirements of several environments on one platform together: what pixi solves once for a solve-group. */
function groupSpecs(members: PixiEnvironmentSpecs[]): PixiEnvironmentSpecs {
  const first = members[0]!;
  const union = <T>(pick: (s: PixiEnvironmentSpecs) => T[]): T[] => [...new Set(members.flatMap(pick))];
  return {
    ...first,
    channels: union((s) => s.channels),
    virtual: Object.assign({}, ...members.map((s) => s.virtual)) as Record<string, string>,
    virtualSpans: Object.assign({}, ...members.map((s) => s.virtualSpans)) as Record<string, Span>,
    dependencies: union((s) => s.dependencies),
    constraints: union((s) => s.constraints),
    pypiDependencies: union((s) => s.pypiDependencies),
    features: union((s) => s.features),
  };
}

/** The places of a manifest that name a PyPI index or find-links, and the PyPI lines that name their own index. */
function pypiUrlPlaces(m: PixiManifest, file: string): { file: string; span: Span }[] {
  const out: { file: string; span: Span }[] = [];
  for (const o of [m.pypiOptions, ...m.features.map((f) => f.pypiOptions)]) {
    if (!o) continue;
    for (const u of [...(o.indexUrl ? [o.indexUrl] : []), ...o.extraIndexUrls, ...o.findLinks])
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u.url) && !/^file:/i.test(u.url)) out.push({ file, span: u.span });
  }
  for (const f of m.features)
    for (const t of f.targets)
      for (const d of t.pypiDependencies) if (pypiIndexOf(d) !== null) out.push({ file: d.file, span: d.span });
  return out;
}

/** Each environment of the manifest on each platform this machine runs, solved as pixi solves it. */
export async function pixiReport(
  set: EnvironmentSet,
  ctx: StageContext,
  signal?: AbortSignal,
  env: Record<string, string | undefined> = process.env,
): Promise<PixiSolveReport | null> {
  const root = set.files[0];
  const manifest = root ? pixiManifestOf(root) : null;
  if (!root || !manifest) return null;
  const report: PixiSolveReport = {
    solves: [],
    skipped: [],
    groups: [],
    unsolved: [],
    sources: manifest.features.flatMap((f) => f.targets.flatMap((t) => t.dependencies.filter(isCondaSource))),
    notFetched: ctx.trusted ? [] : pypiUrlPlaces(manifest, root.path),
  };
  const deadline = Date.now() + (ctx.timeoutMs ?? 30_000);
  const solveConda = (specs: PixiEnvironmentSpecs): Promise<CondaSolveReport> =>
    solveCondaSpecs(
      {
        baseDir: path.dirname(root.path),
        // pixi searches the manifest's channels alone: never conda's `defaults`.
        channels: [...specs.channels, 'nodefaults'],
        // A source package is built by pixi-build, not looked up on a channel.
        condaDeps: specs.dependencies.filter((d) => !isCondaSource(d)),
        pipDeps: specs.pypiDependencies,
        constraints: specs.constraints,
        subdir: specs.platform.subdir,
        virtual: declaredVirtualPackages(specs, ctx.machine),
        // The solve assumes what the manifest declares: whether `__cuda` is there is known.
        cudaKnown: true,
        channelPriority: manifest.channelPriority,
        lineOf: lineOfIn(set.files),
        respell,
      },
      {
        profile: ctx.machine,
        cacheDir: ctx.cacheDir,
        ...(signal ? { signal } : {}),
        offline: ctx.offline,
        trustWorkspace: ctx.trusted,
        timeoutMs: Math.max(1, deadline - Date.now()),
        env,
      },
    );
  /** The PyPI part on top of an environment's conda packages, and the whole solve of the environment. */
  const finish = async (
    specs: PixiEnvironmentSpecs,
    conda: CondaSolveReport,
    solveGroup: string | null,
  ): Promise<PixiEnvironmentSolve> => {
    let pip: PipOnCondaReport | null = null;
    const python = conda.solution.find((p) => p.name === 'python')?.version;
    const index =
      conda.status === 'ok' && python && specs.pypiDependencies.length
        ? ctx.indexFor?.(python, specs.environment)
        : null;
    if (index) {
      try {
        const breaks = await pipOnConda(environmentSet(set, specs, ctx.trusted), conda, index, {
          deadline: Math.max(Date.now() + 1, deadline),
          ...(signal ? { signal } : {}),
        });
        pip = { breaks };
      } catch (e) {
        if (e instanceof CancelledError || signal?.aborted) throw new CancelledError();
      }
    }
    return {
      environment: specs.environment,
      platform: specs.platform.name,
      subdir: specs.platform.subdir,
      conda,
      pypi: specs.pypiDependencies,
      pipOnConda: pip,
      // Judged against this machine's driver only where this machine runs the platform.
      cuda: machineRuns(ctx.machine, specs.platform.subdir) ? cudaVerdict(conda, specs, ctx.machine, env) : null,
      virtualSpans: specs.virtualSpans,
      solveGroup,
    };
  };
  const specsOf = (environment: string, platform: PixiPlatform): PixiEnvironmentSpecs | null => {
    const specs = environmentSpecs(manifest, environment, platform.name);
    return specs && specs.dependencies.some((d) => !isCondaSource(d)) ? specs : null;
  };
  // The environments alone, and each solve-group of several environments, in the order of their first member.
  const units: { group: string | null; members: string[] }[] = [];
  for (const e of manifest.environments) {
    const unit = e.solveGroup !== null ? units.find((u) => u.group === e.solveGroup) : undefined;
    if (unit) unit.members.push(e.name);
    else units.push({ group: e.solveGroup, members: [e.name] });
  }
  for (const unit of units) {
    const byPlatform = new Map<string, { platform: PixiPlatform; members: PixiEnvironmentSpecs[] }>();
    for (const name of unit.members) {
      const platforms = solvedPlatforms(manifest, name, ctx.machine, ctx.pixiPlatforms);
      if (!platforms.length) report.skipped.push(name);
      const left = environmentPlatforms(manifest, name).filter((p) => !platforms.includes(p));
      if (left.length) report.unsolved.push({ environment: name, platforms: left.map((p) => p.name) });
      for (const platform of platforms) {
        const specs = specsOf(name, platform);
        if (!specs) continue;
        const at =
          byPlatform.get(platform.name) ?? byPlatform.set(platform.name, { platform, members: [] }).get(platform.name)!;
        at.members.push(specs);
      }
    }
    for (const { platform, members } of byPlatform.values()) {
      if (signal?.aborted) throw new CancelledError();
      if (members.length === 1 || unit.group === null) {
        for (const specs of members) report.solves.push(await finish(specs, await solveConda(specs), null));
        continue;
      }
      // pixi solves the group's requirements once; each environment installs its share of that solution.
      const together = await solveConda(groupSpecs(members));
      if (together.status === 'ok') {
        for (const specs of members) report.solves.push(await finish(specs, shareOf(together, specs), unit.group));
        continue;
      }
      const alone: PixiEnvironmentSolve[] = [];
      for (const specs of members) alone.push(await finish(specs, await solveConda(specs), unit.group));
      report.solves.push(...alone);
      if (together.status !== 'failed' || !alone.every((s) => s.conda.status === 'ok')) continue;
      // Each solves alone: the group's conflict is between its environments; name those whose own lines take part.
      const roots = new Set(together.conflicts.flatMap((c) => c.roots));
      const every = members.filter(
        (m) => m.dependencies.some((d) => roots.has(d)) || m.constraints.some((d) => roots.has(d)),
      );
      const own = every.filter((m) =>
        [...m.dependencies, ...m.constraints].some(
          (d) => roots.has(d) && !members.every((o) => o.dependencies.includes(d) || o.constraints.includes(d)),
        ),
      );
      report.groups.push({
        group: unit.group,
        platform: platform.name,
        environments: (own.length >= 2 ? own : members).map((m) => m.environment),
        members: members.map((m) => m.environment),
        conda: together,
      });
    }
  }
  return report;
}

/** The pixi report of a set whose root holds a pixi manifest; null for any other set. */
export const stage: Stage<PixiSolveReport> = {
  run(set, ctx, signal) {
    const root = set.files[0];
    if (!root || !pixiManifestOf(root)) return Promise.resolve(null);
    return pixiReport(set, ctx, signal);
  },
};
