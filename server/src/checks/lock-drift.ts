// `lock-drift`: a lock file of the set no longer satisfies its manifest. Said on the manifest's line, with the lock
// entry as related location. The names-and-versions judge here holds for every lock format; a format whose lock
// records its inputs (uv's `[package.metadata]`, pixi's environments) adds its own judge to `FORMAT_JUDGES`.
import { finding } from '../model/finding';
import type { Dependency, Finding, LockFormat, LockInfo, LockedPackage, ParsedFile } from '../model/types';
import { pypiNameOfConda } from '../conda/pypi-names';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import * as path from 'node:path';
import { isLockFile, relockFix, type DriftJudge, type LockFile } from './drift-common';
import { condaLockDrift } from './drift-conda-lock';
import { isContentHashFinding, judgePoetryLock } from './drift-poetry';
import { pixiLockDrift } from './drift-pixi';
import { judgeUvLock } from './drift-uv';
import { markerHolds, scopesOf } from './scope';

export { isLockFile, LOCK_COMMANDS, relockFix, type DriftJudge, type LockFile } from './drift-common';
import type { Check, CheckContext } from './types';

/**
 * Judges of formats that record more than names and versions, each in its own module (`drift-<format>.ts`), imported
 * here: one row per such format.
 */
const FORMAT_JUDGES: { readonly [F in LockFormat]?: DriftJudge } = {
  uv: judgeUvLock,
  poetry: judgePoetryLock,
  'conda-lock': (lock, manifests) => condaLockDrift(lock, manifests, relockFix(lock)),
  pixi: (lock, manifests) => pixiLockDrift(lock, manifests, relockFix(lock)),
};

/** Formats that lock conda records too: there a PyPI requirement may be installed by a conda record of its name. */
const CONDA_FORMATS: ReadonlySet<LockFormat> = new Set(['pixi', 'conda-lock']);

/**
 * The entries that install the PyPI project `name`: its PyPI entries, and in a conda lock the conda records that
 * install it (pip and pixi take a conda package's Python distribution as installed).
 */
function entriesOf(lock: LockInfo, name: string): LockedPackage[] {
  const conda = CONDA_FORMATS.has(lock.format);
  return lock.packages.filter(
    (p) =>
      (p.ecosystem === 'pypi' && p.name === name) ||
      (conda && p.ecosystem === 'conda' && pypiNameOfConda(p.name) === name),
  );
}

/** Whether a locked version is one the specifier admits (a locked pre-release counts: the lock chose it). */
function admits(specifier: SpecifierSet, version: string): boolean {
  const v = Version.parse(version);
  return v !== null && specifier.contains(v, true);
}

/** The PyPI requirements of the manifests that a lock must satisfy: with a name, no URL, and installed in some scope. */
function lockedRequirements(manifests: readonly ParsedFile[]): Dependency[] {
  const out: Dependency[] = [];
  for (const f of manifests)
    for (const dep of f.dependencies)
      if (dep.kind === 'requirement' && !dep.url && !dep.editable && scopesOf(dep).length) out.push(dep);
  return out;
}

/** The names-and-versions rule: each requirement has an entry in the lock, and one whose version it admits. */
function namesAndVersions(lock: LockFile, manifests: readonly ParsedFile[], ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  const lockName = path.basename(lock.path);
  // A lock that records no inputs (PEP 751) can only be held to the manifest's names and versions: said so.
  const only = lock.lock.format === 'pylock' ? ` (${lockName} records no inputs: names and versions are compared)` : '';
  for (const dep of lockedRequirements(manifests)) {
    // A lock made for one environment holds only what that environment installs.
    if (!lock.lock.universal && !markerHolds(dep, ctx.markerEnvironment)) continue;
    const entries = entriesOf(lock.lock, dep.name);
    if (!entries.length) {
      out.push(
        finding(
          'lock-drift',
          dep.file,
          dep.nameSpan,
          `${lockName} has no entry for ${dep.rawName}: the lock is out of date${only}`,
          {
            fixes: [relockFix(lock, manifests)],
          },
        ),
      );
      continue;
    }
    if (!dep.specifier || dep.specifierUnknown) continue;
    let specifier: SpecifierSet;
    try {
      specifier = SpecifierSet.parse(dep.specifier);
    } catch {
      continue; // the parser reported it
    }
    if (entries.some((e) => admits(specifier, e.version))) continue;
    const versions = [...new Set(entries.map((e) => e.version))].join(', ');
    out.push(
      finding(
        'lock-drift',
        dep.file,
        dep.specifierSpan.end > dep.specifierSpan.start ? dep.specifierSpan : dep.span,
        `${lockName} locks ${dep.rawName} ${versions}, outside ${dep.specifier}: the lock is out of date${only}`,
        {
          related: entries.map((e) => ({
            file: e.file,
            span: e.span,
            message: `${e.rawName} ${e.version} is locked here`,
          })),
          fixes: [relockFix(lock, manifests)],
        },
      ),
    );
  }
  return out;
}

export const lockDrift: Check = {
  code: 'lock-drift',
  description: 'A lock file no longer satisfies its manifest',
  run(set, ctx) {
    const locks = set.files.filter(isLockFile);
    if (!locks.length) return [];
    const manifests = set.files.filter((f) => !isLockFile(f));
    if (!manifests.length) return [];
    const out: Finding[] = [];
    for (const lock of locks) {
      const base = namesAndVersions(lock, manifests, ctx);
      out.push(...base);
      const judge = FORMAT_JUDGES[lock.lock.format];
      if (!judge) continue;
      // One finding per cause: where names and versions already said a line is out of date, the format's judge
      // does not say it again.
      const overlaps = (f: Finding) =>
        base.some((b) => b.file === f.file && b.span.start < f.span.end && f.span.start < b.span.end);
      // Poetry's content hash says only that something changed: said when nothing more precise is.
      out.push(
        ...judge(lock, manifests, set, ctx).filter((f) => !overlaps(f) && !(base.length && isContentHashFinding(f))),
      );
    }
    return out;
  },
};
