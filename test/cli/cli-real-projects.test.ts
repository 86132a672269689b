// Real-shaped dependency files against a loopback index, each judged as pip would: an unreachable extra index costs
// only
// what needed it, extras and groups are judged with the base, every conflict is reported, fixes keep what the author
// wrote where they can, messages name the packages, and an environment.yml's pip part is judged for its own Python.
// Where pip runs here, its own verdict on the same requirements is checked too (a live differential).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipDryRun, pipVersion } from '../../bench/pip';
import { causeLines, checkJson, runCli, type JsonDiagnostic } from '../helpers/cli';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

const pip = pipVersion();

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('real-shaped projects against a loopback index', () => {
  let index: PackageIndex;
  let dir: string;
  let deadUrl: string;
  const run = (args: string[]) => runCli(args, dir);
  const check = async (target: string, extra: string[] = []) => {
    const r = await checkJson(
      [target, '--index-url', index.url, '--cache-dir', path.join(dir, '.cache'), ...extra],
      dir,
    );
    return { code: r.status, ms: r.ms, diagnostics: r.diagnostics };
  };
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  const lineOf = (d: JsonDiagnostic) => d.range.start.line + 1;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-real-'));
    deadUrl = `http://127.0.0.1:${await closedPort()}/whl/cu117`;
    index = await startPackageIndex([
      { name: 'numpy', version: '1.23.5' },
      { name: 'numpy', version: '1.26.4' },
      { name: 'numpy', version: '2.4.1', requiresPython: '>=3.11' },
      { name: 'tensorflow', version: '2.10.0', dependencies: ['numpy>=1.20,<1.24'] },
      { name: 'tensorflow', version: '2.15.0', dependencies: ['numpy>=1.23.5,<2'] },
      { name: 'tokenizers', version: '0.14.1' },
      { name: 'tokenizers', version: '0.15.2' },
      { name: 'transformers', version: '4.35.2', dependencies: ['tokenizers>=0.14,<0.15'] },
      { name: 'transformers', version: '4.36.0', dependencies: ['tokenizers>=0.14,<0.15'] },
      { name: 'transformers', version: '5.0.0', dependencies: ['tokenizers>=0.15'] },
      { name: 'protobuf', version: '3.20.3' },
      { name: 'protobuf', version: '4.25.3' },
      { name: 'grpcio-tools', version: '1.60.0', dependencies: ['protobuf>=4.21.6,<5'] },
      { name: 'openai', version: '0.28.1' },
      { name: 'openai', version: '1.30.0' },
      { name: 'langchain-openai', version: '0.1.0', dependencies: ['openai>=1.10'] },
      { name: 'accelerate', version: '0.25.0', dependencies: ['numpy>=1.17'] },
    ]);
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'an unreachable extra index costs only what needed ' + 'it, says so once, and the other findings stay (9.1)',
    async () => {
      write(
        'llm-server/requirements.txt',
        [
          '# serving stack',
          `--extra-index-url ${deadUrl}`,
          'tensorflow==2.10.0',
          'numpy>=1.25',
          'nonexistent-helper==1.0',
          'accelerate>=0.20',
          '',
        ].join('\n'),
      );
      const { code, diagnostics, ms } = await check('llm-server/requirements.txt');
      assert.equal(code, 1);
      const unreachable = diagnostics.filter((d) => d.code === 'index-unreachable');
      assert.equal(unreachable.length, 1, JSON.stringify(diagnostics.map((d) => d.message)));
      assert.equal(unreachable[0]!.severity, 'information');
      assert.match(unreachable[0]!.message, /127\.0\.0\.1/);
      const transitive = diagnostics.filter((d) => d.code === 'conflict-transitive');
      assert.deepEqual(causeLines(transitive), [3, 4]);
      const missing = diagnostics.find((d) => d.code === 'not-found');
      assert.ok(missing && lineOf(missing) === 5, JSON.stringify(diagnostics));
      // The extra index that could not be asked may have it: an uncertain verdict, a warning that leads with that.
      assert.equal(missing.severity, 'warning');
      assert.match(
        missing.message,
        /^Could not check nonexistent-helper==1\.0: an index that may have it could not be reached\n127\.0\.0\.1(:\d+)? could not be asked, and it may have it/,
      );
      assert.ok(!diagnostics.some((d) => d.code === 'conflict-transitive' && d.severity === 'information'));
      assert.ok(ms < 20_000, `a refused extra index costs little, not a timeout per project (${ms} ms)`);
      if (pip) {
        const work = fs.mkdtempSync(path.join(dir, 'pip-'));
        const verdict = await pipDryRun(['tensorflow==2.10.0', 'numpy>=1.25', 'accelerate>=0.20'], index.url, work);
        assert.equal(verdict.ok, false, 'pip agrees: no resolution');
        const missingVerdict = await pipDryRun(['nonexistent-helper==1.0'], index.url, work);
        assert.equal(missingVerdict.ok, false, 'pip agrees: not found');
      }
    },
  );

  it('when no remote index answers (only a local find-links folder), nothing is called missing: a note, no errors', async () => {
    fs.mkdirSync(path.join(dir, 'outage/wheels'), { recursive: true });
    write(
      'outage/requirements.txt',
      [
        `--index-url ${deadUrl.replace('/whl/cu117', '/simple')}`,
        '--find-links wheels',
        'fastapi>=0.104',
        'pydantic>=2',
        '',
      ].join('\n'),
    );
    const r = await run([
      'check',
      'outage/requirements.txt',
      '--format',
      'json',
      '--cache-dir',
      path.join(dir, '.cache-outage'),
    ]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const diagnostics = (JSON.parse(r.stdout) as { diagnostics: JsonDiagnostic[] }).diagnostics;
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const note = diagnostics.find((d) => d.code === 'index-unreachable');
    assert.ok(note, JSON.stringify(diagnostics));
    assert.match(note.message, /could not ask the package index/);
  });

  it('judges each extra and dependency group with the base against the index, naming it (9.2)', async () => {
    write(
      'agent-lib/pyproject.toml',
      [
        '[project]',
        'name = "agent-lib"',
        'version = "0.3.0"',
        'dependencies = ["numpy>=1.24", "accelerate"]',
        '',
        '[project.optional-dependencies]',
        'openai = ["openai<1", "langchain-openai>=0.1"]',
        'train = ["deepspeed==0.12.6"]',
        '',
        '[dependency-groups]',
        'dev = ["tensorflow==2.10.0"]',
        '',
      ].join('\n'),
    );
    const { diagnostics } = await check('agent-lib/pyproject.toml');
    const missing = diagnostics.find((d) => d.code === 'not-found');
    assert.ok(missing && lineOf(missing) === 8, JSON.stringify(diagnostics));
    assert.match(missing.message, /extra 'train'/);
    const openai = diagnostics.filter((d) => d.code === 'conflict-transitive' && /extra 'openai'/.test(d.message));
    assert.deepEqual(openai.map(lineOf), [7], JSON.stringify(diagnostics.map((d) => [d.code, lineOf(d), d.message])));
    const dev = diagnostics.filter((d) => d.code === 'conflict-transitive' && /dependency group 'dev'/.test(d.message));
    assert.deepEqual(causeLines(dev), [4, 11]);
    if (pip) {
      const work = fs.mkdtempSync(path.join(dir, 'pip-'));
      assert.equal(
        (await pipDryRun(['numpy>=1.24', 'accelerate'], index.url, work)).ok,
        true,
        'pip: the base alone installs',
      );
      assert.equal(
        (await pipDryRun(['numpy>=1.24', 'accelerate', 'openai<1', 'langchain-openai>=0.1'], index.url, work)).ok,
        false,
        'pip: .[openai] fails',
      );
    }
  });

  it('reports every conflict of a file, not just the first (9.8)', async () => {
    write(
      'vision/requirements.txt',
      ['tensorflow==2.10.0', 'numpy>=1.25', 'grpcio-tools==1.60.0', 'protobuf<4', 'accelerate', ''].join('\n'),
    );
    const { diagnostics } = await check('vision/requirements.txt');
    const transitive = diagnostics.filter((d) => d.code === 'conflict-transitive');
    assert.deepEqual(
      causeLines(transitive),
      [1, 2, 3, 4],
      JSON.stringify(diagnostics.map((d) => [d.code, lineOf(d), d.message])),
    );
    assert.equal(new Set(transitive.map((d) => d.message)).size, 2, 'two separate explanations');
    if (pip) {
      const work = fs.mkdtempSync(path.join(dir, 'pip-'));
      assert.equal(
        (await pipDryRun(['grpcio-tools==1.60.0', 'protobuf<4', 'accelerate'], index.url, work)).ok,
        false,
        'pip fails on the second conflict alone',
      );
    }
  });

  it(
    'prefers a fix that keeps the cap the author wrote, names a ' +
      'crossed cap, and the message names the packages (9.9, 9.10)',
    async () => {
      write('diffusion/requirements.txt', ['transformers>=4.35.2,<5.0.0', 'tokenizers==0.15.2', ''].join('\n'));
      const { diagnostics } = await check('diffusion/requirements.txt');
      const transitive = diagnostics.filter((d) => d.code === 'conflict-transitive');
      // One finding for the one conflict, both lines taking part; the message names the packages.
      assert.equal(transitive.length, 1, JSON.stringify(transitive));
      assert.deepEqual(causeLines(transitive), [1, 2]);
      const d = transitive[0]!;
      assert.match(d.message, /transformers/);
      assert.match(d.message, /tokenizers/);
      const onLine = (n: number) => d.fixes.filter((f) => f.edits[0]!.range.start.line === n - 1);
      assert.ok(onLine(2).length > 0, JSON.stringify(d.fixes));
      // A fix of the tokenizers line never crosses the transformers cap; one that crosses a bound says so.
      assert.ok(onLine(2).every((f) => !`${f.title} ${f.detail ?? ''}`.includes("'<5.0.0'")));
      for (const f of onLine(1))
        if (f.edits[0]!.newText.includes('5.0.0') && !f.edits[0]!.newText.includes('<5.0.0'))
          assert.match(`${f.title} ${f.detail ?? ''}`, /leaves the bound '<5\.0\.0' you wrote/);
      for (const f of d.fixes) assert.notEqual(f.edits[0]!.newText, '>=2.2,<2');
    },
  );

  it("judges an environment.yml's pip part for the environment's own Python (9.6)", async () => {
    write(
      'nerf/environment.yml',
      [
        'name: nerf',
        'channels:',
        '  - conda-forge',
        'dependencies:',
        '  - python=3.8.5',
        '  - pip',
        '  - pip:',
        '    - numpy==2.4.1',
        '    - submodules/simple-knn',
        '',
      ].join('\n'),
    );
    fs.mkdirSync(path.join(dir, 'nerf/submodules/simple-knn'), { recursive: true });
    const { diagnostics } = await check('nerf/environment.yml');
    const rp = diagnostics.find((d) => d.code === 'requires-python');
    assert.ok(rp && lineOf(rp) === 8, JSON.stringify(diagnostics.map((d) => [d.code, lineOf(d), d.message])));
    assert.match(rp.message, /Python 3\.8\.5/);
  });
});
