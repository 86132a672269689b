// One diagnostic per cause, and the fix that fixes first: a pure pass over the findings of every check.
import type { Code } from '../model/codes';
import type { EnvironmentSet } from '../model/sets';
import type { Dependency, Finding, Fix, ParsedFile, Span } from '../model/types';
import { hasPep440Text } from './edits';
import type { CheckContext } from './types';

/** Runs one check over a set in a context (the registry's table, handed in so that this module stays below it). */
export type CheckRunner = (code: Code, set: EnvironmentSet, ctx: CheckContext) => Finding[];

/**
 * The cause key of a fact about these lines taken together (a conflict between them, companions that must move
 * together): a conflict and a companion rule about the same lines state one fact and share the key.
 */
export function linesCause(lines: readonly { file: string; span: Span }[]): string {
  const keys = [...new Set(lines.map((l) => `${l.file}\0${l.span.start}`))].sort();
  return `lines\0${keys.join('\0')}`;
}

const RANK: Record<Finding['severity'], number> = { error: 0, warning: 1, information: 2, hint: 3 };

/**
 * How much re-running of checks one pass may spend judging which problems a fix clears, in declarations a re-run reads
 * (a re-run costs its set's size): the cost per edit stays bounded however large or repetitive the files are.
 */
const MAX_WORK = 20_000;

/**
 * Folds the findings of one cause into one, then ranks each line's fixes by how many of that line's problems they
 * clear, marks the best one preferred (one per line) and lists it first. `rerun` judges a fix no check verified for a
 * problem: the problem's check runs again, with what the files say alone (no stage's report), on the set with the fix
 * applied; the fix clears the problem when that check found it before and no longer does.
 */
export function foldAndRank(
  findings: Finding[],
  sets: readonly EnvironmentSet[],
  ctx: CheckContext,
  rerun: CheckRunner,
): Finding[] {
  const judge = new FixJudge(sets, ctx, rerun);
  return rankLines(foldCauses(findings, judge), judge);
}

/** Whether two spans of one file share a character (an empty span counts as the point it stands on). */
function overlaps(a: Span, b: Span): boolean {
  return a.start <= b.end && b.start <= a.end && !(a.end === a.start && b.end === b.start && a.start !== b.start);
}

const keys = new WeakMap<Fix, string>();

/** The same edits, whatever the title says. */
function editsKey(fix: Fix): string {
  let k = keys.get(fix);
  if (k === undefined) {
    k = JSON.stringify([fix.edits.map((e) => [e.file, e.span.start, e.span.end, e.newText]), fix.run ?? null]);
    keys.set(fix, k);
  }
  return k;
}

/** Judges which problems a fix clears; each check's findings are computed once per set. */
class FixJudge {
  private work = 0;
  private readonly plain: CheckContext;
  private readonly before = new Map<string, Set<string>>();

  constructor(
    private readonly sets: readonly EnvironmentSet[],
    ctx: CheckContext,
    private readonly rerun: CheckRunner,
  ) {
    this.plain = { markerEnvironment: ctx.markerEnvironment, profile: ctx.profile };
  }

  /** The line of a file around a span: where its problems and fixes are counted. */
  lineOf(file: string, span: Span): Span {
    const text = this.textOf(file);
    if (text === null) return span;
    const start = text.lastIndexOf('\n', span.start - 1) + 1;
    const nl = text.indexOf('\n', span.start);
    return { start, end: nl < 0 ? text.length : nl };
  }

  private textOf(file: string): string | null {
    for (const s of this.sets) for (const f of s.files) if (f.path === file) return f.text;
    return null;
  }

  /** Whether `fix` clears `problem`: the check offered it for that problem, or the problem's check says so. */
  clears(fix: Fix, problem: Finding): boolean {
    const key = editsKey(fix);
    if (problem.fixes.some((x) => editsKey(x) === key)) return true;
    if (fix.edits.length === 0) return false;
    let judged = false;
    for (const set of this.sets) {
      if (!set.files.some((f) => f.path === problem.file)) continue;
      if (!fix.edits.every((e) => set.files.some((f) => f.path === e.file))) continue;
      if (!this.found(problem.code, set).has(placeOf(problem))) continue;
      const fixed = withFix(set, fix);
      if (!fixed || !this.spend(set)) return false;
      if (places(this.rerun(problem.code, fixed, this.plain)).has(placeOf(problem))) return false;
      judged = true;
    }
    return judged;
  }

  private found(code: Code, set: EnvironmentSet): Set<string> {
    const key = `${code}\0${set.root}`;
    let hit = this.before.get(key);
    if (!hit) {
      hit = places(this.spend(set) ? this.rerun(code, set, this.plain) : []);
      this.before.set(key, hit);
    }
    return hit;
  }

  /** Takes a re-run over `set` from the budget; false when it is spent. */
  private spend(set: EnvironmentSet): boolean {
    const cost = set.files.reduce((n, f) => n + f.dependencies.length + 1, 0);
    if (this.work + cost > MAX_WORK) return false;
    this.work += cost;
    return true;
  }
}

/** Where a finding is, with its code: how a finding is found again in a re-run. */
function placeOf(f: Finding): string {
  return `${f.code}\0${f.file}\0${f.span.start}\0${f.span.end}`;
}

function places(found: Finding[]): Set<string> {
  return new Set(found.map(placeOf));
}

/**
 * The set with a fix applied to the lines it edits, where each edit rewrites the version part of a PEP 440 line (the
 * spans stay where they were, so findings compare by place); null when an edit does something else.
 */
function withFix(set: EnvironmentSet, fix: Fix): EnvironmentSet | null {
  const changed = new Map<Dependency, Dependency>();
  for (const e of fix.edits) {
    const file = set.files.find((f) => f.path === e.file);
    const dep = file?.dependencies.find(
      (d) => d.specifierSpan.start <= e.span.start && e.span.end <= d.specifierSpan.end && hasPep440Text(d),
    );
    if (!file || !dep) return null;
    const prior = changed.get(dep) ?? dep;
    const written = file.text.slice(dep.specifierSpan.start, dep.specifierSpan.end);
    const current = prior === dep ? written : prior.specifier;
    const from = e.span.start - dep.specifierSpan.start;
    const to = e.span.end - dep.specifierSpan.start;
    if (prior !== dep && (from !== 0 || to !== written.length)) return null;
    const specifier = (prior === dep ? current.slice(0, from) + e.newText + current.slice(to) : e.newText).replace(
      /\s+/g,
      '',
    );
    changed.set(dep, { ...dep, specifier });
  }
  const files: ParsedFile[] = set.files.map((f) =>
    f.dependencies.some((d) => changed.has(d))
      ? { ...f, dependencies: f.dependencies.map((d) => changed.get(d) ?? d) }
      : f,
  );
  return { ...set, files };
}

/**
 * Findings of one cause become one: the most severe code speaks, anchored on its line where the best of all their
 * fixes edits (else its first), the other lines related; findings of other codes with that cause are folded in (their
 * fixes join, their lines are related).
 */
function foldCauses(findings: Finding[], judge: FixJudge): Finding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) if (f.cause) (groups.get(f.cause) ?? groups.set(f.cause, []).get(f.cause)!).push(f);
  const replaced = new Map<Finding, Finding | null>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const severity = Math.min(...members.map((m) => RANK[m.severity]));
    const lead = members.find((m) => RANK[m.severity] === severity)!;
    const speakers = members.filter((m) => m.code === lead.code);
    const pool: Fix[] = [];
    for (const m of [...speakers, ...members.filter((m) => m.code !== lead.code)])
      for (const x of m.fixes) if (!pool.some((y) => editsKey(y) === editsKey(x))) pool.push(x);
    // The best fix for the cause: the one that clears the most of the problems on the line it edits.
    const scored = pool.map((fix, i) => {
      const first = fix.edits[0];
      const line = first ? judge.lineOf(first.file, first.span) : null;
      const problems = line
        ? findings.filter((f) => f.file === first!.file && overlaps(f.span, line) && !isFileNote(f))
        : [];
      return { fix, i, score: problems.filter((p) => judge.clears(fix, p)).length };
    });
    scored.sort((a, b) => b.score - a.score || Number(!!b.fix.preferred) - Number(!!a.fix.preferred) || a.i - b.i);
    const best = scored[0]?.fix;
    const edited = (m: Finding): boolean =>
      !!best && best.edits.some((e) => e.file === m.file && overlaps(judge.lineOf(m.file, m.span), e.span));
    const anchor =
      speakers
        .filter(edited)
        .sort((a, b) => (a.file === b.file ? a.span.start - b.span.start : a.file < b.file ? -1 : 1))[0] ??
      speakers[0]!;
    const related = [...anchor.related];
    const relate = (r: { file: string; span: Span; message: string }): void => {
      if (r.file === anchor.file && r.span.start === anchor.span.start) return;
      if (related.some((x) => x.file === r.file && x.span.start === r.span.start)) return;
      related.push(r);
    };
    for (const m of members) {
      if (m === anchor) continue;
      relate({ file: m.file, span: m.span, message: firstLine(m.message) });
      m.related.forEach(relate);
    }
    replaced.set(anchor, { ...anchor, related, fixes: scored.map((s) => s.fix) });
    for (const m of members) if (m !== anchor) replaced.set(m, null);
  }
  const out: Finding[] = [];
  for (const f of findings) {
    const r = replaced.has(f) ? replaced.get(f) : f;
    if (r) out.push(r);
  }
  return out;
}

function isFileNote(f: Finding): boolean {
  return f.span.start === 0 && f.span.end === 0;
}

function firstLine(message: string): string {
  const i = message.indexOf('\n');
  return i < 0 ? message : message.slice(0, i);
}

/**
 * On each line with a choice of fixes (two or more, over its findings), the fixes are ranked by how many of the line's
 * problems they clear; the best is the line's one preferred fix and comes first, and where the line has several
 * problems each title says how many it fixes.
 */
function rankLines(findings: Finding[], judge: FixJudge): Finding[] {
  const byLine = new Map<string, Finding[]>();
  for (const f of findings) {
    if (isFileNote(f)) continue;
    const line = judge.lineOf(f.file, f.span);
    const key = `${f.file}\0${line.start}`;
    (byLine.get(key) ?? byLine.set(key, []).get(key)!).push(f);
  }
  const updated = new Map<Finding, Finding>();
  for (const problems of byLine.values()) {
    const fixes = problems.flatMap((p) => p.fixes);
    if (new Set(fixes.map(editsKey)).size < 2) continue;
    const scores = new Map<string, number>();
    for (const fix of fixes) {
      const key = editsKey(fix);
      if (!scores.has(key)) scores.set(key, problems.filter((p) => judge.clears(fix, p)).length);
    }
    const order = (list: Fix[]): Fix[] =>
      list
        .map((fix, i) => ({ fix, i, score: scores.get(editsKey(fix))! }))
        .sort((a, b) => b.score - a.score || Number(!!b.fix.preferred) - Number(!!a.fix.preferred) || a.i - b.i)
        .map((x) => x.fix);
    const [best] = order(fixes);
    const bestKey = best && (scores.get(editsKey(best))! > 0 || best.preferred) ? editsKey(best) : null;
    const total = problems.length;
    for (const p of problems) {
      updated.set(p, {
        ...p,
        fixes: order(p.fixes).map((fix) => {
          const n = scores.get(editsKey(fix))!;
          const says = total > 1 && n > 0 ? ` (fixes ${fixesText(n, total)} on this line)` : '';
          return { ...fix, title: `${fix.title}${says}`, preferred: editsKey(fix) === bestKey };
        }),
      });
    }
  }
  return findings.map((f) => updated.get(f) ?? f);
}

function fixesText(n: number, total: number): string {
  if (n < total) return `${n} of ${total} problems`;
  return total === 2 ? 'both problems' : `all ${total} problems`;
}
