// The `pip:` part of an environment.yml judged for the Python the environment installs: without a solve (the channels
// cannot be reached and nothing is cached) for the Python the file pins, with its conda pins as constraints on the
// projects they name; with a solve for the Python conda picks. Wheel tags count as they do for a requirements file:
// a version whose only wheels are for another Python is one pip cannot install.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, type JsonDiagnostic } from '../helpers/cli';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { ML_CHANNEL, condaYml } from '../helpers/conda-fixtures';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

const PROFILE = path.resolve('test/fixtures/profiles/laptop-no-gpu.json'); // linux x86_64, glibc 2.35, Python 3.11.4

/** A conda channel URL on 127.0.0.1 that nothing listens on (bound, then closed). */
async function deadChannel(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}/conda-forge`;
}

describe("an environment.yml's pip part for the environment's Python, with and without conda's solve", () => {
  let channel: CondaChannel;
  let index: PackageIndex;
  let dead: string;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-conda-pip-py-'));
    dead = await deadChannel();
    channel = await startCondaChannel(ML_CHANNEL, { format: 'json' });
    index = await startPackageIndex([
      { name: 'numpy', version: '1.24.3' },
      { name: 'numpy', version: '1.26.4' },
      { name: 'numpy', version: '2.4.1', requiresPython: '>=3.11' },
      { name: 'tensorflow', version: '2.13.0', dependencies: ['numpy>=1.22,<=1.24.3'] },
      // Built for CPython 3.11 only: no file pip could install on another Python.
      { name: 'scipy', version: '1.11.1', tag: 'cp311-cp311-manylinux_2_17_x86_64' },
    ]);
  });
  after(async () => {
    await channel.close();
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, file: string, text: string): string => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, name, file), text);
    return path.join(dir, name, file);
  };
  const check = async (file: string, profile = PROFILE) => {
    const r = await checkJson(
      [file, '--index-url', index.url, '--cache-dir', path.join(dir, '.cache'), '--profile', profile],
      dir,
    );
    return { ...r, text: fs.readFileSync(file, 'utf8') };
  };
  /** The environment.yml with the channel unreachable (`nodefaults`: no other channel is asked). */
  const unsolved = (name: string, deps: string[], pip: string[]) =>
    check(write(name, 'environment.yml', condaYml([dead, 'nodefaults'], deps, pip)));
  const solved = (name: string, deps: string[], pip: string[]) =>
    check(write(name, 'environment.yml', condaYml([channel.url, 'nodefaults'], deps, pip)));
  const lineText = (text: string, d: JsonDiagnostic) => text.split('\n')[d.range.start.line]!.trim();
  const show = (ds: JsonDiagnostic[]) => JSON.stringify(ds.map((d) => [d.code, d.range.start.line, d.message]));
  const notSolved = (ds: JsonDiagnostic[]) =>
    assert.ok(
      ds.some((d) => d.code === 'index-unreachable' && /could not solve/.test(d.message)),
      'the solve did not run: ' + show(ds),
    );

  it('without a solve, a pip pin whose Requires-Python excludes the pinned python=3.8.5 is an error', async () => {
    const r = await unsolved('py385', ['python=3.8.5', 'pip'], ['numpy==2.4.1']);
    notSolved(r.diagnostics);
    const rp = r.diagnostics.filter((d) => d.code === 'requires-python');
    assert.deepEqual(
      rp.map((d) => lineText(r.text, d)),
      ['- numpy==2.4.1'],
      show(r.diagnostics),
    );
    assert.match(rp[0]!.message, /Python 3\.8\.5/);
    assert.equal(r.status, 1);
  });

  it("without a solve, a conda pin is a constraint on the pip part: numpy=1.26 with tensorflow==2.13.0's numpy<=1.24.3", async () => {
    const r = await unsolved('tf-pin', ['python=3.11', 'numpy=1.26'], ['tensorflow==2.13.0']);
    notSolved(r.diagnostics);
    const ct = r.diagnostics.filter((d) => d.code === 'conflict-transitive');
    // One conflict, one diagnostic: on the line its fix edits (the conda pin has none), the pin related.
    assert.deepEqual(
      ct.map((d) => lineText(r.text, d)),
      ['- tensorflow==2.13.0'],
      show(ct),
    );
    for (const d of ct) assert.equal(d.severity, 'error');
    const onTf = ct[0]!;
    assert.match(onTf.message, /numpy/);
    assert.match(onTf.message, /1\.24\.3/);
    assert.ok(
      onTf.related.some((x) => x.message.startsWith('numpy=1.26')),
      JSON.stringify(onTf.related),
    );
    assert.equal(r.status, 1);

    // A conda pin the pip part's requirements admit is no conflict.
    const ok = await unsolved('tf-pin-ok', ['python=3.11', 'numpy=1.24'], ['tensorflow==2.13.0']);
    assert.deepEqual(
      ok.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
  });

  it("with a solve, conda's pins are not pip's constraints: pip replaces conda's numpy, nothing conda installed needs it", async () => {
    const r = await solved('tf-pin-solved', ['python=3.11', 'numpy=1.26'], ['tensorflow==2.13.0']);
    assert.ok(!r.diagnostics.some((d) => /could not solve/.test(d.message)), show(r.diagnostics));
    assert.deepEqual(
      r.diagnostics.filter((d) => d.code === 'conflict-transitive'),
      [],
    );
  });

  it('without a solve, a pip pin with only a cp311 wheel cannot be installed for the pinned python=3.10', async () => {
    const r = await unsolved('scipy310', ['python=3.10'], ['scipy==1.11.1']);
    notSolved(r.diagnostics);
    const nf = r.diagnostics.filter((d) => d.code === 'not-found');
    assert.deepEqual(
      nf.map((d) => lineText(r.text, d)),
      ['- scipy==1.11.1'],
      show(r.diagnostics),
    );
    assert.equal(nf[0]!.severity, 'error');
    assert.match(nf[0]!.message, /Python 3\.10/);
    assert.match(nf[0]!.message, /scipy-1\.11\.1-cp311-cp311-manylinux_2_17_x86_64\.whl/);
    assert.match(nf[0]!.message, /No matching distribution found/);

    // For python=3.11 the wheel fits: nothing.
    const fits = await unsolved('scipy311', ['python=3.11'], ['scipy==1.11.1']);
    assert.deepEqual(
      fits.diagnostics.filter((d) => d.code === 'not-found' || d.code === 'no-wheel'),
      [],
    );
  });

  it("with a solve, the pip part's wheels are judged for the Python conda installs (3.10.14)", async () => {
    const r = await solved('scipy310-solved', ['python=3.10'], ['scipy==1.11.1']);
    assert.ok(!r.diagnostics.some((d) => /could not solve/.test(d.message)), show(r.diagnostics));
    const nf = r.diagnostics.filter((d) => d.code === 'not-found');
    assert.deepEqual(
      nf.map((d) => lineText(r.text, d)),
      ['- scipy==1.11.1'],
      show(r.diagnostics),
    );
    assert.match(nf[0]!.message, /Python 3\.10\.14/);
  });

  it('a requirements file on Python 3.10 gets the same error for the cp311-only pin', async () => {
    const profile = write(
      'req310',
      'profile.json',
      JSON.stringify({
        ...(JSON.parse(fs.readFileSync(PROFILE, 'utf8')) as object),
        python: { version: '3.10.12', implementation: 'cpython' },
      }),
    );
    const file = write('req310', 'requirements.txt', 'scipy==1.11.1\n');
    const r = await check(file, profile);
    const nf = r.diagnostics.filter((d) => d.code === 'not-found');
    assert.deepEqual(
      nf.map((d) => lineText(r.text, d)),
      ['scipy==1.11.1'],
      show(r.diagnostics),
    );
    assert.match(nf[0]!.message, /Python 3\.10\.12 · Linux x86_64/);
    assert.equal(r.status, 1);
  });
});
