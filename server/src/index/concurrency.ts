// A counting semaphore with abortable waits, and in-flight de-duplication of async work shared by several callers.
import { CancelledError } from './errors';

/** Bounds how many tasks run at once; waiters leave the queue when their signal aborts. */
export class Semaphore {
  private active = 0;
  private readonly queue: { resolve: () => void; reject: (e: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void }[] = [];

  constructor(readonly limit: number) {}

  /** Runs `task` once a slot is free. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new CancelledError());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) {
      next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve();
    } else this.active--;
  }
}

interface Shared<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * De-duplicates concurrent work by key: callers of the same key share one run. The run gets its own signal,
 * aborted only when every caller waiting on it has aborted; a caller whose signal aborts stops waiting at once.
 */
export class InFlight<T> {
  private readonly running = new Map<string, Shared<T>>();

  /** Whether work for `key` is running. */
  has(key: string): boolean {
    return this.running.has(key);
  }

  run(key: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    let shared = this.running.get(key);
    if (!shared) {
      const controller = new AbortController();
      const promise = work(controller.signal).finally(() => {
        if (this.running.get(key) === entry) this.running.delete(key);
      });
      const entry: Shared<T> = { promise, controller, waiters: 0 };
      // The shared promise may reject after every waiter has left; that rejection is handled by nobody else.
      promise.catch(() => undefined);
      this.running.set(key, entry);
      shared = entry;
    }
    const s = shared;
    s.waiters++;
    if (!signal) return s.promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        s.waiters--;
        if (s.waiters === 0) {
          s.controller.abort();
          if (this.running.get(key) === s) this.running.delete(key);
        }
        reject(new CancelledError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      s.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }
}
