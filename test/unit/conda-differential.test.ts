// Differential test of the conda side on 200+ generated environments over a generated loopback channel:
// our verdict equals rattler's own (its gateway fetching the channel over HTTP); the lines we blame, removed,
// leave an environment conda solves; every fix we offer, applied, removes the conflict it is offered for.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { condaReport, type CondaReportOptions } from '../../server/src/conda/report';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import type { MachineProfile } from '../../server/src/system/profile';
import { startCondaChannel, type ChannelPackage, type CondaChannel } from '../helpers/conda-channel';
import { applyFix, setOf } from '../helpers/sets';
import { condaYml, reportOptions } from '../helpers/conda-fixtures';
import { rattlerOracle } from '../helpers/rattler-oracle';
import { rng } from '../../bench/scenarios';
import type { CondaSolveReport } from '../../server/src/model/reports';

const PYS = ['3.10', '3.11', '3.12'];
const pyAbi = (mm: string): string => `python >=${mm},<3.${Number(mm.split('.')[1]) + 1}.0a0`;

/**
 * A channel of `n` packages with versions, per-Python builds, dependencies on earlier packages, CUDA builds and
 * constrains.
 */
function generateChannel(
  r: () => number,
  n: number,
): { pkgs: ChannelPackage[]; names: string[]; versions: Map<string, string[]> } {
  const pkgs: ChannelPackage[] = PYS.map((mm) => ({ name: 'python', version: `${mm}.4`, build: 'h0_cpython' }));
  const names: string[] = [];
  const versions = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const name = `pkg${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26) || ''}`;
    names.push(name);
    const vs = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, k) => `${1 + k}.${Math.floor(r() * 3)}`);
    versions.set(name, vs);
    for (const v of vs) {
      const deps: string[] = [];
      for (let d = 0; d < 2 && i > 0; d++) {
        if (r() < 0.45) {
          const dep = names[Math.floor(r() * i)]!;
          const dv = versions.get(dep)!;
          const pick = dv[Math.floor(r() * dv.length)]!;
          deps.push(r() < 0.5 ? `${dep} >=${pick}` : `${dep} <${Number(pick.split('.')[0]) + 1}`);
        }
      }
      const constrains = i > 0 && r() < 0.1 ? [`${names[Math.floor(r() * i)]} <2`] : [];
      const pys = r() < 0.3 ? [PYS[Math.floor(r() * 3)]!] : r() < 0.5 ? PYS : [];
      if (!pys.length) pkgs.push({ name, version: v, build: 'h0_0', depends: deps, constrains });
      for (const mm of pys) {
        pkgs.push({ name, version: v, build: `py${mm.replace('.', '')}_0`, depends: [...deps, pyAbi(mm)], constrains });
        if (r() < 0.15)
          pkgs.push({
            name,
            version: v,
            build: `cuda120_py${mm.replace('.', '')}_1`,
            build_number: 1,
            depends: [...deps, pyAbi(mm), '__cuda >=12.0'],
            constrains,
          });
      }
    }
  }
  return { pkgs, names, versions };
}

function generateEnv(r: () => number, names: string[], versions: Map<string, string[]>): string[] {
  const out: string[] = [];
  if (r() < 0.7) out.push(`python=${PYS[Math.floor(r() * 3)]}`);
  const k = 1 + Math.floor(r() * 5);
  const used = new Set<string>();
  for (let i = 0; i < k; i++) {
    const name = r() < 0.04 ? `nosuch${i}` : names[Math.floor(r() * names.length)]!;
    if (used.has(name)) continue;
    used.add(name);
    const vs = versions.get(name) ?? ['1.0'];
    const x = r();
    if (x < 0.35) out.push(name);
    else if (x < 0.7) out.push(`${name}=${vs[Math.floor(r() * vs.length)]}`);
    else if (x < 0.85) out.push(`${name}>=${vs[vs.length - 1]}`);
    else if (x < 0.93) out.push(`${name}=*=*cuda*`);
    else out.push(`${name}=9.9`);
  }
  return out.length ? out : ['python'];
}

const PROFILE: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.35' },
  nvidia: { driver: '470.57', cuda: '11.4', gpus: [] },
};

let channel: CondaChannel;
let cache: string;
let gen: ReturnType<typeof generateChannel>;
before(async () => {
  gen = generateChannel(rng(7), 40);
  channel = await startCondaChannel(gen.pkgs, { format: 'sharded' });
  cache = mkdtempSync(join(tmpdir(), 'sd-conda-diff-'));
});
after(async () => {
  await channel.close();
  rmSync(cache, { recursive: true, force: true });
});

const yml = (deps: string[]): string => condaYml([channel.url, 'nodefaults'], deps, [], true);
const opts = (): CondaReportOptions => reportOptions(cache, { profile: PROFILE });

/**
 * rattler on its own: its gateway fetches the channel over HTTP; virtual packages as always-installed locked records.
 */
const failing = (r: CondaSolveReport): boolean => r.status === 'failed';

describe('conda differential over generated environments', () => {
  it(
    "200+ environments: our verdict is rattler's; blamed " + 'lines removed solve; offered fixes remove their conflict',
    async (t) => {
      const r = rng(42);
      let envs = 0;
      let unsolvable = 0;
      let fixesChecked = 0;
      for (let i = 0; i < 210; i++) {
        const deps = generateEnv(r, gen.names, gen.versions);
        const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(deps)));
        const rep = await condaReport(set, opts());
        assert.ok(
          rep.status === 'ok' || rep.status === 'failed',
          `${deps.join(' ')}: ${rep.status} ${rep.unavailable}`,
        );
        const solution = await rattlerOracle(deps, channel.url, PROFILE);
        assert.equal(
          rep.status === 'ok',
          solution !== null,
          `verdict differs for [${deps.join(', ')}]: ours ${rep.status}, rattler ${solution !== null}`,
        );
        // The same packages as rattler picks over the whole channel (only the shards of installable builds'
        // depends fetched here).
        if (solution)
          assert.deepEqual(
            rep.solution.map((p) => `${p.name} ${p.version} ${p.build}`).sort(),
            solution,
            `solution differs for [${deps.join(', ')}]`,
          );
        envs++;
        if (!failing(rep)) continue;
        unsolvable++;
        // Every unsolvable environment gets at least one error-level item.
        assert.ok(rep.notFound.length + rep.conflicts.length > 0);
        // The lines we blame, removed, leave an environment conda solves (or an empty one).
        const blamed = new Set([...rep.notFound.map((n) => n.dep), ...rep.conflicts.flatMap((c) => c.roots)]);
        const kept = set.files[0]!.dependencies.filter((d) => !blamed.has(d)).map((d) => d.text);
        if (kept.length) {
          const rest = await condaReport(
            setOf(parseEnvironmentYml('/w/environment.yml', yml(kept.map((t) => t.replace(/^"|"$/g, ''))))),
            opts(),
          );
          assert.equal(
            rest.status,
            'ok',
            `without [${[...blamed].map((d) => d.text).join(', ')}] [${kept.join(', ')}] should solve`,
          );
        }
        // Each fix removes the conflict it is offered for.
        for (const c of rep.conflicts) {
          for (const f of c.fixes) {
            const fixed = applyFix(set, f.fix);
            const again = await condaReport(fixed, opts());
            const rootsText = c.roots
              .map((d) => d.text)
              .sort()
              .join('|');
            assert.ok(
              !again.conflicts.some(
                (c2) =>
                  c2.roots
                    .map((d) => d.text)
                    .sort()
                    .join('|') === rootsText,
              ),
              `fix '${f.fix.title}' for [${deps.join(', ')}]`,
            );
            if (rep.conflicts.length === 1 && !rep.notFound.length)
              assert.equal(again.status, 'ok', `fix '${f.fix.title}' for [${deps.join(', ')}] solves`);
            fixesChecked++;
          }
        }
      }
      t.diagnostic(`${envs} environments, ${unsolvable} unsolvable, ${fixesChecked} fixes checked`);
      assert.ok(envs >= 200);
      assert.ok(unsolvable >= 30, `enough unsolvable environments (${unsolvable})`);
      assert.ok(fixesChecked >= 10, `enough fixes checked (${fixesChecked})`);
    },
  );
});
