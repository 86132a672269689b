// Locked versions judged like pins: which PyPI entries of a set's lock files the target installs, each as a
// declaration pinned to its locked version on the lock entry's line, and whether the lock lists a file the target can
// install. Where a lock answers for a package, the lock entry carries the findings about its version and the manifest
// line does not repeat them.
import type { EnvironmentSet } from '../model/sets';
import type { Dependency, LockedPackage, ParsedFile, Span } from '../model/types';
import { markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { parseRequirement } from '../pep/requirement';
import { Version } from '../pep/version';
import { TagPriority } from '../index/tags';
import { targetFromProfile } from '../index/candidates';
import type { MachineProfile } from '../system/profile';
import { conflictItems } from '../parsers/uv-lock';
import { withExtras } from './marker-equivalence';
import { installedDeclarations } from './scope';
import * as path from 'node:path';

/** A lock entry the target installs, with the declaration that stands for it in the checks. */
export interface LockedOnTarget {
  entry: LockedPackage;
  /** The lock file's base name (`uv.lock`), for messages. */
  lockName: string;
  /** `name==version` on the lock entry's version (see {@link lockedDependency}). */
  dep: Dependency;
  /**
   * '' for an entry installed without any extra or group; else the first uv conflict fork that installs it
   * (`extra:cu121`, `group:dev`): judged with what every install has, never with another fork's entries.
   */
  scope: string;
}

/** The declarations made for lock entries: fixes never edit them (a lock is written by its tool, not by hand). */
const lockedDeps = new WeakMap<Dependency, LockedPackage>();

/** True for a declaration that stands for a lock entry. */
export function isLockedDependency(dep: Dependency): boolean {
  return lockedDeps.has(dep);
}

/** The lock entry a declaration stands for, if it stands for one. */
export function lockEntryOf(dep: Dependency): LockedPackage | undefined {
  return lockedDeps.get(dep);
}

/** Where a finding on a lock entry goes: its version where it has one written, else its name. */
export function entrySpan(entry: LockedPackage): Span {
  return entry.versionSpan.end > entry.versionSpan.start ? entry.versionSpan : entry.nameSpan;
}

const depCache = new WeakMap<LockedPackage, Dependency | null>();

/**
 * The declaration that stands for a lock entry: `name==version`, always installed, its span the entry's version; null
 * where the locked version is not a PEP 440 version (the checks could not compare it).
 */
export function lockedDependency(entry: LockedPackage): Dependency | null {
  const hit = depCache.get(entry);
  if (hit !== undefined) return hit;
  let dep: Dependency | null = null;
  if (entry.ecosystem === 'pypi' && Version.parse(entry.version)) {
    dep = {
      file: entry.file,
      kind: 'requirement',
      name: entry.name,
      rawName: entry.rawName,
      extras: [],
      specifier: `==${entry.version}`,
      marker: '',
      url: null,
      editable: false,
      section: null,
      span: entrySpan(entry),
      nameSpan: entry.nameSpan,
      specifierSpan: entry.versionSpan,
      text: `${entry.rawName} ${entry.version}`,
      scopes: [''],
    };
    lockedDeps.set(dep, entry);
  }
  depCache.set(entry, dep);
  return dep;
}

/** The conflict forks (`extra:cu121`, `group:dev`) an entry was last found installed in; absent for the base. */
const forksOf = new WeakMap<LockedPackage, string[]>();

/** `for the extra 'cu121'`, `for the extras 'a' and 'b'`, `for the dependency group 'dev'`: which forks install it. */
export function forkWords(entry: LockedPackage): string {
  const forks = forksOf.get(entry);
  if (!forks?.length) return '';
  const extras = forks.filter((f) => f.startsWith('extra:')).map((f) => `'${f.slice(6)}'`);
  const groups = forks.filter((f) => f.startsWith('group:')).map((f) => `'${f.slice(6)}'`);
  const list = (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}` : xs[0]!);
  const parts = [
    ...(extras.length ? [`the extra${extras.length > 1 ? 's' : ''} ${list(extras)}`] : []),
    ...(groups.length ? [`the dependency group${groups.length > 1 ? 's' : ''} ${list(groups)}`] : []),
  ];
  return `for ${parts.join(' and ')}`;
}

/** ` (for the extra 'cu121')` after an entry of a conflict fork, for messages; '' for the base. */
export const forkNote = (entry: LockedPackage): string => {
  const words = forkWords(entry);
  return words ? ` (${words})` : '';
};

/**
 * How a locked package is labelled in messages: `torch 2.1.2+cu121 (locked in uv.lock)`, or for an entry of a uv
 * conflict fork `torch 2.1.2+cu121 (locked in uv.lock for the extra 'cu121')`.
 */
export function lockedLabel(dep: Dependency): string | null {
  const entry = lockedDeps.get(dep);
  if (!entry) return null;
  const fork = forkWords(entry);
  return `${entry.rawName} ${entry.version} (locked in ${path.basename(entry.file)}${fork ? ` ${fork}` : ''})`;
}

const cache = new WeakMap<
  EnvironmentSet,
  { env: MarkerEnvironment; out: LockedOnTarget[]; names: ReadonlySet<string> }
>();

/**
 * The PyPI entries of the set's lock files that the target installs. Where the lock records what each package depends
 * on, those reached from the set's roots (its editable and path entries: the project and its workspace members, and
 * the manifests' requirements the target installs) through dependencies whose marker holds; else every entry whose
 * own marker holds. Of a package locked several times (a uv fork per Python or platform), the entries whose marker
 * holds on the target.
 */
export function lockedOnTarget(set: EnvironmentSet, env: MarkerEnvironment): LockedOnTarget[] {
  return lockedOf(set, env).out;
}

/** What {@link lockedOnTarget} finds, with the names it answers for, computed once per set and target. */
function lockedOf(set: EnvironmentSet, env: MarkerEnvironment): { out: LockedOnTarget[]; names: ReadonlySet<string> } {
  const hit = cache.get(set);
  if (hit && hit.env === env) return hit;
  const out: LockedOnTarget[] = [];
  const locks = set.files.filter((f) => f.lock);
  if (locks.length) {
    const roots = new Set(
      installedDeclarations(set, env)
        .map((d) => d.dep)
        .filter((d) => d.kind === 'requirement' && !d.url && !isLockedDependency(d))
        .map((d) => d.name),
    );
    for (const lock of locks) out.push(...installedEntries(lock, roots, env));
  }
  const entry = { env, out, names: new Set(out.map((l) => l.entry.name)) };
  cache.set(set, entry);
  return entry;
}

function installedEntries(lock: ParsedFile, manifestRoots: Set<string>, env: MarkerEnvironment): LockedOnTarget[] {
  const lockName = path.basename(lock.path);
  const all = (lock.lock?.packages ?? []).filter((p) => p.ecosystem === 'pypi');
  const base = reachedEntries(all, manifestRoots, (text) => markerTextHolds(text, env));
  const out: LockedOnTarget[] = [];
  const add = (entry: LockedPackage, scope: string) => {
    if (entry.source.kind === 'path') return; // the project itself, a workspace member: not from an index
    const dep = lockedDependency(entry);
    if (dep) out.push({ entry, lockName, dep, scope });
  };
  for (const entry of base) {
    forksOf.delete(entry);
    add(entry, '');
  }
  // uv's conflict forks: entries installed only with one extra or group of a declared conflict, each judged with the
  // extra or group active (the project's own `extra == 'cu121'` and uv's `extra == 'extra-4-demo-cu121'`).
  const inBase = new Set(base);
  const forks = new Map<LockedPackage, string[]>();
  for (const item of conflictItemsOf(all)) {
    const active = new Set([item.marker]);
    const own = new Set([item.marker, item.name]);
    const holds = (text: string, from?: LockedPackage) =>
      markerTextHolds(withExtras(text, from && from.name === item.package ? own : active), env);
    for (const entry of reachedEntries(all, manifestRoots, holds))
      if (!inBase.has(entry)) (forks.get(entry) ?? forks.set(entry, []).get(entry)!).push(item.scope);
  }
  for (const [entry, scopes] of forks) {
    forksOf.set(entry, scopes);
    add(entry, scopes[0]!);
  }
  return out;
}

/** The conflict items uv's markers in a lock name (`extra == 'extra-4-demo-cu121'`), each once. */
function conflictItemsOf(entries: LockedPackage[]): { marker: string; package: string; name: string; scope: string }[] {
  const seen = new Map<string, { marker: string; package: string; name: string; scope: string }>();
  const scan = (text: string) => {
    if (!text.includes('extra-') && !text.includes('group-')) return;
    for (const item of conflictItems(text)) {
      const marker = `${item.kind}-${item.package.length}-${item.package}-${item.name}`;
      if (!seen.has(marker))
        seen.set(marker, {
          marker,
          package: canonicalizeName(item.package),
          name: item.name,
          scope: `${item.kind}:${item.name}`,
        });
    }
  };
  for (const e of entries) {
    scan(e.marker);
    for (const d of e.dependencies) scan(d);
  }
  return [...seen.values()];
}

/**
 * The entries installed where `holds` says which markers hold (of an entry's own and its dependencies'): where the lock
 * records what each package depends on, those reached from the roots (the path entries: the project and its
 * workspace members, and the manifests' requirements) through dependencies whose marker holds; else every entry whose
 * own marker holds.
 */
function reachedEntries(
  all: LockedPackage[],
  manifestRoots: Set<string>,
  holds: (marker: string, from?: LockedPackage) => boolean,
): LockedPackage[] {
  const pypi = all.filter((p) => holds(p.marker));
  if (!pypi.some((p) => p.dependencies.length)) return pypi;
  const byName = new Map<string, LockedPackage[]>();
  for (const p of pypi) (byName.get(p.name) ?? byName.set(p.name, []).get(p.name)!).push(p);
  const reached = new Set<string>();
  const work = [
    ...pypi.filter((p) => p.source.kind === 'path').map((p) => p.name),
    ...[...manifestRoots].filter((n) => byName.has(n)),
  ];
  while (work.length) {
    const name = work.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    for (const p of byName.get(name) ?? [])
      for (const d of p.dependencies) {
        const next = dependencyName(d, (m) => holds(m, p));
        if (next && !reached.has(next)) work.push(next);
      }
  }
  // Nothing reached (no project entry, no manifest): every entry whose marker holds.
  return reached.size ? pypi.filter((p) => reached.has(p.name)) : pypi;
}

/** The name a PEP 508 dependency string of a lock names, where its marker holds; null otherwise. */
function dependencyName(text: string, holds: (marker: string) => boolean): string | null {
  try {
    const r = parseRequirement(text);
    return r.markerText && !holds(r.markerText) ? null : canonicalizeName(r.name);
  } catch {
    return null;
  }
}

/** The names of packages a lock of the set answers for on the target: their manifest lines leave version facts to it. */
export function lockAnswers(set: EnvironmentSet, env: MarkerEnvironment): ReadonlySet<string> {
  return lockedOf(set, env).names;
}

/** A manifest declaration whose version facts the lock speaks for (never a lock entry's own declaration). */
export function answeredByLock(dep: Dependency, set: EnvironmentSet, env: MarkerEnvironment): boolean {
  return !isLockedDependency(dep) && dep.kind !== 'conda' && lockAnswers(set, env).has(dep.name);
}

/** What the files a lock lists for an entry give the target. */
export type LockedFiles =
  /** A wheel fits the target (with the fitting wheels: their file names and the versions they are named with). */
  | { kind: 'wheel'; wheels: { filename: string; version: string }[] }
  /** No wheel fits, and an sdist is listed: the installer builds it. */
  | { kind: 'sdist'; wheels: string[] }
  /** No wheel fits and no sdist: the lock cannot be installed on the target. */
  | { kind: 'none'; wheels: string[] }
  /** The target is not known well enough to say, or the lock lists no file (a path or git source, a bare entry). */
  | { kind: 'unknown' };

/** A wheel file name from what a lock writes (a name or a URL, `%2B` for `+`). */
function wheelName(written: string): string {
  // Most locks write the name alone: nothing to cut or decode.
  if (!/[\\/?#%]/.test(written)) return written;
  const base = (written.split(/[\\/]/).pop() ?? written).split(/[?#]/)[0]!;
  try {
    return base.includes('%') ? decodeURIComponent(base) : base;
  } catch {
    return base;
  }
}

/** The target's tag lists, and what each wheel tag triple (`cp311-cp311-manylinux_2_17_x86_64`) gives there. */
interface TagLists {
  lists: TagPriority[];
  /** Where the C library is unknown: a glibc and a musl list (new enough for any wheel); a wheel only they accept may fit. */
  assumed: TagPriority[];
  /** By tag triple: 'fits', 'maybe' (only an assumed list accepts it) or 'no'. Lock files repeat a few tags. */
  memo: Map<string, 'fits' | 'maybe' | 'no'>;
}

const tagLists = new WeakMap<MachineProfile, TagLists | null>();

/** The tag lists of the target; null where the profile does not say its Python. */
function tagListsOf(profile: MachineProfile): TagLists | null {
  let hit = tagLists.get(profile);
  if (hit !== undefined) return hit;
  hit = null;
  if (profile.python?.version && /^\d+\.\d+/.test(profile.python.version)) {
    const base = targetFromProfile(profile).tags;
    const assumed =
      base.os === 'linux' && !profile.libc
        ? [
            new TagPriority({ ...base, libc: { kind: 'glibc', version: [2, 99] } }),
            new TagPriority({ ...base, libc: { kind: 'musl', version: [1, 99] } }),
          ]
        : [];
    hit = { lists: [new TagPriority(base)], assumed, memo: new Map() };
  }
  tagLists.set(profile, hit);
  return hit;
}

/** What a wheel tag triple gives the target. */
function tagVerdict(tags: TagLists, triple: string): 'fits' | 'maybe' | 'no' {
  let v = tags.memo.get(triple);
  if (v === undefined) {
    v = tags.lists.some((t) => t.priority(triple) >= 0)
      ? 'fits'
      : tags.assumed.some((t) => t.priority(triple) >= 0)
        ? 'maybe'
        : 'no';
    if (tags.memo.size > 10_000) tags.memo.clear();
    tags.memo.set(triple, v);
  }
  return v;
}

/**
 * The version text and tag triple of a wheel file name (`name-version[-build]-python-abi-platform.whl`); null where it
 * is no wheel name.
 */
function wheelParts(filename: string): { version: string; tags: string } | null {
  if (!filename.endsWith('.whl')) return null;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  return { version: parts[1]!, tags: parts.slice(-3).join('-') };
}

const filesCache = new WeakMap<LockedPackage, { profile: MachineProfile; files: LockedFiles }>();

/** Whether the lock lists a file the target can install for an entry (pip's and uv's tag rules); computed once. */
export function lockedFiles(entry: LockedPackage, profile: MachineProfile): LockedFiles {
  const hit = filesCache.get(entry);
  if (hit && hit.profile === profile) return hit.files;
  const files = judgeFiles(entry, profile);
  filesCache.set(entry, { profile, files });
  return files;
}

function judgeFiles(entry: LockedPackage, profile: MachineProfile): LockedFiles {
  if (entry.source.kind !== 'index' && entry.source.kind !== 'url') return { kind: 'unknown' };
  // A lock that lists no file at all for an entry (an old Poetry lock without its file table) says nothing of them.
  if (!entry.wheels.length && !entry.sdist) return { kind: 'unknown' };
  const tags = tagListsOf(profile);
  if (!tags) return { kind: 'unknown' };
  const names = entry.wheels.map(wheelName);
  const fitting: { filename: string; version: string }[] = [];
  let maybe = false;
  for (const filename of names) {
    const w = wheelParts(filename);
    if (!w) continue;
    const v = tagVerdict(tags, w.tags);
    if (v === 'fits') fitting.push({ filename, version: w.version });
    else if (v === 'maybe') maybe = true;
  }
  if (fitting.length) return { kind: 'wheel', wheels: fitting };
  // The C library unknown: a wheel that fits a glibc or musl target of this Python might fit; nothing can be said.
  if (maybe) return { kind: 'unknown' };
  return entry.sdist ? { kind: 'sdist', wheels: names } : { kind: 'none', wheels: names };
}

/** `CPython 3.11 on linux x86_64`, for messages. */
export function describeTarget(profile: MachineProfile): string {
  const py = profile.python;
  const version = py?.version.split('.').slice(0, 2).join('.') ?? '';
  const impl = py?.implementation === 'pypy' ? 'PyPy' : 'CPython';
  return `${impl} ${version} on ${profile.os} ${profile.arch}`;
}
