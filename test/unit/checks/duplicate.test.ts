// duplicate: one package declared twice in one scope, with merge and removal fixes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import type { Finding } from '../../../server/src/model/types';
import { parsePyproject } from '../../../server/src/parsers/pyproject';
import { applyFixOf, byCode, defaultContext as ctx, expectFindings, req } from '../../helpers/check-kit';
import { setOf as set } from '../../helpers/sets';

describe('duplicate', () => {
  it('flags a package declared twice in one file, with merge and remove fixes that leave clean text', () => {
    const s = set(req('/w/requirements.txt', 'Requests>=2\nflask\nrequests<3  # cap\nnumpy\n'));
    const found = byCode(runChecks([s], ctx), 'duplicate');
    assert.equal(found.length, 2);
    const second = found[1]!;
    assert.deepEqual(
      second.fixes.map((f) => f.title.split(' ')[0]),
      ['Merge', 'Remove'],
    );
    const merged = applyFixOf(s, second, 0);
    assert.equal(merged.files[0]!.text, 'Requests>=2,<3\nflask\nnumpy\n');
    const removed = applyFixOf(s, second, 1);
    assert.equal(removed.files[0]!.text, 'Requests>=2\nflask\nnumpy\n');
    assert.deepEqual(byCode(runChecks([merged], ctx), 'duplicate'), []);
  });

  it('tells unnamed URL requirements apart by their URL', () => {
    const s = set(
      req(
        '/w/requirements.txt',
        'https://example.invalid/a.tar.gz\nhttps://example.invalid/b.tar.gz\nhttps://example.invalid/a.tar.gz\n',
      ),
    );
    const found = byCode(runChecks([s], ctx), 'duplicate');
    assert.deepEqual(
      found.map((f) => [s.files[0]!.text.slice(f.span.start, f.span.end), f.span.start > 0]),
      [['https://example.invalid/a.tar.gz', true]],
    );
  });

  it('identical lines are one finding on the second copy, with the count, the places and one removal of the copies', () => {
    const text = 'numpy==1.26.4\nflask\nnumpy==1.26.4\nscipy\nnumpy==1.26.4\nnumpy==1.26.4  # again\n';
    const s = set(req('/w/requirements.txt', text));
    const found = byCode(runChecks([s], ctx), 'duplicate');
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
    const [d] = found as [Finding];
    assert.equal(d.span.start, text.indexOf('numpy', 1));
    assert.match(d.message, /4 times/);
    assert.match(d.message, /requirements\.txt:1/);
    assert.match(d.message, /5-6/);
    assert.deepEqual(
      d.related.map((r) => text.slice(0, r.span.start).split('\n').length),
      [1, 5, 6],
    );
    assert.equal(d.fixes.length, 1);
    const fixed = applyFixOf(s, d);
    assert.equal(fixed.files[0]!.text, 'numpy==1.26.4\nflask\nscipy\n');
    assert.deepEqual(byCode(runChecks([fixed], ctx), 'duplicate'), []);
    // Adjacent copies are removed by one edit.
    const run = set(req('/w/requirements.txt', 'numpy==1.26.4\n'.repeat(500)));
    const [many] = byCode(runChecks([run], ctx), 'duplicate') as [Finding];
    assert.equal(many.fixes[0]!.edits.length, 1);
    assert.equal(applyFixOf(run, many).files[0]!.text, 'numpy==1.26.4\n');
  });

  it('identical entries of a pyproject array: one finding, one fix that leaves the first', () => {
    const text =
      '[project]\nname="x"\nversion="1"\ndependencies=[\n  "numpy",\n  "numpy",\n  "scipy",\n  "numpy",\n]\n';
    const py = parsePyproject('/w/pyproject.toml', text);
    const found = byCode(runChecks([set(py)], ctx), 'duplicate');
    assert.equal(found.length, 1);
    const fixed = applyFixOf(set(py), found[0]!);
    assert.equal(fixed.files[0]!.text, '[project]\nname="x"\nversion="1"\ndependencies=[\n  "numpy",\n  "scipy",\n]\n');
  });

  it('does not flag the same name under different markers or in different sections', () => {
    const s = set(req('/w/requirements.txt', 'numpy<2 ; python_version < "3.9"\nnumpy>=2 ; python_version >= "3.9"\n'));
    assert.deepEqual(byCode(runChecks([s], ctx), 'duplicate'), []);
    const py = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname="x"\nversion="1"\ndependencies=["numpy"]\n[project.optional-dependencies]\nfast=["numpy>=2"]\n',
    );
    assert.deepEqual(byCode(runChecks([set(py)], ctx), 'duplicate'), []);
  });

  it('removes an item from a TOML array without leaving a dangling comma', () => {
    const py = parsePyproject(
      '/w/pyproject.toml',
      '[project]\nname="x"\nversion="1"\ndependencies=["numpy", "scipy", "numpy>=1"]\n',
    );
    const found = byCode(runChecks([set(py)], ctx), 'duplicate');
    const removed = applyFixOf(set(py), found[1]!, 1);
    assert.match(removed.files[0]!.text, /dependencies=\["numpy>=1", "scipy"\]|dependencies=\["numpy", "scipy"\]/);
  });

  it('marks both declarations, the second with merge and remove fixes (the kit)', () => {
    const { findings } = expectFindings({
      '/w/requirements.txt':
        '⟦Requests>=2⟧⟨duplicate: declared 2 times⟩\nflask\n⟦requests<3⟧⟨duplicate: requests⟩  # cap\nnumpy\n',
    });
    assert.equal(byCode(findings, 'duplicate')[1]!.fixes.length, 2);
  });
});
