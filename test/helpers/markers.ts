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

/** A marked part with what must be found there: `⟦numpy<2⟧⟨conflict: needs numpy⟩`. */
export interface ExpectedMark {
  span: Span;
  code: string;
  /** A substring of the finding's message ('' when the marker names only the code). */
  message: string;
}

/**
 * The text without its markers and annotations, and what each marker expects: `⟦…⟧` followed by one or more
 * `⟨code: message-substring⟩` (or `⟨code⟩`); a marker without an annotation is an error.
 */
export function annotated(source: string): { text: string; marks: ExpectedMark[] } {
  const notes: { code: string; message: string }[][] = [];
  let stripped = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    stripped += ch;
    i++;
    if (ch !== '⟧') continue;
    const mine: { code: string; message: string }[] = [];
    while (source[i] === '⟨') {
      const end = source.indexOf('⟩', i);
      if (end < 0) throw new Error('unclosed annotation');
      const note = source.slice(i + 1, end);
      const colon = note.indexOf(':');
      mine.push(
        colon < 0
          ? { code: note.trim(), message: '' }
          : { code: note.slice(0, colon).trim(), message: note.slice(colon + 1).trim() },
      );
      i = end + 1;
    }
    if (mine.length === 0) throw new Error(`marker ${notes.length + 1} has no ⟨code: message⟩`);
    notes.push(mine);
  }
  const { text, spans } = marked(stripped);
  return { text, marks: spans.flatMap((span, k) => notes[k]!.map((n) => ({ span, ...n }))) };
}
