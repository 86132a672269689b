// PyTorch releases: CUDA wheel variants, companion torchvision/torchaudio versions, Pythons, and the wheel index URLs.
import data from './data/pytorch.json';
import type { Sourced } from './types';

/** One torch release and the packages that must come with it (docs/knowledge.md, PyTorch releases). */
export interface TorchRelease extends Sourced {
  torch: string;
  torchvision: string;
  torchaudio: string;
  /** Index variants with CUDA builds: `cu118`, `cu121`, ... */
  cuda: string[];
  /** Other variants: `cpu`, `rocm6.1`, ... */
  other: string[];
  /** Supported Pythons as a PEP 440 specifier. */
  python: string;
  /** Where the conda packages paired differently (2.0.0: torchvision 0.15.0, torchaudio 2.0.0). */
  conda?: { torchvision: string; torchaudio: string };
}

/** The download.pytorch.org index patterns; `{variant}` is `cu121`, `cpu`, `rocm6.1`, ... */
export interface TorchIndex extends Sourced {
  stable: string;
  test: string;
  nightly: string;
  findLinks: string;
  host: string;
}

interface PytorchData {
  index: TorchIndex;
  familyPackages: string[];
  torchBackendPackages: { source: string; packages: string[] };
  releases: TorchRelease[];
}

const d = data as unknown as PytorchData;

export const torchIndex: TorchIndex = d.index;
/** Releases in ascending order. */
export const torchReleases: readonly TorchRelease[] = d.releases;
/**
 * The packages published together on the PyTorch index under one local label (`torch`, `torchvision`, `torchaudio`).
 */
export const torchFamily: readonly string[] = d.familyPackages;

/**
 * The packages whose builds depend on the PyTorch variant (CUDA, CPU, ROCm) and that uv's `--torch-backend` takes from
 * the PyTorch index: routed to one index, they must all be routed alike.
 */
export const torchBackendPackages: ReadonlySet<string> = new Set(d.torchBackendPackages.packages);

/**
 * The release row of a torch version (local label ignored: `2.1.0+cu121` -> 2.1.0); undefined when not in the tables.
 */
export function torchRelease(version: string): TorchRelease | undefined {
  const pub = version.split('+')[0]!;
  return torchReleases.find((r) => r.torch === pub || r.torch === pub.replace(/^(\d+\.\d+)$/, '$1.0'));
}

/** The release row that holds a companion version (`torchvision` `0.16.0`, `torchaudio` `2.1.0`). */
export function releaseOfCompanion(pkg: 'torchvision' | 'torchaudio', version: string): TorchRelease | undefined {
  const pub = version.split('+')[0]!;
  return torchReleases.find((r) => r[pkg] === pub || r[pkg] === pub.replace(/^(\d+\.\d+)$/, '$1.0'));
}

/** Where a URL is a download.pytorch.org index (or its find-links page): its variant and channel. */
export interface TorchIndexUrl {
  variant: string;
  channel: 'stable' | 'test' | 'nightly';
  /** Offsets of the variant inside the URL, for an edit that switches it. */
  variantStart: number;
  variantEnd: number;
}

/**
 * Parses `https://download.pytorch.org/whl/cu121` (and `/whl/test/cu121`, `/whl/nightly/cu121`, a trailing slash); null
 * for any other URL.
 */
export function parseTorchIndexUrl(url: string): TorchIndexUrl | null {
  const m =
    /^(https?:\/\/download\.pytorch\.org\/whl\/)(test\/|nightly\/)?(cu\d{2,3}|cpu|rocm[\d.]+|xpu)(\/?)([?#].*)?$/i.exec(
      url.trim(),
    );
  if (!m) return null;
  const lead = url.length - url.trimStart().length;
  const variantStart = lead + m[1]!.length + (m[2]?.length ?? 0);
  const channel = m[2] ? (m[2].startsWith('test') ? 'test' : 'nightly') : 'stable';
  return { variant: m[3]!.toLowerCase(), channel, variantStart, variantEnd: variantStart + m[3]!.length };
}

/** The index URL of a variant on a channel. */
export function torchIndexUrl(variant: string, channel: 'stable' | 'test' | 'nightly' = 'stable'): string {
  return torchIndex[channel].replace('{variant}', variant);
}

/** Every CUDA variant any known release offers, each once. */
export function allTorchCudaVariants(): string[] {
  return [...new Set(torchReleases.flatMap((r) => r.cuda))];
}
