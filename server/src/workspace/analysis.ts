// The one analysis API both front ends call (the editor's session and the CLI): sets of files, the index stage, the
// checks.
import type { SeverityOverrides } from '../checks/registry';
import {
  checksRegistry,
  condaStage as condaModule,
  pixiStage as pixiModule,
  indexStage as indexModule,
  pipOnCondaStage as pipOnCondaModule,
  condaReportModule,
  updatesModule,
  vulnerabilityStage as vulnerabilityModule,
} from './lazy-stages';
import type { CheckContext } from '../checks/types';
import type { Dependency, FileKind, Finding, ParsedFile } from '../model/types';
import { markerEnvironmentFor, type MachineProfile } from '../system/profile';
import { crypto } from '../system/lazy-modules';
import { FileSets } from './file-sets';
import { StageCache, textKey } from './stage-cache';
import type { StageContext } from './stages/stage';
import { type TextSource } from './text-source';
import { defaultCacheDir, indexesFor } from './index-settings';
import type { ProviderPool } from './stages/index-stage';
import type { Target } from './target';
import type { AdvisorySource } from './advisory-source';
import { CancelledError } from '../model/cancel';
import { RequestBudget } from '../index/budget';
import type { MetadataProvider } from '../index/provider';
import type { IndexSelection } from '../index/selection';
import { directUrlsOf, type IndexContext } from './index-context';
import { ProjectVersions, type VersionsEntry } from './project-versions';
import { pythonOfRoot } from './python-of';
import { channelSources, indexSources, pixiPick, solvedPython, type StageSource } from './solve-reports';
import type { EnvironmentSet } from '../model/sets';
import type {
  CondaSolveReport,
  PipOnCondaReport,
  PixiSolveReport,
  SetIndexReport,
  VulnerabilityReport,
} from '../model/reports';
import { pixiManifestOf } from '../model/pixi';

/** How an analysis asks indexes and reports: the editor's settings or the CLI's flags. */
export interface AnalysisSettings {
  /** Never contact an index: syntax, direct conflicts, knowledge and machine checks only. */
  offline: boolean;
  indexUrl?: string;
  extraIndexUrls?: string[];
  /**
   * False in an untrusted workspace: indexes named in workspace files are not contacted, and `-r`/`-c` includes are
   * followed only inside `workspaceFolders`.
   */
  trustFiles: boolean;
  /**
   * The workspace folders (absolute): the editor's, or the folders of the paths the command line was given. Untrusted,
   * includes outside them are not read; with none, an include is read only inside its including file's folder.
   */
  workspaceFolders?: readonly string[];
  /** The metadata cache folder; null for none, undefined for the default (`~/.cache/stack-doctor`). */
  cacheDir?: string | null;
  severityOverrides?: SeverityOverrides;
  /** The index stage's budget per set, fix search included (ms). */
  indexTimeoutMs?: number;
  /** Where advisories come from (an OSV database, PyPI's JSON API); none: the `vulnerable` check stays silent. */
  advisories?: AdvisorySource | null;
  /**
   * pixi platforms (names such as `osx-arm64` or a platform entry's name) solved besides the ones the machine runs;
   * by default only those are.
   */
  pixiPlatforms?: readonly string[];
}

/** Progress of `resolve`: called before each set. */
export type ResolveProgress = (set: EnvironmentSet, index: number, count: number) => void;

/**
 * The analysis of a workspace: reads files through its text source, groups them into environment sets, keeps
 * the index stage's reports while the sets' texts are unchanged, and runs the checks. One instance per editor
 * session or CLI run; `configure` and `setTarget` drop what depended on the old settings or machine.
 */
export class Analysis {
  private readonly files: FileSets;
  private settings: AnalysisSettings = { offline: false, trustFiles: true };
  private target: Target = {
    profile: { os: process.platform === 'win32' ? 'windows' : process.platform, arch: process.arch },
  };
  private pool: ProviderPool | undefined;
  /** The index stage's last report per set, valid while the set's texts are unchanged. */
  private readonly reports = new StageCache<SetIndexReport>();
  /** The vulnerability stage's last report per set, valid likewise. */
  private readonly vulnerabilities = new StageCache<VulnerabilityReport>();
  /** Conda's solve of each environment.yml set, valid likewise. */
  private readonly condaReports = new StageCache<CondaSolveReport>();
  /** The `pip:` part on top of conda's solution, per environment.yml set, valid likewise. */
  private readonly pipOnCondaReports = new StageCache<PipOnCondaReport>();
  /** The pixi stage's report per set whose root is a pixi manifest. */
  private readonly pixiReports = new StageCache<PixiSolveReport>();
  /** The target with another Python, by version (environment.yml pins), kept so that per-environment caches hit. */
  private readonly pinnedProfiles = new Map<string, MachineProfile>();
  /** What the indexes say of projects' versions, for the editor features. */
  private readonly projectVersions = new ProjectVersions();

  constructor(source: TextSource, env: Record<string, string | undefined> = process.env) {
    this.files = new FileSets(source, env);
  }

  /** Loads the checks and, unless offline, the stages now rather than at their first use. */
  warmUp(): void {
    checksRegistry();
    if (this.settings.offline) return;
    indexModule();
    vulnerabilityModule();
  }

  configure(settings: AnalysisSettings): void {
    this.settings = settings;
    this.files.setIncludePolicy({ trusted: settings.trustFiles, workspaceFolders: settings.workspaceFolders ?? [] });
    // An untrusted workspace's files are read with no `${VAR}` expanded: no variable's value becomes a project name
    // or a URL sent anywhere.
    this.files.expandVariables(settings.trustFiles);
    this.resetIndexStage();
  }

  setTarget(target: Target): void {
    this.target = target;
    this.resetIndexStage();
  }

  get profile(): MachineProfile {
    return this.target.profile;
  }

  get offline(): boolean {
    return this.settings.offline;
  }

  /** The file's text may have changed (an edit, a save, a change on disk): its parse and the sets around it are stale. */
  textChanged(filePath: string): void {
    this.files.textChanged(filePath);
  }

  /** Forgets a file (closed, or deleted on disk). */
  evict(filePath: string): void {
    this.files.evict(filePath);
  }

  /** The file kind of a path by its name (and, for YAML, its content), or null when it is no dependency file. */
  kindOf(filePath: string): FileKind | null {
    return this.files.kindOf(filePath);
  }

  /** The file's model, parsed from its current text (cached by text); undefined when it cannot be read. */
  parse(filePath: string, kind: FileKind): ParsedFile | undefined {
    return this.files.parse(filePath, kind);
  }

  /**
   * The sets of the file's folder (the file a root of its own if nothing includes it) and of every folder that includes
   * it.
   */
  setsAround(filePath: string, kind: FileKind): EnvironmentSet[] {
    return this.files.setsAround(filePath, kind);
  }

  /** Every set the file takes part in. */
  setsContaining(filePath: string, kind: FileKind): EnvironmentSet[] {
    return this.files.setsContaining(filePath, kind);
  }

  /** The sets of a folder's dependency files. */
  folderSets(dir: string): EnvironmentSet[] {
    return this.files.folderSets(dir);
  }

  /**
   * The files of each path (a folder: the dependency files it holds; a file: itself, read as `kind`) with everything
   * they include, each once, in that order: what `list` shows.
   */
  declaredFiles(paths: readonly { path: string; kind: FileKind | null }[]): ParsedFile[] {
    const files = new Map<string, ParsedFile>();
    for (const p of paths) {
      const roots = p.kind === null ? this.files.folderFiles(p.path) : [{ path: p.path, kind: p.kind }];
      for (const r of roots) for (const f of this.files.filesOf(r.path, r.kind)) files.set(f.path, f);
    }
    return [...files.values()];
  }

  /**
   * The machine a set is judged for: the target, with the Python an environment.yml pins (conda installs that
   * Python, and its `pip:` part runs there) in place of the target's.
   */
  profileOf(set: EnvironmentSet): MachineProfile {
    const pinned = pythonOfRoot(set.files[0], this.target.profile.python?.version, () => this.condaPython(set));
    const profile = this.target.profile;
    if (!pinned || pinned === profile.python?.version) return profile;
    let p = this.pinnedProfiles.get(pinned);
    if (!p)
      this.pinnedProfiles.set(
        pinned,
        (p = { ...profile, python: { version: pinned, implementation: profile.python?.implementation ?? 'cpython' } }),
      );
    return p;
  }

  /** The Python conda's solve of the set installs (its texts unchanged), or null before a solve or when it failed. */
  private condaPython(set: EnvironmentSet): string | null {
    return solvedPython(this.condaReportOf(set) ?? this.pixiReports.get(set)?.solves[0]?.conda);
  }

  /**
   * The check context for sets judged on one machine: the target, and the index reports still valid for the sets'
   * current texts.
   */
  context(sets: readonly EnvironmentSet[], profile: MachineProfile = this.target.profile): CheckContext {
    const index = new Map<string, SetIndexReport>();
    const vulnerabilities = new Map<string, VulnerabilityReport>();
    const conda = new Map<string, CondaSolveReport>();
    const pipOnConda = new Map<string, PipOnCondaReport>();
    const pixi = new Map<string, PixiSolveReport>();
    for (const set of sets) {
      const key = textKey(set);
      const hit = this.reports.get(set, key);
      if (hit) index.set(set.root, hit);
      const v = this.vulnerabilities.get(set, key);
      if (v) vulnerabilities.set(set.root, v);
      const c = this.condaReports.get(set, key);
      if (c) conda.set(set.root, c);
      const p = this.pipOnCondaReports.get(set, key);
      if (p) pipOnConda.set(set.root, p);
      const x = this.pixiReports.get(set, key);
      if (x) pixi.set(set.root, x);
    }
    const { installed } = this.target;
    // The active environment's packages say nothing about an environment.yml that pins another Python.
    const sameMachine = profile === this.target.profile;
    return {
      markerEnvironment: markerEnvironmentFor(profile),
      profile,
      ...(this.target.machine ? { machine: this.target.machine } : {}),
      index,
      vulnerabilities,
      conda,
      pipOnConda,
      pixi,
      ...(installed && sameMachine ? { installed } : {}),
      ...(!sameMachine && this.target.profile.python ? { machinePython: this.target.profile.python.version } : {}),
    };
  }

  /**
   * Every finding of the sets with what is known now: the fast checks, and the index stage where its report is current
   * (`stages: false`: the fast checks alone).
   */
  findings(sets: readonly EnvironmentSet[], opts: { stages?: boolean } = {}): Finding[] {
    const byProfile = new Map<MachineProfile, EnvironmentSet[]>();
    for (const set of sets) {
      const p = this.profileOf(set);
      (byProfile.get(p) ?? byProfile.set(p, []).get(p)!).push(set);
    }
    return [...byProfile].flatMap(([profile, group]) => {
      const context = this.context(group, profile);
      // Without the stages: what the fast checks alone say (the findings the stages add are the rest).
      const fast: CheckContext = {
        markerEnvironment: context.markerEnvironment,
        profile: context.profile,
        ...(context.installed ? { installed: context.installed } : {}),
      };
      return checksRegistry().runChecks(
        group,
        opts.stages === false ? fast : context,
        this.settings.severityOverrides ?? {},
      );
    });
  }

  /**
   * The sets the index stage has no current report for (sets without dependencies need none). Offline only the
   * vulnerability stage runs, and only where an OSV database can answer without the network.
   */
  unresolved(sets: readonly EnvironmentSet[]): EnvironmentSet[] {
    return sets.filter((s) => this.stagesFor(s).length > 0);
  }

  /**
   * Which stages a set still needs for its current texts: conda's solve for an environment.yml (offline too: cached
   * repodata); the index stage unless offline; offline, the vulnerability stage where an OSV database answers.
   */
  private stagesFor(set: EnvironmentSet): ('index' | 'vulnerabilities' | 'conda' | 'pixi')[] {
    if (!set.files.some((f) => f.dependencies.length || f.lock?.packages.length)) return [];
    const key = textKey(set);
    const out: ('index' | 'vulnerabilities' | 'conda' | 'pixi')[] = [];
    if (set.files[0]?.kind === 'conda' && !this.condaReports.has(set, key)) out.push('conda');
    if (set.files[0] && pixiManifestOf(set.files[0]) && !this.pixiReports.has(set, key)) out.push('pixi');
    if (!this.settings.offline && !this.reports.has(set, key)) out.push('index');
    if (this.settings.offline && this.settings.advisories?.applies(null) && !this.vulnerabilities.has(set, key))
      out.push('vulnerabilities');
    return out;
  }

  /** The provider, indexes and target the index stage uses for a set (null offline): the editor features share them. */
  indexContext(set: EnvironmentSet, python?: string, pixiEnvironment?: string): IndexContext | null {
    if (this.settings.offline) return null;
    const own = this.profileOf(set);
    const profile =
      python === undefined || python === own.python?.version
        ? own
        : { ...own, python: { version: python, implementation: own.python?.implementation ?? 'cpython' } };
    const indexes = indexesFor(set, {
      indexUrl: this.settings.indexUrl,
      extraIndexUrls: this.settings.extraIndexUrls,
      trustFiles: this.settings.trustFiles,
      markerEnvironment: markerEnvironmentFor(profile),
      ...(pixiEnvironment !== undefined ? { pixiEnvironment } : {}),
    });
    const providerFor = (ix: IndexSelection): MetadataProvider => {
      const provider = this.providers().get(ix, profile);
      // The direct URLs the set's files name may be fetched only in a trusted workspace.
      if (this.settings.trustFiles) provider.allowUrls(directUrlsOf(set));
      return provider;
    };
    return {
      provider: providerFor(indexes),
      providerFor,
      indexes,
      profile,
      markerEnvironment: markerEnvironmentFor(profile),
      cacheDir: this.cacheDir(),
      trusted: this.settings.trustFiles,
    };
  }

  private cacheDir(): string | null {
    return this.settings.cacheDir === undefined ? defaultCacheDir() : this.settings.cacheDir;
  }

  private providers(): ProviderPool {
    return (this.pool ??= new (indexModule().ProviderPool)(this.cacheDir()));
  }

  /**
   * Runs the index stage for the sets that need it (asks the indexes, resolves, searches verified fixes); the
   * next `findings` include what it found. Throws CancelledError when `signal` aborts.
   */
  async resolve(
    sets: readonly EnvironmentSet[],
    opts: { signal?: AbortSignal; progress?: ResolveProgress } = {},
  ): Promise<void> {
    const todo = this.unresolved(sets);
    if (todo.length === 0) return;
    const advisories = this.settings.advisories;
    // One budget of requests and bytes for the whole run, shared by the providers of its sets.
    const budget = new RequestBudget();
    const lent = new Set<IndexContext['provider']>();
    // The run's end: what its resolutions started and left (a prefetch) goes on until then, not past it.
    const run = new AbortController();
    try {
      await this.resolveSets(todo, budget, lent, advisories, opts, run.signal);
    } finally {
      run.abort();
      for (const p of lent) p.useBudget(null);
    }
  }

  private async resolveSets(
    todo: EnvironmentSet[],
    budget: RequestBudget,
    lent: Set<IndexContext['provider']>,
    advisories: AdvisorySource | null | undefined,
    opts: { signal?: AbortSignal; progress?: ResolveProgress },
    runEnd: AbortSignal,
  ): Promise<void> {
    const { signal } = opts;
    for (const [i, set] of todo.entries()) {
      if (signal?.aborted) return;
      const profile = this.profileOf(set);
      opts.progress?.(set, i, todo.length);
      const key = textKey(set);
      const index = this.indexContext(set);
      if (index) {
        index.provider.useBudget(budget);
        lent.add(index.provider);
      }
      const ctx = { ...this.stageContext(profile, index, advisories ?? null), runEnd };
      const isPixi = set.files[0] ? pixiManifestOf(set.files[0]) !== null : false;
      // The pixi stage's PyPI parts run in the Python each environment's conda solve installs.
      const pixiCtx = {
        ...ctx,
        indexFor: (python: string, environment?: string) => this.indexContext(set, python, environment),
      };
      const [report, vulnerabilities, conda, pixi] = await Promise.all([
        // Each stage's module is loaded only where the set can need it.
        index ? indexModule().stage.run(set, ctx, signal) : null,
        advisories ? vulnerabilityModule().stage.run(set, ctx, signal) : null,
        set.files[0]?.kind === 'conda' ? condaModule().stage.run(set, ctx, signal) : null,
        isPixi ? pixiModule().stage.run(set, pixiCtx, signal) : null,
      ]);
      if (signal?.aborted) throw new CancelledError();
      let indexStage = report;
      if (conda) {
        this.condaReports.put(set, key, conda);
        // The pip part runs in the Python conda installs: where that is not the one guessed from the pin (an unpinned
        // or ranged `python`), the index stage is run again for it (its answers are cached by now).
        const again = indexStage && this.profileOf(set) !== profile ? this.indexContext(set) : null;
        if (again) indexStage = await indexModule().stage.run(set, { ...ctx, index: again }, signal);
        // Without a solve, pip's part is judged for the pinned Python with the conda specs' versions as constraints.
        else if (indexStage && index && conda.status !== 'ok' && this.pinsConstrainPip(set))
          indexStage = await indexModule().stage.run(set, { ...ctx, condaPins: true }, signal);
        if (signal?.aborted) throw new CancelledError();
        // The `pip:` part on top of conda's solution, in the Python conda installs.
        const solved = conda.status === 'ok' ? this.indexContext(set) : null;
        const pip = solved ? await pipOnCondaModule().stage.run(set, { ...ctx, index: solved, conda }, signal) : null;
        this.pipOnCondaReports.put(set, key, pip);
      }
      if (pixi) {
        this.pixiReports.put(set, key, pixi);
        // The PyPI lines are judged in the Python the default environment's solve installs.
        const again = indexStage && this.profileOf(set) !== profile ? this.indexContext(set) : null;
        if (again) indexStage = await indexModule().stage.run(set, { ...ctx, index: again }, signal);
        if (signal?.aborted) throw new CancelledError();
      }
      if (indexStage) this.reports.put(set, key, indexStage);
      if (vulnerabilities) this.vulnerabilities.put(set, key, vulnerabilities);
    }
  }

  /** What the stages are given for a set judged on `profile` with `index` (null offline). */
  private stageContext(
    profile: MachineProfile,
    index: IndexContext | null,
    advisories: AdvisorySource | null,
  ): StageContext {
    return {
      profile,
      markerEnvironment: markerEnvironmentFor(profile),
      machine: this.target.profile,
      index,
      cacheDir: this.cacheDir(),
      offline: this.settings.offline,
      trusted: this.settings.trustFiles,
      timeoutMs: this.settings.indexTimeoutMs,
      advisories,
      ...(this.settings.pixiPlatforms?.length ? { pixiPlatforms: this.settings.pixiPlatforms } : {}),
    };
  }

  /** Whether the set has a `pip:` part and conda specs that pin a version of a package pip could be asked for. */
  private pinsConstrainPip(set: EnvironmentSet): boolean {
    return (
      set.files.some((f) => f.dependencies.some((d) => d.kind === 'requirement')) &&
      indexModule().condaPinsOf(set).length > 0
    );
  }

  /**
   * Everything the findings of these sets depend on, hashed: the files and their texts, the indexes each set would
   * ask (files, settings and pip's configuration), the machine (with each set's Python), the active environment's
   * packages and the settings. Two runs with the same fingerprint and fresh index answers find the same.
   */
  fingerprint(sets: readonly EnvironmentSet[]): string {
    const h = crypto().createHash('sha256');
    const { offline, indexUrl, extraIndexUrls, trustFiles, severityOverrides, pixiPlatforms } = this.settings;
    h.update(
      JSON.stringify({
        offline,
        pixiPlatforms,
        indexUrl,
        extraIndexUrls,
        trustFiles,
        severityOverrides,
        installed: this.target.installed ? [this.target.installed.name, [...this.target.installed.packages]] : null,
      }),
    );
    for (const set of sets) {
      h.update('\0set\0' + set.root);
      for (const f of set.files) h.update(`\0${f.path}\0${f.kind}\0${f.text.length}\0`).update(f.text);
      h.update(JSON.stringify(this.profileOf(set)));
      if (!offline) h.update(JSON.stringify(indexesFor(set, { indexUrl, extraIndexUrls, trustFiles })));
    }
    return h.digest('hex');
  }

  /**
   * The requirement at `start` of `file` moved to the newest version the set still resolves with (verified by resolving
   * the set): the new specifier by line; null offline or when no version tried resolves.
   */
  async updateLine(set: EnvironmentSet, file: ParsedFile, start: number): Promise<Map<Dependency, string> | null> {
    const ic = this.indexContext(set);
    return ic ? updatesModule().updateOne({ set, ic }, file, start) : null;
  }

  /** Every requirement of `file` moved to the newest versions that resolve together; null offline or when none do. */
  async updateFile(set: EnvironmentSet, file: ParsedFile): Promise<Map<Dependency, string> | null> {
    const ic = this.indexContext(set);
    return ic ? updatesModule().updateAll({ set, ic }, file) : null;
  }

  /**
   * What the index of `ic` (from {@link indexContext}) says of project `name`'s versions now; undefined while nothing
   * is known (a load starts in the background).
   */
  versionsNow(ic: IndexContext, name: string): VersionsEntry | undefined {
    return this.projectVersions.now(ic.provider, name);
  }

  /** The same, waiting up to `waitMs` for a first answer. */
  versionsSoon(ic: IndexContext, name: string, waitMs: number): Promise<VersionsEntry | undefined> {
    return this.projectVersions.soon(ic.provider, name, waitMs);
  }

  /** Calls `listener` whenever a project's versions arrive for the first time (inlay hints can refresh). */
  onVersionsArrived(listener: () => void): () => void {
    return this.projectVersions.onFirstAnswer(listener);
  }

  /** The version the set's last resolution installs for `name` (its texts unchanged); undefined when not known. */
  resolvedVersion(set: EnvironmentSet, name: string): string | undefined {
    return this.reports.get(set)?.resolved?.get(name);
  }

  /**
   * The indexes and channels the set's last stages asked, each redacted, with whether it answered (and why not): what
   * the Output channel logs after a run. Empty before the stages ran for the set's current texts.
   */
  sourcesOf(set: EnvironmentSet): StageSource[] {
    const out: StageSource[] = [];
    const report = this.reports.get(set);
    const ic = report ? this.indexContext(set) : null;
    if (report && ic) out.push(...indexSources(report, ic.indexes));
    const conda = this.condaReportOf(set);
    if (conda) out.push(...channelSources(conda));
    return out;
  }

  /** What conda's last solve of the set picked for the conda line `dep`, or why none, as hover text; null: unknown. */
  condaPick(set: EnvironmentSet, dep: Dependency): string | null {
    const pixi = this.pixiReports.get(set);
    if (pixi) return pixiPick(pixi, dep);
    const report = this.condaReportOf(set);
    return report ? condaReportModule().condaHover(report, dep) : null;
  }

  /** Conda's last solve of the set, while the set's texts are unchanged (hover). */
  private condaReportOf(set: EnvironmentSet): CondaSolveReport | undefined {
    return this.condaReports.get(set);
  }

  private resetIndexStage(): void {
    this.pool = undefined;
    this.vulnerabilities.clear();
    this.condaReports.clear();
    this.pipOnCondaReports.clear();
    this.pixiReports.clear();
    this.pinnedProfiles.clear();
    this.reports.clear();
  }
}
