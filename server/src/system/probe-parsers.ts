// Pure parsers of what the probe programs print (ldconfig, pkg-config, package databases, nvidia-smi, nvcc, cuDNN
// headers, os-release).

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
  const family = ['debian', 'ubuntu'].some((x) => like.includes(x))
    ? 'debian'
    : ['rhel', 'fedora', 'centos'].some((x) => like.includes(x))
      ? 'rhel'
      : like.includes('alpine')
        ? 'alpine'
        : like.includes('arch')
          ? 'arch'
          : like.some((x) => x.includes('suse'))
            ? 'suse'
            : id;
  return { id, version: fields.VERSION_ID ?? '', family };
}

/** `ldd --version` / `getconf GNU_LIBC_VERSION` output -> libc kind and version. */
export function parseLibc(text: string): { kind: 'glibc' | 'musl'; version: string } | null {
  const musl = /musl libc[\s\S]*?Version\s+([\d.]+)/i.exec(text);
  if (musl) return { kind: 'musl', version: musl[1]! };
  const glibc = /(?:glibc|GNU libc|GLIBC)[^\d]*(\d+\.\d+)/.exec(text);
  return glibc ? { kind: 'glibc', version: glibc[1]! } : null;
}

/** One line of `ldconfig -p`: `libz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1`. */
export interface LdconfigEntry {
  soname: string;
  /** The flags in parentheses: `libc6,x86-64`. */
  flags: string;
  path: string;
}

/** Every entry of `ldconfig -p`, in its order; the header line and anything malformed are skipped. */
export function parseLdconfigEntries(text: string): LdconfigEntry[] {
  const out: LdconfigEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s+(\S+)\s+\(([^)]*)\)(?:\s*,\s*OS ABI:[^=]*)?\s*=>\s*(.+?)\s*$/.exec(line);
    if (m) out.push({ soname: m[1]!, flags: m[2]!, path: m[3]! });
  }
  return out;
}

/** The distinct sonames of `ldconfig -p`, sorted. */
export function parseLdconfig(text: string): string[] {
  return [...new Set(parseLdconfigEntries(text).map((e) => e.soname))].sort();
}

/**
 * Library file names in a directory listing that a loader would find by soname (`libGL.so.1`, `libc.musl-x86_64.so.1`).
 */
export function sonamesFromFileNames(names: string[]): string[] {
  return [...new Set(names.filter((n) => /^lib.+\.so(\.\d+)*$/.test(n)))].sort();
}

/** `pkg-config --list-all` -> module names, sorted. */
export function parsePkgConfigList(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\S+)\s/.exec(line) ?? /^(\S+)$/.exec(line);
    if (m) out.add(m[1]!);
  }
  return [...out].sort();
}

/**
 * `dpkg-query -W` (`name\tversion`) or `dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\n'`
 * -> installed package names without the `:arch` suffix, sorted. With the status form only installed
 * packages (`ii`, `hi`) count; in the plain form a package without a version is not installed.
 */
export function parseDpkgQuery(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const cols = line.split('\t');
    let name: string | undefined;
    let version: string | undefined;
    if (cols.length >= 3 && /^[a-z][a-z ][a-z ]?\s*$/i.test(cols[0]!)) {
      if (!/^[ih]i/.test(cols[0]!)) continue;
      name = cols[1];
      version = cols[2];
    } else {
      name = cols[0];
      version = cols[1];
    }
    if (!name || !version?.trim()) continue;
    out.add(name.trim().replace(/:[a-z0-9-]+$/, ''));
  }
  return [...out].sort();
}

/** `rpm -qa --queryformat '%{NAME}\n'` -> package names (the `gpg-pubkey` pseudo-packages dropped), sorted. */
export function parseRpmNames(text: string): string[] {
  return lines(text)
    .filter((n) => n !== 'gpg-pubkey')
    .sort();
}

/** `apk info` -> package names, sorted. */
export function parseApkInfo(text: string): string[] {
  return lines(text).sort();
}

/** `pacman -Q` (`name version`) -> package names, sorted. */
export function parsePacmanQ(text: string): string[] {
  return lines(text)
    .map((l) => l.split(/\s+/)[0]!)
    .sort();
}

/** `brew list --formula -1` or `brew list --formula --versions` -> formula names, sorted. */
export function parseBrewList(text: string): string[] {
  return lines(text)
    .map((l) => l.split(/\s+/)[0]!)
    .sort();
}

function lines(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0),
    ),
  ];
}

/** A GPU as `nvidia-smi` reports it. */
export interface GpuInfo {
  name: string;
  /** `8.0`; "" when the driver is too old to report it. */
  computeCapability: string;
}

/**
 * `nvidia-smi --query-gpu=driver_version,name,compute_cap --format=csv,noheader` (or the same without
 * `compute_cap`) -> the driver and the GPUs; null when the text is an error, not a table.
 */
export function parseNvidiaSmiQuery(text: string): { driver: string; gpus: GpuInfo[] } | null {
  let driver: string | undefined;
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 2 || !/^\d+(\.\d+)+$/.test(cols[0]!)) return null;
    driver ??= cols[0]!;
    const cc = cols[2] ?? '';
    gpus.push({ name: cols[1]!, computeCapability: /^\d+\.\d+$/.test(cc) ? cc : '' });
  }
  return driver ? { driver, gpus } : null;
}

/** The banner of plain `nvidia-smi` -> the driver and the newest CUDA it supports (`CUDA Version: 12.2`). */
export function parseNvidiaSmiHeader(text: string): { driver: string; cuda: string } | null {
  const m = /Driver Version:\s*([\d.]+)\s+CUDA Version:\s*(\d+\.\d+)/.exec(text);
  return m ? { driver: m[1]!, cuda: m[2]! } : null;
}

/** `/proc/driver/nvidia/version` -> the kernel module's driver version. */
export function parseProcDriverVersion(text: string): string | null {
  const m = /^NVRM version:.*?\s(\d{3,}\.\d+(?:\.\d+)?)\s/m.exec(text);
  return m ? m[1]! : null;
}

/** `nvcc --version` -> the toolkit release (`release 12.1, V12.1.105` -> `12.1`). */
export function parseNvccVersion(text: string): string | null {
  const m = /release (\d+\.\d+),\s*V[\d.]+/.exec(text) ?? /release (\d+\.\d+)/.exec(text);
  return m ? m[1]! : null;
}

/** A toolkit's `version.json` -> its major.minor (`"cuda": {"version": "12.1.1"}` -> `12.1`). */
export function parseCudaVersionJson(text: string): string | null {
  try {
    const data = JSON.parse(text) as { cuda?: { version?: unknown } };
    const v = data.cuda?.version;
    const m = typeof v === 'string' ? /^(\d+\.\d+)/.exec(v) : null;
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}

/** `cudnn_version.h` (or `cudnn.h` before cuDNN 8) -> `8.9.2`. */
export function parseCudnnHeader(text: string): string | null {
  const get = (k: string) => new RegExp(`^#define\\s+CUDNN_${k}\\s+(\\d+)`, 'm').exec(text)?.[1];
  const major = get('MAJOR');
  const minor = get('MINOR');
  const patch = get('PATCHLEVEL');
  if (major === undefined || minor === undefined) return null;
  return patch === undefined ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
}

/** A cuDNN library file name -> its version (`libcudnn.so.8.9.2` -> `8.9.2`, `libcudnn.so.9` -> `9`). */
export function cudnnFromLibraryName(fileName: string): string | null {
  const m = /^libcudnn\.so\.(\d+(?:\.\d+)*)$/.exec(fileName);
  return m ? m[1]! : null;
}

/** `sw_vers` -> the macOS product version. */
export function parseSwVers(text: string): string | null {
  const m = /^ProductVersion:\s*(\S+)/m.exec(text);
  return m ? m[1]! : null;
}
