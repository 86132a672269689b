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
