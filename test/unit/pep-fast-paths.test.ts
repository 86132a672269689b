// The fast paths in front of packaging's specifier regexes (compiling those costs the CLI milliseconds) give
// exactly what the full regexes give, on generated specifier-like text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { specifierAt, specifierAtFull } from '../../server/src/pep/marker';
import { PY_WS } from '../../server/src/pep/version';
import { SIMPLE_SPECIFIER, SPECIFIER_BODY } from '../../server/src/pep/specifier';
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
      if (SIMPLE_SPECIFIER.test(text)) {
        accepted++;
        assert.ok(full.test(text), text);
      }
    }
    assert.ok(accepted > 200, `the generated text reaches the fast path (${accepted})`);
  });
});
