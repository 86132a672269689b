// Runs rattler's conda solver (@conda-org/rattler, WebAssembly) in a worker thread over repodata served from memory.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { workerThreads } from '../system/lazy-modules';

/** A package rattler picked. */
export interface SolvedRecord {
  name: string;
  version: string;
  build: string;
  subdir: string;
  /** The file name in the served repodata. */
  fn: string;
}

/** What one solve answered: the records, or conda's "cannot solve" text, or another error. */
export type SolveOutcome = { ok: true; records: SolvedRecord[] } | { ok: false; unsat: boolean; message: string };

/** The host of the in-memory channel; the worker answers only it and refuses every other URL. */
export const VIRTUAL_HOST = 'stack-doctor-conda.invalid';

// The worker: requires rattler, answers its repodata requests from registered files, runs simpleSolve.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const files = new Map();
const respond = (url, status, body) => { const r = new Response(body, { status, headers: { 'content-type': 'application/json' } }); Object.defineProperty(r, 'url', { value: url }); return r; };
globalThis.fetch = async (input) => {
  const url = typeof input === 'string' ? input : input.url;
  let u; try { u = new URL(url); } catch { return respond(url, 404, ''); }
  if (u.hostname !== ${JSON.stringify(VIRTUAL_HOST)}) return respond(url, 403, '');
  const id = u.pathname.split('/')[1];
  const body = files.get(id)?.get(u.pathname);
  return body === undefined ? respond(url, 404, '') : respond(url, 200, body);
};
const rattler = require(workerData.rattler);
parentPort.on('message', async (m) => {
  if (m.type === 'register') { files.set(m.id, new Map(Object.entries(m.files))); return; }
  if (m.type === 'drop') { files.delete(m.id); return; }
  try {
    const out = await rattler.simpleSolve(m.specs, m.channels, m.platforms, m.locked);
    const records = out.map((p) => ({ name: p.packageName, version: p.version, build: p.build, subdir: p.subdir ?? '', fn: p.filename }));
    parentPort.postMessage({ req: m.req, ok: true, records });
  } catch (e) {
    const message = typeof e === 'string' ? e : (e && e.message) || String(e);
    parentPort.postMessage({ req: m.req, ok: false, unsat: /^Cannot solve the request/.test(message), message });
  }
});
`;

let rattlerPath: string | null | undefined;

/** Where @conda-org/rattler's Node build is, or null when it is not installed. */
export function rattlerModulePath(): string | null {
  if (rattlerPath !== undefined) return rattlerPath;
  // The packaged extension carries the solver beside the bundle (esbuild.mjs copies it to dist/rattler/).
  const beside = path.join(__dirname, 'rattler', 'rattler.node.cjs');
  if (existsSync(beside) && existsSync(path.join(__dirname, 'rattler', 'js_rattler_bg.wasm')))
    return (rattlerPath = beside);
  try {
    const req = createRequire(path.join(process.cwd(), 'noop.js'));
    const candidates = [__dirname, path.join(__dirname, '..'), process.cwd()];
    let found: string | null = null;
    for (const c of candidates) {
      try {
        found = createRequire(path.join(c, 'noop.js')).resolve('@conda-org/rattler');
        break;
      } catch {
        /* next */
      }
    }
    rattlerPath = found ?? req.resolve('@conda-org/rattler');
  } catch {
    rattlerPath = null;
  }
  return rattlerPath;
}

interface Pending {
  resolve: (o: SolveOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * One worker thread shared by all solves. A solve past its time limit, or a crash of the WebAssembly module,
 * ends the worker; the next solve starts a fresh one (registered channels are sent again).
 */
export class RattlerSolver {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly registered = new Map<string, Record<string, string>>();
  private nextReq = 1;
  /** Solves run (for tests and the bench). */
  solves = 0;

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const mod = rattlerModulePath();
    if (!mod) throw new Error('the conda solver (@conda-org/rattler) is not installed');
    const w = new (workerThreads().Worker)(WORKER_SOURCE, { eval: true, workerData: { rattler: mod } });
    w.on(
      'message',
      (
        m: { req: number } & ({ ok: true; records: SolvedRecord[] } | { ok: false; unsat: boolean; message: string }),
      ) => {
        const p = this.pending.get(m.req);
        if (!p) return;
        this.pending.delete(m.req);
        clearTimeout(p.timer);
        p.resolve(m.ok ? { ok: true, records: m.records } : { ok: false, unsat: m.unsat, message: m.message });
      },
    );
    const fail = (why: string): void => {
      if (this.worker !== w) return;
      this.worker = null;
      for (const [req, p] of this.pending) {
        clearTimeout(p.timer);
        p.resolve({ ok: false, unsat: false, message: why });
        this.pending.delete(req);
      }
    };
    w.on('error', (e) => fail(`the conda solver failed (${e.message.split('\n')[0]})`));
    w.on('exit', () => fail('the conda solver stopped'));
    for (const [id, files] of this.registered) w.postMessage({ type: 'register', id, files });
    // After the listeners: adding a 'message' listener refs the port again.
    w.unref();
    this.worker = w;
    return w;
  }

  /** Makes `files` (path under `/<id>/` -> repodata JSON) answerable to solves. */
  register(id: string, files: Record<string, string>): void {
    this.registered.set(id, files);
    this.worker?.postMessage({ type: 'register', id, files });
  }

  drop(id: string): void {
    this.registered.delete(id);
    this.worker?.postMessage({ type: 'drop', id });
  }

  /** One solve; never rejects (a failure is an outcome). */
  solve(
    specs: string[],
    channels: string[],
    platforms: string[],
    locked: unknown[],
    timeoutMs: number,
  ): Promise<SolveOutcome> {
    let w: Worker;
    try {
      w = this.ensure();
    } catch (e) {
      return Promise.resolve({ ok: false, unsat: false, message: (e as Error).message });
    }
    this.solves++;
    const req = this.nextReq++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(req);
        resolve({ ok: false, unsat: false, message: `the conda solver gave no answer within ${timeoutMs} ms` });
        if (this.worker === w) {
          this.worker = null;
          void w.terminate();
        }
      }, timeoutMs);
      this.pending.set(req, { resolve, timer });
      w.postMessage({ type: 'solve', req, specs, channels, platforms, locked });
    });
  }

  /** Ends the worker (tests, shutdown). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

let shared: RattlerSolver | null = null;

/** The process-wide solver. */
export function sharedSolver(): RattlerSolver {
  return (shared ??= new RattlerSolver());
}
