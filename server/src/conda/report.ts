// The conda side of one environment set: channels, repodata, virtual packages and the solve, as a CondaSolveReport.
import { setMaxListeners } from 'node:events';
import * as path from 'node:path';
import type { Dependency } from '../model/types';
import type { MachineProfile } from '../system/profile';
import {
  channelList,
  condarcSearchPath,
  loadCondaConfig,
  redactChannelText,
  resolveChannel,
  subdirFor,
  type ResolvedChannel,
} from './channels';
import { condaNamesOfPypi } from './pypi-names';
import { installableFilter } from './prune';
import { gather, RepodataStore, type Gathered } from './repodata';
import { solveEnvironment, specLineOf, type SolveSetup, type SpecLine } from './solve';
import { virtualPackages, type VirtualPackage } from './virtual-packages';
import { codeSpan, escapeMarkdown } from '../model/markdown';
import type { EnvironmentSet } from '../model/sets';
import { emptyCondaReport, type ChannelPriority, type CondaSolveReport } from '../model/reports';

/** Options of `condaReport`. */
export interface CondaReportOptions {
  profile: MachineProfile;
  /** Cache folder for repodata (`<cacheDir>/conda`); null: memory only. */
  cacheDir: string | null;
  signal?: AbortSignal;
  /** Only cached repodata; never the network. */
  offline: boolean;
  /**
   * In an untrusted workspace only the user's own .condarc files count and no URL channel from a workspace file is
   * contacted.
   */
  trustWorkspace: boolean;
  /** .condarc files and condarc.d folders to read instead of conda's search path (tests, settings). */
  condarcPaths?: string[];
  /** The whole report's time budget: fetching and solving (default 30 s). */
  timeoutMs: number;
  /** Variables for CONDA_OVERRIDE_* and the .condarc search path (default process.env). */
  env?: Record<string, string | undefined>;
  /** Per-request HTTP timeout (default 15 s). */
  requestTimeoutMs?: number;
  /** Repodata younger than this is used without asking the channel again (default 10 minutes). */
  ttlMs?: number;
}

const stores = new Map<string, RepodataStore>();

/** The store for a cache folder and mode: parsed repodata stays in memory between reports (warm solves). */
export function repodataStore(
  cacheDir: string | null,
  offline: boolean,
  requestTimeoutMs?: number,
  ttlMs?: number,
): RepodataStore {
  const key = `${cacheDir ?? ''}|${offline}|${requestTimeoutMs ?? ''}|${ttlMs ?? ''}`;
  let s = stores.get(key);
  if (!s) {
    s = new RepodataStore({
      cacheDir,
      offline,
      ...(requestTimeoutMs ? { timeoutMs: requestTimeoutMs } : {}),
      ...(ttlMs !== undefined ? { ttlMs } : {}),
    });
    stores.set(key, s);
  }
  return s;
}

/** Forgets every store (tests). */
export function resetRepodataStores(): void {
  stores.clear();
}

function lineOfIn(set: EnvironmentSet): (dep: Dependency) => number {
  return (dep) => {
    const f = set.files.find((x) => x.path === dep.file);
    if (!f) return 0;
    let n = 1;
    for (let i = 0; i < dep.span.start && i < f.text.length; i++) if (f.text.charCodeAt(i) === 10) n++;
    return n;
  };
}

/** A PEP 440 specifier conda also reads (`>=1.2,<2`, `==1.26.4`), or null. */
function condaSpecOfPip(name: string, specifier: string): string | null {
  const s = specifier.replace(/\s+/g, '');
  if (!s) return name;
  return /^(?:(?:==|>=|<=|!=|~=|<|>)[0-9][0-9A-Za-z.*+!]*)(?:,(?:==|>=|<=|!=|~=|<|>)[0-9][0-9A-Za-z.*+!]*)*$/.test(s)
    ? `${name} ${s}`
    : null;
}

function empty(
  status: CondaSolveReport['status'],
  why: string | null,
  extra: Partial<CondaSolveReport> = {},
): CondaSolveReport {
  return emptyCondaReport({ status, unavailable: why, ...extra });
}

/**
 * What `conda env create` would do with the set's environment.yml: the channels it searches, the records the
 * solve reaches (sharded repodata where offered), the solve with the target's virtual packages, and, when it
 * fails, the lines that take part, conda's reason and fixes a solve accepted. Never throws for a channel
 * problem: an unreachable channel without cache gives status `unavailable` and a redacted reason.
 */
export async function condaReport(set: EnvironmentSet, opts: CondaReportOptions): Promise<CondaSolveReport> {
  const file = set.files.find((f) => f.kind === 'conda');
  if (!file) return empty('skipped', null);
  const condaDeps = file.dependencies.filter((d) => d.kind === 'conda');
  const pipDeps = set.files.flatMap((f) =>
    f.dependencies.filter((d) => d.kind === 'requirement' && d.section === 'dependencies.pip'),
  );
  if (!condaDeps.length) return empty('skipped', null);
  return solveCondaSpecs(
    { baseDir: path.dirname(file.path), channels: file.channels ?? [], condaDeps, pipDeps, lineOf: lineOfIn(set) },
    opts,
  );
}

/** What one conda solve is asked: the specs, the channels as written, and what the platform is taken to have. */
export interface CondaSolveInput {
  /** The folder relative channel paths are read from. */
  baseDir: string;
  /** Channels as written (names, URLs), in priority order. */
  channels: readonly string[];
  condaDeps: readonly Dependency[];
  /** PyPI lines installed on top (their conda counterparts are gathered, for pip-over-conda). */
  pipDeps: readonly Dependency[];
  /** Specs that bound a package only where the solution has it (pixi's `[constraints]`). */
  constraints?: readonly Dependency[];
  /** The platform solved for; default: the profile's. */
  subdir?: string;
  /** The virtual packages the solve assumes; default: the profile's machine (with CONDA_OVERRIDE_*). */
  virtual?: VirtualPackage[];
  /** Whether `__cuda`'s absence is known (default: the profile probed the driver or CONDA_OVERRIDE_CUDA says). */
  cudaKnown?: boolean;
  /** Default: .condarc's. */
  channelPriority?: ChannelPriority;
  lineOf: (dep: Dependency) => number;
  respell?: SolveSetup['respell'];
}

/**
 * One conda solve of specs against channels for a platform: the repodata it reaches, rattler's solve with the
 * virtual packages, and, when it fails, the lines that take part, conda's reason and fixes a solve accepted.
 */
export async function solveCondaSpecs(input: CondaSolveInput, opts: CondaReportOptions): Promise<CondaSolveReport> {
  const { condaDeps, pipDeps } = input;
  const env = opts.env ?? process.env;
  const config = loadCondaConfig(opts.condarcPaths ?? condarcSearchPath({ env, trustWorkspace: opts.trustWorkspace }));
  const resolveOpts = {
    config,
    profile: opts.profile,
    baseDir: input.baseDir,
    trustWorkspace: opts.trustWorkspace,
  };
  const list = channelList([...input.channels], resolveOpts);
  const channels: ResolvedChannel[] = [...list.channels];
  const notes = [...config.problems, ...list.skipped.map((s) => `Channel not used: ${s}.`)];
  const subdir = input.subdir ?? subdirFor(opts.profile);
  const priority = input.channelPriority ?? config.channelPriority;
  if (!subdir)
    return empty('unavailable', `conda has no platform for ${opts.profile.os} on ${opts.profile.arch}`, { notes });
  const lines: SpecLine[] = [];
  const constraintLines: SpecLine[] = [];
  for (const dep of [...condaDeps, ...(input.constraints ?? [])]) {
    const spec = specLineOf(dep);
    if (!spec) continue;
    let channel: number | null = null;
    if (spec.channel) {
      if (!opts.trustWorkspace && /:\/\//.test(spec.channel)) {
        notes.push(
          `Channel not used: ${redactChannelText(spec.channel)} (a channel URL from a file of an untrusted workspace).`,
        );
        continue;
      }
      const r = resolveChannel(spec.channel, resolveOpts)[0];
      if (r) {
        let i = channels.findIndex((c) => c.url === r.url);
        if (i < 0) i = channels.push(r) - 1;
        channel = i;
      }
    }
    (condaDeps.includes(dep) ? lines : constraintLines).push({ dep, spec, channel });
  }
  if (!channels.length) return empty('unavailable', 'the environment names no channel conda could use', { notes });
  const channelNames = channels.map((c) => c.display);
  const store = repodataStore(opts.cacheDir, opts.offline, opts.requestTimeoutMs, opts.ttlMs);
  const before = { ...store.stats };
  const deadline = Date.now() + opts.timeoutMs;
  const timeout = AbortSignal.timeout(Math.max(1, opts.timeoutMs));
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  // One signal serves every request of the report (hundreds of shards): not a listener leak.
  setMaxListeners(0, signal);
  // pip lines whose package conda may install: their names are gathered too, for pip-over-conda.
  const pipNames = new Map<string, { dep: Dependency; condaNames: string[] }>();
  for (const d of pipDeps) pipNames.set(d.name, { dep: d, condaNames: condaNamesOfPypi(d.name) });
  const roots = [...lines.map((l) => l.spec.name.toLowerCase()), 'python'];
  const virtual = input.virtual ?? virtualPackages(opts.profile, env);
  const follow = installableFilter(lines, virtual, priority);
  let gathered: Gathered;
  try {
    // Only the depends of records the solve could install are followed (fewer shards); a failed solve gathers the rest.
    gathered = await gather(store, channels, [subdir, 'noarch'], roots, signal, undefined, follow);
  } catch (e) {
    return empty(
      'unavailable',
      timeout.aborted
        ? `fetching the channels' repodata took longer than ${opts.timeoutMs} ms`
        : redactChannelText((e as Error).message),
      { notes, channels: channelNames },
    );
  }
  const stats = (): CondaSolveReport['stats'] => ({
    records: [...gathered.records.values()].reduce((n, r) => n + r.length, 0),
    names: gathered.records.size,
    solves: 0,
    solveMs: 0,
    requests: store.stats.requests - before.requests,
    bytes: store.stats.bytes - before.bytes,
    indexBytes: store.stats.indexBytes - before.indexBytes,
    fullBytes: gathered.sources.flat().reduce((n, s) => n + (s.kind === 'full' ? s.sourceBytes : 0), 0),
    shards: store.stats.shards - before.shards,
  });
  if (gathered.unavailable.length) {
    return empty('unavailable', gathered.unavailable.slice(0, 3).join('; '), {
      notes,
      channels: channelNames,
      subdir,
      channelPriority: priority,
      stats: stats(),
    });
  }
  if (gathered.stale) notes.push('The channels could not be reached; cached repodata was used.');
  const allNames = function* (): Iterable<string> {
    for (const subs of gathered.sources) for (const s of subs) yield* s.names();
  };
  const pipMoves: { pipName: string; condaName: string; spec: string; replaces: Dependency | null }[] = [];
  for (const [pipName, { dep, condaNames }] of pipNames) {
    for (const cn of condaNames) {
      if (!gathered.records.get(cn)?.length) continue;
      const pipSpec = condaSpecOfPip(cn, dep.specifier);
      if (!pipSpec) break;
      // A conda line of the same package takes the pip line's specifier too (both must hold), else a line is added.
      const same = lines.find((l) => l.spec.name.toLowerCase() === cn && !l.spec.build && l.channel === null);
      const pipPart = pipSpec.slice(cn.length).trim();
      const spec =
        same && same.spec.version ? `${cn} ${[same.spec.version, pipPart].filter(Boolean).join(',')}` : pipSpec;
      pipMoves.push({ pipName, condaName: cn, spec, replaces: same?.dep ?? null });
      break;
    }
  }
  const left = deadline - Date.now();
  if (left <= 0)
    return empty('unavailable', `fetching the channels' repodata took longer than ${opts.timeoutMs} ms`, {
      notes,
      channels: channelNames,
      stats: stats(),
    });
  const setup: SolveSetup = {
    lines,
    records: gathered.records,
    channelNames,
    priority,
    subdir,
    virtual,
    cudaKnown: input.cudaKnown ?? (opts.profile.nvidia !== undefined || env['CONDA_OVERRIDE_CUDA'] !== undefined),
    lineOf: input.lineOf,
    ...(input.respell ? { respell: input.respell } : {}),
    allNames,
    timeoutMs: left,
    pipMoves,
    // On a pruned gather a failure is only the verdict: the explanation and the fixes (other versions, another
    // driver) need every record, gathered below.
    verdictOnly: gathered.pruned,
  };
  let solved = await solveEnvironment(setup);
  // A constraint binds only a package the solution has: those lines join the solve, which then must hold them too.
  const binding =
    solved.status === 'ok'
      ? constraintLines.filter((c) => solved.solution.some((p) => p.name === c.spec.name.toLowerCase()))
      : [];
  if (binding.length) {
    const names = new Set(binding.map((c) => c.spec.name.toLowerCase()));
    for (const c of binding)
      if (!gathered.records.has(c.spec.name.toLowerCase())) names.delete(c.spec.name.toLowerCase());
    const constrained = await solveEnvironment({
      ...setup,
      lines: [...lines, ...binding.filter((c) => names.has(c.spec.name.toLowerCase()))],
    });
    solved = {
      ...constrained,
      picked: constrained.picked.filter((p) => !binding.some((c) => c.dep === p.dep)),
      solves: constrained.solves + solved.solves,
      solveMs: constrained.solveMs + solved.solveMs,
    };
    setup.lines = [...lines, ...binding];
  }
  if (solved.status === 'failed' && gathered.pruned) {
    const first = solved;
    try {
      const full = await gather(store, channels, [subdir, 'noarch'], roots, signal);
      if (!full.unavailable.length) gathered = full;
    } catch {
      // Solved again on what was gathered: the verdict is the same, the explanation may be plainer.
    }
    const again = await solveEnvironment({
      ...setup,
      records: gathered.records,
      timeoutMs: Math.max(1, deadline - Date.now()),
      verdictOnly: false,
    });
    // Out of time for the explanation: the verdict (with the solver's own text) stands.
    if (again.status === 'failed')
      solved = { ...again, solves: again.solves + first.solves, solveMs: again.solveMs + first.solveMs };
  }
  const st = stats();
  st.solves = solved.solves;
  st.solveMs = solved.solveMs;
  return {
    status: solved.status,
    unavailable: solved.unavailable ? redactChannelText(solved.unavailable) : null,
    channels: channelNames,
    channelPriority: priority,
    subdir,
    picked: solved.picked,
    solution: solved.solution,
    notFound: solved.notFound,
    conflicts: solved.conflicts,
    condaHas: solved.condaHas,
    notes,
    stats: st,
  };
}

/**
 * Hover text for a conda line: what the solve picked for it (version, build, channel), or why nothing was
 * picked. null when the report says nothing about the line.
 */
export function condaHover(report: CondaSolveReport, dep: Dependency): string | null {
  const p = report.picked.find(
    (x) => x.dep === dep || (x.dep.file === dep.file && x.dep.span.start === dep.span.start),
  );
  if (p)
    // A channel's repodata is someone else's text: quoted as code, so it renders as written.
    return (
      `conda picks **${escapeMarkdown(`${p.pkg.name} ${p.pkg.version}`)}** (build ` +
      `${codeSpan(p.pkg.build)}, ${escapeMarkdown(p.pkg.subdir)}) from ${escapeMarkdown(p.pkg.channel)}.`
    );
  if (report.notFound.some((n) => n.dep.span.start === dep.span.start && n.dep.file === dep.file))
    return 'No channel has a build for this line; see the diagnostic.';
  if (report.conflicts.some((c) => c.roots.some((r) => r.span.start === dep.span.start && r.file === dep.file)))
    return 'conda cannot solve the environment with this line; see the diagnostic.';
  return null;
}
