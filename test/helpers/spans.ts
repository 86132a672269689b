// Spans in test texts: where a substring is written, and what a span covers.
import assert from 'node:assert/strict';
import type { Span } from '../../server/src/model/types';

/** The span of the `nth` occurrence (0-based) of `needle` in `text`; fails the test when it is missing. */
export function find(text: string, needle: string, nth = 0): Span {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `'${needle}' (#${nth}) not in the text`);
  }
  return { start: at, end: at + needle.length };
}

/** The text a span covers. */
export const slice = (text: string, s: Span): string => text.slice(s.start, s.end);
