// The environment set (files installed together) and what the index stage learned about one: data shared by the analysis, the checks and the front ends.
import type { Dependency, Finding, ParsedFile } from '../model/types';

/** Files that are installed together: conflicts are judged across a set. */
export interface EnvironmentSet {
  /** The file the set grows from (a requirements file, an environment.yml or a lone pyproject.toml). */
  root: string;
  /** Every file of the set, the root first, each once. */
  files: ParsedFile[];
  /** Findings about how the files hang together (an unreadable `-r` target, an include cycle), at the including line. */
  findings: Finding[];
}

/** The index stage's findings about one environment set, as data; the index-backed checks turn them into findings. */
export interface SetIndexReport {
  /** Why the index could not be asked (unreachable, 5xx): nothing else is known. Redacted, no credentials. */
  unavailable: string | null;
  /** Top-level requirements the index has no project or no matching version for. */
  missing: { dep: Dependency; kind: 'project' | 'version'; newest: string | null; where: string }[];
  /** Top-level requirements whose matching versions all exclude the target Python. */
  pythonExcluded: { dep: Dependency; python: string; requires: string[] }[];
  /** Top-level requirements whose best version has no wheel for the target: pip would build it. */
  sdistOnly: { dep: Dependency; version: string; target: string }[];
  /** No resolution exists: the top-level lines that take part, the numbered explanation, and fixes a resolver verified. */
  conflict: { roots: Dependency[]; explanation: string; fixes: { dep: Dependency; specifier: string }[] } | null;
  /** The resolver stopped at its budget: what it says. */
  gaveUp: string | null;
}

/** The active environment, for `installed-mismatch`. */
export interface InstalledReport {
  /** How the environment reads in messages (its folder). */
  name: string;
  /** Normalized name -> installed version. */
  packages: ReadonlyMap<string, string>;
}

