// Probes this machine for the profile: OS, architecture, libc, distribution and Python; each probe bounded and optional.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { MachineProfile } from './profile';

/** Runs a program with an argument array (never a shell) and a timeout; undefined when it fails. */
export function run(file: string, args: string[], timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(file, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout));
    } catch {
      resolve(undefined);
    }
  });
}

/** `/etc/os-release` -> distro id, version and family (debian, rhel, alpine, arch, suse). */
export function parseOsRelease(text: string): { id: string; version: string; family: string } | null {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields[m[1]!] = m[2]!.replace(/^["']|["']$/g, '');
  }
  const id = fields.ID;
  if (!id) return null;
  const like = `${id} ${fields.ID_LIKE ?? ''}`.split(/\s+/);
  const family = ['debian', 'ubuntu'].some((x) => like.includes(x)) ? 'debian'
    : ['rhel', 'fedora', 'centos'].some((x) => like.includes(x)) ? 'rhel'
    : like.includes('alpine') ? 'alpine'
    : like.includes('arch') ? 'arch'
    : like.some((x) => x.includes('suse')) ? 'suse' : id;
  return { id, version: fields.VERSION_ID ?? '', family };
}

/** `ldd --version` / `getconf GNU_LIBC_VERSION` output -> libc kind and version. */
export function parseLibc(text: string): { kind: 'glibc' | 'musl'; version: string } | null {
  const musl = /musl libc[\s\S]*?Version\s+([\d.]+)/i.exec(text);
  if (musl) return { kind: 'musl', version: musl[1]! };
  const glibc = /(?:glibc|GNU libc|GLIBC)[^\d]*(\d+\.\d+)/.exec(text);
  return glibc ? { kind: 'glibc', version: glibc[1]! } : null;
}

const PY_SCRIPT = 'import sys,platform;print(platform.python_version());print(sys.implementation.name)';

/** Version and implementation of an interpreter, by running it once. */
export async function probePython(python: string): Promise<{ version: string; implementation: string } | undefined> {
  const out = await run(python, ['-c', PY_SCRIPT]);
  const [version, implementation] = (out ?? '').trim().split(/\r?\n/);
  return version && implementation ? { version, implementation } : undefined;
}

/** This machine's profile: what is known; a probe that fails leaves its field out. */
export async function probe(python = process.platform === 'win32' ? 'python' : 'python3'): Promise<MachineProfile> {
  const platform = process.platform;
  const profile: MachineProfile = { os: platform === 'win32' ? 'windows' : platform, arch: normalizeArch(os.arch()) };
  const [libcText, pyInfo] = await Promise.all([
    platform === 'linux' ? run('getconf', ['GNU_LIBC_VERSION']).then((t) => t ?? run('ldd', ['--version'])) : Promise.resolve(undefined),
    probePython(python),
  ]);
  if (platform === 'linux') {
    const libc = libcText ? parseLibc(libcText) : null;
    if (libc) profile.libc = libc;
    try {
      const distro = parseOsRelease(fs.readFileSync('/etc/os-release', 'utf8'));
      if (distro) profile.distro = distro;
    } catch {
      // no os-release: distro unknown
    }
  }
  if (pyInfo) profile.python = pyInfo;
  return profile;
}

function normalizeArch(a: string): string {
  return a === 'x64' ? 'x86_64' : a === 'arm64' ? (process.platform === 'darwin' ? 'arm64' : 'aarch64') : a;
}
