// The editor context of a file for the features over the index (completion, inlay hints, update actions, hover): its
// first set and index context, and what the analysis knows of a project's versions there.
import type { Dependency, ParsedFile } from '../model/types';
import type { EnvironmentSet } from '../model/sets';
import type { Analysis } from '../workspace/analysis';
import type { IndexContext } from '../workspace/index-context';
import type { VersionsEntry } from '../workspace/project-versions';
import type { Settings } from './settings';

/** The server state the features read (the session implements it). */
export interface EditorHost {
  readonly settings: Settings;
  parsed(filePath: string): ParsedFile | undefined;
  setsOf(filePath: string): EnvironmentSet[];
  /** Null offline. */
  indexContext(set: EnvironmentSet): IndexContext | null;
  /** The analysis: the update search, the versions of projects and what the index stage knows go through it. */
  readonly analysis: Analysis;
  /** Whether the requirement's text is what a fix this server offered on the file wrote. */
  writtenByFix?(filePath: string, dep: Dependency): boolean;
}

export interface EditorFeaturesOptions {
  /** How long a request waits for data that is not cached yet before answering without it (ms, default 1500). */
  waitMs?: number;
  /** Called (debounced) when data that requests were answered without has arrived: inlay hints can refresh. */
  onDataChanged?: () => void;
}

/** What the editor features share: the file's context and the versions of projects, asked of the analysis. */
export class PackageVersions {
  private changedTimer: NodeJS.Timeout | undefined;
  readonly waitMs: number;

  constructor(
    readonly host: EditorHost,
    private readonly opts: EditorFeaturesOptions = {},
  ) {
    this.waitMs = opts.waitMs ?? 1500;
    host.analysis.onVersionsArrived(() => this.dataChanged());
  }

  /** The file's first set and its index context; null offline or where the file is in no set. */
  contextFor(filePath: string): { set: EnvironmentSet; ic: IndexContext } | null {
    if (this.host.settings.offline) return null;
    const set = this.host.setsOf(filePath)[0];
    const ic = set ? this.host.indexContext(set) : null;
    return set && ic ? { set, ic } : null;
  }

  private dataChanged(): void {
    if (!this.opts.onDataChanged || this.changedTimer) return;
    this.changedTimer = setTimeout(() => {
      this.changedTimer = undefined;
      this.opts.onDataChanged?.();
    }, 200);
  }

  /** What is known of a project's versions now (undefined: nothing yet; it is fetched in the background). */
  versionsNow(ic: IndexContext, name: string): VersionsEntry | undefined {
    return this.host.analysis.versionsNow(ic, name);
  }

  /** The project's versions, waiting up to `waitMs` for a first answer. */
  versionsSoon(ic: IndexContext, name: string, waitMs = this.waitMs): Promise<VersionsEntry | undefined> {
    return this.host.analysis.versionsSoon(ic, name, waitMs);
  }
}
