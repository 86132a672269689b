// A latency trace for profiling the server over stdio (SD_TRACE_FILE=path), one event a line with the monotonic time in
// ms: `in ID METHOD` (a request read from stdin), `start ID METHOD` (its handler called), `out ID` (its answer
// written), `note METHOD` (a document notification read), `publish`, `stall MS` (the event loop ran nothing for that
// long), and the session's marks (analyses, index runs). Off unless the variable is set.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';

let mark: ((line: string) => void) | undefined;

/** Notes a moment in the trace, when tracing. */
export function traceMark(line: string): void {
  mark?.(line);
}

export function startTrace(file: string | undefined): void {
  if (!file) return;
  const fd = fs.openSync(file, 'w');
  // The monotonic clock in ms: the clock of `--cpu-prof` profiles (their microseconds / 1000).
  const now = () => (Number(process.hrtime.bigint() / 1000n) / 1000).toFixed(1);
  const log = (line: string) => fs.writeSync(fd, `${now()} ${line}\n`);
  mark = log;
  process.stdin.on('data', (chunk: Buffer) => {
    for (const m of chunk.toString('utf8').matchAll(/"id":(\d+),"method":"([\w/]+)"/g)) log(`in ${m[1]} ${m[2]}`);
    for (const m of chunk.toString('utf8').matchAll(/"method":"(textDocument\/did\w+)"/g)) log(`note ${m[1]}`);
  });
  const write = process.stdout.write.bind(process.stdout) as (...a: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    const id = /"id":(\d+),"result"|"result":.*"id":(\d+)}$/.exec(text);
    if (id) log(`out ${id[1] ?? id[2]}`);
    else if (text.includes('publishDiagnostics')) log('publish');
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  let last = performance.now();
  setInterval(() => {
    const t = performance.now();
    if (t - last > 40) log(`stall ${(t - last - 10).toFixed(1)}`);
    last = t;
  }, 10).unref();
}
