// The checks' edit helpers: what a removal takes away in each file kind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { removalSpan } from '../../../server/src/checks/edits';

describe('removalSpan', () => {
  const cut = (text: string, target: string) => {
    const start = text.indexOf(target);
    const s = removalSpan(text, { start, end: start + target.length });
    return text.slice(0, s.start) + text.slice(s.end);
  };
  it('removes whole lines, continuations, YAML items and inline array items', () => {
    assert.equal(cut('a\nb  # c\nd\n', 'b'), 'a\nd\n');
    assert.equal(cut('a\nb \\\n  --hash=sha256:00\nd\n', 'b'), 'a\nd\n');
    assert.equal(cut('deps:\n  - a\n  - b\n', 'b'), 'deps:\n  - a\n');
    assert.equal(cut('x = ["a", "b", "c"]\n', 'b'), 'x = ["a", "c"]\n');
    assert.equal(cut('x = ["a", "b"]\n', 'b'), 'x = ["a"]\n');
    assert.equal(cut('x = [\n  "a",\n  "b",\n]\n', 'a'), 'x = [\n  "b",\n]\n');
  });
});
