// The environment set (files installed together) and its scopes: what the analysis groups and the checks judge.
import type { Finding, ParsedFile } from './types';

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
