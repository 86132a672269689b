// TensorFlow releases: tested CUDA/cuDNN, Pythons, numpy/protobuf bounds, the `[and-cuda]` extra, native Windows GPU,
// Keras pairing.
import data from './data/tensorflow.json';
import type { Confidence, Sourced } from './types';

/** One TensorFlow release line (docs/knowledge.md, TensorFlow releases); fields not recorded are absent. */
export interface TensorflowRelease extends Sourced {
  tensorflow: string;
  python: string;
  /** CUDA the GPU build was tested with (major.minor). */
  cuda: string;
  cudnn: string;
  numpy?: string;
  numpyConfidence?: Confidence;
  protobuf?: string;
  protobufConfidence?: Confidence;
  /** True up to 2.10: the last release with GPU support on native Windows. */
  nativeWindowsGpu: boolean;
  /** True from 2.14: `tensorflow[and-cuda]` installs the CUDA libraries as pip wheels. */
  andCudaExtra: boolean;
  /** The Keras this release needs, as a PEP 440 specifier. */
  keras?: string;
  kerasConfidence?: Confidence;
  /** From 2.16: the `tf-keras` that keeps Keras 2. */
  tfKeras?: string;
}

interface TensorflowData {
  andCuda: Sourced & { since: string; platforms: string[]; minDriverLinux: string; minDriverWsl: string };
  windows: Sourced & { lastNativeGpu: string; alternatives: string[] };
  releases: TensorflowRelease[];
}

const d = data as unknown as TensorflowData;

export const tensorflowReleases: readonly TensorflowRelease[] = d.releases;
export const tensorflowAndCuda = d.andCuda;
export const tensorflowWindows = d.windows;

/** The release line (`2.13`) a version belongs to; undefined when not in the tables. */
export function tensorflowRelease(version: string): TensorflowRelease | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return undefined;
  return tensorflowReleases.find((r) => r.tensorflow.startsWith(`${m[1]}.${m[2]}.`));
}
