// The file-kind table's globs are tested without regexes (the CLI classifies every file of a folder on every start):
// on generated globs and names, `globTest(glob).test(name)` is what `new RegExp(globToRegExpSource(glob), 'i')` says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FILE_KINDS, globTest, globToRegExpSource } from '../../server/src/workspace/file-kinds';
import { rng } from '../../bench/scenarios';

const GLOB_PIECES = ['*', 'req', 'uirements', '.txt', '.in', '/', '-', 'conda', '.', 'yml', 'Lock', 'a', 'e', 'x'];
const NAME_PIECES = [...GLOB_PIECES.filter((p) => p !== '*'), 'REQ', 'A', 'E', '\u0131', '\u017f', '\u212a', 'é', ''];

test('a glob of the table matches what its regex matches', () => {
  const r = rng(23);
  const pick = (pieces: string[], n: number) => {
    let s = '';
    for (let k = 0; k < n; k++) s += pieces[Math.floor(r() * pieces.length)];
    return s;
  };
  const globs = [...FILE_KINDS.flatMap((k) => [...k.globs, ...(k.except ?? [])])];
  for (let i = 0; i < 400; i++) globs.push(pick(GLOB_PIECES, 1 + Math.floor(r() * 6)));
  let matched = 0;
  for (const glob of globs) {
    const re = new RegExp(globToRegExpSource(glob), 'i');
    const fast = globTest(glob);
    const literal = glob.replace(/\*/g, '');
    // The glob's own text with letters that fold to ASCII under Unicode rules (dotless i, long s, Kelvin sign).
    const confusable = literal.replace(/i/g, '\u0131').replace(/s/g, '\u017f').replace(/k/gi, '\u212a');
    const names = [glob, literal, glob.replace(/\*/g, 'x/y'), glob.toUpperCase(), confusable];
    for (let i = 0; i < 60; i++) names.push(pick(NAME_PIECES, Math.floor(r() * 7)));
    for (const name of names) {
      const want = re.test(name);
      assert.equal(fast.test(name), want, JSON.stringify({ glob, name }));
      if (want) matched++;
    }
  }
  assert.ok(matched > 1000, `names that match (${matched})`);
});

test('letters compare without ASCII case only: a character outside ASCII never equals one inside', () => {
  assert.ok(globTest('requirements*.txt').test('REQUIREMENTS-dev.TXT'));
  assert.ok(!globTest('requirements*.txt').test('requ\u0131rements.txt'), 'dotless i is not i');
  assert.ok(!globTest('setup.cfg').test('\u017fetup.cfg'), 'long s is not s');
  assert.ok(!globTest('poetry.lock').test('poetry.loc\u212a'), 'the Kelvin sign is not k');
  assert.ok(!globTest('requirements/*.txt').test('requirements/sub/x.txt'), '* stops at a folder');
});
