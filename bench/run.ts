// `npm run bench`: parse+check of large files per check, edit -> diagnostics latency over stdio, PEP core, and
// resolution (in memory, over a loopback index, against pip).
import * as os from 'node:os';
import { checks, runChecks } from '../server/src/checks/registry';
import type { EnvironmentSet } from '../server/src/model/sets';
import { defaultEnvironment } from '../server/src/pep/marker';
import { parseEnvironmentYml } from '../server/src/parsers/environment-yml';
import { parsePyproject } from '../server/src/parsers/pyproject';
import { parseRequirementsFile } from '../server/src/parsers/requirements';
import { benchPep } from './pep';
import { benchCliProcess } from './cli-process';
import { benchConda } from './conda';
import { benchPixi } from './pixi';
import { benchCondaLocks } from './conda-locks';
import { benchEditor } from './editor';
import { benchLocks } from './locks';
import { editLatency, pkg, requirementsText } from './edit-latency';
import { benchAgainstPip } from './pip-compare';
import { benchResolver } from './resolver';
import { benchSoak } from './soak';
import { time } from './timing';
import { commitOf, resultsMarkdown } from './results-md';
import { writeFileSync } from 'node:fs';

function pyprojectText(n: number): string {
  const deps = Array.from({ length: n }, (_, i) => `  "${pkg(i)}>=${i % 9}.${i % 4}",`).join('\n');
  return `[project]\nname = "bench"\nversion = "1"\nrequires-python = ">=3.9"\ndependencies = [\n${deps}\n]\n`;
}

function environmentText(n: number): string {
  const deps = Array.from({ length: n }, (_, i) =>
    i % 2 ? `  - ${pkg(i)}=${i % 9}.${i % 4}` : `  - conda-forge::${pkg(i)}>=${i % 9}`,
  ).join('\n');
  return `name: bench\nchannels:\n  - conda-forge\ndependencies:\n${deps}\n  - pip:\n    - rich>=13\n`;
}

async function main(): Promise<void> {
  // The code this run measures (taken before it starts: a commit made during the run is not it).
  const commit = commitOf();
  const env = defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' });
  const results: Record<string, unknown> = {
    machine:
      `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    date: new Date().toISOString().slice(0, 10),
  };
  const inputs: [string, () => EnvironmentSet][] = [
    [
      'requirements.txt, 2000 lines',
      () => ({
        root: '/b/requirements.txt',
        files: [
          parseRequirementsFile('/b/requirements.txt', requirementsText(2000), { kind: 'requirements', env: {} }),
        ],
        findings: [],
      }),
    ],
    [
      'pyproject.toml, 500 dependencies',
      () => ({
        root: '/b/pyproject.toml',
        files: [parsePyproject('/b/pyproject.toml', pyprojectText(500))],
        findings: [],
      }),
    ],
    [
      'environment.yml, 500 dependencies',
      () => ({
        root: '/b/environment.yml',
        files: [parseEnvironmentYml('/b/environment.yml', environmentText(500))],
        findings: [],
      }),
    ],
  ];
  for (const [label, make] of inputs) {
    const set = make();
    const row: Record<string, unknown> = { 'parse (ms)': time(make, 30) };
    // A fresh set and environment object each run: checks share per-set work (markers, declarations) through
    // caches keyed by those objects, and a timing that hit them would flatter every check after the first.
    for (const c of checks)
      row[`check ${c.code} (ms)`] = time(
        () => c.run({ ...set }, { markerEnvironment: { ...env }, profile: { os: 'linux', arch: 'x86_64' } }),
        30,
      );
    row['all checks, one analysis (ms)'] = time(
      () => runChecks([{ ...set }], { markerEnvironment: { ...env }, profile: { os: 'linux', arch: 'x86_64' } }),
      30,
    );
    results[label] = row;
  }
  results['uv.lock, about 1 MB (300 packages)'] = benchLocks();
  results['didChange -> publishDiagnostics, 2000-line requirements.txt, stdio (ms)'] = await editLatency(100);
  results['editor features over stdio, warm cache'] = await benchEditor();
  results['pep (operations per ms)'] = await benchPep();
  results['resolver over the in-memory provider (ms)'] = await benchResolver();
  results['resolver over a loopback index, and pip'] = await benchAgainstPip();
  results['conda: 30-spec ML environment over a ~20,000-record loopback channel'] = await benchConda();
  results['pixi: 30-spec environment on a CUDA platform entry, same channel (sharded)'] = await benchPixi();
  results['conda locks: a generated pixi.lock, warm'] = benchCondaLocks();
  results['editing session: 5,000 edits with requests in between'] = await benchSoak(5000);
  results['whole processes: stack-doctor check against pip, 24 scenarios'] = await benchCliProcess(24);
  console.log(JSON.stringify(results, null, 2));
  // bench/RESULTS.md is this run's: written from the output above, never by hand.
  writeFileSync('bench/RESULTS.md', resultsMarkdown(results, commit));
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
