// What the index says of a project's versions, as the editor features read it: answered from what is known at once,
// loaded in a later turn when missing or stale, shared by completion, inlay hints, update actions and hover.
import type { VersionVerdict } from '../index/candidates';
import { CancelledError } from '../model/cancel';
import { IndexError, NotFoundError } from '../index/errors';
import type { MetadataProvider } from '../index/provider';
import type { ParsedFile } from '../model/types';
import type { EnvironmentSet } from '../model/sets';
import { nextTurn } from '../model/turns';
import type { Analysis } from '../workspace/analysis';
import type { IndexContext } from '../workspace/index-context';
import type { Settings } from './settings';

/** The server state the features read (the session implements it). */
export interface EditorHost {
  readonly settings: Settings;
  parsed(filePath: string): ParsedFile | undefined;
  setsOf(filePath: string): EnvironmentSet[];
  /** Null offline. */
  indexContext(set: EnvironmentSet): IndexContext | null;
  /** The analysis: the update search and what the index stage knows go through it. */
  readonly analysis: Analysis;
}

export interface VersionsEntry {
  at: number;
  /** Newest first; null: the index has no such project. */
  verdicts: VersionVerdict[] | null;
}

/** How long what one project page said is used before it is asked again (the provider's page TTL). */
const VERSIONS_TTL_MS = 10 * 60 * 1000;

export function newestOf(verdicts: readonly VersionVerdict[]): VersionVerdict | undefined {
  const usable = verdicts.filter((v) => v.files.length > 0);
  return usable.find((v) => !v.version.isPrerelease) ?? usable[0];
}

/** Races `p` against a timer; `undefined` when the timer wins (the work goes on in the background). */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

export interface EditorFeaturesOptions {
  /** How long a request waits for data that is not cached yet before answering without it (ms, default 1500). */
  waitMs?: number;
  /** Called (debounced) when data that requests were answered without has arrived: inlay hints can refresh. */
  onDataChanged?: () => void;
}

/** The versions of projects per provider, and the editor context of a file. */
export class PackageVersions {
  private readonly versions = new WeakMap<MetadataProvider, Map<string, VersionsEntry>>();
  private readonly flights = new WeakMap<MetadataProvider, Map<string, Promise<VersionsEntry | null>>>();
  /** Loads asked for and not started yet (`loadLater`). */
  private readonly queued = new WeakMap<MetadataProvider, Set<string>>();
  private changedTimer: NodeJS.Timeout | undefined;
  readonly waitMs: number;

  constructor(
    readonly host: EditorHost,
    private readonly opts: EditorFeaturesOptions = {},
  ) {
    this.waitMs = opts.waitMs ?? 1500;
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

  /**
   * What is known of a project's versions now (undefined: nothing yet); a missing or stale entry is fetched in the
   * background.
   */
  versionsNow(provider: MetadataProvider, name: string): VersionsEntry | undefined {
    const known = this.versions.get(provider)?.get(name);
    if (!known || Date.now() - known.at >= VERSIONS_TTL_MS) this.loadLater(provider, name);
    return known;
  }

  /**
   * Loads a project's versions in a later turn, once the messages waiting are handled: a request that only peeks
   * (code actions over every line of a file) answers at once instead of starting every load itself.
   */
  private loadLater(provider: MetadataProvider, name: string): void {
    let queued = this.queued.get(provider);
    if (!queued) this.queued.set(provider, (queued = new Set()));
    if (queued.has(name) || this.flights.get(provider)?.has(name)) return;
    queued.add(name);
    void nextTurn()
      .then(() => {
        queued.delete(name);
        const known = this.versions.get(provider)?.get(name);
        return known && Date.now() - known.at < VERSIONS_TTL_MS ? known : this.loadVersions(provider, name);
      })
      .catch(() => null);
  }

  /** The project's versions, waiting up to `waitMs` for a first answer. */
  async versionsSoon(
    provider: MetadataProvider,
    name: string,
    waitMs = this.waitMs,
  ): Promise<VersionsEntry | undefined> {
    const known = this.versionsNow(provider, name);
    if (known) return known;
    return (await within(this.loadVersions(provider, name), waitMs)) ?? undefined;
  }

  private loadVersions(provider: MetadataProvider, name: string): Promise<VersionsEntry | null> {
    let flights = this.flights.get(provider);
    if (!flights) this.flights.set(provider, (flights = new Map()));
    let f = flights.get(name);
    if (f) return f;
    f = (async () => {
      let entry: VersionsEntry;
      try {
        entry = { at: Date.now(), verdicts: await provider.explain(name, { pre: true }) };
      } catch (e) {
        if (e instanceof NotFoundError) entry = { at: Date.now(), verdicts: null };
        else if (e instanceof IndexError || e instanceof CancelledError) return null;
        else throw e;
      }
      let memo = this.versions.get(provider);
      if (!memo) this.versions.set(provider, (memo = new Map()));
      const first = !memo.has(name);
      memo.set(name, entry);
      if (first) this.dataChanged();
      return entry;
    })().finally(() => flights!.delete(name));
    flights.set(name, f);
    return f;
  }
}
