// Unit tests of the Poetry translation: constraints to PEP 440 (checked against versions), python markers, and Poetry's
// tables in pyproject.toml.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dependency, ParsedFile } from '../../server/src/model/types';
import {
  andMarkers,
  parsePoetryConstraint,
  poetryPythonMarker,
  PoetryConstraintError,
  translatePoetryConstraint,
} from '../../server/src/parsers/poetry';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { SpecifierSet } from '../../server/src/pep/specifier';
import { find, slice } from '../helpers/spans';

interface Case {
  poetry: string;
  /** The PEP 440 clauses Poetry's semantics give, in any order. */
  pep440: string;
  /** Versions Poetry admits / rejects under this constraint. */
  admits: string[];
  rejects: string[];
}

// From Poetry's "Dependency specification" (caret, tilde, wildcard, inequality, exact, multiple requirements)
// and poetry-core's constraint parser (`=`, `<>`, `~=` precision, `dev`, trailing commas, spaces).
const CASES: Case[] = [
  {
    poetry: '^1.2.3',
    pep440: '>=1.2.3,<2.0.0',
    admits: ['1.2.3', '1.2.10', '1.9.9', '1.2.3.post1'],
    rejects: ['1.2.2', '2.0.0', '2.0.0rc1', '0.9'],
  },
  { poetry: '^1.2', pep440: '>=1.2,<2.0', admits: ['1.2', '1.2.0', '1.99.1'], rejects: ['1.1.9', '2.0', '2.1'] },
  { poetry: '^1', pep440: '>=1,<2', admits: ['1', '1.0.0', '1.9'], rejects: ['0.9', '2', '2.0.1'] },
  { poetry: '^0.2.3', pep440: '>=0.2.3,<0.3.0', admits: ['0.2.3', '0.2.99'], rejects: ['0.2.2', '0.3.0', '1.0'] },
  { poetry: '^0.0.3', pep440: '>=0.0.3,<0.0.4', admits: ['0.0.3', '0.0.3.1'], rejects: ['0.0.2', '0.0.4', '0.1'] },
  { poetry: '^0.0', pep440: '>=0.0,<0.1', admits: ['0.0', '0.0.5'], rejects: ['0.1', '0.1.0', '1.0'] },
  { poetry: '^0', pep440: '>=0,<1', admits: ['0', '0.5', '0.99.9'], rejects: ['1', '1.0.0'] },
  {
    poetry: '^1.2.3b1',
    pep440: '>=1.2.3b1,<2.0.0',
    admits: ['1.2.3b1', '1.2.3', '1.5'],
    rejects: ['1.2.3a9', '2.0.0'],
  },
  { poetry: '^ 2!1.2', pep440: '>=2!1.2,<2!2.0', admits: ['2!1.2', '2!1.9'], rejects: ['1.5', '2!2.0', '3!1.2'] },
  { poetry: '~1.2.3', pep440: '>=1.2.3,<1.3.0', admits: ['1.2.3', '1.2.99'], rejects: ['1.2.2', '1.3.0', '1.3'] },
  { poetry: '~1.2', pep440: '>=1.2,<1.3', admits: ['1.2', '1.2.7'], rejects: ['1.1', '1.3'] },
  { poetry: '~1', pep440: '>=1,<2', admits: ['1.0', '1.9.9'], rejects: ['0.9', '2.0'] },
  { poetry: '~=1.2', pep440: '~=1.2', admits: ['1.2', '1.9'], rejects: ['1.1', '2.0'] },
  { poetry: '~=1.2.3', pep440: '~=1.2.3', admits: ['1.2.3', '1.2.9'], rejects: ['1.2.2', '1.3.0'] },
  { poetry: '~=1.2.3.4', pep440: '>=1.2.3.4,<1.3.0.0', admits: ['1.2.3.4', '1.2.9'], rejects: ['1.2.3.3', '1.3'] },
  { poetry: '~=1', pep440: '>=1,<1.1', admits: ['1', '1.0.9'], rejects: ['0.9', '1.1'] },
  { poetry: '*', pep440: '', admits: ['0.0.1', '99'], rejects: [] },
  { poetry: 'x.X', pep440: '', admits: ['1.0'], rejects: [] },
  { poetry: '1.*', pep440: '>=1.0.0,<2.0.0', admits: ['1.0', '1.9.9'], rejects: ['0.9', '2.0', '1.0a1'] },
  { poetry: '1.2.*', pep440: '>=1.2.0,<1.3.0', admits: ['1.2', '1.2.9'], rejects: ['1.1.9', '1.3'] },
  { poetry: '==1.2.*', pep440: '>=1.2.0,<1.3.0', admits: ['1.2.5'], rejects: ['1.3.0'] },
  { poetry: '0.*', pep440: '<1.0.0', admits: ['0', '0.9.9'], rejects: ['1.0'] },
  { poetry: '!=1.2.*', pep440: '!=1.2.*', admits: ['1.1', '1.3'], rejects: ['1.2', '1.2.5'] },
  { poetry: '!=0.*', pep440: '>=1.0.0', admits: ['1.0', '5'], rejects: ['0.5'] },
  { poetry: '1.2.3.*', pep440: '==1.2.3.*', admits: ['1.2.3', '1.2.3.9'], rejects: ['1.2.4'] },
  { poetry: '>=1.2.*', pep440: '>=1.2', admits: ['1.2', '1.3'], rejects: ['1.1'] },
  { poetry: '>= 1.2, < 1.5', pep440: '>=1.2,<1.5', admits: ['1.2', '1.4.9'], rejects: ['1.1', '1.5'] },
  { poetry: '>=1.2 <1.5', pep440: '>=1.2,<1.5', admits: ['1.3'], rejects: ['1.5'] },
  { poetry: '>=1.2,<1.5,', pep440: '>=1.2,<1.5', admits: ['1.3'], rejects: ['1.5'] },
  { poetry: '>1.0, <=2', pep440: '>1.0,<=2', admits: ['1.0.1', '2'], rejects: ['1.0', '2.0.1'] },
  { poetry: '^1.2 !=1.4.1', pep440: '>=1.2,<2.0,!=1.4.1', admits: ['1.4.0', '1.4.2'], rejects: ['1.4.1', '2.0'] },
  { poetry: '==1.2.3', pep440: '==1.2.3', admits: ['1.2.3', '1.2.3.0'], rejects: ['1.2.4'] },
  { poetry: '1.2.3', pep440: '==1.2.3', admits: ['1.2.3'], rejects: ['1.2.4', '1.2'.concat('.2')] },
  { poetry: '=1.2.3', pep440: '==1.2.3', admits: ['1.2.3'], rejects: ['1.2.4'] },
  { poetry: 'v1.2.3', pep440: '==1.2.3', admits: ['1.2.3'], rejects: ['1.2.4'] },
  { poetry: '!=1.2.3', pep440: '!=1.2.3', admits: ['1.2.2', '1.2.4'], rejects: ['1.2.3'] },
  { poetry: '<>1.2', pep440: '!=1.2', admits: ['1.3'], rejects: ['1.2'] },
  { poetry: '< 2.0', pep440: '<2.0', admits: ['1.9'], rejects: ['2.0', '2.0rc1'] },
  { poetry: '>=1.0.0-beta.1', pep440: '>=1.0.0-beta.1', admits: ['1.0.0'], rejects: ['0.9'] },
  { poetry: '  ^1.2.3  ', pep440: '>=1.2.3,<2.0.0', admits: ['1.5'], rejects: ['2'] },
];

/** A PEP 440 set normalized clause by clause, in written order (how the Poetry translation prints). */
function written(s: string): string {
  return SpecifierSet.parse(s)
    .specifiers.map((x) => x.toString())
    .join(',');
}

describe('poetry: constraints to PEP 440', () => {
  for (const c of CASES) {
    it(`'${c.poetry}' -> '${c.pep440}'`, () => {
      const r = translatePoetryConstraint(c.poetry);
      assert.equal(r.unknown, false);
      assert.equal(r.specifier, written(c.pep440));
      const set = SpecifierSet.parse(r.specifier);
      for (const v of c.admits) assert.ok(set.contains(v, true), `'${r.specifier}' should admit ${v}`);
      for (const v of c.rejects) assert.ok(!set.contains(v, true), `'${r.specifier}' should reject ${v}`);
    });
  }

  it('prints the set in the order it reads, as `list` prints it (^2.0.3 -> >=2.0.3,<3.0.0)', () => {
    assert.equal(translatePoetryConstraint('^2.0.3').specifier, '>=2.0.3,<3.0.0');
    assert.equal(translatePoetryConstraint('~1.2').specifier, '>=1.2,<1.3');
    assert.equal(translatePoetryConstraint('>=1.2 <1.5 !=1.3').specifier, '>=1.2,<1.5,!=1.3');
  });

  it('keeps the precision of the written version in the upper bound', () => {
    assert.deepEqual(parsePoetryConstraint('^0.0'), { kind: 'set', clauses: ['>=0.0', '<0.1'] });
    assert.deepEqual(parsePoetryConstraint('^0'), { kind: 'set', clauses: ['>=0', '<1'] });
    assert.deepEqual(parsePoetryConstraint('^1.2.3.4'), { kind: 'set', clauses: ['>=1.2.3.4', '<2.0.0.0'] });
    assert.deepEqual(parsePoetryConstraint('^0.0.0'), { kind: 'set', clauses: ['>=0.0.0', '<0.0.1'] });
  });

  it('does arithmetic on numbers beyond 2^53', () => {
    assert.deepEqual(parsePoetryConstraint('^9007199254740993.1'), {
      kind: 'set',
      clauses: ['>=9007199254740993.1', '<9007199254740994.0'],
    });
  });

  it('reads the word dev as 0.0.dev0', () => {
    assert.equal(translatePoetryConstraint('>=dev').specifier, '>=0.0.dev0');
  });

  it('marks unions as not expressible in one PEP 440 set', () => {
    for (const s of ['>=1.0 || <0.5', '^1.0 | ^2.0', '1.2.3||1.2.5']) {
      assert.deepEqual(translatePoetryConstraint(s), { specifier: '', unknown: true }, s);
    }
    assert.deepEqual(parsePoetryConstraint('^1.0 || ^2.0'), {
      kind: 'union',
      groups: [
        ['>=1.0', '<2.0'],
        ['>=2.0', '<3.0'],
      ],
    });
    assert.deepEqual(parsePoetryConstraint('^1.0 || *'), { kind: 'any' });
  });

  it('rejects what Poetry rejects', () => {
    for (const bad of [
      '',
      '   ',
      '1.2 - 1.5',
      '>=1<2',
      '^abc',
      '~',
      '>=',
      '|| 1.0',
      '1.0 ||',
      '>=1.0 foo',
      '===1.0',
      '1.0.0.dev0.1',
      '@1',
    ]) {
      assert.throws(() => parsePoetryConstraint(bad), PoetryConstraintError, `'${bad}' should be rejected`);
    }
  });
});

describe('poetry: python constraints as markers', () => {
  const cases: [string, string][] = [
    ['^3.8', 'python_version >= "3.8" and python_version < "4.0"'],
    ['>=3.8.1', 'python_full_version >= "3.8.1"'],
    [
      '~2.7 || ^3.6',
      'python_version >= "2.7" and python_version < "2.8" or python_version >= "3.6" and python_version < "4.0"',
    ],
    ['3.9', 'python_version == "3.9"'],
    ['!=3.9.*', 'python_version != "3.9.*"'],
    ['~=3.10', 'python_version ~= "3.10"'],
    ['*', ''],
  ];
  for (const [poetry, marker] of cases) {
    it(`python = '${poetry}' -> ${marker || '(none)'}`, () => assert.equal(poetryPythonMarker(poetry), marker));
  }

  it('parenthesizes an or when joining markers with and', () => {
    assert.equal(
      andMarkers(['sys_platform == "linux" or sys_platform == "darwin"', 'python_version >= "3.8"']),
      '(sys_platform == "linux" or sys_platform == "darwin") and python_version >= "3.8"',
    );
    assert.equal(andMarkers(['', 'os_name == "nt"']), 'os_name == "nt"');
    assert.equal(andMarkers([]), '');
  });
});

const FILE = '/work/proj/pyproject.toml';

function deps(f: ParsedFile, name: string): Dependency[] {
  const found = f.dependencies.filter((x) => x.name === name);
  assert.ok(found.length > 0, `no dependency '${name}'; have ${f.dependencies.map((x) => x.name).join(', ')}`);
  return found;
}

const norm = written;

describe('poetry: tables in pyproject.toml', () => {
  const text = [
    '[tool.poetry]',
    'name = "demo"',
    '',
    '[tool.poetry.dependencies]',
    'python = "^3.9"',
    'requests = "^2.31"',
    'Flask = { version = ">=2.0, <3.0", extras = ["Async", "dotenv"], ' +
      'python = ">=3.10", markers = "sys_platform == \'linux\'" }',
    'foo = [',
    '  { version = "<=1.9", python = ">=3.6,<3.8" },',
    '  { version = "^2.0", python = ">=3.8" },',
    ']',
    'mylib = { git = "https://github.com/x/mylib.git", branch = "main" }',
    'local = { path = "../local", develop = true }',
    'direct = { url = "https://example.com/direct-1.0.tar.gz" }',
    'union = ">=1.0 || <0.5"',
    'winonly = { version = "*", platform = "win32" }',
    'bar.version = "~1.4"',
    'bar.optional = true',
    '',
    '[tool.poetry.dependencies.baz]',
    'version = "1.*"',
    'source = "internal"',
    '',
    '[[tool.poetry.dependencies.qux]]',
    'version = "^1.0"',
    'python = "<3.10"',
    '[[tool.poetry.dependencies.qux]]',
    'version = "^2.0"',
    'python = ">=3.10"',
    '',
    '[tool.poetry.dev-dependencies]',
    'pytest = "^7.0"',
    '',
    '[tool.poetry.group.Lint_Tools.dependencies]',
    'ruff = ">=0.1"',
  ].join('\n');
  const f = parsePyproject(FILE, text);

  it('reads them without findings, the python entry as the project Python', () => {
    assert.deepEqual(f.findings, []);
    assert.equal(f.requiresPython, norm('>=3.9,<4.0'));
    assert.ok(!f.dependencies.some((d) => d.name === 'python'));
  });

  it('spans a string value inside its quotes, the name at the key', () => {
    const [requests] = deps(f, 'requests');
    assert.equal(requests!.section, 'tool.poetry.dependencies');
    assert.equal(requests!.kind, 'requirement');
    assert.equal(requests!.specifier, norm('>=2.31,<3.0'));
    assert.deepEqual(requests!.span, find(text, '^2.31'));
    assert.deepEqual(requests!.specifierSpan, find(text, '^2.31'));
    assert.deepEqual(requests!.nameSpan, find(text, 'requests'));
    assert.equal(requests!.text, '^2.31');
  });

  it('spans a table value as the whole key = value pair', () => {
    const [flask] = deps(f, 'flask');
    assert.equal(flask!.rawName, 'Flask');
    const line = text.split('\n').find((l) => l.startsWith('Flask'))!;
    assert.deepEqual(flask!.span, find(text, line));
    assert.equal(flask!.text, line);
    assert.deepEqual(flask!.nameSpan, find(text, 'Flask'));
    assert.deepEqual(flask!.specifierSpan, find(text, '>=2.0, <3.0'));
    assert.equal(flask!.specifier, norm('>=2.0,<3.0'));
    assert.deepEqual(flask!.extras, ['async', 'dotenv']);
    assert.equal(flask!.marker, 'sys_platform == \'linux\' and python_version >= "3.10"');
  });

  it('makes one dependency per constraint of a multiple-constraints array', () => {
    const foo = deps(f, 'foo');
    assert.equal(foo.length, 2);
    assert.deepEqual(foo[0]!.span, find(text, '{ version = "<=1.9", python = ">=3.6,<3.8" }'));
    assert.equal(foo[0]!.specifier, '<=1.9');
    assert.equal(foo[0]!.marker, 'python_version >= "3.6" and python_version < "3.8"');
    assert.deepEqual(foo[1]!.span, find(text, '{ version = "^2.0", python = ">=3.8" }'));
    assert.equal(foo[1]!.specifier, norm('>=2.0,<3.0'));
    assert.equal(foo[1]!.marker, 'python_version >= "3.8"');
    for (const d of foo) assert.deepEqual(d.nameSpan, find(text, 'foo'));

    const qux = deps(f, 'qux');
    assert.equal(qux.length, 2);
    assert.deepEqual(qux[0]!.span, find(text, '[[tool.poetry.dependencies.qux]]\nversion = "^1.0"\npython = "<3.10"'));
    assert.equal(qux[0]!.marker, 'python_version < "3.10"');
    assert.equal(qux[1]!.specifier, norm('>=2.0,<3.0'));
  });

  it('reads git, path and url dependencies', () => {
    const [mylib] = deps(f, 'mylib');
    assert.equal(mylib!.url, 'git+https://github.com/x/mylib.git@main');
    assert.equal(mylib!.specifier, '');
    assert.deepEqual(mylib!.specifierSpan, { start: mylib!.nameSpan.end, end: mylib!.nameSpan.end });
    const [local] = deps(f, 'local');
    assert.equal(local!.url, '../local');
    assert.equal(local!.editable, true);
    assert.equal(deps(f, 'direct')[0]!.url, 'https://example.com/direct-1.0.tar.gz');
    assert.equal(deps(f, 'direct')[0]!.editable, false);
  });

  it('marks a union constraint as unknown', () => {
    const [union] = deps(f, 'union');
    assert.equal(union!.specifier, '');
    assert.equal(union!.specifierUnknown, true);
    assert.ok(!('specifierUnknown' in deps(f, 'requests')[0]!));
  });

  it('turns platform into a sys_platform marker', () => {
    const [w] = deps(f, 'winonly');
    assert.equal(w!.marker, 'sys_platform == "win32"');
    assert.equal(w!.specifier, '');
  });

  it('reads dotted keys and [header] tables', () => {
    const [bar] = deps(f, 'bar');
    assert.equal(bar!.specifier, norm('>=1.4,<1.5'));
    assert.deepEqual(bar!.span, find(text, 'bar.version = "~1.4"\nbar.optional = true'));
    assert.deepEqual(bar!.specifierSpan, find(text, '~1.4'));
    assert.deepEqual(bar!.nameSpan, find(text, 'bar'));
    const [baz] = deps(f, 'baz');
    assert.equal(baz!.specifier, norm('>=1.0.0,<2.0.0'));
    assert.deepEqual(baz!.span, find(text, '[tool.poetry.dependencies.baz]\nversion = "1.*"\nsource = "internal"'));
    assert.equal(baz!.nameSpan.start, find(text, 'baz]').start);
    assert.equal(slice(text, baz!.nameSpan), 'baz');
  });

  it('reads dev-dependencies and groups under normalized group names', () => {
    assert.equal(deps(f, 'pytest')[0]!.section, 'tool.poetry.dev-dependencies');
    assert.equal(deps(f, 'ruff')[0]!.section, 'tool.poetry.group.lint-tools.dependencies');
    assert.equal(deps(f, 'ruff')[0]!.specifier, '>=0.1');
    assert.deepEqual(deps(f, 'ruff')[0]!.span, find(text, '>=0.1'));
  });

  it('lets [project] requires-python win over the Poetry python entry', () => {
    const g = parsePyproject(
      FILE,
      '[project]\nrequires-python = ">=3.11"\n[tool.poetry.dependencies]\npython = "^3.8"\n',
    );
    assert.equal(g.requiresPython, '>=3.11');
    assert.deepEqual(g.dependencies, []);
  });

  it('leaves requiresPython empty for a python union', () => {
    const g = parsePyproject(FILE, '[tool.poetry.dependencies]\npython = "~2.7 || ^3.6"\n');
    assert.deepEqual(g.findings, []);
    assert.equal(g.requiresPython, '');
  });
});

describe('poetry: errors in pyproject.toml', () => {
  const text = [
    '[tool.poetry.dependencies]',
    'python = "^three"',
    'bad = "1.2 - 1.5"',
    '"not valid!" = "1"',
    'x = { version = 3 }',
    'y = 5',
    'z = { version = "^1", extras = "gpu" }',
    'w = { version = "^1", markers = "python_version >>> \'3\'" }',
    'v = ["^1"]',
    'u = { version = "^1", develop = "yes" }',
    'ok = "^1"',
    '[tool.poetry.group.dev]',
    'dependencies = []',
  ].join('\n');
  const f = parsePyproject(FILE, text);

  it('reports each at its node', () => {
    assert.deepEqual(
      f.findings.map((x) => slice(text, x.span)),
      ['^three', '1.2 - 1.5', 'not valid!', '3', '5', '"gpu"', "python_version >>> '3'", '"^1"', '"yes"', '[]'],
    );
    assert.ok(f.findings.every((x) => x.code === 'syntax' && x.severity === 'error'));
  });

  it('keeps what can be read', () => {
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['z', 'w', 'u', 'ok'],
    );
    const z = f.dependencies.find((d) => d.name === 'z')!;
    assert.deepEqual(z.extras, []);
    assert.equal(z.specifier, norm('>=1,<2'));
    assert.equal(f.dependencies.find((d) => d.name === 'w')!.marker, '');
    assert.equal(f.requiresPython, '');
  });

  it('reports tool.poetry.dependencies that is not a table', () => {
    const t = '[tool.poetry]\ndependencies = ["numpy"]\n';
    const g = parsePyproject(FILE, t);
    assert.deepEqual(
      g.findings.map((x) => slice(t, x.span)),
      ['["numpy"]'],
    );
  });

  it('puts the finding for an empty constraint on the whole string token', () => {
    const t = '[tool.poetry.dependencies]\nnumpy = ""\nscipy = { version = "" }\n';
    const g = parsePyproject(FILE, t);
    assert.deepEqual(
      g.findings.map((x) => slice(t, x.span)),
      ['""', '""'],
    );
    assert.equal(g.findings[1]!.span.start, t.lastIndexOf('""'));
    assert.deepEqual(g.dependencies, []);
  });

  it('spans an escaped constraint string as the whole token', () => {
    const t = '[tool.poetry.dependencies]\nnumpy = "\\u005e1.2"\n';
    const g = parsePyproject(FILE, t);
    assert.deepEqual(g.findings, []);
    const [numpy] = deps(g, 'numpy');
    assert.deepEqual(numpy!.span, find(t, '"\\u005e1.2"'));
    assert.equal(numpy!.specifier, norm('>=1.2,<2.0'));
  });
});
