// The index stage: asks the package index about an environment set's top-level requirements and resolves it; the result
// is data for the index-backed checks.
import { pypiIndexOf } from '../../model/pixi';
import { describeScope } from '../../checks/edits';
import {
  admitsNothing,
  installedDeclarations,
  membersOf,
  togetherScopes,
  uvExclusionOptions,
  withinOneScope,
} from '../../checks/scope';
import { targetFromProfile } from '../../index/candidates';
import { BudgetSpentError } from '../../index/budget';
import { redact } from '../../index/credentials';
import { hasWheelFor, machinesOf } from '../../index/required-environments';
import { IndexError, NotFoundError, type IndexProblem } from '../../index/errors';
import { CancelledError } from '../../model/cancel';
import { MetadataProvider } from '../../index/provider';
import { pypiNameOfConda } from '../../conda/pypi-names';
import { indexUrlsFor, type IndexSelection } from '../../index/selection';
import { uvRouteOf } from '../index-settings';
import type { Dependency } from '../../model/types';
import type { MarkerEnvironment } from '../../pep/marker';
import { SpecifierSet } from '../../pep/specifier';
import { URL_IN_METADATA } from '../../resolver/python-packages';
import { resolve } from '../../resolver/solver';
import type { RootRequirement } from '../../resolver/types';
import type { MachineProfile } from '../../system/profile';
import type { SetIndexReport } from '../../model/reports';
import type { EnvironmentSet } from '../../model/sets';
import type { Stage } from './stage';
import {
  asksLocalVersion,
  describeIndexes,
  describeProblems,
  mayHaveIt,
  targetText,
  UNFIT,
  unfitFiles,
} from './index-text';
import { searchFixes, verdictOf } from './fix-search';

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
  /** The end of the analysis run: the provider calls of the stage's resolutions last until then (StageContext). */
  runEnd?: AbortSignal;
  /** The whole stage for one set, fix search included (ms). */
  timeoutMs?: number;
  /**
   * An environment.yml conda did not solve: its conda specs constrain the projects they install, as the versions the
   * author asked conda for (with a solve, pip runs on top of conda's solution instead: `pip-on-conda.ts`).
   */
  condaPins?: boolean;
  /** False in an untrusted workspace: no URL a workspace file names is fetched (default true). */
  trusted?: boolean;
  /**
   * The provider of another selection of the same indexes: a uv project whose `[tool.uv.sources]` route a package to
   * one index in one extra or group and to another elsewhere is judged in each scope against that scope's index.
   * Absent: every scope uses `provider`.
   */
  providerFor?: (indexes: IndexSelection) => MetadataProvider;
}

/**
 * The conda specs of a set that pin a version of a Python package pip could be asked for (not `python` itself, which
 * is the target's Python), each with the PyPI project it installs.
 */
export function condaPinsOf(set: EnvironmentSet): { dep: Dependency; name: string }[] {
  return set.files.flatMap((f) =>
    f.kind !== 'conda'
      ? []
      : f.dependencies
          .filter((d) => d.kind === 'conda' && d.name !== 'python' && d.specifier && !d.specifierUnknown && !d.url)
          .map((dep) => ({ dep, name: pypiNameOfConda(dep.name) })),
  );
}

/** A report that found nothing, with every index answering. */
export const emptyReport = (indexes: string): SetIndexReport => ({
  indexes,
  unreachable: [],
  unreachableIndexes: [],
  answered: true,
  missing: [],
  pythonExcluded: [],
  sdistOnly: [],
  conflicts: [],
  gaveUp: null,
  notFetched: [],
});

/**
 * Asks the index about every top-level requirement of the set (does the project exist, does a version match,
 * does one support the target Python, does it have a wheel), then resolves the base and each extra and
 * dependency group with the base, as pip would install them. Where no resolution exists it explains the
 * conflict, searches fixes the resolver verifies, sets the lines that take part aside and resolves again, so
 * that every conflict is found, within the time budget. An index that cannot be asked, or answers with data that
 * cannot be read, costs only what needed it, and is said once (`unreachable`). Throws CancelledError when `signal`
 * aborts.
 */
export async function indexReport(set: EnvironmentSet, opts: IndexStageOptions): Promise<SetIndexReport> {
  const mark = opts.provider.problemMark();
  const report = await indexReportOf(set, opts);
  for (const { why, index } of describeProblems(opts.provider.problems(mark))) {
    if (report.unreachable.includes(why)) continue;
    report.unreachable.push(why);
    if (index) report.unreachableIndexes.push({ index, why });
  }
  return report;
}

/** How many conflicts one scope reports at most: each later one is found by setting aside the lines of the earlier. */
const MAX_CONFLICTS = 8;

async function indexReportOf(set: EnvironmentSet, opts: IndexStageOptions): Promise<SetIndexReport> {
  const indexText = describeIndexes(opts.indexes);
  const report = emptyReport(indexText);
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const lost = (e: Error) => {
    // The spent budget is said once, with what it cost (describeProblems), not per request it stopped.
    if (e instanceof BudgetSpentError) return;
    const why = redact(e.message);
    if (!report.unreachable.includes(why)) report.unreachable.push(why);
  };
  const decls = installedDeclarations(set, opts.markerEnvironment);
  // A uv project: where each of its declarations is looked up ([tool.uv.sources]).
  const root = set.files[0];
  const uv = root?.kind === 'pyproject' ? root.uvIndexes : undefined;
  const route = (d: Dependency) => (uv && d.file === root!.path ? uvRouteOf(uv, d, opts.markerEnvironment) : null);
  const untrustedUrl = (d: Dependency) =>
    opts.trusted === false &&
    ((d.url !== null && !/^file:/i.test(d.url)) ||
      (d.kind === 'requirement' && (!!route(d)?.index.length || pypiIndexOf(d) !== null)));
  for (const file of set.files)
    for (const d of file.dependencies) if (untrustedUrl(d) && !report.notFetched.includes(d)) report.notFetched.push(d);
  // A path, git or workspace source is never looked up on an index.
  const local = (d: Dependency) => route(d)?.local === true;
  /**
   * The selection that lines are looked up with: each package routed as these lines' own source entries route it
   * (uv routes per extra, group and marker: a package in extra `cu121` is taken from its index, in extra `cpu` from
   * another), instead of every route of the project together. The project's selection where nothing differs.
   */
  const selectionOf = (lines: readonly Dependency[]): IndexSelection => {
    const ix = opts.indexes;
    if (!uv || !ix.uv) return ix;
    const explicit = new Set(ix.uv.explicit);
    const unrouted = ix.indexUrls.filter((u) => !explicit.has(u));
    const urlsOf = new Map<string, Set<string>>();
    const anyRouted = new Set<string>();
    for (const d of lines) {
      if (d.file !== root!.path || d.kind !== 'requirement' || !uv.sources.has(d.name)) continue;
      const r = route(d)!;
      const urls = urlsOf.get(d.name) ?? urlsOf.set(d.name, new Set()).get(d.name)!;
      for (const u of r.index.length ? r.index : r.local ? [] : unrouted) urls.add(u);
      if (r.index.length) anyRouted.add(d.name);
    }
    const routed = { ...ix.uv.routed };
    let changed = false;
    for (const name of urlsOf.keys()) {
      const urls = anyRouted.has(name) ? ix.indexUrls.filter((u) => urlsOf.get(name)!.has(u)) : undefined;
      if (JSON.stringify(urls) === JSON.stringify(routed[name])) continue;
      changed = true;
      if (urls) routed[name] = urls;
      else delete routed[name];
    }
    return changed ? { ...ix, uv: { ...ix.uv, routed } } : ix;
  };
  const providerOf = (ix: IndexSelection): MetadataProvider =>
    ix === opts.indexes || !opts.providerFor ? opts.provider : opts.providerFor(ix);
  const usable = (d: Dependency) =>
    d.name !== '' && !d.editable && !(d.url && !/^https?:/i.test(d.url)) && !untrustedUrl(d) && !local(d);
  const base = decls.filter((d) => d.scope === '').map((d) => d.dep);
  const condaPins = opts.condaPins ? condaPinsOf(set) : [];
  /** The PyPI project a line is about: a conda spec's package under the name pip knows it by. */
  const pipName = new Map(condaPins.map((p) => [p.dep, p.name]));
  const nameOf = (d: Dependency): string => pipName.get(d) ?? d.name;
  const constraints = [
    ...base.filter((d) => d.kind === 'constraint' && usable(d) && !d.url),
    ...condaPins.map((p) => p.dep),
  ];
  // uv's overrides replace every requirement on their name, transitive ones included, and add none.
  const overrides = base.filter((d) => d.kind === 'override' && usable(d));
  const allRequirements = [...new Set(decls.map((d) => d.dep))].filter((d) => d.kind === 'requirement' && usable(d));
  const python = opts.profile.python?.version ?? opts.markerEnvironment.python_full_version ?? '3.12.0';

  // uv's required-environments (a uv project judged as its own set): each needs a wheel of every version that
  // publishes no sdist.
  const uvFile = set.files[0]?.uvResolution && !set.selectedExtras?.has(set.files[0].path) ? set.files[0] : null;
  const required = uvFile?.uvResolution?.requiredEnvironments ?? [];
  const targetPython = targetFromProfile(opts.profile).tags.python;
  const checkRequiredEnvironments = async (dep: Dependency, name: string, key: string, version: string) => {
    const files = (await opts.provider.files(name, opts.signal)).filter((f) => f.version?.key === key);
    if (files.some((f) => f.kind === 'sdist')) return;
    const names = files.map((f) => f.file.filename);
    for (const env of required) {
      const machines = machinesOf(env.marker, targetPython);
      if (machines.length && !hasWheelFor(names, machines))
        (report.missingEnvironments ??= []).push({
          dep,
          version,
          marker: env.marker,
          file: uvFile!.path,
          span: env.span,
        });
    }
  };
  // 1. Per line: does the project exist, does a version match, one for this Python, a wheel? An override is asked
  // too: the versions it admits are the only ones its package can have.
  // Per package and the selection its lines are looked up with (one, unless uv routes it per scope).
  const byName = new Map<string, { name: string; deps: Dependency[]; ix: IndexSelection }>();
  const overridden = new Set(overrides.map((d) => d.name));
  for (const d of [...allRequirements.filter((r) => !overridden.has(r.name)), ...overrides]) {
    if (d.url) continue;
    const ix = selectionOf([d]);
    const key = ix === opts.indexes ? d.name : `${d.name}\0${JSON.stringify(ix.uv?.routed[d.name] ?? null)}`;
    (byName.get(key) ?? byName.set(key, { name: d.name, deps: [], ix }).get(key)!).deps.push(d);
  }
  /** Lines that cannot take part in a resolution (the project or version is missing, or unknown). */
  const dropped = new Set<Dependency>();
  let asked = 0;
  // The indexes of the selection (an http or a file:// index alike; find-links are not indexes): when none of them
  // answered for a project, only find-links did, and "not found" says more about the network than about the file
  // (no errors, as offline). Any index that answered counts.
  /** The indexes a package is looked up on (uv's routing), redacted. */
  const indexesOf = (name: string, ix: IndexSelection) => new Set(indexUrlsFor(ix, name).urls.map(redact));
  const failedIndexes = (unreachable: readonly IndexProblem[], name: string, ix: IndexSelection): IndexProblem[] => {
    const indexes = indexesOf(name, ix);
    return unreachable.filter((p) => p.source?.kind === 'index' && indexes.has(p.source.url));
  };
  const noIndexAnswered = (unreachable: readonly IndexProblem[], name: string, ix: IndexSelection): boolean => {
    const size = indexesOf(name, ix).size;
    return size > 0 && new Set(failedIndexes(unreachable, name, ix).map((p) => p.source!.url)).size >= size;
  };
  /** The sources that answered about a project, for "no project named X on ...". */
  const answeredText = (unreachable: readonly IndexProblem[], name: string, ix: IndexSelection): string => {
    const failed = new Set(unreachable.map((p) => p.source?.url).filter((u) => u !== undefined));
    if (failed.size === 0) return describeIndexes(ix, name);
    const rest = { ...ix, indexUrls: ix.indexUrls.filter((u) => !failed.has(redact(u))) };
    rest.findLinks = rest.findLinks.filter((u) => !failed.has(redact(u)));
    if (rest.uv) rest.uv = { ...rest.uv, routed: { ...rest.uv.routed } };
    if (rest.uv?.routed[name]) rest.uv.routed[name] = rest.uv.routed[name].filter((u) => !failed.has(redact(u)));
    return describeIndexes(rest, name);
  };
  /** The hosts of the indexes that could not be asked about a requirement that only they could answer, or null. */
  const onlyFrom = (dep: Dependency, unreachable: readonly IndexProblem[], ix: IndexSelection): string[] | null => {
    const failed = failedIndexes(unreachable, dep.name, ix);
    if (failed.length === 0) return null;
    let spec: SpecifierSet;
    try {
      spec = SpecifierSet.parse(dep.specifierUnknown ? '' : dep.specifier);
    } catch {
      return null;
    }
    return asksLocalVersion(spec) ? [...new Set(failed.map((p) => p.host))] : null;
  };
  const missing = (
    dep: Dependency,
    kind: 'project' | 'version',
    newest: string | null,
    unreachable: readonly IndexProblem[],
    ix: IndexSelection,
  ): void => {
    const only = onlyFrom(dep, unreachable, ix);
    // A source that could not be asked about this project may have it: the verdict is not known.
    const unsure = only ? [] : [...new Set(unreachable.map((p) => p.host))];
    report.missing.push({
      dep,
      kind,
      newest,
      where: answeredText(unreachable, dep.name, ix),
      ...(only ? { onlyFrom: only } : unsure.length ? { unsure } : {}),
    });
  };
  await Promise.all(
    [...byName.values()].map(async ({ name, deps, ix }) => {
      const provider = providerOf(ix);
      let verdicts;
      try {
        verdicts = await provider.explain(name, { signal: opts.signal });
        if (noIndexAnswered(provider.unreachableFor(name), name, ix)) {
          deps.forEach((d) => dropped.add(d));
          return;
        }
        asked++;
      } catch (e) {
        if (e instanceof NotFoundError && noIndexAnswered(e.unreachable, name, ix)) {
          deps.forEach((d) => dropped.add(d));
          return;
        }
        if (e instanceof NotFoundError) {
          asked++;
          for (const dep of deps) missing(dep, 'project', null, e.unreachable, ix);
          deps.forEach((d) => dropped.add(d));
          return;
        }
        if (e instanceof CancelledError || opts.signal?.aborted) throw new CancelledError();
        if (e instanceof IndexError) {
          // This project could not be asked (or its page read): only its own findings are lost.
          lost(e);
          deps.forEach((d) => dropped.add(d));
          return;
        }
        throw e;
      }
      for (const dep of deps) {
        // A line that admits no version by itself is a `conflict` on that line, whatever the index has.
        if (!dep.specifierUnknown && admitsNothing(dep.specifier)) {
          dropped.add(dep);
          continue;
        }
        let spec: SpecifierSet;
        try {
          spec = SpecifierSet.parse(dep.specifierUnknown ? '' : dep.specifier);
        } catch {
          continue;
        }
        const matching = verdicts.filter((v) => spec.contains(v.version, true));
        if (matching.length === 0) {
          missing(
            dep,
            verdicts.length ? 'version' : 'project',
            verdicts[0]?.version.toString() ?? null,
            provider.unreachableFor(name),
            ix,
          );
          dropped.add(dep);
          continue;
        }
        const offered = matching.filter((v) => !v.excluded);
        if (offered.length === 0) {
          const requires = [
            ...new Set(matching.filter((v) => v.excluded?.reason === 'requires-python').map((v) => v.excluded!.detail)),
          ];
          if (requires.length) {
            report.pythonExcluded.push({ dep, python, requires });
            dropped.add(dep);
            continue;
          }
          // Files exist, but none pip may install here (wheels for another Python or platform, a format the options
          // forbid): pip fails with "No matching distribution found", as for a version the index does not have.
          const unfit = matching.filter((v) => v.excluded && UNFIT.has(v.excluded.reason));
          if (unfit.length) {
            report.missing.push({
              dep,
              kind: 'target',
              newest: unfit[0]!.version.toString(),
              where: describeIndexes(ix, name) + mayHaveIt(provider.unreachableFor(name)),
              target: targetText(opts.profile),
              files: unfitFiles(await provider.files(name, opts.signal), unfit[0]!.version.key),
            });
            dropped.add(dep);
          }
          continue;
        }
        const best = offered.find((v) => !v.version.isPrerelease) ?? offered[0]!;
        if (!best.files.some((f) => f.kind === 'wheel'))
          report.sdistOnly.push({ dep, version: best.version.toString(), target: targetText(opts.profile) });
        else if (required.length) await checkRequiredEnvironments(dep, name, best.version.key, best.version.toString());
      }
    }),
  );
  // No project got an answer from an index that could have it: nothing from the index is known (the knowledge speaks).
  if (byName.size > 0 && asked === 0) report.answered = false;

  // 2. Resolve the base, then each optional scope with the base; after each conflict, set its lines aside and go on.
  const toRoot = (d: Dependency, anyVersion = false): RootRequirement<Dependency> => ({
    requirement: {
      name: nameOf(d),
      extras: d.extras,
      specifier: anyVersion || d.specifierUnknown ? '' : d.specifier,
      marker: '',
      url: anyVersion ? null : d.url,
    },
    origin: d,
  });
  /**
   * An override already reported (no version satisfies it, or it failed a resolution) still replaces every
   * requirement on its name, now by any version: what it removed stays removed, and the rest is judged on.
   */
  const spentOverrides = new Set(overrides.filter((d) => dropped.has(d)));
  const overrideRoot = (d: Dependency): RootRequirement<Dependency> => toRoot(d, spentOverrides.has(d));
  const options = {
    markerEnvironment: opts.markerEnvironment,
    python,
    constraints: constraints.map((d) => toRoot(d)),
    overrides: overrides.map(overrideRoot),
    ...uvExclusionOptions(set, opts.markerEnvironment),
    signal: opts.signal,
    ...(opts.runEnd ? { callsEnd: opts.runEnd } : {}),
    deadline,
    // No describeOrigin: the explanation's steps name no file and line, since the finding's related locations
    // carry the places of the lines that take part, in every front end (editor, text, JSON, SARIF).
  };
  // Then, in a uv project, the extras and groups uv resolves together (each choice among declared alternatives).
  const scopes = [
    '',
    ...[...new Set(decls.map((d) => d.scope).filter((s) => s !== ''))].sort(),
    ...togetherScopes(set, decls),
  ];
  /** Lines of the base that took part in a base conflict: already reported, so left out of the scopes' resolutions. */
  const reported = new Set<Dependency>();
  for (const scope of scopes) {
    const members = new Set(membersOf(scope));
    const own = new Set(decls.filter((d) => members.has(d.scope)).map((d) => d.dep));
    let lines = [...new Set(decls.filter((d) => d.scope === '' || members.has(d.scope)).map((d) => d.dep))].filter(
      (d) => d.kind === 'requirement' && usable(d) && !dropped.has(d) && !reported.has(d),
    );
    if (scope !== '' && !lines.some((d) => own.has(d))) continue;
    for (let found = 0; lines.length > 0;) {
      if (Date.now() > deadline) {
        report.gaveUp ??=
          `the time budget ran out before ${scope ? describeScope(scope) : 'the set'} ` +
          `was fully resolved; conflicts after the ${found} reported may remain.`;
        break;
      }
      const roots = lines.map((d) => toRoot(d));
      const provider = providerOf(selectionOf(lines));
      let result;
      try {
        result = await resolve(roots, provider, options);
      } catch (e) {
        if (e instanceof CancelledError || opts.signal?.aborted) throw new CancelledError();
        if (e instanceof IndexError) {
          lost(e);
          break;
        }
        throw e;
      }
      for (const note of 'incomplete' in result ? result.incomplete : [])
        if (note.endsWith(URL_IN_METADATA) && !report.unreachable.includes(note)) report.unreachable.push(note);
      if (result.ok) {
        const resolved = new Map(report.resolved);
        for (const [name, v] of result.versions) if (!resolved.has(name)) resolved.set(name, v.toString());
        report.resolved = resolved;
        break;
      }
      if (result.reason === 'cancelled') throw new CancelledError();
      if (result.reason !== 'conflict') {
        report.gaveUp ??= result.message;
        break;
      }
      const involved = [...new Set(result.rootsInvolved)];
      const aside = involved.filter((d) => lines.includes(d));
      const failedOverrides = involved.filter((d) => d.kind === 'override' && !spentOverrides.has(d));
      if (aside.length === 0) {
        // Only constraints or overrides take part. An override that fails is reported on its own line, then
        // judged as any version (it still replaces what it names), and the rest goes on.
        if (failedOverrides.length === 0) break;
        report.conflicts.push({ scope, roots: failedOverrides, explanation: result.text, fixes: [] });
        failedOverrides.forEach((d) => spentOverrides.add(d));
        options.overrides = overrides.map(overrideRoot);
        continue;
      }
      lines = lines.filter((d) => !aside.includes(d));
      if (scope === '') aside.forEach((d) => reported.add(d));
      // Lines of one package alone are a direct conflict: the `conflict` check already says it, on the same lines.
      const direct =
        new Set(involved.map(nameOf)).size <= 1 &&
        result.explanation.every((s) => s.packages.every((p) => involved.length > 0 && p === nameOf(involved[0]!)));
      // In a scope, a conflict among base lines only is the base's (reported there, or hidden behind one that was).
      if (direct || (scope !== '' && !involved.some((d) => own.has(d)))) continue;
      // In a combined scope, a conflict within one of its members is that member's (reported there).
      if (members.size > 1 && withinOneScope(decls, involved)) continue;
      const fixes = await searchFixes(roots, involved, provider, options, deadline);
      const verdict = verdictOf(result.explanation, involved, nameOf);
      report.conflicts.push({
        scope,
        roots: involved,
        explanation: result.text,
        fixes,
        ...(verdict ? { verdict } : {}),
      });
      if (++found >= MAX_CONFLICTS) {
        report.gaveUp ??=
          `stopped after ${found} conflicts in ${scope ? describeScope(scope) : 'the set'}; ` +
          `fix these and check again for more.`;
        break;
      }
    }
  }
  return report;
}

/** The index stage: the set's index report, where an index can be asked (not offline). */
export const stage: Stage<SetIndexReport> = {
  run(set, ctx, signal) {
    const c = ctx.index;
    if (!c) return Promise.resolve(null);
    return indexReport(set, {
      provider: c.provider,
      indexes: c.indexes,
      markerEnvironment: c.markerEnvironment,
      profile: c.profile,
      signal,
      ...(ctx.runEnd ? { runEnd: ctx.runEnd } : {}),
      timeoutMs: ctx.timeoutMs,
      condaPins: ctx.condaPins ?? false,
      trusted: c.trusted,
      ...(c.providerFor ? { providerFor: c.providerFor } : {}),
    });
  },
};
