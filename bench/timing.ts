// How the benches time a synchronous piece of work: a full garbage collection, a few warm-up runs, then p50 and p95 of
// `runs` timed runs (ms).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export interface Timing {
  p50: number;
  p95: number;
  n: number;
}

export function stats(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: +at(0.5).toFixed(3), p95: +at(0.95).toFixed(3), n: s.length };
}

let gc: (() => void) | undefined;

/**
 * A full garbage collection now: each timed part starts from a collected heap, so that the garbage an earlier part of
 * the run left (hundreds of MB: project lists, channels, soak sessions) is not collected in one of this part's samples.
 */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

export function time(fn: () => void, runs: number, warmups = 3): Timing {
  collectGarbage();
  for (let i = 0; i < warmups; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return stats(samples);
}
