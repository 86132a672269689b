// The output channel as every writer sees it: each string written has its URLs' credentials and tokens redacted, so
// neither our own lines nor languageclient's (its traces carry the initialization options, index URLs included)
// put a password in the log VS Code keeps on disk.
import { redact } from '../../../server/src/index/credentials';

/** Methods of an output channel that take the text to write as their first argument. */
const WRITERS = new Set(['append', 'appendLine', 'replace', 'trace', 'debug', 'info', 'warn', 'error']);

/** `channel` with every string its writing methods receive redacted; any other member is the channel's own. */
export function redactingChannel<T extends object>(channel: T): T {
  return new Proxy(channel, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !WRITERS.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => unknown).apply(
          target,
          args.map((a) => (typeof a === 'string' ? redact(a) : a instanceof Error ? redactedError(a) : a)),
        );
    },
  });
}

function redactedError(e: Error): Error {
  const copy = new Error(redact(e.message));
  copy.name = e.name;
  copy.stack = e.stack === undefined ? undefined : redact(e.stack);
  return copy;
}
