// Which declarations of a pyproject are installed together: Poetry optional dependencies
// through [tool.poetry.extras], extras that name the project itself, dependency groups that include others.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../server/src/checks/registry';
import { installedDeclarations, installGroups, scopesOf } from '../../server/src/checks/scope';
import { dependenciesJson } from '../../server/src/cli-output';
import { LineIndex } from '../../server/src/model/text';
import type { Dependency, Finding, ParsedFile } from '../../server/src/model/types';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { setOf } from '../helpers/sets';

const env = defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' });
const ctx = {
  markerEnvironment: env,
  profile: { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } },
};
const FILE = '/w/pyproject.toml';
const byCode = (fs: Finding[], code: string): Finding[] => fs.filter((f) => f.code === code);
const dep = (p: ParsedFile, name: string): Dependency[] => p.dependencies.filter((d) => d.name === name);
const slice = (p: ParsedFile, f: { span: { start: number; end: number } }): string =>
  p.text.slice(f.span.start, f.span.end);

/** An agent library's pyproject, in Poetry 1's shape: integrations behind extras. */
const AGENT = `[tool.poetry]
name = "agentkit"
version = "0.4.2"

[tool.poetry.dependencies]
python = ">=3.9,<4.0"
pydantic = ">=2.5,<3"
openai = ">=1.6"
anthropic = { version = "^0.8", optional = true }
chromadb = { version = "^0.4.22", optional = true }
openai-legacy = { version = "<1", optional = true }
faiss-cpu = { version = "^1.7.4", optional = true }
old-openai-pin = { version = "0.28.1", optional = true }
tiktoken = { version = "^0.5", optional = false }

[tool.poetry.group.dev.dependencies]
pytest = "^7.4"

[tool.poetry.extras]
anthropic = ["anthropic"]
vectorstores = ["chromadb", "faiss-cpu"]
all = ["anthropic", "chromadb", "faiss-cpu"]
legacy = ["openai-legacy"]
typo = ["pydantic", "not-declared"]
`;

describe('Poetry optional dependencies', () => {
  const p = parsePyproject(FILE, AGENT);

  it('are marked optional and belong to the extras that list them', () => {
    assert.deepEqual(
      p.dependencies.map((d) => [d.name, d.optional ?? false, scopesOf(d)]),
      [
        ['pydantic', false, ['']],
        ['openai', false, ['']],
        ['anthropic', true, ['extra:all', 'extra:anthropic']],
        ['chromadb', true, ['extra:all', 'extra:vectorstores']],
        ['openai-legacy', true, ['extra:legacy']],
        ['faiss-cpu', true, ['extra:all', 'extra:vectorstores']],
        ['old-openai-pin', true, []],
        ['tiktoken', false, ['']],
        ['pytest', false, ['group:dev']],
      ],
    );
  });

  it('warns where an extra lists what is not an optional dependency', () => {
    assert.deepEqual(
      p.findings.map((f) => [f.severity, slice(p, f), f.message]),
      [
        [
          'warning',
          'pydantic',
          "Extra 'typo' lists 'pydantic', which is not marked optional = true, so it is always installed",
        ],
        [
          'warning',
          'not-declared',
          "Extra 'typo' lists 'not-declared', which is not declared in [tool.poetry.dependencies]",
        ],
      ],
    );
  });

  it('are installed only with their extras: one declaration per scope, each judged with the base', () => {
    const decls = installedDeclarations(setOf(p), env);
    assert.deepEqual(
      decls.filter((d) => d.dep.name === 'chromadb').map((d) => d.scope),
      ['extra:all', 'extra:vectorstores'],
    );
    assert.equal(
      decls.filter((d) => d.dep.name === 'old-openai-pin').length,
      0,
      'an optional dependency in no extra is never installed',
    );
    const groups = installGroups(decls).map((g) =>
      g
        .map((d) => d.name)
        .sort()
        .join(' '),
    );
    assert.equal(groups[0], 'openai pydantic tiktoken');
    assert.ok(groups.includes('openai openai-legacy pydantic tiktoken'));
  });

  it('list --format json shows "optional": true', () => {
    const json = dependenciesJson(p.dependencies, () => new LineIndex(AGENT)) as {
      dependencies: Array<{ name: string; optional?: boolean }>;
    };
    assert.deepEqual(
      json.dependencies.filter((d) => d.optional).map((d) => d.name),
      ['anthropic', 'chromadb', 'openai-legacy', 'faiss-cpu', 'old-openai-pin'],
    );
    assert.ok(json.dependencies.filter((d) => !d.optional).every((d) => !('optional' in d)));
  });
});

describe('Poetry optional dependencies against the base', () => {
  const project = (extras: string): ParsedFile =>
    parsePyproject(
      FILE,
      `[tool.poetry.dependencies]\npython = "^3.10"\nopenai = { version ` +
        `= "<1", optional = true }\n\n[tool.poetry.extras]\n${extras}\n`,
    );
  const requirements = parseRequirementsFile('/w/requirements.txt', 'openai>=1.6\n', { kind: 'requirements', env: {} });

  it('are not judged as always installed when no extra lists them', () => {
    assert.deepEqual(byCode(runChecks([setOf(requirements, project('other = []'))], ctx), 'conflict'), []);
  });

  it('are judged with the base inside the extra that lists them', () => {
    const p = project('legacy = ["openai"]');
    const found = byCode(runChecks([setOf(requirements, p)], ctx), 'conflict');
    // One conflict: the other line related.
    assert.equal(found.length, 1);
    assert.deepEqual(found.flatMap((f) => [f.file, ...f.related.map((r) => r.file)]).sort(), [
      '/w/pyproject.toml',
      '/w/requirements.txt',
    ]);
  });
});

/** A robotics library that composes its extras from each other, naming itself. */
const ROBOT = `[project]
name = "LeRobot"
version = "0.1.0"
dependencies = ["torch>=2.2", "numpy>=1.26"]

[project.optional-dependencies]
dataset = ["datasets>=2.19", "pandas>=2.0"]
aloha = ["gym-aloha>=0.1.1", "lerobot[dataset]"]
pusht = ["gym-pusht>=0.1.5", "pandas<2"]
xarm = ["gym-xarm>=0.1.1", "lerobot[dataset, aloha]"]
all = ["lerobot[aloha,pusht]", "lerobot[xarm]"]
loop-a = ["lerobot[loop-b]", "rich"]
loop-b = ["lerobot[loop-a]"]
missing = ["lerobot[nope]"]
`;

describe('extras that name the project itself', () => {
  const p = parsePyproject(FILE, ROBOT);

  it('are references to other extras: kept out of dependencies, recorded as extra includes', () => {
    assert.deepEqual(dep(p, 'lerobot'), []);
    assert.deepEqual(
      p.extraIncludes?.map((i) => [i.scope, i.extras, slice(p, i)]),
      [
        ['extra:aloha', ['dataset'], 'lerobot[dataset]'],
        ['extra:xarm', ['aloha', 'dataset'], 'lerobot[dataset, aloha]'],
        ['extra:all', ['aloha', 'pusht'], 'lerobot[aloha,pusht]'],
        ['extra:all', ['xarm'], 'lerobot[xarm]'],
        ['extra:loop-a', ['loop-b'], 'lerobot[loop-b]'],
        ['extra:loop-b', ['loop-a'], 'lerobot[loop-a]'],
        ['extra:missing', ['nope'], 'lerobot[nope]'],
      ],
    );
    assert.deepEqual(
      p.findings.map((f) => [f.severity, slice(p, f), f.message]),
      [['warning', 'lerobot[nope]', "'lerobot[nope]' names the extra 'nope', which this project does not define"]],
    );
  });

  it('bring the named extras into the extra that names them, recursively and through cycles', () => {
    const decls = installedDeclarations(setOf(p), env);
    const scopes = (n: string): string[] => decls.filter((d) => d.dep.name === n).map((d) => d.scope);
    assert.deepEqual(
      scopesOf(dep(p, 'datasets')[0]!),
      ['extra:dataset'],
      "its own scope; the includes are the target's to judge",
    );
    assert.deepEqual(scopes('datasets'), ['extra:all', 'extra:aloha', 'extra:dataset', 'extra:xarm']);
    assert.deepEqual(scopes('gym-aloha'), ['extra:all', 'extra:aloha', 'extra:xarm']);
    assert.deepEqual(scopes('gym-pusht'), ['extra:all', 'extra:pusht']);
    assert.deepEqual(scopes('rich'), ['extra:loop-a', 'extra:loop-b']);
    assert.deepEqual(scopes('torch'), ['']);
  });

  it('are never duplicates, and extras are judged with what they include', () => {
    const found = runChecks([setOf(p)], ctx);
    assert.deepEqual(byCode(found, 'duplicate'), []);
    // pandas>=2.0 (dataset) and pandas<2 (pusht) meet only in `all`, which names both.
    const conflicts = byCode(found, 'conflict');
    assert.equal(conflicts.length, 1);
    assert.deepEqual(
      conflicts
        .flatMap((f) => [f, ...f.related])
        .map((f) => slice(p, f))
        .sort(),
      ['pandas<2', 'pandas>=2.0'],
    );
    const alone = parsePyproject(
      FILE,
      ROBOT.replace('all = ["lerobot[aloha,pusht]", "lerobot[xarm]"]', 'all = ["lerobot[aloha]"]'),
    );
    assert.deepEqual(byCode(runChecks([setOf(alone)], ctx), 'conflict'), []);
  });

  it('a self-reference in the base installs the extra always', () => {
    const q = parsePyproject(
      FILE,
      '[project]\nname = "p"\nversion = "1"\ndependencies = ' +
        '["p[cli]"]\n[project.optional-dependencies]\ncli = ["click>=8"]\n',
    );
    assert.deepEqual(
      installedDeclarations(setOf(q), env).map((d) => [d.dep.name, d.scope]),
      [['click', '']],
    );
  });

  it('a self-reference whose marker does not hold on the target includes nothing', () => {
    const text =
      '[project]\nname = "p"\nversion = "1"\n[project.optional-dependencies]\nwin = ["pywin32>=306"]\nlinux ' +
      '= ["uvloop"]\nall = ["p[win] ; sys_platform == \'win32\'", "p[linux] ; sys_platform == \'linux\'"]\n';
    const q = parsePyproject(FILE, text);
    assert.deepEqual(
      installedDeclarations(setOf(q), env).map((d) => [d.dep.name, d.scope]),
      [
        ['pywin32', 'extra:win'],
        ['uvloop', 'extra:all'],
        ['uvloop', 'extra:linux'],
      ],
    );
  });

  it('another project of the same extras is still a package', () => {
    const q = parsePyproject(
      FILE,
      '[project]\nname = "p"\nversion = "1"\n[project.optional-dependencies]\nx = ["q[dataset]"]\n',
    );
    assert.deepEqual(
      q.dependencies.map((d) => [d.name, d.extras]),
      [['q', ['dataset']]],
    );
    assert.equal(q.extraIncludes, undefined);
  });
});

describe('dependency groups that include others (PEP 735)', () => {
  it('install the included groups with them', () => {
    const p = parsePyproject(
      FILE,
      '[dependency-groups]\ntest = ["pytest>=8", "numpy<2"]\nlint = ["ruff"]\ndev ' +
        '= [{include-group = "test"}, {include-group = "lint"}, "numpy>=2"]\n',
    );
    assert.deepEqual(
      p.dependencies.map((d) => [d.name, scopesOf(d)]),
      [
        ['pytest', ['group:dev', 'group:test']],
        ['numpy', ['group:dev', 'group:test']],
        ['ruff', ['group:dev', 'group:lint']],
        ['numpy', ['group:dev']],
      ],
    );
    const conflicts = byCode(runChecks([setOf(p)], ctx), 'conflict');
    assert.equal(conflicts.length, 1, 'numpy<2 (test, included by dev) against numpy>=2 (dev): one conflict');
    assert.equal(conflicts[0]!.related.length, 1);
  });
});
