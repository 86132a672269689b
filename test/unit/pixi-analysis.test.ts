// A pixi manifest through the whole analysis over a loopback channel: the hover of a conda line shows the build and
// channel each environment picked; [constraints] bind a package the solution has; [tool.pixi] in a pyproject.toml is
// solved like a pixi.toml.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileKind } from '../../server/src/model/types';
import { diskSource } from '../../server/src/workspace/text-source';
import { Analysis } from '../../server/src/workspace/analysis';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { LINUX_NO_GPU, ML_CHANNEL } from '../helpers/conda-fixtures';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

let channel: CondaChannel;
let index: PackageIndex;
let dir: string;
before(async () => {
  channel = await startCondaChannel(ML_CHANNEL, { format: 'sharded' });
  index = await startPackageIndex([{ name: 'idna', version: '3.6' }]);
  dir = mkdtempSync(join(tmpdir(), 'sd-pixi-analysis-'));
});
after(async () => {
  await channel.close();
  await index.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function analyse(name: string, text: string, kind: FileKind = 'pixi') {
  const folder = join(dir, `m${n++}`);
  mkdirSync(folder);
  const file = join(folder, name);
  writeFileSync(file, text);
  const analysis = new Analysis(diskSource, {});
  analysis.configure({
    offline: false,
    trustFiles: true,
    cacheDir: join(dir, 'cache'),
    indexUrl: index.url,
    indexTimeoutMs: 30_000,
  });
  analysis.setTarget({ profile: LINUX_NO_GPU });
  const sets = analysis.setsAround(file, kind);
  await analysis.resolve(sets);
  const deps = sets[0]!.files[0]!.dependencies;
  return {
    findings: analysis.findings(sets),
    hover: (name: string, section: string) =>
      analysis.condaPick(
        sets[0]!,
        deps.find((d) => d.name === name && d.section === section)!,
      ),
    line: (offset: number) => text.slice(text.lastIndexOf('\n', offset - 1) + 1, text.indexOf('\n', offset)).trim(),
  };
}

const head = () => `[workspace]\nchannels = ["${channel.url}"]\nplatforms = ["linux-64"]\n`;

describe('pixi through the analysis', () => {
  it("a conda line's hover shows the build and channel each environment picked", async () => {
    const r = await analyse(
      'pixi.toml',
      head() +
        '[dependencies]\nnumpy = "*"\n\n[feature.old.dependencies]\npython = "3.10.*"\n' +
        '[feature.new.dependencies]\npython = "3.12.*"\n\n[environments]\ndefault = ["old"]\nnew = ["new"]\n',
    );
    const hover = r.hover('numpy', 'dependencies');
    assert.ok(hover, 'a hover');
    assert.match(hover, /In environment default \(linux-64\): conda picks \*\*numpy 2\.0\.0\*\* \(build `py310h0_0`/);
    assert.match(hover, /In environment new \(linux-64\): conda picks \*\*numpy 2\.0\.0\*\* \(build `py312h0_0`/);
    assert.ok(hover.includes(channel.url.replace(/\/$/, '').split('//')[1]!.split('/')[0]!), hover);
  });

  it('a [constraints] entry binds a package the solution has, and its conflict is on its line', async () => {
    const bound = await analyse(
      'pixi.toml',
      head() + '[dependencies]\npython = "3.12.*"\ntensorflow = "*"\n\n[constraints]\nnumpy = "<2"\nscipy = "9.*"\n',
    );
    assert.deepEqual(
      bound.findings.filter((f) => f.severity === 'error'),
      [],
    );
    const clash = await analyse(
      'pixi.toml',
      head() + '[dependencies]\npython = "3.11.*"\ntensorflow = "2.15.*"\n\n[constraints]\nnumpy = ">=2"\n',
    );
    const errors = clash.findings.filter((f) => f.code === 'conflict-transitive');
    assert.ok(
      errors.some((f) => clash.line(f.span.start) === 'numpy = ">=2"'),
      JSON.stringify(clash.findings.map((f) => [f.code, f.message])),
    );
  });

  it('[tool.pixi] in a pyproject.toml is solved as pixi solves it', async () => {
    const text =
      '[project]\nname = "proj"\nversion = "0.1"\ndependencies = []\n\n' +
      `[tool.pixi.workspace]\nchannels = ["${channel.url}"]\nplatforms = ["linux-64"]\n\n` +
      '[tool.pixi.dependencies]\npython = "3.12.*"\ntensorflow = "2.15.*"\n';
    const r = await analyse('pyproject.toml', text, 'pyproject');
    const found = r.findings.filter((f) => f.code === 'conflict-transitive');
    // One finding per cause: on one of the two lines, the other related.
    assert.equal(found.length, 1, JSON.stringify(r.findings.map((f) => [f.code, f.message])));
    assert.deepEqual([found[0]!.span, ...found[0]!.related.map((x) => x.span)].map((sp) => r.line(sp.start)).sort(), [
      'python = "3.12.*"',
      'tensorflow = "2.15.*"',
    ]);
  });
});
