// conflict-transitive: a line against what a pinned release is known to need, from embedded knowledge.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { applyFixOf, byCode, defaultContext as ctx, expectFindings, indexReport, req } from '../../helpers/check-kit';
import { emptyIndexReport, setOf as set } from '../../helpers/sets';

describe('conflict-transitive from embedded knowledge (no index)', () => {
  const tfSet = (text: string) => set(req('/w/requirements.txt', text));
  it(
    'flags a TensorFlow line whose published numpy cap ' + 'excludes the numpy line, with a fix whose cap admits it',
    () => {
      const s = tfSet('tensorflow==2.13.0\nnumpy>=1.25\n');
      const found = byCode(runChecks([s], ctx), 'conflict-transitive');
      assert.equal(found.length, 1, 'one conflict, one finding');
      const text = s.files[0]!.text;
      assert.equal(text.slice(found[0]!.span.start, found[0]!.span.end), 'tensorflow==2.13.0', 'where its fix edits');
      assert.deepEqual(
        found[0]!.related.map((r) => text.slice(r.span.start, r.span.end)),
        ['numpy>=1.25'],
      );
      assert.equal(
        found[0]!.message.split('\n')[0],
        'tensorflow 2.13 needs numpy>=1.22,<=1.24.3, but line 2 requires numpy>=1.25',
      );
      assert.match(found[0]!.message, /tensorflow 2\.13 needs numpy >=1\.22,<=1\.24\.3/);
      assert.match(found[0]!.message, /setup\.py/);
      const fixed = applyFixOf(
        s,
        found.find((f) => f.fixes.length)!,
      );
      assert.deepEqual(byCode(runChecks([fixed], ctx), 'conflict-transitive'), []);
    },
  );
  it('says nothing where a release admits the versions, or where the index has answered', () => {
    assert.deepEqual(byCode(runChecks([tfSet('tensorflow==2.15.0\nnumpy>=1.25\n')], ctx), 'conflict-transitive'), []);
    assert.deepEqual(byCode(runChecks([tfSet('tensorflow==2.13.0\nnumpy<1.24\n')], ctx), 'conflict-transitive'), []);
    assert.deepEqual(byCode(runChecks([tfSet('tensorflow>=2.13\nnumpy>=1.25\n')], ctx), 'conflict-transitive'), []);
    const s = tfSet('tensorflow==2.13.0\nnumpy>=1.25\n');
    const answered = emptyIndexReport();
    assert.deepEqual(
      byCode(runChecks([s], { ...ctx, index: new Map([[s.root, answered]]) }), 'conflict-transitive'),
      [],
    );
  });

  it('marks the TensorFlow pin and the numpy line, and none once the index answered (the kit)', () => {
    const text = '⟦tensorflow==2.13.0⟧⟨conflict-transitive: but line 2 requires numpy>=1.25⟩\nnumpy>=1.25\n';
    expectFindings({ '/w/requirements.txt': text });
    expectFindings(
      { '/w/requirements.txt': 'tensorflow==2.13.0\nnumpy>=1.25\n' },
      { index: indexReport(), codes: ['conflict-transitive'] },
    );
  });
});
