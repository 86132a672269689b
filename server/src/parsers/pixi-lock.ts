// Parses pixi.lock (format versions 6 and 7): its environments (channels, PyPI indexes and, per platform, the packages
// they install) and its package records (conda: the URL with name, version, build, subdir, depends, constrains; pypi:
// name, version, requires_dist), each locked package once per platform that installs it.
import type { LockEnvironment, LockedPackage, LockSource, ParsedFile, Span } from '../model/types';
import { canonicalizeName } from '../pep/name';
import { addSyntax, condaUrlParts, emptyLockFile, platformMarker } from './conda-records';
import { readLockYaml } from './lock-yaml';
import {
  firstPair,
  get,
  scalarTexts,
  str,
  subSpan,
  textSpan,
  type YMap,
  type YNode,
  type YScalar,
} from './lock-yaml-nodes';

/** The format versions read; a newer one is said and the file is not judged. */
export const PIXI_LOCK_VERSIONS = [6, 7] as const;

/** One record of `packages:`, before the environments say where it is installed. */
interface PixiRecord {
  ecosystem: 'conda' | 'pypi';
  location: string;
  map: YMap;
  build: (platform: string | undefined, environments: string[]) => LockedPackage;
}

/** The span of a scalar's value, or an empty span at `fallback`. */
const valueSpan = (node: YNode | null | undefined, fallback: number): Span =>
  node && node.kind === 'scalar' ? textSpan(node) : { start: fallback, end: fallback };

/**
 * Reads a pixi.lock. Never throws: YAML errors, a record without a location, an environment naming a package no record
 * has are `syntax` findings; a version other than 6 or 7 is an information finding and the file is not judged.
 */
export function parsePixiLock(path: string, text: string): ParsedFile {
  const out = emptyLockFile(path, 'pixi-lock', text);
  const read = readLockYaml(text);
  for (const e of read.errors) addSyntax(out, e.span, e.message);
  const root = read.root;
  if (!root) return out;
  if (root.kind !== 'map') {
    addSyntax(out, root.span, 'A pixi.lock is a mapping with `version`, `environments` and `packages`.');
    return out;
  }
  const versionNode = get(root, 'version');
  const version = str(versionNode);
  if (!version || !/^\d+$/.test(version)) {
    addSyntax(
      out,
      versionNode?.span ?? { start: 0, end: Math.min(1, text.length) },
      'A pixi.lock needs an integer `version`.',
    );
    return out;
  }
  const v = Number(version);
  if (!(PIXI_LOCK_VERSIONS as readonly number[]).includes(v)) {
    const newer = v > PIXI_LOCK_VERSIONS[PIXI_LOCK_VERSIONS.length - 1]!;
    addSyntax(
      out,
      versionNode!.span,
      newer
        ? `pixi.lock version ${v} is newer than the versions Stack Doctor reads (6 and 7): the lock is not judged.`
        : `pixi.lock version ${v} is older than the versions Stack Doctor reads (6 and 7): the lock is not judged ` +
            `(\`pixi lock\` writes the current format).`,
      'information',
    );
    return out;
  }

  // The records, by kind and location.
  const records = { conda: new Map<string, PixiRecord>(), pypi: new Map<string, PixiRecord>() };
  const packagesNode = get(root, 'packages');
  const envIndexes = new Map<string, string[]>();
  if (packagesNode && packagesNode.kind === 'seq') {
    for (const item of packagesNode.items) {
      if (!item || item.kind !== 'map') {
        if (item) addSyntax(out, item.span, 'A package record is a mapping (`conda:` or `pypi:` with its fields).');
        continue;
      }
      const rec = readRecord(out, item);
      if (rec) records[rec.ecosystem].set(rec.location, rec);
    }
  } else if (packagesNode) addSyntax(out, packagesNode.span, '`packages` must be a list of package records.');

  // The environments: which records each installs on each platform.
  const environments: LockEnvironment[] = [];
  const uses = new Map<PixiRecord, Map<string, string[]>>();
  const envsNode = get(root, 'environments');
  if (envsNode && envsNode.kind === 'map') {
    for (const envPair of envsNode.pairs) {
      const env = envPair.value;
      const lockEnv: LockEnvironment = {
        name: envPair.key,
        span: envPair.keySpan,
        channels: [],
        indexes: [],
        platforms: [],
      };
      environments.push(lockEnv);
      if (!env || env.kind !== 'map') continue;
      const channels = get(env, 'channels');
      if (channels && channels.kind === 'seq')
        for (const c of channels.items) {
          const url = c && c.kind === 'map' ? get(c, 'url') : c;
          if (url && url.kind === 'scalar' && url.value) lockEnv.channels.push({ url: url.value, span: url.span });
        }
      lockEnv.indexes = scalarTexts(get(env, 'indexes'));
      envIndexes.set(envPair.key, lockEnv.indexes);
      const perPlatform = get(env, 'packages');
      if (!perPlatform || perPlatform.kind !== 'map') continue;
      for (const platPair of perPlatform.pairs) {
        lockEnv.platforms.push(platPair.key);
        const list = platPair.value;
        if (!list || list.kind !== 'seq') continue;
        for (const sel of list.items) {
          if (!sel || sel.kind !== 'map') continue;
          // `- conda: URL` or `- pypi: URL` (looked up by key: the selector's pairs are not made).
          let kind: 'conda' | 'pypi' = 'conda';
          let location = str(get(sel, 'conda'));
          if (location === null) {
            kind = 'pypi';
            location = str(get(sel, 'pypi'));
          }
          if (location === null) {
            kind = 'conda';
            location = str(get(sel, 'conda_source'));
          }
          if (!location) continue;
          const rec = records[kind].get(location);
          if (!rec) {
            addSyntax(
              out,
              sel.span,
              `Environment ${envPair.key} (${platPair.key}) names a package that no record of \`packages\` has.`,
            );
            continue;
          }
          let byPlatform = uses.get(rec);
          if (!byPlatform) uses.set(rec, (byPlatform = new Map()));
          const envs = byPlatform.get(platPair.key) ?? [];
          if (!envs.includes(envPair.key)) envs.push(envPair.key);
          byPlatform.set(platPair.key, envs);
        }
      }
    }
  } else if (envsNode) addSyntax(out, envsNode.span, '`environments` must map environment names to their packages.');

  const platforms: { name: string; span: Span }[] = [];
  const platformsNode = get(root, 'platforms');
  if (platformsNode && platformsNode.kind === 'seq') {
    for (const p of platformsNode.items) {
      const name = p && p.kind === 'map' ? get(p, 'name') : p;
      if (name && name.kind === 'scalar' && name.value) platforms.push({ name: name.value, span: name.span });
    }
  } else {
    // Version 6 lists no platforms: those the environments name.
    const seen = new Set<string>();
    for (const e of environments)
      for (const p of e.platforms)
        if (!seen.has(p)) {
          seen.add(p);
          platforms.push({ name: p, span: e.span });
        }
  }

  const packages: LockedPackage[] = [];
  for (const rec of [...records.conda.values(), ...records.pypi.values()]) {
    const byPlatform = uses.get(rec);
    if (!byPlatform) {
      packages.push(rec.build(undefined, []));
      continue;
    }
    for (const [platform, envs] of byPlatform) packages.push(rec.build(platform, envs));
  }
  out.lock = {
    format: 'pixi',
    version,
    requiresPython: '',
    universal: true,
    packages,
    conda: { platforms, environments },
  };
  // A PyPI record's index is its own `index`, else the first index of an environment that installs it.
  for (const p of packages)
    if (p.ecosystem === 'pypi' && p.source.kind === 'index' && !p.source.url) {
      const idx = (p.environments ?? []).flatMap((e) => envIndexes.get(e) ?? [])[0];
      p.source = idx ? { kind: 'index', url: idx } : { kind: 'unknown' };
    }
  return out;
}

/** One record of `packages:`; null (with a finding) where it has no location. */
function readRecord(out: ParsedFile, map: YMap): PixiRecord | null {
  const first = firstPair(map);
  const kindKey = first?.key;
  if (kindKey === 'conda' || kindKey === 'conda_source') return condaRecord(out, map, first!.value);
  if (kindKey === 'pypi') return pypiRecord(out, map, first!.value);
  addSyntax(out, map.span, 'A package record starts with its location: `conda:` or `pypi:`.');
  return null;
}

function condaRecord(out: ParsedFile, map: YMap, locationNode: YNode | null): PixiRecord | null {
  const location = str(locationNode);
  if (!location || !locationNode || locationNode.kind !== 'scalar') {
    addSyntax(out, map.span, 'A conda record needs its URL or path.');
    return null;
  }
  const loc = locationNode;
  const parts = condaUrlParts(location);
  // A source package (`conda_source`) is named by `name[hash] @ location`.
  const sourceId = parts ? null : /^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*@\s*(.+)$/.exec(location);
  const nameNode = get(map, 'name');
  const versionNode = get(map, 'version');
  const name = str(nameNode) ?? parts?.name ?? sourceId?.[1] ?? null;
  const version = str(versionNode) ?? parts?.version ?? '';
  if (!name) {
    addSyntax(out, loc.span, 'The record has no `name` and its file name does not say it (name-version-build).');
    return null;
  }
  const build = str(get(map, 'build')) ?? parts?.build ?? '';
  const subdir = str(get(map, 'subdir')) ?? parts?.subdir ?? '';
  const channel = str(get(map, 'channel')) ?? parts?.channel ?? '';
  const nameSpan =
    nameNode && nameNode.kind === 'scalar'
      ? textSpan(nameNode)
      : parts
        ? subSpan(loc, parts.nameAt, parts.nameAt + parts.name.length)
        : sourceId
          ? subSpan(loc, 0, sourceId[1]!.length)
          : loc.span;
  const versionSpan =
    versionNode && versionNode.kind === 'scalar'
      ? textSpan(versionNode)
      : parts
        ? subSpan(loc, parts.versionAt, parts.versionAt + parts.version.length)
        : { start: nameSpan.end, end: nameSpan.end };
  const depends = scalarTexts(get(map, 'depends'));
  const constrains = scalarTexts(get(map, 'constrains'));
  const source: LockSource = sourceId
    ? { kind: 'path', path: sourceId[2]!, editable: false }
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(location)
      ? { kind: 'channel', url: channel }
      : { kind: 'path', path: location, editable: false };
  return {
    ecosystem: 'conda',
    location,
    map,
    build: (platform, environments) => ({
      file: out.path,
      ecosystem: 'conda',
      name: name.toLowerCase(),
      rawName: name,
      version,
      source,
      marker: '',
      platform: platform ?? subdir,
      environments,
      dependencies: depends,
      wheels: parts ? [parts.fileName] : [],
      sdist: false,
      conda: { build, subdir, channel, depends, constrains },
      span: map.span,
      nameSpan,
      versionSpan,
    }),
  };
}

function pypiRecord(out: ParsedFile, map: YMap, locationNode: YNode | null): PixiRecord | null {
  const location = str(locationNode);
  const nameNode = get(map, 'name');
  const name = str(nameNode);
  if (!location || !name || !nameNode) {
    addSyntax(out, map.span, 'A PyPI record needs its location (`pypi:`) and `name`.');
    return null;
  }
  const versionNode = get(map, 'version');
  const version = str(versionNode) ?? '';
  const file =
    location
      .replace(/[?#].*$/, '')
      .split('/')
      .pop() ?? '';
  const wheel = file.endsWith('.whl');
  const source: LockSource = location.startsWith('git+')
    ? { kind: 'git', url: location }
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(location)
      ? str(get(map, 'index')) || wheel || /\.(tar\.gz|zip|tar\.bz2)$/.test(file)
        ? { kind: 'index', url: str(get(map, 'index')) ?? '' }
        : { kind: 'url', url: location }
      : { kind: 'path', path: location, editable: str(get(map, 'editable')) === 'true' };
  const nameSpan = textSpan(nameNode as YScalar);
  const versionSpan = valueSpan(versionNode, nameSpan.end);
  const requiresDist = scalarTexts(get(map, 'requires_dist'));
  return {
    ecosystem: 'pypi',
    location,
    map,
    build: (platform, environments) => ({
      file: out.path,
      ecosystem: 'pypi',
      name: canonicalizeName(name),
      rawName: name,
      version,
      source: { ...source },
      marker: platform ? platformMarker(platform) : '',
      ...(platform ? { platform } : {}),
      environments,
      dependencies: requiresDist,
      wheels: wheel ? [file] : [],
      sdist: !wheel && /\.(tar\.gz|zip)$/.test(file),
      span: map.span,
      nameSpan,
      versionSpan,
    }),
  };
}
