// Differential test of the pixi stage over generated manifests and a generated loopback channel: for every environment
// on linux-64, our verdict and solution equal rattler's own solve (its gateway fetching the channel over HTTP) of the
// environment's specs with the platform's declared virtual packages (pixi's defaults, a declared __cuda, a
// feature's system requirements); the lines we blame, removed, leave a manifest that solves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VirtualPackage } from '../../server/src/conda/virtual-packages';
import { environmentSpecs, pixiManifestOf } from '../../server/src/model/pixi';
import type { PixiSolveReport } from '../../server/src/model/reports';
import { parsePixiToml } from '../../server/src/parsers/pixi';
import { markerEnvironmentFor, type MachineProfile } from '../../server/src/system/profile';
import { pixiReport } from '../../server/src/workspace/stages/pixi-stage';
import type { StageContext } from '../../server/src/workspace/stages/stage';
import { rng } from '../../bench/scenarios';
import { startCondaChannel, type ChannelPackage, type CondaChannel } from '../helpers/conda-channel';
import { rattlerSolve } from '../helpers/rattler-oracle';
import { setOf } from '../helpers/sets';

const PYS = ['3.10', '3.11', '3.12'];
const pyAbi = (mm: string): string => `python >=${mm},<3.${Number(mm.split('.')[1]) + 1}.0a0`;

/** Packages with versions, per-Python builds, dependencies on earlier ones, CUDA builds needing 11.8 or 12.4. */
function generateChannel(r: () => number, n: number): { pkgs: ChannelPackage[]; versions: Map<string, string[]> } {
  const pkgs: ChannelPackage[] = PYS.map((mm) => ({
    name: 'python',
    version: `${mm}.2`,
    build: 'h0_cpython',
    depends: ['__glibc >=2.17'],
  }));
  const versions = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const name = `lib${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26) || ''}`;
    const names = [...versions.keys()];
    const vs = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, k) => `${1 + k}.${Math.floor(r() * 4)}`);
    versions.set(name, vs);
    for (const v of vs) {
      const deps: string[] = [];
      if (names.length && r() < 0.5) {
        const dep = names[Math.floor(r() * names.length)]!;
        const pick = versions.get(dep)![0]!;
        deps.push(r() < 0.5 ? `${dep} >=${pick}` : `${dep} <${Number(pick.split('.')[0]) + 1}`);
      }
      const pys = r() < 0.5 ? PYS.filter(() => r() < 0.7) : [];
      if (!pys.length) pkgs.push({ name, version: v, build: 'h0_0', depends: deps });
      for (const mm of pys) {
        const tag = mm.replace('.', '');
        pkgs.push({ name, version: v, build: `py${tag}_0`, depends: [...deps, pyAbi(mm)] });
        if (r() < 0.25)
          pkgs.push({
            name,
            version: v,
            build: `cuda${r() < 0.5 ? '118' : '124'}_py${tag}_1`,
            build_number: 1,
            depends: [...deps, pyAbi(mm), r() < 0.5 ? '__cuda >=11.8' : '__cuda >=12.4'],
          });
      }
    }
  }
  return { pkgs, versions };
}

/** A manifest: a platform with or without a declared CUDA, default deps, and a `gpu` feature in its own environment. */
function generateManifest(r: () => number, url: string, versions: Map<string, string[]>): string {
  const names = [...versions.keys()];
  const spec = (name: string): string => {
    const vs = versions.get(name) ?? ['1.0'];
    const x = r();
    if (x < 0.3) return `${name} = "*"`;
    if (x < 0.6) return `${name} = "${vs[Math.floor(r() * vs.length)]}.*"`;
    if (x < 0.75) return `${name} = ">=${vs[vs.length - 1]}"`;
    if (x < 0.9) return `${name} = { version = "*", build = "cuda*" }`;
    return `${name} = "9.9.*"`;
  };
  const pick = (k: number): string[] => {
    const used = new Set<string>();
    const out: string[] = [];
    for (let i = 0; i < k; i++) {
      const n = r() < 0.03 ? `nosuch${i}` : names[Math.floor(r() * names.length)]!;
      if (!used.has(n)) out.push(spec(n));
      used.add(n);
    }
    return out;
  };
  const cuda = r();
  const platform =
    cuda < 0.4
      ? '"linux-64"'
      : `{ platform = "linux-64", cuda = "${cuda < 0.7 ? '12.4' : '11.8'}"${r() < 0.3 ? ', glibc = "2.17"' : ''} }`;
  const python = r() < 0.7 ? [`python = "${PYS[Math.floor(r() * 3)]}.*"`] : [];
  const lines = [
    '[workspace]',
    `channels = ["${url}"]`,
    `platforms = [${platform}]`,
    '',
    '[dependencies]',
    ...python,
    ...pick(1 + Math.floor(r() * 3)),
    '',
    '[feature.gpu.dependencies]',
    ...pick(1 + Math.floor(r() * 2)),
  ];
  if (r() < 0.3) lines.push('', '[feature.gpu.system-requirements]', 'cuda = "12.4"');
  lines.push('', '[environments]', 'gpu = ["gpu"]', '');
  return lines.join('\n');
}

/** The declared virtual packages, written out independently of the stage: pixi's Linux defaults and what is declared. */
function oracleVirtual(declared: Record<string, string>): VirtualPackage[] {
  return [
    { name: '__unix', version: '0', build: '0' },
    ...Object.entries(declared).map(([name, version]) => ({ name, version, build: '0' })),
    { name: '__archspec', version: '1', build: 'x86_64' },
  ];
}

const MACHINE: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.35' },
  nvidia: { driver: '550.54', cuda: '12.4', gpus: [] },
};

let channel: CondaChannel;
let cache: string;
let gen: ReturnType<typeof generateChannel>;
before(async () => {
  gen = generateChannel(rng(11), 30);
  channel = await startCondaChannel(gen.pkgs, { format: 'sharded' });
  cache = mkdtempSync(join(tmpdir(), 'sd-pixi-diff-'));
});
after(async () => {
  await channel.close();
  rmSync(cache, { recursive: true, force: true });
});

const ctx = (): StageContext => ({
  profile: MACHINE,
  markerEnvironment: markerEnvironmentFor(MACHINE),
  machine: MACHINE,
  index: null,
  cacheDir: cache,
  offline: false,
  trusted: true,
  timeoutMs: 60_000,
  advisories: null,
});

const solveOf = async (text: string): Promise<{ report: PixiSolveReport; text: string }> => {
  const file = parsePixiToml('/w/pixi.toml', text);
  assert.deepEqual(
    file.findings.map((f) => f.message),
    [],
  );
  const report = await pixiReport(setOf(file), ctx(), undefined, {});
  assert.ok(report);
  return { report, text };
};

describe('pixi differential over generated manifests', () => {
  it("80 manifests, two environments each: our verdict and solution are rattler's; blamed lines removed solve", async (t) => {
    const r = rng(5);
    let solves = 0;
    let failed = 0;
    let blamedChecked = 0;
    for (let i = 0; i < 80; i++) {
      const text = generateManifest(r, channel.url, gen.versions);
      const { report } = await solveOf(text);
      const manifest = pixiManifestOf(parsePixiToml('/w/pixi.toml', text))!;
      assert.equal(report.solves.length, 2, text);
      for (const s of report.solves) {
        const specs = environmentSpecs(manifest, s.environment, s.platform)!;
        assert.ok(
          s.conda.status === 'ok' || s.conda.status === 'failed',
          `${text}\n${s.environment}: ${s.conda.status} ${s.conda.unavailable}`,
        );
        const oracle = await rattlerSolve(
          specs.dependencies.map((d) => d.text),
          channel.url,
          oracleVirtual(specs.virtual),
        );
        assert.equal(s.conda.status === 'ok', oracle !== null, `verdict differs in ${s.environment}:\n${text}`);
        if (oracle)
          assert.deepEqual(
            s.conda.solution.map((p) => `${p.name} ${p.version} ${p.build}`).sort(),
            oracle,
            `solution differs in ${s.environment}:\n${text}`,
          );
        solves++;
        if (s.conda.status !== 'failed') continue;
        failed++;
        assert.ok(s.conda.notFound.length + s.conda.conflicts.length > 0, text);
        // Every blamed line removed from the manifest: that environment solves (or is empty).
        const blamed = [...s.conda.notFound.map((n) => n.dep), ...s.conda.conflicts.flatMap((c) => c.roots)];
        let rest = text;
        for (const d of [...blamed].sort((a, b) => b.span.start - a.span.start))
          if (rest.slice(d.span.start, d.span.end) === text.slice(d.span.start, d.span.end))
            rest = rest.slice(0, d.span.start) + rest.slice(d.span.end);
        const again = (await solveOf(rest)).report.solves.find((x) => x.environment === s.environment);
        if (again) assert.equal(again.conda.status, 'ok', `without the blamed lines ${s.environment} solves:\n${rest}`);
        blamedChecked++;
      }
    }
    t.diagnostic(`${solves} environment solves, ${failed} unsolvable, ${blamedChecked} blamed sets checked`);
    assert.ok(solves >= 160);
    assert.ok(failed >= 30, `enough unsolvable environments (${failed})`);
  });
});
