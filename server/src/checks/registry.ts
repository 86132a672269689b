// The registry: every check, in the order it runs, and the severity overrides applied to what they find.
import type { Finding, Severity } from '../model/types';
import { conflict } from './conflict';
import { duplicate } from './duplicate';
import { syntax } from './syntax';
import type { Check, CheckContext, EnvironmentSet } from './types';

/** Fast checks, run on every keystroke; index-backed checks (a later stage) are appended after these. */
export const checks: readonly Check[] = [syntax, duplicate, conflict];

/** Every code a check of this version can emit, for settings validation and the parity test. */
export const codes: readonly string[] = checks.map((c) => c.code);

export type SeverityOverrides = Record<string, Severity | 'off'>;

/**
 * Runs every check over every set and returns the findings once each (a file in several sets would
 * otherwise be reported once per set), with `severityOverrides` applied.
 */
export function runChecks(sets: EnvironmentSet[], ctx: CheckContext, overrides: SeverityOverrides = {}): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const check of checks) {
    const override = overrides[check.code];
    if (override === 'off') continue;
    for (const set of sets) {
      let found: Finding[];
      try {
        found = check.run(set, ctx);
      } catch (e) {
        // A check that throws must not take the others down; it is a bug, reported once where it happened.
        found = [{ code: check.code, severity: 'information', file: set.root, span: { start: 0, end: 0 }, message: `Stack Doctor could not run the '${check.code}' check on this file: ${(e as Error).message}. Please report this.`, related: [], fixes: [] }];
      }
      for (const f of found) {
        const key = `${f.code}\0${f.file}\0${f.span.start}\0${f.span.end}\0${f.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(override ? { ...f, severity: override } : f);
      }
    }
  }
  return out;
}
