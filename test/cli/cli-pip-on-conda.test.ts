// The `pip:` part of an environment.yml judged on top of conda's solution: pip keeps conda's packages
// where they fit, replaces those its requirements exclude, and a replacement that breaks a conda package is reported on
// the pip line that causes it, with a fix a resolution on top of conda's packages verified.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, type JsonDiagnostic } from '../helpers/cli';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { ML_CHANNEL, condaYml } from '../helpers/conda-fixtures';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

const PROFILE = path.resolve('test/fixtures/profiles/laptop-no-gpu.json');

describe("an environment.yml's pip part on top of conda's packages", () => {
  let channel: CondaChannel;
  let index: PackageIndex;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-pip-conda-'));
    channel = await startCondaChannel(ML_CHANNEL, { format: 'json' });
    index = await startPackageIndex([
      { name: 'numpy', version: '1.26.4' },
      { name: 'numpy', version: '2.1.0' },
      // A pip-only project whose newest release needs numpy 2 and whose older one does not.
      { name: 'fastgeom', version: '1.5.0', dependencies: ['numpy>=1.20'] },
      { name: 'fastgeom', version: '2.0.0', dependencies: ['numpy>=2'] },
      // One that takes any numpy: pip keeps conda's.
      { name: 'tinyplot', version: '0.3.0', dependencies: ['numpy>=1.20'] },
      // Projects for one Python only: the pip part runs in the Python conda installs.
      { name: 'newlib', version: '1.0.0', requiresPython: '>=3.12' },
      { name: 'oldlib', version: '1.0.0', requiresPython: '<3.12' },
      { name: 'idna', version: '3.6' },
      { name: 'idna', version: '3.7' },
    ]);
  });
  after(async () => {
    await channel.close();
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const check = async (name: string, deps: string[], pip: string[]) => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    const file = path.join(dir, name, 'environment.yml');
    fs.writeFileSync(file, condaYml([channel.url, 'nodefaults'], deps, pip));
    const r = await checkJson(
      [file, '--index-url', index.url, '--cache-dir', path.join(dir, '.cache'), '--profile', PROFILE],
      dir,
    );
    return { ...r, text: fs.readFileSync(file, 'utf8'), file };
  };
  const lineText = (text: string, d: JsonDiagnostic) => text.split('\n')[d.range.start.line]!.trim();

  it("a pip line whose newest release needs numpy 2 breaks conda's tensorflow: an error with a verified fix", async () => {
    const r = await check('breaks', ['python=3.11', 'tensorflow=2.15'], ['fastgeom']);
    const found = r.diagnostics.filter((d) => d.code === 'conflict-transitive');
    assert.equal(found.length, 1, JSON.stringify(r.diagnostics.map((d) => [d.code, d.message])));
    const d = found[0]!;
    assert.equal(d.severity, 'error');
    assert.equal(lineText(r.text, d), '- fastgeom');
    assert.match(d.message, /fastgeom 2\.0\.0 requires numpy>=2/);
    assert.match(d.message, /conda's numpy 1\.26\.4/);
    assert.match(d.message, /^'fastgeom' makes pip replace conda's numpy 1\.26\.4 .* with numpy 2\.1\.0/);
    assert.match(d.message, /breaks conda's tensorflow 2\.15\.0 \(it needs numpy >=1\.23,<2\)/);
    assert.ok(
      d.related.some((x) => x.message.startsWith('tensorflow=2.15')),
      JSON.stringify(d.related),
    );
    const fix = d.fixes[0];
    assert.ok(fix, 'a verified fix');
    assert.equal(fix.edits[0]!.newText, '<=1.5.0');
    assert.match(fix.title, /pip then keeps conda's numpy 1\.26\.4/);

    // Applied, the finding goes.
    const fixed = await check('breaks', ['python=3.11', 'tensorflow=2.15'], ['fastgeom<=1.5.0']);
    assert.deepEqual(
      fixed.diagnostics.filter((x) => x.severity === 'error'),
      [],
    );
  });

  it("a pip line that takes conda's numpy as it is: pip keeps it, nothing is reported", async () => {
    const r = await check('keeps', ['python=3.11', 'tensorflow=2.15'], ['tinyplot']);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error' || d.code === 'conflict-transitive'),
      [],
      JSON.stringify(r.diagnostics.map((d) => [d.code, d.message])),
    );
  });

  it("a direct pip line excluding the version conda picked: the fix drops the bound and pip keeps conda's", async () => {
    const r = await check('direct', ['python=3.11', 'tensorflow=2.15'], ['numpy>=2']);
    const d = r.diagnostics.find((x) => x.code === 'conflict-transitive');
    assert.ok(d, JSON.stringify(r.diagnostics.map((x) => [x.code, x.message])));
    assert.equal(lineText(r.text, d), '- numpy>=2');
    assert.match(d.message, /'numpy>=2' \(environment\.yml:\d+\)/);
    const fix = d.fixes[0];
    assert.ok(fix);
    assert.equal(fix.edits[0]!.newText, '');
    assert.match(fix.title, /leaves the bound '>=2' you wrote/);
    // pip-over-conda says the mixing hazard on the same line too.
    assert.ok(r.diagnostics.some((x) => x.code === 'pip-over-conda' && lineText(r.text, x) === '- numpy>=2'));
  });

  it("an unpinned python: the pip part is judged for the Python conda installs (3.12), not the machine's (3.11)", async () => {
    const r = await check('unpinned', ['python>=3.10', 'requests'], ['newlib', 'oldlib']);
    const rp = r.diagnostics.filter((d) => d.code === 'requires-python');
    assert.deepEqual(
      rp.map((d) => lineText(r.text, d)),
      ['- oldlib'],
      JSON.stringify(r.diagnostics.map((d) => [d.code, d.message])),
    );
    assert.match(rp[0]!.message, /3\.12\.3/);
  });
});
