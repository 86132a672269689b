// lock-drift, the format judges: uv.lock against what uv compares before it trusts a lock (docs/concepts/projects/
// sync.md: "uv will check if the lockfile is up-to-date"; the lock's `[package.metadata]` and `[manifest]` record the
// project's requirements, constraints and overrides, and `requires-python`), poetry.lock's python-versions, and
// pylock.toml, which records no inputs. Each finding on the pyproject's line, the lock entry related.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import type { Finding, ParsedFile } from '../../../server/src/model/types';
import { parsePoetryLock } from '../../../server/src/parsers/poetry-lock';
import { parsePylock } from '../../../server/src/parsers/pylock';
import { parsePyproject } from '../../../server/src/parsers/pyproject';
import { parseUvLock } from '../../../server/src/parsers/uv-lock';
import { byCode, defaultContext as ctx } from '../../helpers/check-kit';
import { setOf } from '../../helpers/sets';

const PYPROJECT = `[project]
name = "demo"
version = "0.3.0"
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "tools"]

[project.optional-dependencies]
gpu = ["torch==2.1.2+cu121"]

[dependency-groups]
test = ["pytest>=8"]

[tool.uv]
constraint-dependencies = ["urllib3<2"]

[tool.uv.sources]
torch = { index = "pytorch-cu121" }
tools = { git = "https://github.com/example/tools", rev = "main" }

[[tool.uv.index]]
name = "pytorch-cu121"
url = "https://download.pytorch.org/whl/cu121"
explicit = true
`;

const UV_LOCK = `version = 1
revision = 3
requires-python = ">=3.10"

[manifest]
constraints = [{ name = "urllib3", specifier = "<2" }]

[[package]]
name = "demo"
version = "0.3.0"
source = { editable = "." }
dependencies = [
    { name = "numpy" },
    { name = "tools" },
]

[package.optional-dependencies]
gpu = [
    { name = "torch" },
]

[package.dev-dependencies]
test = [
    { name = "pytest" },
]

[package.metadata]
requires-dist = [
    { name = "numpy", specifier = ">=1.24" },
    { name = "tools", git = "https://github.com/example/tools?rev=main" },
    { name = "torch", marker = "extra == 'gpu'", specifier = "==2.1.2+cu121", index = "https://download.pytorch.org/whl/cu121" },
]
provides-extras = ["gpu"]

[package.metadata.requires-dev]
test = [{ name = "pytest", specifier = ">=8" }]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tools"
version = "0.1.0"
source = { git = "https://github.com/example/tools?rev=main#0123abcd" }

[[package]]
name = "torch"
version = "2.1.2+cu121"
source = { registry = "https://download.pytorch.org/whl/cu121" }

[[package]]
name = "urllib3"
version = "1.26.20"
source = { registry = "https://pypi.org/simple" }
`;

const drift = (...files: ParsedFile[]): Finding[] => byCode(runChecks([setOf(...files)], ctx), 'lock-drift');
const uv = (pyproject: string, lock = UV_LOCK) => [
  parsePyproject('/w/pyproject.toml', pyproject),
  parseUvLock('/w/uv.lock', lock),
];
const on = (f: Finding, text: string) => text.slice(f.span.start, f.span.end);

describe('lock-drift: uv.lock', () => {
  it('a lock made from this very pyproject is up to date', () => {
    assert.deepEqual(drift(...uv(PYPROJECT)), []);
  });

  it("a requirement whose specifier changed (the locked version still fits): uv's recorded metadata differs", () => {
    const text = PYPROJECT.replace('"numpy>=1.24"', '"numpy>=1.25"');
    const [f, ...rest] = drift(...uv(text));
    assert.equal(rest.length, 0, JSON.stringify(rest));
    assert.equal(on(f!, text), 'numpy>=1.25');
    assert.match(f!.message, /uv\.lock recorded numpy among the project's dependencies as numpy>=1\.24/);
    assert.match(f!.message, /uv lock --check fails/);
    assert.equal(f!.related[0]!.file, '/w/uv.lock');
    assert.equal(
      UV_LOCK.slice(f!.related[0]!.span.start, f!.related[0]!.span.end),
      '{ name = "numpy", specifier = ">=1.24" }',
    );
    assert.deepEqual(
      f!.fixes.map((x) => x.run),
      ['uv lock'],
    );
  });

  it('a package routed to another index: the source changed', () => {
    const text = PYPROJECT.replace('https://download.pytorch.org/whl/cu121', 'https://download.pytorch.org/whl/cu124');
    const [f, ...rest] = drift(...uv(text));
    assert.equal(rest.length, 0, JSON.stringify(rest));
    assert.equal(on(f!, text), 'torch==2.1.2+cu121');
    assert.match(
      f!.message,
      /from the index https:\/\/download\.pytorch\.org\/whl\/cu121; \[tool\.uv\.sources\] now routes it to the index https:\/\/download\.pytorch\.org\/whl\/cu124/,
    );
  });

  it('requires-python changed: said on its line, the lock’s requires-python related', () => {
    const text = PYPROJECT.replace('">=3.10"', '">=3.11"');
    const [f, ...rest] = drift(...uv(text));
    assert.equal(rest.length, 0, JSON.stringify(rest));
    assert.equal(on(f!, text), '>=3.11');
    assert.match(f!.message, /made for requires-python >=3\.10, the project now requires >=3\.11/);
    // The same range written differently is no change (uv compares ranges).
    assert.deepEqual(drift(...uv(PYPROJECT.replace('">=3.10"', '">=3.10.0"'))), []);
  });

  it('a group requirement added, an extra removed, a constraint changed', () => {
    const text = PYPROJECT.replace('test = ["pytest>=8"]', 'test = ["pytest>=8", "hypothesis"]')
      .replace('[project.optional-dependencies]\ngpu = ["torch==2.1.2+cu121"]\n', '')
      .replace('"urllib3<2"', '"urllib3<3"');
    const found = drift(...uv(text))
      .sort((a, b) => a.span.start - b.span.start)
      .map((f) => [on(f, text), f.message.replace(/: uv\.lock is out of date.*/, '')]);
    assert.deepEqual(found, [
      // The extra's requirements are gone with it: said on the project's name.
      ['demo', "uv.lock recorded torch==2.1.2+cu121 in the extra 'gpu', which the project no longer has"],
      // hypothesis has no locked entry at all: the names-and-versions rule says it, once.
      ['hypothesis', 'uv.lock has no entry for hypothesis: the lock is out of date'],
      ['urllib3<3', "uv.lock's [manifest] records no constraint urllib3<3"],
    ]);
  });

  it('a new upstream release never makes the lock stale; a marker-only rewrite by uv is no drift', () => {
    // Nothing in the pyproject changed: whatever the index now serves, the lock still satisfies it.
    const rewritten = UV_LOCK.replace(
      `{ name = "numpy", specifier = ">=1.24" }`,
      `{ name = "numpy", specifier = ">=1.24.0" }`,
    );
    assert.deepEqual(drift(...uv(PYPROJECT, rewritten)), []);
  });

  it('a project version changed', () => {
    const text = PYPROJECT.replace('version = "0.3.0"', 'version = "0.4.0"');
    const [f] = drift(...uv(text));
    assert.equal(on(f!, text), '0.4.0');
    assert.match(f!.message, /uv\.lock locks demo 0\.3\.0, the project is now version 0\.4\.0/);
  });
});

describe('lock-drift: poetry.lock', () => {
  const pyproject = (python: string) =>
    parsePyproject(
      '/w/pyproject.toml',
      `[tool.poetry]\nname = "app"\nversion = "1"\n\n[tool.poetry.dependencies]\npython = "${python}"\nrequests = "^2.31"\n`,
    );
  const lock = parsePoetryLock(
    '/w/poetry.lock',
    '[[package]]\nname = "requests"\nversion = "2.32.3"\noptional = false\npython-versions = ">=3.8"\nfiles = []\n\n[metadata]\nlock-version = "2.1"\npython-versions = "^3.10"\ncontent-hash = "00"\n',
  );

  it('python-versions the same range: up to date; changed: said on the python line', () => {
    assert.deepEqual(drift(pyproject('^3.10'), lock), []);
    assert.deepEqual(drift(pyproject('>=3.10,<4.0'), lock), []);
    const [f, ...rest] = drift(pyproject('^3.11'), lock);
    assert.equal(rest.length, 0);
    assert.equal(on(f!, pyproject('^3.11').text), '^3.11');
    assert.match(f!.message, /poetry\.lock was made for Python >=3\.10,<4\.0, the project now allows \^3\.11/);
    assert.deepEqual(
      f!.fixes.map((x) => x.run),
      ['poetry lock'],
    );
  });
});

describe('lock-drift: pylock.toml', () => {
  it('says it compares names and versions only', () => {
    const py = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname = "app"\nversion = "1"\ndependencies = ["requests>=2.32", "rich"]\n',
    );
    const lock = parsePylock(
      '/w/pylock.toml',
      'lock-version = "1.0"\ncreated-by = "pip"\n\n[[packages]]\nname = "requests"\nversion = "2.31.0"\n',
    );
    const found = drift(py, lock);
    assert.deepEqual(
      found.map((f) => on(f, py.text)),
      ['>=2.32', 'rich'],
    );
    for (const f of found) assert.match(f.message, /pylock\.toml records no inputs: names and versions are compared/);
  });
});
