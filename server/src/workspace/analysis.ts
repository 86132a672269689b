// The one analysis API both front ends call (the editor's session and the CLI): sets of files, the index stage, the checks.
import { runChecks, type SeverityOverrides } from '../checks/registry';
import type { CheckContext } from '../checks/types';
import type { FileKind, Finding } from '../model/types';
import { markerEnvironmentFor, type MachineProfile } from '../system/profile';
import { Analyzer, type TextSource } from './analyzer';
import { defaultCacheDir, indexesFor, indexReport, ProviderPool } from './index-stage';
import type { Target } from './target';
import type { EnvironmentSet, SetIndexReport } from './types';

/** How an analysis asks indexes and reports: the editor's settings or the CLI's flags. */
export interface AnalysisSettings {
  /** Never contact an index: syntax, direct conflicts, knowledge and machine checks only. */
  offline: boolean;
  indexUrl?: string;
  extraIndexUrls?: string[];
  /** False in an untrusted workspace: indexes named in workspace files are not contacted. */
  trustFiles: boolean;
  /** The metadata cache folder; null for none, undefined for the default (`~/.cache/stack-doctor`). */
  cacheDir?: string | null;
  severityOverrides?: SeverityOverrides;
  /** The index stage's budget per set, fix search included (ms). */
  indexTimeoutMs?: number;
}

/** Progress of `resolve`: called before each set. */
export type ResolveProgress = (set: EnvironmentSet, index: number, count: number) => void;

/**
 * The analysis of a workspace: reads files through its text source, groups them into environment sets, keeps
 * the index stage's reports while the sets' texts are unchanged, and runs the checks. One instance per editor
 * session or CLI run; `configure` and `setTarget` drop what depended on the old settings or machine.
 */
export class Analysis {
  readonly files: Analyzer;
  private settings: AnalysisSettings = { offline: false, trustFiles: true };
  private target: Target = { profile: { os: process.platform === 'win32' ? 'windows' : process.platform, arch: process.arch } };
  private pool: ProviderPool | undefined;
  /** The index stage's last report per set root, valid while the set's texts are those of `key`. */
  private readonly reports = new Map<string, { key: string; report: SetIndexReport }>();

  constructor(source: TextSource, env: Record<string, string | undefined> = process.env) {
    this.files = new Analyzer(source, env);
  }

  configure(settings: AnalysisSettings): void {
    this.settings = settings;
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

  /** The sets of the file's folder (the file a root of its own if nothing includes it) and of every folder that includes it. */
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

  /** The check context: the target, and the index reports still valid for the sets' current texts. */
  context(sets: readonly EnvironmentSet[]): CheckContext {
    const index = new Map<string, SetIndexReport>();
    for (const set of sets) {
      const hit = this.reports.get(set.root);
      if (hit && hit.key === textKey(set)) index.set(set.root, hit.report);
    }
    const { profile, installed } = this.target;
    return { markerEnvironment: markerEnvironmentFor(profile), profile, index, ...(installed ? { installed } : {}) };
  }

  /** Every finding of the sets with what is known now: the fast checks, and the index stage where its report is current. */
  findings(sets: readonly EnvironmentSet[]): Finding[] {
    return runChecks([...sets], this.context(sets), this.settings.severityOverrides ?? {});
  }

  /** The sets the index stage has no current report for (none when offline; sets without dependencies need none). */
  unresolved(sets: readonly EnvironmentSet[]): EnvironmentSet[] {
    if (this.settings.offline) return [];
    return sets.filter((s) => this.reports.get(s.root)?.key !== textKey(s) && s.files.some((f) => f.dependencies.length));
  }

  /**
   * Runs the index stage for the sets that need it (asks the indexes, resolves, searches verified fixes); the
   * next `findings` include what it found. Throws CancelledError when `signal` aborts.
   */
  async resolve(sets: readonly EnvironmentSet[], opts: { signal?: AbortSignal; progress?: ResolveProgress } = {}): Promise<void> {
    const todo = this.unresolved(sets);
    if (todo.length === 0) return;
    this.pool ??= new ProviderPool(this.settings.cacheDir === undefined ? defaultCacheDir() : this.settings.cacheDir);
    const profile = this.target.profile;
    const markerEnvironment = markerEnvironmentFor(profile);
    for (const [i, set] of todo.entries()) {
      if (opts.signal?.aborted) return;
      opts.progress?.(set, i, todo.length);
      const key = textKey(set);
      const indexes = indexesFor(set, { indexUrl: this.settings.indexUrl, extraIndexUrls: this.settings.extraIndexUrls, trustFiles: this.settings.trustFiles });
      const report = await indexReport(set, { provider: this.pool.get(indexes, profile), indexes, markerEnvironment, profile, signal: opts.signal, timeoutMs: this.settings.indexTimeoutMs });
      this.reports.set(set.root, { key, report });
    }
  }

  private resetIndexStage(): void {
    this.pool = undefined;
    this.reports.clear();
  }
}

/** What a set's index report depends on: its files and their texts. */
function textKey(set: EnvironmentSet): string {
  return set.files.map((f) => `${f.path}\0${f.text.length}\0${f.text}`).join('\0\0');
}
