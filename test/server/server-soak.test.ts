// A short editing session over stdio (the bench runs the 5,000-edit one): the server lives, answers every request,
// and every published range lies inside the text of the version it names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { soak } from '../helpers/soak';

describe('editing session', () => {
  it('400 edits with requests in between: alive, every request answered, no range outside its version', async () => {
    const r = await soak({ edits: 400, seed: 11 });
    assert.ok(r.alive, r.stderr);
    assert.deepEqual(r.outOfRange.slice(0, 5), []);
    assert.ok(r.publishes > 0);
    for (const [kind, s] of Object.entries(r.requests)) assert.equal(s.unanswered, 0, `${kind}: ${JSON.stringify(s)}`);
    assert.doesNotMatch(r.stderr, /MaxListenersExceeded|RangeError/);
  });
});
