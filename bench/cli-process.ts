// Whole processes side by side: `stack-doctor check` (cold, then warm from its cache folder) against pip's dry
// run, on generated scenarios over one loopback index; and `node -e 0`, the floor of any Node command.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, runCli } from '../test/helpers/cli';
import { startPackageIndex } from '../test/helpers/package-index';
import { pipDryRun, pipVersion } from './pip';
import { generateScenarios } from './scenarios';

function quantiles(samples: number[]): { p50: number; p95: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => +(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1);
  return { p50: at(0.5), p95: at(0.95), n: s.length };
}

/** 24 scenarios: each checked by the CLI twice (cold: empty cache; warm: the same cache) and by pip once, as processes. */
export async function benchCliProcess(count = 24): Promise<Record<string, unknown>> {
  const scenarios = generateScenarios(count);
  const index = await startPackageIndex(scenarios.flatMap((s) => s.packages));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sd-bench-cli-'));
  const floor: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < 10; i++) {
    let t = Date.now();
    execFileSync(process.execPath, ['-e', '0']);
    floor.push(Date.now() - t);
    t = Date.now();
    execFileSync(process.execPath, [CLI, '--version']);
    version.push(Date.now() - t);
  }
  const cold: number[] = [];
  const warm: number[] = [];
  const pip: number[] = [];
  try {
    for (const s of scenarios) {
      const dir = path.join(tmp, s.id);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'requirements.txt'), s.requirements.join('\n') + '\n');
      const args = [
        'check',
        'requirements.txt',
        '--format',
        'json',
        '--index-url',
        index.url,
        '--cache-dir',
        path.join(dir, '.cache'),
        '--profile',
        path.resolve('test/fixtures/profiles/laptop-no-gpu.json'),
      ];
      cold.push((await runCli(args, dir)).ms);
      warm.push((await runCli(args, dir)).ms);
      if (pipVersion()) pip.push((await pipDryRun(s.requirements, index.url, dir)).ms);
    }
  } finally {
    await index.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const w = quantiles(warm);
  const p = quantiles(pip);
  return {
    scenarios: count,
    'node -e 0 (ms)': quantiles(floor),
    'stack-doctor --version (ms)': quantiles(version),
    'stack-doctor check, cold cache (ms)': quantiles(cold),
    'stack-doctor check, warm cache (ms)': w,
    'pip install --dry-run (ms)': pip.length ? p : 'pip unavailable',
    'pip / stack-doctor warm (p50)': pip.length ? +(p.p50 / w.p50).toFixed(1) : null,
  };
}

if (require.main === module) {
  void benchCliProcess(Number(process.argv[2] ?? 24)).then((r) => console.log(JSON.stringify(r, null, 2)));
}
