// The CLI on uv projects whose pyproject routes packages to indexes, over loopback indexes: one stands for PyPI (the
// main index, given as --index-url), one for a PyTorch CUDA index serving local `+cu121` builds, one for a private
// index. What uv does is cited from its docs, https://docs.astral.sh/uv/concepts/indexes/:
// - "Pinning a package to an index": a package whose `tool.uv.sources` entry names an index is taken from it;
// - "explicit = true ... prevent packages from being installed from that index unless explicitly pinned to it";
// - "set default = true on another index entry" to exclude PyPI; "The default index is always treated as lowest
//   priority";
// - "Searching across multiple indexes": uv's default strategy `first-index` limits a package's candidate versions to
//   those present in the first index that contains it.
// And https://docs.astral.sh/uv/concepts/projects/dependencies/ ("Dependency sources"): path, git and workspace
// sources are not looked up on an index.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkFolder, checkJson, writeLinuxProfile } from '../helpers/cli';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

describe('stack-doctor check: uv index routing', () => {
  let main: PackageIndex;
  let pytorch: PackageIndex;
  let privateIndex: PackageIndex;
  let dir: string;
  let profile: string;
  const check = async (folder: string, extra: string[] = []) =>
    (await checkFolder(dir, folder, { indexUrl: main.url, profile, extra })).diagnostics;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  /** The project pages an index was asked for (`/simple/NAME/`), by name. */
  const asked = (index: PackageIndex): string[] =>
    index.requests.map((r) => /\/simple\/([^/]+)\/?$/.exec(r.path)?.[1]).filter((n): n is string => !!n);
  const codes = (ds: { code: string }[]) => ds.map((d) => d.code);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-uv-routing-'));
    profile = writeLinuxProfile(dir);
    main = await startPackageIndex([
      { name: 'torch', version: '2.1.2' },
      { name: 'numpy', version: '1.26.4' },
      { name: 'requests', version: '2.31.0' },
    ]);
    pytorch = await startPackageIndex([
      { name: 'torch', version: '2.1.2+cu121' },
      { name: 'numpy', version: '1.24.1' },
    ]);
    privateIndex = await startPackageIndex([
      { name: 'numpy', version: '1.23.5' },
      { name: 'inhouse', version: '0.3.0' },
    ]);
  });
  after(async () => {
    await Promise.all([main.close(), pytorch.close(), privateIndex.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pytorchIndex = (extra = 'explicit = true\n') =>
    `[[tool.uv.index]]\nname = "pytorch-cu121"\nurl = "${pytorch.url}"\n${extra}`;

  it('a package routed to an explicit CUDA index is judged there, and nothing else is asked of that index', async () => {
    write(
      'routed/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2+cu121", "numpy==1.26.4"]\n\n' +
        '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n\n' +
        pytorchIndex(),
    );
    const ds = await check('routed');
    // The main index has no +cu121 build: judged there, torch would be a false `not-found`.
    assert.deepEqual(
      ds.filter((d) => d.code === 'not-found'),
      [],
    );
    assert.deepEqual(asked(pytorch), ['torch']);
    assert.ok(!asked(main).includes('torch'), `main asked for ${asked(main).join(', ')}`);
  });

  it('a routed version the index lacks is not-found, naming the index it was judged against', async () => {
    write(
      'routed-missing/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.2.0+cu121"]\n\n' +
        '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n\n' +
        pytorchIndex(),
    );
    const nf = (await check('routed-missing')).filter((d) => d.code === 'not-found');
    assert.equal(nf.length, 1);
    assert.ok(nf[0]!.message.includes(`pytorch-cu121 (${pytorch.url})`), nf[0]!.message);
  });

  it('a default index replaces the main one', async () => {
    const before = asked(main).length;
    write(
      'default/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\ndependencies = ["inhouse==0.3.0", "requests==2.31.0"]\n\n' +
        `[[tool.uv.index]]\nname = "corp"\nurl = "${privateIndex.url}"\ndefault = true\n`,
    );
    const ds = await check('default');
    assert.equal(asked(main).length, before, 'the main index is not asked');
    // requests is only on the main index, which uv no longer uses.
    const nf = ds.filter((d) => d.code === 'not-found');
    assert.deepEqual(
      nf.map((d) => d.message.includes("'requests'") && d.message.includes('corp (')),
      [true],
      JSON.stringify(nf.map((d) => d.message)),
    );
  });

  it("first-index: a package an earlier index has is taken only from it (unlike pip's best match)", async () => {
    write(
      'first/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\ndependencies = ["numpy==1.26.4"]\n\n' +
        `[[tool.uv.index]]\nname = "corp"\nurl = "${privateIndex.url}"\n`,
    );
    const nf = (await check('first')).filter((d) => d.code === 'not-found');
    assert.equal(nf.length, 1, JSON.stringify(nf));
    assert.match(nf[0]!.message, /the newest is 1\.23\.5/);
    // With unsafe-best-match every index's versions count, as pip counts them.
    write(
      'best/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\ndependencies = ["numpy==1.26.4"]\n\n' +
        '[tool.uv]\nindex-strategy = "unsafe-best-match"\n\n' +
        `[[tool.uv.index]]\nname = "corp"\nurl = "${privateIndex.url}"\n`,
    );
    assert.deepEqual(codes(await check('best')), []);
  });

  it('path, git and workspace sources are never looked up on an index', async () => {
    write(
      'local/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\n' +
        'dependencies = ["mylib", "forked==9.9", "sibling"]\n\n' +
        '[tool.uv.sources]\nmylib = { path = "../mylib" }\n' +
        'forked = { git = "https://example.invalid/forked", tag = "v9.9" }\nsibling = { workspace = true }\n',
    );
    const ds = await check('local');
    assert.deepEqual(codes(ds), []);
    for (const n of ['mylib', 'forked', 'sibling']) assert.ok(!asked(main).includes(n), `${n} asked`);
  });

  it('${VAR} in a pyproject index URL is never expanded: that index is not asked, and no value is printed', async () => {
    const origin = new URL(pytorch.url).origin;
    write(
      'var/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2+cu121"]\n\n' +
        '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n\n' +
        `[[tool.uv.index]]\nname = "pytorch-cu121"\nurl = "${origin}/\${SD_TEST_INDEX_PATH}"\nexplicit = true\n`,
    );
    const before = pytorch.requests.length;
    const r = await checkFolder(dir, 'var', {
      indexUrl: main.url,
      profile,
      env: { ...isolatedPipEnv(), SD_TEST_INDEX_PATH: 'simple' },
    });
    assert.equal(pytorch.requests.length, before);
    assert.ok(!r.stdout.includes(`${origin}/simple`), r.stdout);
  });

  it('untrusted: the routed line is not checked and says so; the pyproject index is not contacted', async () => {
    write(
      'untrusted/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2+cu121"]\n\n' +
        '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n\n' +
        pytorchIndex(),
    );
    const before = pytorch.requests.length;
    const ds = await check('untrusted', ['--untrusted']);
    assert.equal(pytorch.requests.length, before);
    assert.deepEqual(
      ds.filter((d) => d.code === 'not-found'),
      [],
    );
    const note = ds.find((d) => d.code === 'index-unreachable' && d.range.start.line === 3);
    assert.ok(note, JSON.stringify(ds));
    assert.match(note.message, /not checked in an untrusted workspace/i);
  });
});

// The project's requires-python decides the Python it is judged for: uv resolves for the whole range, the lower bound
// included (https://docs.astral.sh/uv/concepts/resolution/, "Universal resolution": "all required packages must be
// compatible with the entire range of requires-python"), and pip refuses to install a project whose Requires-Python
// excludes the running Python.
describe('stack-doctor check: the project requires-python decides the Python', () => {
  let index: PackageIndex;
  let dir: string;
  let profile: string;
  const check = async (folder: string) =>
    (await checkFolder(dir, folder, { indexUrl: index.url, profile })).diagnostics;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-uv-python-'));
    profile = writeLinuxProfile(dir);
    index = await startPackageIndex([
      { name: 'fastext', version: '1.0', tag: 'cp313-cp313-manylinux_2_17_x86_64' },
      { name: 'newonly', version: '2.0', requiresPython: '>=3.12' },
    ]);
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a 3.13 project on a 3.11 machine: told once on requires-python, its cp313 wheels pass', async () => {
    write(
      'py313/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\nrequires-python = ">=3.13,<3.14"\ndependencies = ["fastext==1.0"]\n',
    );
    const ds = await check('py313');
    assert.deepEqual(
      ds.map((d) => [d.code, d.range.start.line]),
      [['requires-python', 3]],
      JSON.stringify(ds.map((d) => d.message)),
    );
    assert.match(ds[0]!.message, /3\.11\.7/);
    assert.match(ds[0]!.message, /judged for Python 3\.13\.0/);
  });

  it("inside the range, the target's own Python is judged, and nothing is said of the range", async () => {
    write(
      'py310/pyproject.toml',
      '[project]\nname = "app"\nversion = "0"\nrequires-python = ">=3.10"\ndependencies = ["newonly"]\n',
    );
    const ds = await check('py310');
    assert.deepEqual(
      ds.map((d) => [d.code, d.range.start.line]),
      [['requires-python', 4]],
      JSON.stringify(ds.map((d) => d.message)),
    );
    assert.match(ds[0]!.message, /newonly.*Python 3\.11\.7/);
  });
});

// Torch routing judged from the pyproject alone (--offline: no index is asked), as
// https://docs.astral.sh/uv/guides/integration/pytorch/ configures it.
describe('stack-doctor check: uv torch routing, statically', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-uv-torch-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('says on the source entry that a bare uv sync misses the CUDA index, and on torchvision that it is split', async () => {
    fs.writeFileSync(
      path.join(dir, 'pyproject.toml'),
      [
        '[project]',
        'name = "app"',
        'version = "0"',
        'dependencies = ["torch==2.1.2", "torchvision==0.16.2"]',
        '[dependency-groups]',
        'gpu = []',
        '',
        '[tool.uv.sources]',
        'torch = [{ index = "pytorch-cu121", group = "gpu" }]',
        'torchvision = { index = "pytorch-cu121" }',
        '',
        '[[tool.uv.index]]',
        'name = "pytorch-cu121"',
        'url = "https://download.pytorch.org/whl/cu121"',
        'explicit = true',
        '',
      ].join('\n'),
    );
    // A machine whose GPU is not known: only the routing itself is judged.
    const machine = path.join(dir, 'machine.json');
    fs.writeFileSync(
      machine,
      JSON.stringify({ os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } }),
    );
    const r = await checkJson([path.join(dir, 'pyproject.toml'), '--offline', '--profile', machine], dir);
    const got = r.diagnostics
      .filter((d) => d.code.startsWith('cuda-'))
      .map((d) => [d.code, d.range.start.line])
      .sort();
    assert.deepEqual(
      got,
      [
        ['cuda-mix', 9],
        ['cuda-unavailable', 8],
      ],
      JSON.stringify(r.diagnostics.map((d) => d.message)),
    );
  });
});
