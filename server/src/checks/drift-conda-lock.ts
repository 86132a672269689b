// `lock-drift` for conda-lock.yml against its environment.yml: every conda spec satisfied by a locked record on each
// platform the lock covers, and every channel of the environment one the lock was made from. (The `pip:` part is the
// names-and-versions rule's, against the lock's `manager: pip` entries and the conda records that install a PyPI name.)
import { recordMatches } from '../conda/record-match';
import { finding } from '../model/finding';
import type { Dependency, Finding, Fix, LockInfo, LockedPackage, ParsedFile } from '../model/types';
import { channelKey } from '../parsers/conda-records';
import * as path from 'node:path';

/** A lock file with what it records (the judges get it, with the fix that writes it again, from lock-drift.ts). */
export type CondaLockFile = ParsedFile & { lock: LockInfo };

/** Whether a locked conda record satisfies a spec: its version and build, and its channel where the spec names one. */
export function recordSatisfies(dep: Dependency, p: LockedPackage): boolean {
  const spec = dep.conda;
  if (!spec || !p.conda) return false;
  if (!recordMatches({ version: spec.version, build: spec.build }, { version: p.version, build: p.conda.build }))
    return false;
  if (!spec.channel) return true;
  const want = channelKey(spec.channel);
  const have = channelKey(p.conda.channel);
  return have === want || have.endsWith(`/${want}`);
}

/** Where a spec's version and build are written (the whole entry where it has neither). */
function specSpan(dep: Dependency): { start: number; end: number } {
  const v = dep.specifierSpan;
  if (v.end <= v.start) return dep.span;
  return dep.conda?.build ? { start: v.start, end: Math.max(v.end, dep.span.end) } : v;
}

/** Where a lock is judged: a platform (of an environment), the specs that must hold there and the records locked. */
export interface LockedPlace {
  /** How a message names it: `linux-64`, `linux-64 (environment cuda)`. */
  label: string;
  specs: readonly Dependency[];
  records: readonly LockedPackage[];
}

/**
 * The conda specs that no locked record satisfies in some place, each said once on its line (naming the places), the
 * records related.
 */
export function condaSpecDrift(lock: CondaLockFile, relock: Fix, places: readonly LockedPlace[]): Finding[] {
  const lockName = path.basename(lock.path);
  const byDep = new Map<Dependency, { missing: string[]; outside: LockedPackage[]; outsidePlaces: string[] }>();
  for (const place of places)
    for (const dep of place.specs) {
      const name = dep.name.toLowerCase();
      if (name.startsWith('__')) continue; // virtual packages are the machine's, never locked
      let verdict = byDep.get(dep);
      if (!verdict) byDep.set(dep, (verdict = { missing: [], outside: [], outsidePlaces: [] }));
      const named = place.records.filter((p) => p.ecosystem === 'conda' && p.name === name);
      if (!named.length) verdict.missing.push(place.label);
      else if (!named.some((p) => recordSatisfies(dep, p))) {
        verdict.outside.push(...named);
        verdict.outsidePlaces.push(place.label);
      }
    }
  const out: Finding[] = [];
  for (const [dep, { missing, outside, outsidePlaces }] of byDep) {
    if (missing.length)
      out.push(
        finding(
          'lock-drift',
          dep.file,
          dep.nameSpan,
          `${lockName} has no ${dep.rawName} for ${missing.join(', ')}: the lock is out of date`,
          { fixes: [relock] },
        ),
      );
    else if (outside.length) {
      const unique = [...new Set(outside)];
      const versions = [...new Set(unique.map((p) => `${p.version} ${p.conda?.build ?? ''}`.trim()))].join(', ');
      out.push(
        finding(
          'lock-drift',
          dep.file,
          specSpan(dep),
          `${lockName} locks ${dep.rawName} ${versions} for ${outsidePlaces.join(', ')}, ` +
            `outside ${dep.text}: the lock is out of date`,
          {
            related: unique.map((p) => ({
              file: p.file,
              span: p.span,
              message: `${p.rawName} ${p.version} is locked here for ${p.platform ?? p.conda?.subdir ?? ''}`,
            })),
            fixes: [relock],
          },
        ),
      );
    }
  }
  return out;
}

/** conda-lock.yml against the environment.yml files of its set. */
export function condaLockDrift(lock: CondaLockFile, manifests: readonly ParsedFile[], relock: Fix): Finding[] {
  const info = lock.lock.conda;
  if (!info) return [];
  // The environment files it was made from, where it says (`metadata.sources`); else every one of its set.
  const sources = info.sources?.map((s) => path.resolve(path.dirname(lock.path), s));
  const envs = manifests.filter(
    (f) => f.kind === 'conda' && (!sources?.length || sources.includes(path.resolve(f.path))),
  );
  if (!envs.length) return [];
  const platforms = info.platforms.map((p) => p.name);
  const byPlatform = new Map<string, LockedPackage[]>();
  for (const p of lock.lock.packages) {
    if (p.ecosystem !== 'conda' || !p.platform) continue;
    const list = byPlatform.get(p.platform) ?? [];
    list.push(p);
    byPlatform.set(p.platform, list);
  }
  const out: Finding[] = [];
  const lockName = path.basename(lock.path);
  const lockChannels = new Set((info.environments[0]?.channels ?? []).map((c) => channelKey(c.url)));
  for (const env of envs) {
    const specs = env.dependencies.filter((d) => d.kind === 'conda' && d.conda);
    out.push(
      ...condaSpecDrift(
        lock,
        relock,
        platforms.map((p) => ({ label: p, specs, records: byPlatform.get(p) ?? [] })),
      ),
    );
    (env.channels ?? []).forEach((c, i) => {
      const span = env.channelSpans?.[i];
      if (!span || c === 'nodefaults' || lockChannels.has(channelKey(c))) return;
      out.push(
        finding('lock-drift', env.path, span, `${lockName} was locked without channel ${c}: the lock is out of date`, {
          fixes: [relock],
        }),
      );
    });
  }
  return out;
}
