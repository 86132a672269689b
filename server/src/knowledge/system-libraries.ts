// Python packages -> the system libraries they need at build and run time, with distribution package names and
// detection hints.
import data from './data/system-libraries.json';
import type { Confidence, Sourced } from './types';

/** Package-manager families whose package names the knowledge gives. */
export type PackageFamily = 'debian' | 'rhel' | 'alpine' | 'brew';

/** One library (or set of headers/tools) a package needs; alternatives are listed in each hint. */
export interface LibraryNeed {
  /** What a person would call it: `libGL (OpenGL)`. */
  what: string;
  /** Sonames that satisfy it (any one); a trailing `*` matches any version (`libgdal.so.*`). */
  sonames?: string[];
  /** pkg-config names that satisfy it (any one). */
  pkgConfig?: string[];
  headers?: string[];
  tools?: string[];
  /** The packages to install, per family (all of them). */
  packages: Partial<Record<PackageFamily, string[]>>;
  /** Run-time needs only: true when needed even after a wheel install; false when only after a source build. */
  withWheel?: boolean;
  /** Only on these operating systems (`linux`, `darwin`, `windows`). */
  platforms?: string[];
  /** Not on these architectures (`x86_64`). */
  exceptArch?: string[];
  /** Only for package versions in this PEP 440 specifier. */
  versions?: string;
  /** Build needs only: nice to have, never reported. */
  optional?: boolean;
  confidence?: Confidence;
}

/** Whether pip normally finds a wheel, per target; null: unknown. */
export interface WheelAvailability {
  manylinux: boolean | null;
  musllinux: boolean | null;
  macos: boolean | null;
  windows: boolean | null;
}

/** One PyPI package of docs/knowledge.md, System libraries. */
export interface SystemLibraryRecord extends Sourced {
  /** PEP 503 normalized name. */
  package: string;
  wheels: WheelAvailability;
  wheelsConfidence?: Confidence;
  /** Versions below this have no wheels anywhere (source only). */
  wheelsSince?: string;
  runtime?: LibraryNeed[];
  build?: LibraryNeed[];
  /** A package that installs from a wheel and needs none of this. */
  alternative?: { package: string; reason: string; platforms?: string[]; confidence?: Confidence };
  note?: string;
}

const records = (data as unknown as { packages: SystemLibraryRecord[] }).packages;
const byName = new Map(records.map((r) => [r.package, r]));

/** Every record. */
export const systemLibraryRecords: readonly SystemLibraryRecord[] = records;

/** The record of a normalized package name. */
export function systemLibraryRecord(name: string): SystemLibraryRecord | undefined {
  return byName.get(name);
}
