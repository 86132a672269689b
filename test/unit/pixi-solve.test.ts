// pixi's solve beyond one environment alone, through the whole analysis over a loopback channel and loopback PyPI
// indexes: solve-groups solved together (each environment its share, a conflict between members named), conda source
// dependencies never looked up, per-package PyPI `index` and feature `[pypi-options]` routing (and an untrusted
// workspace fetching none of them), and pip-over-conda's move to the conda table verified by a solve.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, TextEdit } from '../../server/src/model/types';
import { diskSource } from '../../server/src/workspace/text-source';
import { Analysis } from '../../server/src/workspace/analysis';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { LINUX_NO_GPU, ML_CHANNEL } from '../helpers/conda-fixtures';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

let channel: CondaChannel;
/** A channel of macOS arm64 builds (this machine is linux-64). */
let osx: CondaChannel;
/** The person's index (the settings' index URL). */
let main: PackageIndex;
/** An index only the manifest names. */
let extra: PackageIndex;
let dir: string;
before(async () => {
  channel = await startCondaChannel(ML_CHANNEL, { format: 'sharded' });
  osx = await startCondaChannel(
    [
      { name: 'python', version: '3.12.3', build: 'h0_0_cpython', depends: ['__osx >=11.0'] },
      { name: 'numpy', version: '2.0.0', build: 'py312h0_0', depends: ['python >=3.12,<3.13.0a0'] },
    ],
    { format: 'sharded', subdir: 'osx-arm64' },
  );
  main = await startPackageIndex([
    { name: 'idna', version: '3.6' },
    { name: 'numpy', version: '1.26.4' },
  ]);
  extra = await startPackageIndex([
    { name: 'special-kernels', version: '1.0.0' },
    { name: 'gpu-extras', version: '2.0.0' },
  ]);
  dir = mkdtempSync(join(tmpdir(), 'sd-pixi-solve-'));
});
after(async () => {
  await channel.close();
  await osx.close();
  await main.close();
  await extra.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function analyse(text: string, trusted = true, pixiPlatforms?: string[]) {
  const folder = join(dir, `m${n++}`);
  mkdirSync(folder);
  const file = join(folder, 'pixi.toml');
  writeFileSync(file, text);
  const analysis = new Analysis(diskSource, {});
  analysis.configure({
    offline: false,
    trustFiles: trusted,
    workspaceFolders: [folder],
    cacheDir: join(dir, `cache${n}`),
    indexUrl: main.url,
    indexTimeoutMs: 30_000,
    ...(pixiPlatforms ? { pixiPlatforms } : {}),
  });
  analysis.setTarget({ profile: LINUX_NO_GPU });
  const sets = analysis.setsAround(file, 'pixi');
  await analysis.resolve(sets);
  const deps = sets[0]!.files[0]!.dependencies;
  const findings = analysis.findings(sets);
  return {
    findings,
    of: (code: string) => findings.filter((f) => f.code === code),
    hover: (name: string, section: string) =>
      analysis.condaPick(
        sets[0]!,
        deps.find((d) => d.name === name && d.section === section)!,
      ),
    line: (offset: number) => text.slice(text.lastIndexOf('\n', offset - 1) + 1, text.indexOf('\n', offset)).trim(),
    show: () => JSON.stringify(findings.map((f) => [f.code, f.severity, f.message])),
  };
}

/** The text with a fix's edits applied (from the end, so that the spans stay valid). */
function applied(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

const head = () => `[workspace]\nchannels = ["${channel.url}"]\nplatforms = ["linux-64"]\n\n`;
const groups = (group: boolean) =>
  head() +
  '[dependencies]\npython = "3.12.*"\n\n' +
  '[feature.prod.dependencies]\nnumpy = "<2"\n\n' +
  '[feature.test.dependencies]\nnumpy = "*"\nrequests = "*"\n\n' +
  (group
    ? '[environments]\nprod = { features = ["prod"], solve-group = "main" }\ntest = { features = ["test"], solve-group = "main" }\n'
    : '[environments]\nprod = ["prod"]\ntest = ["test"]\n');

describe('pixi solve-groups', () => {
  it("each environment of a solve-group gets its share of the group's one solution", async () => {
    const alone = await analyse(groups(false));
    assert.match(alone.hover('numpy', 'feature.test.dependencies') ?? '', /conda picks \*\*numpy 2\.0\.0\*\*/);
    const r = await analyse(groups(true));
    const hover = r.hover('numpy', 'feature.test.dependencies') ?? '';
    // prod's numpy<2 binds test's numpy too: they are solved together.
    assert.match(
      hover,
      /In environment test \(linux-64, solved with its solve-group main\): conda picks \*\*numpy 1\.26\.4\*\*/,
    );
    assert.deepEqual(r.of('conflict-transitive'), [], r.show());
  });

  it("a group's environments that solve alone but not together are a conflict naming both", async () => {
    const text = groups(true).replace('numpy = "*"', 'numpy = ">=2"');
    const r = await analyse(text);
    const found = r.of('conflict-transitive');
    assert.equal(found.length, 1, r.show());
    assert.match(found[0]!.message, /^In solve-group main \(linux-64\): environments prod and test each solve alone/);
    assert.equal(found[0]!.severity, 'error');
    assert.deepEqual([found[0]!.span, ...found[0]!.related.map((x) => x.span)].map((s) => r.line(s.start)).sort(), [
      'numpy = "<2"',
      'numpy = ">=2"',
    ]);
    // Without the group, each environment solves: nothing to say.
    const apart = await analyse(text.replace(/, solve-group = "main"/g, ''));
    assert.deepEqual(apart.of('conflict-transitive'), [], apart.show());
  });
});

describe('pixi conda source dependencies', () => {
  it('path and git dependencies are built by pixi-build: not looked up on the channels, said on hover', async () => {
    const before = channel.requests.length;
    const r = await analyse(
      head() +
        '[dependencies]\npython = "3.12.*"\nnumpy = "*"\nmylib = { path = "./mylib" }\n' +
        'tools = { git = "https://github.com/example/tools.git", branch = "main" }\n',
    );
    assert.deepEqual(r.of('not-found'), [], r.show());
    assert.deepEqual(r.of('conflict-transitive'), [], r.show());
    const asked = channel.requests.slice(before).map((q) => channel.shardName(q.path));
    assert.ok(!asked.includes('mylib') && !asked.includes('tools'), JSON.stringify(asked));
    assert.match(r.hover('mylib', 'dependencies') ?? '', /pixi builds this package from its source \(`\.\/mylib`\)/);
    assert.match(r.hover('numpy', 'dependencies') ?? '', /conda picks \*\*numpy/);
  });
});

describe('pixi PyPI index routing', () => {
  const manifest = () =>
    head() +
    '[dependencies]\npython = "3.12.*"\n\n' +
    `[pypi-dependencies]\nidna = "*"\nspecial-kernels = { version = "*", index = "${extra.url}" }\n\n` +
    `[feature.gpu.pypi-options]\nextra-index-urls = ["${extra.url}"]\n\n` +
    '[feature.gpu.pypi-dependencies]\ngpu-extras = ">=2"\n\n' +
    '[environments]\ngpu = ["gpu"]\n';

  it("a package's own index and a feature's extra-index-urls are where its PyPI lines are looked up", async () => {
    const mainBefore = main.requests.length;
    const extraBefore = extra.requests.length;
    const r = await analyse(manifest());
    assert.deepEqual(r.of('not-found'), [], r.show());
    const mainAsked = main.requests.slice(mainBefore).map((q) => q.path);
    const extraAsked = extra.requests.slice(extraBefore).map((q) => q.path);
    // The routed package is asked of its index alone; the feature's extra index first for gpu-extras.
    assert.ok(!mainAsked.some((p) => p.includes('special-kernels')), JSON.stringify(mainAsked));
    assert.ok(
      extraAsked.some((p) => p.includes('special-kernels')),
      JSON.stringify(extraAsked),
    );
    assert.ok(
      extraAsked.some((p) => p.includes('gpu-extras')),
      JSON.stringify(extraAsked),
    );
  });

  it('an untrusted workspace fetches none of the URLs the manifest names, and says so on their lines', async () => {
    const extraBefore = extra.requests.length;
    const text = manifest();
    const r = await analyse(text, false);
    assert.deepEqual(extra.requests.slice(extraBefore), []);
    const notes = r.of('index-unreachable').filter((f) => /untrusted workspace/.test(f.message));
    const lines = notes.map((f) => r.line(f.span.start));
    assert.ok(
      lines.some((l) => l.startsWith('special-kernels = ')),
      JSON.stringify(lines),
    );
    assert.ok(
      lines.some((l) => l.startsWith('extra-index-urls = ')),
      JSON.stringify(lines),
    );
    // The routed line is not looked up elsewhere instead.
    assert.ok(!r.of('not-found').some((f) => r.line(f.span.start).startsWith('special-kernels')), r.show());
  });
});

describe('pip-over-conda in pixi: move to the conda table', () => {
  const fixOf = (f: Finding | undefined) => f?.fixes.find((x) => /^Move to \[/.test(x.title));

  it('moves the PyPI line to [dependencies] as a conda spec, and the moved manifest solves clean', async () => {
    const text =
      head() + '[dependencies]\npython = "3.12.*"\ntensorflow = "*"\n\n[pypi-dependencies]\nnumpy = ">=1.20,<2"\n';
    const r = await analyse(text);
    const found = r.of('pip-over-conda');
    assert.equal(found.length, 1, r.show());
    const fix = fixOf(found[0]);
    assert.ok(fix, r.show());
    // The specifier as pixi reads it (normalized), in conda's syntax, which takes the same comparisons.
    assert.match(fix.title, /^Move to \[dependencies\] as 'numpy = "<2,>=1\.20"'/);
    const moved = applied(text, fix.edits);
    assert.equal(
      moved,
      head() + '[dependencies]\npython = "3.12.*"\ntensorflow = "*"\nnumpy = "<2,>=1.20"\n\n[pypi-dependencies]\n',
    );
    const again = await analyse(moved);
    assert.deepEqual(
      again.findings.filter((f) => f.severity !== 'information'),
      [],
      again.show(),
    );
  });

  it("a feature's PyPI line moves to that feature's conda table, written where it has none", async () => {
    const text =
      head() +
      '[dependencies]\npython = "3.12.*"\n\n[feature.ml.dependencies]\ntensorflow = "*"\n\n' +
      '[feature.ml.pypi-dependencies]\nnumpy = "<2"\n\n[environments]\nml = ["ml"]\n';
    const r = await analyse(text);
    const fix = fixOf(r.of('pip-over-conda')[0]);
    assert.ok(fix, r.show());
    const moved = applied(text, fix.edits);
    assert.match(moved, /\[feature\.ml\.dependencies\]\ntensorflow = "\*"\nnumpy = "<2"\n/);
    assert.doesNotMatch(moved, /\[feature\.ml\.pypi-dependencies\]\nnumpy/);
  });

  it('no move is offered where no channel solve accepts it', async () => {
    // tensorflow 2.16.1 (the only one for Python 3.12) needs numpy <2.1: numpy>=3 has no conda build at all.
    const text =
      head() + '[dependencies]\npython = "3.12.*"\ntensorflow = "*"\n\n[pypi-dependencies]\nnumpy = ">=1.26,<1.27"\n';
    const r = await analyse(text);
    const fix = fixOf(r.of('pip-over-conda')[0]);
    assert.ok(fix, r.show());
    const tight = await analyse(
      head() + '[dependencies]\npython = "3.12.*"\ntensorflow = "*"\n\n[pypi-dependencies]\nnumpy = ">=2.5"\n',
    );
    assert.equal(fixOf(tight.of('pip-over-conda')[0]), undefined, tight.show());
  });
});

describe('pixi platforms this machine does not run', () => {
  const text = () =>
    `[workspace]\nchannels = ["${osx.url}"]\nplatforms = ["osx-arm64"]\n\n` +
    '[dependencies]\npython = "3.12.*"\nnumpy = "*"\nnosuch = "*"\n';

  it('are not solved by default, and the hover says which and how to ask for them', async () => {
    const r = await analyse(text());
    assert.deepEqual(r.of('not-found'), [], r.show());
    const hover = r.hover('numpy', 'dependencies') ?? '';
    assert.match(hover, /Not solved for osx-arm64: this machine does not run it/);
    assert.match(hover, /`stack-doctor check --platform osx-arm64`/);
    assert.match(hover, /`stackDoctor\.pixiPlatforms`/);
  });

  it('are solved when asked for, with their own findings and picks', async () => {
    const r = await analyse(text(), true, ['osx-arm64']);
    const missing = r.of('not-found');
    assert.equal(missing.length, 1, r.show());
    assert.match(missing[0]!.message, /^In environment default \(osx-arm64\): No package named 'nosuch'/);
    const hover = r.hover('numpy', 'dependencies') ?? '';
    assert.match(hover, /In environment default \(osx-arm64\): conda picks \*\*numpy 2\.0\.0\*\*/);
    assert.doesNotMatch(hover, /Not solved/);
  });
});
