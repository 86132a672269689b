// Wheel tags, file names and candidate rules: sysTags against packaging.tags fixtures, filename parsing, pip's
// pre-release/yanked rules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SpecifierSet } from '../../server/src/pep/specifier';
import { Version } from '../../server/src/pep/version';
import { evaluateFiles, pipFilterVersions, selectVersions, type Target } from '../../server/src/index/candidates';
import { parseSdistFilename, parseWheelFilename, tagString } from '../../server/src/pep/filenames';
import type { DistributionFile } from '../../server/src/index/simple';
import { TagPriority, sysTags, type TagTarget } from '../../server/src/index/tags';

const fixtures = JSON.parse(readFileSync(path.join(__dirname, '../../../test/fixtures/index/tags.json'), 'utf8')) as {
  cases: { target: TagTarget; tags: string[] }[];
};

test('sysTags equals packaging.tags for every fixture target', () => {
  assert.ok(fixtures.cases.length >= 10);
  for (const c of fixtures.cases) assert.deepEqual(sysTags(c.target).map(tagString), c.tags, JSON.stringify(c.target));
});

test('wheel file names parse as packaging does', () => {
  const w = parseWheelFilename('Foo.Bar-1.0rc1-2b-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
  assert.equal(w.name, 'foo-bar');
  assert.equal(w.version.toString(), '1.0rc1');
  assert.deepEqual(w.build, [2, 'b']);
  assert.deepEqual(w.tags.map(tagString), ['cp311-cp311-manylinux_2_17_x86_64', 'cp311-cp311-manylinux2014_x86_64']);
  assert.throws(() => parseWheelFilename('foo-1.0-py3-none.whl'), /wrong number of parts/);
  assert.throws(() => parseWheelFilename('foo__bar-1.0-py3-none-any.whl'), /Invalid project name/);
  assert.throws(() => parseWheelFilename('foo-x.y-py3-none-any.whl'), /invalid version/);
  assert.throws(() => parseWheelFilename('foo-1.0-x-py3-none-any.whl'), /Invalid build number/);
  const s = parseSdistFilename('python-dateutil-2.8.2.tar.gz', 'python_dateutil');
  assert.equal(s.name, 'python-dateutil');
  assert.equal(s.version.toString(), '2.8.2');
  assert.equal(parseSdistFilename('foo-1.0.zip').version.toString(), '1.0');
  assert.throws(() => parseSdistFilename('bar-1.0.tar.gz', 'foo'));
});

test('tag priority ranks manylinux, abi3 and pure wheels as pip does', () => {
  const p = new TagPriority({
    python: [3, 11],
    os: 'linux',
    arch: 'x86_64',
    libc: { kind: 'glibc', version: [2, 28] },
  });
  const best = p.priority('cp311-cp311-manylinux_2_17_x86_64');
  const abi3 = p.priority('cp38-abi3-manylinux2014_x86_64');
  const pure = p.priority('py3-none-any');
  assert.ok(best >= 0 && abi3 > best && pure > abi3);
  assert.equal(p.priority('cp311-cp311-manylinux_2_34_x86_64'), -1, 'needs a newer glibc');
  assert.equal(p.priority('cp311-cp311-musllinux_1_1_x86_64'), -1);
  assert.equal(p.priority('cp312-cp312-manylinux_2_17_x86_64'), -1);
  assert.equal(p.priority('cp311-cp311-win_amd64'), -1);
  const mac = new TagPriority({ python: [3, 12], os: 'macos', arch: 'arm64', macos: [14, 0] });
  assert.ok(mac.priority('cp312-cp312-macosx_10_9_universal2') >= 0);
  assert.equal(mac.priority('cp312-cp312-macosx_10_9_x86_64'), -1);
});

const target: Target = {
  tags: { python: [3, 11], os: 'linux', arch: 'x86_64', libc: { kind: 'glibc', version: [2, 31] } },
  pythonFullVersion: '3.11.7',
  markers: {},
};
function file(filename: string, extra: Partial<DistributionFile> = {}): DistributionFile {
  return {
    filename,
    url: `https://example.invalid/${filename}`,
    hashes: {},
    requiresPython: null,
    yanked: false,
    coreMetadata: false,
    size: null,
    source: 'test',
    ...extra,
  };
}
const versionsOf = (vs: { version: Version; files: unknown[] }[]): string[] =>
  vs.filter((v) => v.files.length > 0).map((v) => v.version.toString());

test('candidates: tags, requires-python, yanked only when pinned, pre-releases as pip 23 allows', () => {
  const files = [
    file('demo-1.0-py3-none-any.whl'),
    file('demo-1.1-cp311-cp311-manylinux_2_17_x86_64.whl'),
    file('demo-1.2-cp311-cp311-win_amd64.whl'),
    file('demo-1.3-py3-none-any.whl', { requiresPython: '>=3.12' }),
    file('demo-1.4-py3-none-any.whl', { yanked: 'broken' }),
    file('demo-2.0b1-py3-none-any.whl'),
    file('demo-1.5.tar.gz'),
    file('other-9.0-py3-none-any.whl'),
    file('demo-1.6-py3-none-any.whl', { requiresPython: 'not a specifier' }),
  ];
  const verdicts = evaluateFiles('demo', files, target, new TagPriority(target.tags));
  const reasons = Object.fromEntries(verdicts.map((v) => [v.file.filename, v.excluded?.reason ?? 'ok']));
  assert.equal(reasons['demo-1.2-cp311-cp311-win_amd64.whl'], 'incompatible-tags');
  assert.equal(reasons['demo-1.3-py3-none-any.whl'], 'requires-python');
  assert.equal(reasons['other-9.0-py3-none-any.whl'], 'wrong-project');
  assert.equal(reasons['demo-1.6-py3-none-any.whl'], 'ok', 'an invalid requires-python is ignored, as pip does');
  assert.deepEqual(versionsOf(selectVersions(verdicts, new SpecifierSet(), false)), ['1.6', '1.5', '1.1', '1.0']);
  assert.deepEqual(versionsOf(selectVersions(verdicts, SpecifierSet.parse('>=1.0'), true)), [
    '2.0b1',
    '1.6',
    '1.5',
    '1.1',
    '1.0',
  ]);
  assert.deepEqual(versionsOf(selectVersions(verdicts, SpecifierSet.parse('>=2.0b1'), false)), ['2.0b1']);
  assert.deepEqual(
    versionsOf(selectVersions(verdicts, SpecifierSet.parse('==1.4'), false)),
    ['1.4'],
    'a pinned yanked version is allowed',
  );
  assert.deepEqual(
    versionsOf(selectVersions(verdicts, SpecifierSet.parse('>=1.4,<1.5'), false)),
    [],
    'an unpinned yanked version is not',
  );
  const excluded = selectVersions(verdicts, SpecifierSet.parse('>=1.0'), false).find(
    (v) => v.version.toString() === '1.4',
  );
  assert.equal(excluded?.excluded?.reason, 'yanked');
  assert.equal(
    selectVersions(verdicts, SpecifierSet.parse('>=1.0'), false).find((v) => v.version.toString() === '2.0b1')?.excluded
      ?.reason,
    'prerelease',
  );
  // The sdist is the only file of 1.5; a wheel of the same version would be preferred.
  const best = selectVersions(
    evaluateFiles(
      'demo',
      [
        file('demo-1.0.tar.gz'),
        file('demo-1.0-py3-none-any.whl'),
        file('demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl'),
      ],
      target,
      new TagPriority(target.tags),
    ),
    new SpecifierSet(),
    false,
  )[0]!;
  assert.deepEqual(
    best.files.map((f) => f.file.filename),
    ['demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', 'demo-1.0-py3-none-any.whl', 'demo-1.0.tar.gz'],
  );
});

test('pipFilterVersions follows the packaging 21.3 rules vendored in pip 23.2', () => {
  const vs = ['1.0', '2.0b1'].map((v) => Version.parse(v)!);
  const f = (spec: string, list = vs, pre = false): string[] =>
    pipFilterVersions(SpecifierSet.parse(spec), list, pre).map(String);
  assert.deepEqual(f(''), ['1.0']);
  assert.deepEqual(f('', [Version.parse('2.0b1')!]), ['2.0b1']);
  assert.deepEqual(
    f('>=1.0', [Version.parse('2.0b1')!]),
    [],
    'with a specifier, only-pre-releases is no match in pip 23',
  );
  assert.deepEqual(f('<3.0b1'), ['1.0'], '`<` never implies pre-releases in packaging 21.3');
  assert.deepEqual(f('>=1.0', vs, true), ['1.0', '2.0b1']);
  assert.deepEqual(f('==2.0b1'), ['2.0b1']);
});
