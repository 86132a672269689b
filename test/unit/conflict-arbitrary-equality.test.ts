// `===` (arbitrary equality) in the conflict check against pip 23.2.1's packaging
// (test/fixtures/arbitrary-equality/expected.json, written by oracle.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict } from '../../server/src/checks/conflict';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { setOf } from '../helpers/sets';

interface Expected {
  pairs: Array<{ a: string; b: string; conflict: boolean; admitted: string[] }>;
}

const expected = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'test/fixtures/arbitrary-equality/expected.json'), 'utf8'),
) as Expected;
const ctx = {
  markerEnvironment: defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' }),
  profile: { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } },
};

test('the pairs include conflicts and agreements', () => {
  assert.ok(expected.pairs.filter((p) => p.conflict).length >= 6);
  assert.ok(expected.pairs.filter((p) => !p.conflict).length >= 6);
});

for (const { a, b, conflict: pipFails, admitted } of expected.pairs) {
  test(
    `pkg${a} with pkg${b}: ` + `${pipFails ? 'no version satisfies both' : `${admitted.join(', ')} satisfies both`}`,
    () => {
      const text = `pkg${a}\npkg${b}\n`;
      const file = parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env: {} });
      assert.deepEqual(file.findings, []);
      const found = conflict.run(setOf(file), ctx);
      assert.equal(found.length > 0, pipFails, JSON.stringify(found.map((f) => f.message)));
      if (pipFails) {
        assert.deepEqual(found.map((f) => text.slice(f.span.start, f.span.end)).sort(), [`pkg${a}`, `pkg${b}`].sort());
        // No fix may offer a specifier that admits nothing.
        for (const f of found)
          for (const fix of f.fixes) assert.ok(!fix.edits.some((e) => e.newText === ''), fix.title);
      }
    },
  );
}
