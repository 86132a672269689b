// What the set's lock files record for a manifest requirement: the locked versions, per marker where the lock forks
// (uv locks a package once per Python or platform it resolves differently), and which of them the target installs.
import { codeSpan } from '../model/markdown';
import type { EnvironmentSet } from '../model/sets';
import type { Dependency } from '../model/types';
import { markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import * as path from 'node:path';

/** One locked version of a requirement. */
export interface LockedVersion {
  /** The lock file's base name. */
  lock: string;
  version: string;
  /** The marker of the lock's fork ("" for every platform). */
  marker: string;
  /** Whether the target installs this one (its marker holds). */
  onTarget: boolean;
}

/** The versions the set's locks record for a manifest requirement (PyPI entries of its name), in lock order. */
export function lockedVersionsOf(
  set: EnvironmentSet | undefined,
  dep: Dependency,
  env: MarkerEnvironment,
): LockedVersion[] {
  if (!set || dep.kind === 'conda') return [];
  const out: LockedVersion[] = [];
  for (const f of set.files) {
    if (!f.lock || f.path === dep.file) continue;
    for (const p of f.lock.packages)
      if (p.ecosystem === 'pypi' && p.name === dep.name)
        out.push({
          lock: path.basename(f.path),
          version: p.version,
          marker: p.marker,
          onTarget: markerTextHolds(p.marker, env),
        });
  }
  return out;
}

/** The hover's line on what is locked: `Locked in uv.lock: **2.1.2** (this target) ...`; null where nothing is. */
export function lockedHover(locked: LockedVersion[]): string | null {
  if (!locked.length) return null;
  const byLock = new Map<string, LockedVersion[]>();
  for (const l of locked) (byLock.get(l.lock) ?? byLock.set(l.lock, []).get(l.lock)!).push(l);
  return [...byLock]
    .map(([lock, versions]) => {
      if (versions.length === 1 && !versions[0]!.marker)
        return `Locked in ${codeSpan(lock)}: **${versions[0]!.version}**.`;
      const forks = versions.map(
        (v) =>
          `- **${v.version}**${v.marker ? ` where ${codeSpan(v.marker)}` : ''}${v.onTarget ? ' (the target installs this one)' : ''}`,
      );
      return `Locked in ${codeSpan(lock)}, per platform:\n${forks.join('\n')}`;
    })
    .join('\n\n');
}

/** The inlay hint's text: `locked 2.1.2` (the version the target installs), or null where the lock has none for it. */
export function lockedHint(locked: LockedVersion[]): string | null {
  const mine = [...new Set(locked.filter((l) => l.onTarget).map((l) => l.version))];
  return mine.length ? `locked ${mine.join(', ')}` : null;
}
