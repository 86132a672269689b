// companion-version: packages built for NumPy 1.x next to a numpy line that lets pip take NumPy 2.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { parseEnvironmentYml } from '../../../server/src/parsers/environment-yml';
import { applyFixOf, byCode, defaultContext as ctx, expectFindings, req } from '../../helpers/check-kit';
import { lockOf, manifest, places } from '../../helpers/lock-kit';
import { setOf as set } from '../../helpers/sets';

describe('companion-version: packages built for NumPy 1.x with NumPy 2', () => {
  const found = (text: string) => byCode(runChecks([set(req('/w/requirements.txt', text))], ctx), 'companion-version');
  it('leaves conda builds to conda: pytorch=1.12.1 with numpy>=1.23,<3.0a0 is not flagged (the build pins numpy)', () => {
    const yml = parseEnvironmentYml(
      '/w/environment.yml',
      'name: n\ndependencies:\n  - python=3.8.5\n  - pytorch=1.12.1\n  - numpy>=1.23,<3.0a0\n',
    );
    assert.deepEqual(byCode(runChecks([set(yml)], ctx), 'companion-version'), []);
  });

  it('flags torch < 2.3 where the numpy line lets pip take NumPy 2, once, on the line its fix edits; capping clears it', () => {
    const s = set(req('/w/requirements.txt', 'torch==2.1.0\nnumpy>=1.24\n'));
    const f = byCode(runChecks([s], ctx), 'companion-version');
    assert.equal(f.length, 1, 'one cause, one finding');
    const onNumpy = f[0]!;
    assert.equal(s.files[0]!.text.slice(onNumpy.span.start, onNumpy.span.end), 'numpy>=1.24');
    assert.equal(onNumpy.message.split('\n')[0], 'torch==2.1.0 was built for NumPy 1.x, but this line allows NumPy 2');
    assert.deepEqual(
      onNumpy.related.map((r) => s.files[0]!.text.slice(r.span.start, r.span.end)),
      ['torch==2.1.0'],
    );
    assert.match(onNumpy.message, /built against NumPy 1\.x/);
    assert.match(onNumpy.message, /pytorch\/pytorch#132179/);
    assert.equal(onNumpy.fixes[0]!.edits[0]!.newText, '>=1.24,<2');
    assert.deepEqual(byCode(runChecks([applyFixOf(s, onNumpy)], ctx), 'companion-version'), []);
  });
  it('flags TensorFlow releases without a numpy cap, and leaves capped ones to the resolver', () => {
    assert.equal(found('tensorflow==2.14.0\nnumpy>=1.26\n').length, 1);
    assert.deepEqual(found('tensorflow==2.15.0\nnumpy>=1.26\n'), []);
  });
  it(
    'says nothing where a release built for NumPy 2 is ' + 'possible, numpy is kept below 2, or numpy is not declared',
    () => {
      assert.deepEqual(found('torch>=2.1\nnumpy>=1.24\n'), []);
      assert.deepEqual(found('torch==2.1.0\nnumpy<2\n'), []);
      assert.deepEqual(found('torch==2.1.0\nrequests\n'), []);
      assert.deepEqual(found('tensorflow==2.18.0\nnumpy>=2\n'), []);
    },
  );

  it('marks torch 2.1 and the numpy line that admits NumPy 2 (the kit)', () => {
    expectFindings({
      '/w/requirements.txt': 'torch==2.1.0\n⟦numpy>=1.24⟧⟨companion-version: torch==2.1.0 was built for NumPy 1.x⟩\n',
    });
  });
});

describe('companion-version: locked versions', () => {
  it('says it on a locked torchvision of another torch release, on the lock entry, with no fix', () => {
    const m = manifest('"torch>=2", "torchvision"');
    const lock = lockOf([
      { name: 'torch', version: '2.1.2' },
      { name: 'torchvision', version: '0.15.2' },
    ]);
    const found = runChecks([set(m, lock)], ctx);
    assert.deepEqual(places(found, 'companion-version', [m, lock]), [['uv.lock', '0.15.2']]);
    const f = byCode(found, 'companion-version')[0]!;
    assert.match(f.message, /^torchvision 0\.15\.2 does not belong to torch 2\.1\.2, which needs torchvision 0\.16\.2/);
    assert.deepEqual(f.fixes, []);
  });

  it('judges the locked versions, not the manifest pins, where the lock answers', () => {
    // The manifest pins a mismatched pair; the lock holds a matching one (lock-drift says the lock is stale).
    const m = manifest('"torch==2.1.2", "torchvision==0.15.2"');
    const lock = lockOf([
      { name: 'torch', version: '2.1.2' },
      { name: 'torchvision', version: '0.16.2' },
    ]);
    assert.deepEqual(byCode(runChecks([set(m, lock)], ctx), 'companion-version'), []);
  });
});
