// `system-library`: a system library a package needs (to build, or at run time) is missing on the target.
import { finding } from '../model/finding';
import {
  systemLibraryRecord,
  type LibraryNeed,
  type PackageFamily,
  type SystemLibraryRecord,
} from '../knowledge/system-libraries';
import type { Dependency, Finding, Fix, ParsedFile } from '../model/types';
import { SpecifierSet } from '../pep/specifier';
import { targetOs, type MachineProfile } from '../system/profile';
import { pinnedVersion } from './cuda-builds';
import { answeredByLock, lockEntryOf, lockedFiles, lockedLabel, lockedOnTarget } from './locked';
import { markerHolds, scopeOf, uvLeavesOut } from './scope';
import type { Check, CheckContext } from './types';

/** A version far above any release: a specifier that admits it lets pip take the newest release. */
const NEWEST = '999999';

/**
 * The version the knowledge's version conditions are judged for: the pin, else "the newest" when the specifier has no
 * ceiling; null when neither.
 */
function versionToJudge(dep: Dependency): string | null {
  const pinned = pinnedVersion(dep);
  if (pinned) return pinned.split('+')[0]!;
  if (dep.url !== null || dep.specifierUnknown) return null;
  try {
    return !dep.specifier || SpecifierSet.parse(dep.specifier).contains(NEWEST, true) ? NEWEST : null;
  } catch {
    return null;
  }
}

/** Whether `version` satisfies a condition; null when the version is unknown. */
function satisfies(version: string | null, spec: string): boolean | null {
  if (version === null) return null;
  try {
    return SpecifierSet.parse(spec).contains(version, true);
  } catch {
    return null;
  }
}

/**
 * The package-manager family whose names apply on the target; null where the knowledge has none (Arch, SUSE, Windows).
 */
export function familyOf(profile: MachineProfile): PackageFamily | null {
  const os = targetOs(profile);
  if (os === 'darwin') return 'brew';
  if (os !== 'linux') return null;
  const f = profile.distro?.family;
  return f === 'debian' || f === 'rhel' || f === 'alpine' ? f : null;
}

/** The command that installs packages on the target; typed into a terminal, never run by the tool. */
export function installCommand(profile: MachineProfile, family: PackageFamily, packages: string[]): string {
  const list = packages.join(' ');
  switch (family) {
    case 'debian':
      return `sudo apt-get install -y ${list}`;
    case 'rhel':
      return `sudo ${profile.packageManager === 'yum' ? 'yum' : 'dnf'} install -y ${list}`;
    case 'alpine':
      return `sudo apk add ${list}`;
    case 'brew':
      return `brew install ${list}`;
  }
}

/**
 * What the index stage found about a requirement's wheels: false (only an sdist fits), true (a clean report that does
 * not list it), undefined (no such report).
 */
function indexSays(dep: Dependency, ctx: CheckContext, root: string): boolean | undefined {
  const report = ctx.index?.get(root);
  if (!report || report.unreachable.length > 0) return undefined;
  const same = (d: Dependency) => d.file === dep.file && d.span.start === dep.span.start;
  if (report.sdistOnly.some((s) => same(s.dep))) return false;
  if (
    report.conflicts.length ||
    report.gaveUp ||
    report.missing.some((m) => same(m.dep)) ||
    report.pythonExcluded.some((m) => same(m.dep))
  )
    return undefined;
  return true;
}

/**
 * Whether pip finds a wheel for the target: true, false (it builds from source), or null (unknown). The index's answer
 * wins over the knowledge's hints.
 */
function wheelFits(
  rec: SystemLibraryRecord,
  dep: Dependency,
  file: ParsedFile | undefined,
  ctx: CheckContext,
  root: string,
): boolean | null {
  const profile = ctx.profile;
  if (
    file?.options.some(
      (o) =>
        o.name === '--no-binary' &&
        o.value !== null &&
        o.value.split(',').some(
          (v) =>
            v.trim() === ':all:' ||
            v
              .trim()
              .toLowerCase()
              .replace(/[-_.]+/g, '-') === dep.name,
        ),
    )
  )
    return false;
  if (
    dep.options?.some(
      (o) =>
        /^--no-binary\b/.test(o) &&
        (o.includes(':all:') ||
          o
            .toLowerCase()
            .replace(/[-_.]+/g, '-')
            .includes(dep.name)),
    )
  )
    return false;
  const entry = lockEntryOf(dep);
  if (entry) {
    const files = lockedFiles(entry, ctx.profile).kind;
    if (files === 'wheel') return true;
    if (files === 'sdist') return false;
  }
  const fromIndex = entry ? undefined : indexSays(dep, ctx, root);
  if (fromIndex !== undefined) return fromIndex;
  if (rec.wheelsSince) {
    const before = satisfies(versionToJudge(dep), `<${rec.wheelsSince}`);
    if (before === null) return null;
    if (before) return false;
  }
  const os = targetOs(profile);
  if (os === 'darwin') return rec.wheels.macos;
  if (os === 'windows') return rec.wheels.windows;
  if (os !== 'linux') return null;
  const w =
    profile.libc?.kind === 'musl' ? rec.wheels.musllinux : profile.libc?.kind === 'glibc' ? rec.wheels.manylinux : null;
  // The knowledge's wheel facts are for x86_64; elsewhere only "no wheels at all" carries over.
  if (profile.arch !== 'x86_64' && w !== false) return null;
  return w;
}

function applies(
  need: LibraryNeed,
  dep: Dependency,
  profile: MachineProfile,
  defaultPlatforms: string[],
): boolean | null {
  if (!(need.platforms ?? defaultPlatforms).includes(targetOs(profile))) return false;
  if (need.exceptArch?.includes(profile.arch)) return false;
  return need.versions ? satisfies(versionToJudge(dep), need.versions) : true;
}

function sonameMatches(have: Set<string>, want: string): boolean {
  if (!want.endsWith('*')) return have.has(want);
  const prefix = want.slice(0, -1);
  for (const h of have) if (h.startsWith(prefix)) return true;
  return false;
}

/** Whether the target has a need: true / false from what was probed, null where nothing that was probed can tell. */
function present(
  need: LibraryNeed,
  family: PackageFamily | null,
  libs: Set<string> | null,
  pcs: Set<string> | null,
  pkgs: Set<string> | null,
): boolean | null {
  const verdicts: boolean[] = [];
  if (need.sonames && libs) verdicts.push(need.sonames.some((s) => sonameMatches(libs, s)));
  if (need.pkgConfig && pcs) verdicts.push(need.pkgConfig.some((n) => pcs.has(n)));
  const names = family ? need.packages[family] : undefined;
  if (names?.length && pkgs) verdicts.push(names.every((n) => pkgs.has(n)));
  if (verdicts.length === 0) return null;
  return verdicts.some((v) => v);
}

/** Messages lead with a verdict a Problems row shows whole. */
const VERDICT_MAX = 100;

/** "opencv-python needs libGL (OpenGL) at run time, not found on this machine", else shorter forms. */
function libraryVerdict(name: string, machine: string, build: LibraryNeed[], run: LibraryNeed[]): string {
  const whats = [...new Set([...build, ...run].map((n) => n.what))];
  const listed = whats.length > 1 ? `${whats.slice(0, -1).join(', ')} and ${whats[whats.length - 1]}` : whats[0]!;
  const how = build.length ? 'to build from source (no wheel fits)' : 'at run time';
  const forms = [
    `${name} needs ${listed} ${how}, not found on ${machine}`,
    `${name} needs ${listed}, not found on ${machine}`,
    `${name} needs ${whats.length === 1 ? 'a system library' : `${whats.length} system libraries`} ${how}, not found on ${machine}`,
    `${name} needs system libraries ${machine} lacks`,
  ];
  return forms.find((f) => f.length < VERDICT_MAX) ?? forms[forms.length - 1]!;
}

function describe(need: LibraryNeed): string {
  const hints = [...(need.sonames ?? []), ...(need.headers ?? []), ...(need.tools ?? [])];
  return hints.length ? `${need.what} (${hints.join(', ')})` : need.what;
}

/**
 * Flags a package whose system libraries the target lacks: run-time libraries always (`opencv-python` needs
 * `libGL.so.1` even from a wheel), build-time libraries and headers only when no wheel fits the target (from the
 * package index's answer where the index stage ran, else the knowledge's wheel hints: no wheels at all, none for
 * musl, none before a version, `--no-binary`), then with the
 * libraries a source build links to. A need is judged only from what the profile lists (`sharedLibraries`,
 * `pkgConfig`, `systemPackages`); a list that was not probed never yields a finding.
 *
 * Bad: `opencv-python` on a bare Debian server without `libgl1`. Good: `opencv-python-headless`.
 * Fixes: a wheel-only alternative where one exists (`psycopg2` -> `psycopg2-binary`, `opencv-python` ->
 * `opencv-python-headless`), and the distribution's install command (`sudo apt-get install -y libgl1`), typed
 * into a terminal, never run.
 */
export const systemLibrary: Check = {
  code: 'system-library',
  description: 'A system library the package needs (to build, or at run time) is missing on the target.',
  run(set, ctx) {
    const profile = ctx.profile;
    const libs = profile.sharedLibraries ? new Set(profile.sharedLibraries) : null;
    const pcs = profile.pkgConfig ? new Set(profile.pkgConfig) : null;
    const pkgs = profile.systemPackages ? new Set(profile.systemPackages) : null;
    if (!libs && !pcs && !pkgs) return [];
    const family = familyOf(profile);
    const out: Finding[] = [];
    const leftOut = uvLeavesOut(set, ctx.markerEnvironment);
    for (const file of set.files) {
      for (const dep of file.dependencies) {
        // The table first: it names few packages, and most lines are none of them.
        const rec = systemLibraryRecord(dep.name);
        if (!rec) continue;
        if (dep.kind === 'conda' || scopeOf(dep) === null || !markerHolds(dep, ctx.markerEnvironment)) continue;
        if (leftOut?.(dep)) continue;
        if (answeredByLock(dep, set, ctx.markerEnvironment)) continue;
        const f = judge(rec, dep, file, set.root, ctx, family, libs, pcs, pkgs);
        if (f) out.push(f);
      }
    }
    // Locked versions, on the lock entry: whether a wheel fits is what the lock lists.
    for (const { dep } of lockedOnTarget(set, ctx.markerEnvironment)) {
      const rec = systemLibraryRecord(dep.name);
      if (!rec) continue;
      const f = judge(
        rec,
        dep,
        set.files.find((x) => x.path === dep.file),
        set.root,
        ctx,
        family,
        libs,
        pcs,
        pkgs,
      );
      if (f) out.push(f);
    }
    return out;
  },
};

function judge(
  rec: SystemLibraryRecord,
  dep: Dependency,
  file: ParsedFile | undefined,
  root: string,
  ctx: CheckContext,
  family: PackageFamily | null,
  libs: Set<string> | null,
  pcs: Set<string> | null,
  pkgs: Set<string> | null,
): Finding | null {
  const profile = ctx.profile;
  const fromSource = wheelFits(rec, dep, file, ctx, root) === false;
  const missingRun: LibraryNeed[] = [];
  const missingBuild: LibraryNeed[] = [];
  for (const need of rec.runtime ?? []) {
    if (!need.withWheel && !fromSource) continue;
    if (applies(need, dep, profile, ['linux']) !== true) continue;
    if (present(need, family, libs, pcs, pkgs) === false) missingRun.push(need);
  }
  if (fromSource) {
    for (const need of rec.build ?? []) {
      if (need.optional || applies(need, dep, profile, ['linux', 'darwin']) !== true) continue;
      if (present(need, family, libs, pcs, pkgs) === false) missingBuild.push(need);
    }
  }
  if (missingRun.length === 0 && missingBuild.length === 0) return null;
  const parts: string[] = [];
  const name = lockedLabel(dep) ?? dep.rawName;
  const machine = ctx.machine ?? 'the target machine';
  if (missingBuild.length)
    parts.push(
      `${name} has no wheel for ${machine}, so pip builds it ` +
        `from source, which needs ${missingBuild.map(describe).join(', ')}`,
    );
  if (missingRun.length)
    parts.push(
      `${missingBuild.length ? 'at run time it needs' : `${name} needs at run time`} ` +
        `${missingRun.map(describe).join(', ')}`,
    );
  const message = `${libraryVerdict(name, machine, missingBuild, missingRun)}\n${parts.join('; ')}.`;
  const fixes: Fix[] = [];
  const alt = rec.alternative;
  // A lock entry is written by its tool: the alternative is for the manifest, not for the lock.
  if (alt && !lockEntryOf(dep) && (!alt.platforms || alt.platforms.includes(targetOs(profile)))) {
    const altRec = systemLibraryRecord(alt.package);
    const altClean =
      !altRec ||
      !judge(
        altRec,
        { ...dep, name: alt.package, span: { start: -1, end: -1 } },
        file,
        root,
        ctx,
        family,
        libs,
        pcs,
        pkgs,
      );
    if (altClean)
      fixes.push({
        title: `Use ${alt.package} instead (${alt.reason})`,
        edits: [{ file: dep.file, span: dep.nameSpan, newText: alt.package }],
        preferred: true,
      });
  }
  if (family) {
    const needs = [...missingBuild, ...missingRun];
    const names = needs.map((n) => n.packages[family]);
    if (names.every((n) => n && n.length > 0)) {
      const list = [...new Set(names.flat() as string[])];
      fixes.push({
        title: `Install ${list.join(' ')} (${family === 'brew' ? 'Homebrew' : (profile.distro?.id ?? family)})`,
        edits: [],
        run: installCommand(profile, family, list),
      });
    }
  }
  return finding('system-library', dep.file, dep.span, message, { fixes });
}
