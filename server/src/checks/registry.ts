// The registry: every check, in the order it runs, and the severity overrides applied to what they find.
import type { Code, Severity } from '../model/codes';
import type { Finding } from '../model/types';
import { companionVersion } from './companion-version';
import { condaFindingsFor } from './conda-solve';
import { conflict } from './conflict';
import { conflictTransitive } from './conflict-transitive';
import { cudaDriver } from './cuda-driver';
import { cudaMix } from './cuda-mix';
import { cudaUnavailable } from './cuda-unavailable';
import { indexRouting } from './index-routing';
import { lockedCudaDriver, lockedCudaUnavailable, lockedGlibc, withLocked } from './locked-conda';
import { deprecated } from './deprecated';
import { duplicate } from './duplicate';
import { indexUnreachable } from './index-unreachable';
import { installedMismatch } from './installed-mismatch';
import { noWheel } from './no-wheel';
import { notFound } from './not-found';
import { requiresPython } from './requires-python';
import { syntax } from './syntax';
import { systemLibrary } from './system-library';
import type { Check, CheckContext } from './types';
import { pipOverConda } from './pip-over-conda';
import { vulnerable } from './vulnerable';
import { lockDrift } from './lock-drift';
import { redact } from '../index/credentials';
import type { EnvironmentSet } from '../model/sets';
import { foldAndRank } from './fold';
import { keptFindings } from './kept-findings';

/**
 * Every check by its code, fast ones first (the order they run in). The type makes the table complete: a code of
 * `CODES` without a row, or a row for no code, does not compile; a test holds each row's `code` to its key.
 * The index-backed ones (conflict-transitive, not-found, requires-python, no-wheel) find nothing until the index stage
 * has put its report into the context.
 */
export const checkByCode: { readonly [C in Code]: Check } = {
  syntax,
  duplicate,
  conflict,
  'conflict-transitive': conflictTransitive,
  'not-found': notFound,
  'requires-python': requiresPython,
  'no-wheel': noWheel,
  'index-unreachable': indexUnreachable,
  'installed-mismatch': installedMismatch,
  'system-library': withLocked(systemLibrary, lockedGlibc),
  'cuda-driver': withLocked(cudaDriver, lockedCudaDriver),
  'cuda-mix': cudaMix,
  'cuda-unavailable': withLocked(cudaUnavailable, lockedCudaUnavailable),
  'index-routing': indexRouting,
  'companion-version': companionVersion,
  deprecated,
  vulnerable,
  'pip-over-conda': pipOverConda,
  'lock-drift': lockDrift,
};

/** Every check, in the order it runs (the table's). */
export const checks: readonly Check[] = Object.values(checkByCode);

export type SeverityOverrides = Partial<Record<Code, Severity | 'off'>>;

/**
 * Runs every check over every set and returns the findings once each, with `severityOverrides` applied.
 * A line in several sets (a constraints file two requirements files include) gets one finding per code,
 * whose related locations and fixes are those of every set. Findings of one cause are then one (`fold.ts`), and each
 * line's fixes are ranked by how many of its problems they clear, the best preferred and first.
 */
export function runChecks(sets: EnvironmentSet[], ctx: CheckContext, overrides: SeverityOverrides = {}): Finding[] {
  const seen = new Map<string, Finding>();
  const out: Finding[] = [];
  /** Related locations left out of a finding by the cap, counted. */
  const hidden = new Map<Finding, number>();
  const active = checks.filter((c) => overrides[c.code] !== 'off');
  // Per set, each check's findings; those an edit of the set's requirements file could not change are kept from the
  // last run (kept-findings.ts).
  const foundBySet = sets.map((set) => keptFindings(set, ctx, active, (check) => findingsOf(check, set, ctx)));
  for (const [c, check] of active.entries()) {
    const override = overrides[check.code] as Severity | undefined;
    for (const found of foundBySet.map((bySet) => bySet[c]!)) {
      for (const f of found.map(redactFinding)) {
        // Notes on a whole file (an empty span at its start) are one per message: two sources that could not be asked
        // are two notes; findings on a line are one per code, whatever set found them.
        const fileNote = f.span.start === 0 && f.span.end === 0;
        const key = `${f.code}\0${f.file}\0${f.span.start}\0${f.span.end}${fileNote ? `\0${f.message}` : ''}`;
        const earlier = seen.get(key);
        if (earlier) {
          merge(earlier, f);
          continue;
        }
        const copy = {
          ...f,
          related: f.related.slice(0, MAX_RELATED),
          fixes: f.fixes.slice(0, MAX_FIXES),
          ...(override ? { severity: override } : {}),
        };
        if (f.related.length > MAX_RELATED) hidden.set(copy, f.related.length - MAX_RELATED);
        seen.set(key, copy);
        out.push(copy);
      }
    }
  }
  for (const f of out) {
    const more = hidden.get(f);
    if (more) f.message = `${f.message} (${more} more related ${more === 1 ? 'location' : 'locations'} not listed.)`;
    if (f.message.length > MAX_MESSAGE) f.message = `${f.message.slice(0, MAX_MESSAGE - 40)}… (message shortened)`;
  }
  return foldAndRank(out, sets, ctx, (code, set, plain) => {
    try {
      return checkByCode[code].run(set, plain);
    } catch {
      return [];
    }
  }).map((f) => ({
    ...f,
    message: plainText(f.message),
    related: f.related.slice(0, MAX_RELATED).map((r) => ({ ...r, message: plainText(r.message) })),
    fixes: f.fixes.slice(0, MAX_FIXES).map((x) => ({ ...x, title: plainText(x.title) })),
  }));

  /** Adds what `later` says about the same place to `into`: its other related locations and fixes, within the caps. */
  function merge(into: Finding, later: Finding): void {
    for (const r of later.related) {
      if (into.related.some((x) => x.file === r.file && x.span.start === r.span.start)) continue;
      if (into.related.length < MAX_RELATED) into.related.push(r);
      else hidden.set(into, (hidden.get(into) ?? 0) + 1);
    }
    for (const fix of later.fixes)
      if (into.fixes.length < MAX_FIXES && !into.fixes.some((x) => x.title === fix.title)) into.fixes.push(fix);
  }
}

/** One check's findings in a set, with conda's solve of its code; a check that throws is one finding that says so. */
function findingsOf(check: Check, set: EnvironmentSet, ctx: CheckContext): Finding[] {
  try {
    // A code's findings from conda's solve of an environment.yml join the check's own (one override, one place).
    return withConda(check.code, check.run(set, ctx), set, ctx);
  } catch (e) {
    // A check that throws must not take the others down; it is a bug, reported once where it happened.
    return [
      {
        code: check.code,
        severity: 'information',
        file: set.root,
        span: { start: 0, end: 0 },
        message:
          `Stack Doctor could not run the '${check.code}' check on ` +
          `this file: ${(e as Error).message}. Please report this.`,
        related: [],
        fixes: [],
      },
    ];
  }
}

/**
 * Diagnostics are plain text (the Problems view, a terminal): code quoted as `x` in the knowledge tables and messages
 * reads 'x' there.
 */
function plainText(s: string): string {
  return s.includes('`') ? s.replace(/`([^`\n]*)`/g, "'$1'").replace(/`/g, "'") : s;
}

/**
 * A check's own findings joined with conda's solve of the set, which speaks for the conda lines it judged:
 * - where conda's solve has a finding of the same code on the same place, that one stands (its severity, its
 *   explanation, fixes a solve accepted) and the knowledge rule's is dropped;
 * - where conda's solve installs the environment, no knowledge rule makes a conda line an error: conda would not
 *   refuse it, so the rule's finding stays, as a warning that says so. Syntax findings are exempt (a line conda's
 *   parser rejects is left out of the solve).
 */
function withConda(code: Code, own: Finding[], set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const report = ctx.conda?.get(set.root);
  const pixi = ctx.pixi?.get(set.root);
  if (!report && !pixi) return own;
  const conda = condaFindingsFor(code, set, ctx);
  const samePlace = (a: Finding, b: Finding): boolean =>
    a.file === b.file && a.span.start === b.span.start && a.span.end === b.span.end;
  let kept = own.filter((f) => !conda.some((c) => samePlace(c, f)));
  const solved = report
    ? report.status === 'ok'
    : pixi!.solves.length > 0 && pixi!.solves.every((s) => s.conda.status === 'ok' && !s.cuda) && !pixi!.groups.length;
  if (solved && code !== 'syntax') {
    const lines = set.files.flatMap((f) =>
      f.kind === 'conda' || pixi ? f.dependencies.filter((d) => d.kind === 'conda') : [],
    );
    const solver = pixi ? "pixi's solve installs every environment" : "conda's solve installs this environment";
    kept = kept.map((f) =>
      f.severity === 'error' &&
      lines.some((d) => d.file === f.file && f.span.start >= d.span.start && f.span.end <= d.span.end)
        ? {
            ...f,
            severity: 'warning',
            message: `${f.message} (${solver} on the target, so this is not an error.)`,
          }
        : f,
    );
  }
  return [...conda, ...kept];
}

/**
 * What one finding carries at most, so that output grows linearly with the input however often a line is
 * repeated or a file is shared between sets: related locations beyond the cap are counted in the message.
 * The message cap leaves room for a long resolver explanation (20 numbered steps are about 3,000 characters).
 */
export const MAX_RELATED = 10;
export const MAX_FIXES = 10;
export const MAX_MESSAGE = 4_000;

/**
 * No credential reaches any output: messages and fix titles quote lines that may hold one (`pkg @ https://u:p@h/...`);
 * edits keep the text as written.
 */
function redactFinding(f: Finding): Finding {
  return {
    ...f,
    message: redact(f.message),
    related: f.related.map((r) => ({ ...r, message: redact(r.message) })),
    fixes: f.fixes.map((x) => ({ ...x, title: redact(x.title) })),
  };
}
