// The diagnostic codes (docs/codes.md) with their default severities: what a finding's code and severity may be.

export type Severity = 'error' | 'warning' | 'information' | 'hint';

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
  'index-routing': 'warning',
  vulnerable: 'warning',
  'pip-over-conda': 'warning',
  'lock-drift': 'error',
} as const satisfies Record<string, Severity>;

/** A diagnostic code: the check's file name, `diagnostic.code`, and the key in `checks.severityOverrides`. */
export type Code = keyof typeof CODES;

export const codeList = Object.keys(CODES) as Code[];

export function isCode(s: string): s is Code {
  return Object.prototype.hasOwnProperty.call(CODES, s);
}
