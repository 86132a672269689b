// lock-drift, the format judges: uv.lock against what uv compares before it trusts a lock (docs/concepts/projects/
// sync.md: "uv will check if the lockfile is up-to-date"; the lock's `[package.metadata]` and `[manifest]` record the
// project's requirements, constraints and overrides, and `requires-python`), poetry.lock's python-versions, and
// pylock.toml, which records no inputs. Each finding on the pyproject's line, the lock entry related.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../server/src/checks/registry';
import type { Finding, ParsedFile } from '../../server/src/model/types';
import { parsePoetryLock } from '../../server/src/parsers/poetry-lock';
import { parsePylock } from '../../server/src/parsers/pylock';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { parseUvLock } from '../../server/src/parsers/uv-lock';
import { byCode, defaultContext as ctx } from '../helpers/check-kit';
import {
  forked,
  inExtra,
  poetryLockText,
  pyprojectText,
  pytorch,
  pytorchIndexes,
  root,
  uvLockText,
} from '../helpers/lock-texts';
import { poetryHashOracle } from '../helpers/poetry-hash-oracle';
import { setOf } from '../helpers/sets';

const PYPROJECT = pyprojectText('demo', '0.3.0', {
  requiresPython: '>=3.10',
  dependencies: ['numpy>=1.24', 'tools'],
  optionalDependencies: { gpu: ['torch==2.1.2+cu121'] },
  dependencyGroups: { test: ['pytest>=8'] },
  uv: { 'constraint-dependencies': ['urllib3<2'] },
  sources: { torch: { index: 'pytorch-cu121' }, tools: { git: 'https://github.com/example/tools', rev: 'main' } },
  indexes: pytorchIndexes('cu121'),
});

const UV_LOCK = uvLockText({
  manifest: { constraints: ['urllib3<2'] },
  packages: [
    root('demo', '0.3.0', 'editable', {
      dependencies: ['numpy', 'tools'],
      optionalDependencies: { gpu: ['torch'] },
      devDependencies: { test: ['pytest'] },
      requiresDist: [
        'numpy>=1.24',
        { name: 'tools', git: 'https://github.com/example/tools?rev=main' },
        { name: 'torch', marker: "extra == 'gpu'", specifier: '==2.1.2+cu121', index: pytorch('cu121') },
      ],
      providesExtras: ['gpu'],
      requiresDev: { test: ['pytest>=8'] },
    }),
    { name: 'numpy', version: '1.26.4' },
    { name: 'pytest', version: '8.3.4' },
    { name: 'tools', version: '0.1.0', source: { git: 'https://github.com/example/tools?rev=main#0123abcd' } },
    { name: 'torch', version: '2.1.2+cu121', source: pytorch('cu121') },
    { name: 'urllib3', version: '1.26.20' },
  ],
});

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
  // The content-hash of the '^3.10' pyproject, as Poetry computes it (an independent Python statement of it).
  const lock = parsePoetryLock(
    '/w/poetry.lock',
    poetryLockText({
      packages: [{ name: 'requests', version: '2.32.3', optional: false, pythonVersions: '>=3.8', files: [] }],
      metadata: { lockVersion: '2.1', pythonVersions: '^3.10', contentHash: poetryHashOracle(pyproject('^3.10').text) },
    }),
  );

  it('python-versions the same range: up to date; changed: said on the python line', () => {
    assert.deepEqual(drift(pyproject('^3.10'), lock), []);
    // The same range written differently is no python-versions change, but Poetry hashes the text: content-hash.
    assert.deepEqual(
      drift(pyproject('>=3.10,<4.0'), lock).map((f) => f.message.slice(0, 69)),
      ['poetry.lock is out of date with pyproject.toml (content-hash differs)'],
    );
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

// What uv's `Lock::satisfies` compares beyond names and versions (crates/uv-resolver/src/lock/mod.rs): the recorded
// requirements as uv lowers them (a marker compared by the environments it selects, since uv keeps markers in a
// normal form simplified under the lock's requires-python; a `[tool.uv.sources]` list lowered to one requirement per
// source under its marker, the rest from the default index: docs/concepts/projects/dependencies.md, "Multiple
// sources"), and `[manifest] members` against the workspace's members (docs/concepts/projects/workspaces.md).
describe('lock-drift: uv.lock markers, per-marker sources and workspace members', () => {
  it('a marker uv would write differently is the same marker; one that selects other environments is drift', () => {
    const lock = UV_LOCK.replace(
      '{ name = "numpy", specifier = ">=1.24" }',
      `{ name = "numpy", marker = "python_full_version >= '3.11' and sys_platform == 'win32'", specifier = ">=1.24" }`,
    );
    // python_version is python_full_version to uv, platform_system == 'Windows' is sys_platform == 'win32'.
    const same = PYPROJECT.replace(
      '"numpy>=1.24"',
      `"numpy>=1.24; python_version >= '3.11' and platform_system == 'Windows'"`,
    );
    assert.deepEqual(drift(...uv(same, lock)), []);
    // A clause the lock's requires-python (>=3.10) always meets is simplified away by uv.
    const implied = PYPROJECT.replace('"numpy>=1.24"', `"numpy>=1.24; python_version >= '3.8'"`);
    assert.deepEqual(drift(...uv(implied)), []);
    const moved = PYPROJECT.replace(
      '"numpy>=1.24"',
      `"numpy>=1.24; python_version >= '3.12' and platform_system == 'Windows'"`,
    );
    const [f, ...rest] = drift(...uv(moved, lock));
    assert.equal(rest.length, 0, JSON.stringify(rest));
    assert.equal(on(f!, moved), `numpy>=1.24; python_version >= '3.12' and platform_system == 'Windows'`);
    assert.match(
      f!.message,
      /^uv\.lock recorded numpy among the project's dependencies with the marker \(python_full_version >= '3\.11' and sys_platform == 'win32'\); the pyproject now gives it the marker \(python_version >= "3\.12" and platform_system == "Windows"\): uv\.lock is out of date/,
    );
    assert.equal(lock.slice(f!.related[0]!.span.start, f!.related[0]!.span.end).slice(0, 18), '{ name = "numpy", ');
  });

  const SPLIT = pyprojectText('demo', '0.1.0', {
    requiresPython: '>=3.10',
    dependencies: ['torch>=2.3'],
    sources: {
      torch: [
        { index: 'pytorch-cpu', marker: "sys_platform != 'linux'" },
        { index: 'pytorch-cu121', marker: "sys_platform == 'linux'" },
      ],
    },
    indexes: pytorchIndexes('cpu', 'cu121'),
  });
  const SPLIT_LOCK = uvLockText({
    resolutionMarkers: ["sys_platform == 'linux'", "sys_platform != 'linux'"],
    packages: [
      root('demo', '0.1.0', 'virtual', {
        dependencies: [
          forked('torch', '2.3.1', pytorch('cpu'), "sys_platform != 'linux'"),
          forked('torch', '2.3.1+cu121', pytorch('cu121'), "sys_platform == 'linux'"),
        ],
        requiresDist: [
          { name: 'torch', marker: "sys_platform != 'linux'", specifier: '>=2.3', index: pytorch('cpu') },
          { name: 'torch', marker: "sys_platform == 'linux'", specifier: '>=2.3', index: pytorch('cu121') },
        ],
      }),
      { name: 'torch', version: '2.3.1', source: pytorch('cpu'), resolutionMarkers: ["sys_platform != 'linux'"] },
      {
        name: 'torch',
        version: '2.3.1+cu121',
        source: pytorch('cu121'),
        resolutionMarkers: ["sys_platform == 'linux'"],
      },
    ],
  });

  it('a source list by marker: one recorded requirement per source; a changed marker leaves a rest to PyPI', () => {
    assert.deepEqual(drift(...uv(SPLIT, SPLIT_LOCK)), []);
    // Linux on aarch64 now falls to neither source: uv records a third requirement, from the default index.
    const narrowed = SPLIT.replace(
      `marker = "sys_platform == 'linux'"`,
      `marker = "sys_platform == 'linux' and platform_machine == 'x86_64'"`,
    );
    const found = drift(...uv(narrowed, SPLIT_LOCK));
    assert.ok(found.length >= 1, 'the lock no longer matches the sources');
    assert.ok(found.every((f) => on(f, narrowed) === 'torch>=2.3'));
    assert.ok(
      found.some((f) =>
        /with the marker \(sys_platform == 'linux'\); the pyproject now gives it the marker \(sys_platform == 'linux' and platform_machine == 'x86_64'\)/.test(
          f.message,
        ),
      ),
      found.map((f) => f.message).join('\n'),
    );
    // One source dropped from the list: its requirement is now the rest, from the default index.
    const dropped = SPLIT.replace(`  { index = "pytorch-cpu", marker = "sys_platform != 'linux'" },\n`, '');
    const [d] = drift(...uv(dropped, SPLIT_LOCK));
    assert.match(
      d!.message,
      /from the index https:\/\/download\.pytorch\.org\/whl\/cpu; \[tool\.uv\.sources\] now routes it to the default index/,
    );
  });

  it("sources that apply in one extra each (uv's `extra = …`) match what uv records for each extra", () => {
    const text = pyprojectText('project', '0.1.0', {
      requiresPython: '>=3.12',
      dependencies: [],
      optionalDependencies: { cpu: ['torch>=2.5.1,<2.5.2'], cu124: ['torch>=2.5.1,<2.5.2'] },
      uv: { conflicts: [[{ extra: 'cpu' }, { extra: 'cu124' }]] },
      sources: {
        torch: [
          { index: 'pytorch-cpu', extra: 'cpu' },
          { index: 'pytorch-cu124', extra: 'cu124' },
        ],
      },
      indexes: pytorchIndexes('cpu', 'cu124'),
    });
    const lock = uvLockText({
      requiresPython: '>=3.12',
      packages: [
        root('project', '0.1.0', 'virtual', {
          requiresDist: [
            inExtra('project', 'cpu', 'torch', '>=2.5.1,<2.5.2', pytorch('cpu')),
            inExtra('project', 'cu124', 'torch', '>=2.5.1,<2.5.2', pytorch('cu124')),
          ],
          providesExtras: ['cpu', 'cu124'],
        }),
        { name: 'torch', version: '2.5.1+cpu', source: pytorch('cpu') },
        { name: 'torch', version: '2.5.1+cu124', source: pytorch('cu124') },
      ],
    });
    assert.deepEqual(drift(...uv(text, lock)), []);
    const swapped = text.replace(
      '{ index = "pytorch-cu124", extra = "cu124" }',
      '{ index = "pytorch-cu124", extra = "cpu" }',
    );
    const found = drift(...uv(swapped, lock));
    assert.ok(
      found.some((f) =>
        /in the extra 'cu124' from the index https:\/\/download\.pytorch\.org\/whl\/cu124; \[tool\.uv\.sources\] now routes it to the default index/.test(
          f.message,
        ),
      ),
      found.map((f) => f.message).join('\n'),
    );
  });

  const WS = pyprojectText('demo', '0.1.0', {
    requiresPython: '>=3.10',
    dependencies: [],
    workspaceMembers: ['packages/*', 'libs/core'],
  });
  const WS_LOCK = uvLockText({
    manifest: { members: ['core', 'demo', 'loader'] },
    packages: [
      { name: 'core', version: '0.1.0', source: { editable: 'libs/core' } },
      root('demo', '0.1.0', 'virtual'),
      { name: 'loader', version: '0.2.0', source: { editable: 'packages/loader' } },
    ],
  });

  it('workspace members: a recorded member the globs no longer match, or exclude, is drift', () => {
    assert.deepEqual(drift(...uv(WS, WS_LOCK)), []);
    const narrowed = WS.replace('"packages/*", "libs/core"', '"packages/*"');
    const [f, ...rest] = drift(...uv(narrowed, WS_LOCK));
    assert.equal(rest.length, 0, JSON.stringify(rest));
    assert.equal(on(f!, narrowed), 'members');
    assert.match(
      f!.message,
      /workspace member core \(libs\/core\), which \[tool\.uv\.workspace\] members no longer include \(mismatched workspace members\)/,
    );
    assert.equal(WS_LOCK.slice(f!.related[0]!.span.start, f!.related[0]!.span.end), 'core');
    const excluded = WS + 'exclude = ["packages/loader"]\n';
    assert.deepEqual(
      drift(...uv(excluded, WS_LOCK)).map((x) => /member (\S+)/.exec(x.message)?.[1]),
      ['loader'],
    );
  });

  it('workspace members: a member path added to a one-project lock, a root the members leave out', () => {
    const single = uvLockText({ packages: [root('demo', '0.1.0', 'virtual')] });
    const one = WS.replace('members = ["packages/*", "libs/core"]', 'members = ["libs/core"]');
    const [f] = drift(...uv(one, single));
    assert.match(f!.message, /made for the project alone; \[tool\.uv\.workspace\] members now adds libs\/core/);
    const renamed = WS.replace('name = "demo"', 'name = "demo-app"');
    assert.ok(
      drift(...uv(renamed, WS_LOCK)).some((x) =>
        /workspace members \(core, demo, loader\) do not include this project, demo-app/.test(x.message),
      ),
    );
  });
});

// pip >= 25.1 writes a pylock.toml with `pip lock` (pip's docs, cli/pip_lock: `pip lock [options] <local project
// path>`, `pip lock -r <requirements file>`, `-o, --output <path>` with pylock.toml the default): the fix names the
// command that writes this lock again from the manifest of its set.
describe('lock-drift: the pylock.toml fix runs pip lock on the manifest it was made from', () => {
  const LOCK = 'lock-version = "1.0"\ncreated-by = "pip"\n\n[[packages]]\nname = "requests"\nversion = "2.31.0"\n';
  it('a project beside the lock: pip lock . -o <lock>', () => {
    const py = parsePyproject('/w/pyproject.toml', '[project]\nname = "app"\nversion = "1"\ndependencies = ["rich"]\n');
    const [f] = drift(py, parsePylock('/w/pylock.gpu.toml', LOCK));
    assert.deepEqual(f!.fixes[0]!.relock, {
      lockFile: '/w/pylock.gpu.toml',
      tool: 'pip',
      args: ['lock', '.', '-o', 'pylock.gpu.toml'],
    });
    assert.equal(f!.fixes[0]!.run, 'pip lock . -o pylock.gpu.toml');
    assert.equal(f!.fixes[0]!.title, 'Update pylock.gpu.toml (pip lock . -o pylock.gpu.toml)');
  });
  it('a requirements file: pip lock -r <file, from the lock’s folder> -o <lock>', () => {
    const req = parseRequirementsFile('/w/env/requirements.txt', 'rich\n', { kind: 'requirements', env: {} });
    const [f] = drift(req, parsePylock('/w/pylock.toml', LOCK));
    assert.deepEqual(f!.fixes[0]!.relock!.args, ['lock', '-r', 'env/requirements.txt', '-o', 'pylock.toml']);
    // A path that a terminal would split or interpret is never put on the command line.
    const odd = parseRequirementsFile('/w/my env/requirements.txt', 'rich\n', { kind: 'requirements', env: {} });
    const [g] = drift(odd, parsePylock('/w/pylock.toml', LOCK));
    assert.deepEqual(g!.fixes[0]!.relock!.args, ['lock']);
  });
});
