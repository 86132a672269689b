// The machine profile (as `stack-doctor probe` prints it), loading one from a file, and its marker environment.
import * as fs from 'node:fs';
import { defaultEnvironment, type MarkerEnvironment } from '../pep/marker';

/**
 * What the system checks judge against. A field that was not probed is omitted (unknown), which is not
 * the same as empty (probed, nothing found); `nvidia`, `cudaToolkit` and `cudnn` are null where probed and absent.
 */
export interface MachineProfile {
  os: 'linux' | 'darwin' | 'windows' | string;
  /** `x86_64`, `aarch64`, `arm64` (macOS). */
  arch: string;
  libc?: { kind: 'glibc' | 'musl'; version: string } | null;
  /** `family`: debian, rhel, alpine, arch, suse, macos. */
  distro?: { id: string; version: string; family: string } | null;
  python?: { version: string; implementation: string };
  /** apt, dnf, zypper, apk, pacman, brew. */
  packageManager?: string;
  /** Installed system package names. */
  systemPackages?: string[];
  /** Sonames the dynamic loader finds (`libGL.so.1`). */
  sharedLibraries?: string[];
  /** pkg-config module names. */
  pkgConfig?: string[];
  /**
   * The NVIDIA driver; `cuda` is the newest CUDA it supports (the `CUDA Version` of `nvidia-smi`), absent when unknown.
   */
  nvidia?: { driver: string; cuda?: string; gpus: { name: string; computeCapability: string }[] } | null;
  /** The installed CUDA toolkit's major.minor (`nvcc`). */
  cudaToolkit?: string | null;
  cudnn?: string | null;
}

export class ProfileError extends Error {}

const LISTS = ['systemPackages', 'sharedLibraries', 'pkgConfig'] as const;
const STRINGS = ['packageManager', 'cudaToolkit', 'cudnn'] as const;

/**
 * Checks the shape of parsed profile data; a ProfileError names the first field that is wrong. Missing fields are fine
 * (unknown).
 */
export function validateProfile(data: unknown, name = 'profile'): MachineProfile {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new ProfileError(`${name} must be a JSON object like the one \`stack-doctor probe\` prints`);
  const p = data as Record<string, unknown>;
  if (typeof p.os !== 'string' || typeof p.arch !== 'string')
    throw new ProfileError(`${name} needs string fields "os" and "arch"`);
  const py = p.python as Record<string, unknown> | undefined;
  if (py !== undefined && (typeof py !== 'object' || py === null || typeof py.version !== 'string'))
    throw new ProfileError(`${name}: "python" must be {"version": "3.11.7", "implementation": "cpython"}`);
  for (const k of LISTS) {
    const v = p[k];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string')))
      throw new ProfileError(`${name}: "${k}" must be a list of strings (or left out when unknown)`);
  }
  for (const k of STRINGS) {
    const v = p[k];
    if (v !== undefined && v !== null && typeof v !== 'string')
      throw new ProfileError(`${name}: "${k}" must be a string, null, or left out`);
  }
  const libc = p.libc as Record<string, unknown> | null | undefined;
  if (
    libc !== undefined &&
    libc !== null &&
    (typeof libc !== 'object' || (libc.kind !== 'glibc' && libc.kind !== 'musl') || typeof libc.version !== 'string')
  )
    throw new ProfileError(`${name}: "libc" must be {"kind": "glibc" | "musl", "version": "2.36"}`);
  const distro = p.distro as Record<string, unknown> | null | undefined;
  if (
    distro !== undefined &&
    distro !== null &&
    (typeof distro !== 'object' || typeof distro.id !== 'string' || typeof distro.family !== 'string')
  )
    throw new ProfileError(`${name}: "distro" must be {"id": "debian", "version": "12", "family": "debian"}`);
  const nv = p.nvidia as Record<string, unknown> | null | undefined;
  if (nv !== undefined && nv !== null) {
    if (typeof nv !== 'object' || typeof nv.driver !== 'string' || !/^\d+(\.\d+)*$/.test(nv.driver))
      throw new ProfileError(
        `${name}: "nvidia" must be null (no NVIDIA GPU) or {"driver": "535.104.05", "cuda": "12.2", "gpus": [...]}`,
      );
    if (nv.cuda !== undefined && typeof nv.cuda !== 'string')
      throw new ProfileError(`${name}: "nvidia.cuda" must be a string like "12.2"`);
    if (nv.gpus === undefined) nv.gpus = [];
    else if (!Array.isArray(nv.gpus)) throw new ProfileError(`${name}: "nvidia.gpus" must be a list`);
  }
  return p as unknown as MachineProfile;
}

/** Reads and validates a profile file; a clear ProfileError says what is wrong with it. */
export function loadProfile(file: string): MachineProfile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfileError(
      `cannot read profile '${file}': ` +
        `${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`profile '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  return validateProfile(data, `profile '${file}'`);
}

const platformOf: Record<string, 'linux' | 'darwin' | 'win32'> = {
  linux: 'linux',
  darwin: 'darwin',
  macos: 'darwin',
  windows: 'win32',
  win32: 'win32',
};

/** PEP 508 marker variables for the machine a profile describes. */
export function markerEnvironmentFor(profile: MachineProfile): MarkerEnvironment {
  const key = `${profile.python?.version}\0${profile.python?.implementation}\0${profile.os}\0${profile.arch}`;
  const hit = environments.get(profile);
  if (hit && hit.key === key) return hit.env;
  const env = defaultEnvironment({
    pythonVersion: profile.python?.version,
    platform: platformOf[profile.os] ?? 'linux',
    machine: profile.arch,
    implementation: profile.python?.implementation,
  });
  environments.set(profile, { key, env });
  return env;
}

/**
 * One environment per profile while the fields it is made of are unchanged: what is cached per environment (marker
 * results, the checks' findings kept across edits) stays valid from one analysis to the next.
 */
const environments = new WeakMap<MachineProfile, { key: string; env: MarkerEnvironment }>();

/**
 * The operating system a profile names, as the checks compare it (`macos` and `darwin` alike, `win32` as `windows`).
 */
export function targetOs(profile: MachineProfile): 'linux' | 'darwin' | 'windows' | 'other' {
  const p = platformOf[profile.os.toLowerCase()];
  return p === 'win32' ? 'windows' : (p ?? 'other');
}
