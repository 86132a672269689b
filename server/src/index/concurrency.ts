// A counting semaphore with abortable waits, and in-flight de-duplication of async work shared by several callers.
import { CancelledError } from '../model/cancel';

/** One abort listener per signal, shared by every subscriber of `onAbort`. */
const subscribers = new WeakMap<AbortSignal, { fire: () => void; callbacks: Set<() => void> }>();

/**
 * Calls `callback` once when `signal` aborts; returns the function that unsubscribes. However many callers wait on
 * one signal (a resolver asking for hundreds of projects at once), the signal carries one listener, so Node never
 * warns `MaxListenersExceededWarning`; the listener is removed when the last subscriber leaves.
 */
export function onAbort(signal: AbortSignal | undefined, callback: () => void): () => void {
  if (!signal) return () => undefined;
  let hub = subscribers.get(signal);
  if (!hub) {
    const callbacks = new Set<() => void>();
    const fire = (): void => {
      subscribers.delete(signal);
      for (const cb of [...callbacks]) cb();
    };
    hub = { fire, callbacks };
    subscribers.set(signal, hub);
    signal.addEventListener('abort', fire, { once: true });
  }
  const h = hub;
  let active = true;
  const entry = (): void => {
    if (!active) return;
    active = false;
    callback();
  };
  h.callbacks.add(entry);
  return () => {
    if (!active) return;
    active = false;
    h.callbacks.delete(entry);
    if (h.callbacks.size === 0 && subscribers.get(signal) === h) {
      subscribers.delete(signal);
      signal.removeEventListener('abort', h.fire);
    }
  };
}

/** Bounds how many tasks run at once; waiters leave the queue when their signal aborts. */
export class Semaphore {
  private active = 0;
  private readonly queue: { resolve: () => void; reject: (e: unknown) => void; off: () => void }[] = [];

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
      const waiter = { resolve, reject, off: () => undefined as void };
      waiter.off = onAbort(signal, () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new CancelledError());
      });
      this.queue.push(waiter);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) {
      next.off();
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
      const off = onAbort(signal, () => {
        s.waiters--;
        if (s.waiters === 0) {
          s.controller.abort();
          if (this.running.get(key) === s) this.running.delete(key);
        }
        reject(new CancelledError());
      });
      s.promise.then(
        (v) => {
          off();
          resolve(v);
        },
        (e: unknown) => {
          off();
          reject(e);
        },
      );
    });
  }
}
