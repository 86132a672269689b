// One environment set as the resolver takes it (top-level requirements, constraints, overrides of the base scope),
// resolved with some lines' specifiers changed: shared by the vulnerability stage and the editor's update actions.
import { where } from '../checks/edits';
import { installedDeclarations, uvExclusionOptions } from '../checks/scope';
import type { Dependency } from '../model/types';
import type { MarkerEnvironment } from '../pep/marker';
import { SpecifierSet } from '../pep/specifier';
import type { Version } from '../pep/version';
import { joinSpecifiers } from '../checks/edits';
import { resolve } from '../resolver/solver';
import type { MetadataProvider, Resolution, RootRequirement } from '../resolver/types';
import type { EnvironmentSet } from '../model/sets';

/** The lines of a set's base scope that take part in a resolution, as the index stage selects them. */
export interface SetRoots {
  requirements: Dependency[];
  constraints: Dependency[];
  overrides: Dependency[];
}

const usable = (d: Dependency) => d.name !== '' && !d.editable && !(d.url && !/^https?:/i.test(d.url));

export function setRoots(set: EnvironmentSet, env: MarkerEnvironment): SetRoots {
  const base = installedDeclarations(set, env)
    .filter((d) => d.scope === '')
    .map((d) => d.dep);
  return {
    requirements: base.filter((d) => d.kind === 'requirement' && usable(d)),
    constraints: base.filter((d) => d.kind === 'constraint' && usable(d) && !d.url),
    overrides: base.filter((d) => d.kind === 'override' && usable(d)),
  };
}

export interface SetResolveOptions {
  provider: MetadataProvider;
  markerEnvironment: MarkerEnvironment;
  python: string;
  signal?: AbortSignal;
  deadline?: number;
  /** Installed versions pip keeps where they fit (conda's packages under an environment.yml's `pip:` part). */
  preferred?: ReadonlyMap<string, string>;
}

/** Resolves the set with the specifiers in `changed` instead of the written ones. */
export function resolveSet(
  set: EnvironmentSet,
  roots: SetRoots,
  opts: SetResolveOptions,
  changed: ReadonlyMap<Dependency, string> = new Map(),
): Promise<Resolution<Dependency>> {
  const toRoot = (d: Dependency): RootRequirement<Dependency> => ({
    requirement: {
      name: d.name,
      extras: d.extras,
      specifier: changed.get(d) ?? (d.specifierUnknown ? '' : d.specifier),
      marker: '',
      url: changed.has(d) ? null : d.url,
    },
    origin: d,
  });
  return resolve(roots.requirements.map(toRoot), opts.provider, {
    markerEnvironment: opts.markerEnvironment,
    python: opts.python,
    constraints: roots.constraints.map(toRoot),
    overrides: roots.overrides.map(toRoot),
    ...uvExclusionOptions(set, opts.markerEnvironment),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.deadline ? { deadline: opts.deadline } : {}),
    ...(opts.preferred ? { preferred: opts.preferred } : {}),
    describeOrigin: (d: Dependency) => where(d, set.files),
  });
}

/** A range moved up to admit `v`: its specifiers that admit `v` kept, `>=v` added (`>=3.0,<3.1.3` -> `>=3.1.4`). */
export function raiseTo(specifier: string, v: Version): string | null {
  let kept: string[];
  try {
    kept = SpecifierSet.parse(specifier)
      .specifiers.filter((s) => s.contains(v, true))
      .map(String);
  } catch {
    return null;
  }
  return joinSpecifiers([...kept, `>=${v}`]);
}

/** Whether a specifier pins one version (`==1.2.3`, `===1.2.3`). */
export function isExactPin(specifier: string): boolean {
  try {
    return SpecifierSet.parse(specifier).specifiers.some(
      (s) => (s.operator === '==' && !s.version.endsWith('.*')) || s.operator === '===',
    );
  } catch {
    return false;
  }
}
