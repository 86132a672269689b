// What conda lock files (pixi.lock, conda-lock.yml) share: a conda package URL's parts (channel, subdir, the file name's
// name-version-build), the PEP 508 marker of a conda platform, and the model of a lock file before its entries.
import { finding } from '../model/finding';
import type { FileKind, Finding, ParsedFile, Span } from '../model/types';

/** The parts of a conda package URL `<channel>/<subdir>/<name>-<version>-<build>.conda` (or `.tar.bz2`). */
export interface CondaUrlParts {
  channel: string;
  subdir: string;
  fileName: string;
  name: string;
  version: string;
  build: string;
  /** Offsets of name, version and build inside the URL text. */
  nameAt: number;
  versionAt: number;
  buildAt: number;
}

/** Splits a conda package URL or path; null where its file name is not `name-version-build.ext`. */
export function condaUrlParts(url: string): CondaUrlParts | null {
  const cut = url.search(/[?#]/);
  const bare = cut >= 0 ? url.slice(0, cut) : url;
  const slash = bare.lastIndexOf('/');
  const fileName = bare.slice(slash + 1);
  const stem = fileName.endsWith('.conda')
    ? fileName.slice(0, -'.conda'.length)
    : fileName.endsWith('.tar.bz2')
      ? fileName.slice(0, -'.tar.bz2'.length)
      : null;
  if (stem === null) return null;
  const b = stem.lastIndexOf('-');
  const v = b > 0 ? stem.lastIndexOf('-', b - 1) : -1;
  if (v <= 0) return null;
  const dir = slash > 0 ? bare.slice(0, slash) : '';
  const subSlash = dir.lastIndexOf('/');
  const subdir = dir.slice(subSlash + 1);
  const base = slash + 1;
  return {
    channel: subSlash > 0 ? dir.slice(0, subSlash) : '',
    subdir,
    fileName,
    name: stem.slice(0, v),
    version: stem.slice(v + 1, b),
    build: stem.slice(b + 1),
    nameAt: base,
    versionAt: base + v + 1,
    buildAt: base + b + 1,
  };
}

/**
 * A channel as lock files and manifests name it, reduced to compare: `https://conda.anaconda.org/conda-forge/`,
 * `conda-forge` and `https://conda.anaconda.org/conda-forge` are one channel.
 */
export function channelKey(channel: string): string {
  let c = channel.trim().toLowerCase().replace(/\/+$/, '');
  c = c.replace(/^https?:\/\/conda\.anaconda\.org\//, '');
  return c;
}

/** The PEP 508 marker of a conda platform's machines, as packaging prints it; "" for a platform it cannot say. */
export function platformMarker(platform: string): string {
  switch (platform) {
    case 'linux-64':
      return 'sys_platform == "linux" and platform_machine == "x86_64"';
    case 'linux-aarch64':
      return 'sys_platform == "linux" and (platform_machine == "aarch64" or platform_machine == "arm64")';
    case 'linux-ppc64le':
      return 'sys_platform == "linux" and platform_machine == "ppc64le"';
    case 'osx-64':
      return 'sys_platform == "darwin" and platform_machine == "x86_64"';
    case 'osx-arm64':
      return 'sys_platform == "darwin" and platform_machine == "arm64"';
    case 'win-64':
      return 'sys_platform == "win32" and (platform_machine == "AMD64" or platform_machine == "x86_64")';
    case 'win-arm64':
      return 'sys_platform == "win32" and (platform_machine == "ARM64" or platform_machine == "arm64")';
    default:
      return '';
  }
}

/** A lock file's model with nothing read yet. */
export function emptyLockFile(path: string, kind: FileKind, text: string): ParsedFile {
  return { path, kind, text, dependencies: [], includes: [], options: [], findings: [] };
}

/** Findings after this many in one file collapse into one: junk input must not flood the editor. */
const MAX_FINDINGS = 200;

/** Adds a `syntax` finding, up to the file's budget. */
export function addSyntax(
  out: ParsedFile,
  span: Span,
  message: string,
  severity?: 'error' | 'warning' | 'information',
): void {
  if (out.findings.length > MAX_FINDINGS) return;
  const f: Finding =
    out.findings.length === MAX_FINDINGS
      ? finding('syntax', out.path, span, 'Further problems in this file are not reported.')
      : finding('syntax', out.path, span, message, severity ? { severity } : {});
  out.findings.push(f);
}
