// Shared shapes of the embedded knowledge: every record names its source and, where it is not a primary source, its
// confidence.

/**
 * How sure a record is, as docs/knowledge.md marks it: absent = read in a primary source; `s` = a secondary
 * source only; `u` = unverified (a hint, never a rule); `d` = derived from other sourced facts.
 */
export type Confidence = 's' | 'u' | 'd';

/** Every knowledge record carries where it comes from. */
export interface Sourced {
  /** The document, repository file or issue the fact was read from. */
  source: string;
  confidence?: Confidence;
}

/** A CUDA version as packages name it: `12.1`, or `12` with any minor (`cupy-cuda12x`, `nvidia-*-cu12`). */
export interface CudaVersion {
  major: number;
  /** null: any minor of the major. */
  minor: number | null;
}

/**
 * Compares dotted numeric versions (NVIDIA drivers `535.104.05`, CUDA `12.1.1`) segment by segment; missing segments
 * count as 0.
 */
export function compareDotted(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10));
  const pb = b.split('.').map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** True for `535.104.05`, `570.26`, `12.1`: digits separated by dots. */
export function isDotted(v: string): boolean {
  return /^\d+(\.\d+)*$/.test(v);
}

/** `12.1` -> {12, 1}; `12` -> {12, null}; null when it is not a CUDA version. */
export function parseCudaVersion(text: string): CudaVersion | null {
  const m = /^(\d{1,2})(?:\.(\d{1,2}))?(?:\.\d+)*$/.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: m[2] === undefined ? null : Number(m[2]) };
}

/** `12.1`, or `12.x` for any minor. */
export function formatCuda(v: CudaVersion): string {
  return v.minor === null ? `${v.major}.x` : `${v.major}.${v.minor}`;
}
