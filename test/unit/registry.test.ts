// The registry's table: one row per code (the compiler holds the keys to CODES), each row the check of its key.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkByCode, checks } from '../../server/src/checks/registry';
import { codeList } from '../../server/src/model/codes';

describe('checks/registry.ts', () => {
  it('keys every check by its own code, one row per code of CODES', () => {
    assert.deepEqual(Object.keys(checkByCode).sort(), [...codeList].sort());
    for (const [code, check] of Object.entries(checkByCode)) assert.equal(check.code, code);
    assert.equal(new Set(checks).size, checks.length, 'a check listed twice');
  });

  it('runs the checks in the order of the table', () => {
    assert.deepEqual(
      checks.map((c) => c.code),
      Object.keys(checkByCode),
    );
  });
});
