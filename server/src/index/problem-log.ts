// The problems an index could not answer, kept in the order met so that each run reads those its answers depend on.
import { BudgetSpentError } from './budget';
import { redact } from './credentials';
import { IndexError, RefusedError, UnreachableError, hostOf, type IndexProblem } from './errors';

/** Problems in the order met (the last 1000); `since(mark)` reads those after a mark. */
export class ProblemLog {
  private readonly log: { seq: number; problem: IndexProblem }[] = [];
  private seq = 0;

  record(problem: IndexProblem): void {
    this.log.push({ seq: ++this.seq, problem });
    if (this.log.length > 1000) this.log.splice(0, this.log.length - 1000);
  }

  /** A mark for `since(mark)`: take it before a run, read the run's problems after. */
  mark(): number {
    return this.seq;
  }

  /** The problems recorded after `mark` (default: all kept), one per kind, URL and message. */
  since(mark = 0): IndexProblem[] {
    const seen = new Set<string>();
    const out: IndexProblem[] = [];
    for (const { seq, problem } of this.log) {
      if (seq <= mark) continue;
      const key = `${problem.kind}\0${problem.url}\0${problem.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(problem);
      }
    }
    return out;
  }
}

/** A problem from an error of the index layer (or an unexpected one while reading index data). */
export function problemOf(e: unknown, url: string, project: string | null): IndexProblem {
  const shown = e instanceof IndexError ? e.url : redact(url);
  const message =
    e instanceof IndexError ? e.message : `${redact(url)}: ${redact(e instanceof Error ? e.message : String(e))}`;
  return {
    kind:
      e instanceof UnreachableError
        ? 'unreachable'
        : e instanceof RefusedError
          ? 'refused'
          : e instanceof BudgetSpentError
            ? 'budget'
            : 'invalid',
    url: shown,
    host: hostOf(shown),
    message,
    project,
    ...(e instanceof UnreachableError ? { detail: e.detail } : {}),
  };
}
