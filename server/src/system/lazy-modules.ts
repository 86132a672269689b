// Node modules loaded on first use, not when a bundle loads: a command that never spawns a process, unzips, hashes or
// solves with conda does not pay for loading them (the CLI's fixed cost). Libraries and the analysis stages
// loaded the same way have a module each (system/lazy/, workspace/lazy-stages.ts), so that importing one accessor
// never bundles the others into a bundle that does not need them (the extension).
import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';
import type * as Tty from 'node:tty';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Zlib from 'node:zlib';

/** `load()` the first time, its value ever after. */
export function once<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}

export const childProcess = once(() => require('node:child_process') as typeof ChildProcess);
export const crypto = once(() => require('node:crypto') as typeof Crypto);
export const tty = once(() => require('node:tty') as typeof Tty);
export const workerThreads = once(() => require('node:worker_threads') as typeof WorkerThreads);
export const zlib = once(() => require('node:zlib') as typeof Zlib);
