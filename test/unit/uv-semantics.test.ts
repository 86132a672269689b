// uv's resolution settings of a pyproject judged as uv judges them, without an index. From uv's docs
// (docs/concepts/resolution.md):
// - "Limited resolution environments": `environments` limits the lock to the listed markers; `uv sync` elsewhere stops
//   with "The current Python platform is not compatible with the lockfile's supported environments";
// - "Dependency overrides": an override replaces every requirement on its name; several overrides of one package are
//   told apart by markers. The replacement carries the override's marker, so where it fails nothing requires the
//   package (astral-sh/uv#4976: "your override replaces all instances of the requirement verbatim");
// - "Dependency exclusions": `exclude-dependencies` removes a package from the graph, direct requirements included;
//   a table `{ package = { name, version }, dependencies = [...] }` removes them from that package's dependencies only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { MemoryProvider, type MemoryIndex } from '../../server/src/resolver/memory-provider';
import { resolve } from '../../server/src/resolver/solver';
import type { ResolveOptions } from '../../server/src/resolver/types';
import { byCode, expectFindings, profile } from '../helpers/check-kit';

const P = '/w/app/pyproject.toml';
const CU121 = 'https://download.pytorch.org/whl/cu121';
const windows = {
  context: {
    profile: profile({ os: 'windows', arch: 'AMD64', nvidia: null }),
    markerEnvironment: defaultEnvironment({ pythonVersion: '3.11.7', platform: 'win32', machine: 'AMD64' }),
  },
};

describe('uv resolution settings: parsing', () => {
  it('reads exclude-dependencies (names and per-package tables) and the tables of override-dependencies', () => {
    const f = parsePyproject(
      P,
      '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.4.0"]\n\n[tool.uv]\n' +
        'exclude-dependencies = [\n  "Triton",\n  { package = { name = "vllm", version = "0.6.0" }, ' +
        'dependencies = ["xformers"] },\n]\n' +
        'override-dependencies = [\n  "numpy<2 ; sys_platform == \'linux\'",\n' +
        '  { package = { name = "vllm" }, dependencies = ["torch>=2.4"] },\n]\n' +
        'environments = ["sys_platform == \'linux\'", "sys_platform == \'darwin\'"]\n',
    );
    assert.deepEqual(f.findings, []);
    const uv = f.uvResolution!;
    assert.deepEqual(
      uv.excludes.map((e) => [e.names, e.package]),
      [
        [['triton'], null],
        [['xformers'], { name: 'vllm', version: '0.6.0' }],
      ],
    );
    assert.deepEqual(
      uv.scopedOverrides.map((o) => [o.package, o.requirements]),
      [[{ name: 'vllm', version: null }, ['torch>=2.4']]],
    );
    assert.deepEqual(
      f.dependencies.filter((d) => d.kind === 'override').map((d) => [d.name, d.marker]),
      [['numpy', 'sys_platform == "linux"']],
    );
    assert.equal(f.text.slice(uv.environmentsSpan!.start, uv.environmentsSpan!.end), 'environments');
  });

  it('refuses what uv refuses: a requirement where a name goes, a table of another shape', () => {
    const f = parsePyproject(
      P,
      '[project]\nname = "app"\nversion = "0"\n\n[tool.uv]\n' +
        'exclude-dependencies = ["torch>=2", { package = "vllm", dependencies = ["x"] }]\n' +
        'override-dependencies = [{ package = { name = "vllm", version = "one" }, dependencies = ["x"] }]\n',
    );
    assert.deepEqual(
      f.findings.map((x) => x.message.replace(/:.*|,.*/, '')),
      [
        "'torch>=2' is not a package name (uv takes names only here)",
        'A table in \'tool.uv.exclude-dependencies\' must be { package = { name = "NAME"',
        "'one' is not a PEP 440 version",
      ],
    );
  });
});

describe('uv environments', () => {
  const project = (deps: string) => `[project]\nname = "app"\nversion = "0"\ndependencies = [${deps}]\n\n[tool.uv]\n`;

  it('a machine outside every listed environment: said once, on the environments key (uv sync stops there)', () => {
    const { findings } = expectFindings(
      {
        [P]:
          project('"numpy==1.26.4"') +
          '⟦environments⟧⟨requires-python: uv sync refuses Python 3.11.7 · Windows AMD64⟩ = [\n' +
          '  "sys_platform == \'linux\'",\n  "sys_platform == \'darwin\'",\n]\n',
      },
      windows,
    );
    const f = byCode(findings, 'requires-python')[0]!;
    assert.equal(f.severity, 'warning');
    assert.ok(f.message.split('\n')[0]!.length < 100, f.message);
  });

  it('nothing to say where the machine is inside one of them', () => {
    expectFindings(
      { [P]: project('"numpy==1.26.4"') + 'environments = ["sys_platform == \'linux\'"]\n' },
      { codes: ['requires-python'] },
    );
  });

  it('a line whose marker falls outside every listed environment is not judged', () => {
    const torch = `"torch==2.1.2+cu121 ; sys_platform == 'win32'"`;
    // Without environments, the CUDA build is judged on this Windows machine without a driver.
    expectFindings({ [P]: project(`"⟦${torch.slice(1, -1)}⟧⟨cuda-unavailable: no NVIDIA driver⟩"`) }, windows);
    // uv resolves this project for Linux only: the Windows line is never installed by uv.
    expectFindings(
      { [P]: project(torch) + `⟦environments⟧⟨requires-python: outside⟩ = ["sys_platform == 'linux'"]\n` },
      { ...windows, codes: ['requires-python', 'cuda-unavailable'] },
    );
  });
});

describe('uv exclusions and overrides', () => {
  const project = (deps: string, uv: string) =>
    `[project]\nname = "app"\nversion = "0"\ndependencies = [${deps}]\n\n[tool.uv]\n${uv}`;

  it('an excluded package takes part in no conflict, direct lines included', () => {
    expectFindings({
      [P]: project('"⟦numpy>=2⟧⟨conflict: numpy⟩", "⟦numpy<1.20⟧⟨related conflict⟩"', ''),
    });
    expectFindings(
      { [P]: project('"numpy>=2", "numpy<1.20"', 'exclude-dependencies = ["NumPy"]\n') },
      { codes: ['conflict'] },
    );
  });

  it('an override whose marker fails here replaces the requirements on its name by nothing', () => {
    // On this Linux machine the override does not hold, so (as uv does) numpy is required by nothing here.
    expectFindings(
      {
        [P]: project(
          '"numpy>=2", "numpy<1.20"',
          'override-dependencies = ["numpy>=1.26 ; sys_platform == \'darwin\'"]\n',
        ),
      },
      { codes: ['conflict'] },
    );
  });
});

describe('torch routing messages', () => {
  const routed = (uv: string, cpuIndex = true) =>
    '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2", "torchvision==0.16.2"]\n' +
    '[project.optional-dependencies]\ngpu = []\n\n' +
    `[tool.uv]\n${uv}\n` +
    '[tool.uv.sources]\ntorch = [{ index = "pytorch-cu121", extra = "gpu" }]\n' +
    'torchvision = [{ index = "pytorch-cu118" }]\n\n' +
    `[[tool.uv.index]]\nname = "pytorch-cu121"\nurl = "${CU121}"\nexplicit = true\n\n` +
    `[[tool.uv.index]]\nname = "pytorch-cu118"\nurl = "https://download.pytorch.org/whl/cu118"\nexplicit = true\n\n` +
    // Not explicit: uv takes torch (and numpy, ...) from it where nothing routes them elsewhere.
    (cpuIndex ? `[[tool.uv.index]]\nname = "pytorch-cpu"\nurl = "https://download.pytorch.org/whl/cpu"\n` : '');

  it('lead with a verdict under 100 characters, without backticks', () => {
    // No syntax finding: the file reads as uv reads it.
    const { findings } = expectFindings({ [P]: routed('') }, { codes: ['syntax'] });
    const routing = findings.filter((f) => ['cuda-unavailable', 'cuda-mix', 'index-routing'].includes(f.code));
    assert.deepEqual(routing.map((f) => f.code).sort(), ['cuda-mix', 'cuda-unavailable', 'index-routing']);
    for (const f of routing) {
      const [first, ...rest] = f.message.split('\n');
      assert.ok(first!.length < 100, `${f.code}: ${first}`);
      assert.ok(rest.length > 0, `${f.code}: the details follow on later lines`);
      assert.ok(!f.message.includes('`'), f.message);
    }
    const messages = routing.map((f) => f.message.split('\n')[0]);
    assert.deepEqual(messages.sort(), [
      'A bare uv sync installs torch from pytorch-cpu, not from pytorch-cu121 (CUDA 12.1)',
      'The index pytorch-cpu is not explicit = true: uv takes numpy, pillow and more from it, not PyPI',
      'torchvision and torch come from different indexes: pytorch-cu118 and pytorch-cpu',
    ]);
  });

  it('name the CPU-only platforms only where the environments allow them', () => {
    const cpu = (uv: string) =>
      expectFindings({ [P]: routed(uv, false) }, { codes: ['syntax'] }).findings.find(
        (f) => f.code === 'cuda-unavailable',
      )!.message;
    assert.match(cpu(''), /a CPU-only build on Windows and macOS/);
    assert.match(cpu('environments = ["sys_platform == \'linux\'", "sys_platform == \'darwin\'"]'), /on macOS\)/);
    assert.doesNotMatch(cpu('environments = ["sys_platform == \'linux\'"]'), /CPU-only|without CUDA/);
  });
});

describe('the resolver under uv exclusions', () => {
  // torch 2.4.0 needs a triton this index does not have: without an exclusion the set has no resolution.
  const INDEX: MemoryIndex = {
    torch: { '2.4.0': ['triton==3.0.0', 'filelock'], '2.3.1': ['triton==2.3.1', 'filelock'] },
    triton: { '2.3.1': [] },
    filelock: { '3.15.4': [] },
    numpy: { '1.26.4': [], '2.0.0': [] },
  };
  const run = (lines: string[], options: ResolveOptions<string> = {}) => {
    const asked: string[] = [];
    const provider = new MemoryProvider(INDEX);
    const versions = provider.versions.bind(provider);
    provider.versions = (name, signal) => {
      asked.push(name);
      return versions(name, signal);
    };
    const roots = lines.map((requirement, i) => ({ requirement, origin: `line ${i + 1}` }));
    return resolve(roots, provider, { describeOrigin: (o) => o, ...options }).then((r) => ({ r, asked }));
  };
  const picked = (r: Awaited<ReturnType<typeof run>>['r']) =>
    r.ok ? Object.fromEntries([...r.versions].map(([k, v]) => [k, v.toString()])) : r.reason;

  it('an excluded package is never required, nor asked for', async () => {
    assert.equal(picked((await run(['torch==2.4.0'])).r), 'conflict');
    const { r, asked } = await run(['torch==2.4.0', 'numpy==2.0.0'], { excludes: new Set(['triton', 'numpy']) });
    assert.deepEqual(picked(r), { torch: '2.4.0', filelock: '3.15.4' });
    assert.ok(!asked.includes('triton') && !asked.includes('numpy'), asked.join(', '));
  });

  it('a scoped exclusion removes the name from that version of that package only; the exact version wins', async () => {
    const scoped = (version: string | null) => ({ scopedExcludes: [{ package: 'torch', version, names: ['triton'] }] });
    assert.deepEqual(picked((await run(['torch==2.4.0'], scoped('2.4.0'))).r), { torch: '2.4.0', filelock: '3.15.4' });
    assert.deepEqual(picked((await run(['torch==2.4.0'], scoped(null))).r), { torch: '2.4.0', filelock: '3.15.4' });
    assert.equal(picked((await run(['torch==2.4.0'], scoped('2.3.1'))).r), 'conflict');
    // An entry for torch 2.3.1 is used for 2.3.1 instead of the entry for every version (uv: "A version-specific entry
    // takes precedence over an all-versions entry").
    const both = {
      scopedExcludes: [
        { package: 'torch', version: null, names: ['triton'] },
        { package: 'torch', version: '2.4.0', names: ['filelock'] },
      ],
    };
    assert.equal(picked((await run(['torch==2.4.0'], both)).r), 'conflict');
  });

  it('a scoped override replaces (or adds to) the dependencies of that package version only', async () => {
    const scoped = (version: string | null, requirements: string[]) => ({
      scopedOverrides: [{ package: 'torch', version, requirements }],
      // A global override loses to the scoped one for the same name (uv's docs, "Dependency overrides").
      overrides: [{ requirement: 'triton==3.0.0', origin: 'global' }],
    });
    assert.deepEqual(picked((await run(['torch==2.4.0'], scoped('2.4.0', ['triton==2.3.1']))).r), {
      torch: '2.4.0',
      triton: '2.3.1',
      filelock: '3.15.4',
    });
    assert.deepEqual(picked((await run(['torch==2.4.0'], scoped(null, ['triton==2.3.1', 'numpy<2']))).r), {
      torch: '2.4.0',
      triton: '2.3.1',
      filelock: '3.15.4',
      numpy: '1.26.4',
    });
    assert.equal(picked((await run(['torch==2.4.0'], scoped('2.3.1', ['triton==2.3.1']))).r), 'conflict');
  });

  it('an override whose marker fails replaces the requirements on its name by nothing', async () => {
    const env = defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' });
    const overrides = (marker: string) => [{ requirement: `triton==2.3.1 ; ${marker}`, origin: 'override' }];
    const linux = await run(['torch==2.4.0'], {
      markerEnvironment: env,
      overrides: overrides("sys_platform == 'linux'"),
    });
    assert.deepEqual(picked(linux.r), { torch: '2.4.0', triton: '2.3.1', filelock: '3.15.4' });
    const darwin = await run(['torch==2.4.0'], {
      markerEnvironment: env,
      overrides: overrides("sys_platform == 'darwin'"),
    });
    assert.deepEqual(picked(darwin.r), { torch: '2.4.0', filelock: '3.15.4' });
  });
});
