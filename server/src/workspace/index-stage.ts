// The index stage: asks the package index about an environment set's top-level requirements and resolves it; the result is data for the index-backed checks.
import * as os from 'node:os';
import * as path from 'node:path';
import { hasPep440Text, where } from '../checks/edits';
import { installedDeclarations } from '../checks/scope';
import type { EnvironmentSet, SetIndexReport } from '../checks/types';
import { targetFromProfile } from '../index/candidates';
import { redact } from '../index/credentials';
import { CancelledError, IndexError, NotFoundError, UnreachableError, type IndexProblem } from '../index/errors';
import { MetadataProvider } from '../index/provider';
import { loadPipConfig, selectIndexes, type IndexSelection } from '../index/selection';
import type { Dependency, Fix } from '../model/types';
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
      p = new MetadataProvider({ indexes, target: targetFromProfile(profile), cacheDir: this.cacheDir });
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

// --- index-layer problems (index branch): one bad or unreachable index costs only what needed it -----------------

/** The problems of one run in a sentence or two: hosts that could not be reached, answers that were bad. */
function describeProblems(problems: IndexProblem[]): string {
  const parts: string[] = [];
  const unreachable = new Map<string, IndexProblem>();
  const remembered = (p: IndexProblem | undefined): boolean => !p || /earlier in this run/.test(p.message);
  // Per host, the first failure itself rather than a later request that was not sent because of it.
  for (const p of problems) if (p.kind === 'unreachable' && remembered(unreachable.get(p.host))) unreachable.set(p.host, p);
  for (const [host, p] of unreachable) parts.push(`${host} could not be reached (${p.message}); what only it has was not considered`);
  const invalid = problems.filter((p) => p.kind === 'invalid');
  for (const p of invalid.slice(0, 3)) parts.push(`the index answered badly: ${p.message}`);
  if (invalid.length > 3) parts.push(`and ${invalid.length - 3} more bad answers`);
  return parts.join('; ');
}

/** " (host could not be reached; it may have this)" for a project some index could not be asked about. */
function mayHaveIt(unreachable: IndexProblem[]): string {
  const hosts = [...new Set(unreachable.map((p) => p.host))];
  return hosts.length ? ` (${hosts.join(', ')} could not be ${unreachable.some((p) => p.kind === 'unreachable') ? 'reached' : 'read'}; it may have this)` : '';
}

/**
 * Asks the index about every top-level requirement of the set (does the project exist, does a version match,
 * does one support the target Python, does it have a wheel), then resolves the whole set with PubGrub and, when
 * no resolution exists, searches fixes the resolver verifies. Throws CancelledError when `signal` aborts.
 * What the indexes could not answer (an unreachable index, bad data) is said once, as information (through
 * `gaveUp`, or after the conflict's explanation); the other findings stay.
 */
export async function indexReport(set: EnvironmentSet, opts: IndexStageOptions): Promise<SetIndexReport> {
  const mark = opts.provider.problemMark();
  const report = await indexReportOf(set, opts);
  const problems = opts.provider.problems(mark);
  if (problems.length === 0 || report.unavailable) return report;
  const text = describeProblems(problems);
  if (report.conflict) return { ...report, conflict: { ...report.conflict, explanation: `${report.conflict.explanation}\nNote: ${text}.` } };
  return { ...report, gaveUp: report.gaveUp ? `${report.gaveUp}; ${text}` : text };
}

async function indexReportOf(set: EnvironmentSet, opts: IndexStageOptions): Promise<SetIndexReport> {
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
  const failed: IndexError[] = [];
  try {
    await Promise.all([...byName].map(async ([name, deps]) => {
      const spec = deps.filter((d) => d.specifier && !d.specifierUnknown).map((d) => d.specifier).join(',');
      let verdicts;
      try {
        verdicts = await opts.provider.explain(name, { signal: opts.signal });
      } catch (e) {
        if (e instanceof NotFoundError) {
          for (const dep of deps) report.missing.push({ dep, kind: 'project', newest: null, where: indexText + mayHaveIt(e.unreachable) });
          dropped.add(name);
          return;
        }
        // Every index failed for this project (unreachable, or bad data): it alone is left out; problems() says why.
        if (e instanceof IndexError) {
          failed.push(e);
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
        for (const dep of each) report.missing.push({ dep, kind: verdicts.length ? 'version' : 'project', newest: verdicts[0]?.version.toString() ?? null, where: indexText + mayHaveIt(opts.provider.unreachableFor(name)) });
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
  // No index could be reached for any project: nothing is known (one notice, as before).
  if (failed.length > 0 && failed.length === byName.size && failed.every((e) => e instanceof UnreachableError)) return { ...emptyReport(), unavailable: failed[0]!.message };

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
    if (e instanceof IndexError) return { ...report, gaveUp: `a dependency could not be read: ${e.message}` };
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
    const fixes: { dep: Dependency; fix: Fix }[] = [];
    for (const dep of involved) {
      const index = roots.findIndex((r) => r.origin === dep);
      if (index < 0 || !hasPep440Text(dep) || Date.now() > deadline) continue;
      for (const search of [nearestResolvingVersion, narrowToResolve]) {
        const found = await search(roots, index, opts.provider, { ...options, maxAttempts: 8 }).catch(() => null);
        if (!found || fixes.some((f) => f.dep === dep && f.fix.edits[0]!.newText === found.specifier)) continue;
        fixes.push({ dep, fix: { title: `Change to '${dep.rawName}${found.specifier}' (a resolution exists then)`, edits: [{ file: dep.file, span: dep.specifierSpan, newText: found.specifier }], preferred: fixes.length === 0 } });
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
