// Benchmark of the PubGrub resolver over the in-memory provider: warm resolution of a ~100-package stack, a conflict,
// fixes.
import { narrowToResolve, nearestResolvingVersion } from '../server/src/resolver/fixes';
import { MemoryProvider, type MemoryIndex } from '../server/src/resolver/memory-provider';
import { resolve } from '../server/src/resolver/solver';
import type { RootRequirement } from '../server/src/resolver/types';
import { rng } from './scenarios';

const PACKAGES = 110;
const VERSIONS = 25;

/**
 * An ML-like universe: package i has 25 versions, each needing four later packages with lower bounds that rise
 * with its own version and, now and then, an upper cap, so the newest versions do not always fit together.
 */
export function mlStackIndex(seed = 7): MemoryIndex {
  const r = rng(seed);
  const index: MemoryIndex = {};
  for (let i = 0; i < PACKAGES; i++) {
    const releases: Record<string, string[]> = {};
    for (let v = 0; v < VERSIONS; v++) {
      const deps: string[] = [];
      for (let k = 1; k <= 4 && i + k < PACKAGES; k++) {
        const j = i + k + Math.floor(r() * 3);
        if (j >= PACKAGES) continue;
        const lo = Math.floor((v / VERSIONS) * 10 * r());
        const cap = r() < 0.15 ? `,<${lo + 2 + Math.floor(r() * 10)}` : '';
        deps.push(`pkg-${j}>=${lo}${cap}`);
      }
      if (r() < 0.3) deps.push(`extra-only-${i}; python_version < "3.0"`);
      releases[`${Math.floor(v / 2.5)}.${v % 3}.${v}`] = deps;
    }
    index[`pkg-${i}`] = releases;
  }
  return index;
}

const ROOTS: RootRequirement<string>[] = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55].map((i, n) => ({
  requirement: `pkg-${i}`,
  origin: `requirements.txt:${n + 1}`,
}));

async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => +samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(3);
  return { p50: at(0.5), p95: at(0.95) };
}

/** Runs the resolver benchmarks; milliseconds unless the key says otherwise. */
export async function benchResolver(): Promise<Record<string, number>> {
  const provider = new MemoryProvider(mlStackIndex());
  const first = await resolve(ROOTS, provider);
  if (!first.ok) throw new Error(`bench universe must resolve: ${'text' in first ? first.text : first.message}`);
  const before = { ...provider.calls };
  await resolve(ROOTS, provider);
  const fetches = provider.calls.versions - before.versions + provider.calls.dependencies - before.dependencies;
  const warm = await timeRuns(30, () => resolve(ROOTS, provider));

  const conflictRoots: RootRequirement<string>[] = [
    ...ROOTS,
    { requirement: 'pkg-0==9.0.24', origin: 'requirements.txt:11' },
    { requirement: 'pkg-4<1', origin: 'requirements.txt:12' },
  ];
  const c = await resolve(conflictRoots, provider);
  const conflict = await timeRuns(10, () => resolve(conflictRoots, provider));
  let fixMs = -1;
  if (!c.ok && c.reason === 'conflict') {
    const t = process.hrtime.bigint();
    const moved = await nearestResolvingVersion(conflictRoots, 10, provider, { timeoutMs: 10_000 });
    const narrowed = await narrowToResolve(conflictRoots, 11, provider, { timeoutMs: 10_000 });
    if (!moved || !narrowed) throw new Error('bench: both fixes must be found');
    fixMs = +(Number(process.hrtime.bigint() - t) / 1e6).toFixed(3);
  }
  return {
    'resolver.warm.packages': first.versions.size,
    'resolver.warm.steps': first.steps,
    'resolver.warm.metadataFetches': fetches,
    'resolver.warm.p50': warm.p50,
    'resolver.warm.p95': warm.p95,
    'resolver.conflict.p50': conflict.p50,
    'resolver.conflict.steps': c.steps ?? -1,
    'resolver.conflict.explanationSteps': !c.ok && c.reason === 'conflict' ? c.explanation.length : -1,
    'resolver.fixes.ms': fixMs,
  };
}
