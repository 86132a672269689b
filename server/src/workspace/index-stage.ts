// The index stage: asks the package index about an environment set's top-level requirements and resolves it; the result is data for the index-backed checks.
import * as os from 'node:os';
import * as path from 'node:path';
import { hasPep440Text, where } from '../checks/edits';
import { installedDeclarations } from '../checks/scope';
import type { EnvironmentSet, SetIndexReport } from './types';
import { targetFromProfile } from '../index/candidates';
import { redact } from '../index/credentials';
import { CancelledError, NotFoundError, UnreachableError } from '../index/errors';
import { MetadataProvider } from '../index/provider';
import { loadPipConfig, selectIndexes, type IndexSelection } from '../index/selection';
import type { Dependency } from '../model/types';
import type { MarkerEnvironment } from '../pep/marker';
import { SpecifierSet } from '../pep/specifier';
import { nearestResolvingVersion, narrowToResolve } from '../resolver/fixes';
import { resolve } from '../resolver/solver';
import type { RootRequirement } from '../resolver/types';
import type { MachineProfile } from '../system/profile';

/** Where indexes come from besides the files: the settings or the CLI's flags, and whether files may name them. */
export interface IndexSettings {
  indexUrl?: string;
  extraIndexUrls?: string[];
  /** False in an untrusted workspace: indexes named in workspace files are not contacted. */
  trustFiles: boolean;
  /** The environment pip's configuration is read from (PIP_CONFIG_FILE, PIP_INDEX_URL, ...). */
  env?: NodeJS.ProcessEnv;
}

/** The indexes pip would use for this set: the files' own options, then the settings, pip's configuration, PyPI. */
export function indexesFor(set: EnvironmentSet, settings: IndexSettings): IndexSelection {
  const fileOptions = settings.trustFiles ? set.files.filter((f) => f.options.length).map((f) => ({ file: f.path, options: f.options })) : [];
  let pipConfig = null;
  try {
    pipConfig = loadPipConfig({ env: settings.env ?? process.env });
  } catch {
    // an unreadable pip.conf is pip's problem to report; the index list falls back to PyPI
  }
  return selectIndexes({ fileOptions, indexUrl: settings.indexUrl || null, extraIndexUrls: settings.extraIndexUrls ?? [], pipConfig });
}

/** The default metadata cache: `$XDG_CACHE_HOME/stack-doctor` or `~/.cache/stack-doctor`. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'stack-doctor');
}

/** One provider per index selection and target, kept warm between analyses (its memory cache is the warm path). */
export class ProviderPool {
  private readonly pool = new Map<string, MetadataProvider>();

  constructor(private readonly cacheDir: string | null) {}

  get(indexes: IndexSelection, profile: MachineProfile): MetadataProvider {
    const key = JSON.stringify([indexes, profile.python, profile.os, profile.arch, profile.libc]);
    let p = this.pool.get(key);
    if (!p) {
      if (this.pool.size > 8) this.pool.clear();
      p = new MetadataProvider({ indexes, target: targetFromProfile(profile), cacheDir: this.cacheDir, http: { timeoutMs: 15_000 } });
      this.pool.set(key, p);
    }
    return p;
  }
}

export interface IndexStageOptions {
  provider: MetadataProvider;
  indexes: IndexSelection;
  markerEnvironment: MarkerEnvironment;
  profile: MachineProfile;
  signal?: AbortSignal;
  /** The whole stage for one set, fix search included (ms). */
  timeoutMs?: number;
}

const emptyReport = (): SetIndexReport => ({ unavailable: null, missing: [], pythonExcluded: [], sdistOnly: [], conflict: null, gaveUp: null });

function describeIndexes(ix: IndexSelection): string {
  const all = [...ix.indexUrls, ...ix.findLinks].map(redact);
  return all.length === 0 ? 'no index (--no-index)' : all.length === 1 ? all[0]! : `${all[0]} (and ${all.length - 1} more)`;
}

function targetText(profile: MachineProfile): string {
  return `Python ${profile.python?.version ?? '3'} on ${profile.os} ${profile.arch}`;
}

/**
 * Asks the index about every top-level requirement of the set (does the project exist, does a version match,
 * does one support the target Python, does it have a wheel), then resolves the whole set with PubGrub and, when
 * no resolution exists, searches fixes the resolver verifies. Throws CancelledError when `signal` aborts.
 */
export async function indexReport(set: EnvironmentSet, opts: IndexStageOptions): Promise<SetIndexReport> {
  const report = emptyReport();
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const base = installedDeclarations(set, opts.markerEnvironment).filter((d) => d.scope === '').map((d) => d.dep);
  const isOverride = (d: Dependency) => d.section === 'tool.uv.override-dependencies';
  const usable = (d: Dependency) => d.name !== '' && !d.editable && !(d.url && !/^https?:/i.test(d.url));
  const requirements = base.filter((d) => d.kind === 'requirement' && usable(d));
  const constraints = base.filter((d) => d.kind === 'constraint' && !isOverride(d) && usable(d) && !d.url);
  const overrides = base.filter((d) => isOverride(d) && usable(d));
  const indexText = describeIndexes(opts.indexes);
  const python = opts.profile.python?.version ?? opts.markerEnvironment.python_full_version ?? '3.12.0';

  // 1. Per project: exists? a matching version? one for this Python? a wheel?
  const byName = new Map<string, Dependency[]>();
  for (const d of requirements) if (!d.url) (byName.get(d.name) ?? byName.set(d.name, []).get(d.name)!).push(d);
  const dropped = new Set<string>();
  try {
    await Promise.all([...byName].map(async ([name, deps]) => {
      const spec = deps.filter((d) => d.specifier && !d.specifierUnknown).map((d) => d.specifier).join(',');
      let verdicts;
      try {
        verdicts = await opts.provider.explain(name, { signal: opts.signal });
      } catch (e) {
        if (e instanceof NotFoundError) {
          for (const dep of deps) report.missing.push({ dep, kind: 'project', newest: null, where: indexText });
          dropped.add(name);
          return;
        }
        throw e;
      }
      let set: SpecifierSet | null = null;
      try {
        set = SpecifierSet.parse(spec);
      } catch {
        return;
      }
      const matching = verdicts.filter((v) => set!.contains(v.version, true));
      if (matching.length === 0) {
        // Several lines together may match nothing while each matches something: that is `conflict`'s to say.
        const each = deps.filter((d) => !verdicts.some((v) => safeContains(d.specifier, v.version.toString())));
        for (const dep of each) report.missing.push({ dep, kind: verdicts.length ? 'version' : 'project', newest: verdicts[0]?.version.toString() ?? null, where: indexText });
        if (each.length) dropped.add(name);
        return;
      }
      const offered = matching.filter((v) => !v.excluded);
      if (offered.length === 0) {
        const requires = [...new Set(matching.filter((v) => v.excluded?.reason === 'requires-python').map((v) => v.excluded!.detail))];
        if (requires.length) {
          for (const dep of deps) report.pythonExcluded.push({ dep, python, requires });
          dropped.add(name);
        }
        return;
      }
      const best = offered.find((v) => !v.version.isPrerelease) ?? offered[0]!;
      if (!best.files.some((f) => f.kind === 'wheel')) for (const dep of deps) report.sdistOnly.push({ dep, version: best.version.toString(), target: targetText(opts.profile) });
    }));
  } catch (e) {
    if (e instanceof UnreachableError) return { ...emptyReport(), unavailable: e.message };
    if (e instanceof CancelledError || opts.signal?.aborted) throw new CancelledError();
    throw e;
  }

  // 2. Resolve what is left.
  const toRoot = (d: Dependency): RootRequirement<Dependency> => ({ requirement: { name: d.name, extras: d.extras, specifier: d.specifierUnknown ? '' : d.specifier, marker: '', url: d.url }, origin: d });
  const roots = requirements.filter((d) => !dropped.has(d.name)).map(toRoot);
  if (roots.length === 0) return report;
  const options = {
    markerEnvironment: opts.markerEnvironment,
    python,
    constraints: constraints.map(toRoot),
    overrides: overrides.map(toRoot),
    signal: opts.signal,
    deadline,
    describeOrigin: (d: Dependency) => where(d, set.files),
  };
  let result;
  try {
    result = await resolve(roots, opts.provider, options);
  } catch (e) {
    if (e instanceof UnreachableError) return { ...report, unavailable: e.message };
    throw e;
  }
  if (!result.ok) {
    if (result.reason !== 'conflict') {
      if (result.reason === 'cancelled') throw new CancelledError();
      return { ...report, gaveUp: result.message };
    }
    const involved = [...new Set(result.rootsInvolved)];
    // Lines of one package alone are a direct conflict: the `conflict` check already says it, on the same lines.
    if (new Set(involved.map((d) => d.name)).size <= 1 && involved.every((d) => result.explanation.every((s) => s.packages.every((p) => p === d.name)))) return report;
    const fixes: { dep: Dependency; specifier: string }[] = [];
    for (const dep of involved) {
      const index = roots.findIndex((r) => r.origin === dep);
      if (index < 0 || !hasPep440Text(dep) || Date.now() > deadline) continue;
      for (const search of [nearestResolvingVersion, narrowToResolve]) {
        const found = await search(roots, index, opts.provider, { ...options, maxAttempts: 8 }).catch(() => null);
        if (!found || fixes.some((f) => f.dep === dep && f.specifier === found.specifier)) continue;
        fixes.push({ dep, specifier: found.specifier });
      }
    }
    report.conflict = { roots: involved, explanation: result.text, fixes };
  }
  return report;
}

function safeContains(spec: string, version: string): boolean {
  try {
    return SpecifierSet.parse(spec).contains(version, true);
  } catch {
    return true;
  }
}
