// Benchmarks over a loopback index of real wheels: an ML stack of ~100 packages cold and warm, and the generated
// scenarios against pip's dry run.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPackageIndex } from '../test/helpers/package-index';
import { indexProvider, localTarget, ourResolution, pipDryRun, pipVersion } from './pip';
import { generateScenarios, mlStack, violations } from './scenarios';

function quantiles(samples: number[]): { p50: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => +s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(3);
  return { p50: at(0.5), p95: at(0.95) };
}

const round = (x: number, d = 3): number => +x.toFixed(d);

/**
 * (a) The ML stack: cold (empty cache directory: the metadata fetches counted), warm with the provider kept in
 * memory (the language server's case), warm from the disk cache with a new provider (a new session), and pip.
 * (b) The generated differential scenarios: ours cold and warm against pip's dry run, each scenario in turn.
 */
export async function benchAgainstPip(): Promise<Record<string, unknown>> {
  const pip = pipVersion();
  const target = await localTarget();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sd-bench-pip-'));
  const out: Record<string, unknown> = {
    pip: pip ?? 'unavailable',
    target: (
      `${target.pythonFullVersion} ${target.tags.os} ${target.tags.arch} ` +
      `${target.tags.libc ? `${target.tags.libc.kind} ${target.tags.libc.version.join('.')}` : ''}`
    ).trim(),
  };
  try {
    // (a) ML stack
    const stack = mlStack();
    const index = await startPackageIndex(stack.packages);
    try {
      const cacheDir = path.join(tmp, 'cache');
      const cold = indexProvider(index.url, target, cacheDir);
      const first = await ourResolution(stack.requirements, cold, target);
      if (!first.result.ok)
        throw new Error(
          `bench: the ML stack must resolve: ${'text' in first.result ? first.result.text : first.result.message}`,
        );
      const coldStats = { ...cold.stats };
      const memory: number[] = [];
      for (let i = 0; i < 33; i++) memory.push((await ourResolution(stack.requirements, cold, target)).ms);
      const disk: number[] = [];
      let diskFetches = 0;
      for (let i = 0; i < 23; i++) {
        const p = indexProvider(index.url, target, cacheDir);
        disk.push((await ourResolution(stack.requirements, p, target)).ms);
        diskFetches += p.stats.metadataFetches + p.stats.pageFetches;
      }
      const row: Record<string, unknown> = {
        packagesInIndex: new Set(stack.packages.map((p) => p.name)).size,
        releasesInIndex: stack.packages.length,
        packagesResolved: first.result.versions.size,
        'violations in our resolution': violations(
          stack.packages,
          stack.requirements,
          new Map([...first.result.versions].map(([k, v]) => [k, v.toString()])),
          target.markers,
        ).length,
        solverSteps: first.result.steps,
        'cold (ms)': round(first.ms),
        'cold project pages fetched': coldStats.pageFetches,
        'cold metadata fetches (PEP 658 files)': coldStats.metadataFetches,
        'cold ms per metadata fetch': round(first.ms / Math.max(1, coldStats.metadataFetches + coldStats.pageFetches)),
        'warm, provider in memory (ms)': quantiles(memory.slice(3)),
        'warm, new provider over the disk cache (ms)': quantiles(disk.slice(3)),
        'warm, network requests': diskFetches,
      };
      if (pip) {
        const dir = path.join(tmp, 'pip-ml');
        mkdirSync(dir);
        const theirs = await pipDryRun(stack.requirements, index.url, dir);
        row['pip --dry-run (ms)'] = round(theirs.ms);
        row['pip verdict'] = theirs.ok
          ? `resolves ${theirs.versions.size} packages`
          : theirs.message.split('\n').slice(-2).join(' ');
        if (theirs.ok)
          row['versions identical to pip'] = [...first.result.versions].filter(
            ([k, v]) => theirs.versions.get(k) === v.toString(),
          ).length;
        row['pip / ours cold'] = round(theirs.ms / first.ms, 1);
        row['pip / ours warm p50'] = round(
          theirs.ms / (row['warm, provider in memory (ms)'] as { p50: number }).p50,
          1,
        );
      }
      out['ML stack over the loopback index'] = row;
    } finally {
      await index.close();
    }

    // (b) the differential scenarios, side by side with pip
    const scenarios = generateScenarios(48);
    const sIndex = await startPackageIndex(scenarios.flatMap((s) => s.packages));
    try {
      const rows: Array<{ id: string; cold: number; warm: number; pip: number | null; agree: boolean | null }> = [];
      for (const s of scenarios) {
        const provider = indexProvider(sIndex.url, target);
        const cold = await ourResolution(s.requirements, provider, target);
        const warmSamples: number[] = [];
        for (let i = 0; i < 5; i++) warmSamples.push((await ourResolution(s.requirements, provider, target)).ms);
        let pipMs: number | null = null;
        let agree: boolean | null = null;
        if (pip) {
          const dir = path.join(tmp, `pip-${s.id}`);
          mkdirSync(dir);
          const theirs = await pipDryRun(s.requirements, sIndex.url, dir);
          pipMs = theirs.ms;
          agree = theirs.ok || theirs.kind === 'no-resolution' ? theirs.ok === cold.result.ok : null;
        }
        rows.push({ id: s.id, cold: cold.ms, warm: quantiles(warmSamples).p50, pip: pipMs, agree });
      }
      const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
      const row: Record<string, unknown> = {
        scenarios: rows.length,
        'ours cold, per scenario (ms)': quantiles(rows.map((r) => r.cold)),
        'ours warm, per scenario (ms)': quantiles(rows.map((r) => r.warm)),
        'ours cold, total (ms)': round(sum(rows.map((r) => r.cold)), 1),
        'ours warm, total (ms)': round(sum(rows.map((r) => r.warm)), 1),
      };
      if (pip) {
        const withPip = rows.filter((r) => r.pip !== null);
        row['pip --dry-run, per scenario (ms)'] = quantiles(withPip.map((r) => r.pip!));
        row['pip --dry-run, total (ms)'] = round(sum(withPip.map((r) => r.pip!)), 1);
        row['pip / ours cold, total'] = round(sum(withPip.map((r) => r.pip!)) / sum(withPip.map((r) => r.cold)), 1);
        row['pip / ours warm, total'] = round(sum(withPip.map((r) => r.pip!)) / sum(withPip.map((r) => r.warm)), 1);
        row['pip / ours cold, worst scenario'] = round(Math.min(...withPip.map((r) => r.pip! / r.cold)), 1);
        row['verdicts agreeing with pip'] = `${withPip.filter((r) => r.agree === true).length} of ${withPip.length}`;
      }
      out['generated scenarios vs pip --dry-run'] = row;
    } finally {
      await sIndex.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
