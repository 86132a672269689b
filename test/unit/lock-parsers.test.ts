// Unit tests of the lock file parsers (uv.lock, pylock.toml, poetry.lock) and of the TOML reader under them: every
// entry with its exact spans, what the lock recorded of its manifest, newer formats said so, and odd input never
// throwing. The fixtures are written here in the shapes uv 0.8-0.9, pip 25/26 (PEP 751) and Poetry 2 write.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseUvLock, conflictItems } from '../../server/src/parsers/uv-lock';
import { parsePylock } from '../../server/src/parsers/pylock';
import { parsePoetryLock } from '../../server/src/parsers/poetry-lock';
import { readLockToml, type LValue } from '../../server/src/parsers/lock-toml';
import { readTomlTree, type VNode } from '../../server/src/parsers/toml-tree';
import { classify } from '../../server/src/workspace/file-kinds';
import { PYPI, artifact, forked, hosted, poetryLockText, pytorch, root, uvLockText } from '../helpers/lock-texts';
import { find, slice } from '../helpers/spans';

const UV_LOCK = uvLockText({
  resolutionMarkers: ["python_full_version >= '3.12'", "python_full_version < '3.12'"],
  manifest: {
    constraints: ['urllib3<2'],
    overrides: ['protobuf==4.25.3'],
  },
  packages: [
    root('demo', '0.3.0', 'editable', {
      dependencies: [
        forked('numpy', '1.26.4', PYPI, "python_full_version < '3.12'"),
        forked('numpy', '2.1.3', PYPI, "python_full_version >= '3.12'"),
      ],
      optionalDependencies: { gpu: [{ name: 'torch', marker: "extra == 'extra-4-demo-gpu'" }] },
      devDependencies: { test: ['pytest'] },
      requiresDist: [
        'numpy>=1.24',
        { name: 'torch', marker: "extra == 'gpu'", specifier: '==2.1.2+cu121', index: pytorch('cu121') },
        { name: 'tools', git: 'https://github.com/example/tools?rev=main' },
      ],
      providesExtras: ['gpu'],
      requiresDev: { test: ['pytest>=8'] },
    }),
    {
      name: 'numpy',
      version: '1.26.4',
      resolutionMarkers: ["python_full_version < '3.12'"],
      sdist: { ...hosted('numpy-1.26.4.tar.gz', 'sha256:00', 15786129), 'upload-time': '2024-02-06T00:26:44.495Z' },
      wheels: [
        hosted('numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'sha256:01', 18272473),
      ],
    },
    {
      name: 'numpy',
      version: '2.1.3',
      resolutionMarkers: ["python_full_version >= '3.12'"],
      wheels: [hosted('numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'sha256:02', 16055421)],
    },
    {
      name: 'Torch',
      version: '2.1.2+cu121',
      source: pytorch('cu121'),
      wheels: [artifact(`${pytorch('cu121')}/torch-2.1.2%2Bcu121-cp311-cp311-linux_x86_64.whl`)],
    },
    { name: 'tools', version: '0.1.0', source: { git: 'https://github.com/example/tools?rev=main#0123abcd' } },
  ],
});

describe('uv.lock', () => {
  const f = parseUvLock('/p/uv.lock', UV_LOCK);
  const lock = f.lock!;

  it('reads the header and every [[package]], several entries per name, with exact spans', () => {
    assert.deepEqual(f.findings, []);
    assert.equal(f.kind, 'uv-lock');
    assert.equal(lock.format, 'uv');
    assert.equal(lock.version, '1');
    assert.equal(lock.requiresPython, '>=3.10');
    assert.equal(lock.universal, true);
    assert.deepEqual(
      lock.packages.map((p) => `${p.name} ${p.version}`),
      ['demo 0.3.0', 'numpy 1.26.4', 'numpy 2.1.3', 'torch 2.1.2+cu121', 'tools 0.1.0'],
    );
    const [demo, np1, np2, torch] = lock.packages;
    assert.equal(slice(UV_LOCK, np2!.nameSpan), 'numpy');
    const at = find(UV_LOCK, 'name = "numpy"\nversion = "2.1.3"').start;
    assert.deepEqual(np2!.nameSpan, { start: at + 8, end: at + 13 });
    assert.deepEqual(np2!.versionSpan, { start: at + 26, end: at + 31 });
    assert.equal(torch!.rawName, 'Torch');
    // The entry: its header through its last line, subtables included.
    assert.ok(slice(UV_LOCK, demo!.span).startsWith('[[package]]\nname = "demo"'));
    assert.ok(slice(UV_LOCK, demo!.span).endsWith('test = [{ name = "pytest", specifier = ">=8" }]'));
    assert.ok(slice(UV_LOCK, np1!.span).endsWith('size = 18272473 },\n]'));
  });

  it('reads sources, markers, dependencies and artifacts', () => {
    const [demo, np1, np2, torch, tools] = lock.packages;
    assert.deepEqual(demo!.source, { kind: 'path', path: '.', editable: true });
    assert.deepEqual(np1!.source, { kind: 'index', url: 'https://pypi.org/simple' });
    assert.deepEqual(tools!.source, { kind: 'git', url: 'https://github.com/example/tools?rev=main#0123abcd' });
    assert.equal(np1!.marker, "python_full_version < '3.12'");
    assert.equal(np2!.marker, "python_full_version >= '3.12'");
    assert.equal(demo!.marker, '');
    assert.deepEqual(demo!.dependencies, [
      "numpy ; python_full_version < '3.12'",
      "numpy ; python_full_version >= '3.12'",
      "torch ; extra == 'extra-4-demo-gpu' and extra == 'gpu'".replace(
        "extra == 'extra-4-demo-gpu' and",
        "(extra == 'extra-4-demo-gpu') and",
      ),
    ]);
    assert.equal(np1!.sdist, true);
    assert.equal(np2!.sdist, false);
    assert.deepEqual(np1!.wheels, ['numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl']);
    // Percent-encoded file names are decoded (`%2B` is the `+` of a local version).
    assert.deepEqual(torch!.wheels, ['torch-2.1.2+cu121-cp311-cp311-linux_x86_64.whl']);
  });

  it("records the manifest and the project's metadata, each requirement with its span", () => {
    const rec = lock.recorded!;
    assert.deepEqual(
      rec.constraints.map((r) => [r.name, r.specifier]),
      [['urllib3', '<2']],
    );
    assert.deepEqual(
      rec.overrides.map((r) => [r.name, r.specifier]),
      [['protobuf', '==4.25.3']],
    );
    assert.deepEqual(slice(UV_LOCK, rec.requiresPythonSpan!), '>=3.10');
    assert.equal(rec.projects.length, 1);
    const demo = rec.projects[0]!;
    assert.equal(demo.path, '.');
    assert.equal(demo.version, '0.3.0');
    assert.deepEqual(
      demo.requiresDist.map((r) => [r.name, r.specifier, r.marker, r.source?.kind ?? null, r.source?.value ?? null]),
      [
        ['numpy', '>=1.24', '', null, null],
        ['torch', '==2.1.2+cu121', "extra == 'gpu'", 'index', 'https://download.pytorch.org/whl/cu121'],
        ['tools', '', '', 'git', 'https://github.com/example/tools?rev=main'],
      ],
    );
    assert.equal(slice(UV_LOCK, demo.requiresDist[0]!.span), '{ name = "numpy", specifier = ">=1.24" }');
    assert.deepEqual([...demo.requiresDev.keys()], ['test']);
    assert.equal(demo.requiresDev.get('test')![0]!.specifier, '>=8');
    assert.deepEqual(demo.providesExtras, ['gpu']);
  });

  it('names each wheel once, by filename, else url, else path', () => {
    const f = parseUvLock(
      '/p/uv.lock',
      'version = 1\n\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "../wheels" }\nwheels = [\n' +
        '    { url = "https://x.example/d/blob?id=1", filename = "a-1-py3-none-any.whl", hash = "sha256:00" },\n' +
        '    { path = "a-1-cp312-cp312-win_amd64.whl" },\n]\n',
    );
    assert.deepEqual(f.findings, []);
    assert.deepEqual(f.lock!.packages[0]!.wheels, ['a-1-py3-none-any.whl', 'a-1-cp312-cp312-win_amd64.whl']);
  });

  it("decodes uv's conflict markers", () => {
    assert.deepEqual(conflictItems("extra == 'extra-4-demo-gpu' or extra == 'group-9-my-projec-cu121'"), [
      { package: 'demo', kind: 'extra', name: 'gpu' },
      { package: 'my-projec', kind: 'group', name: 'cu121' },
    ]);
    assert.deepEqual(conflictItems("extra == 'gpu'"), []);
  });

  it('a lock version it does not read is said so and not judged; a newer revision is read with a note', () => {
    const v2 = parseUvLock('/p/uv.lock', 'version = 2\n\n[[package]]\nname = "a"\nversion = "1"\n');
    assert.equal(v2.lock!.packages.length, 0);
    assert.match(v2.findings[0]!.message, /uv\.lock version 2 is not one Stack Doctor reads/);
    assert.equal(v2.findings[0]!.severity, 'error');
    const r5 = parseUvLock('/p/uv.lock', 'version = 1\nrevision = 5\n\n[[package]]\nname = "a"\nversion = "1"\n');
    assert.equal(r5.lock!.packages.length, 1);
    assert.equal(r5.findings[0]!.severity, 'information');
    assert.match(r5.findings[0]!.message, /revision 5 is newer/);
  });
});

describe('pylock.toml (PEP 751)', () => {
  const PYLOCK = `lock-version = "1.0"
environments = ["sys_platform == 'linux'"]
requires-python = ">=3.11"
created-by = "pip"

[[packages]]
name = "requests"
version = "2.32.3"
index = "https://pypi.org/simple"
dependencies = [{ name = "idna" }]

[[packages.wheels]]
name = "requests-2.32.3-py3-none-any.whl"
url = "https://files.example/requests-2.32.3-py3-none-any.whl"
hashes = { sha256 = "70" }

[[packages]]
name = "pywin32"
version = "306"
marker = "sys_platform == 'win32'"
index = "https://pypi.org/simple"
sdist = { name = "pywin32-306.tar.gz", url = "https://files.example/pywin32-306.tar.gz", hashes = { sha256 = "71" } }

[[packages]]
name = "demo"
directory = { path = ".", editable = true }

[[packages]]
name = "tools"
version = "0.1.0"
vcs = { type = "git", url = "https://github.com/example/tools", commit-id = "0123abcd" }
`;

  it('reads lock-version 1, every package with its marker, source and artifacts, exact spans', () => {
    const f = parsePylock('/p/pylock.toml', PYLOCK);
    assert.deepEqual(f.findings, []);
    const lock = f.lock!;
    assert.equal(lock.format, 'pylock');
    assert.equal(lock.version, '1.0');
    assert.equal(lock.requiresPython, '>=3.11');
    assert.equal(lock.universal, false);
    const [req, win, demo, tools] = lock.packages;
    assert.deepEqual(req!.source, { kind: 'index', url: 'https://pypi.org/simple' });
    assert.deepEqual(req!.wheels, ['requests-2.32.3-py3-none-any.whl']);
    assert.deepEqual(req!.dependencies, ['idna']);
    // The entry runs through its [[packages.wheels]] subtables.
    assert.ok(slice(PYLOCK, req!.span).endsWith('hashes = { sha256 = "70" }'));
    assert.equal(win!.marker, "sys_platform == 'win32'");
    assert.equal(win!.sdist, true);
    assert.deepEqual(win!.versionSpan, find(PYLOCK, '306'));
    assert.deepEqual(demo!.source, { kind: 'path', path: '.', editable: true });
    assert.equal(demo!.version, '');
    assert.deepEqual(demo!.versionSpan, { start: demo!.nameSpan.end, end: demo!.nameSpan.end });
    assert.deepEqual(tools!.source, { kind: 'git', url: 'https://github.com/example/tools' });
  });

  it('a newer lock-version major is refused with a finding that says so', () => {
    const f = parsePylock('/p/pylock.toml', 'lock-version = "2.0"\n\n[[packages]]\nname = "a"\nversion = "1"\n');
    assert.equal(f.lock!.packages.length, 0);
    assert.equal(f.findings.length, 1);
    assert.match(f.findings[0]!.message, /lock-version 2\.0; Stack Doctor reads lock-version 1\.x.*not judged/);
    assert.equal(slice('lock-version = "2.0"', f.findings[0]!.span), '2.0');
  });

  it('pylock.toml and pylock.<name>.toml are lock files; other TOML files are not', () => {
    assert.equal(classify('/p/pylock.toml'), 'pylock');
    assert.equal(classify('/p/pylock.gpu.toml'), 'pylock');
    assert.equal(classify('/p/uv.lock'), 'uv-lock');
    assert.equal(classify('/p/poetry.lock'), 'poetry-lock');
    assert.equal(classify('/p/pylock-gpu.toml'), null);
    assert.equal(classify('/p/pixi.toml'), 'pixi'); // a manifest, not a lock
  });
});

describe('poetry.lock', () => {
  const POETRY_LOCK = poetryLockText({
    generatedBy: '2.1.3',
    packages: [
      {
        name: 'certifi',
        version: '2024.8.30',
        description: "Python package for providing Mozilla's CA Bundle.",
        optional: false,
        pythonVersions: '>=3.6',
        groups: ['main'],
        files: [
          { file: 'certifi-2024.8.30-py3-none-any.whl', hash: 'sha256:92' },
          { file: 'certifi-2024.8.30.tar.gz', hash: 'sha256:bec' },
        ],
      },
      {
        name: 'torch',
        version: '2.1.2+cu121',
        description: 'Tensors and Dynamic neural networks',
        optional: false,
        pythonVersions: '>=3.8.0',
        groups: ['main'],
        markers: 'sys_platform == "linux"',
        files: [{ file: 'torch-2.1.2+cu121-cp311-cp311-linux_x86_64.whl', hash: 'sha256:aa' }],
        dependencies: {
          filelock: '*',
          sympy: '>=1.5',
          'typing-extensions': { version: '>=4.8.0', markers: 'python_version >= "3.8"' },
        },
        source: { type: 'legacy', url: pytorch('cu121'), reference: 'pytorch' },
      },
    ],
    metadata: { lockVersion: '2.1', pythonVersions: '^3.11', contentHash: '0123' },
  });

  it('reads every package with its source, markers, files and dependencies, exact spans', () => {
    const f = parsePoetryLock('/p/poetry.lock', POETRY_LOCK);
    assert.deepEqual(f.findings, []);
    const lock = f.lock!;
    assert.equal(lock.format, 'poetry');
    assert.equal(lock.version, '2.1');
    // `^3.11` in PEP 440.
    assert.equal(lock.requiresPython, '>=3.11,<4.0');
    assert.equal(slice(POETRY_LOCK, lock.recorded!.requiresPythonSpan!), '^3.11');
    const [certifi, torch] = lock.packages;
    assert.deepEqual(certifi!.source, { kind: 'index', url: 'https://pypi.org/simple' });
    assert.deepEqual(certifi!.wheels, ['certifi-2024.8.30-py3-none-any.whl']);
    assert.equal(certifi!.sdist, true);
    assert.deepEqual(torch!.source, { kind: 'index', url: 'https://download.pytorch.org/whl/cu121' });
    assert.equal(torch!.marker, 'sys_platform == "linux"');
    assert.deepEqual(torch!.dependencies, [
      'filelock',
      'sympy>=1.5',
      'typing-extensions>=4.8.0 ; python_version >= "3.8"',
    ]);
    assert.deepEqual(torch!.versionSpan, find(POETRY_LOCK, '2.1.2+cu121'));
    assert.ok(slice(POETRY_LOCK, torch!.span).endsWith('reference = "pytorch"'));
  });

  it('lock-version 1.x: files listed under [metadata.files]', () => {
    const text = poetryLockText({
      packages: [{ name: 'six', version: '1.16.0' }],
      metadata: { lockVersion: '1.1', pythonVersions: '>=3.8', contentHash: 'x' },
      metadataFiles: { six: [{ file: 'six-1.16.0-py2.py3-none-any.whl', hash: 'sha256:8a' }] },
    });
    const f = parsePoetryLock('/p/poetry.lock', text);
    assert.deepEqual(f.findings, []);
    assert.deepEqual(f.lock!.packages[0]!.wheels, ['six-1.16.0-py2.py3-none-any.whl']);
  });
});

/** A tree as plain data, to compare the lock reader with the general TOML parser. */
function plainLock(v: LValue): unknown {
  if (v.kind === 'string') return v.value;
  if (v.kind === 'bare') return v.raw;
  if (v.kind === 'array') return v.items.map(plainLock);
  if (v.kind === 'raw') return null;
  return Object.fromEntries([...v.entries].map(([k, e]) => [k, plainLock(e.value)]));
}
function plainToml(v: VNode, text: string): unknown {
  if (v.kind === 'value') return v.node.kind === 'string' ? v.node.value : text.slice(v.span.start, v.span.end);
  if (v.kind === 'array') return v.items.map((x) => plainToml(x, text));
  return Object.fromEntries([...v.entries].map(([k, e]) => [k, plainToml(e.value, text)]));
}

describe('the lock TOML reader', () => {
  it('reads the same values as the general TOML parser', () => {
    const odd = `# comment
a = "x\\ty\\u00e9\\"q"   # trailing comment
'lit key' = 'C:\\path'
ml = """
one\\
   two"""
mll = '''
raw \\n'''
n = [1, 2.5, -3, 0x1F, true, 1979-05-27T07:32:00Z, 1979-05-27 07:32:00,]
dotted.key = { x = 1, y.z = "w" }
[t.u]
v = []
[[arr]]
k = 1
[arr.sub]
m = "s"
[[arr]]
k = 2
`;
    for (const text of [UV_LOCK, odd]) {
      const mine = readLockToml(text);
      assert.equal(mine.error, null, JSON.stringify(mine.error));
      const theirs = readTomlTree(text);
      assert.deepEqual(theirs.problems, []);
      assert.deepEqual(plainLock(mine.root), plainToml(theirs.root!, text));
    }
  });

  it('odd and hostile input never throws; the first fault is said with its line', () => {
    const inputs = [
      '',
      '\uFEFFversion = 1\n',
      'version = 1\n[[package]\nname = "a"\n',
      'version = 1\n[[package]]\nname = "a\n',
      'a = "\\q"\n',
      'a = 1\na = 2\n',
      '[a]\n[a]\n',
      'a = ' + '['.repeat(5000) + ']'.repeat(5000) + '\n',
      'a = { b = 1\n',
      '\u0000\u0001\u0002 = 3',
      'x = """never closed\n',
      '[[package]]\nname = 3\n',
      '[[package]]\nversion = "1"\n',
      'package = "not a table"\n',
      'version = 1\nrevision = "three"\n[manifest]\nmembers = [1]\n',
    ];
    for (const text of inputs) {
      for (const parse of [parseUvLock, parsePylock, parsePoetryLock]) {
        const f = parse('/p/lock', text);
        for (const x of f.findings) {
          assert.ok(x.span.start >= 0 && x.span.end <= Math.max(text.length, 1), `${JSON.stringify(text)}: span`);
        }
      }
    }
    const bad = readLockToml('version = 1\n[[package]\nname = "a"\n');
    assert.match(bad.error!.message, /line 2/);
    const dup = parseUvLock('/p/uv.lock', 'version = 1\n[[package]]\nname = "a"\nname = "b"\n');
    assert.match(dup.findings[0]!.message, /line 4: the key 'name' is defined twice/);
    assert.equal(dup.lock!.packages.length, 1, 'what precedes the fault is read');
    const noName = parseUvLock('/p/uv.lock', 'version = 1\n[[package]]\nversion = "1"\n');
    assert.match(noName.findings[0]!.message, /has no name/);
  });
});
