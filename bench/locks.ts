// Lock files: a generated uv.lock of about 1 MB (300 packages, each with its dependencies, an sdist and the wheels of
// several Pythons and platforms, some forked by `resolution-markers`) parsed, and judged against its pyproject by
// lock-drift; and an edit of the pyproject judged again on the cached lock (what the editor does on each keystroke).
import { runChecks } from '../server/src/checks/registry';
import { lockDrift } from '../server/src/checks/lock-drift';
import { defaultEnvironment } from '../server/src/pep/marker';
import { parsePyproject } from '../server/src/parsers/pyproject';
import { parseUvLock } from '../server/src/parsers/uv-lock';
import { time as timeRuns } from './timing';

const PLATFORMS = [
  'manylinux_2_17_x86_64.manylinux2014_x86_64',
  'manylinux_2_17_aarch64.manylinux2014_aarch64',
  'macosx_11_0_arm64',
  'win_amd64',
];
const PYTHONS = ['cp311', 'cp312'];
const hash = (i: number, j: number) => ((i * 7919 + j * 104729) >>> 0).toString(16).padStart(8, '0').repeat(8);

/** A uv.lock of `n` packages in uv's layout; the project `bench` depends on the first `direct` of them. */
export function uvLockText(n: number, direct: number): string {
  const out: string[] = ['version = 1', 'revision = 3', 'requires-python = ">=3.10"', ''];
  const name = (i: number) => `pkg-${i}`;
  out.push('[[package]]', 'name = "bench"', 'version = "1.0.0"', 'source = { editable = "." }', 'dependencies = [');
  for (let i = 0; i < direct; i++) out.push(`    { name = "${name(i)}" },`);
  out.push(']', '', '[package.metadata]', 'requires-dist = [');
  for (let i = 0; i < direct; i++) out.push(`    { name = "${name(i)}", specifier = ">=${i % 5}.0" },`);
  out.push(']', '');
  for (let i = 0; i < n; i++) {
    const v = `${1 + (i % 5)}.${i % 13}.${i % 7}`;
    const forked = i % 10 === 0;
    for (const fork of forked ? ['<', '>='] : ['']) {
      out.push('[[package]]', `name = "${name(i)}"`, `version = "${v}${fork === '>=' ? '.post1' : ''}"`);
      out.push('source = { registry = "https://pypi.org/simple" }');
      if (fork) out.push('resolution-markers = [', `    "python_full_version ${fork} '3.12'",`, ']');
      out.push('dependencies = [');
      for (let d = 1; d <= 3; d++) {
        const dep = (i + d * 17) % n;
        out.push(
          d === 3
            ? `    { name = "${name(dep)}", marker = "sys_platform == 'linux'" },`
            : `    { name = "${name(dep)}" },`,
        );
      }
      out.push(']');
      const file = `pkg_${i}-${v}`;
      out.push(
        `sdist = { url = "https://files.pythonhosted.org/packages/${hash(i, 0).slice(0, 2)}/${hash(i, 0).slice(2, 4)}/${hash(i, 0)}/${file}.tar.gz", hash = "sha256:${hash(i, 1)}", size = ${10000 + i}, upload-time = "2025-01-0${1 + (i % 9)}T00:00:00.000Z" }`,
      );
      out.push('wheels = [');
      for (const py of PYTHONS)
        for (const plat of PLATFORMS)
          out.push(
            `    { url = "https://files.pythonhosted.org/packages/${hash(i, 2).slice(0, 2)}/${hash(i, 3).slice(0, 2)}/${hash(i, 4)}/${file}-${py}-${py}-${plat}.whl", hash = "sha256:${hash(i, 5)}", size = ${20000 + i}, upload-time = "2025-01-01T00:00:00.000Z" },`,
          );
      out.push(']', '');
    }
  }
  return out.join('\n');
}

export function pyprojectFor(direct: number, bump = -1): string {
  const deps = Array.from({ length: direct }, (_, i) => `  "pkg-${i}>=${i === bump ? 9 : i % 5}.0",`).join('\n');
  return `[project]\nname = "bench"\nversion = "1.0.0"\nrequires-python = ">=3.10"\ndependencies = [\n${deps}\n]\n`;
}

function cpuPerRun(fn: () => void, runs: number): number {
  for (let i = 0; i < 5; i++) fn();
  const before = process.cpuUsage();
  for (let i = 0; i < runs; i++) fn();
  const used = process.cpuUsage(before);
  return +((used.user + used.system) / 1000 / runs).toFixed(2);
}

/** The lock benches warm up five runs (the first parses fill the caches a warm editor has). */
const time = (fn: () => void, runs: number) => timeRuns(fn, runs, 5);

export function benchLocks(runs = 30): Record<string, unknown> {
  const direct = 60;
  const lockText = uvLockText(300, direct);
  const env = defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' });
  const ctx = () => ({ markerEnvironment: { ...env }, profile: { os: 'linux', arch: 'x86_64' } });
  const pyproject = parsePyproject('/b/pyproject.toml', pyprojectFor(direct));
  const lock = parseUvLock('/b/uv.lock', lockText);
  if (lock.findings.length) throw new Error(`the generated uv.lock does not parse: ${lock.findings[0]!.message}`);
  const set = () => ({ root: pyproject.path, files: [pyproject, lock], findings: [] });
  if (lockDrift.run(set(), ctx()).length) throw new Error('the generated uv.lock drifts from its pyproject');
  return {
    'uv.lock size (bytes)': Buffer.byteLength(lockText),
    'uv.lock packages': lock.lock!.packages.length,
    'parse uv.lock (ms)': time(() => parseUvLock('/b/uv.lock', lockText), runs),
    // On a machine shared with other work the wall times above include waiting for a core; this is the work itself.
    'parse + lock-drift, CPU time per run (ms)': cpuPerRun(() => {
      const l = parseUvLock('/b/uv.lock', lockText);
      lockDrift.run({ root: pyproject.path, files: [pyproject, l], findings: [] }, ctx());
    }, runs),
    'lock-drift on the parsed lock (ms)': time(() => lockDrift.run(set(), ctx()), runs),
    'parse + lock-drift (ms)': time(() => {
      const l = parseUvLock('/b/uv.lock', lockText);
      lockDrift.run({ root: pyproject.path, files: [pyproject, l], findings: [] }, ctx());
    }, runs),
    // What an edit of the pyproject costs: the pyproject parsed again, every check on the set, the lock cached.
    'pyproject edit -> all checks, lock cached (ms)': time(() => {
      const edited = parsePyproject('/b/pyproject.toml', pyprojectFor(direct, 7));
      runChecks([{ root: edited.path, files: [edited, lock], findings: [] }], ctx());
    }, runs),
  };
}
