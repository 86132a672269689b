// The registry: overrides, one finding per place across sets, and one check, one setting and one test file per code.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { checks, runChecks } from '../../../server/src/checks/registry';
import { codeList } from '../../../server/src/model/codes';
import { con, defaultContext as ctx, req } from '../../helpers/check-kit';
import { setOf as set } from '../../helpers/sets';

describe('registry', () => {
  it('turns checks off and changes severities', () => {
    const s = set(req('/w/requirements.txt', 'numpy>=2\nnumpy<2\n'));
    assert.deepEqual(runChecks([s], ctx, { conflict: 'off', duplicate: 'off' }), []);
    assert.ok(
      runChecks([s], ctx, { conflict: 'hint' })
        .filter((f) => f.code === 'conflict')
        .every((f) => f.severity === 'hint'),
    );
  });

  it('reports each finding once when a file is in several sets', () => {
    const c = con('/w/constraints.txt', 'numpy<1\n');
    const a = set(req('/w/requirements.txt', 'numpy>=1\n-c constraints.txt\n'), c);
    const b = set(req('/w/requirements-dev.txt', 'numpy>=1\n-c constraints.txt\n'), c);
    // The shared constraint is said once, and every line of both conflicts is a finding or related to one.
    const found = runChecks([a, b], ctx);
    assert.ok(found.filter((f) => f.file === '/w/constraints.txt').length <= 1, JSON.stringify(found));
    const places = new Set(found.flatMap((f) => [f.file, ...f.related.map((r) => r.file)]));
    assert.deepEqual([...places].sort(), ['/w/constraints.txt', '/w/requirements-dev.txt', '/w/requirements.txt']);
    // A finding of the shared file itself: once.
    const alone = con('/w/constraints.txt', 'numpy>=2,<1\n');
    const both = [
      set(req('/w/requirements.txt', 'numpy>=1\n-c constraints.txt\n'), alone),
      set(req('/w/requirements-dev.txt', 'numpy>=1\n-c constraints.txt\n'), alone),
    ];
    assert.equal(runChecks(both, ctx).filter((f) => f.file === '/w/constraints.txt').length, 1);
  });

  it("holds package.json's settings, the registry and the per-code test files to CODES", () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    const settingCodes: string[] =
      pkg.contributes.configuration.properties['stackDoctor.checks.severityOverrides'].propertyNames.enum;
    assert.equal(new Set(codeList).size, codeList.length, 'each code once');
    assert.deepEqual([...settingCodes].sort(), [...codeList].sort(), "package.json's overrides name every code");
    assert.deepEqual(checks.map((c) => c.code).sort(), [...codeList].sort(), 'one check per code');
    for (const c of checks) {
      assert.ok(settingCodes.includes(c.code), c.code);
      assert.ok(fs.existsSync(`server/src/checks/${c.code}.ts`), `the module of ${c.code} is named after it`);
    }
    // A test file here is named after its code (or after the shared modules it tests).
    for (const f of fs.readdirSync('test/unit/checks').filter((n) => n.endsWith('.test.ts'))) {
      const name = f.slice(0, -'.test.ts'.length);
      assert.ok((codeList as string[]).includes(name) || name === 'registry' || name === 'edits', `${f} names no code`);
    }
  });
});
