// The CLI on uv ML projects whose [tool.uv] limits or edits the resolution, over a loopback index standing for PyPI.
// What uv does is cited from its docs, docs/concepts/resolution.md:
// - "Dependency exclusions": `exclude-dependencies` removes a package from the dependency graph, "including direct
//   requirements"; a table `{ package = { name, version }, dependencies = [...] }` removes it from that package
//   version's dependencies only;
// - "Dependency overrides": an override replaces every requirement on its name; overrides of one package are told
//   apart by markers, and the replacement carries the override's marker (astral-sh/uv#4976), so where none holds the
//   package is required by nothing;
// - "Limited resolution environments": `environments` limits the lock to the listed markers; on any other machine
//   `uv sync` stops ("The current Python platform is not compatible with the lockfile's supported environments").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkFolder, checkJson, writeLinuxProfile } from '../helpers/cli';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

describe('stack-doctor check: uv exclusions, scoped overrides and environments', () => {
  let main: PackageIndex;
  let dir: string;
  let profile: string;
  const check = async (folder: string) => (await checkFolder(dir, folder, { indexUrl: main.url, profile })).diagnostics;
  const write = (folder: string, tool: string, deps = '"torch==2.4.0", "numpy==1.26.4"') => {
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    fs.writeFileSync(
      path.join(dir, folder, 'pyproject.toml'),
      '[project]\nname = "vision-train"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n' +
        `dependencies = [${deps}]\n\n[tool.uv]\n${tool}`,
    );
  };
  /** The project pages the index was asked for since `from` requests. */
  const asked = (from: number): string[] =>
    main.requests
      .slice(from)
      .map((r) => /\/simple\/([^/]+)\/?$/.exec(r.path)?.[1])
      .filter((n): n is string => !!n);
  const codes = (ds: { code: string }[]) => ds.map((d) => d.code).sort();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-uv-semantics-'));
    profile = writeLinuxProfile(dir);
    // torch 2.4.0 needs a triton this index lacks (a mirror that dropped it, say): uv lock fails without help.
    main = await startPackageIndex([
      { name: 'torch', version: '2.4.0', dependencies: ['triton==3.0.0', 'filelock'] },
      { name: 'triton', version: '2.3.1' },
      { name: 'filelock', version: '3.15.4' },
      { name: 'numpy', version: '1.26.4' },
    ]);
  });
  after(async () => {
    await main.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('without help, torch 2.4.0 conflicts through triton', async () => {
    write('plain', '');
    assert.deepEqual(codes(await check('plain')), ['conflict-transitive']);
  });

  it('an excluded package takes part in no conflict and is never looked up', async () => {
    write('excluded', 'exclude-dependencies = ["triton"]\n');
    const from = main.requests.length;
    assert.deepEqual(codes(await check('excluded')), []);
    assert.ok(!asked(from).includes('triton'), asked(from).join(', '));
    assert.ok(asked(from).includes('filelock'), "torch's other dependencies are still followed");
  });

  it('an exclusion scoped to torch 2.4.0 removes triton there; one scoped to another version does not', async () => {
    write(
      'scoped',
      'exclude-dependencies = [{ package = { name = "torch", version = "2.4.0" }, dependencies = ["triton"] }]\n',
    );
    assert.deepEqual(codes(await check('scoped')), []);
    write(
      'scoped-other',
      'exclude-dependencies = [{ package = { name = "torch", version = "2.3.1" }, dependencies = ["triton"] }]\n',
    );
    assert.deepEqual(codes(await check('scoped-other')), ['conflict-transitive']);
  });

  it('an override scoped to torch 2.4.0 replaces its triton requirement (no syntax error on the table)', async () => {
    write(
      'scoped-override',
      'override-dependencies = [\n  { package = { name = "torch", version = "2.4.0" }, dependencies = ["triton==2.3.1"] },\n]\n',
    );
    assert.deepEqual(codes(await check('scoped-override')), []);
  });

  it('an override applies where its marker holds, and where none holds the package is required by nothing', async () => {
    write('override-linux', 'override-dependencies = ["triton==2.3.1 ; sys_platform == \'linux\'"]\n');
    assert.deepEqual(codes(await check('override-linux')), []);
    // On this Linux machine the macOS override replaces triton by nothing, as uv does.
    write('override-darwin', 'override-dependencies = ["triton==2.3.1 ; sys_platform == \'darwin\'"]\n');
    const from = main.requests.length;
    assert.deepEqual(codes(await check('override-darwin')), []);
    assert.ok(!asked(from).includes('triton'), asked(from).join(', '));
  });

  it('environments: a machine outside them is said once, and lines only for other environments are not judged', async () => {
    // A project locked for macOS only; its Linux-only line names a project the index does not have.
    write(
      'environments',
      'environments = ["sys_platform == \'darwin\'"]\nexclude-dependencies = ["triton"]\n',
      '"torch==2.4.0", "linux-only-kernels==1.0 ; sys_platform == \'linux\'"',
    );
    const from = main.requests.length;
    const ds = await check('environments');
    assert.deepEqual(codes(ds), ['requires-python']);
    assert.equal(ds[0]!.severity, 'warning');
    assert.match(
      ds[0]!.message,
      /^uv sync refuses Python 3\.11\.7 · Linux x86_64: it is outside the project's environments\n/,
    );
    assert.equal(ds[0]!.range.start.line, 7);
    assert.ok(!asked(from).some((n) => n.includes('kernels')), asked(from).join(', '));
    // The same line in a project uv resolves for Linux too is judged: not-found.
    write(
      'environments-linux',
      'environments = ["sys_platform == \'darwin\'", "sys_platform == \'linux\'"]\nexclude-dependencies = ["triton"]\n',
      '"torch==2.4.0", "linux-only-kernels==1.0 ; sys_platform == \'linux\'"',
    );
    assert.deepEqual(codes(await check('environments-linux')), ['not-found']);
  });
});

// uv routes per scope (docs/concepts/projects/dependencies.md, "Dependency sources": a source entry with `extra` or
// `group` applies to that extra or group only; docs/guides/integration/pytorch.md, "Configuring accelerators with
// optional dependencies": torch from the CPU index in extra `cpu`, from the CUDA index in extra `cu121`).
describe('stack-doctor check: a package uv routes to one index per extra', () => {
  let main: PackageIndex;
  let cpu: PackageIndex;
  let cu121: PackageIndex;
  let dir: string;
  let profile: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-uv-scoped-routes-'));
    profile = path.join(dir, 'machine.json');
    fs.writeFileSync(
      profile,
      JSON.stringify({ os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } }),
    );
    main = await startPackageIndex([{ name: 'numpy', version: '1.26.4' }]);
    cpu = await startPackageIndex([{ name: 'torch', version: '2.4.0+cpu' }]);
    cu121 = await startPackageIndex([{ name: 'torch', version: '2.4.0+cu121' }]);
  });
  after(async () => {
    await Promise.all([main.close(), cpu.close(), cu121.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const check = async (folder: string, cpuLine: string) => {
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    fs.writeFileSync(
      path.join(dir, folder, 'pyproject.toml'),
      '[project]\nname = "llm-finetune"\nversion = "0.1.0"\ndependencies = ["numpy==1.26.4"]\n\n' +
        `[project.optional-dependencies]\ncpu = ["${cpuLine}"]\ncu121 = ["torch==2.4.0+cu121"]\n\n` +
        '[tool.uv]\nconflicts = [[{ extra = "cpu" }, { extra = "cu121" }]]\n\n' +
        '[tool.uv.sources]\ntorch = [\n  { index = "pytorch-cpu", extra = "cpu" },\n' +
        '  { index = "pytorch-cu121", extra = "cu121" },\n]\n\n' +
        `[[tool.uv.index]]\nname = "pytorch-cpu"\nurl = "${cpu.url}"\nexplicit = true\n\n` +
        `[[tool.uv.index]]\nname = "pytorch-cu121"\nurl = "${cu121.url}"\nexplicit = true\n`,
    );
    const args = [path.join(dir, folder), '--index-url', main.url, '--profile', profile];
    return (await checkJson([...args, '--cache-dir', path.join(dir, folder + '.cache')], dir)).diagnostics;
  };

  it('each extra is judged against its own index', async () => {
    assert.deepEqual(await check('right', 'torch==2.4.0+cpu'), []);
    // The CUDA build asked for in the cpu extra: the CPU index has no such version, whatever the CUDA index has.
    const ds = await check('wrong', 'torch==2.4.0+cu121');
    assert.deepEqual(
      ds.map((d) => [d.code, d.range.start.line]),
      [['not-found', 6]],
    );
    assert.match(ds[0]!.message, /in extra 'cpu'/);
    assert.ok(ds[0]!.message.includes(`pytorch-cpu (${cpu.url})`), ds[0]!.message);
    assert.ok(!ds[0]!.message.includes(cu121.url), ds[0]!.message);
  });
});
