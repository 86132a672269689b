// The diagnostic codes (docs/codes.md) with their default severities, and the one builder every finding goes
// through.
import type { Finding, Fix, RelatedLocation, Severity, Span } from './types';

/** Every code a finding can carry, with its default severity; `checks/registry.ts` has one check per code. */
export const CODES = {
  syntax: 'error',
  duplicate: 'warning',
  conflict: 'error',
  'conflict-transitive': 'error',
  'not-found': 'error',
  'requires-python': 'error',
  'no-wheel': 'information',
  'installed-mismatch': 'warning',
  'system-library': 'warning',
  'cuda-driver': 'error',
  'cuda-mix': 'error',
  'cuda-unavailable': 'warning',
  'companion-version': 'error',
  deprecated: 'warning',
  'index-unreachable': 'information',
  vulnerable: 'warning',
  'pip-over-conda': 'warning',
} as const satisfies Record<string, Severity>;

/** A diagnostic code: the check's file name, `diagnostic.code`, and the key in `checks.severityOverrides`. */
export type Code = keyof typeof CODES;

export const codeList = Object.keys(CODES) as Code[];

export function isCode(s: string): s is Code {
  return Object.prototype.hasOwnProperty.call(CODES, s);
}

/** What a finding may add to its code, place and message. */
export interface FindingExtras {
  /** Default: the code's severity. */
  severity?: Severity;
  related?: RelatedLocation[];
  fixes?: Fix[];
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
  };
}
