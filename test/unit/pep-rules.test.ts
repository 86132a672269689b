// Readable unit tests of the PEP 440/508 rules that are easy to get wrong; the differential test covers the rest.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Version, compareVersions } from '../../server/src/pep/version';
import { Specifier, SpecifierError, SpecifierSet } from '../../server/src/pep/specifier';
import { Marker, MarkerError, defaultEnvironment } from '../../server/src/pep/marker';
import { parseRequirement, RequirementError } from '../../server/src/pep/requirement';
import { canonicalizeName, isValidName } from '../../server/src/pep/name';
import { VersionSet } from '../../server/src/pep/version-set';

const v = (s: string): Version => {
  const r = Version.parse(s);
  assert.ok(r, `valid version ${s}`);
  return r;
};
const spec = (s: string): Specifier => Specifier.parse(s);
const set = (s: string): VersionSet => VersionSet.fromSpecifierSet(SpecifierSet.parse(s));

describe('pep: versions', () => {
  it('normalizes spellings like packaging', () => {
    assert.equal(v(' v1.0-Alpha_1 ').toString(), '1.0a1');
    assert.equal(v('1.0-1').toString(), '1.0.post1');
    assert.equal(v('1.0.rev').toString(), '1.0.post0');
    assert.equal(v('1.0c1').toString(), '1.0rc1');
    assert.equal(v('1.0dev').toString(), '1.0.dev0');
    assert.equal(v('1.0+Ubuntu-01.x').toString(), '1.0+ubuntu.1.x');
    assert.equal(v('1!01.002').toString(), '1!1.2');
    assert.equal(v('99999999999999999999999.1').toString(), '99999999999999999999999.1');
  });

  it('rejects what packaging rejects', () => {
    for (const bad of ['', '1..0', '1.0+', '1.0.post.post', 'a1', '1.0\ufeff', '١.٠', '1.0-', '1.0a1a2'])
      assert.equal(Version.parse(bad), null, bad);
    // Python's \s includes U+001C and U+0085, which JS's \s does not.
    assert.equal(v('1.0\x1c').toString(), '1.0');
    assert.equal(v('\x851.0').toString(), '1.0');
  });

  it('orders dev < pre < final < post, trailing zeros equal, locals after their public version', () => {
    const order = [
      '1.0.dev0',
      '1.0a1.dev1',
      '1.0a1',
      '1.0a1.post1',
      '1.0b1',
      '1.0rc1',
      '1.0',
      '1.0+abc',
      '1.0+abc.1',
      '1.0+1',
      '1.0.post1.dev1',
      '1.0.post1',
      '1.1.dev0',
    ];
    const sorted = [...order].reverse().map(v).sort(compareVersions).map(String);
    assert.deepEqual(
      sorted,
      order.map((s) => v(s).toString()),
    );
    assert.equal(v('1.0.0').compare(v('1')), 0);
    assert.ok(v('1.0+a').compare(v('1.0+0')) < 0, 'string local segments sort before numeric ones');
    assert.ok(v('1!0.1').compare(v('2.0')) > 0, 'epoch first');
    assert.ok(v('100000000000000000001').compare(v('100000000000000000000')) > 0, 'unbounded integers');
  });
});

describe('pep: specifiers', () => {
  it('handles the known tricky cases', () => {
    assert.equal(spec('>0.2rc1').contains('0.2.0'), true);
    assert.equal(spec('!=0.0.*').contains('0'), false);
    assert.equal(spec('>2c1').contains('2.0'), true);
  });

  it('applies the local-version rules', () => {
    assert.equal(spec('==1.0').contains('1.0+local'), true);
    assert.equal(spec('==1.0+a').contains('1.0+b'), false);
    assert.equal(spec('==1.0+a').contains('1.0+A'), true);
    assert.equal(spec('>1.0').contains('1.0+local'), false);
    assert.equal(spec('<=1.0').contains('1.0+local'), true);
    assert.equal(spec('==1.2.*').contains('1.2.5+local'), true);
  });

  it('excludes post-releases from >V and pre-releases of V from <V', () => {
    assert.equal(spec('>1.0').contains('1.0.post1'), false);
    assert.equal(spec('>1.0.post1').contains('1.0.post2'), true);
    assert.equal(spec('<1.0').contains('1.0rc1', true), false);
    assert.equal(spec('<1.0rc2').contains('1.0rc1'), true);
    assert.equal(spec('<1.0').contains('0.9rc1', true), true);
  });

  it('implements ~= and wildcards', () => {
    assert.equal(spec('~=1.4.2').contains('1.4.9'), true);
    assert.equal(spec('~=1.4.2').contains('1.5'), false);
    assert.equal(spec('~=1.4').contains('1.9'), true);
    assert.equal(spec('==1.2.*').contains('1.2'), true);
    assert.equal(spec('==1.2.*').contains('1.20'), false);
    assert.equal(spec('===1.0').contains('1.0'), true);
    assert.equal(spec('===1.0').contains('1.0.0'), false);
    assert.equal(spec('===foo').contains('FOO'), true);
  });

  it('follows the prereleases argument and the specifier-implied default', () => {
    const s = SpecifierSet.parse('>=1.0');
    assert.equal(s.contains('2.0a1'), true, 'a single candidate pre-release matches when nothing excludes it');
    assert.equal(s.contains('2.0a1', false), false);
    assert.deepEqual(s.filter(['1.0', '2.0a1'].map(v)).map(String), ['1.0']);
    assert.deepEqual(s.filter(['2.0a1'].map(v)).map(String), ['2.0a1']);
    assert.equal(SpecifierSet.parse('>=1.0a1').prereleases, true);
    assert.deepEqual(SpecifierSet.parse('>=1.0a1').filter(['1.0', '2.0a1'].map(v)).map(String), ['1.0', '2.0a1']);
  });

  it('rejects invalid specifiers and prints sets like packaging', () => {
    for (const bad of ['>=1.0+local', '<1.0.*', '~=1', '=1.0', 'lolwat', '==1.0a1.*'])
      assert.throws(() => spec(bad), SpecifierError, bad);
    assert.equal(SpecifierSet.parse(' >=1.0 , != 1.3 ').toString(), '!=1.3,>=1.0');
    assert.equal(SpecifierSet.parse('==1.0,==1.0.0').toString(), '==1.0');
    assert.throws(
      () => SpecifierSet.parse('>=1.0, lolwat'),
      (e: SpecifierError) => e.offset === 7,
    );
  });
});

describe('pep: markers', () => {
  const linux = defaultEnvironment({ pythonVersion: '3.11.4', platform: 'linux' });
  it('prints like packaging', () => {
    assert.equal(
      Marker.parse("python_version>='3.8'and(os_name=='nt')").toString(),
      'python_version >= "3.8" and os_name == "nt"',
    );
    assert.equal(
      Marker.parse("(a_ok == 'x' or 'y' in extra) and os.name == 'posix'".replace('a_ok', 'os_name')).toString(),
      '(os_name == "x" or "y" in extra) and os_name == "posix"',
    );
    assert.equal(Marker.parse("extra == 'Foo_Bar'").toString(), 'extra == "foo-bar"');
  });
  it('evaluates versions as versions and the rest as strings', () => {
    assert.equal(Marker.parse("python_version >= '3.8'").evaluate(linux), true);
    assert.equal(Marker.parse("python_version > '3.11.0'").evaluate(linux), false, '3.11 is not > 3.11.0');
    assert.equal(Marker.parse("python_full_version >= '3.11.4'").evaluate(linux), true);
    assert.equal(Marker.parse("sys_platform == 'win32' or platform_machine == 'x86_64'").evaluate(linux), true);
    assert.equal(Marker.parse("os_name < 'z'").evaluate(linux), false, 'non-version < is False');
    assert.equal(Marker.parse("extra == 'test-extra'").evaluate({ ...linux, extra: 'Test_Extra' }), true);
    assert.throws(() => Marker.parse("os_name ~= 'x'").evaluate(linux));
  });
  it('reports syntax errors with packaging message and span', () => {
    assert.throws(
      () => Marker.parse("os_name = 'a'"),
      (e: MarkerError) => e.message.startsWith('Expected marker operator') && e.offset === 8,
    );
  });
});

describe('pep: requirements', () => {
  it('parses every part with spans', () => {
    const text = 'Requests [security, socks] (>=2.8.1, ==2.8.*) ; python_version < "2.7"';
    const r = parseRequirement(text);
    assert.equal(r.name, 'Requests');
    assert.deepEqual(r.extras, ['security', 'socks']);
    assert.equal(r.specifier, '==2.8.*,>=2.8.1');
    assert.equal(text.slice(r.extrasSpan!.start, r.extrasSpan!.end), '[security, socks]');
    assert.equal(text.slice(r.specifierSpan!.start, r.specifierSpan!.end), '(>=2.8.1, ==2.8.*)');
    assert.equal(text.slice(r.markerSpan!.start, r.markerSpan!.end), 'python_version < "2.7"');
    assert.equal(r.markerText, 'python_version < "2.7"');
    const u = parseRequirement('pkg @ https://x.org/p.whl ; os_name == "nt"');
    assert.equal(u.url, 'https://x.org/p.whl');
    assert.equal(u.specifierSpan, null);
  });
  it('rejects like packaging, at the fault', () => {
    const cases: [string, string, number][] = [
      ['name>=1.0.*', '.* suffix can only be used with `==` or `!=` operators', 4],
      ['name[a b]', 'Expected comma between extra names', 7],
      ['name @ https://x os_name', 'Expected semicolon (after URL and whitespace) or end', 7],
      ['name extra', 'Expected semicolon (after name with no version specifier) or end', 5],
      ['-foo', 'Expected package name at the start of dependency specifier', 0],
    ];
    for (const [text, message, offset] of cases) {
      assert.throws(
        () => parseRequirement(text),
        (e: RequirementError) => e.message === message && e.offset === offset,
        text,
      );
    }
  });
});

describe('pep: names', () => {
  it('canonicalizes like PEP 503 and validates like PEP 508', () => {
    assert.equal(canonicalizeName('Oslo.Concurrency__x'), 'oslo-concurrency-x');
    assert.equal(isValidName('foo-'), false);
    assert.equal(isValidName('a'), true);
  });
});

describe('pep: VersionSet', () => {
  it('is exact at the awkward boundaries', () => {
    const gt = set('>1.0');
    for (const s of ['1.0', '1.0+local', '1.0.post5', '1.0.post5+x']) assert.equal(gt.contains(v(s)), false, s);
    for (const s of ['1.0.0.0.1.dev0', '1.1.dev0', '1.0.1']) assert.equal(gt.contains(v(s)), true, s);
    const lt = set('<1.0');
    assert.equal(lt.contains(v('1.0.dev0')), false);
    assert.equal(lt.contains(v('0.999')), true);
    const wild = set('==1.2.*');
    for (const s of ['1.2.dev0', '1.2+x', '1.2.99.post3']) assert.equal(wild.contains(v(s)), true, s);
    assert.equal(wild.contains(v('1.3.dev0')), false);
    assert.equal(set('==1.0').contains(v('1.0+anything')), true);
  });
  it('finds emptiness and witnesses, and prints readably', () => {
    assert.equal(set('>=2.0,<1.0').isEmpty(), true);
    assert.equal(set('==1.0,!=1.0').isEmpty(), true);
    assert.equal(set('>1.0,<1.0.1').witness()?.toString(), '1.0.0.1');
    assert.equal(set('>=1.24,<2').toString(), '>=1.24, <2');
    assert.equal(set('>=1.24,<2').witness()?.toString(), '1.24');
    assert.equal(set('').isFull(), true);
    assert.ok(set('<1.0rc1').union(set('>=1.0rc1')).isFull());
    assert.equal(
      set('<1').union(set('>=1')).complement().witness()?.toString(),
      '1.dev0',
      '<1 leaves out the pre-releases of 1',
    );
    assert.ok(set('~=1.4.2').equals(set('>=1.4.2,==1.4.*')));
    assert.ok(set('==1.4.*').complement().equals(set('!=1.4.*')));
  });
});
