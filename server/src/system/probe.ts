// Probes this machine for the profile: OS, libc, distribution, Python, libraries, packages, NVIDIA driver, CUDA toolkit
// and cuDNN; each probe bounded, parallel, optional.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { childProcess } from './lazy-modules';
import { childCwd, resolveProgram } from './program-path';
import { newestCudaForDriver } from '../knowledge/cuda';
import type { MachineProfile } from './profile';
import {
  cudnnFromLibraryName,
  parseApkInfo,
  parseBrewList,
  parseCudaVersionJson,
  parseCudnnHeader,
  parseDpkgQuery,
  parseLdconfigEntries,
  parseLibc,
  parseNvccVersion,
  parseNvidiaSmiHeader,
  parseNvidiaSmiQuery,
  parseOsRelease,
  parsePacmanQ,
  parsePkgConfigList,
  parseProcDriverVersion,
  parseRpmNames,
  parseSwVers,
  sonamesFromFileNames,
  type LdconfigEntry,
} from './probe-parsers';

/**
 * Runs a program with an argument array (never a shell), a timeout and a working folder outside any workspace (Windows:
 * found on PATH without the current folder); undefined when it fails.
 */
export function run(file: string, args: string[], timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      const program = resolveProgram(file);
      if (program === undefined) return resolve(undefined);
      childProcess().execFile(
        program,
        args,
        {
          timeout: timeoutMs,
          maxBuffer: 16 * 1024 * 1024,
          windowsHide: true,
          cwd: childCwd(),
          env: { ...process.env, LC_ALL: 'C' },
        },
        (err, stdout) => resolve(err ? undefined : stdout),
      );
    } catch {
      resolve(undefined);
    }
  });
}

/**
 * Runs the first of several programs that succeeds (`ldconfig`, then `/sbin/ldconfig` for users without /sbin on PATH).
 */
async function runFirst(files: string[], args: string[], timeoutMs?: number): Promise<string | undefined> {
  for (const f of files) {
    const out = await run(f, args, timeoutMs);
    if (out !== undefined) return out;
  }
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const PY_SCRIPT = 'import sys,platform;print(platform.python_version());print(sys.implementation.name)';

/**
 * Version and implementation of an interpreter, by running it once isolated (`-I`: neither the working folder nor
 * PYTHON* variables nor the user's site folder reach `sys.path`, so no file of a workspace is imported).
 */
export async function probePython(python: string): Promise<{ version: string; implementation: string } | undefined> {
  const out = await run(python, ['-I', '-c', PY_SCRIPT]);
  const [version, implementation] = (out ?? '').trim().split(/\r?\n/);
  return version && implementation ? { version, implementation } : undefined;
}

/** The installed-package listing of a family: the program, its arguments and its parser. */
const PACKAGE_LISTINGS: {
  manager: string;
  families: string[];
  file: string;
  args: string[];
  parse: (t: string) => string[];
}[] = [
  {
    manager: 'apt',
    families: ['debian'],
    file: 'dpkg-query',
    args: ['-W', '-f', '${db:Status-Abbrev}\t${Package}\t${Version}\n'],
    parse: parseDpkgQuery,
  },
  {
    manager: 'dnf',
    families: ['rhel', 'suse'],
    file: 'rpm',
    args: ['-qa', '--queryformat', '%{NAME}\n'],
    parse: parseRpmNames,
  },
  { manager: 'apk', families: ['alpine'], file: 'apk', args: ['info'], parse: parseApkInfo },
  { manager: 'pacman', families: ['arch'], file: 'pacman', args: ['-Q'], parse: parsePacmanQ },
];

/** Installed system packages: the family's own database first, then the others; undefined when none answers. */
async function probeLinuxPackages(
  family: string | undefined,
): Promise<{ manager: string; packages: string[] } | undefined> {
  const ordered = [
    ...PACKAGE_LISTINGS.filter((l) => family && l.families.includes(family)),
    ...PACKAGE_LISTINGS.filter((l) => !family || !l.families.includes(family)),
  ];
  for (const l of ordered) {
    const out = await run(l.file, l.args, 10_000);
    if (out === undefined) continue;
    const packages = l.parse(out);
    // An empty listing from a database that is not this system's (rpm installed on Debian) says nothing.
    if (packages.length > 0)
      return { manager: l.manager === 'dnf' && family === 'suse' ? 'zypper' : l.manager, packages };
  }
  return undefined;
}

/** Library directories scanned where there is no ld.so.cache (musl). */
const MUSL_LIBRARY_DIRS = ['/lib', '/usr/lib', '/usr/local/lib'];

async function probeSharedLibraries(
  libcKind: string | undefined,
): Promise<{ sonames: string[]; entries: LdconfigEntry[] } | undefined> {
  const out = await runFirst(['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig'], ['-p']);
  if (out !== undefined) {
    const entries = parseLdconfigEntries(out);
    if (entries.length > 0) return { sonames: [...new Set(entries.map((e) => e.soname))].sort(), entries };
  }
  if (libcKind !== 'musl') return undefined;
  const names: string[] = [];
  let any = false;
  for (const dir of MUSL_LIBRARY_DIRS) {
    try {
      names.push(...fs.readdirSync(dir));
      any = true;
    } catch {
      // a missing folder adds nothing
    }
  }
  return any ? { sonames: sonamesFromFileNames(names), entries: [] } : undefined;
}

type Nvidia = NonNullable<MachineProfile['nvidia']>;

/**
 * The NVIDIA driver and GPUs: `nvidia-smi` (query, then the banner for the CUDA version), else the kernel module's
 * version file; null when neither answers.
 */
async function probeNvidia(platform: NodeJS.Platform): Promise<Nvidia | null> {
  if (platform === 'darwin') return null;
  const smi = platform === 'win32' ? 'nvidia-smi.exe' : 'nvidia-smi';
  const [query, header] = await Promise.all([
    run(smi, ['--query-gpu=driver_version,name,compute_cap', '--format=csv,noheader'], 10_000).then(
      async (t) =>
        (t !== undefined && parseNvidiaSmiQuery(t)) ||
        parseNvidiaSmiQuery(
          (await run(smi, ['--query-gpu=driver_version,name', '--format=csv,noheader'], 10_000)) ?? '',
        ),
    ),
    run(smi, [], 10_000).then((t) => (t === undefined ? null : parseNvidiaSmiHeader(t))),
  ]);
  const driver =
    query?.driver ??
    header?.driver ??
    (platform === 'linux' ? parseProcDriverVersion(readText('/proc/driver/nvidia/version') ?? '') : null);
  if (!driver) return null;
  const cuda = header?.cuda ?? cudaOfDriver(driver, platform);
  const nvidia: Nvidia = { driver, cuda: cuda ?? '', gpus: query?.gpus ?? [] };
  if (!cuda) delete (nvidia as Partial<Nvidia>).cuda;
  return nvidia;
}

function cudaOfDriver(driver: string, platform: NodeJS.Platform): string | null {
  const c = newestCudaForDriver(driver, platform === 'win32' ? 'windows' : 'linux');
  return c ? `${c.major}.${c.minor}` : null;
}

/**
 * The CUDA toolkit: `nvcc --version`, else the newest `version.json` of /usr/local/cuda* (or %CUDA_PATH%); null when
 * there is none.
 */
async function probeCudaToolkit(platform: NodeJS.Platform): Promise<string | null> {
  const nvcc = await run(platform === 'win32' ? 'nvcc.exe' : 'nvcc', ['--version']);
  const fromNvcc = nvcc ? parseNvccVersion(nvcc) : null;
  if (fromNvcc) return fromNvcc;
  const dirs: string[] = [];
  if (process.env.CUDA_PATH) dirs.push(process.env.CUDA_PATH);
  if (platform !== 'win32') {
    dirs.push('/usr/local/cuda');
    try {
      dirs.push(
        ...fs
          .readdirSync('/usr/local')
          .filter((n) => /^cuda-\d+\.\d+$/.test(n))
          .sort()
          .reverse()
          .map((n) => path.join('/usr/local', n)),
      );
    } catch {
      // no /usr/local
    }
  }
  for (const dir of dirs) {
    const v = parseCudaVersionJson(readText(path.join(dir, 'version.json')) ?? '');
    if (v) return v;
  }
  return null;
}

const CUDNN_HEADERS = [
  '/usr/include/cudnn_version.h',
  '/usr/local/cuda/include/cudnn_version.h',
  '/usr/include/x86_64-linux-gnu/cudnn_version_v9.h',
  '/usr/include/x86_64-linux-gnu/cudnn_version_v8.h',
  '/usr/include/aarch64-linux-gnu/cudnn_version_v9.h',
  '/usr/include/aarch64-linux-gnu/cudnn_version_v8.h',
  '/usr/include/cudnn.h',
  '/usr/local/cuda/include/cudnn.h',
];

/**
 * cuDNN: its version header, else the file a `libcudnn.so.N` entry of the loader cache points to; null when neither
 * exists.
 */
function probeCudnn(entries: LdconfigEntry[]): string | null {
  for (const h of CUDNN_HEADERS) {
    const v = parseCudnnHeader(readText(h) ?? '');
    if (v) return v;
  }
  for (const e of entries) {
    if (!/^libcudnn\.so\.\d+$/.test(e.soname)) continue;
    let real = e.path;
    try {
      real = fs.realpathSync(e.path);
    } catch {
      // keep the soname's own version
    }
    const v = cudnnFromLibraryName(path.basename(real)) ?? cudnnFromLibraryName(e.soname);
    if (v) return v;
  }
  return null;
}

function normalizeArch(a: string): string {
  return a === 'x64'
    ? 'x86_64'
    : a === 'arm64'
      ? process.platform === 'darwin'
        ? 'arm64'
        : 'aarch64'
      : a === 'ia32'
        ? 'i686'
        : a;
}

async function probeUncached(python: string | undefined): Promise<MachineProfile> {
  const platform = process.platform;
  const profile: MachineProfile = { os: platform === 'win32' ? 'windows' : platform, arch: normalizeArch(os.arch()) };
  const interpreter = python ?? (platform === 'win32' ? 'python' : 'python3');
  const pyInfo = probePython(interpreter).then(
    async (p) => p ?? (python === undefined && platform === 'win32' ? probePython('py') : undefined),
  );
  const nvidia = probeNvidia(platform);
  const toolkit = platform === 'darwin' ? Promise.resolve(null) : probeCudaToolkit(platform);
  if (platform === 'linux') {
    const distro = parseOsRelease(readText('/etc/os-release') ?? readText('/usr/lib/os-release') ?? '');
    if (distro) profile.distro = distro;
    const libcText = await run('getconf', ['GNU_LIBC_VERSION']).then((t) =>
      t && parseLibc(t) ? t : run('ldd', ['--version']).then((o) => o ?? lddStderr()),
    );
    const libc = libcText ? parseLibc(libcText) : null;
    if (libc) profile.libc = libc;
    const [pkgs, libs, pc] = await Promise.all([
      probeLinuxPackages(distro?.family),
      probeSharedLibraries(libc?.kind),
      run('pkg-config', ['--list-all']),
    ]);
    if (pkgs) {
      profile.packageManager = pkgs.manager;
      profile.systemPackages = pkgs.packages;
    }
    if (libs) profile.sharedLibraries = libs.sonames;
    if (pc !== undefined) profile.pkgConfig = parsePkgConfigList(pc);
    profile.cudnn = probeCudnn(libs?.entries ?? []);
  } else if (platform === 'darwin') {
    const [sw, arch, brew, pc] = await Promise.all([
      run('sw_vers', []),
      run('uname', ['-m']),
      run('brew', ['list', '--formula', '-1'], 15_000),
      run('pkg-config', ['--list-all']),
    ]);
    const version = sw ? parseSwVers(sw) : null;
    if (version) profile.distro = { id: 'macos', version, family: 'macos' };
    if (arch?.trim()) profile.arch = arch.trim();
    if (brew !== undefined) {
      profile.packageManager = 'brew';
      profile.systemPackages = parseBrewList(brew);
    }
    if (pc !== undefined) profile.pkgConfig = parsePkgConfigList(pc);
    profile.cudnn = null;
  }
  const [py, nv, tk] = await Promise.all([pyInfo, nvidia, toolkit]);
  if (py) profile.python = py;
  profile.nvidia = nv;
  profile.cudaToolkit = tk;
  return ordered(profile);
}

const KEY_ORDER: (keyof MachineProfile)[] = [
  'os',
  'arch',
  'libc',
  'distro',
  'python',
  'packageManager',
  'systemPackages',
  'sharedLibraries',
  'pkgConfig',
  'nvidia',
  'cudaToolkit',
  'cudnn',
];

/** The profile with its keys in `KEY_ORDER`, so `stack-doctor probe` prints them in one order on every machine. */
function ordered(p: MachineProfile): MachineProfile {
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (p[k] !== undefined) out[k] = p[k];
  return out as unknown as MachineProfile;
}

/** musl's `ldd --version` prints its banner on stderr and exits 1: read it that way. */
function lddStderr(): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      childProcess().execFile(
        'ldd',
        ['--version'],
        { timeout: 5000, windowsHide: true, cwd: childCwd() },
        (_err, _stdout, stderr) => resolve(stderr ? String(stderr) : undefined),
      );
    } catch {
      resolve(undefined);
    }
  });
}

const cache = new Map<string, Promise<MachineProfile>>();

/**
 * This machine's profile: what is known; a probe that fails leaves its field out. Probed once per interpreter for the
 * session.
 */
export async function probe(python?: string): Promise<MachineProfile> {
  const key = python ?? '';
  let p = cache.get(key);
  if (!p) {
    p = probeUncached(python);
    cache.set(key, p);
  }
  // Callers may amend their copy (a fallback Python); the cached profile stays as probed.
  return structuredClone(await p);
}

/** Forgets the probed profiles, so the next `probe()` runs the programs again (a "re-probe" command, tests). */
export function clearProbeCache(): void {
  cache.clear();
}
