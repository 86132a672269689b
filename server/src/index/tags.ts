// The ordered list of wheel tags a target interpreter supports, as packaging.tags.sys_tags computes it for that
// machine.
import { parseTag, tagString, type Tag } from '../pep/filenames';

/** The machine and interpreter whose wheels are wanted. */
export interface TagTarget {
  /** `[major, minor]` of the Python version. */
  python: readonly [number, number];
  /** `sys.implementation.name`: `cpython` (default), `pypy`, `graalpy`, ... */
  implementation?: string;
  os: 'linux' | 'macos' | 'windows';
  /**
   * `platform.machine()`-style architecture: `x86_64`, `aarch64`, `i686`, `armv7l`, `arm64` (macOS),
   * `AMD64`/`ARM64`/`x86` (Windows).
   */
  arch: string;
  /** Linux: the C library and its `[major, minor]` version; absent means neither manylinux nor musllinux applies. */
  libc?: { kind: 'glibc' | 'musl'; version: readonly [number, number] };
  /** macOS `[major, minor]` (e.g. `[14, 0]`); required for `os: 'macos'`. */
  macos?: readonly [number, number];
  /** A free-threaded (`--disable-gil`) CPython build (3.13+). */
  freeThreaded?: boolean;
  /** The interpreter's own ABI tags, overriding the derived ones (e.g. `['pypy310_pp73']`). */
  abis?: readonly string[];
}

const SHORT_NAMES: Record<string, string> = { python: 'py', cpython: 'cp', pypy: 'pp', ironpython: 'ip', jython: 'jy' };

/** `packaging.tags.interpreter_name()` for an implementation name. */
export function interpreterName(implementation: string): string {
  const n = implementation.toLowerCase();
  return SHORT_NAMES[n] ?? n;
}

const LEGACY_MANYLINUX: Record<string, string> = {
  '2.17': 'manylinux2014',
  '2.12': 'manylinux2010',
  '2.5': 'manylinux1',
};
const MANYLINUX_ARCHS = new Set(['x86_64', 'aarch64', 'ppc64', 'ppc64le', 's390x', 'loongarch64', 'riscv64']);

/** `_manylinux.platform_tags(archs)` for a glibc version. */
function manylinuxPlatforms(archs: readonly string[], glibc: readonly [number, number]): string[] {
  const compatible = archs.includes('armv7l') || archs.includes('i686') || archs.some((a) => MANYLINUX_ARCHS.has(a));
  if (!compatible) return [];
  const tooOld: [number, number] = archs.some((a) => a === 'x86_64' || a === 'i686') ? [2, 4] : [2, 16];
  const maxList: [number, number][] = [[glibc[0], glibc[1]]];
  for (let major = glibc[0] - 1; major > 1; major--) maxList.push([major, 50]);
  const out: string[] = [];
  for (const arch of archs) {
    for (const [major, maxMinor] of maxList) {
      const minMinor = major === tooOld[0] ? tooOld[1] : -1;
      for (let minor = maxMinor; minor > minMinor; minor--) {
        out.push(`manylinux_${major}_${minor}_${arch}`);
        const legacy = LEGACY_MANYLINUX[`${major}.${minor}`];
        if (legacy) out.push(`${legacy}_${arch}`);
      }
    }
  }
  return out;
}

function linuxPlatforms(t: TagTarget): string[] {
  const arch = normalizeLinuxArch(t.arch);
  const archs = arch === 'armv8l' ? ['armv8l', 'armv7l'] : [arch];
  const out: string[] = [];
  if (t.libc?.kind === 'glibc') out.push(...manylinuxPlatforms(archs, t.libc.version));
  if (t.libc?.kind === 'musl') {
    for (const a of archs)
      for (let minor = t.libc.version[1]; minor >= 0; minor--) out.push(`musllinux_${t.libc.version[0]}_${minor}_${a}`);
  }
  for (const a of archs) out.push(`linux_${a}`);
  return out;
}

function normalizeLinuxArch(arch: string): string {
  const a = arch.toLowerCase().replace(/[.\- ]/g, '_');
  if (a === 'amd64' || a === 'x64') return 'x86_64';
  if (a === 'arm64') return 'aarch64';
  if (a === 'i386' || a === 'x86') return 'i686';
  return a;
}

function macBinaryFormats(version: readonly [number, number], arch: string): string[] {
  const lt = (a: readonly [number, number], b: readonly [number, number]): boolean =>
    a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const formats = [arch];
  if (arch === 'x86_64') {
    if (lt(version, [10, 4])) return [];
    formats.push('intel', 'fat64', 'fat32');
  } else if (arch === 'i386') {
    if (lt(version, [10, 4])) return [];
    formats.push('intel', 'fat32', 'fat');
  } else if (arch === 'ppc64') {
    if (lt([10, 5], version) || lt(version, [10, 4])) return [];
    formats.push('fat64');
  } else if (arch === 'ppc') {
    if (lt([10, 6], version)) return [];
    formats.push('fat32', 'fat');
  }
  if (arch === 'arm64' || arch === 'x86_64') formats.push('universal2');
  if (['x86_64', 'i386', 'ppc64', 'ppc', 'intel'].includes(arch)) formats.push('universal');
  return formats;
}

/** `packaging.tags.mac_platforms(version, arch)`. */
export function macPlatforms(version: readonly [number, number], arch: string): string[] {
  const a = arch === 'aarch64' ? 'arm64' : arch;
  const out: string[] = [];
  if (version[0] === 10) {
    for (let minor = version[1]; minor >= 0; minor--)
      for (const f of macBinaryFormats([10, minor], a)) out.push(`macosx_10_${minor}_${f}`);
  }
  if (version[0] >= 11) {
    for (let major = version[0]; major > 10; major--)
      for (const f of macBinaryFormats([major, 0], a)) out.push(`macosx_${major}_0_${f}`);
    for (let minor = 16; minor > 3; minor--) {
      if (a === 'x86_64') for (const f of macBinaryFormats([10, minor], a)) out.push(`macosx_10_${minor}_${f}`);
      else out.push(`macosx_10_${minor}_universal2`);
    }
  }
  return out;
}

function windowsPlatform(arch: string): string {
  const a = arch.toLowerCase();
  if (a === 'x86' || a === 'i386' || a === 'i686' || a === 'win32') return 'win32';
  if (a === 'arm64' || a === 'aarch64') return 'win_arm64';
  return 'win_amd64';
}

/** The platform tags of a target, best first (`packaging.tags.platform_tags()` on that machine). */
export function platformTags(t: TagTarget): string[] {
  switch (t.os) {
    case 'linux':
      return linuxPlatforms(t);
    case 'macos':
      return macPlatforms(t.macos ?? [11, 0], t.arch);
    case 'windows':
      return [windowsPlatform(t.arch)];
  }
}

/** `_cpython_abis` for a release (non-debug) build. */
function cpythonAbis(py: readonly [number, number], freeThreaded: boolean): string[] {
  const v = `${py[0]}${py[1]}`;
  const threading = freeThreaded && (py[0] > 3 || (py[0] === 3 && py[1] >= 13)) ? 't' : '';
  const pymalloc = py[0] === 3 && py[1] < 8 ? 'm' : '';
  return [`cp${v}${threading}${pymalloc}`];
}

/**
 * `packaging.tags.sys_tags()` as that interpreter on that machine would compute it: `cpython_tags` (or
 * `generic_tags`) followed by `compatible_tags`, best first, without duplicates.
 */
export function sysTags(t: TagTarget): Tag[] {
  const py = t.python;
  const nodot = `${py[0]}${py[1]}`;
  const name = interpreterName(t.implementation ?? 'cpython');
  const platforms = platformTags(t);
  const out: Tag[] = [];
  const push = (interpreter: string, abi: string, platform: string): void => {
    out.push({ interpreter, abi, platform });
  };
  if (name === 'cp') {
    const interpreter = `cp${nodot}`;
    const abis = (t.abis ? [...t.abis] : cpythonAbis(py, t.freeThreaded ?? false)).filter(
      (a) => a !== 'abi3' && a !== 'none',
    );
    for (const abi of abis) for (const p of platforms) push(interpreter, abi, p);
    const threading = /^cp\d+(.*)$/.exec(abis[0] ?? '')?.[1]?.includes('t') ?? false;
    const atLeast32 = py[0] > 3 || (py[0] === 3 && py[1] >= 2);
    const useAbi3 = atLeast32 && !threading;
    const useAbi3t = atLeast32 && threading;
    if (useAbi3) for (const p of platforms) push(interpreter, 'abi3', p);
    if (useAbi3t) for (const p of platforms) push(interpreter, 'abi3t', p);
    for (const p of platforms) push(interpreter, 'none', p);
    if (useAbi3 || useAbi3t) {
      for (let minor = py[1] - 1; minor > 1; minor--) {
        for (const p of platforms) {
          if (useAbi3) push(`cp${py[0]}${minor}`, 'abi3', p);
          if (useAbi3t) push(`cp${py[0]}${minor}`, 'abi3t', p);
        }
      }
    }
  } else {
    const interpreter = `${name}${nodot}`;
    const abis = t.abis ? [...t.abis] : name === 'pp' ? [`pypy${nodot}_pp73`] : [];
    if (!abis.includes('none')) abis.push('none');
    for (const abi of abis) for (const p of platforms) push(interpreter, abi, p);
  }
  const range = [`py${nodot}`, `py${py[0]}`];
  for (let minor = py[1] - 1; minor >= 0; minor--) range.push(`py${py[0]}${minor}`);
  for (const v of range) for (const p of platforms) push(v, 'none', p);
  const interp = name === 'pp' ? 'pp3' : name === 'cp' ? `cp${nodot}` : null;
  if (interp) push(interp, 'none', 'any');
  for (const v of range) push(v, 'none', 'any');
  return out;
}

/**
 * A tag priority table for a target: `priority(tags)` is the index of the best supported tag among a wheel's
 * tags (lower is better), or -1 when the wheel does not fit. pip ranks wheels by this index.
 */
export class TagPriority {
  private readonly index = new Map<string, number>();
  readonly tags: readonly Tag[];

  constructor(target: TagTarget) {
    this.tags = sysTags(target);
    this.tags.forEach((t, i) => {
      const k = tagString(t);
      if (!this.index.has(k)) this.index.set(k, i);
    });
  }

  /** The best (lowest) priority among the tags, or -1 when none is supported. */
  priority(tags: readonly Tag[] | string): number {
    const list = typeof tags === 'string' ? parseTag(tags) : tags;
    let best = -1;
    for (const t of list) {
      const i = this.index.get(tagString(t));
      if (i !== undefined && (best < 0 || i < best)) best = i;
    }
    return best;
  }
}
