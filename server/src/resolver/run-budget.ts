// The budget of one resolution: steps, a deadline and the caller's signal; a provider call never outlives it, and a
// warm provider's answers leave the event loop a turn between slices of work.
import { nextTurn, sliceSpent } from '../model/turns';
import type { Resolution, ResolveOptions } from './types';

const DEFAULT_MAX_STEPS = 200_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/** Thrown inside a resolution when its budget is spent or its signal fired; `RunBudget.stopped` is the answer. */
export class Stop {
  constructor(readonly reason: 'budget' | 'cancelled') {}
}

/** The steps, time and cancellation of one resolution. */
export class RunBudget {
  readonly signal: AbortSignal | undefined;
  private readonly maxSteps: number;
  private readonly deadline: number;
  private readonly started = Date.now();
  private stepCount = 0;
  private stopPromise: Promise<never> | null = null;
  private cleanup: (() => void) | null = null;
  /**
   * Ends the provider calls the run started (prefetches included) when it is disposed, unless the caller gave their end
   * (`callsEnd`): a resolution leaves nothing fetching behind it, outside its analysis's run and budget.
   */
  private readonly calls: AbortController | null;
  /** The signal of the run's provider calls: the caller's, or the end of the calls (the run's, or the caller's). */
  readonly callSignal: AbortSignal;

  constructor(opts: Pick<ResolveOptions<unknown>, 'maxSteps' | 'deadline' | 'timeoutMs' | 'signal' | 'callsEnd'>) {
    this.maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    this.deadline = Math.min(opts.deadline ?? Infinity, this.started + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    this.signal = opts.signal;
    this.calls = opts.callsEnd ? null : new AbortController();
    const end = opts.callsEnd ?? this.calls!.signal;
    this.callSignal = opts.signal && opts.signal !== end ? AbortSignal.any([opts.signal, end]) : end;
  }

  /** Steps counted so far. */
  get steps(): number {
    return this.stepCount;
  }

  /** Starts the timer and the signal's listener that stop a provider call waited on; `dispose` ends them. */
  arm(): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    this.stopPromise = new Promise<never>((_, reject) => {
      const ms = this.deadline - Date.now();
      if (Number.isFinite(ms)) {
        timer = setTimeout(() => reject(new Stop('budget')), Math.max(0, ms));
        timer.unref?.();
      }
      if (this.signal) {
        onAbort = () => reject(new Stop('cancelled'));
        this.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    this.stopPromise.catch(() => undefined);
    this.cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort) this.signal?.removeEventListener('abort', onAbort);
    };
  }

  /** Ends the timer, the listener and every provider call still under way (unless the caller ends them). */
  dispose(): void {
    this.cleanup?.();
    this.calls?.abort();
  }

  /** Counts a step and stops when a budget is spent or the signal fired. */
  tick(): void {
    this.stepCount++;
    if (this.stepCount > this.maxSteps) throw new Stop('budget');
    if ((this.stepCount & 31) === 0 && Date.now() > this.deadline) throw new Stop('budget');
    if (this.signal?.aborted) throw new Stop('cancelled');
  }

  /**
   * Awaits a provider call, but no longer than the budget allows. A warm provider answers from memory (a chain of
   * microtasks), so each slice of background work ends here and the event loop, and the editor's messages, get a turn.
   */
  async wait<T>(p: Promise<T>): Promise<T> {
    if (sliceSpent()) {
      // The call is under way while this waits for a turn: its failure (a cancellation) is read after, not unhandled.
      p.catch(() => undefined);
      await nextTurn();
    }
    if (Date.now() > this.deadline) throw new Stop('budget');
    if (this.signal?.aborted) throw new Stop('cancelled');
    return this.stopPromise ? Promise.race([p, this.stopPromise]) : p;
  }

  /** The answer of a resolution that stopped. */
  stopped<O>(reason: 'budget' | 'cancelled'): Resolution<O> {
    const elapsedMs = Date.now() - this.started;
    const message =
      reason === 'cancelled'
        ? 'Resolution was cancelled.'
        : this.stepCount > this.maxSteps
          ? `Resolution gave up after ${this.maxSteps} steps without an answer.`
          : `Resolution gave up after ${elapsedMs} ms without an answer.`;
    return { ok: false, reason, message, steps: this.stepCount, elapsedMs };
  }
}
