// Parses conda-lock.yml (format version 1): `metadata` (channels, platforms, sources, content_hash) and `package`, one
// entry per package and platform: name, version, manager (conda or pip), platform, dependencies (name -> spec), url,
// hash, category, optional.
import type { LockedPackage, LockSource, ParsedFile, Span } from '../model/types';
import { canonicalizeName } from '../pep/name';
import { addSyntax, condaUrlParts, emptyLockFile, platformMarker } from './conda-records';
import { readLockYaml } from './lock-yaml';
import { get, pairOf, str, textSpan, type YMap, type YNode, type YScalar } from './lock-yaml-nodes';

/** The format version read. */
export const CONDA_LOCK_VERSION = 1;

/**
 * Reads a conda-lock.yml. Never throws: YAML errors, an entry without name, version, manager or platform are `syntax`
 * findings; a version other than 1 is an information finding and the file is not judged (conda-lock itself refuses a
 * file without one).
 */
export function parseCondaLock(path: string, text: string): ParsedFile {
  const out = emptyLockFile(path, 'conda-lock', text);
  const read = readLockYaml(text);
  for (const e of read.errors) addSyntax(out, e.span, e.message);
  const root = read.root;
  if (!root) return out;
  if (root.kind !== 'map') {
    addSyntax(out, root.span, 'A conda-lock file is a mapping with `version`, `metadata` and `package`.');
    return out;
  }
  const versionNode = get(root, 'version');
  const version = str(versionNode);
  if (!version) {
    addSyntax(out, { start: 0, end: Math.min(1, text.length) }, 'The conda-lock file has no `version`.');
    return out;
  }
  if (version !== String(CONDA_LOCK_VERSION)) {
    addSyntax(
      out,
      versionNode!.span,
      `conda-lock version ${version} is not the version Stack Doctor reads (1): the lock is not judged.`,
      'information',
    );
    return out;
  }
  const metadata = get(root, 'metadata');
  const channels: { url: string; span: Span }[] = [];
  const channelsNode = get(metadata, 'channels');
  if (channelsNode && channelsNode.kind === 'seq')
    for (const c of channelsNode.items) {
      const url = c && c.kind === 'map' ? get(c, 'url') : c;
      if (url && url.kind === 'scalar' && url.value) channels.push({ url: url.value, span: url.span });
    }
  const platforms: { name: string; span: Span }[] = [];
  const platformsNode = get(metadata, 'platforms');
  if (platformsNode && platformsNode.kind === 'seq')
    for (const p of platformsNode.items)
      if (p && p.kind === 'scalar' && p.value) platforms.push({ name: p.value, span: p.span });
  const metadataPair = pairOf(root, 'metadata');
  const sourcesNode = get(metadata, 'sources');
  const sources =
    sourcesNode && sourcesNode.kind === 'seq'
      ? sourcesNode.items.flatMap((s) => (s && s.kind === 'scalar' && s.value ? [s.value] : []))
      : undefined;

  const packages: LockedPackage[] = [];
  const list = get(root, 'package');
  if (list && list.kind === 'seq') {
    for (const item of list.items) {
      if (!item) continue;
      if (item.kind !== 'map') {
        addSyntax(out, item.span, 'A package entry is a mapping (name, version, manager, platform, ...).');
        continue;
      }
      const p = readEntry(out, item);
      if (p) packages.push(p);
    }
  } else if (list) addSyntax(out, list.span, '`package` must be a list of package entries.');

  out.lock = {
    format: 'conda-lock',
    version,
    requiresPython: '',
    universal: true,
    packages,
    conda: {
      platforms,
      environments: [
        {
          name: 'default',
          span: metadataPair?.keySpan ?? { start: 0, end: 0 },
          channels,
          indexes: [],
          platforms: platforms.map((p) => p.name),
        },
      ],
      ...(sources ? { sources } : {}),
    },
  };
  return out;
}

/** `dependencies` as conda-lock writes them (name -> spec) as match specs (conda) or PEP 508 strings (pip). */
function dependencyList(node: YNode | null | undefined, pip: boolean): string[] {
  if (!node || node.kind !== 'map') return [];
  return node.pairs.map((p) => {
    const spec = (str(p.value) ?? '').trim();
    if (!spec || spec === '*') return p.key;
    return pip ? `${p.key}${spec}` : `${p.key} ${spec}`;
  });
}

function readEntry(out: ParsedFile, map: YMap): LockedPackage | null {
  const nameNode = get(map, 'name');
  const versionNode = get(map, 'version');
  const name = str(nameNode);
  const version = str(versionNode);
  const manager = str(get(map, 'manager'));
  const platform = str(get(map, 'platform'));
  if (!name || version === null || !platform || (manager !== 'conda' && manager !== 'pip')) {
    addSyntax(out, map.span, 'A package entry needs `name`, `version`, `manager` (conda or pip) and `platform`.');
    return null;
  }
  const url = str(get(map, 'url')) ?? '';
  const nameSpan = textSpan(nameNode as YScalar);
  const versionSpan = versionNode ? textSpan(versionNode as YScalar) : { start: nameSpan.end, end: nameSpan.end };
  const pip = manager === 'pip';
  const dependencies = dependencyList(get(map, 'dependencies'), pip);
  const common = {
    file: out.path,
    rawName: name,
    version,
    platform,
    dependencies,
    span: map.span,
    nameSpan,
    versionSpan,
  };
  if (pip) {
    const file =
      url
        .replace(/[?#].*$/, '')
        .split('/')
        .pop() ?? '';
    const wheel = file.endsWith('.whl');
    // An archive from a package index (which one the lock does not say), a git or direct URL otherwise.
    const source: LockSource = url.startsWith('git+')
      ? { kind: 'git', url }
      : wheel || /\.(tar\.gz|zip)$/.test(file) || !url
        ? { kind: 'unknown' }
        : { kind: 'url', url };
    return {
      ...common,
      ecosystem: 'pypi',
      name: canonicalizeName(name),
      source,
      marker: platformMarker(platform),
      wheels: wheel ? [file] : [],
      sdist: !wheel && /\.(tar\.gz|zip)$/.test(file),
    };
  }
  const parts = condaUrlParts(url);
  return {
    ...common,
    ecosystem: 'conda',
    name: name.toLowerCase(),
    source: parts ? { kind: 'channel', url: parts.channel } : { kind: 'unknown' },
    marker: '',
    wheels: parts ? [parts.fileName] : [],
    sdist: false,
    conda: {
      build: parts?.build ?? '',
      subdir: parts?.subdir ?? platform,
      channel: parts?.channel ?? '',
      depends: dependencies,
      constrains: [],
    },
  };
}
