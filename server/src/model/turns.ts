// Background work's turns on the event loop. Long computations (resolutions, fix searches) run in short slices, one
// slice per event-loop turn for all of them together, and none while the editor's messages wait to be handled: in a
// language server, messages are taken one per turn, so background work that fills each turn makes every request wait
// behind every edit queued before it.

/**
 * The longest one slice of background work runs before the event loop gets a turn (ms): short in a server, where
 * each turn takes one message; longer where nothing else waits (the CLI: its timers only).
 */
let sliceMs = 8;

/** Whether messages from the client wait to be handled; the server sets it, nothing waits for it elsewhere (CLI). */
let foregroundWaiting: () => boolean = () => false;

/** Says how to know that the client's messages wait (the language server counts them), and the slice to use. */
export function setForeground(waiting: () => boolean, slice = 4): void {
  foregroundWaiting = waiting;
  sliceMs = slice;
}

/** Whether foreground messages wait now. */
export function foregroundPending(): boolean {
  return foregroundWaiting();
}

const waiters: (() => void)[] = [];
let scheduled = false;
/** When the current slice began (`now()`). */
let sliceStart = -Infinity;

/**
 * A monotonic clock in milliseconds. `process.hrtime` rather than `performance.now()`: the global `performance` loads
 * node's perf_hooks modules on first use, a cost every CLI check that resolves would pay.
 */
function now(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(turn);
}

/** One turn: while messages wait, nothing; else the longest-waiting task gets a fresh slice. */
function turn(): void {
  scheduled = false;
  if (waiters.length === 0) return;
  if (!foregroundWaiting()) {
    sliceStart = now();
    waiters.shift()!();
  }
  if (waiters.length > 0) schedule();
}

/** Whether the current slice is spent (or messages wait): time to call `nextTurn`. */
export function sliceSpent(): boolean {
  return now() - sliceStart >= sliceMs || foregroundWaiting();
}

/**
 * Resolves in a later event-loop turn, when no message waits, with a fresh slice; tasks waiting together take turns in
 * the order they asked.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiters.push(resolve);
    schedule();
  });
}

/** Waits for a later turn while the client's messages wait (nothing, where none do); whether it waited. */
export async function giveWay(): Promise<boolean> {
  if (!foregroundWaiting()) return false;
  await nextTurn();
  return true;
}
