// Micro-benchmark of the PEP 440/508 core: version parsing, comparison, specifier and version-set checks.
import { parseRequirement } from '../server/src/pep/requirement';
import { SpecifierSet } from '../server/src/pep/specifier';
import { Version, compareVersions } from '../server/src/pep/version';
import { VersionSet } from '../server/src/pep/version-set';
import { rng } from './scenarios';

function versionTexts(n: number): string[] {
  const r = rng(440);
  const out: string[] = [];
  const suffixes = ['', '', '', '', 'a1', 'rc2', '.post1', '.dev3', '+cu118', 'b1.post2.dev1'];
  for (let i = 0; i < n; i++) {
    const parts = 1 + Math.floor(r() * 3);
    const rel = Array.from({ length: parts }, () => Math.floor(r() * 30)).join('.');
    out.push(rel + suffixes[Math.floor(r() * suffixes.length)]!);
  }
  return out;
}

/** Runs `fn` `n` times (after a short warm-up) and returns operations per millisecond. */
function opsPerMs(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 1000); i++) fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return n / Math.max(ms, 1e-3);
}

/**
 * ops/ms for: version parse, version compare, SpecifierSet.contains, VersionSet.contains/intersect, requirement parse.
 */
export async function benchPep(): Promise<Record<string, number>> {
  const texts = versionTexts(20000);
  const versions = texts.map((t) => Version.parse(t)!);
  const specs = ['>=1.2,<3', '~=2.4.1', '==1.*,!=1.5.2', '>0.9rc1', '<=12.0.post1,>=0.1'].map((s) =>
    SpecifierSet.parse(s),
  );
  const sets = specs.map((s) => VersionSet.fromSpecifierSet(s));
  const reqs = [
    'numpy>=1.24,<2',
    'torch[cuda] (==2.1.*) ; sys_platform == "linux" and python_version >= "3.9"',
    'pkg @ https://example.invalid/p.whl',
  ];
  let sink = 0;
  const result: Record<string, number> = {
    'pep.version.parse': opsPerMs(200000, (i) => {
      if (Version.parse(texts[i % texts.length]!)) sink++;
    }),
    'pep.version.compare': opsPerMs(2000000, (i) => {
      sink += compareVersions(versions[i % versions.length]!, versions[(i * 7919) % versions.length]!);
    }),
    'pep.versions.sortedPerMs':
      opsPerMs(5, () => {
        sink += [...versions].sort(compareVersions).length;
      }) * versions.length,
    'pep.specifierSet.contains': opsPerMs(500000, (i) => {
      if (specs[i % specs.length]!.contains(versions[i % versions.length]!)) sink++;
    }),
    'pep.versionSet.contains': opsPerMs(1000000, (i) => {
      if (sets[i % sets.length]!.contains(versions[i % versions.length]!)) sink++;
    }),
    'pep.versionSet.intersect': opsPerMs(100000, (i) => {
      if (sets[i % sets.length]!.intersect(sets[(i + 1) % sets.length]!).isEmpty()) sink++;
    }),
    // Each text distinct (parseRequirement remembers texts it has seen): this is the cost of a new line.
    'pep.requirement.parse (new text)': opsPerMs(50000, (i) => {
      sink += parseRequirement(`${reqs[i % reqs.length]!.replace(/^[A-Za-z0-9]+/, (n) => `${n}${i}`)}`).name.length;
    }),
    'pep.requirement.parse (seen text)': opsPerMs(50000, (i) => {
      sink += parseRequirement(reqs[i % reqs.length]!).name.length;
    }),
  };
  if (sink === -1) console.log(sink);
  for (const k of Object.keys(result)) result[k] = Math.round(result[k]!);
  return result;
}
