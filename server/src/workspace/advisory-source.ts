// Where the vulnerability stage's advisories come from (vulnerability-stage.ts): a class of its own, because the
// command line makes one on every check, also on its fast path, which never loads the stage and its resolutions.
import { HttpClient } from '../index/http';
import { jsonApiFor, pypiAdvisories, type OsvDatabase } from '../index/osv';
import type { IndexSelection } from '../index/selection';
import type { Version } from '../pep/version';
import type { Advisory } from '../model/reports';

/**
 * Where advisories come from: an OSV database the person pointed to, and PyPI's JSON API when the set's index is
 * PyPI. JSON answers are remembered for `ttlMs` (default 1 h), so an edit does not ask again.
 */
export class AdvisorySource {
  private readonly memo = new Map<string, { at: number; advisories: Advisory[] }>();
  readonly http: HttpClient;
  private readonly ttl: number;

  constructor(
    readonly opts: { database?: OsvDatabase | null; jsonApiBase?: string; ttlMs?: number; http?: HttpClient } = {},
  ) {
    this.http = opts.http ?? new HttpClient({ timeoutMs: 15_000 });
    this.ttl = opts.ttlMs ?? 60 * 60 * 1000;
  }

  /**
   * Advisories for `name` at `version` from every source that applies to `indexes`; throws UnreachableError when the
   * JSON API fails.
   */
  async advisories(
    name: string,
    version: Version,
    indexes: IndexSelection | null,
    signal?: AbortSignal,
  ): Promise<Advisory[]> {
    const out = [...(this.opts.database?.advisoriesFor(name, version) ?? [])];
    const api = indexes ? jsonApiFor(indexes, this.opts.jsonApiBase) : null;
    if (api) {
      const key = `${api}\0${name}\0${version.toString()}`;
      let hit = this.memo.get(key);
      if (!hit || Date.now() - hit.at > this.ttl) {
        hit = { at: Date.now(), advisories: await pypiAdvisories(this.http, api, name, version, signal) };
        this.memo.set(key, hit);
      }
      for (const a of hit.advisories) {
        const same = out.find((o) => o.id === a.id || o.aliases.includes(a.id) || a.aliases.includes(o.id));
        if (!same) out.push(a);
      }
    }
    return out;
  }

  /** Whether any source can say something for this selection. */
  applies(indexes: IndexSelection | null): boolean {
    return !!this.opts.database || (!!indexes && jsonApiFor(indexes, this.opts.jsonApiBase) !== null);
  }
}
