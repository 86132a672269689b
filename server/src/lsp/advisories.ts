// The advisory source of the editor's settings: an OSV database file (loaded once per path) and PyPI's JSON API.
import { OsvDatabase } from '../index/osv';
import { AdvisorySource } from '../workspace/advisory-source';

/** The advisory source for the last database path asked for, loaded again only when the path changes. */
export class AdvisoriesByPath {
  private last: { path: string; source: Promise<AdvisorySource> } | undefined;

  /** The source for the database at `path` ('' for none); `unreadable` hears once why a database did not load. */
  source(path: string, unreadable: (message: string) => void): Promise<AdvisorySource> {
    if (this.last?.path !== path) {
      const database = path
        ? OsvDatabase.load(path).catch((e: Error) => {
            unreadable(e.message);
            return null;
          })
        : Promise.resolve(null);
      this.last = { path, source: database.then((db) => new AdvisorySource({ database: db })) };
    }
    return this.last.source;
  }
}
