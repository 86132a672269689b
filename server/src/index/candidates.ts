// Which files and versions pip 23.2 would consider for a target: tags, requires-python, yanked and pre-release rules.
import { defaultEnvironment, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { SpecifierSet } from '../pep/specifier';
import { Version, compareVersions } from '../pep/version';
import type { MachineProfile } from '../system/profile';
import { InvalidFilenameError, parseSdistFilename, parseWheelFilename, sdistExtension } from '../pep/filenames';
import type { DistributionFile } from './simple';
import { TagPriority, type TagTarget } from './tags';

/** The interpreter and machine that candidates are judged for. */
export interface Target {
  tags: TagTarget;
  /** Full Python version (`3.11.7`) for `requires-python`, as pip compares `sys.version_info[:3]`. */
  pythonFullVersion: string;
  /** Marker environment for Requires-Dist markers. */
  markers: MarkerEnvironment;
}

/** A target from a machine profile (Python 3.12 when the profile has none). */
export function targetFromProfile(p: MachineProfile): Target {
  const full = p.python?.version ?? '3.12.0';
  const [maj, min] = full.split('.').map(Number);
  const python: [number, number] = [maj ?? 3, min ?? 12];
  const os: TagTarget['os'] =
    p.os === 'darwin' || p.os === 'macos' ? 'macos' : p.os === 'windows' || p.os === 'win32' ? 'windows' : 'linux';
  const libcVersion = p.libc?.version.split('.').map(Number);
  const tags: TagTarget = {
    python,
    implementation: p.python?.implementation ?? 'cpython',
    os,
    arch: p.arch,
    ...(p.libc && libcVersion && libcVersion.length >= 2
      ? { libc: { kind: p.libc.kind, version: [libcVersion[0]!, libcVersion[1]!] as [number, number] } }
      : {}),
    ...(os === 'macos' ? { macos: macVersionOf(p) } : {}),
  };
  const markers = defaultEnvironment({
    pythonVersion: full,
    platform: os === 'macos' ? 'darwin' : os === 'windows' ? 'win32' : 'linux',
    machine: p.arch,
    implementation: p.python?.implementation ?? 'cpython',
  });
  return { tags, pythonFullVersion: full, markers };
}

function macVersionOf(p: MachineProfile): [number, number] {
  const v = p.distro?.family === 'macos' ? p.distro.version.split('.').map(Number) : [];
  return v.length >= 1 && Number.isFinite(v[0]) ? [v[0]!, v[0]! >= 11 ? 0 : (v[1] ?? 0)] : [11, 0];
}

/** Why a file (or, when all of its files are, a version) is not a candidate. */
export type ExclusionReason =
  | 'unsupported-format'
  | 'invalid-filename'
  | 'wrong-project'
  | 'incompatible-tags'
  | 'requires-python'
  | 'binary-policy'
  | 'yanked'
  | 'prerelease'
  | 'specifier';

/** One file judged for the target. */
export interface FileVerdict {
  file: DistributionFile;
  kind: 'wheel' | 'sdist' | 'other';
  version: Version | null;
  /** Index of the wheel's best tag in the target's tag list (lower is better); sdists sort after every wheel. */
  priority: number;
  /** Wheel build tag, for ordering. */
  build: [number, string] | null;
  /** Why the file can never be used for this target (yanked is decided later, per request). */
  excluded: { reason: ExclusionReason; detail: string } | null;
}

/** `--only-binary` / `--no-binary` for one project (`:all:` or names). */
export interface FormatControl {
  onlyBinary?: ReadonlySet<string>;
  noBinary?: ReadonlySet<string>;
}

function formatAllowed(fc: FormatControl | undefined, name: string, kind: 'wheel' | 'sdist'): boolean {
  if (!fc) return true;
  const has = (s: ReadonlySet<string> | undefined): boolean =>
    !!s && (s.has(name) || (s.has(':all:') && !s.has(`-${name}`)));
  if (kind === 'sdist') return !has(fc.onlyBinary);
  return !has(fc.noBinary);
}

/**
 * Judges every file for `project` and the target, as pip's `LinkEvaluator` does: format, file name, project
 * name, wheel tags, `requires-python` (an unparsable one is ignored, as pip does), format control.
 */
export function evaluateFiles(
  project: string,
  files: readonly DistributionFile[],
  target: Target,
  tagPriority: TagPriority,
  fc?: FormatControl,
): FileVerdict[] {
  const name = canonicalizeName(project);
  const py = Version.parse(target.pythonFullVersion);
  const out: FileVerdict[] = [];
  for (const file of files) {
    const v: FileVerdict = {
      file,
      kind: 'other',
      version: null,
      priority: Number.MAX_SAFE_INTEGER,
      build: null,
      excluded: null,
    };
    out.push(v);
    try {
      if (file.filename.endsWith('.whl')) {
        const w = parseWheelFilename(file.filename);
        v.kind = 'wheel';
        v.version = w.version;
        v.build = w.build;
        if (w.name !== name) {
          v.excluded = { reason: 'wrong-project', detail: `${file.filename} is not for ${name}` };
          continue;
        }
        v.priority = tagPriority.priority(w.tags);
        if (v.priority < 0) {
          v.excluded = { reason: 'incompatible-tags', detail: `none of the tags of ${file.filename} fit the target` };
          continue;
        }
      } else if (sdistExtension(file.filename)) {
        v.kind = 'sdist';
        const s = parseSdistFilename(file.filename, name);
        v.version = s.version;
        v.priority = Number.MAX_SAFE_INTEGER - 1;
      } else {
        v.excluded = { reason: 'unsupported-format', detail: `${file.filename} is not a wheel or sdist` };
        continue;
      }
    } catch (e) {
      if (!(e instanceof InvalidFilenameError)) throw e;
      v.excluded = { reason: v.kind === 'sdist' ? 'wrong-project' : 'invalid-filename', detail: e.message };
      continue;
    }
    if (!formatAllowed(fc, name, v.kind as 'wheel' | 'sdist')) {
      v.excluded = {
        reason: 'binary-policy',
        detail: `${v.kind === 'sdist' ? '--only-binary' : '--no-binary'} excludes ${file.filename}`,
      };
      continue;
    }
    if (file.requiresPython && py) {
      let spec: SpecifierSet | null = null;
      try {
        spec = SpecifierSet.parse(file.requiresPython);
      } catch {
        spec = null;
      }
      if (spec && !spec.contains(py))
        v.excluded = { reason: 'requires-python', detail: `${file.filename} requires Python ${file.requiresPython}` };
    }
  }
  return out;
}

/**
 * pip's file order (its `_sort_key`, best first): not yanked, then newer version, then better tag, then higher build.
 */
export function compareVerdicts(a: FileVerdict, b: FileVerdict): number {
  const ya = a.file.yanked === false ? 0 : 1;
  const yb = b.file.yanked === false ? 0 : 1;
  if (ya !== yb) return ya - yb;
  const vc = compareVersions(b.version!, a.version!);
  if (vc !== 0) return vc;
  if (a.priority !== b.priority) return a.priority - b.priority;
  const ba = a.build ?? [-1, ''];
  const bb = b.build ?? [-1, ''];
  if (ba[0] !== bb[0]) return bb[0] - ba[0];
  return ba[1] < bb[1] ? 1 : ba[1] > bb[1] ? -1 : 0;
}

/** Whether a specifier pins exactly (`===`, or `==` without `.*`): only then may yanked files be chosen. */
export function isPinned(spec: SpecifierSet): boolean {
  return spec.specifiers.some((s) => s.operator === '===' || (s.operator === '==' && !s.version.endsWith('.*')));
}

/** Whether the specifier set admits pre-releases by itself, with the vendored packaging 21.3 of pip 23.2. */
export function specifierImpliesPrereleases(spec: SpecifierSet): boolean {
  return spec.specifiers.some((s) => {
    if (!['==', '>=', '<=', '~=', '==='].includes(s.operator)) return false;
    const text = s.operator === '==' && s.version.endsWith('.*') ? s.version.slice(0, -2) : s.version;
    return Version.parse(text)?.isPrerelease ?? false;
  });
}

/**
 * pip 23.2's `SpecifierSet.filter(versions, prereleases=--pre or None)` (packaging 21.3): with `--pre` every
 * matching version; with no specifier, final releases, or pre-releases when there is no final one; with a
 * specifier, pre-releases only when one of its specifiers names a pre-release.
 */
export function pipFilterVersions(spec: SpecifierSet, versions: readonly Version[], pre: boolean): Version[] {
  if (spec.specifiers.length === 0) {
    if (pre) return [...versions];
    const finals = versions.filter((v) => !v.isPrerelease);
    return finals.length > 0 ? finals : [...versions];
  }
  const allowPre = pre || specifierImpliesPrereleases(spec);
  return versions.filter((v) => (allowPre || !v.isPrerelease) && spec.specifiers.every((s) => s.matches(v)));
}

/** The outcome for one version. */
export interface VersionVerdict {
  version: Version;
  /** Files usable for it, best first. */
  files: FileVerdict[];
  /** Why the version is not offered (when `files` is empty). */
  excluded: { reason: ExclusionReason; detail: string } | null;
}

/**
 * The versions pip would try for a requirement with `spec`, newest first, each with its usable files, and the
 * versions it would not, with the reason: files that never fit (tags, requires-python, ...), versions the
 * specifier or the pre-release rule filters out, and yanked files (allowed only when `spec` pins exactly and
 * every applicable file is yanked, as pip's factory decides).
 */
export function selectVersions(verdicts: readonly FileVerdict[], spec: SpecifierSet, pre: boolean): VersionVerdict[] {
  const usable = verdicts.filter((v) => v.excluded === null && v.version !== null);
  const byKey = new Map<string, Version>();
  for (const v of usable) byKey.set(v.version!.key, v.version!);
  const allowedKeys = new Set(pipFilterVersions(spec, [...byKey.values()], pre).map((v) => v.key));
  const applicable = usable.filter((v) => allowedKeys.has(v.version!.key));
  const allYanked = applicable.length > 0 && applicable.every((v) => v.file.yanked !== false);
  const yankOk = allYanked && isPinned(spec);
  const groups = new Map<string, VersionVerdict>();
  const group = (version: Version): VersionVerdict => {
    let g = groups.get(version.key);
    if (!g) groups.set(version.key, (g = { version, files: [], excluded: null }));
    return g;
  };
  for (const v of verdicts) {
    if (v.version === null) continue;
    const g = group(v.version);
    if (v.excluded) {
      g.excluded ??= v.excluded;
      continue;
    }
    if (!allowedKeys.has(v.version.key)) {
      const isPre = v.version.isPrerelease && spec.specifiers.every((s) => s.matches(v.version!));
      g.excluded = isPre
        ? { reason: 'prerelease', detail: `${v.version} is a pre-release` }
        : { reason: 'specifier', detail: `${v.version} is outside ${spec.toString() || '(any)'}` };
      continue;
    }
    if (v.file.yanked !== false && !yankOk) {
      if (!g.excluded || g.excluded.reason !== 'specifier')
        g.excluded = {
          reason: 'yanked',
          detail: `${v.file.filename} is yanked${v.file.yanked ? `: ${v.file.yanked}` : ''}`,
        };
      continue;
    }
    g.files.push(v);
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.files.sort(compareVerdicts);
    if (g.files.length > 0) g.excluded = null;
  }
  return out.sort((a, b) => compareVersions(b.version, a.version));
}
