// Findings from conda's solve on the lines (conflict-transitive, not-found, cuda-driver, cuda-unavailable) and
// pip-over-conda, with fixes applied and solved again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { condaFindings } from '../../server/src/checks/conda-solve';
import { pipOverConda } from '../../server/src/checks/pip-over-conda';
import { runChecks } from '../../server/src/checks/registry';
import type { CheckContext } from '../../server/src/checks/types';
import { condaReport } from '../../server/src/conda/report';
import type { Finding } from '../../server/src/model/types';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import { markerEnvironmentFor, type MachineProfile } from '../../server/src/system/profile';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { LINUX_GPU_470, LINUX_NO_GPU, ML_CHANNEL, condaYml, reportOptions } from '../helpers/conda-fixtures';
import { applyFix, setOf } from '../helpers/sets';
import { slice } from '../helpers/spans';
import type { EnvironmentSet } from '../../server/src/model/sets';

let channel: CondaChannel;
let cache: string;
before(async () => {
  channel = await startCondaChannel(ML_CHANNEL, { format: 'sharded' });
  cache = mkdtempSync(join(tmpdir(), 'sd-conda-f-'));
});
after(async () => {
  await channel.close();
  rmSync(cache, { recursive: true, force: true });
});

const yml = (deps: string[], pip: string[] = []): string => condaYml([channel.url, 'nodefaults'], deps, pip);

async function ctxFor(set: EnvironmentSet, profile: MachineProfile = LINUX_GPU_470): Promise<CheckContext> {
  const r = await condaReport(set, reportOptions(cache, { profile }));
  return { markerEnvironment: markerEnvironmentFor(profile), profile, conda: new Map([[set.root, r]]) };
}

async function findings(set: EnvironmentSet, profile: MachineProfile = LINUX_GPU_470): Promise<Finding[]> {
  const ctx = await ctxFor(set, profile);
  return [...condaFindings(set, ctx), ...pipOverConda.run(set, ctx)];
}

const text = (set: EnvironmentSet, f: Finding): string => slice(set.files[0]!.text, f.span);

describe('conda findings on the lines', () => {
  it(
    'python=3.12 + tensorflow=2.10: conflict-transitive on ' + 'both lines, the fix applied solves and the findings go',
    async () => {
      const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(['python=3.12', 'tensorflow=2.10'])));
      const f = await findings(set);
      assert.deepEqual(f.map((x) => `${x.code} ${x.severity} ${text(set, x)}`).sort(), [
        'conflict-transitive error python=3.12',
        'conflict-transitive error tensorflow=2.10',
      ]);
      assert.match(
        f[0]!.message,
        /tensorflow 2\.10\.0 needs python >=3\.10,<3\.11\.0a0; python=3\.12 is asked at line 6/,
      );
      const fix = f.flatMap((x) => x.fixes)[0]!;
      const fixed = applyFix(set, fix);
      assert.deepEqual(await findings(fixed), []);
    },
  );

  it('a CUDA build: cuda-driver on a 470 driver, cuda-unavailable without a GPU; the CPU fix solves', async () => {
    const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(['python=3.11', 'pytorch=2.1=*cuda*'])));
    const old = await findings(set);
    assert.deepEqual(
      old.map((x) => `${x.code} ${x.severity} ${text(set, x)}`),
      ['cuda-driver error pytorch=2.1=*cuda*'],
    );
    assert.match(old[0]!.message, /CUDA 11\.8 or newer.*CUDA 11\.4/);
    const none = await findings(set, LINUX_NO_GPU);
    assert.deepEqual(
      none.map((x) => x.code),
      ['cuda-unavailable'],
    );
    assert.match(none[0]!.message, /no NVIDIA driver/);
    const cpu = none[0]!.fixes.find((x) => /CPU/.test(x.title))!;
    assert.ok(cpu, none[0]!.fixes.map((x) => x.title).join());
    assert.deepEqual(await findings(applyFix(set, cpu), LINUX_NO_GPU), []);
  });

  it('a driver the profile did not probe: information, not an error', async () => {
    const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(['python=3.11', 'pytorch=2.1=*cuda*'])));
    const unknown: MachineProfile = { os: 'linux', arch: 'x86_64', libc: { kind: 'glibc', version: '2.35' } };
    const f = await findings(set, unknown);
    assert.deepEqual(
      f.map((x) => `${x.code} ${x.severity}`),
      ['cuda-unavailable information'],
    );
    assert.match(f[0]!.message, /driver is not known/);
  });

  it('not-found on the name (closest names) or the line (newest versions)', async () => {
    const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(['python=3.11', 'tensorflw', 'numpy=3'])));
    const f = await findings(set);
    assert.deepEqual(f.map((x) => `${x.code} ${text(set, x)}`).sort(), ['not-found numpy=3', 'not-found tensorflw']);
    assert.match(f.find((x) => text(set, x) === 'tensorflw')!.message, /closest names there: tensorflow/);
    assert.match(f.find((x) => text(set, x) === 'numpy=3')!.message, /newest versions: 2\.0\.0, 1\.26\.4/);
  });

  it('an environment conda solves gets no finding', async () => {
    const set = setOf(
      parseEnvironmentYml('/w/environment.yml', yml(['python=3.10', 'tensorflow=2.10', 'scipy', 'requests'])),
    );
    assert.deepEqual(await findings(set), []);
  });
});

describe('conda findings with the knowledge rules (runChecks)', () => {
  it("on a line both judge, conda's finding stands: a CUDA build on a machine without a driver is an error", async () => {
    const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(['python=3.11', 'pytorch=*=*cuda118*'])));
    const ctx = await ctxFor(set, LINUX_NO_GPU);
    const f = runChecks([set], ctx).filter((x) => text(set, x) === 'pytorch=*=*cuda118*');
    assert.deepEqual(
      f.map((x) => `${x.code} ${x.severity}`),
      ['cuda-unavailable error'],
    );
    assert.match(f[0]!.message, /conda refuses the install/);
  });

  it('where conda solves the environment, a knowledge rule says a warning on a conda line, not an error', async () => {
    // conda installs a CUDA 12.1 pytorch build next to cuda-version 11.8 here (nothing on this channel forbids it);
    // the cuda-mix rule still warns.
    const set = setOf(
      parseEnvironmentYml('/w/environment.yml', yml(['python=3.11', 'pytorch=*=*cuda121*', 'cuda-version=11.8'])),
    );
    const gpu: MachineProfile = { ...LINUX_GPU_470, nvidia: { driver: '550.54', cuda: '12.4', gpus: [] } };
    const ctx = await ctxFor(set, gpu);
    assert.equal(ctx.conda!.get(set.root)!.status, 'ok');
    const all = runChecks([set], ctx);
    assert.deepEqual(
      all.filter((x) => x.severity === 'error').map((x) => `${x.code} ${text(set, x)}`),
      [],
    );
    const mix = all.filter((x) => x.code === 'cuda-mix');
    assert.ok(mix.length > 0, JSON.stringify(all.map((x) => x.code)));
    for (const m of mix) {
      assert.equal(m.severity, 'warning');
      assert.match(m.message, /conda's solve installs this environment on the target, so this is not an error/);
    }
    // Without conda's answer (the fast stage, or offline without a cache) the rule keeps its severity.
    const fast = runChecks([set], { markerEnvironment: ctx.markerEnvironment, profile: gpu });
    assert.ok(fast.some((x) => x.code === 'cuda-mix' && x.severity === 'error'));
  });
});

describe('pip-over-conda', () => {
  it(
    "numpy in both parts, pip excluding conda's version: a warning, " +
      'and the move to the conda part is verified and clears it',
    async () => {
      const set = setOf(
        parseEnvironmentYml(
          '/w/environment.yml',
          yml(['python=3.11', 'numpy', 'requests'], ['numpy==1.26.4', 'somepippkg']),
        ),
      );
      const f = await findings(set);
      assert.deepEqual(
        f.map((x) => `${x.code} ${x.severity} ${text(set, x)}`),
        ['pip-over-conda warning numpy==1.26.4'],
      );
      assert.match(
        f[0]!.message,
        /^pip would replace conda's numpy 2\.0\.0: 'numpy==1\.26\.4' excludes that version\n/,
      );
      const fix = f[0]!.fixes[0]!;
      assert.ok(fix, 'a move fix');
      const fixed = applyFix(set, fix);
      assert.ok(!fixed.files[0]!.text.includes('numpy==1.26.4'));
      assert.ok(fixed.files[0]!.text.includes('- numpy ==1.26.4'), fixed.files[0]!.text);
      assert.ok(fixed.files[0]!.text.includes('somepippkg'));
      const ctx = await ctxFor(fixed);
      assert.equal(ctx.conda!.get(fixed.root)!.status, 'ok');
      assert.equal(ctx.conda!.get(fixed.root)!.picked.find((p) => p.dep.name === 'numpy')!.pkg.version, '1.26.4');
      assert.deepEqual(pipOverConda.run(fixed, ctx), []);
    },
  );

  it(
    'a pip line of a package conda installs as a dependency (idna under ' +
      'requests) is flagged; the only pip line moves with its - pip: entry',
    async () => {
      const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(['python=3.11', 'requests'], ['idna'])));
      const f = await findings(set);
      assert.deepEqual(
        f.map((x) => `${x.code} ${text(set, x)}`),
        ['pip-over-conda idna'],
      );
      assert.match(f[0]!.message, /^'idna' shadows conda's idna 3\.6; ask for it in the conda part\n/);
      const fixed = applyFix(set, f[0]!.fixes[0]!);
      assert.ok(!/pip:/.test(fixed.files[0]!.text), fixed.files[0]!.text);
      assert.deepEqual(await findings(fixed), []);
    },
  );

  it('a pip-only package is not flagged', async () => {
    const set = setOf(parseEnvironmentYml('/w/environment.yml', yml(['python=3.11'], ['somepippkg>=1'])));
    assert.deepEqual(await findings(set), []);
  });
});
