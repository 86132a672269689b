// Unit tests of the pixi manifest parser: workspace channels and platforms (plain and inline-table entries, the
// deprecated [system-requirements]), conda and PyPI tables with their spans, TOML 1.1 inline tables, targets,
// features and environments merged as pixi merges them, and bad input as syntax findings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { environmentPlatforms, environmentSpecs, pixiManifestOf } from '../../server/src/model/pixi';
import type { Dependency, ParsedFile } from '../../server/src/model/types';
import { parsePixiToml } from '../../server/src/parsers/pixi';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { classify } from '../../server/src/workspace/file-kinds';
import { completionContext } from '../../server/src/lsp/completion';
import { find, slice } from '../helpers/spans';

const FILE = '/work/proj/pixi.toml';

const MANIFEST = [
  '[workspace]',
  'name = "demo"',
  'channels = ["conda-forge"]',
  'platforms = [',
  '  "osx-arm64",',
  '  { platform = "linux-64", cuda = "12.0", glibc = "2.31" },',
  '  { name = "linux-cpu", platform = "linux-64" },',
  ']',
  'channel-priority = "disabled"',
  '',
  '[dependencies]',
  'python = ">=3.11,<3.13"',
  'numpy = {',
  '    version = ">=1.26",',
  '    channel = "conda-forge",',
  '}',
  '',
  '[constraints]',
  'openssl = ">=3"',
  '',
  '[pypi-dependencies]',
  'requests = ">=2.31"',
  'pandas = { version = ">=2", extras = ["Parquet", "sql"] }',
  'tool = { git = "https://example.invalid/tool.git", rev = "abc" }',
  'anything = "*"',
  '',
  '[target.linux-64.dependencies]',
  'numpy = ">=2"',
  '',
  '[target.unix.dependencies]',
  'libgcc = "*"',
  '',
  '[feature.cuda]',
  'platforms = ["linux-64"]',
  'channels = ["nvidia", { channel = "pytorch", priority = -1 }]',
  '',
  '[feature.cuda.dependencies]',
  'pytorch-cuda = { version = "12.1.*", build = "*cuda*" }',
  '',
  '[feature.cuda.system-requirements]',
  'cuda = "12.4"',
  '',
  '[feature.lint.dependencies]',
  'ruff = "*"',
  '',
  '[environments]',
  'cuda = ["cuda"]',
  'lint = { features = ["lint"], no-default-feature = true, solve-group = "tools" }',
  '',
].join('\n');

function dep(f: ParsedFile, name: string, section: string): Dependency {
  const d = f.dependencies.find((x) => x.name === name && x.section === section);
  assert.ok(d, `no '${name}' in ${section}: ${f.dependencies.map((x) => `${x.name}@${x.section}`).join(', ')}`);
  return d;
}

describe('pixi.toml: workspace, tables and spans', () => {
  const f = parsePixiToml(FILE, MANIFEST);
  const m = pixiManifestOf(f)!;

  it('is the pixi kind by name, and reads the TOML 1.1 manifest without a finding', () => {
    assert.equal(classify('/w/pixi.toml'), 'pixi');
    assert.deepEqual(
      f.findings.map((x) => x.message),
      [],
    );
    assert.equal(m.name, 'demo');
    assert.equal(m.channelPriority, 'disabled');
    assert.deepEqual(
      m.channels.map((c) => c.name),
      ['conda-forge'],
    );
  });

  it('reads plain and inline-table platforms with their virtual packages and pixi defaults', () => {
    assert.deepEqual(
      m.platforms.map((p) => [p.name, p.subdir, p.virtual]),
      [
        ['osx-arm64', 'osx-arm64', { __osx: '13.0' }],
        ['linux-64', 'linux-64', { __linux: '4.18', __glibc: '2.31', __cuda: '12.0' }],
        ['linux-cpu', 'linux-64', { __linux: '4.18', __glibc: '2.28' }],
      ],
    );
    const cuda = m.platforms[1]!;
    assert.equal(slice(MANIFEST, cuda.virtualSpans['__cuda']!), '12.0');
  });

  it('gives conda entries match-spec text and exact spans, a multi-line inline table included', () => {
    const numpy = dep(f, 'numpy', 'dependencies');
    assert.equal(numpy.kind, 'conda');
    assert.equal(numpy.text, 'conda-forge::numpy >=1.26');
    assert.deepEqual(numpy.conda, { channel: 'conda-forge', version: '>=1.26', build: null });
    assert.equal(slice(MANIFEST, numpy.nameSpan), 'numpy');
    assert.equal(slice(MANIFEST, numpy.specifierSpan), '>=1.26');
    assert.ok(slice(MANIFEST, numpy.span).startsWith('numpy = {') && slice(MANIFEST, numpy.span).endsWith('}'));
    const torch = dep(f, 'pytorch-cuda', 'feature.cuda.dependencies');
    assert.deepEqual(torch.conda, { channel: null, version: '12.1.*', build: '*cuda*' });
    assert.equal(dep(f, 'python', 'dependencies').specifier, '>=3.11,<3.13');
    assert.equal(f.requiresPython, '>=3.11,<3.13');
  });

  it('reads PyPI entries: strings, version tables with extras, git URLs and "*"', () => {
    const pandas = dep(f, 'pandas', 'pypi-dependencies');
    assert.equal(pandas.kind, 'requirement');
    assert.deepEqual(pandas.extras, ['parquet', 'sql']);
    assert.equal(pandas.specifier, '>=2');
    assert.equal(slice(MANIFEST, pandas.specifierSpan), '>=2');
    assert.equal(dep(f, 'tool', 'pypi-dependencies').url, 'git+https://example.invalid/tool.git');
    assert.equal(dep(f, 'anything', 'pypi-dependencies').specifier, '');
    assert.equal(slice(MANIFEST, dep(f, 'requests', 'pypi-dependencies').span), 'requests = ">=2.31"');
  });

  it('keeps constraints in the model, out of the installed lines', () => {
    const def = m.features[0]!;
    assert.deepEqual(
      def.targets[0]!.constraints.map((d) => d.text),
      ['openssl >=3'],
    );
    assert.ok(!f.dependencies.some((d) => d.name === 'openssl'));
  });

  it('marks a target line with its platform marker', () => {
    assert.equal(
      dep(f, 'numpy', 'target.linux-64.dependencies').marker,
      'sys_platform == "linux" and platform_machine == "x86_64"',
    );
    assert.equal(dep(f, 'libgcc', 'target.unix.dependencies').marker, 'sys_platform != "win32"');
  });
});

describe('pixi.toml: features and environments merged as pixi merges them', () => {
  const f = parsePixiToml(FILE, MANIFEST);
  const m = pixiManifestOf(f)!;

  it('has the implicit default environment first, and the declared ones with their features', () => {
    assert.deepEqual(
      m.environments.map((e) => [e.name, e.features, e.solveGroup, e.noDefaultFeature]),
      [
        ['default', ['default'], null, false],
        ['cuda', ['default', 'cuda'], null, false],
        ['lint', ['lint'], 'tools', true],
      ],
    );
  });

  it('limits an environment to its features platforms', () => {
    assert.deepEqual(
      environmentPlatforms(m, 'cuda').map((p) => p.name),
      ['linux-64'],
    );
    assert.deepEqual(
      environmentPlatforms(m, 'default').map((p) => p.name),
      ['osx-arm64', 'linux-64', 'linux-cpu'],
    );
    assert.equal(environmentSpecs(m, 'cuda', 'osx-arm64'), null);
  });

  it('replaces a feature line by its target line on that platform, and keeps it elsewhere', () => {
    const linux = environmentSpecs(m, 'default', 'linux-64')!;
    assert.deepEqual(
      linux.dependencies.map((d) => d.text),
      ['python >=3.11,<3.13', 'numpy >=2', 'libgcc *'],
    );
    const osx = environmentSpecs(m, 'default', 'osx-arm64')!;
    assert.deepEqual(
      osx.dependencies.map((d) => d.text),
      ['python >=3.11,<3.13', 'conda-forge::numpy >=1.26', 'libgcc *'],
    );
    assert.deepEqual(
      osx.pypiDependencies.map((d) => d.name),
      ['requests', 'pandas', 'tool', 'anything'],
    );
  });

  it('ranks channels by priority, features before the workspace, and lets feature system requirements win', () => {
    const cuda = environmentSpecs(m, 'cuda', 'linux-64')!;
    assert.deepEqual(cuda.channels, ['nvidia', 'conda-forge', 'pytorch']);
    assert.equal(cuda.virtual['__cuda'], '12.4');
    assert.equal(slice(MANIFEST, cuda.virtualSpans['__cuda']!), '12.4');
    assert.ok(cuda.dependencies.some((d) => d.name === 'pytorch-cuda'));
  });

  it('leaves the default feature out of a no-default-feature environment', () => {
    const lint = environmentSpecs(m, 'lint', 'linux-64')!;
    assert.deepEqual(
      lint.dependencies.map((d) => d.name),
      ['ruff'],
    );
    assert.deepEqual(lint.pypiDependencies, []);
  });

  it('scopes each line to the environments that install it', () => {
    assert.deepEqual(dep(f, 'ruff', 'feature.lint.dependencies').scopes, ['env:lint']);
    assert.deepEqual(dep(f, 'pytorch-cuda', 'feature.cuda.dependencies').scopes, ['env:cuda']);
    assert.deepEqual(dep(f, 'python', 'dependencies').scopes, ['env:default', 'env:cuda']);
  });
});

describe('pixi.toml: older and other forms', () => {
  it('reads [project] and the deprecated top-level [system-requirements] onto the platforms', () => {
    const text = [
      '[project]',
      'channels = ["conda-forge"]',
      'platforms = ["linux-64", "osx-64"]',
      '[system-requirements]',
      'cuda = "11.8"',
      'libc = { family = "glibc", version = "2.17" }',
      'macos = "11.0"',
      '[dependencies]',
      'python = "3.10.*"',
    ].join('\n');
    const m = pixiManifestOf(parsePixiToml(FILE, text))!;
    assert.deepEqual(
      m.platforms.map((p) => p.virtual),
      [{ __linux: '4.18', __glibc: '2.17', __cuda: '11.8' }, { __osx: '11.0' }],
    );
    assert.deepEqual(
      m.environments.map((e) => e.name),
      ['default'],
    );
  });

  it('reads an environment with tables of its own as a feature of that environment', () => {
    const text = [
      '[workspace]',
      'channels = ["conda-forge"]',
      'platforms = ["linux-64"]',
      '[dependencies]',
      'numpy = "*"',
      '[environments.lint]',
      'no-default-feature = true',
      'dependencies = { pre-commit = "*" }',
    ].join('\n');
    const m = pixiManifestOf(parsePixiToml(FILE, text))!;
    assert.deepEqual(
      environmentSpecs(m, 'lint', 'linux-64')!.dependencies.map((d) => d.name),
      ['pre-commit'],
    );
  });

  it('reads [tool.pixi] in a pyproject.toml with its conda lines and project dependencies as PyPI ones', () => {
    const text = [
      '[project]',
      'name = "proj"',
      'dependencies = ["requests>=2"]',
      '[tool.pixi.workspace]',
      'channels = ["conda-forge"]',
      'platforms = ["linux-64"]',
      '[tool.pixi.dependencies]',
      'python = "3.12.*"',
      '[tool.pixi.pypi-dependencies]',
      'proj = { path = ".", editable = true }',
    ].join('\n');
    const f = parsePyproject('/work/proj/pyproject.toml', text);
    const m = pixiManifestOf(f)!;
    assert.ok(m, 'a pixi manifest');
    assert.equal(m.prefix, 'tool.pixi.');
    const specs = environmentSpecs(m, 'default', 'linux-64')!;
    assert.deepEqual(
      specs.dependencies.map((d) => d.text),
      ['python 3.12.*'],
    );
    assert.deepEqual(
      specs.pypiDependencies.map((d) => d.name),
      ['requests', 'proj'],
    );
    const python = f.dependencies.find((d) => d.name === 'python')!;
    assert.equal(python.kind, 'conda');
    assert.equal(python.section, 'tool.pixi.dependencies');
  });
});

describe('pixi.toml: bad input', () => {
  const bad = (text: string): string[] => parsePixiToml(FILE, text).findings.map((x) => x.message);

  it('says where the TOML breaks and keeps what precedes it', () => {
    const text =
      '[workspace]\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n[dependencies]\nnumpy = ">=1"\nbroken = = "x"\n[feature.x]\n';
    const f = parsePixiToml(FILE, text);
    assert.equal(f.findings.length, 1);
    assert.match(f.findings[0]!.message, /TOML syntax error/);
    assert.ok(f.dependencies.some((d) => d.name === 'numpy'));
  });

  it('flags unknown platforms, wrong shapes, bad specs and unknown features at the fault, never throwing', () => {
    const text = [
      '[workspace]',
      'channels = "conda-forge"',
      'platforms = ["linux-65", { cuda = "12" }]',
      '[dependencies]',
      'numpy = ">=1.2,,"',
      'scipy = 3',
      '[pypi-dependencies]',
      'requests = ">=2..1"',
      '[target.beos.dependencies]',
      'x = "*"',
      '[environments]',
      'gpu = ["nope"]',
    ].join('\n');
    const f = parsePixiToml(FILE, text);
    const msgs = f.findings.map((x) => `${slice(text, x.span)} :: ${x.message}`);
    assert.ok(
      msgs.some((x) => x.startsWith('"conda-forge" :: ')),
      msgs.join('\n'),
    );
    assert.ok(
      msgs.some((x) => x.startsWith('linux-65 :: ')),
      msgs.join('\n'),
    );
    assert.ok(
      msgs.some((x) => /needs 'platform'/.test(x)),
      msgs.join('\n'),
    );
    assert.ok(
      msgs.some((x) => x.startsWith('>=1.2,, :: Invalid conda spec')),
      msgs.join('\n'),
    );
    assert.ok(
      msgs.some((x) => x.startsWith('3 :: ')),
      msgs.join('\n'),
    );
    assert.ok(
      msgs.some((x) => x.startsWith('>=2..1 :: ')),
      msgs.join('\n'),
    );
    assert.ok(
      msgs.some((x) => x.startsWith('beos :: ')),
      msgs.join('\n'),
    );
    assert.ok(
      msgs.some((x) => x.startsWith("nope :: No feature named 'nope'")),
      msgs.join('\n'),
    );
    assert.equal(find(text, 'numpy').start, find(text, 'numpy').start);
  });

  it('says a manifest without [workspace] is not one', () => {
    assert.match(bad('[dependencies]\nnumpy = "*"\n').join('\n'), /needs a \[workspace\] table/);
  });
});

describe('pixi.toml: completion', () => {
  it('completes PyPI names and versions in pypi-dependencies, nothing from PyPI in conda tables', () => {
    const text = '[workspace]\n[feature.ml.pypi-dependencies]\ntorc';
    assert.deepEqual(completionContext('pixi', text, text.length), {
      type: 'name',
      typed: 'torc',
      span: { start: text.length - 4, end: text.length },
      style: 'poetry-key',
    });
    const v = '[pypi-dependencies]\nrequests = ">=2.3';
    const cx = completionContext('pixi', v, v.length);
    assert.equal(cx?.type, 'version');
    const conda = '[dependencies]\nnump';
    assert.deepEqual(completionContext('pixi', conda, conda.length), { type: 'none' });
  });
});
