// The machine profile of DESIGN.md, loading one from a file, and the marker environment it implies.
import * as fs from 'node:fs';
import { defaultEnvironment, type MarkerEnvironment } from '../pep/marker';

export interface MachineProfile {
  os: 'linux' | 'darwin' | 'windows' | string;
  arch: string;
  libc?: { kind: 'glibc' | 'musl'; version: string } | null;
  distro?: { id: string; version: string; family: string } | null;
  python?: { version: string; implementation: string };
  packageManager?: string;
  systemPackages?: string[];
  sharedLibraries?: string[];
  pkgConfig?: string[];
  nvidia?: { driver: string; cuda: string; gpus: { name: string; computeCapability: string }[] } | null;
  cudaToolkit?: string | null;
  cudnn?: string | null;
}

export class ProfileError extends Error {}

/** Reads and validates a profile file; a clear ProfileError says what is wrong with it. */
export function loadProfile(file: string): MachineProfile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfileError(`cannot read profile '${file}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`profile '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new ProfileError(`profile '${file}' must be a JSON object like the one \`stack-doctor probe\` prints`);
  const p = data as Record<string, unknown>;
  if (typeof p.os !== 'string' || typeof p.arch !== 'string') throw new ProfileError(`profile '${file}' needs string fields "os" and "arch"`);
  const py = p.python as Record<string, unknown> | undefined;
  if (py !== undefined && (typeof py !== 'object' || py === null || typeof py.version !== 'string')) throw new ProfileError(`profile '${file}': "python" must be {"version": "3.11.7", "implementation": "cpython"}`);
  return p as unknown as MachineProfile;
}

const platformOf: Record<string, 'linux' | 'darwin' | 'win32'> = { linux: 'linux', darwin: 'darwin', macos: 'darwin', windows: 'win32', win32: 'win32' };

/** PEP 508 marker variables for the machine a profile describes. */
export function markerEnvironmentFor(profile: MachineProfile): MarkerEnvironment {
  return defaultEnvironment({
    pythonVersion: profile.python?.version,
    platform: platformOf[profile.os] ?? 'linux',
    machine: profile.arch,
    implementation: profile.python?.implementation,
  });
}
