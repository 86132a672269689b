// Unit tests of the pyproject.toml parser: every section it reads, spans checked against the text, wrong shapes, TOML
// errors, hostile input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dependency, ParsedFile } from '../../server/src/model/types';
import { MAX_PYPROJECT_LENGTH, parsePyproject } from '../../server/src/parsers/pyproject';
import { MAX_TOML_NESTING } from '../../server/src/parsers/toml-tree';
import { SpecifierSet } from '../../server/src/pep/specifier';
import { find, slice } from '../helpers/spans';

const FILE = '/work/proj/pyproject.toml';

function dep(f: ParsedFile, name: string, section?: string): Dependency {
  const d = f.dependencies.find((x) => x.name === name && (section === undefined || x.section === section));
  assert.ok(
    d,
    `no dependency '${name}'${section ? ` in ${section}` : ''}; have ` +
      `${f.dependencies.map((x) => `${x.name}@${x.section}`).join(', ')}`,
  );
  return d;
}

const norm = (s: string): string => SpecifierSet.parse(s).toString();

describe('pyproject: [project]', () => {
  const text = [
    '[project]',
    'name = "demo"',
    'requires-python = ">=3.9, <3.13"',
    'dependencies = [',
    '  "NumPy>=1.24,<2",',
    '  \'requests[socks,Security] ; python_version < "3.12"\',',
    ']',
    '[project.optional-dependencies]',
    'GPU_Extra = ["torch==2.3.1"]',
    'docs = []',
  ].join('\n');
  const f = parsePyproject(FILE, text);

  it('reads dependencies with spans inside the quotes', () => {
    assert.deepEqual(f.findings, []);
    assert.equal(f.kind, 'pyproject');
    assert.equal(f.path, FILE);
    const numpy = dep(f, 'numpy');
    assert.equal(numpy.kind, 'requirement');
    assert.equal(numpy.section, 'project.dependencies');
    assert.equal(numpy.rawName, 'NumPy');
    assert.equal(numpy.specifier, norm('>=1.24,<2'));
    assert.deepEqual(numpy.span, find(text, 'NumPy>=1.24,<2'));
    assert.deepEqual(numpy.nameSpan, find(text, 'NumPy'));
    assert.deepEqual(numpy.specifierSpan, find(text, '>=1.24,<2'));
    assert.equal(numpy.text, 'NumPy>=1.24,<2');
    assert.equal(numpy.file, FILE);
  });

  it('reads literal strings exactly, with extras and markers', () => {
    const requests = dep(f, 'requests');
    assert.deepEqual(requests.extras, ['security', 'socks']);
    assert.equal(requests.marker, 'python_version < "3.12"');
    assert.deepEqual(requests.span, find(text, 'requests[socks,Security] ; python_version < "3.12"'));
    assert.equal(slice(text, requests.nameSpan), 'requests');
    assert.equal(requests.specifier, '');
    assert.equal(requests.specifierSpan.start, requests.specifierSpan.end);
  });

  it('normalizes extra names in the section (PEP 685)', () => {
    const torch = dep(f, 'torch');
    assert.equal(torch.section, 'project.optional-dependencies.gpu-extra');
    assert.deepEqual(torch.span, find(text, 'torch==2.3.1'));
    assert.equal(f.dependencies.length, 3);
  });

  it('reads requires-python as a normalized specifier set', () => {
    assert.equal(f.requiresPython, norm('>=3.9,<3.13'));
  });

  it('keeps dependencies in source order', () => {
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['numpy', 'requests', 'torch'],
    );
  });

  it('reports an invalid requires-python at the string', () => {
    const t = '[project]\nrequires-python = ">=3.8,<<4"\n';
    const g = parsePyproject(FILE, t);
    assert.equal(g.findings.length, 1);
    assert.equal(g.findings[0]!.code, 'syntax');
    assert.deepEqual(g.findings[0]!.span, find(t, '>=3.8,<<4'));
    assert.equal(g.requiresPython, '');
  });

  it('has no requiresPython when none is written', () => {
    assert.equal(parsePyproject(FILE, '[project]\nname = "x"\n').requiresPython, '');
  });

  it('reports a bad requirement at its fault, inside the string, and reads the rest', () => {
    const t = '[project]\ndependencies = ["numpy>=", "scipy"]\n';
    const g = parsePyproject(FILE, t);
    assert.equal(g.findings.length, 1);
    const s = g.findings[0]!.span;
    const inner = find(t, 'numpy>=');
    assert.ok(
      s.start >= inner.start && s.end <= inner.end,
      `finding ${JSON.stringify(s)} outside ${JSON.stringify(inner)}`,
    );
    assert.deepEqual(
      g.dependencies.map((d) => d.name),
      ['scipy'],
    );
  });

  it('reads dotted keys and inline tables the same as headers', () => {
    const t = 'project.dependencies = ["attrs"]\nproject.optional-dependencies = { test = ["pytest>=8"] }\n';
    const g = parsePyproject(FILE, t);
    assert.deepEqual(g.findings, []);
    assert.equal(dep(g, 'attrs').section, 'project.dependencies');
    assert.equal(dep(g, 'pytest').section, 'project.optional-dependencies.test');
    assert.deepEqual(dep(g, 'pytest').span, find(t, 'pytest>=8'));
  });
});

describe('pyproject: strings', () => {
  it('spans the whole token of a basic string with escapes', () => {
    const t = '[project]\ndependencies = ["num\\u0070y>=1.0", "scipy"]\n';
    const f = parsePyproject(FILE, t);
    assert.deepEqual(f.findings, []);
    const numpy = dep(f, 'numpy');
    const token = find(t, '"num\\u0070y>=1.0"');
    assert.deepEqual(numpy.span, token);
    assert.deepEqual(numpy.nameSpan, token);
    assert.deepEqual(numpy.specifierSpan, token);
    assert.equal(numpy.text, slice(t, token));
    assert.equal(numpy.specifier, norm('>=1.0'));
    assert.deepEqual(dep(f, 'scipy').span, find(t, 'scipy'));
  });

  it('puts a bad requirement with escapes at the whole token', () => {
    const t = '[project]\ndependencies = ["bad\\tname ==="]\n';
    const f = parsePyproject(FILE, t);
    assert.equal(f.findings.length, 1);
    assert.deepEqual(f.findings[0]!.span, find(t, '"bad\\tname ==="'));
  });

  it('maps multi-line strings exactly when they have no escapes', () => {
    const t = '[project]\ndependencies = [\n  \'\'\'\nflask>=3\'\'\',\n  """django""",\n]\n';
    const f = parsePyproject(FILE, t);
    assert.deepEqual(f.findings, []);
    assert.deepEqual(dep(f, 'flask').span, find(t, 'flask>=3'));
    assert.deepEqual(dep(f, 'django').span, find(t, 'django'));
  });

  it('counts offsets in UTF-16 units and survives CRLF and a byte-order mark', () => {
    const t = '\uFEFF# caf\u00e9 \u{1F600}\r\n[project]\r\ndependencies = ["rich>=13"] # \u{1F600}\r\n';
    const f = parsePyproject(FILE, t);
    assert.deepEqual(f.findings, []);
    assert.deepEqual(dep(f, 'rich').span, find(t, 'rich>=13'));
    assert.equal(dep(f, 'rich').text, 'rich>=13');
  });

  it('reads an empty file as nothing', () => {
    const f = parsePyproject(FILE, '');
    assert.deepEqual(f.dependencies, []);
    assert.deepEqual(f.findings, []);
  });
});

describe('pyproject: [dependency-groups] (PEP 735)', () => {
  const text = [
    '[dependency-groups]',
    'Test_Tools = ["pytest>=8", "coverage"]',
    'typing = ["mypy"]',
    'dev = [{include-group = "test-tools"}, {include-group = "Typing"}, "ruff"]',
  ].join('\n');
  const f = parsePyproject(FILE, text);

  it('reads groups under normalized names', () => {
    assert.deepEqual(f.findings, []);
    assert.equal(dep(f, 'pytest').section, 'dependency-groups.test-tools');
    assert.deepEqual(dep(f, 'pytest').span, find(text, 'pytest>=8'));
    assert.equal(dep(f, 'mypy').section, 'dependency-groups.typing');
    assert.equal(dep(f, 'ruff').section, 'dependency-groups.dev');
    assert.deepEqual(dep(f, 'ruff').span, find(text, 'ruff'));
  });

  it('lists each declared entry once, where it is written (includes are not copied)', () => {
    assert.deepEqual(
      f.dependencies.map((d) => `${d.name}@${d.section}`),
      [
        'pytest@dependency-groups.test-tools',
        'coverage@dependency-groups.test-tools',
        'mypy@dependency-groups.typing',
        'ruff@dependency-groups.dev',
      ],
    );
  });

  it('reports an include of an unknown group at the include table', () => {
    const t = '[dependency-groups]\ndev = ["ruff", {include-group = "lint"}]\n';
    const g = parsePyproject(FILE, t);
    assert.equal(g.findings.length, 1);
    assert.deepEqual(g.findings[0]!.span, find(t, '{include-group = "lint"}'));
    assert.match(g.findings[0]!.message, /lint/);
    assert.deepEqual(
      g.dependencies.map((d) => d.name),
      ['ruff'],
    );
  });

  it('reports include cycles at each include that takes part', () => {
    const t = [
      '[dependency-groups]',
      'a = [{include-group = "b"}, "x"]',
      'b = [{include-group = "c"}]',
      'c = [{include-group = "a"}, {include-group = "d"}]',
      'd = ["y"]',
      'e = [{include-group = "e"}]',
    ].join('\n');
    const g = parsePyproject(FILE, t);
    const spans = g.findings.map((x) => slice(t, x.span));
    assert.deepEqual(spans, [
      '{include-group = "b"}',
      '{include-group = "c"}',
      '{include-group = "a"}',
      '{include-group = "e"}',
    ]);
    assert.ok(g.findings.every((x) => x.code === 'syntax'));
    assert.deepEqual(
      g.dependencies.map((d) => d.name),
      ['x', 'y'],
    );
  });

  it('rejects other tables, wrong include values and duplicate normalized group names', () => {
    const t = [
      '[dependency-groups]',
      'dev = [{include-group = "x", extra = 1}, {include-group = 3}, 7, "ok"]',
      'x = []',
      'Dev = ["late"]',
    ].join('\n');
    const g = parsePyproject(FILE, t);
    assert.deepEqual(
      g.findings.map((x) => slice(t, x.span)),
      ['{include-group = "x", extra = 1}', '3', '7', 'Dev'],
    );
    assert.deepEqual(
      g.dependencies.map((d) => d.name),
      ['ok'],
    );
  });

  it('reports a group that is not an array', () => {
    const t = '[dependency-groups]\ndev = "pytest"\n';
    const g = parsePyproject(FILE, t);
    assert.deepEqual(
      g.findings.map((x) => slice(t, x.span)),
      ['"pytest"'],
    );
  });

  it('handles a long include chain without recursion', () => {
    const lines = ['[dependency-groups]'];
    for (let i = 0; i < 20000; i++) lines.push(`g${i} = [{include-group = "g${i + 1}"}]`);
    lines.push('g20000 = [{include-group = "g0"}]');
    const g = parsePyproject(FILE, lines.join('\n'));
    assert.equal(g.findings.length, 20001);
  });
});

describe('pyproject: [build-system] and [tool.uv]', () => {
  const text = [
    '[build-system]',
    'requires = ["setuptools>=61", "wheel"]',
    'build-backend = "setuptools.build_meta"',
    '[tool.uv]',
    'constraint-dependencies = ["urllib3<2"]',
    'override-dependencies = ["werkzeug==2.3.0"]',
    'dev-dependencies = ["pytest"]',
  ].join('\n');
  const f = parsePyproject(FILE, text);

  it('reads build requirements', () => {
    assert.deepEqual(f.findings, []);
    const st = dep(f, 'setuptools');
    assert.equal(st.kind, 'build');
    assert.equal(st.section, 'build-system.requires');
    assert.deepEqual(st.span, find(text, 'setuptools>=61'));
    assert.equal(dep(f, 'wheel').kind, 'build');
  });

  it('reads uv constraints, overrides and dev dependencies', () => {
    assert.equal(dep(f, 'urllib3').kind, 'constraint');
    assert.equal(dep(f, 'urllib3').section, 'tool.uv.constraint-dependencies');
    assert.equal(dep(f, 'werkzeug').kind, 'override');
    assert.equal(dep(f, 'werkzeug').section, 'tool.uv.override-dependencies');
    assert.deepEqual(dep(f, 'werkzeug').span, find(text, 'werkzeug==2.3.0'));
    assert.equal(dep(f, 'pytest').kind, 'requirement');
    assert.equal(dep(f, 'pytest').section, 'tool.uv.dev-dependencies');
  });
});

describe('pyproject: wrong shapes', () => {
  it('reports each wrong node and reads the rest', () => {
    const t = [
      '[project]',
      'dependencies = "numpy"',
      'optional-dependencies = { a = ["ok1", 42, ["nested"], { x = 1 }], b = "nope" }',
      '[build-system]',
      'requires = 3',
      '[tool.uv]',
      'constraint-dependencies = ["ok2"]',
      'dev-dependencies = { pytest = "*" }',
    ].join('\n');
    const f = parsePyproject(FILE, t);
    assert.deepEqual(
      f.findings.map((x) => slice(t, x.span)),
      ['"numpy"', '42', '["nested"]', '{ x = 1 }', '"nope"', '3', '{ pytest = "*" }'],
    );
    assert.ok(f.findings.every((x) => x.code === 'syntax' && x.severity === 'error' && x.file === FILE));
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['ok1', 'ok2'],
    );
  });

  it('reports a section that is not a table', () => {
    const t = 'project = 3\ntool = ["x"]\n';
    const f = parsePyproject(FILE, t);
    assert.deepEqual(
      f.findings.map((x) => slice(t, x.span)),
      ['3', '["x"]'],
    );
  });
});

describe('pyproject: TOML errors', () => {
  it('reports the error where it is and reads what comes before it', () => {
    const t =
      '[project]\ndependencies = ["numpy"]\n[tool.uv]\ndev-dependencies ' +
      '= ["pytest"]\nbroken = = 1\n[build-system]\nrequires = ["late"]\n';
    const f = parsePyproject(FILE, t);
    assert.equal(f.findings.length, 1);
    const at = find(t, 'broken = = 1');
    assert.ok(
      f.findings[0]!.span.start >= at.start && f.findings[0]!.span.start < at.end,
      JSON.stringify(f.findings[0]),
    );
    assert.match(f.findings[0]!.message, /rest of the file/);
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['numpy', 'pytest'],
    );
  });

  it('reads what precedes the last table header when the error is inside an unfinished array', () => {
    const t = '[build-system]\nrequires = ["hatchling"]\n[project]\ndependencies = [\n  "a",\n  "b" "c",\n]\n';
    const f = parsePyproject(FILE, t);
    assert.equal(f.findings.length, 1);
    assert.equal(f.findings[0]!.span.start, t.indexOf('"c"'));
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['hatchling'],
    );
  });

  it('reports a redefined key at the second definition', () => {
    const t = '[project]\nname = "a"\nname = "b"\n';
    const f = parsePyproject(FILE, t);
    assert.equal(f.findings.length, 1);
    assert.equal(f.findings[0]!.span.start, find(t, 'name', 1).start);
  });

  it('reads TOML 1.0 only: a newline inside an inline table is an error', () => {
    const f = parsePyproject(FILE, '[project]\noptional-dependencies = { a = ["x"],\n b = ["y"] }\n');
    assert.equal(f.findings.length, 1);
    assert.deepEqual(f.dependencies, []);
  });
});

describe('pyproject: hostile input', () => {
  const quick = (label: string, t: string): ParsedFile => {
    const t0 = Date.now();
    const f = parsePyproject(FILE, t);
    assert.ok(Date.now() - t0 < 20_000, `${label} took ${Date.now() - t0} ms`);
    return f;
  };

  it('refuses 100k nested arrays with a finding', () => {
    const t = '[project]\ndependencies = ["ok"]\nx = ' + '['.repeat(100000) + ']'.repeat(100000) + '\n';
    const f = quick('nested arrays', t);
    assert.equal(f.findings.length, 1);
    assert.match(f.findings[0]!.message, /nested/);
    assert.equal(f.findings[0]!.span.start, t.indexOf('x = [') + 4);
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['ok'],
    );
  });

  it('refuses 100k nested inline tables with a finding', () => {
    const t = 'a = ' + '{b = '.repeat(100000) + '1' + '}'.repeat(100000);
    const f = quick('nested tables', t);
    assert.equal(f.findings.length, 1);
    assert.equal(f.findings[0]!.span.start, 4);
  });

  it('accepts nesting up to the limit', () => {
    const depth = MAX_TOML_NESTING - 1;
    const f = quick('limit', '[project]\ndependencies = ["ok"]\nx = ' + '['.repeat(depth) + ']'.repeat(depth) + '\n');
    assert.deepEqual(f.findings, []);
    assert.equal(f.dependencies.length, 1);
  });

  it('refuses a 5 MB file with one finding', () => {
    let t = '[project]\ndependencies = [\n';
    while (t.length < 5_000_000) t += '  "numpy>=1.2,<2",\n';
    t += ']\n';
    assert.ok(t.length > MAX_PYPROJECT_LENGTH);
    const f = quick('5 MB', t);
    assert.equal(f.findings.length, 1);
    assert.equal(f.findings[0]!.span.start, 0);
    assert.deepEqual(f.dependencies, []);
  });

  it('reads a file just under the size limit', () => {
    let t = '[project]\ndependencies = [\n';
    const line = '  "numpy>=1.2,<2",\n';
    while (t.length + line.length + 2 < MAX_PYPROJECT_LENGTH) t += line;
    t += ']\n';
    const f = quick('1 MB', t);
    assert.deepEqual(f.findings, []);
    assert.ok(f.dependencies.length > 50000);
  });

  it('reports binary junk as a finding', () => {
    let junk = '';
    for (let i = 0; i < 200000; i++) junk += String.fromCharCode((i * 7919 + (i >> 3)) % 256);
    const f = quick('junk', junk);
    assert.ok(f.findings.length >= 1);
    assert.deepEqual(f.dependencies, []);
  });

  it('blanks an over-long string, warns, and still reads the rest', () => {
    const t =
      '[project]\ndescription = "' + 'x'.repeat(300000) + '"\ndependencies = ["ok", "' + 'y'.repeat(300000) + '"]\n';
    const f = quick('long string', t);
    assert.deepEqual(
      f.findings.map((x) => x.severity),
      ['warning', 'warning'],
    );
    assert.equal(f.findings[0]!.span.start, t.indexOf('"x'));
    assert.equal(f.findings[1]!.span.start, t.indexOf('"y'));
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['ok'],
    );
    assert.deepEqual(dep(f, 'ok').span, find(t, 'ok'));
  });

  it('refuses an over-long unquoted run', () => {
    const f = quick('long bare', 'a = ' + '1'.repeat(300000) + '\n');
    assert.equal(f.findings.length, 1);
    assert.equal(f.findings[0]!.span.start, 4);
  });

  it('survives many unclosed brackets and stray quotes', () => {
    const f = quick('unclosed', '[project]\ndependencies = ["a"]\n' + '{"['.repeat(50000));
    assert.ok(f.findings.length >= 1);
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['a'],
    );
  });
});

// uv's settings reference (docs/reference/settings.md, generated from uv's settings): `conflicts`, `default-groups`
// ("all" or group names), `environments` and `required-environments` (PEP 508 markers).
describe('pyproject: [tool.uv] resolution settings', () => {
  const text = [
    '[project]',
    'name = "demo"',
    'version = "1"',
    '[project.optional-dependencies]',
    'cpu = ["torch"]',
    'cu121 = ["torch"]',
    '[dependency-groups]',
    'lint = ["ruff"]',
    '[tool.uv]',
    'dev-dependencies = ["pytest"]',
    'conflicts = [[{ extra = "cpu" }, { extra = "CU121" }], [{ group = "lint" }, { group = "dev" }], [{ extra = "gpu" }, { package = "demo", extra = "cpu" }]]',
    'default-groups = ["dev", "lint", "docs"]',
    'environments = ["sys_platform == \'linux\'", "sys_platform == \'darwin\'"]',
    'required-environments = ["sys_platform == \'darwin\' and platform_machine == \'x86_64\'", "os_name =="]',
  ].join('\n');
  const f = parsePyproject(FILE, text);

  it('reads conflicts, default groups and environments with their places', () => {
    const uv = f.uvResolution!;
    assert.deepEqual(
      uv.conflicts.map((c) => c.items.map((i) => `${i.kind}:${i.name}`)),
      [
        ['extra:cpu', 'extra:cu121'],
        ['group:lint', 'group:dev'],
        ['extra:gpu', 'extra:cpu'],
      ],
    );
    assert.equal(slice(text, uv.conflicts[0]!.items[1]!.span), '{ extra = "CU121" }');
    assert.deepEqual(uv.defaultGroups?.groups, ['dev', 'lint']);
    assert.deepEqual(
      uv.environments.map((e) => e.marker),
      ['sys_platform == "linux"', 'sys_platform == "darwin"'],
    );
    assert.deepEqual(
      uv.requiredEnvironments.map((e) => slice(text, e.span)),
      ["sys_platform == 'darwin' and platform_machine == 'x86_64'"],
    );
  });

  it('says what uv would refuse', () => {
    const at = (m: RegExp) => f.findings.filter((x) => m.test(x.message)).map((x) => [x.severity, slice(text, x.span)]);
    assert.deepEqual(at(/does not define/), [['warning', '{ extra = "gpu" }']]);
    assert.deepEqual(at(/Default group 'docs'/), [['error', '"docs"']]);
    assert.deepEqual(at(/installs the default groups together/), [
      ['error', 'default-groups = ["dev", "lint", "docs"]'],
    ]);
    assert.deepEqual(at(/not a valid PEP 508 marker/), [['error', 'os_name ==']]);
    assert.equal(f.findings.length, 4, JSON.stringify(f.findings.map((x) => x.message)));
  });

  it('accepts default-groups = "all", and has no settings object without [tool.uv]', () => {
    const all = parsePyproject(FILE, '[dependency-groups]\ndev = []\n[tool.uv]\ndefault-groups = "all"\n');
    assert.equal(all.uvResolution?.defaultGroups?.groups, 'all');
    assert.deepEqual(all.findings, []);
    assert.equal(parsePyproject(FILE, '[project]\nname = "x"\n').uvResolution, undefined);
  });
});
