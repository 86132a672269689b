// Benchmark of a pixi manifest's solve: a 30-spec environment (python and 29 packages, like the conda bench's
// environment.yml) over the same ~20,000-record loopback channel, solved as pixi solves it (the declared virtual
// packages of a CUDA platform entry); the cold report, then warm ones (manifest parsed again each time, repodata in
// memory). Run alone with `node out/bench/pixi.js` after `node esbuild.mjs --bench`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { condaReport, resetRepodataStores } from '../server/src/conda/report';
import { parseEnvironmentYml } from '../server/src/parsers/environment-yml';
import { parsePixiToml } from '../server/src/parsers/pixi';
import { markerEnvironmentFor, type MachineProfile } from '../server/src/system/profile';
import { pixiReport } from '../server/src/workspace/stages/pixi-stage';
import type { StageContext } from '../server/src/workspace/stages/stage';
import { startCondaChannel } from '../test/helpers/conda-channel';
import { mlChannel } from './conda';

const PROFILE: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.35' },
  nvidia: { driver: '550.54', cuda: '12.4', gpus: [] },
};

/** python 3.11 and the 29 packages of the conda bench, some with a lower bound, on a CUDA 12.4 platform entry. */
function pixiToml(url: string, names: string[]): string {
  const picks = [0, 7, 13, 21, 34, 55].flatMap((g) => names.slice(g * 10, g * 10 + 5)).slice(0, 29);
  return (
    `[workspace]\nname = "ml"\nchannels = ["${url}"]\nplatforms = [{ platform = "linux-64", cuda = "12.4" }]\n\n` +
    `[dependencies]\npython = "3.11.*"\n${picks.map((n, i) => `${n} = "${i % 3 === 0 ? '>=1' : '*'}"`).join('\n')}\n`
  );
}

export async function benchPixi(): Promise<Record<string, unknown>> {
  const { pkgs, names } = mlChannel();
  const channel = await startCondaChannel(pkgs, { format: 'sharded' });
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-bench-pixi-'));
  const ctx: StageContext = {
    profile: PROFILE,
    markerEnvironment: markerEnvironmentFor(PROFILE),
    machine: PROFILE,
    index: null,
    cacheDir: cache,
    offline: false,
    trusted: true,
    timeoutMs: 120_000,
    advisories: null,
  };
  try {
    resetRepodataStores();
    const text = pixiToml(channel.url, names);
    const report = async () => {
      const file = parsePixiToml('/b/pixi.toml', text);
      const r = await pixiReport({ root: file.path, files: [file], findings: [] }, ctx, undefined, {});
      const solve = r?.solves[0];
      if (!solve || solve.conda.status !== 'ok')
        throw new Error(
          `bench manifest does not solve: ${solve?.conda.unavailable ?? JSON.stringify(solve?.conda.conflicts)}`,
        );
      return { file, solve };
    };
    const t0 = process.hrtime.bigint();
    const cold = await report();
    const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const samples: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t = process.hrtime.bigint();
      await report();
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const s = samples.slice(3).sort((a, b) => a - b);
    // The same specs as an environment.yml, on the same warm store: what the pixi solve is measured against.
    const yml =
      `name: ml\nchannels:\n  - ${channel.url}\n  - nodefaults\ndependencies:\n` +
      cold.file.dependencies.map((d) => `  - ${d.text}`).join('\n') +
      '\n';
    const ymlSamples: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t = process.hrtime.bigint();
      const set = { root: '/b/environment.yml', files: [parseEnvironmentYml('/b/environment.yml', yml)], findings: [] };
      const r = await condaReport(set, {
        profile: PROFILE,
        cacheDir: cache,
        offline: false,
        trustWorkspace: true,
        condarcPaths: [],
        timeoutMs: 120_000,
        env: {},
      });
      if (r.status !== 'ok') throw new Error('the environment.yml of the same specs does not solve');
      ymlSamples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const y = ymlSamples.slice(3).sort((a, b) => a - b);
    return {
      specs: cold.file.dependencies.length,
      'records reached': cold.solve.conda.stats.records,
      'solution size': cold.solve.conda.solution.length,
      'cold report (ms)': +coldMs.toFixed(1),
      'warm parse + report p50 (ms)': +s[Math.floor(s.length / 2)]!.toFixed(1),
      'warm parse + report p95 (ms)': +s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!.toFixed(1),
      'the same specs as an environment.yml, warm parse + report p50 (ms)': +y[Math.floor(y.length / 2)]!.toFixed(1),
    };
  } finally {
    await channel.close();
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

// Bundled into run.js too, where `require.main === module` also holds: only `node out/bench/pixi.js` runs this.
if (require.main === module && /[\\/]pixi\.js$/.test(process.argv[1] ?? '')) {
  void benchPixi()
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .then(() => process.exit(0))
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
