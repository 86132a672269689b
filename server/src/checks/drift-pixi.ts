// `lock-drift` for pixi.lock against its pixi manifest, by pixi's own satisfiability rules: every environment of the
// manifest is locked, with the manifest's channels (in order) and for each of its platforms and no other; on each
// platform every conda spec is matched by a locked record of the environment, and each package is locked once.
// (PyPI requirements are the names-and-versions rule's, which counts a conda record that installs the project.)
import { environmentPlatforms, environmentSpecs, pixiManifestOf, type PixiManifest } from '../model/pixi';
import { finding } from '../model/finding';
import type { Finding, Fix, LockEnvironment, LockedPackage, ParsedFile, Span } from '../model/types';
import { channelKey } from '../parsers/conda-records';
import * as path from 'node:path';
import { condaSpecDrift, type CondaLockFile, type LockedPlace } from './drift-conda-lock';

/** Where a finding about an environment as a whole goes: its declaration, else the manifest's first channel. */
function environmentSpan(m: PixiManifest, env: { span: Span | null }): Span {
  return env.span ?? m.channels[0]?.span ?? m.platforms[0]?.span ?? { start: 0, end: 0 };
}

/** pixi.lock against the pixi manifests of its set. */
export function pixiLockDrift(lock: CondaLockFile, manifests: readonly ParsedFile[], relock: Fix): Finding[] {
  const info = lock.lock.conda;
  if (!info) return [];
  const lockName = path.basename(lock.path);
  const out: Finding[] = [];
  for (const file of manifests) {
    const m = pixiManifestOf(file);
    if (!m) continue;
    const places: LockedPlace[] = [];
    const say = (span: Span, message: string, related: LockedPackage[] = []) =>
      out.push(
        finding('lock-drift', file.path, span, `${message}: the lock is out of date`, {
          related: related.map((p) => ({
            file: p.file,
            span: p.span,
            message: `${p.rawName} ${p.version} is locked here for ${p.platform ?? ''}`,
          })),
          fixes: [relock],
        }),
      );
    for (const env of m.environments) {
      const locked = info.environments.find((e) => e.name === env.name);
      const envSpan = environmentSpan(m, env);
      if (!locked) {
        say(envSpan, `${lockName} has no environment ${env.name}`);
        continue;
      }
      const platforms = environmentPlatforms(m, env.name);
      // Channels: the same channels in the same order (pixi's rule: a changed order changes the solve).
      const specs0 = platforms[0] ? environmentSpecs(m, env.name, platforms[0].name) : null;
      if (specs0 && !sameChannels(specs0.channels, locked)) {
        const span = m.channels.find(
          (c) => !locked.channels.some((l) => channelKey(l.url) === channelKey(c.name)),
        )?.span;
        say(
          span ?? m.channels[0]?.span ?? envSpan,
          `${lockName} locked environment ${env.name} with channels ` +
            `${locked.channels.map((c) => c.url).join(', ') || '(none)'}, not ${specs0.channels.join(', ')}`,
        );
      }
      // Platforms: each of the environment's locked, and no other.
      const lockedPlatforms = new Set(locked.platforms);
      const wanted = new Set(platforms.map((p) => p.name));
      for (const p of platforms)
        if (!lockedPlatforms.has(p.name) && !lockedPlatforms.has(p.subdir))
          say(p.span, `${lockName} has no ${p.name} packages for environment ${env.name}`);
      const extra = locked.platforms.filter((p) => !wanted.has(p) && !platforms.some((q) => q.subdir === p));
      if (extra.length)
        say(
          m.platforms[0]?.span ?? envSpan,
          `${lockName} locks platform(s) ${extra.join(', ')} for environment ${env.name}, which it no longer has`,
        );
      // Each platform: the conda specs matched by the environment's records there, one record per package.
      const where = m.environments.length > 1 ? ` (environment ${env.name})` : '';
      for (const p of platforms) {
        const key = lockedPlatforms.has(p.name) ? p.name : p.subdir;
        if (!lockedPlatforms.has(key)) continue;
        const specs = environmentSpecs(m, env.name, p.name);
        if (!specs) continue;
        const records = lock.lock.packages.filter((r) => r.platform === key && r.environments?.includes(env.name));
        places.push({ label: `${key}${where}`, specs: specs.dependencies, records });
        for (const dup of duplicates(records)) {
          const dep = [...specs.dependencies, ...specs.pypiDependencies].find((d) => d.name === dup[0]!.name);
          say(
            dep?.nameSpan ?? envSpan,
            `${lockName} locks ${dup[0]!.rawName} ${dup.length} times for ${key}${where} (${dup
              .map((d) => d.version)
              .join(', ')}); pixi locks one entry per package`,
            dup,
          );
        }
      }
    }
    out.push(...condaSpecDrift(lock, relock, places));
  }
  return out;
}

/** Whether the lock's channels for an environment are the manifest's, in order. */
function sameChannels(manifest: readonly string[], locked: LockEnvironment): boolean {
  const a = manifest.map(channelKey);
  const b = locked.channels.map((c) => channelKey(c.url));
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** The packages locked more than once (by ecosystem and name) among one environment's records of one platform. */
function duplicates(records: readonly LockedPackage[]): LockedPackage[][] {
  const by = new Map<string, LockedPackage[]>();
  for (const r of records) {
    const k = `${r.ecosystem}\0${r.name}`;
    by.set(k, [...(by.get(k) ?? []), r]);
  }
  return [...by.values()].filter((l) => l.length > 1);
}
