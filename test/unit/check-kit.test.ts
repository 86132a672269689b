// The check test kit fails where it should: a marked finding missing, a finding not marked, a message that does not
// contain the annotation, a marker without an annotation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { condaReport, expectFindings, profile } from '../helpers/check-kit';
import { annotated } from '../helpers/markers';

describe('check kit', () => {
  it('reads markers and their annotations, and strips both from the text', () => {
    const { text, marks } = annotated('a\n⟦numpy<2⟧⟨conflict: needs numpy⟩⟨duplicate⟩\n');
    assert.equal(text, 'a\nnumpy<2\n');
    assert.deepEqual(marks, [
      { span: { start: 2, end: 9 }, code: 'conflict', message: 'needs numpy' },
      { span: { start: 2, end: 9 }, code: 'duplicate', message: '' },
    ]);
    assert.throws(() => annotated('⟦numpy⟧\n'), /no ⟨code: message⟩/);
  });

  it('fails when a marked finding is missing, a finding is not marked, or the message differs', () => {
    assert.throws(
      () => expectFindings({ '/w/requirements.txt': '⟦numpy>=2⟧⟨conflict⟩\nrequests\n' }),
      /expected, not found: conflict at \/w\/requirements.txt 'numpy>=2'/,
    );
    assert.throws(
      () => expectFindings({ '/w/requirements.txt': 'numpy>=2\nnumpy<2\n' }, { codes: ['conflict'] }),
      /found, not marked: conflict at \/w\/requirements.txt 'numpy>=2'/,
    );
    assert.throws(
      () => expectFindings({ '/w/requirements.txt': '⟦numpy>=2⟧⟨conflict⟩\nnumpy<2\n⟦requests⟧⟨related conflict⟩\n' }),
      /expected, not related to a conflict finding: conflict at \/w\/requirements.txt 'requests'/,
    );
    expectFindings({ '/w/requirements.txt': '⟦numpy>=2⟧⟨conflict⟩\n⟦numpy<2⟧⟨related conflict⟩\nrequests\n' });
    assert.throws(
      () => expectFindings({ '/w/requirements.txt': '⟦numpy>=2⟧⟨conflict: no such words⟩\nnumpy<2\n' }),
      /expected, not found/,
    );
    assert.throws(() => expectFindings({ '/w/requirements.txt': 'numpy\n' }), /would assert nothing/);
  });

  it('builds reports and profiles over defaults', () => {
    assert.equal(condaReport({ status: 'failed' }).status, 'failed');
    assert.deepEqual(condaReport().conflicts, []);
    assert.equal(profile({ os: 'darwin' }).os, 'darwin');
    assert.equal(profile().python?.version, '3.11.7');
  });
});
