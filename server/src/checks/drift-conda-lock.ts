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

/** A list of platforms for a message: `linux-64` or `linux-64, osx-arm64`. */
const platformList = (ps: readonly string[]): string => ps.join(', ');

/**
 * The conda specs of the manifests that no locked record satisfies on some platform, each said once on its line (the
 * platforms named), the records related. `records(platform)` are the lock's records of one platform.
 */
export function condaSpecDrift(
  lock: CondaLockFile,
  relock: Fix,
  specs: readonly Dependency[],
  platforms: readonly string[],
  records: (platform: string) => readonly LockedPackage[],
  where = '',
): Finding[] {
  const lockName = path.basename(lock.path);
  const out: Finding[] = [];
  for (const dep of specs) {
    const name = dep.name.toLowerCase();
    if (name.startsWith('__')) continue; // virtual packages are the machine's, never locked
    const missing: string[] = [];
    const outside: LockedPackage[] = [];
    const outsidePlatforms: string[] = [];
    for (const platform of platforms) {
      const named = records(platform).filter((p) => p.name === name);
      if (!named.length) missing.push(platform);
      else if (!named.some((p) => recordSatisfies(dep, p))) {
        outside.push(...named);
        outsidePlatforms.push(platform);
      }
    }
    if (missing.length)
      out.push(
        finding(
          'lock-drift',
          dep.file,
          dep.nameSpan,
          `${lockName} has no ${dep.rawName} for ${platformList(missing)}${where}: the lock is out of date`,
          { fixes: [relock] },
        ),
      );
    else if (outside.length) {
      const versions = [...new Set(outside.map((p) => `${p.version} ${p.conda?.build ?? ''}`.trim()))].join(', ');
      out.push(
        finding(
          'lock-drift',
          dep.file,
          specSpan(dep),
          `${lockName} locks ${dep.rawName} ${versions} for ${platformList(outsidePlatforms)}${where}, ` +
            `outside ${dep.text}: the lock is out of date`,
          {
            related: outside.map((p) => ({
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
    out.push(...condaSpecDrift(lock, relock, specs, platforms, (p) => byPlatform.get(p) ?? []));
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
