// pixi manifests solved as pixi solves them, over a loopback conda channel and a loopback PyPI index: each
// environment on the machine's platform, the conda part with the platform's declared virtual packages, then the PyPI
// part on top of conda's packages; findings on the manifest's lines, said per environment.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, type JsonDiagnostic } from '../helpers/cli';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { ML_CHANNEL } from '../helpers/conda-fixtures';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

const NO_GPU = path.resolve('test/fixtures/profiles/laptop-no-gpu.json');
const OLD_DRIVER = path.resolve('test/fixtures/profiles/gpu-old-driver.json');

describe('pixi.toml solved as pixi solves it', () => {
  let channel: CondaChannel;
  let index: PackageIndex;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-pixi-'));
    channel = await startCondaChannel(ML_CHANNEL, { format: 'sharded' });
    index = await startPackageIndex([
      { name: 'numpy', version: '1.26.4' },
      { name: 'numpy', version: '2.1.0' },
      { name: 'fastgeom', version: '1.5.0', dependencies: ['numpy>=1.20'] },
      { name: 'fastgeom', version: '2.0.0', dependencies: ['numpy>=2'] },
      { name: 'tinyplot', version: '0.3.0', dependencies: ['numpy>=1.20'] },
    ]);
  });
  after(async () => {
    await channel.close();
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const manifest = (body: string, platforms = '["linux-64"]'): string =>
    `[workspace]\nname = "t"\nchannels = ["${channel.url}"]\nplatforms = ${platforms}\n\n${body}`;

  const check = async (name: string, text: string, profile = NO_GPU, more: readonly string[] = []) => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    const file = path.join(dir, name, 'pixi.toml');
    fs.writeFileSync(file, text);
    const r = await checkJson(
      [file, '--index-url', index.url, '--cache-dir', path.join(dir, '.cache'), '--profile', profile, ...more],
      dir,
      { ...process.env, PIP_CONFIG_FILE: '/dev/null', CONDARC: '/dev/null', CONDA_OVERRIDE_CUDA: undefined },
    );
    return { ...r, text, file };
  };
  const lineOf = (text: string, d: { range: JsonDiagnostic['range'] }) => text.split('\n')[d.range.start.line]!.trim();
  const show = (ds: JsonDiagnostic[]) =>
    JSON.stringify(
      ds.map((d) => [d.code, d.severity, d.message]),
      null,
      1,
    );

  it('a solvable environment: no error, nothing from the solve', async () => {
    const r = await check(
      'ok',
      manifest('[dependencies]\npython = "3.11.*"\ntensorflow = "2.15.*"\nrequests = ">=2"\n'),
    );
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error' || d.code === 'index-unreachable'),
      [],
      show(r.diagnostics),
    );
  });

  it('an unsolvable environment: conflict-transitive on the lines, with a fix a solve accepted, in pixi spelling', async () => {
    const text = manifest('[dependencies]\npython = "3.12.*"\ntensorflow = { version = "2.15.*" }\n');
    const r = await check('conflict', text);
    const found = r.diagnostics.filter((d) => d.code === 'conflict-transitive');
    // One finding for the cause, on the line its fix edits, the other line related.
    assert.equal(found.length, 1, show(r.diagnostics));
    assert.deepEqual(
      [found[0]!, ...found[0]!.related].map((d) => lineOf(text, d)).sort(),
      ['python = "3.12.*"', 'tensorflow = { version = "2.15.*" }'],
      show(r.diagnostics),
    );
    const d = found[0]!;
    assert.match(d.message, /^In environment default \(linux-64\): /);
    assert.match(d.message, /tensorflow 2\.15\.0 needs python >=3\.11,<3\.12/);
    const fix = d.fixes.find((f) => f.edits[0]?.newText.startsWith('tensorflow'));
    assert.ok(fix, 'a verified fix: ' + JSON.stringify(d.fixes));
    assert.equal(fix.edits[0]!.newText, 'tensorflow = "2.16.1.*"');
    // Applied, the environment solves.
    const fixed = await check('conflict', text.replace('tensorflow = { version = "2.15.*" }', fix.edits[0]!.newText));
    assert.deepEqual(
      fixed.diagnostics.filter((x) => x.severity === 'error'),
      [],
      show(fixed.diagnostics),
    );
  });

  it('a package no channel has: not-found on its name', async () => {
    const text = manifest('[dependencies]\npython = "3.11.*"\nnosuchpkg = "*"\n');
    const r = await check('missing', text);
    const d = r.diagnostics.find((x) => x.code === 'not-found');
    assert.ok(d, show(r.diagnostics));
    assert.equal(lineOf(text, d), 'nosuchpkg = "*"');
    assert.equal(d.severity, 'error');
  });

  it('a CUDA platform entry on a machine without a driver: cuda-unavailable on the declaration and the CUDA line', async () => {
    const text = manifest(
      '[dependencies]\npython = "3.11.*"\npytorch = { version = "2.1.*", build = "cuda121*" }\n',
      '[{ platform = "linux-64", cuda = "12.1" }]',
    );
    const r = await check('cuda', text);
    const found = r.diagnostics.filter((d) => d.code === 'cuda-unavailable');
    assert.deepEqual(
      found.map((d) => lineOf(text, d)).sort(),
      ['platforms = [{ platform = "linux-64", cuda = "12.1" }]', 'pytorch = { version = "2.1.*", build = "cuda121*" }'],
      show(r.diagnostics),
    );
    assert.match(found[0]!.message, /no NVIDIA driver/);
    assert.match(found[0]!.message, /In environment default \(linux-64\)/);
    // The same platform entry on a machine whose driver supports CUDA 11.4 only: cuda-driver.
    const old = await check('cuda-old', text, OLD_DRIVER);
    const drv = old.diagnostics.filter((d) => d.code === 'cuda-driver');
    assert.equal(drv.length, 2, show(old.diagnostics));
    assert.match(drv[0]!.message, /supports CUDA 11\.4 only/);
  });

  it('without a declared __cuda, a CUDA build cannot be installed: the solve itself refuses', async () => {
    const text = manifest('[dependencies]\npython = "3.11.*"\npytorch = { version = "2.1.*", build = "cuda121*" }\n');
    const r = await check('cuda-undeclared', text);
    const d = r.diagnostics.find((x) => lineOf(text, x).startsWith('pytorch') && x.severity === 'error');
    assert.ok(d, show(r.diagnostics));
    assert.match(d.code, /^cuda-/);
  });

  it("a PyPI dependency that needs another numpy than conda's, which tensorflow needs: an error on the PyPI line", async () => {
    const text = manifest(
      '[dependencies]\npython = "3.11.*"\ntensorflow = "2.15.*"\n\n[pypi-dependencies]\nfastgeom = "*"\ntinyplot = "*"\n',
    );
    const r = await check('pypi-breaks', text);
    const found = r.diagnostics.filter((d) => d.code === 'conflict-transitive');
    assert.deepEqual(
      found.map((d) => lineOf(text, d)),
      ['fastgeom = "*"'],
      show(r.diagnostics),
    );
    assert.match(found[0]!.message, /pixi keeps conda's numpy 1\.26\.4/);
    assert.match(found[0]!.message, /tensorflow 2\.15\.0/);
    assert.equal(found[0]!.fixes[0]?.edits[0]?.newText, '<=1.5.0');
  });

  it('pip-over-conda where the PyPI part and conda both install a package', async () => {
    const text = manifest('[dependencies]\npython = "3.11.*"\nnumpy = "1.26.*"\n\n[pypi-dependencies]\nnumpy = "*"\n');
    const r = await check('both', text);
    const d = r.diagnostics.find((x) => x.code === 'pip-over-conda');
    assert.ok(d, show(r.diagnostics));
    assert.equal(lineOf(text, d), 'numpy = "*"');
    assert.match(d.message, /conda installs numpy 1\.26\.4/);
  });

  it('environments are judged separately, and a finding says which environment it comes from', async () => {
    const text = manifest(
      [
        '[dependencies]',
        'tensorflow = "2.15.*"',
        '',
        '[feature.py311.dependencies]',
        'python = "3.11.*"',
        '',
        '[feature.py312.dependencies]',
        'python = "3.12.*"',
        '',
        '[environments]',
        'default = ["py311"]',
        'new = ["py312"]',
        '',
      ].join('\n'),
    );
    const r = await check('envs', text);
    const found = r.diagnostics.filter((d) => d.code === 'conflict-transitive');
    assert.ok(found.length > 0, show(r.diagnostics));
    assert.ok(
      found.every((d) => /^In environment new \(linux-64\): /.test(d.message)),
      show(found),
    );
    const taking = found.flatMap((d) => [d, ...d.related]).map((d) => lineOf(text, d));
    assert.ok(taking.includes('python = "3.12.*"'), show(found));
    assert.ok(!taking.includes('python = "3.11.*"'), show(found));
  });

  it('an environment whose platforms the machine does not run is not solved', async () => {
    const text = manifest('[dependencies]\npython = "3.12.*"\ntensorflow = "2.15.*"\n', '["osx-arm64"]');
    const r = await check('other-platform', text);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.code === 'conflict-transitive'),
      [],
    );
  });

  it('--platform solves a platform the machine does not run', async () => {
    const osx = await startCondaChannel(
      [
        { name: 'python', version: '3.12.3', build: 'h0_0_cpython', depends: ['__osx >=11.0'] },
        { name: 'numpy', version: '2.0.0', build: 'py312h0_0', depends: ['python >=3.12,<3.13.0a0'] },
      ],
      { format: 'sharded', subdir: 'osx-arm64' },
    );
    try {
      const text =
        `[workspace]\nname = "t"\nchannels = ["${osx.url}"]\nplatforms = ["osx-arm64"]\n\n` +
        '[dependencies]\npython = "3.12.*"\nnumpy = ">=3"\n';
      const plain = await check('asked-platform', text);
      assert.equal(plain.status, 0, show(plain.diagnostics));
      const asked = await check('asked-platform', text, NO_GPU, ['--platform', 'osx-arm64']);
      assert.equal(asked.status, 1, show(asked.diagnostics));
      const missing = asked.diagnostics.filter((d) => d.code === 'not-found');
      assert.equal(missing.length, 1, show(asked.diagnostics));
      assert.match(missing[0]!.message, /^In environment default \(osx-arm64\): No build of numpy/);
      assert.equal(lineOf(text, missing[0]!), 'numpy = ">=3"');
    } finally {
      await osx.close();
    }
  });
});
