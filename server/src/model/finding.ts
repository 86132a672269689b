// The one builder every finding goes through.
import { CODES, type Code, type Severity } from './codes';
import type { Finding, Fix, RelatedLocation, Span } from './types';

/** What a finding may add to its code, place and message. */
export interface FindingExtras {
  /** Default: the code's severity. */
  severity?: Severity;
  related?: RelatedLocation[];
  fixes?: Fix[];
  /** What the finding is about, when another finding may state the same cause (Finding.cause). */
  cause?: string;
}

/** Builds a finding with the code's default severity unless `extras.severity` says otherwise. */
export function finding(code: Code, file: string, span: Span, message: string, extras: FindingExtras = {}): Finding {
  return {
    code,
    severity: extras.severity ?? CODES[code],
    file,
    span: { start: span.start, end: span.end },
    message,
    related: extras.related ?? [],
    fixes: extras.fixes ?? [],
    ...(extras.cause ? { cause: extras.cause } : {}),
  };
}

/**
 * The finding with each of its places in `file` (its span, its related places, its fixes' edits) mapped by `place`,
 * or null when `place` gives null for one; places that `place` returns unchanged keep their objects.
 */
export function withPlacesIn(f: Finding, file: string, place: (span: Span) => Span | null): Finding | null {
  const span = f.file === file ? place(f.span) : f.span;
  if (!span) return null;
  const related: RelatedLocation[] = [];
  for (const r of f.related) {
    const s = r.file === file ? place(r.span) : r.span;
    if (!s) return null;
    related.push(s === r.span ? r : { ...r, span: s });
  }
  const fixes: Fix[] = [];
  for (const x of f.fixes) {
    const edits = [];
    for (const e of x.edits) {
      const s = e.file === file ? place(e.span) : e.span;
      if (!s) return null;
      edits.push(s === e.span ? e : { ...e, span: s });
    }
    fixes.push({ ...x, edits });
  }
  return { ...f, span, related, fixes };
}
