// The fast paths in front of packaging's specifier and version regexes (compiling those costs the CLI milliseconds)
// give exactly what the full regexes give, on generated specifier-like and version-like text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { specifierAt, specifierAtFull } from '../../server/src/pep/marker';
import { PY_WS, versionPartsFast, versionPartsFull } from '../../server/src/pep/version';
import { isSimpleSpecifier, SPECIFIER_BODY } from '../../server/src/pep/specifier';
import { rng } from '../../bench/scenarios';

const PIECES = [
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '~=',
  '===',
  '=',
  '1',
  '2',
  '0',
  '10',
  '.',
  '.*',
  '*',
  '!',
  '+',
  '-',
  '_',
  'a',
  'b',
  'rc',
  'RC',
  'post',
  'dev',
  'v',
  'V',
  'x',
  ' ',
  '\t',
  ',',
  ';',
  ')',
  '(',
  '[',
  ']',
  '#',
  '@',
  '\u00a0',
  '\u0131',
  '\u017f',
  '\u2003',
  'pre',
  'r',
  'local',
  'é',
];

function generated(count: number, seed: number): string[] {
  const next = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = PIECES[Math.floor(next() * 7)]!; // most start with an operator
    const n = Math.floor(next() * 8);
    for (let j = 0; j < n; j++) s += PIECES[Math.floor(next() * PIECES.length)]!;
    out.push(s);
  }
  return out;
}

describe('pep: specifier fast paths', () => {
  it('a specifier at a position: the fast path matches what the full regex matches', () => {
    let simple = 0;
    for (const text of [
      ...generated(20_000, 7),
      '>=1.0,<2',
      '==1.0rc1',
      '~=1.4.2 ;',
      '<3.0)',
      '==1.*',
      '>=1.0+local',
    ]) {
      for (const pos of [0, 1]) {
        assert.equal(specifierAt(text, pos), specifierAtFull(text, pos), JSON.stringify({ text, pos }));
        if (/^(==|!=|<=|>=|<|>|~=)[0-9]/.test(text.slice(pos))) simple++;
      }
    }
    assert.ok(simple > 1000, `the generated text reaches the fast path (${simple})`);
  });

  it('the simple whole-specifier shape is only ever text the full regex accepts', () => {
    const full = new RegExp(`^[${PY_WS}]*${SPECIFIER_BODY}[${PY_WS}]*$`, 'i');
    let accepted = 0;
    for (const text of [...generated(20_000, 11), '==1.2.3', '~=1.4', '<3', '>=10.0.1']) {
      if (isSimpleSpecifier(text)) {
        accepted++;
        assert.ok(full.test(text), text);
      }
    }
    assert.ok(accepted > 200, `the generated text reaches the fast path (${accepted})`);
  });

  it('a version in its usual written form has the parts the full regex gives it', () => {
    const pieces = [
      '1',
      '0',
      '2',
      '10',
      '007',
      '.',
      '!',
      'a',
      'b',
      'c',
      'rc',
      'RC',
      'alpha',
      '.post',
      'post',
      '-',
      '_',
    ];
    pieces.push('.dev', 'dev', '+', 'local', ' ', 'v', '*', 'é');
    const r = rng(17);
    let fast = 0;
    for (let n = 0; n < 30_000; n++) {
      let text = '';
      for (let k = 1 + Math.floor(r() * 7); k > 0; k--) text += pieces[Math.floor(r() * pieces.length)];
      const quick = versionPartsFast(text);
      if (quick === null) continue;
      fast++;
      assert.deepEqual(quick, versionPartsFull(text), JSON.stringify(text));
    }
    for (const text of ['1.0', '0!3', '2!1.0rc1.post2.dev3', '1.0a1', '1.0b02', '01.002', '1.0.post1', '1.0.dev0'])
      assert.deepEqual(versionPartsFast(text), versionPartsFull(text), text);
    assert.ok(fast > 800, `the generated text reaches the fast path (${fast})`);
  });

  it('specifiers with pre-release, post and dev tails: the fast path matches what the full regex matches', () => {
    const texts = ['>=1.0b2', '==2.0rc1', '<3.0.dev0', '~=1.4.post1', '!=1.0a1.post2.dev3', '>1.0rc', '>=1.0b2x'];
    texts.push('==1.0rc1.*', '==1.0+local', '<=2.0.post', '>=1.0a1 ; x', '<1.0.dev1,>0', '==2.*', '!=3.11.*,<4');
    texts.push('~=1.2.*', '<1.*', '==1.*x', '==1.*.*');
    for (const text of texts) {
      assert.equal(specifierAt(text, 0), specifierAtFull(text, 0), text);
      if (isSimpleSpecifier(text)) assert.ok(new RegExp(`^${SPECIFIER_BODY}$`, 'i').test(text), text);
    }
    assert.ok(isSimpleSpecifier('>=1.0b2') && isSimpleSpecifier('~=1.4.post1') && !isSimpleSpecifier('>1.0rc'));
    assert.ok(isSimpleSpecifier('==2.*') && isSimpleSpecifier('!=3.11.*') && !isSimpleSpecifier('~=1.2.*'));
  });
});
