// Pure editor parts: OSV range evaluation, name suggestions, completion contexts, the project list, core metadata
// fields.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCoreMetadata } from '../../server/src/index/core-metadata';
import {
  fixedAbove,
  isAffected,
  jsonApiFor,
  OsvDatabase,
  rangeIncludes,
  type OsvRecord,
} from '../../server/src/index/osv';
import { parseProjectList, ProjectNames } from '../../server/src/index/project-list';
import { oneEditApart, suggestName } from '../../server/src/knowledge/popular';
import { completionContext } from '../../server/src/lsp/completion';
import { Version } from '../../server/src/pep/version';
import { raiseTo } from '../../server/src/workspace/set-resolution';
import { pinnedVersion } from '../../server/src/workspace/stages/vulnerability-stage';

const v = (s: string) => Version.parse(s)!;
const range = (...events: Record<string, string>[]) => ({ type: 'ECOSYSTEM', events });

describe('OSV ranges (schema: IncludedInRanges, IncludedInVersions)', () => {
  it('introduced 0 with fixed: everything before the fix', () => {
    const r = range({ introduced: '0' }, { fixed: '1.0.2' });
    assert.equal(rangeIncludes(r, v('0.1')), true);
    assert.equal(rangeIncludes(r, v('1.0.1')), true);
    assert.equal(rangeIncludes(r, v('1.0.2')), false);
    assert.equal(rangeIncludes(r, v('2.0')), false);
  });

  it('several introduced/fixed pairs in one range, in any order, compared as PEP 440 (not as strings)', () => {
    const r = range({ introduced: '3.0.0' }, { fixed: '3.2.5' }, { introduced: '1.0.0' }, { fixed: '1.0.10' });
    assert.equal(rangeIncludes(r, v('0.9')), false);
    assert.equal(rangeIncludes(r, v('1.0.9')), true);
    assert.equal(rangeIncludes(r, v('1.0.10')), false);
    assert.equal(rangeIncludes(r, v('2.0')), false);
    assert.equal(rangeIncludes(r, v('3.0')), true);
    assert.equal(rangeIncludes(r, v('3.2.4.post1')), true);
    assert.equal(rangeIncludes(r, v('3.2.5')), false);
    assert.equal(rangeIncludes(r, v('3.2.5rc1')), true);
  });

  it('last_affected is inclusive; limit bounds the range from above', () => {
    const last = range({ introduced: '0' }, { last_affected: '2.1.214' });
    assert.equal(rangeIncludes(last, v('2.1.214')), true);
    assert.equal(rangeIncludes(last, v('2.1.215')), false);
    const limited = range({ introduced: '1.0' }, { limit: '2.0' });
    assert.equal(rangeIncludes(limited, v('1.5')), true);
    assert.equal(rangeIncludes(limited, v('2.0')), false);
    assert.equal(rangeIncludes(range({ introduced: '1.0' }, { limit: '*' }), v('99')), true);
  });

  it('GIT ranges never match versions; versions lists match by PEP 440 equality; withdrawn records never match', () => {
    assert.equal(rangeIncludes({ type: 'GIT', events: [{ introduced: '0' }] }, v('1.0')), false);
    const rec: OsvRecord = {
      id: 'PYSEC-1',
      affected: [{ package: { ecosystem: 'PyPI', name: 'Foo_Bar' }, versions: ['1.0', '1.1.0'] }],
    };
    assert.equal(isAffected(rec, 'foo-bar', v('1.1')), true);
    assert.equal(isAffected(rec, 'foo-bar', v('1.2')), false);
    assert.equal(isAffected(rec, 'other', v('1.0')), false);
    assert.equal(isAffected({ ...rec, withdrawn: '2024-01-01T00:00:00Z' }, 'foo-bar', v('1.0')), false);
    // Another ecosystem's entry with the same name is not PyPI's.
    assert.equal(
      isAffected(
        { id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'foo-bar' }, versions: ['1.0'] }] },
        'foo-bar',
        v('1.0'),
      ),
      false,
    );
  });

  it('names the fixed versions above the affected one, ascending', () => {
    const rec: OsvRecord = {
      id: 'GHSA-1',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'jinja2' },
          ranges: [range({ introduced: '0' }, { fixed: '2.11.3' }, { introduced: '3.0' }, { fixed: '3.1.4' })],
        },
      ],
    };
    assert.deepEqual(fixedAbove(rec, 'jinja2', v('3.1.2')).map(String), ['3.1.4']);
    assert.deepEqual(fixedAbove(rec, 'jinja2', v('2.0')).map(String), ['2.11.3', '3.1.4']);
    const db = new OsvDatabase([rec, { id: 'bad' } as OsvRecord]);
    assert.equal(db.size, 1);
    assert.equal(db.skipped, 1);
    assert.deepEqual(
      db.advisoriesFor('Jinja2', v('3.1.2')).map((a) => [a.id, a.fixed]),
      [['GHSA-1', ['3.1.4']]],
    );
    assert.deepEqual(db.advisoriesFor('jinja2', v('3.1.4')), []);
  });

  it('uses the JSON API only for PyPI or the configured API base', () => {
    const sel = (u: string) => ({ indexUrls: [u], findLinks: [], noIndex: false }) as never;
    assert.equal(jsonApiFor(sel('https://pypi.org/simple'), 'https://pypi.org'), 'https://pypi.org');
    assert.equal(jsonApiFor(sel('https://pypi.org/simple/'), 'http://127.0.0.1:1'), 'https://pypi.org');
    assert.equal(jsonApiFor(sel('http://127.0.0.1:1/simple'), 'http://127.0.0.1:1'), 'http://127.0.0.1:1');
    assert.equal(jsonApiFor(sel('https://private.example/simple'), 'https://pypi.org'), null);
  });

  it('reads pins and raises ranges', () => {
    assert.equal(pinnedVersion('==1.2.3')?.toString(), '1.2.3');
    assert.equal(pinnedVersion('==1.2.*'), null);
    assert.equal(pinnedVersion('>=1'), null);
    assert.equal(raiseTo('>=3.0,<3.1.3', v('3.1.4')), '>=3.1.4');
    assert.equal(raiseTo('>=1.24,<2', v('1.26.4')), '>=1.26.4,<2');
  });
});

describe('misspelled names', () => {
  it('one edit: insertion, deletion, substitution, swap of neighbours', () => {
    assert.equal(oneEditApart('nunpy', 'numpy'), true);
    assert.equal(oneEditApart('numpyy', 'numpy'), true);
    assert.equal(oneEditApart('nmpy', 'numpy'), true);
    assert.equal(oneEditApart('nupmy', 'numpy'), true);
    assert.equal(oneEditApart('nupym', 'numpy'), false);
    assert.equal(oneEditApart('numpy', 'numpy'), false);
  });

  it(
    'suggests the popular project or a known alias; never a name ' +
      'that only differs by normalization or that deprecated covers',
    () => {
      assert.equal(suggestName('nunpy'), 'numpy');
      assert.equal(suggestName('reqeusts'), 'requests');
      assert.equal(suggestName('pytorch'), 'torch');
      assert.equal(suggestName('opencv'), 'opencv-python');
      assert.equal(suggestName('scikitlearn'), 'scikit-learn');
      assert.equal(suggestName('Scikit_Learn'), null);
      assert.equal(suggestName('PyYAML'), null);
      assert.equal(suggestName('sklearn'), null);
      assert.equal(suggestName('pil'), null);
      assert.equal(suggestName('my-private-thing'), null);
    },
  );
});

describe('completion contexts', () => {
  const at = (kind: Parameters<typeof completionContext>[0], text: string) => {
    const offset = text.indexOf('|');
    return completionContext(kind, text.replace('|', ''), offset);
  };

  it('requirements: a name, a version after each operator, nothing on option or comment lines', () => {
    assert.deepEqual(at('requirements', 'nu|'), {
      type: 'name',
      typed: 'nu',
      span: { start: 0, end: 2 },
      style: 'pep508',
    });
    assert.deepEqual(at('requirements', 'numpy[x] >= 1.2|'), {
      type: 'version',
      name: 'numpy',
      typed: '1.2',
      span: { start: 12, end: 15 },
      style: 'pep508',
    });
    assert.equal((at('requirements', 'numpy>=1.0,<|') as { name: string }).name, 'numpy');
    assert.equal(at('requirements', '-r |'), null);
    assert.equal(at('requirements', '# nu|'), null);
    assert.equal(at('requirements', 'numpy; python_version < "3|'), null);
  });

  it('pyproject: strings of dependency arrays, not other strings; Poetry keys and version strings', () => {
    assert.equal(at('pyproject', '[project]\nname = "nu|"\n'), null);
    assert.equal(at('pyproject', '[project]\ndependencies = ["nu|"]\n')?.type, 'name');
    assert.equal(at('pyproject', '[project]\ndependencies = [\n  "a",\n  # "x",\n  "numpy==|"\n]\n')?.type, 'version');
    assert.equal(at('pyproject', '[project]\ndependencies = ["a"]\nkeywords = ["nu|"]\n'), null);
    assert.equal(at('pyproject', '[tool.poetry.group.dev.dependencies]\npyt|\n')?.type, 'name');
    assert.deepEqual(at('pyproject', '[tool.poetry.dependencies]\nnumpy = { version = "^1.2|" }\n'), {
      type: 'version',
      name: 'numpy',
      typed: '1.2',
      span: { start: 49, end: 52 },
      style: 'poetry',
    });
    assert.equal(at('pyproject', '[tool.poetry.dependencies]\npython = "^3|"\n'), null);
  });

  it("environment.yml: the pip part's items; the conda part gets nothing", () => {
    assert.deepEqual(at('conda', 'dependencies:\n  - nu|\n'), { type: 'none' });
    assert.equal(at('conda', 'dependencies:\n  - pip:\n    - nu|\n')?.type, 'name');
    assert.deepEqual(at('conda', 'dependencies:\n  - pip:\n    - x\n  - nu|\n'), { type: 'none' });
  });
});

describe('the project list', () => {
  it('parses PEP 691 JSON and PEP 503 HTML', () => {
    assert.deepEqual(
      parseProjectList(
        '{"meta":{"api-version":"1.1"},"projects":[{"name":"Foo"},{"name":"bar"},{"x":1}]}',
        'application/vnd.pypi.simple.v1+json',
        'u',
      ),
      ['Foo', 'bar'],
    );
    assert.deepEqual(
      parseProjectList(
        '<html><body><a href="/simple/foo/">Foo</a>\n<a href="/simple/a-b/">a&#95;b</a></body></html>',
        'text/html',
        'u',
      ),
      ['Foo', 'a_b'],
    );
    assert.throws(() => parseProjectList('{', 'application/vnd.pypi.simple.v1+json', 'u'));
  });

  it('matches prefixes normalized: exact first, then shorter', () => {
    const names = ProjectNames.from(['scikit-learn', 'scikit_image', 'Scikit-Learn-Extra', 'scipy', 'sci', 'numpy']);
    assert.deepEqual(names.matching('Scikit_L'), ['scikit-learn', 'Scikit-Learn-Extra']);
    assert.deepEqual(names.matching('sci'), ['sci', 'scipy', 'scikit_image', 'scikit-learn', 'Scikit-Learn-Extra']);
    assert.equal(names.has('SCIKIT.IMAGE'), true);
    assert.equal(names.size, 6);
  });
});

describe('core metadata fields', () => {
  it('exposes Summary, Home-page, Project-URL and License (License-Expression first)', () => {
    const md = parseCoreMetadata(
      'Metadata-Version: 2.4\nName: x\nVersion: 1\nSummary: Does x.\nHome-page: https://x.example\nProject-URL: ' +
        'Source, https://github.com/x/x\nLicense: BSD\n        more text\nLicense-Expression: MIT\n\nbody',
    );
    assert.equal(md.summary, 'Does x.');
    assert.equal(md.homePage, 'https://x.example');
    assert.deepEqual(md.projectUrls, [{ label: 'Source', url: 'https://github.com/x/x' }]);
    assert.equal(md.license, 'MIT');
    assert.equal(parseCoreMetadata('Name: x\nLicense: BSD\n  second\n').license, 'BSD');
  });
});
