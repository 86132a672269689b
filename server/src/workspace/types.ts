// The environment set (files installed together) and what the index stage learned about one: data shared by the
// analysis, the checks and the front ends.
import type { MetadataProvider } from '../index/provider';
import type { IndexSelection } from '../index/selection';
import type { Dependency, Finding, ParsedFile } from '../model/types';
import type { MarkerEnvironment } from '../pep/marker';
import type { MachineProfile } from '../system/profile';

/** Files that are installed together: conflicts are judged across a set. */
export interface EnvironmentSet {
  /** The file the set grows from (a requirements file, an environment.yml or a lone pyproject.toml). */
  root: string;
  /** Every file of the set, the root first, each once. */
  files: ParsedFile[];
  /**
   * Findings about how the files hang together (an unreadable `-r` target, an include cycle), at the including line.
   */
  findings: Finding[];
  /**
   * The local projects a requirement of the set installs (`-e .`, `.[train]`), by their pyproject.toml path (a
   * file of the set), with the extras named there (PEP 685-normalized, sorted; empty for none). Of such a
   * project the set installs the base and those extras only: its other extras and its dependency groups are
   * not installed by this set (its own set judges them).
   */
  selectedExtras?: ReadonlyMap<string, readonly string[]>;
}

/**
 * An optional part of a set judged together with the base, as `pip install .[extra]` or `pip install --group`
 * would install it: '' for the base alone, `extra:NAME` or `group:NAME`.
 */
export type Scope = string;

/** A verified change to one line: with it, the scope resolves. */
export interface LineFix {
  dep: Dependency;
  specifier: string;
  /** The parts of the specifier the author wrote that the change leaves (`<5.0.0`); empty when it keeps every bound. */
  crosses: string[];
}

/**
 * A conflict through dependencies: the lines that take part, the numbered explanation, and fixes a resolver verified.
 */
export interface TransitiveConflict {
  scope: Scope;
  roots: Dependency[];
  explanation: string;
  fixes: LineFix[];
}

/** The index stage's findings about one environment set, as data; the index-backed checks turn them into findings. */
export interface SetIndexReport {
  /** The indexes asked, as the messages name them (redacted). */
  indexes: string;
  /** Indexes or pages that could not be asked or read, each once, redacted: what was lost, and why. */
  unreachable: string[];
  /**
   * The entries of `unreachable` that are about one configured index (its URL as configured, redacted): the note goes
   * on the line that names it.
   */
  unreachableIndexes: { index: string; why: string }[];
  /** False when no index answered at all: nothing from the index is known (the knowledge fallbacks apply). */
  answered: boolean;
  /**
   * Top-level requirements the index has no project or no matching version for, or (`target`) whose matching versions
   * have files, none of which the target can install (wheels for another Python or platform): `newest` is then the
   * newest matching version, `files` some of its files and `target` the target as messages name it.
   */
  missing: {
    dep: Dependency;
    kind: 'project' | 'version' | 'target';
    newest: string | null;
    /** The indexes that answered, and those that could not be asked and may have it. */
    where: string;
    target?: string;
    files?: string[];
    /**
     * The hosts of the indexes that could not be asked and are the only ones that could have it (a local version such
     * as `+cu121` the answering indexes lack): the verdict is not known.
     */
    onlyFrom?: string[];
  }[];
  /** Top-level requirements whose matching versions all exclude the target Python. */
  pythonExcluded: { dep: Dependency; python: string; requires: string[] }[];
  /** Top-level requirements whose best version has no wheel for the target: pip would build it. */
  sdistOnly: { dep: Dependency; version: string; target: string }[];
  /** Every conflict found: the first, then those left once the lines of the earlier ones are set aside. */
  conflicts: TransitiveConflict[];
  /** The resolver stopped at its budget: what it says. */
  gaveUp: string | null;
  /** Lines whose URL was not fetched because the workspace is not trusted (each gets a finding saying so). */
  notFetched: Dependency[];
}

/** The active environment, for `installed-mismatch`. */
export interface InstalledReport {
  /** How the environment reads in messages (its folder). */
  name: string;
  /** Normalized name -> installed version. */
  packages: ReadonlyMap<string, string>;
}

/** What the editor features need of the index stage for one set: its provider, indexes and target. */
export interface IndexContext {
  provider: MetadataProvider;
  indexes: IndexSelection;
  profile: MachineProfile;
  markerEnvironment: MarkerEnvironment;
  /** The metadata cache folder (project lists and core metadata are read from it); null: memory only. */
  cacheDir: string | null;
  /** False in an untrusted workspace: no URL a workspace file names is fetched. */
  trusted: boolean;
}
