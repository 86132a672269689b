// Inline position markers for check tests: `⟦...⟧` around the text a finding must cover; the markers are removed before
// parsing.
import type { Span } from '../../server/src/model/types';

/** The text without its `⟦`/`⟧` markers and the span each marked part covers, in order. */
export function marked(source: string): { text: string; spans: Span[] } {
  const spans: Span[] = [];
  let text = '';
  let open = -1;
  for (const ch of source) {
    if (ch === '⟦') {
      if (open >= 0) throw new Error('nested marker');
      open = text.length;
    } else if (ch === '⟧') {
      if (open < 0) throw new Error('unopened marker');
      spans.push({ start: open, end: text.length });
      open = -1;
    } else text += ch;
  }
  if (open >= 0) throw new Error('unclosed marker');
  return { text, spans };
}
