// The update search behind the editor's update actions: the newest versions of a file's requirements that the set still
// resolves with, each verified by a resolution of the whole set.
import { hasPep440Text } from '../checks/edits';
import type { Dependency, ParsedFile } from '../model/types';
import type { EnvironmentSet } from '../model/sets';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import type { IndexContext } from './index-context';
import { isExactPin, raiseTo, resolveSet, setRoots } from './set-resolution';

/** Whether the specifier admits the version; null when the specifier is not PEP 440. */
export function admits(specifier: string, v: Version): boolean | null {
  try {
    return SpecifierSet.parse(specifier).contains(v, true);
  } catch {
    return null;
  }
}

/** The Python the set is resolved for. */
export function pythonOf(ic: IndexContext): string {
  return ic.profile.python?.version ?? ic.markerEnvironment.python_full_version ?? '3.12.0';
}

/**
 * The newest version of the requirement at `start` of `file` that the set still resolves with, as an edit of its
 * specifier (verified by resolving the whole set); null when none of the versions tried resolves.
 */
export async function updateOne(
  at: { set: EnvironmentSet; ic: IndexContext },
  file: ParsedFile,
  start: number,
): Promise<Map<Dependency, string> | null> {
  const dep = file.dependencies.find((d) => d.span.start === start);
  if (!dep || !hasPep440Text(dep)) return null;
  const roots = setRoots(at.set, at.ic.markerEnvironment);
  const opts = {
    provider: at.ic.provider,
    markerEnvironment: at.ic.markerEnvironment,
    python: pythonOf(at.ic),
    deadline: Date.now() + 20_000,
  };
  const pre = (() => {
    try {
      return SpecifierSet.parse(dep.specifier).specifiers.some(
        (s) => Version.parse(s.version.replace(/\.\*$/, ''))?.isPrerelease,
      );
    } catch {
      return false;
    }
  })();
  const versions = (await at.ic.provider.versions(dep.name)).filter(
    (v) => (pre || !v.isPrerelease) && admits(dep.specifier, v) === false,
  );
  let attempts = 0;
  for (const v of versions) {
    if (attempts++ >= 8 || Date.now() > opts.deadline) break;
    const spec = isExactPin(dep.specifier) ? `==${v}` : raiseTo(dep.specifier, v);
    if (!spec) continue;
    if (!roots.requirements.includes(dep) && !roots.constraints.includes(dep)) return new Map([[dep, spec]]);
    const r = await resolveSet(at.set, roots, opts, new Map([[dep, `==${v}`]]));
    if (!r.ok) continue;
    if (spec !== `==${v}` && !(await resolveSet(at.set, roots, opts, new Map([[dep, spec]]))).ok) continue;
    return new Map([[dep, spec]]);
  }
  return null;
}

/**
 * Every requirement of `file` moved to the newest versions that resolve together: one resolution with this file's
 * requirements free, then each line moved to what it chose where it excluded that; verified once.
 */
export async function updateAll(
  at: { set: EnvironmentSet; ic: IndexContext },
  file: ParsedFile,
): Promise<Map<Dependency, string> | null> {
  const roots = setRoots(at.set, at.ic.markerEnvironment);
  const mine = roots.requirements.filter((d) => d.file === file.path && hasPep440Text(d));
  if (mine.length === 0) return null;
  const opts = {
    provider: at.ic.provider,
    markerEnvironment: at.ic.markerEnvironment,
    python: pythonOf(at.ic),
    deadline: Date.now() + 30_000,
  };
  const free = await resolveSet(at.set, roots, opts, new Map(mine.map((d) => [d, ''])));
  if (!free.ok) return null;
  const changes = new Map<Dependency, string>();
  for (const d of mine) {
    const chosen = free.versions.get(d.name);
    if (!chosen) continue;
    const ok = admits(d.specifier, chosen);
    if (ok === null) continue;
    if (ok) continue;
    const pinned = isExactPin(d.specifier);
    const spec = pinned ? `==${chosen}` : raiseTo(d.specifier, chosen);
    if (spec) changes.set(d, spec);
  }
  if (changes.size === 0) return null;
  const check = await resolveSet(at.set, roots, opts, changes);
  return check.ok ? changes : null;
}
