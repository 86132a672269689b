// Deprecated and placeholder packages, and deprecated extras, with what to use instead.
import data from './data/deprecated.json';
import type { Sourced } from './types';

/** A package name that no longer installs or must not be used (docs/knowledge.md, deprecated packages). */
export interface DeprecatedPackage extends Sourced {
  /** PEP 503 normalized (pip) or conda name. */
  package: string;
  ecosystem: 'pip' | 'conda';
  status: string;
  replacement: string | null;
  /** Whether the replacement takes the same version numbers (so the specifier is kept). */
  keepSpecifier?: boolean;
  /** From this version on, installation fails outright. */
  failsFrom?: string;
  /** Flag only from `failsFrom` on (`cudatoolkit` 11.x is still valid; 12 does not exist). */
  onlyWhenFailing?: boolean;
  advice?: string;
  /**
   * The package the replacement works with, and the channel it must come from (conda-forge's `pytorch` reads
   * `cuda-version`): the fix moves a line of that package to the channel.
   */
  with?: { package: string; channel: string };
}

/** An extra of a package that no longer selects anything (`jax[cuda11_pip]`). */
export interface DeprecatedExtra extends Sourced {
  package: string;
  extraPattern: string;
  status: string;
  replacementExtra: string;
}

const d = data as unknown as { packages: DeprecatedPackage[]; extras: DeprecatedExtra[] };

export const deprecatedPackages: readonly DeprecatedPackage[] = d.packages;
export const deprecatedExtras: readonly DeprecatedExtra[] = d.extras;

/** The records by ecosystem and name (the first of a name, as a search of the list in order finds it). */
const packagesByName = { pip: new Map<string, DeprecatedPackage>(), conda: new Map<string, DeprecatedPackage>() };
for (const p of deprecatedPackages)
  if (!packagesByName[p.ecosystem].has(p.package)) packagesByName[p.ecosystem].set(p.package, p);

/** The names some deprecated extra is recorded for. */
const namesWithExtras = new Set(deprecatedExtras.map((e) => e.package));

/** The record of a name in an ecosystem. */
export function deprecatedPackage(name: string, ecosystem: 'pip' | 'conda'): DeprecatedPackage | undefined {
  return packagesByName[ecosystem].get(name);
}

/** Whether any deprecated extra is recorded for the (normalized) package name. */
export function hasDeprecatedExtras(name: string): boolean {
  return namesWithExtras.has(name);
}
