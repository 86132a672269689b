// The session's index runs: one per file that triggered it, debounced, stopped by an edit to a file of its sets, and
// taking turns so that two open files of one set do not resolve it twice at once (the active editor's file first).

/** A scheduled index run: the files of its sets (an edit to one of them supersedes it) and whether its wait is over. */
interface IndexRun {
  timer: NodeJS.Timeout;
  abort: AbortController;
  files: ReadonlySet<string>;
  started: boolean;
}

/**
 * The index runs per triggering file. Runs take turns: one after the other, the second finds the first's report
 * current and only publishes. The run that reads the active editor's file goes first.
 */
export class IndexRuns {
  private readonly runs = new Map<string, IndexRun>();
  /** Whether a run holds the turn. */
  private busy = false;
  /** Runs whose wait is over, waiting for their turn. */
  private readonly waiting: { files: ReadonlySet<string>; go: () => void }[] = [];
  /** The file of the editor the person looks at: its sets are resolved first. */
  private active: string | undefined;

  get activeFile(): string | undefined {
    return this.active;
  }

  setActiveFile(file: string | undefined): void {
    this.active = file;
    this.nextTurn();
  }

  /** Stops the run `trigger` scheduled, if there is one. */
  cancel(trigger: string): void {
    const previous = this.runs.get(trigger);
    if (!previous) return;
    this.stop(trigger, previous);
    this.nextTurn();
  }

  /**
   * Stops the runs whose sets read this file (their texts are gone, their report would be for nothing); returns the
   * files other than this one that triggered them, to be scheduled again with the new texts.
   */
  supersede(filePath: string): string[] {
    const again: string[] = [];
    for (const [trigger, run] of this.runs) {
      if (!run.files.has(filePath)) continue;
      this.stop(trigger, run);
      if (trigger !== filePath) again.push(trigger);
    }
    this.nextTurn();
    return again;
  }

  /**
   * Runs `work` for `trigger` after `delayMs`, in its turn, unless it was stopped before; `abort` is signalled when
   * an edit or a newer run supersedes it.
   */
  start(
    trigger: string,
    files: ReadonlySet<string>,
    delayMs: number,
    work: (abort: AbortController) => Promise<void>,
  ): void {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      run.started = true;
      void this.inTurn(trigger, files, abort, work);
    }, delayMs);
    const run: IndexRun = { timer, abort, files, started: false };
    this.runs.set(trigger, run);
  }

  /** Stops every run (shutdown). */
  dispose(): void {
    for (const run of this.runs.values()) {
      clearTimeout(run.timer);
      run.abort.abort();
    }
    this.runs.clear();
    this.nextTurn();
  }

  private stop(trigger: string, run: IndexRun): void {
    clearTimeout(run.timer);
    run.abort.abort();
    this.runs.delete(trigger);
  }

  private async inTurn(
    trigger: string,
    files: ReadonlySet<string>,
    abort: AbortController,
    work: (abort: AbortController) => Promise<void>,
  ): Promise<void> {
    await new Promise<void>((go) => {
      this.waiting.push({ files, go });
      this.nextTurn();
    });
    try {
      if (!abort.signal.aborted) {
        try {
          await work(abort);
        } finally {
          if (this.runs.get(trigger)?.abort === abort) this.runs.delete(trigger);
        }
      }
    } finally {
      this.busy = false;
      this.nextTurn();
    }
  }

  /**
   * Gives the turn, when free, to the waiting run that reads the active editor's file, else to the first that waits;
   * while a run that reads the active file is still in its wait, the others let it go first.
   */
  private nextTurn(): void {
    if (this.busy || this.waiting.length === 0) return;
    const active = this.active;
    let i = active === undefined ? -1 : this.waiting.findIndex((w) => w.files.has(active));
    if (i < 0) {
      const activeWaits =
        active !== undefined &&
        [...this.runs.values()].some((r) => !r.started && !r.abort.signal.aborted && r.files.has(active));
      if (activeWaits) return;
      i = 0;
    }
    const [next] = this.waiting.splice(i, 1);
    this.busy = true;
    next!.go();
  }
}
