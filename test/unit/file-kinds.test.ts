// The file-kind table: what each name is read as, and package.json held to the table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { classify, FILE_KINDS, manifestEntries, workspaceGlobs } from '../../server/src/workspace/file-kinds';

describe('file kinds', () => {
  it('classifies names as DESIGN.md and the issues say', () => {
    const cases: [string, string | null][] = [
      ['/w/requirements.txt', 'requirements'],
      ['/w/requirements-dev.txt', 'requirements'],
      ['/w/dev-requirements.txt', 'requirements'],
      ['/w/test.requirements.txt', 'requirements'],
      ['/w/requirements/base.txt', 'requirements'],
      ['/w/requirements/base.in', 'requirements'],
      ['/w/requirements.in', 'requirements'],
      ['/w/requirements-dev.in', 'requirements'],
      ['/w/REQUIREMENTS.TXT', 'requirements'],
      ['C:\\w\\requirements\\gpu.txt', 'requirements'],
      ['/w/constraints.txt', 'constraints'],
      ['/w/constraints-cu121.txt', 'constraints'],
      ['/w/requirements/constraints.txt', 'constraints'],
      ['/w/environment.yml', 'conda'],
      ['/w/environment.yaml', 'conda'],
      ['/w/gpu.environment.yml', 'conda'],
      ['/w/conda-linux.yml', 'conda'],
      ['/w/pyproject.toml', 'pyproject'],
      ['/w/MANIFEST.in', null],
      ['/w/setup.in', null],
      ['/w/notes.txt', null],
      ['/w/docs/requirements-notes.md', null],
      ['/w/environment.yml.bak', null],
      ['/w/requirements/readme.md', null],
    ];
    for (const [p, kind] of cases) assert.equal(classify(p), kind, p);
  });

  it('has one rule per kind, each with globs', () => {
    assert.deepEqual(FILE_KINDS.map((r) => r.kind).sort(), ['conda', 'constraints', 'pyproject', 'requirements']);
    for (const r of FILE_KINDS) assert.ok(r.globs.length > 0, r.kind);
  });

  it('every workspace glob names files of its kind', () => {
    for (const r of FILE_KINDS) {
      for (const g of r.globs) {
        const example = '/w/' + g.replace(/\*/g, 'x');
        assert.equal(classify(example), r.kind, `${g} -> ${example}`);
      }
    }
    assert.equal(
      workspaceGlobs().length,
      FILE_KINDS.reduce((n, r) => n + r.globs.length, 0),
    );
  });

  it("package.json's activation events, language patterns and menus match the table", () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    const want = manifestEntries();
    assert.deepEqual(
      pkg.activationEvents.filter((e: string) => e.startsWith('workspaceContains:')),
      want.activationEvents,
    );
    const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'pip-requirements');
    assert.deepEqual(lang.filenamePatterns, want.filenamePatterns);
    assert.equal(lang.extensions, undefined, 'no extension-wide patterns: MANIFEST.in is not a requirements file');
    for (const menu of ['editor/title', 'explorer/context']) {
      const item = pkg.contributes.menus[menu].find(
        (m: { command: string }) => m.command === 'stackDoctor.installIntoEnvironment',
      );
      assert.equal(item.when, want.installWhen, menu);
    }
  });

  it('the menu condition regexes accept the names of their kind and no others', () => {
    const { installWhen } = manifestEntries();
    const regexes = [...installWhen.matchAll(/=~ \/(.+?)\/i/g)].map((m) => new RegExp(m[1]!, 'i'));
    assert.equal(regexes.length, 2);
    const [constraints, conda] = regexes as [RegExp, RegExp];
    assert.ok(constraints.test('constraints-gpu.txt') && !constraints.test('requirements.txt'));
    assert.ok(
      conda.test('environment.yml') &&
        conda.test('gpu.environment.yaml') &&
        conda.test('conda-osx.yml') &&
        !conda.test('environment.yml.bak'),
    );
  });
});
