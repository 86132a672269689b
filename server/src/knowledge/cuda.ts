// CUDA toolkit releases -> the NVIDIA driver each needs, minor-version compatibility, and PyTorch-style `cuXYZ` variant
// names.
import data from './data/cuda-drivers.json';
import { compareDotted, type CudaVersion, type Sourced } from './types';

/** One toolkit release and the driver it shipped with (the minimum for full support). */
export interface CudaRelease extends Sourced {
  /** `12.1.1` */
  cuda: string;
  /** As NVIDIA's Table 3 names it: `12.1 Update 1`. */
  label: string;
  /** Minimum Linux x86_64 driver. */
  linux: string;
  /** Minimum Windows driver; null where NVIDIA lists none (13.x). */
  windows: string | null;
}

/** The minimum driver from which every minor of a major runs (with the limits of minor-version compatibility). */
export interface MinorCompatibility extends Sourced {
  major: number;
  linux: string;
  windows: string | null;
  note?: string;
}

interface CudaDriverData {
  releases: CudaRelease[];
  minorCompatibility: MinorCompatibility[];
  noMinorCompatibilityBelowMajor: number;
}

const d = data as unknown as CudaDriverData;

/** Every toolkit release of docs/knowledge.md (CUDA toolkit and NVIDIA driver), newest first. */
export const cudaReleases: readonly CudaRelease[] = d.releases;
/** Minor-version compatibility per major (11, 12, 13). */
export const minorCompatibility: readonly MinorCompatibility[] = d.minorCompatibility;

/** The platforms whose driver numbers the tables give. */
export type DriverPlatform = 'linux' | 'windows';

/**
 * The driver a CUDA major.minor needs for full support: that of its first (GA) release; null when the tables have no
 * such release.
 */
export function fullSupportDriver(cuda: { major: number; minor: number }, platform: DriverPlatform): string | null {
  const prefix = `${cuda.major}.${cuda.minor}.`;
  let best: string | null = null;
  for (const r of cudaReleases) {
    if (!(r.cuda + '.').startsWith(prefix)) continue;
    const drv = platform === 'linux' ? r.linux : r.windows;
    if (drv && (best === null || compareDotted(drv, best) < 0)) best = drv;
  }
  return best;
}

/**
 * The lowest driver that runs a CUDA build at all: for majors with minor-version compatibility (11 and
 * later) the major's compatibility minimum; for older majors, or an exact minor below it, the release's own driver.
 * null when the tables cannot say (an unknown release, or no Windows driver listed).
 */
export function minimumDriver(cuda: CudaVersion, platform: DriverPlatform): string | null {
  const mc = minorCompatibility.find((m) => m.major === cuda.major);
  if (mc && cuda.major >= d.noMinorCompatibilityBelowMajor) {
    const compat = platform === 'linux' ? mc.linux : mc.windows;
    if (compat === null) return null;
    // A minor whose own release needs less than the compatibility floor (11.0, 11.1) needs only its own driver.
    if (cuda.minor !== null) {
      const own = fullSupportDriver({ major: cuda.major, minor: cuda.minor }, platform);
      if (own && compareDotted(own, compat) < 0) return own;
    }
    return compat;
  }
  if (cuda.minor === null) {
    // Any minor of an old major: the lowest driver among its releases.
    const drivers = cudaReleases
      .filter((r) => r.cuda.startsWith(`${cuda.major}.`))
      .map((r) => (platform === 'linux' ? r.linux : r.windows))
      .filter((x): x is string => !!x);
    return drivers.sort(compareDotted)[0] ?? null;
  }
  return fullSupportDriver({ major: cuda.major, minor: cuda.minor }, platform);
}

/**
 * Whether a driver runs a CUDA build, and whether fully (not only through minor-version compatibility); null where
 * unknown.
 */
export function driverRuns(
  driver: string,
  cuda: CudaVersion,
  platform: DriverPlatform,
): { runs: boolean; full: boolean; minimum: string } | null {
  const min = minimumDriver(cuda, platform);
  if (min === null) return null;
  const runs = compareDotted(driver, min) >= 0;
  const fullDrv =
    cuda.minor === null ? min : (fullSupportDriver({ major: cuda.major, minor: cuda.minor }, platform) ?? min);
  return { runs, full: compareDotted(driver, fullDrv) >= 0, minimum: min };
}

/**
 * The newest CUDA major.minor whose full-support driver is at most `driver` (what `nvidia-smi` calls "CUDA Version");
 * null below every release.
 */
export function newestCudaForDriver(driver: string, platform: DriverPlatform): { major: number; minor: number } | null {
  let best: { major: number; minor: number } | null = null;
  for (const r of cudaReleases) {
    const drv = platform === 'linux' ? r.linux : r.windows;
    if (!drv || compareDotted(driver, drv) < 0) continue;
    const [maj, min] = r.cuda.split('.').map(Number);
    if (maj === undefined || min === undefined) continue;
    if (!best || maj > best.major || (maj === best.major && min > best.minor)) best = { major: maj, minor: min };
  }
  return best;
}

/** `cu121` -> 12.1, `cu118` -> 11.8, `cu102` -> 10.2, `cu130` -> 13.0: the last digit is the minor. */
export function variantToCuda(variant: string): { major: number; minor: number } | null {
  const m = /^cu(\d{2,3})$/.exec(variant);
  if (!m) return null;
  const digits = m[1]!;
  return { major: Number(digits.slice(0, -1)), minor: Number(digits.slice(-1)) };
}

/** 12.1 -> `cu121`. */
export function cudaToVariant(cuda: { major: number; minor: number }): string {
  return `cu${cuda.major}${cuda.minor}`;
}
