// Conda's virtual packages (__glibc, __cuda, __osx ...) for the machine a profile describes, with conda's overrides.
import type { MachineProfile } from '../system/profile';

/** One virtual package as the solver sees it. */
export interface VirtualPackage {
  name: string;
  version: string;
  build: string;
}

/** The archspec name conda reports for an architecture (the `__archspec` build string). */
function archspecOf(profile: MachineProfile): string {
  const a = profile.arch.toLowerCase();
  if (a === 'amd64' || a === 'x64') return 'x86_64';
  if (a === 'arm64' && /^(darwin|macos)$/i.test(profile.os)) return 'm1';
  if (a === 'arm64') return 'aarch64';
  return a;
}

/**
 * The virtual packages conda would detect on the profile's machine. `CONDA_OVERRIDE_CUDA`,
 * `CONDA_OVERRIDE_GLIBC`, `CONDA_OVERRIDE_OSX`, `CONDA_OVERRIDE_LINUX`, `CONDA_OVERRIDE_WIN` and
 * `CONDA_OVERRIDE_ARCHSPEC` replace the detected value as in conda; set but empty, the package is left out
 * (`CONDA_OVERRIDE_CUDA=""` means no `__cuda`). `__cuda` is the newest CUDA the driver supports; absent without
 * a driver (or when the profile does not know the driver).
 */
export function virtualPackages(
  profile: MachineProfile,
  env: Record<string, string | undefined> = process.env,
): VirtualPackage[] {
  const out: VirtualPackage[] = [];
  const add = (name: string, detected: string | null, override: string | undefined, build = '0'): void => {
    const v = override !== undefined ? override.trim() : detected;
    if (v) out.push({ name, version: v, build });
  };
  const os = profile.os.toLowerCase();
  if (os === 'linux') {
    out.push({ name: '__unix', version: '0', build: '0' });
    add('__linux', '0', env['CONDA_OVERRIDE_LINUX']);
    const glibc = profile.libc?.kind === 'glibc' ? profile.libc.version : null;
    add('__glibc', glibc, env['CONDA_OVERRIDE_GLIBC']);
  } else if (os === 'darwin' || os === 'macos') {
    out.push({ name: '__unix', version: '0', build: '0' });
    const osx = profile.distro?.family === 'macos' && profile.distro.version ? profile.distro.version : null;
    add('__osx', osx, env['CONDA_OVERRIDE_OSX']);
  } else if (os === 'windows' || os === 'win32') {
    add('__win', '0', env['CONDA_OVERRIDE_WIN']);
  }
  const arch =
    env['CONDA_OVERRIDE_ARCHSPEC'] !== undefined ? env['CONDA_OVERRIDE_ARCHSPEC'].trim() : archspecOf(profile);
  if (arch) out.push({ name: '__archspec', version: '1', build: arch });
  const cuda = profile.nvidia?.cuda ?? null;
  if (os !== 'darwin' && os !== 'macos') add('__cuda', cuda, env['CONDA_OVERRIDE_CUDA']);
  else if (env['CONDA_OVERRIDE_CUDA']) add('__cuda', null, env['CONDA_OVERRIDE_CUDA']);
  return out;
}

/** The `__cuda` version of a list, or null. */
export function cudaOf(vps: readonly VirtualPackage[]): string | null {
  return vps.find((v) => v.name === '__cuda')?.version ?? null;
}
