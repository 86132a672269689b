// Conda version ordering and version-spec matching, checked against the examples of conda's own docs and tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CondaVersion, CondaVersionSpec, condaVersionSpecMatches } from '../../server/src/conda-spec/version';

function v(s: string): CondaVersion {
  const parsed = CondaVersion.parse(s);
  assert.ok(parsed, `expected '${s}' to parse`);
  return parsed;
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Asserts the list is in ascending order, with `==` marking equal neighbours. */
function assertChain(chain: string[]): void {
  for (let i = 1; i < chain.length; i++) {
    const prevText = chain[i - 1]!.replace(/^== /, '');
    const cur = chain[i]!;
    const eq = cur.startsWith('== ');
    const curText = cur.replace(/^== /, '');
    const c = v(prevText).compare(v(curText));
    if (eq) assert.equal(c, 0, `${prevText} == ${curText}`);
    else {
      assert.ok(c < 0, `${prevText} < ${curText}`);
      assert.ok(v(curText).compare(v(prevText)) > 0, `${curText} > ${prevText}`);
    }
  }
}

describe('CondaVersion ordering', () => {
  it('follows the order in the VersionOrder docstring', () => {
    assertChain([
      // The docstring writes `0.4 < 0.4.0`, but its fill rule (and test_version_order's `0.4 == 0.4.0`) makes them
      // equal.
      '0.4',
      '== 0.4.0',
      '0.4.1.rc',
      '== 0.4.1.RC',
      '0.4.1',
      '0.5a1',
      '0.5b3',
      '0.5C1',
      '0.5',
      '0.9.6',
      '0.960923',
      '1.0',
      '1.1dev1',
      '1.1_',
      '1.1a1',
      '1.1.0dev1',
      '== 1.1.dev1',
      '1.1.a1',
      '1.1.0rc1',
      '1.1.0',
      '== 1.1',
      '1.1.0post1',
      '== 1.1.post1',
      '1.1post1',
      '1996.07.12',
      '1!0.4.1',
      '1!3.1.1.6',
      '2!0.4.1',
    ]);
  });

  // conda tests/models/test_version.py::test_version_order, in its sorted order.
  const testVersionOrder = [
    '0.4',
    '0.4.0',
    '0.4.1a.vc11',
    '0.4.1.rc',
    '0.4.1.vc11',
    '0.4.1',
    '0.5*',
    '0.5a1',
    '0.5b3',
    '0.5C1',
    '0.5z',
    '0.5za',
    '0.5',
    '0.5_5',
    '0.5-5',
    '0.9.6',
    '0.960923',
    '1.0',
    '1.0.4a3',
    '1.0.4b1',
    '1.0.4',
    '1.1dev1',
    '1.1_',
    '1.1a1',
    '1.1.dev1',
    '1.1.a1',
    '1.1',
    '1.1.post1',
    '1.1.1dev1',
    '1.1.1rc1',
    '1.1.1',
    '1.1.1post1',
    '1.1post1',
    '2g6',
    '2.0b1pr0',
    '2.2be.ta29',
    '2.2be5ta29',
    '2.2beta29',
    '2.2.0.1',
    '3.1.1.6',
    '3.2.p.r0',
    '3.2.pr0',
    '3.2.pr.1',
    '5.5.kw',
    '11g',
    '14.3.1',
    '14.3.1.post26.g9d75ca2',
    '1996.07.12',
    '1!0.4.1',
    '1!3.1.1.6',
    '2!0.4.1',
  ];

  it('sorts the versions of test_version_order into their listed order', () => {
    for (const seed of [7, 8, 9]) {
      const sorted = shuffled(testVersionOrder, seed).sort((a, b) => v(a).compare(v(b)));
      // Equal versions (0.4 and 0.4.0, 0.5_5 and 0.5-5) may come out in either order.
      sorted.forEach((x, i) => assert.equal(v(x).compare(v(testVersionOrder[i]!)), 0, `${x} at ${i}`));
    }
    assert.notEqual(v('0.5').compare(v('0.5_5')), 0);
    for (let i = 1; i < testVersionOrder.length; i++) {
      assert.ok(
        v(testVersionOrder[i - 1]!).compare(v(testVersionOrder[i]!)) <= 0,
        `${testVersionOrder[i - 1]} <= ${testVersionOrder[i]}`,
      );
    }
  });

  it('normalizes to lower case with dashes as underscores', () => {
    for (const s of testVersionOrder) assert.equal(String(v(s)), s.toLowerCase().replace(/-/g, '_'));
    assert.equal(v('  0.4.1.RC  ').compare(v('0.4.1.rc')), 0);
  });

  it('rejects what conda rejects', () => {
    for (const bad of [
      '',
      '  ',
      '3.5&1',
      '5.5++',
      '5.5..mw',
      '!',
      'a!1.0',
      'a!b!1.0',
      '1.2+',
      '+1.2',
      '+1.2+',
      '++',
      '1_2-3',
      '1!',
    ]) {
      assert.equal(CondaVersion.parse(bad), null, `'${bad}' should be invalid`);
    }
  });

  it('compares equal versions as equal', () => {
    assert.equal(v('  0.4.rc  ').compare(v('0.4.RC')), 0);
    assert.equal(v('0.4').compare(v('0.4.0')), 0);
    assert.notEqual(v('0.4').compare(v('0.4.1')), 0);
    assert.equal(v('0.4.a1').compare(v('0.4.0a1')), 0);
    assert.notEqual(v('0.4.a1').compare(v('0.4.1a1')), 0);
    assert.ok(v('0.4.a1').equals(v('0.4.0a1')));
  });

  it('implements startswith as conda does', () => {
    assert.ok(v('0.4.1').startsWith(v('0')));
    assert.ok(v('0.4.1').startsWith(v('0.4')));
    assert.ok(v('0.4.1p1').startsWith(v('0.4')));
    assert.ok(v('0.4.1p1').startsWith(v('0.4.1p')));
    assert.ok(!v('0.4.1p1').startsWith(v('0.4.1q1')));
    assert.ok(!v('0.4').startsWith(v('0.4.1')));
    assert.ok(v('0.4.1+1.3').startsWith(v('0.4.1')));
    assert.ok(v('0.4.1+1.3').startsWith(v('0.4.1+1')));
    assert.ok(!v('0.4.1').startsWith(v('0.4.1+1.3')));
    assert.ok(!v('0.4.1+1').startsWith(v('0.4.1+1.3')));
  });

  it('orders openssl-style versions (test_openssl_convention)', () => {
    const openssl = [
      '1.0.1dev',
      '1.0.1_',
      '1.0.1a',
      '1.0.1b',
      '1.0.1c',
      '1.0.1d',
      '1.0.1r',
      '1.0.1rc',
      '1.0.1rc1',
      '1.0.1rc2',
      '1.0.1s',
      '1.0.1',
      '1.0.1post.a',
      '1.0.1post.b',
      '1.0.1post.z',
      '1.0.1post.za',
      '1.0.2',
    ];
    for (const seed of [1, 2, 3])
      assert.deepEqual(
        shuffled(openssl, seed).sort((a, b) => v(a).compare(v(b))),
        openssl,
      );
  });

  it('orders the PEP 440 test list (test_pep440)', () => {
    const base = [
      '1.0a1',
      '1.0a2.dev456',
      '1.0a12.dev456',
      '1.0a12',
      '1.0b1.dev456',
      '1.0b2',
      '1.0b2.post345.dev456',
      '1.0b2.post345',
      '1.0c1.dev456',
      '1.0c1',
      '1.0c3',
      '1.0rc2',
      '1.0.dev456',
      '1.0',
      '1.0.post456.dev34',
      '1.0.post456',
      '1.1.dev1',
      '1.2.r32+123456',
      '1.2.rev33+123456',
      '1.2+abc',
      '1.2+abc123def',
      '1.2+abc123',
      '1.2+123abc',
      '1.2+123abc456',
      '1.2+1234.abc',
      '1.2+123456',
    ];
    const all = [...base, ...base.map((x) => `1!${x}`)];
    for (let i = 1; i < all.length; i++) assert.ok(v(all[i - 1]!).compare(v(all[i]!)) < 0, `${all[i - 1]} < ${all[i]}`);
    assert.ok(v('0.3.0.dev').compare(v('0.3.3')) < 0); // test_hexrd
  });

  it('compares numbers beyond 2^53 exactly', () => {
    assert.ok(v('20240101000000000001').compare(v('20240101000000000002')) < 0);
    assert.equal(v('1.000000000000000000007').compare(v('1.7')), 0);
  });
});

describe('conda version specs', () => {
  it('evaluates ver_eval examples', () => {
    const cases: [string, string, boolean][] = [
      ['1.7.0', '==1.7', true],
      ['1.7.0', '<=1.7', true],
      ['1.7.0', '<1.7', false],
      ['1.7.0', '>=1.7', true],
      ['1.7.0', '>1.7', false],
      ['1.6.7', '>=1.7', false],
      ['2013a', '>2013b', false],
      ['2013k', '>2013b', true],
      ['3.0.0', '>2013b', false],
      ['1.0.0', '>1.0.0a', true],
      ['1.0.0', '>1.0.0*', true],
      ['1.0', '1.0*', true],
      ['1.0.0', '1.0*', true],
      ['1.0', '1.0.0*', true],
      ['1.0.1', '1.0.0*', false],
      ['2013a', '2013a*', true],
      ['2013a', '2013b*', false],
      ['2013ab', '2013a*', true],
      ['1.3.4', '1.2.4*', false],
      ['1.2.3+4.5.6', '1.2.3*', true],
      ['1.2.3+4.5.6', '1.2.3+4*', true],
      ['1.2.3+4.5.6', '1.2.3+5*', false],
      ['1.2.3+4.5.6', '1.2.4+5*', false],
    ];
    for (const [version, spec, expected] of cases)
      assert.equal(condaVersionSpecMatches(spec, version), expected, `${version} in ${spec}`);
  });

  it('matches 1.7.1 as test_match says', () => {
    const cases: [string, boolean][] = [
      ['1.7.*', true],
      ['1.7.1', true],
      ['1.7.0', false],
      ['1.7', false],
      ['1.5.*', false],
      ['>=1.5', true],
      ['!=1.5', true],
      ['!=1.7.1', false],
      ['==1.7.1', true],
      ['==1.7', false],
      ['==1.7.2', false],
      ['==1.7.1.0', true],
      ['1.7.*|1.8.*', true],
      ['>1.7,<1.8', true],
      ['>1.7.1,<1.8', false],
      ['^1.7.1$', true],
      ['^1\\.7\\.1$', true],
      ['^1\\.7\\.[0-9]+$', true],
      ['^1\\.8.*$', false],
      ['^1\\.[5-8]\\.1$', true],
      ['^[^1].*$', false],
      ['^[0-9+]+\\.[0-9+]+\\.[0-9]+$', true],
      ['^$', false],
      ['^.*$', true],
      ['1.7.*|^0.*$', true],
      ['1.6.*|^0.*$', false],
      ['1.6.*|^0.*$|1.7.1', true],
      ['^0.*$|1.7.1', true],
      ['1.6.*|^.*\\.7\\.1$|0.7.1', true],
      ['*', true],
      ['1.*.1', true],
      ['1.5.*|>1.7,<1.8', true],
      ['1.5.*|>1.7,<1.7.1', false],
    ];
    for (const [spec, expected] of cases) assert.equal(condaVersionSpecMatches(spec, '1.7.1'), expected, spec);
  });

  it('matches a version with a local part against itself', () => {
    for (const s of ['1.7.0', '1.7.0.post123', '1.7.0.post123.gabcdef9', '1.7.0.post123+gabcdef9'])
      assert.ok(condaVersionSpecMatches(s, s), s);
  });

  it('treats = and .* as prefix matches (test_not_eq_star)', () => {
    assert.ok(condaVersionSpecMatches('=3.3', '3.3.1'));
    assert.ok(condaVersionSpecMatches('=3.3', '3.3'));
    assert.ok(!condaVersionSpecMatches('=3.3', '3.4'));
    assert.ok(condaVersionSpecMatches('3.3.*', '3.3.1'));
    assert.ok(condaVersionSpecMatches('3.3.*', '3.3'));
    assert.ok(!condaVersionSpecMatches('3.3.*', '3.4'));
    assert.ok(condaVersionSpecMatches('=3.3.*', '3.3.1'));
    assert.ok(condaVersionSpecMatches('=3.3.*', '3.3'));
    assert.ok(!condaVersionSpecMatches('=3.3.*', '3.4'));
    assert.ok(!condaVersionSpecMatches('!=3.3.*', '3.3.1'));
    assert.ok(condaVersionSpecMatches('!=3.3.*', '3.4'));
    assert.ok(condaVersionSpecMatches('!=3.3.*', '3.4.1'));
    assert.ok(condaVersionSpecMatches('!=3.3', '3.3.1'));
    assert.ok(!condaVersionSpecMatches('!=3.3', '3.3.0.0'));
    assert.ok(!condaVersionSpecMatches('!=3.3.*', '3.3.0.0'));
  });

  it('combines clauses (test_compound_versions)', () => {
    const spec = '>=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*';
    assert.ok(!condaVersionSpecMatches(spec, '2.6.8'));
    assert.ok(condaVersionSpecMatches(spec, '2.7.2'));
    assert.ok(!condaVersionSpecMatches(spec, '3.3'));
    assert.ok(!condaVersionSpecMatches(spec, '3.3.4'));
    assert.ok(condaVersionSpecMatches(spec, '3.4'));
    assert.ok(condaVersionSpecMatches(spec, '3.4a'));
  });

  it('binds , tighter than | and honours parentheses', () => {
    assert.ok(condaVersionSpecMatches('>=1,<2|>3', '3.5'));
    assert.ok(condaVersionSpecMatches('>=1,<2|>3', '1.5'));
    assert.ok(!condaVersionSpecMatches('>=1,<2|>3', '2.5'));
    assert.ok(!condaVersionSpecMatches('>=1,(<2|>3)', '0.5'));
    assert.ok(condaVersionSpecMatches('( (1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1', '2.1'));
    assert.ok(!condaVersionSpecMatches('( (1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1', '1.6'));
    assert.equal(String(CondaVersionSpec.parse('1.7.1*')), '1.7.1.*');
  });

  it('implements ~= (test_compatible_release_versions)', () => {
    assert.ok(condaVersionSpecMatches('~=1.10', '1.11.0'));
    assert.ok(!condaVersionSpecMatches('~=1.10.0', '1.11.0'));
    assert.ok(!condaVersionSpecMatches('~=3.3.2', '3.4.0'));
    assert.ok(!condaVersionSpecMatches('~=3.3.2', '3.3.1'));
    assert.ok(condaVersionSpecMatches('~=3.3.2', '3.3.2.0'));
    assert.ok(condaVersionSpecMatches('~=3.3.2', '3.3.3'));
    assert.ok(condaVersionSpecMatches('~=3.3.2|==2.2', '2.2.0'));
    assert.ok(condaVersionSpecMatches('~=3.3.2|==2.2', '3.3.3'));
    assert.ok(!condaVersionSpecMatches('~=3.3.2|==2.2', '2.2.1'));
  });

  it('treats a bare version as exact and the fuzzy forms as prefixes', () => {
    assert.ok(condaVersionSpecMatches('1.24', '1.24.0'));
    assert.ok(!condaVersionSpecMatches('1.24', '1.24.3'));
    for (const spec of ['1.24.*', '1.24*', '=1.24']) {
      assert.ok(condaVersionSpecMatches(spec, '1.24'), spec);
      assert.ok(condaVersionSpecMatches(spec, '1.24.3'), spec);
      assert.ok(!condaVersionSpecMatches(spec, '1.240'), spec);
      assert.ok(!condaVersionSpecMatches(spec, '1.25.0'), spec);
    }
    assert.ok(condaVersionSpecMatches('>=1.24,<2', '1.26.4'));
    assert.ok(!condaVersionSpecMatches('>=1.24,<2', '2.0.0'));
    assert.ok(condaVersionSpecMatches('1.2|1.3', '1.3'));
    assert.ok(!condaVersionSpecMatches('1.2|1.3', '1.4'));
  });

  it('rejects invalid specs, and matches nothing with them', () => {
    const bad = [
      '><2.4.5',
      '!!2.4.5',
      '!',
      '(1.5',
      '1.5)',
      '1.5||1.6',
      '^1.5',
      '~',
      '^',
      '1.2+',
      '+1.2',
      '+1.2+',
      '++',
      'c +, 0/|0 *',
      'a[version=)|(',
      'a=)(=b',
      '==',
      '=',
      '>=',
      '<=',
      '~=3.3.2.*',
      '===3.3.2',
      '>= 1.2',
      '~=1',
      '',
    ];
    for (const spec of bad) {
      assert.ok('error' in CondaVersionSpec.parse(spec), `'${spec}' should be invalid`);
      assert.equal(condaVersionSpecMatches(spec, '1.0'), false, spec);
    }
  });

  it('returns false for an invalid version rather than throwing', () => {
    assert.equal(condaVersionSpecMatches('>=1.0', 'not a version!'), false);
  });

  it('refuses regexes shaped for catastrophic backtracking', () => {
    assert.ok('error' in CondaVersionSpec.parse('^(a+)+$'));
    const started = Date.now();
    assert.equal(condaVersionSpecMatches('^(a|a)*b$', 'a'.repeat(40)), false);
    assert.ok(Date.now() - started < 10_000);
  });
});
