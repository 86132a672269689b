// The conda solve over a loopback channel: conda's answers (picked builds, track_features, constrains, noarch python,
// __cuda), blame, explanations and verified fixes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { condaReport, type CondaReportOptions } from '../../server/src/conda/report';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { LINUX_GPU_470, LINUX_NO_GPU, ML_CHANNEL, condaYml, reportOptions } from '../helpers/conda-fixtures';
import { applyFix, setOf } from '../helpers/sets';
import type { CondaSolveReport } from '../../server/src/model/reports';

let channel: CondaChannel;
let sharded: CondaChannel;
let cache: string;

const envYml = (deps: string[], channels = ['CHANNEL', 'nodefaults'], pip: string[] = []): string =>
  condaYml(channels, deps, pip);
const opts = (over: Partial<CondaReportOptions> = {}): CondaReportOptions => reportOptions(cache, over);

async function report(
  deps: string[],
  over: Partial<CondaReportOptions> = {},
  ch: CondaChannel = channel,
  pip: string[] = [],
): Promise<{ r: CondaSolveReport; text: string }> {
  const text = envYml(deps, [ch.url, 'nodefaults'], pip);
  const set = setOf(parseEnvironmentYml('/w/environment.yml', text));
  return { r: await condaReport(set, opts(over)), text };
}

before(async () => {
  channel = await startCondaChannel(ML_CHANNEL);
  sharded = await startCondaChannel(ML_CHANNEL, { format: 'sharded' });
  cache = mkdtempSync(join(tmpdir(), 'sd-conda-'));
});
after(async () => {
  await channel.close();
  await sharded.close();
  rmSync(cache, { recursive: true, force: true });
});

describe('conda solve: what conda picks', () => {
  it('solves and reports the picked build and channel of each line', async () => {
    const { r } = await report(['python=3.11', 'numpy', 'requests']);
    assert.equal(r.status, 'ok', JSON.stringify(r.conflicts));
    const picked = Object.fromEntries(r.picked.map((p) => [p.dep.name, `${p.pkg.version} ${p.pkg.build}`]));
    assert.equal(picked['python'], '3.11.9 h0_0_cpython');
    assert.equal(picked['numpy'], '2.0.0 py311h0_0');
    assert.match(picked['requests']!, /^2\.31\.0 pyhd8ed1ab_0$/);
    assert.ok(
      r.solution.some((p) => p.name === 'idna' && p.subdir === 'noarch'),
      'noarch python dependency installed',
    );
    assert.ok(r.picked.every((p) => p.pkg.channel.startsWith('http://127.0.0.1:')));
  });

  it('prefers the higher build_number (the CUDA build) when the driver allows it, the CPU build when not', async () => {
    const gpu = await report(['python=3.11', 'pytorch'], {
      profile: { ...LINUX_GPU_470, nvidia: { driver: '550.54', cuda: '12.4', gpus: [] } },
    });
    assert.equal(gpu.r.status, 'ok');
    assert.match(gpu.r.picked.find((p) => p.dep.name === 'pytorch')!.pkg.build, /^cuda121_/);
    const old = await report(['python=3.11', 'pytorch']);
    assert.equal(old.r.status, 'ok');
    assert.match(old.r.picked.find((p) => p.dep.name === 'pytorch')!.pkg.build, /^cpu_/);
  });

  it('downweights track_features: the build without them wins', async () => {
    const { r } = await report(['blas']);
    assert.equal(r.picked[0]!.pkg.build, 'openblas');
    const mkl = await report(['blas=*=mkl']);
    assert.equal(mkl.r.status, 'ok');
    assert.equal(mkl.r.picked[0]!.pkg.build, 'mkl');
  });

  it('honours constrains: scipy caps numpy below 2 without depending on it', async () => {
    const ok = await report(['python=3.11', 'scipy', 'numpy']);
    assert.equal(ok.r.status, 'ok');
    assert.equal(ok.r.picked.find((p) => p.dep.name === 'numpy')!.pkg.version, '1.26.4');
    const bad = await report(['python=3.11', 'scipy', 'numpy=2']);
    assert.equal(bad.r.status, 'failed');
    assert.deepEqual(bad.r.conflicts[0]!.roots.map((d) => d.name).sort(), ['numpy', 'scipy']);
  });
});

describe('conda solve: the issue case, python=3.12 with tensorflow=2.10', () => {
  for (const [label, ch] of [
    ['plain', () => channel],
    ['sharded', () => sharded],
  ] as const) {
    it(`blames both lines with conda's reason and offers fixes a solve accepts (${label} repodata)`, async () => {
      const { r, text } = await report(['python=3.12', 'tensorflow=2.10', 'requests'], {}, ch());
      assert.equal(r.status, 'failed');
      assert.equal(r.conflicts.length, 1);
      const c = r.conflicts[0]!;
      assert.deepEqual(c.roots.map((d) => d.text).sort(), ['python=3.12', 'tensorflow=2.10']);
      assert.match(
        c.explanation,
        /tensorflow 2\.10\.0 needs python >=3\.10,<3\.11\.0a0; python=3\.12 is asked at line 6/,
      );
      assert.ok(c.fixes.length >= 1);
      for (const f of c.fixes) {
        const fixed = applyFix(setOf(parseEnvironmentYml('/w/environment.yml', text)), f.fix);
        const again = await condaReport(fixed, opts());
        assert.equal(again.status, 'ok', `fix '${f.fix.title}' solves`);
      }
      const titles = c.fixes.map((f) => f.fix.edits[0]!.newText);
      assert.ok(titles.includes('python=3.10') || titles.includes('tensorflow=2.16.1'), titles.join(', '));
    });
  }
});

describe('conda solve: __cuda from the driver', () => {
  it('a CUDA build on a 470 driver (CUDA 11.4) is cuda-driver, with the CPU build as the verified fix', async () => {
    const { r, text } = await report(['python=3.11', 'pytorch=2.1=*cuda*']);
    assert.equal(r.status, 'failed');
    const c = r.conflicts[0]!;
    assert.deepEqual(
      c.roots.map((d) => d.name),
      ['pytorch'],
    );
    assert.deepEqual(c.cuda, { kind: 'cuda-driver', needs: '11.8', has: '11.4', known: true });
    assert.ok(c.fixes.length);
    const fixed = applyFix(setOf(parseEnvironmentYml('/w/environment.yml', text)), c.fixes[0]!.fix);
    assert.equal((await condaReport(fixed, opts())).status, 'ok');
  });

  it(
    'without a driver it is cuda-unavailable; CONDA_OVERRIDE_CUDA ' +
      'gives conda a driver, an empty one takes it away',
    async () => {
      const none = await report(['python=3.11', 'pytorch=*=cuda121*'], { profile: LINUX_NO_GPU });
      assert.equal(none.r.conflicts[0]!.cuda?.kind, 'cuda-unavailable');
      assert.equal(none.r.conflicts[0]!.cuda?.needs, '12.1');
      const over = await report(['python=3.11', 'pytorch=*=cuda121*'], {
        profile: LINUX_NO_GPU,
        env: { CONDA_OVERRIDE_CUDA: '12.2' },
      });
      assert.equal(over.r.status, 'ok');
      const off = await report(['python=3.11', 'pytorch=*=cuda118*'], { env: { CONDA_OVERRIDE_CUDA: '' } });
      assert.equal(off.r.conflicts[0]!.cuda?.kind, 'cuda-unavailable');
    },
  );

  it('a constrains on __cuda (cuda-version=12.4 on an 11.4 driver) fails as cuda-driver', async () => {
    const { r } = await report(['cuda-version=12.4']);
    assert.equal(r.status, 'failed');
    assert.equal(r.conflicts[0]!.cuda?.kind, 'cuda-driver');
    assert.ok(
      r.conflicts[0]!.fixes.some((f) => f.fix.edits[0]!.newText === 'cuda-version=11.8'),
      JSON.stringify(r.conflicts[0]!.fixes.map((f) => f.fix.title)),
    );
  });
});

describe('conda solve: not-found', () => {
  it('names the closest package the channel has, or the newest versions', async () => {
    const { r } = await report(['python=3.11', 'numpi', 'tensorflow=9.9']);
    assert.equal(r.status, 'failed');
    const byName = Object.fromEntries(r.notFound.map((n) => [n.dep.name, n]));
    assert.equal(byName['numpi']!.kind, 'package');
    assert.deepEqual(byName['numpi']!.suggestions.slice(0, 1), ['numpy']);
    assert.equal(byName['tensorflow']!.kind, 'version');
    assert.equal(byName['tensorflow']!.suggestions[0], '2.16.1');
    assert.equal(r.conflicts.length, 0);
  });
});

describe('conda solve: channel priority and channel::package', () => {
  it(
    'strict keeps only the first channel that has a name; ' + 'flexible uses both; channel::name picks the channel',
    async () => {
      const first = await startCondaChannel([
        { name: 'python', version: '3.11.9', build: 'h0' },
        { name: 'numpy', version: '1.26.4', build: 'py311_0', depends: ['python >=3.11,<3.12.0a0'] },
      ]);
      const second = await startCondaChannel(
        [
          { name: 'numpy', version: '2.0.0', build: 'py311_0', depends: ['python >=3.11,<3.12.0a0'] },
          { name: 'extra', version: '1.0', build: '0' },
        ],
        { token: 'tok2' },
      );
      try {
        // channel_alias at the second server's /t: the name `tok2` is that channel (served under /t/tok2).
        const alias = second.url.replace(/\/tok2$/, '');
        const rc = (p: string): string => {
          const f = join(cache, `${p}.condarc`);
          writeFileSync(f, `channel_priority: ${p}\nchannel_alias: ${alias}\n`);
          return f;
        };
        const run = async (deps: string[], priority: string): Promise<CondaSolveReport> => {
          const text =
            `name: t\nchannels:\n  - ${first.url}\n  - ${second.url}\n  - ` +
            `nodefaults\ndependencies:\n${deps.map((d) => `  - ${d}`).join('\n')}\n`;
          return condaReport(
            setOf(parseEnvironmentYml('/w/environment.yml', text)),
            opts({ condarcPaths: [rc(priority)] }),
          );
        };
        const strict = await run(['python', 'numpy>=2'], 'strict');
        assert.equal(strict.status, 'failed');
        assert.equal(strict.notFound[0]?.kind, 'version');
        assert.match(strict.notFound[0]!.where, /strict channel priority/);
        const flexible = await run(['python', 'numpy>=2'], 'flexible');
        assert.equal(flexible.status, 'ok');
        assert.equal(
          flexible.picked.find((p) => p.dep.name === 'numpy')!.pkg.channel,
          second.url.replace('/t/tok2', '/t/***'),
        );
        const strictBoth = await run(['python', 'numpy', 'extra'], 'strict');
        assert.equal(strictBoth.picked.find((p) => p.dep.name === 'numpy')!.pkg.version, '1.26.4');
        assert.equal(
          strictBoth.picked.find((p) => p.dep.name === 'extra')!.pkg.channel,
          second.url.replace('/t/tok2', '/t/***'),
        );
        const pinned = await run(['python', 'tok2::numpy>=2'], 'strict');
        assert.equal(pinned.status, 'ok', JSON.stringify(pinned.notFound.map((n) => n.where)));
        assert.equal(pinned.picked.find((p) => p.dep.name === 'numpy')!.pkg.version, '2.0.0');
      } finally {
        await first.close();
        await second.close();
      }
    },
  );
});
