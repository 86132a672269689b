// How JAX, CuPy, the NVIDIA pip wheels and conda name their CUDA builds.
import condaData from './data/conda-cuda.json';
import cupyData from './data/cupy.json';
import jaxData from './data/jax.json';
import nvidiaData from './data/nvidia-wheels.json';
import { parseCudaVersion, type CudaVersion, type Sourced } from './types';

/** An extra of `jax` that selects a CUDA build (docs/knowledge.md, JAX). */
export interface JaxExtra extends Sourced {
  extra: string;
  cudaMajor: number;
  /** True when the extra installs the NVIDIA wheels; false for `-local` (uses the system's CUDA). */
  bundlesCuda: boolean;
  minDriverLinux: string;
  note?: string;
}

/** A CuPy wheel and the CUDA range it targets (docs/knowledge.md, CuPy). */
export interface CupyPackage extends Sourced {
  package: string;
  cudaMin: string;
  /** `12.99`: any minor of the major. */
  cudaMax: string;
}

/** One CUDA library published as pip wheels, by CUDA major (docs/knowledge.md, NVIDIA wheels). */
export interface NvidiaComponent extends Sourced {
  component: string;
  label: string;
  cu11: string | null;
  cu12: string;
  cu13: string;
}

/** A conda package whose version states a CUDA version (docs/knowledge.md, conda). */
export interface CondaCudaPackage extends Sourced {
  package: string;
  meaning: string;
  versionIsCuda: boolean;
  cudaMajors?: number[];
  versions?: string[];
  note?: string;
}

interface JaxData {
  extras: JaxExtra[];
  plugins: (Sourced & { pattern: string })[];
  droppedCudaMajors: (Sourced & { major: number; since: string; replacement: string })[];
  coupling: (Sourced & { rule: string; text: string })[];
  platforms: Sourced & { gpu: string[]; note: string };
  coexistingCudaMajors: Sourced & { patterns: string[]; note: string };
}
interface CupyData {
  packages: CupyPackage[];
  exclusive: Sourced & { note: string };
}
interface NvidiaData {
  suffixPattern: Sourced & { pattern: string };
  components: NvidiaComponent[];
}
interface CondaData {
  packages: CondaCudaPackage[];
  buildStringPattern: Sourced & { pattern: string; examples: string[] };
  pytorchChannelLastRelease: Sourced & { torch: string };
}

const jax = jaxData as unknown as JaxData;
const cupy = cupyData as unknown as CupyData;
const nvidia = nvidiaData as unknown as NvidiaData;
const conda = condaData as unknown as CondaData;

export const jaxExtras: readonly JaxExtra[] = jax.extras;
export const jaxDroppedCuda = jax.droppedCudaMajors;
export const jaxCoupling = jax.coupling;
export const cupyPackages: readonly CupyPackage[] = cupy.packages;
export const nvidiaComponents: readonly NvidiaComponent[] = nvidia.components;
export const condaCudaPackages: readonly CondaCudaPackage[] = conda.packages;
export const condaBuildStringPattern = conda.buildStringPattern;
export const jaxPluginPattern = new RegExp(jax.plugins[0]!.pattern);
const coexisting = jax.coexistingCudaMajors.patterns.map((p) => new RegExp(p));

/**
 * Whether a (normalized) package is one of the CUDA builds that are installed beside builds of another CUDA major on
 * purpose: JAX's per-major CUDA plugins and the NVIDIA wheels they load (knowledge: jax.json `coexistingCudaMajors`).
 */
export function coexistsAcrossCudaMajors(name: string): boolean {
  return coexisting.some((p) => p.test(name));
}
const nvidiaSuffix = new RegExp(nvidia.suffixPattern.pattern);
const condaBuild = new RegExp(conda.buildStringPattern.pattern);

/** The `jax` extra that selects CUDA (normalized name, `cuda12_local` == `cuda12-local`). */
export function jaxExtra(extra: string): JaxExtra | undefined {
  const norm = extra.toLowerCase().replace(/[-_.]+/g, '-');
  return jaxExtras.find((e) => e.extra === norm);
}

/** The CuPy wheel of a (normalized) package name. */
export function cupyPackage(name: string): CupyPackage | undefined {
  return cupyPackages.find((p) => p.package === name);
}

/** The CUDA a CuPy wheel targets: exact minor for per-minor names, any minor of the major for `cupy-cudaNNx`. */
export function cupyCuda(p: CupyPackage): CudaVersion {
  const lo = parseCudaVersion(p.cudaMin)!;
  return p.cudaMin === p.cudaMax ? lo : { major: lo.major, minor: null };
}

/** The CuPy wheel for a CUDA major (`cupy-cuda12x`), if there is one. */
export function cupyForMajor(major: number): CupyPackage | undefined {
  return cupyPackages.find((p) => p.package === `cupy-cuda${major}x`);
}

/** `nvidia-cublas-cu12` -> 12; null for names without the suffix. */
export function nvidiaWheelMajor(name: string): number | null {
  const m = nvidiaSuffix.exec(name);
  return m ? Number(m[1]) : null;
}

/** The conda package of a CUDA-stating name (`pytorch-cuda`, `cudatoolkit`, `cuda-version`, ...). */
export function condaCudaPackage(name: string): CondaCudaPackage | undefined {
  return condaCudaPackages.find((p) => p.package === name);
}

/** The CUDA version a conda build string names (`cuda129_generic_py312_0` -> 12.9); null when it names none. */
export function cudaOfBuildString(build: string): { major: number; minor: number } | null {
  const m = condaBuild.exec(build);
  if (!m) return null;
  return m[1] !== undefined
    ? { major: Number(m[1]), minor: Number(m[2]) }
    : { major: Number(m[3]), minor: Number(m[4]) };
}
