// What the index says of a project's versions, as the editor features read it: answered from what is known at once,
// loaded in a later turn when missing or stale, one memo per provider, shared by completion, inlay hints, update
// actions and hover through Analysis.
import type { VersionVerdict } from '../index/candidates';
import { IndexError, NotFoundError } from '../index/errors';
import type { MetadataProvider } from '../index/provider';
import { CancelledError } from '../model/cancel';
import { nextTurn } from '../model/turns';

export interface VersionsEntry {
  at: number;
  /** Newest first; null: the index has no such project. */
  verdicts: VersionVerdict[] | null;
}

/** How long what one project page said is used before it is asked again (the provider's page TTL). */
const VERSIONS_TTL_MS = 10 * 60 * 1000;

/** The newest release with files, a final release before a pre-release. */
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

/** The versions of projects per provider. */
export class ProjectVersions {
  private readonly versions = new WeakMap<MetadataProvider, Map<string, VersionsEntry>>();
  private readonly flights = new WeakMap<MetadataProvider, Map<string, Promise<VersionsEntry | null>>>();
  /** Loads asked for and not started yet (`loadLater`). */
  private readonly queued = new WeakMap<MetadataProvider, Set<string>>();
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` whenever a project's versions arrive for the first time; returns the way to stop. */
  onFirstAnswer(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * What is known of a project's versions now (undefined: nothing yet); a missing or stale entry is fetched in the
   * background.
   */
  now(provider: MetadataProvider, name: string): VersionsEntry | undefined {
    const known = this.versions.get(provider)?.get(name);
    if (!known || Date.now() - known.at >= VERSIONS_TTL_MS) this.loadLater(provider, name);
    return known;
  }

  /** The project's versions, waiting up to `waitMs` for a first answer. */
  async soon(provider: MetadataProvider, name: string, waitMs: number): Promise<VersionsEntry | undefined> {
    const known = this.now(provider, name);
    if (known) return known;
    return (await within(this.load(provider, name), waitMs)) ?? undefined;
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
        return known && Date.now() - known.at < VERSIONS_TTL_MS ? known : this.load(provider, name);
      })
      .catch(() => null);
  }

  private load(provider: MetadataProvider, name: string): Promise<VersionsEntry | null> {
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
      if (first) for (const l of this.listeners) l();
      return entry;
    })().finally(() => flights!.delete(name));
    flights.set(name, f);
    return f;
  }
}
