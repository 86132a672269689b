#!/usr/bin/env node
// The `stack-doctor` command (dist/cli.js): runs the command line's bundle (dist/cli-main.js, from cli.ts) with V8's
// code cache, so that a command does not parse and compile a megabyte of JavaScript on every start (Node 20 has no
// compile cache of its own). The cache is one file per Node version and architecture in the user's cache folder
// (`$XDG_CACHE_HOME/stack-doctor/code/`, or `$STACK_DOCTOR_CODE_CACHE`; `off` disables it); it names the bundle it was
// made from (build hash, size, time), is written atomically after a run and is only an optimisation: one that is
// absent, another user's, made for another bundle, or that V8 rejects is ignored and made again.
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { readCacheFile, writeFileAtomic } from './system/atomic-write';

/** sha256 of dist/cli-main.js and whether it is pure ASCII (esbuild.mjs defines both when it builds this file). */
declare const CLI_MAIN_HASH: string;
declare const CLI_MAIN_ASCII: boolean;

const MAIN = path.join(__dirname, 'cli-main.js');
const MAGIC = 'stack-doctor code cache 1\n';

/** What a cache file says it was made from and by; the V8 data follows the header line. */
export interface Header {
  build: string;
  size: number;
  mtimeMs: number;
  /** What the run that made it did (cli.ts lastRunKind); the functions that run compiled are in it. */
  run: string;
  /** Checks since then that compiled without it hoping to be KEPT_RUN and were not. */
  tries: number;
  length: number;
  /** Of the V8 data: V8 checks little of a cache it is given, and damaged data can crash it. */
  sha256: string;
}

interface CliModule {
  main(argv: string[]): Promise<number>;
  lastRunKind(): string;
}

/** The run whose compiled functions the cache should hold: a check answered from the result cache, the fast path. */
const KEPT_RUN = 'check-cached';
/** Checks that compile without a cache made by another run, hoping to make one from KEPT_RUN. */
const MAX_TRIES = 2;

/** The cache file, or null when disabled. */
export function codeCacheFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = env.STACK_DOCTOR_CODE_CACHE;
  if (dir === 'off' || dir === '0') return null;
  const base = dir || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'stack-doctor', 'code');
  return path.join(base, `cli-${process.version}-${process.arch}.bin`);
}

/** The V8 data of `file` when it was made from this bundle by this user, with its header; else null. */
function readCache(file: string, main: fs.Stats): { header: Header; data: Buffer } | null {
  try {
    // Code runs from this file: only one that this user wrote and nobody else can write, never through a symlink.
    const raw = readCacheFile(file);
    if (!raw) return null;
    if (raw.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
    const nl = raw.indexOf(0x0a, MAGIC.length);
    if (nl < 0) return null;
    const header = JSON.parse(raw.toString('utf8', MAGIC.length, nl)) as Header;
    const data = raw.subarray(nl + 1);
    if (
      header.build !== CLI_MAIN_HASH ||
      header.size !== main.size ||
      header.mtimeMs !== main.mtimeMs ||
      header.length !== data.length ||
      typeof header.run !== 'string' ||
      typeof header.tries !== 'number' ||
      header.sha256 !== sha256(data)
    )
      return null;
    return { header, data };
  } catch {
    return null;
  }
}

function sha256(data: Uint8Array): string {
  // Required here, not imported: this file stays a few kilobytes (the check loads node:crypto anyway).
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(data).digest('hex');
}

function writeCache(file: string, main: fs.Stats, run: string, tries: number, data: Buffer): void {
  const header: Header = {
    build: CLI_MAIN_HASH,
    size: main.size,
    mtimeMs: main.mtimeMs,
    run,
    tries,
    length: data.length,
    sha256: sha256(data),
  };
  writeFileAtomic(file, Buffer.concat([Buffer.from(MAGIC + JSON.stringify(header) + '\n'), data]), 0o600);
}

/** Loads cli-main.js through the code cache, and arranges for the cache to be (re)made after the run when it should. */
function loadCached(file: string): CliModule {
  const main = fs.statSync(MAIN);
  const bytes = fs.readFileSync(MAIN);
  // A pure-ASCII bundle is read as Latin-1: the same string, without decoding a megabyte of UTF-8.
  let source = bytes.toString(CLI_MAIN_ASCII && bytes.length === main.size ? 'latin1' : 'utf8');
  if (source.startsWith('#!')) source = '//' + source.slice(2);
  const cached = readCache(file, main);
  // A cache holds every function of the run that made it and of the runs that used it: one made by a slower run
  // (resolver, index client) costs the fast path time to load. A check compiles without it, a few times at most, to
  // make one from the fast path.
  const retry =
    cached !== null && cached.header.run !== KEPT_RUN && cached.header.tries < MAX_TRIES && process.argv[2] === 'check';
  const script = new vm.Script(Module.wrap(source), { filename: MAIN, cachedData: retry ? undefined : cached?.data });
  const usable = cached !== null && !retry && !script.cachedDataRejected;
  const mod = new Module(MAIN, module);
  mod.filename = MAIN;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(MAIN), mod, MAIN, path.dirname(MAIN));
  mod.loaded = true;
  const cli = mod.exports as CliModule;
  // Made after the run, so that it holds the functions the run compiled (a slower run compiles what the fast path
  // does not need as it goes, which its own work dwarfs).
  process.once('exit', () => {
    if (usable) return;
    const run = cli.lastRunKind();
    try {
      writeCache(file, main, run, retry && run !== KEPT_RUN ? cached.header.tries + 1 : 0, script.createCachedData());
    } catch {
      // only the next run's start is slower
    }
  });
  return cli;
}

function start(): void {
  const file = codeCacheFile();
  // With source maps on (--enable-source-maps), Node's own loader, which maps stack traces.
  const sourceMaps = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
  const cli = file && !sourceMaps ? loadCached(file) : (require(MAIN) as CliModule);
  void cli.main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

start();
