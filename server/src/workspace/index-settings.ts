// Which indexes a set is checked against, and where the metadata cache lives: what the command line's fast path needs
// of the index stage (its fingerprint), without the index client and the resolver (index-stage.ts).
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPipConfig, selectIndexes, type IndexSelection } from '../index/selection';
import type { EnvironmentSet } from '../model/sets';

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
  const fileOptions = settings.trustFiles
    ? set.files.filter((f) => f.options.length).map((f) => ({ file: f.path, options: f.options }))
    : [];
  let pipConfig = null;
  try {
    pipConfig = loadPipConfig({ env: settings.env ?? process.env });
  } catch {
    // an unreadable pip.conf is pip's problem to report; the index list falls back to PyPI
  }
  return selectIndexes({
    fileOptions,
    indexUrl: settings.indexUrl || null,
    extraIndexUrls: settings.extraIndexUrls ?? [],
    pipConfig,
  });
}

/** The default metadata cache: `$XDG_CACHE_HOME/stack-doctor` or `~/.cache/stack-doctor`. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'stack-doctor');
}
