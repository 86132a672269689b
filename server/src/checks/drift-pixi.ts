// `lock-drift` for pixi.lock against its pixi manifest, by pixi's own satisfiability rules: every environment of the
// manifest is locked, with the manifest's channels (in order) and for each of its platforms and no other; on each
// platform every conda spec is matched by a locked record of the environment, and each package is locked once.
// (PyPI requirements are the names-and-versions rule's, which counts a conda record that installs the project.)
// And no more: every locked package of an environment on a platform is reached from what the manifest declares there,
// through the depends of conda records and the requires_dist of PyPI records (pixi's "more packages in the lock file
// than are used by the environment"); one that is not is said on its lock entry.
import { pypiNameOfConda } from '../conda/pypi-names';
import {
  environmentPlatforms,
  environmentSpecs,
  pixiManifestOf,
  type PixiEnvironmentSpecs,
  type PixiManifest,
} from '../model/pixi';
import { finding } from '../model/finding';
import type { Finding, Fix, LockEnvironment, LockedPackage, ParsedFile, Span } from '../model/types';
import { defaultEnvironment, markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { parseRequirement } from '../pep/requirement';
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
  // Locked packages nothing reaches, by lock entry: the places (platform and environment) where none does.
  const unused = new Map<LockedPackage, string[]>();
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
        for (const r of unreached(specs, key, records)) unused.set(r, [...(unused.get(r) ?? []), `${key}${where}`]);
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
  // One finding per lock entry (a noarch or pure-Python entry serves several platforms).
  const byEntry = new Map<string, { pkg: LockedPackage; places: string[] }>();
  for (const [pkg, where] of unused) {
    const k = `${pkg.ecosystem}\0${pkg.span.start}`;
    const e = byEntry.get(k);
    if (e) e.places.push(...where);
    else byEntry.set(k, { pkg, places: [...where] });
  }
  for (const { pkg, places } of byEntry.values())
    out.push(
      finding(
        'lock-drift',
        lock.path,
        pkg.nameSpan,
        `${lockName} locks ${pkg.rawName} ${pkg.version} for ${places.join(', ')}, where nothing the manifest ` +
          `declares requires it any more: the lock is out of date`,
        { fixes: [relock] },
      ),
    );
  return out;
}

/** The name of a conda depends/constrains entry (`python >=3.12,<3.13.0a0`, `conda-forge::numpy`), lower-cased. */
function depName(spec: string): string {
  const at = spec.lastIndexOf('::');
  const m = /^[^\s=<>!~[(]+/.exec(at >= 0 ? spec.slice(at + 2) : spec);
  return (m?.[0] ?? '').toLowerCase();
}

/** The marker environment of a conda platform with a Python version; null where pixi names no such machine. */
function platformEnvironment(subdir: string, python: string): MarkerEnvironment | null {
  const machines: Record<string, ['linux' | 'darwin' | 'win32', string]> = {
    'linux-64': ['linux', 'x86_64'],
    'linux-aarch64': ['linux', 'aarch64'],
    'linux-ppc64le': ['linux', 'ppc64le'],
    'osx-64': ['darwin', 'x86_64'],
    'osx-arm64': ['darwin', 'arm64'],
    'win-64': ['win32', 'AMD64'],
    'win-arm64': ['win32', 'ARM64'],
  };
  const m = machines[subdir];
  return m ? defaultEnvironment({ pythonVersion: python, platform: m[0], machine: m[1] }) : null;
}

/**
 * The records of one environment on one platform that nothing reaches: from the environment's conda specs through each
 * record's depends, and from its PyPI requirements (markers evaluated for the platform and the locked Python) through
 * each PyPI record's requires_dist (with the extras asked for), a conda record standing for the PyPI project it
 * installs. Where the platform's marker environment is unknown (no locked Python), PyPI records are not judged.
 */
function unreached(specs: PixiEnvironmentSpecs, subdir: string, records: readonly LockedPackage[]): LockedPackage[] {
  const conda = new Map<string, LockedPackage[]>();
  const pypi = new Map<string, LockedPackage[]>();
  const condaForPypi = new Map<string, LockedPackage>();
  for (const r of records) {
    const by = r.ecosystem === 'conda' ? conda : pypi;
    const list = by.get(r.name);
    if (list) list.push(r);
    else by.set(r.name, [r]);
    if (r.ecosystem === 'conda') condaForPypi.set(canonicalizeName(pypiNameOfConda(r.name)), r);
  }
  const seen = new Set<LockedPackage>();
  const condaWork: string[] = specs.dependencies.map((d) => d.name.toLowerCase());
  const reachConda = () => {
    while (condaWork.length) {
      const name = condaWork.pop()!;
      for (const r of conda.get(name) ?? []) {
        if (seen.has(r)) continue;
        seen.add(r);
        for (const d of r.conda?.depends ?? []) condaWork.push(depName(d));
      }
    }
  };
  reachConda();
  const python = conda.get('python')?.[0]?.version;
  const env = python ? platformEnvironment(subdir, python) : null;
  if (!env) return records.filter((r) => r.ecosystem === 'conda' && !seen.has(r));
  const holds = (marker: string, extras: readonly string[]) =>
    !marker || markerTextHolds(marker, env) || extras.some((e) => markerTextHolds(marker, env, e));
  const asked = new Map<LockedPackage, Set<string>>();
  const pypiWork: { name: string; extras: readonly string[] }[] = [];
  for (const d of specs.pypiDependencies)
    if (holds(d.marker, [])) pypiWork.push({ name: canonicalizeName(d.name), extras: d.extras });
  while (pypiWork.length) {
    const { name, extras } = pypiWork.pop()!;
    const viaConda = pypi.has(name) ? undefined : condaForPypi.get(name);
    if (viaConda) {
      if (!seen.has(viaConda)) {
        condaWork.push(viaConda.name);
        reachConda();
      }
      continue;
    }
    for (const r of pypi.get(name) ?? []) {
      const had = asked.get(r);
      const fresh = !had ? extras : extras.filter((e) => !had.has(e));
      if (had && !fresh.length) continue;
      const all = new Set([...(had ?? []), ...extras]);
      asked.set(r, all);
      seen.add(r);
      for (const text of r.dependencies) {
        let req;
        try {
          req = parseRequirement(text);
        } catch {
          continue;
        }
        if (holds(req.markerText, [...all])) pypiWork.push({ name: canonicalizeName(req.name), extras: req.extras });
      }
    }
  }
  return records.filter((r) => !seen.has(r));
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
