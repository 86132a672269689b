// The locked conda records of a set (pixi.lock, conda-lock.yml) judged against the target machine: the records of the
// target's platform only, by what they depend on and constrain (`__cuda`, `__glibc`, the `cuda-version` they lock).
// The registry adds these findings to those of cuda-driver, cuda-unavailable and system-library ({@link withLocked}).
import { subdirFor } from '../conda/channels';
import { parseMatchSpec, isMatchSpecError } from '../conda-spec/match-spec';
import { condaVersionSpecMatches } from '../conda-spec/version';
import { newestCudaForDriver } from '../knowledge/cuda';
import { parseCudaVersion } from '../knowledge/types';
import { finding } from '../model/finding';
import type { EnvironmentSet } from '../model/sets';
import type { Finding, LockedPackage, ParsedFile, Span } from '../model/types';
import { targetOs, type MachineProfile } from '../system/profile';
import { runsOnTarget } from './cuda-driver';
import type { Check, CheckContext } from './types';

/** A locked conda record of the target's platform, with its lock file. */
interface TargetRecord {
  file: ParsedFile;
  pkg: LockedPackage;
}

/** The locked conda records of the set's conda locks that the target's platform installs. */
function targetRecords(set: EnvironmentSet, profile: MachineProfile): TargetRecord[] {
  const subdir = subdirFor(profile);
  if (!subdir) return [];
  const out: TargetRecord[] = [];
  for (const file of set.files) {
    if (!file.lock?.conda) continue;
    for (const pkg of file.lock.packages)
      if (pkg.ecosystem === 'conda' && pkg.platform === subdir) out.push({ file, pkg });
  }
  return out;
}

/** A dependency or constraint of a record as name and version spec ('' for any). */
function specOf(text: string): { name: string; version: string } | null {
  const m = parseMatchSpec(text);
  if (isMatchSpecError(m)) return null;
  return { name: m.name.toLowerCase(), version: m.version.trim() };
}

/**
 * {@link specOf} that reads each distinct text once: a lock repeats the same few specs (`__glibc >=2.17,<3.0.a0`) on
 * thousands of records.
 */
function specReader(): (text: string) => { name: string; version: string } | null {
  const seen = new Map<string, { name: string; version: string } | null>();
  return (text) => {
    let s = seen.get(text);
    if (s === undefined) seen.set(text, (s = specOf(text)));
    return s;
  };
}

/** Where a finding on a record goes: its name and version where they are written together (a URL), else its name. */
function recordSpan(r: TargetRecord): Span {
  const { nameSpan, versionSpan } = r.pkg;
  if (versionSpan.start >= nameSpan.end && !r.file.text.slice(nameSpan.end, versionSpan.end).includes('\n'))
    return { start: nameSpan.start, end: versionSpan.end };
  return nameSpan;
}

const label = (p: LockedPackage): string => `${p.rawName} ${p.version}${p.conda?.build ? ` ${p.conda.build}` : ''}`;

/** The newest CUDA the target's driver supports, as conda's `__cuda` says it; null where unknown. */
function driverCuda(profile: MachineProfile): string | null {
  const nv = profile.nvidia;
  if (!nv) return null;
  if (nv.cuda) return nv.cuda;
  const os = targetOs(profile);
  if ((os !== 'linux' && os !== 'windows') || !/^\d+(\.\d+)*$/.test(nv.driver)) return null;
  const c = newestCudaForDriver(nv.driver, os);
  return c ? `${c.major}.${c.minor}` : null;
}

/** The `__cuda` specs a record depends on (`depends`, required) and constrains (`constrains`, where present). */
function cudaSpecs(
  p: LockedPackage,
  spec: (text: string) => { name: string; version: string } | null,
): { depends: string[]; constrains: string[] } {
  const pick = (list: readonly string[]) =>
    list.flatMap((t) => {
      if (!t.startsWith('__cuda')) return [];
      const s = spec(t);
      return s && s.name === '__cuda' ? [s.version] : [];
    });
  return { depends: pick(p.conda?.depends ?? []), constrains: pick(p.conda?.constrains ?? []) };
}

/**
 * `cuda-unavailable` on locked records that depend on `__cuda` where the target has no NVIDIA driver (`nvidia: null`):
 * conda and pixi refuse to install them there, and the CUDA code would not run.
 */
export function lockedCudaUnavailable(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  if (ctx.profile.nvidia !== null) return [];
  const out: Finding[] = [];
  const spec = specReader();
  for (const r of targetRecords(set, ctx.profile)) {
    if (!cudaSpecs(r.pkg, spec).depends.length) continue;
    out.push(
      finding(
        'cuda-unavailable',
        r.pkg.file,
        recordSpan(r),
        `${label(r.pkg)} is locked as a CUDA build (it depends on __cuda), but the target has no NVIDIA GPU ` +
          `driver: conda and pixi refuse to install it there (no __cuda), and it would not run on the CPU.`,
      ),
    );
  }
  return out;
}

/**
 * `cuda-driver` on locked records the target's driver cannot run: a `cuda-version` record newer than the driver runs
 * (NVIDIA's minor-version compatibility allowed), and a record whose `__cuda` dependency or constraint the driver's
 * CUDA version does not meet.
 */
export function lockedCudaDriver(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const nv = ctx.profile.nvidia;
  if (!nv) return [];
  const has = `${nv.driver}${nv.cuda ? ` (CUDA ${nv.cuda} at most)` : ''}`;
  const cuda = driverCuda(ctx.profile);
  const out: Finding[] = [];
  const spec = specReader();
  for (const r of targetRecords(set, ctx.profile)) {
    const p = r.pkg;
    if (p.name === 'cuda-version') {
      const v = parseCudaVersion(p.version);
      const judged = v ? runsOnTarget(ctx.profile, v) : null;
      if (judged && !judged.runs) {
        const need = judged.minimum
          ? `an NVIDIA driver >= ${judged.minimum}`
          : `a driver that supports CUDA ${p.version}`;
        out.push(
          finding(
            'cuda-driver',
            p.file,
            recordSpan(r),
            `The lock's CUDA packages are built for CUDA ${p.version} (cuda-version ${p.version}): they need ${need}, ` +
              `but the target's driver is ${has}; CUDA would not initialise.`,
          ),
        );
      }
      continue;
    }
    if (!cuda) continue;
    const specs = cudaSpecs(p, spec);
    const unmet = [...specs.depends, ...specs.constrains].find((s) => s && !condaVersionSpecMatches(s, cuda));
    if (unmet === undefined) continue;
    out.push(
      finding(
        'cuda-driver',
        p.file,
        recordSpan(r),
        `${label(p)} needs __cuda ${unmet}, but the target's driver is ${has}: conda and pixi refuse to install ` +
          `it there, and CUDA would not initialise.`,
      ),
    );
  }
  return out;
}

/**
 * `system-library` on locked records that need a newer glibc than the target's (`__glibc >=2.28` on a glibc 2.17
 * machine): conda and pixi refuse to install them there, and their binaries would not load.
 */
export function lockedGlibc(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const libc = ctx.profile.libc;
  if (!libc || libc.kind !== 'glibc' || !libc.version) return [];
  const out: Finding[] = [];
  // Each distinct `__glibc` spec judged once: the spec when the target's glibc does not meet it, else null.
  const unmet = new Map<string, { name: string; version: string } | null>();
  const judge = (t: string) => {
    let u = unmet.get(t);
    if (u === undefined) {
      const s = specOf(t);
      u = s?.name === '__glibc' && s.version && !condaVersionSpecMatches(s.version, libc.version) ? s : null;
      unmet.set(t, u);
    }
    return u;
  };
  for (const r of targetRecords(set, ctx.profile)) {
    let need: { name: string; version: string } | null = null;
    for (const t of r.pkg.conda?.depends ?? []) if (t.startsWith('__glibc') && (need = judge(t))) break;
    if (!need) continue;
    out.push(
      finding(
        'system-library',
        r.pkg.file,
        recordSpan(r),
        `${label(r.pkg)} needs glibc ${need.version} (__glibc), but the target has glibc ${libc.version}: conda and ` +
          `pixi refuse to install it there, and its binaries would not load.`,
      ),
    );
  }
  return out;
}

/** A check whose findings on the declared packages are followed by its findings on the locked conda records. */
export function withLocked(check: Check, locked: (set: EnvironmentSet, ctx: CheckContext) => Finding[]): Check {
  return { ...check, run: (set, ctx) => [...check.run(set, ctx), ...locked(set, ctx)] };
}
