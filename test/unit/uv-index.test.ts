// Unit tests of the uv index reader: `[[tool.uv.index]]`, `[tool.uv.sources]` (tables and marker/extra/group lists),
// the older `index-url` / `extra-index-url`, `default-groups`, and the `requires-python` span. Shapes follow uv's docs:
// https://docs.astral.sh/uv/concepts/indexes/ ("Defining an index", "Pinning a package to an index") and
// https://docs.astral.sh/uv/concepts/projects/dependencies/ ("Dependency sources", "Multiple sources").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { sourcesFor } from '../../server/src/parsers/uv-index';
import { pythonOfRange } from '../../server/src/workspace/python-of';
import { slice } from '../helpers/spans';

const FILE = '/work/proj/pyproject.toml';

describe('uv index reader', () => {
  const text = [
    '[project]',
    'name = "demo"',
    'requires-python = ">=3.13,<3.14"',
    'dependencies = ["torch==2.1.2+cu121", "mylib", "httpx", "tool"]',
    '[project.optional-dependencies]',
    'gpu = ["torchvision"]',
    '[dependency-groups]',
    'dev = ["pytest"]',
    'docs-x = ["sphinx"]',
    '',
    '[tool.uv]',
    'index-url = "https://mirror.example/simple"',
    'extra-index-url = ["https://extra.example/simple"]',
    'default-groups = ["dev", "Docs_X"]',
    '',
    '[tool.uv.sources]',
    'torch = { index = "pytorch-cu121" }',
    'mylib = { path = "../mylib", editable = true }',
    'httpx = { git = "https://github.com/encode/httpx", tag = "0.27.0" }',
    'tool = { url = "https://files.example/tool-1.0-py3-none-any.whl" }',
    'torchvision = [',
    '  { index = "pytorch-cpu", marker = "sys_platform == \'darwin\'" },',
    '  { index = "pytorch-cu121", extra = "GPU" },',
    ']',
    '',
    '[[tool.uv.index]]',
    'name = "pytorch-cu121"',
    'url = "https://download.pytorch.org/whl/cu121"',
    'explicit = true',
    '',
    '[[tool.uv.index]]',
    'name = "pytorch-cpu"',
    'url = "https://download.pytorch.org/whl/cpu"',
    'default = true',
  ].join('\n');
  const f = parsePyproject(FILE, text);
  const uv = f.uvIndexes!;

  it('reads the indexes in order with their flags and spans', () => {
    assert.deepEqual(f.findings, []);
    assert.deepEqual(
      uv.indexes.map((i) => [i.name, i.url, i.explicit, i.default]),
      [
        ['pytorch-cu121', 'https://download.pytorch.org/whl/cu121', true, false],
        ['pytorch-cpu', 'https://download.pytorch.org/whl/cpu', false, true],
      ],
    );
    assert.equal(slice(text, uv.indexes[0]!.urlSpan), 'https://download.pytorch.org/whl/cu121');
    assert.equal(slice(text, uv.indexes[1]!.nameSpan!), 'pytorch-cpu');
  });

  it('reads each package source, tables and lists, with selectors normalized', () => {
    assert.deepEqual(
      [...uv.sources].map(([n, s]) => [n, s.entries.map((e) => [e.kind, e.target, e.marker, e.extra, e.group])]),
      [
        ['torch', [['index', 'pytorch-cu121', '', null, null]]],
        ['mylib', [['path', '../mylib', '', null, null]]],
        ['httpx', [['git', 'https://github.com/encode/httpx', '', null, null]]],
        ['tool', [['url', 'https://files.example/tool-1.0-py3-none-any.whl', '', null, null]]],
        [
          'torchvision',
          [
            ['index', 'pytorch-cpu', 'sys_platform == "darwin"', null, null],
            ['index', 'pytorch-cu121', '', 'gpu', null],
          ],
        ],
      ],
    );
    assert.equal(slice(text, uv.sources.get('torch')!.entries[0]!.targetSpan), 'pytorch-cu121');
  });

  it('reads the older index keys and default-groups', () => {
    assert.deepEqual(uv.indexUrl?.url, 'https://mirror.example/simple');
    assert.deepEqual(
      uv.extraIndexUrls.map((e) => e.url),
      ['https://extra.example/simple'],
    );
    assert.deepEqual(uv.defaultGroups, ['dev', 'docs-x']);
    assert.equal(uv.indexStrategy, 'first-index');
  });

  it('keeps the requires-python span', () => {
    assert.equal(slice(text, f.requiresPythonSpan!), '>=3.13,<3.14');
  });

  it('makes a url source a URL requirement, and leaves the others as written', () => {
    assert.equal(f.dependencies.find((d) => d.name === 'tool')!.url, 'https://files.example/tool-1.0-py3-none-any.whl');
    assert.equal(f.dependencies.find((d) => d.name === 'torch')!.url, null);
    assert.equal(f.dependencies.find((d) => d.name === 'mylib')!.url, null);
  });

  it('applies extra/group entries only to declarations in that extra or group', () => {
    assert.deepEqual(
      sourcesFor(uv, 'torchvision', ['']).map((s) => s.target),
      ['pytorch-cpu'],
    );
    assert.deepEqual(
      sourcesFor(uv, 'torchvision', ['extra:gpu']).map((s) => s.target),
      ['pytorch-cpu', 'pytorch-cu121'],
    );
  });
});

describe('uv index reader: wrong shapes', () => {
  it('says where a source names no index, two kinds, or an unknown index', () => {
    const text = [
      '[tool.uv.sources]',
      'a = { index = "nope" }',
      'b = { index = "x", path = "." }',
      'c = "just a string"',
      '[[tool.uv.index]]',
      'name = "bad name!"',
      'url = "https://x.example/simple"',
      'explicit = "yes"',
    ].join('\n');
    const f = parsePyproject(FILE, text);
    const messages = f.findings.map((x) => `${x.severity}: ${slice(text, x.span)} | ${x.message}`);
    assert.ok(
      messages.some((m) => m.startsWith('error: nope |') && /No \[\[tool.uv.index\]\]/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /exactly one of index, url, path, git or workspace \(it names index, path\)/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.includes('"just a string" |')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('error: bad name! |')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('error: "yes" |')),
      messages.join('\n'),
    );
  });
});

describe('the Python a requires-python range is judged for', () => {
  it("is the target's inside the range, else the lowest the range allows", () => {
    assert.equal(pythonOfRange('>=3.10', '3.11.7'), '3.11.7');
    assert.equal(pythonOfRange('>=3.13,<3.14', '3.11.7'), '3.13.0');
    assert.equal(pythonOfRange('>3.12.1', '3.11.7'), '3.12.2');
    assert.equal(pythonOfRange('>=3.12.4', undefined), '3.12.4');
    assert.equal(pythonOfRange('>=4', '3.11.7'), null);
  });
});
