// How the benches time a synchronous piece of work: a few warm-up runs, then p50 and p95 of `runs` timed runs (ms).

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

export function time(fn: () => void, runs: number, warmups = 3): Timing {
  for (let i = 0; i < warmups; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return stats(samples);
}
