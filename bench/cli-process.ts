// Whole processes side by side: `stack-doctor check` against pip's dry run, on generated scenarios over one loopback
// index: cold (an empty cache folder), a new file over a warm index cache (the CI case: the pages and metadata are
// cached, the file's findings are not), and the same file again (its findings from the result cache); and
// `node -e 0`, the floor of any Node command.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, runCli } from '../test/helpers/cli';
import { isolatedPipEnv, startPackageIndex } from '../test/helpers/package-index';
import { pipDryRun, pipVersion } from './pip';
import { generateScenarios } from './scenarios';

function quantiles(samples: number[]): { p50: number; p95: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => +(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1);
  return { p50: at(0.5), p95: at(0.95), n: s.length };
}

/**
 * `count` scenarios, each checked by the CLI as whole processes: cold (its own empty cache folder), then the same file
 * again (warm: a result-cache hit); then, in a new folder, a new file (the same requirements and a comment)
 * over one shared cache folder that an earlier check of the scenario filled (the CI case), and that file again; and by
 * pip's isolated dry run once.
 */
export async function benchCliProcess(count = 24): Promise<Record<string, unknown>> {
  const scenarios = generateScenarios(count);
  const index = await startPackageIndex(scenarios.flatMap((s) => s.packages));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sd-bench-cli-'));
  // The CLI's V8 code cache in a folder of this run: the default one is shared by every build of the CLI on the machine
  // (one file per Node version), and a run of another checkout between two of these would replace it.
  const env = { ...isolatedPipEnv(), STACK_DOCTOR_CODE_CACHE: path.join(tmp, 'code') };
  const floor: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < 10; i++) {
    let t = Date.now();
    execFileSync(process.execPath, ['-e', '0']);
    floor.push(Date.now() - t);
    t = Date.now();
    execFileSync(process.execPath, [CLI, '--version'], { env });
    version.push(Date.now() - t);
  }
  const cold: number[] = [];
  const warm: number[] = [];
  const newFile: number[] = [];
  const newFileAgain: number[] = [];
  const pip: number[] = [];
  const pipWarm: number[] = [];
  const differs: string[] = [];
  const shared = path.join(tmp, 'shared-cache');
  const check = (dir: string, cache: string) =>
    runCli(
      [
        'check',
        'requirements.txt',
        '--format',
        'json',
        '--index-url',
        index.url,
        '--cache-dir',
        cache,
        '--profile',
        path.resolve('test/fixtures/profiles/laptop-no-gpu.json'),
      ],
      dir,
      env,
    );
  /** The findings without their file paths, to compare a run with another. */
  const findings = (stdout: string) =>
    JSON.stringify(
      (JSON.parse(stdout) as { diagnostics: { code: string; range: unknown; message: string }[] }).diagnostics.map(
        (d) => [d.code, d.range, d.message.replaceAll(tmp, '')],
      ),
    );
  try {
    for (const s of scenarios) {
      const text = s.requirements.join('\n') + '\n';
      const dir = path.join(tmp, s.id);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'requirements.txt'), text);
      const first = await check(dir, path.join(dir, '.cache'));
      cold.push(first.ms);
      warm.push((await check(dir, path.join(dir, '.cache'))).ms);
      // The shared cache learns this scenario's index answers from one file, then a new file is checked over it.
      const seen = path.join(tmp, `${s.id}-seen`);
      mkdirSync(seen);
      writeFileSync(path.join(seen, 'requirements.txt'), text);
      await check(seen, shared);
      const ci = path.join(tmp, `${s.id}-ci`);
      mkdirSync(ci);
      writeFileSync(path.join(ci, 'requirements.txt'), `${text}# checked in CI\n`);
      const fresh = await check(ci, shared);
      newFile.push(fresh.ms);
      newFileAgain.push((await check(ci, shared)).ms);
      // A comment after the last line changes no finding: the new file's findings are the cold run's.
      if (findings(fresh.stdout) !== findings(first.stdout)) differs.push(s.id);
      if (pipVersion()) {
        pip.push((await pipDryRun(s.requirements, index.url, dir)).ms);
        // pip with its own HTTP cache warmed by one run of the same file: the fair match for our warm index cache.
        const pipCache = path.join(tmp, `${s.id}-pip-cache`);
        await pipDryRun(s.requirements, index.url, dir, undefined, pipCache);
        pipWarm.push((await pipDryRun(s.requirements, index.url, dir, undefined, pipCache)).ms);
      }
    }
  } finally {
    await index.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const w = quantiles(warm);
  const n = quantiles(newFile);
  const p = quantiles(pip);
  const pw = quantiles(pipWarm);
  const ratio = (a: number) => (pip.length ? +(p.p50 / a).toFixed(1) : null);
  const ratioWarm = (a: number) => (pipWarm.length ? +(pw.p50 / a).toFixed(1) : null);
  return {
    scenarios: count,
    'node -e 0 (ms)': quantiles(floor),
    'stack-doctor --version (ms)': quantiles(version),
    'stack-doctor check, cold cache (ms)': quantiles(cold),
    'stack-doctor check, new file over a warm index cache (ms)': n,
    'stack-doctor check, the same file again (ms)': w,
    'stack-doctor check, the new file again (ms)': quantiles(newFileAgain),
    'pip install --dry-run (ms)': pip.length ? p : 'pip unavailable',
    'pip / stack-doctor new file over a warm index cache (p50)': ratio(n.p50),
    'pip / stack-doctor the same file again (p50)': ratio(w.p50),
    'pip install --dry-run, its HTTP cache warm (ms)': pipWarm.length ? pw : 'pip unavailable',
    'pip with a warm cache / stack-doctor new file over a warm index cache (p50)': ratioWarm(n.p50),
    'new files whose findings differ from the cold run': differs,
  };
}

// Bundled into run.js too, where `require.main === module` also holds: only `node out/bench/cli-process.js` runs this.
if (require.main === module && /[\\/]cli-process\.js$/.test(process.argv[1] ?? '')) {
  void benchCliProcess(Number(process.argv[2] ?? 24)).then((r) => console.log(JSON.stringify(r, null, 2)));
}
