// The registry: every check, in the order it runs, and the severity overrides applied to what they find.
import type { Finding, Severity } from '../model/types';
import { companionVersion } from './companion-version';
import { conflict } from './conflict';
import { conflictTransitive } from './conflict-transitive';
import { cudaDriver } from './cuda-driver';
import { cudaMix } from './cuda-mix';
import { cudaUnavailable } from './cuda-unavailable';
import { deprecated } from './deprecated';
import { duplicate } from './duplicate';
import { installedMismatch } from './installed-mismatch';
import { noWheel } from './no-wheel';
import { notFound } from './not-found';
import { requiresPython } from './requires-python';
import { syntax } from './syntax';
import { systemLibrary } from './system-library';
import type { Check, CheckContext, EnvironmentSet } from './types';
import { redact } from '../index/credentials';

/**
 * Every check, fast ones first. The index-backed ones (conflict-transitive, not-found, requires-python,
 * no-wheel) find nothing until the index stage has put its report into the context.
 */
export const checks: readonly Check[] = [syntax, duplicate, conflict, conflictTransitive, notFound, requiresPython, noWheel, installedMismatch, systemLibrary, cudaDriver, cudaMix, cudaUnavailable, companionVersion, deprecated];

/** Every code a check of this version can emit, for settings validation and the parity test. */
export const codes: readonly string[] = checks.map((c) => c.code);

export type SeverityOverrides = Record<string, Severity | 'off'>;

/**
 * Runs every check over every set and returns the findings once each, with `severityOverrides` applied.
 * A line in several sets (a constraints file two requirements files include) gets one finding per code,
 * whose related locations and fixes are those of every set.
 */
export function runChecks(sets: EnvironmentSet[], ctx: CheckContext, overrides: SeverityOverrides = {}): Finding[] {
  const seen = new Map<string, Finding>();
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
      for (const f of found.map(redactFinding)) {
        const key = `${f.code}\0${f.file}\0${f.span.start}\0${f.span.end}`;
        const earlier = seen.get(key);
        if (earlier) {
          merge(earlier, f);
          continue;
        }
        const copy = { ...f, related: [...f.related], fixes: [...f.fixes], ...(override ? { severity: override } : {}) };
        seen.set(key, copy);
        out.push(copy);
      }
    }
  }
  return out;
}

/** Adds what `later` says about the same place to `into`: its other related locations and fixes. */
function merge(into: Finding, later: Finding): void {
  for (const r of later.related) {
    if (!into.related.some((x) => x.file === r.file && x.span.start === r.span.start)) into.related.push(r);
  }
  for (const fix of later.fixes) if (!into.fixes.some((x) => x.title === fix.title)) into.fixes.push(fix);
}

/** (index branch) No credential reaches any output: messages and fix titles quote lines that may hold one (`pkg @ https://u:p@h/...`); edits keep the text as written. */
function redactFinding(f: Finding): Finding {
  return { ...f, message: redact(f.message), related: f.related.map((r) => ({ ...r, message: redact(r.message) })), fixes: f.fixes.map((x) => ({ ...x, title: redact(x.title) })) };
}
