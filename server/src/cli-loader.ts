#!/usr/bin/env node
// The `stack-doctor` command (dist/cli.js): runs the command line's bundle (dist/cli-main.js, from cli.ts) with V8's
// code cache, so that a command does not parse and compile a megabyte of JavaScript on every start (Node 20 has no
// compile cache of its own). The cache is one file per Node version and architecture in the user's cache folder
// (`$XDG_CACHE_HOME/stack-doctor/code/`, or `$STACK_DOCTOR_CODE_CACHE`; `off` disables it); it names the bundle it was
// made from (build hash, size, time) and the kinds of run it holds, is written atomically after a run and is only an
// optimisation: one that is absent, another user's, damaged, made for another bundle, or that V8 rejects is ignored
// and made again.
import * as fs from 'node:fs';
// A plain require: a default import copies the module's properties into a new object (esbuild's interop).
const Module = require('node:module') as typeof import('node:module');
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { withCacheFile, writeFileAtomic } from './system/atomic-write';

/** sha256 of dist/cli-main.js and whether it is pure ASCII (esbuild.mjs defines both when it builds this file). */
declare const CLI_MAIN_HASH: string;
declare const CLI_MAIN_ASCII: boolean;

const MAIN = path.join(__dirname, 'cli-main.js');
const MAGIC = 'stack-doctor code cache 3\n';

/**
 * What a cache file says it was made from and by. The V8 data follows the header line, twice: V8 checks little of a
 * cache it is given and damaged data can crash it, so the loader compares the two copies (a native comparison in
 * pieces, where a checksum computed in JavaScript or node:crypto's would cost every start more than the cache saves).
 */
export interface Header {
  build: string;
  size: number;
  mtimeMs: number;
  /** The kinds of run (cli.ts lastRunKind) whose compiled functions it holds. */
  runs: string[];
  /** Of one copy of the V8 data. */
  length: number;
}

interface CliModule {
  main(argv: string[]): Promise<number>;
  lastRunKind(): string;
}

/** A cache that holds this many kinds of run is kept as it is. */
const MAX_RUNS = 16;

/** The cache file, or null when disabled. */
export function codeCacheFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = env.STACK_DOCTOR_CODE_CACHE;
  if (dir === 'off' || dir === '0') return null;
  const base = dir || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'stack-doctor', 'code');
  return path.join(base, `cli-${process.version}-${process.arch}.bin`);
}

/** The piece of the second copy read and compared at a time. */
const PIECE = 64 * 1024;

/**
 * The V8 data of `file` when it was made from this bundle by this user and both copies agree, with its header. The data
 * is read into `into` when it is large enough (the memory the bundle's text was read into: memory already touched, where
 * a new buffer of a megabyte costs a start its page faults).
 */
function readCache(file: string, main: fs.Stats, into: Buffer): { header: Header; data: Buffer } | null {
  // Code runs from this file: only one that this user wrote and nobody else can write, never through a symlink.
  return withCacheFile(file, (fd, size) => {
    const head = Buffer.allocUnsafe(Math.min(size, 4096));
    const got = fs.readSync(fd, head, 0, head.length, 0);
    if (head.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
    const nl = head.subarray(0, got).indexOf(0x0a, MAGIC.length);
    if (nl < 0) return null;
    const header = JSON.parse(head.toString('utf8', MAGIC.length, nl)) as Header;
    const at = nl + 1;
    if (
      header.build !== CLI_MAIN_HASH ||
      header.size !== main.size ||
      header.mtimeMs !== main.mtimeMs ||
      !Array.isArray(header.runs) ||
      !header.runs.every((r) => typeof r === 'string') ||
      !Number.isSafeInteger(header.length) ||
      header.length <= 0 ||
      size !== at + 2 * header.length
    )
      return null;
    const data = header.length <= into.length ? into.subarray(0, header.length) : Buffer.allocUnsafe(header.length);
    if (fs.readSync(fd, data, 0, data.length, at) !== data.length) return null;
    const piece = Buffer.allocUnsafe(Math.min(PIECE, data.length));
    for (let off = 0; off < data.length; off += piece.length) {
      const n = Math.min(piece.length, data.length - off);
      if (fs.readSync(fd, piece, 0, n, at + data.length + off) !== n) return null;
      if (!piece.subarray(0, n).equals(data.subarray(off, off + n))) return null;
    }
    return { header, data };
  });
}

function writeCache(file: string, main: fs.Stats, runs: string[], data: Buffer): void {
  const header: Header = { build: CLI_MAIN_HASH, size: main.size, mtimeMs: main.mtimeMs, runs, length: data.length };
  writeFileAtomic(file, Buffer.concat([Buffer.from(MAGIC + JSON.stringify(header) + '\n'), data, data]), 0o600);
}

/**
 * Loads cli-main.js through the code cache, and arranges for the cache to be (re)made after the run when it should.
 * The bundle is a function expression when run as a script (esbuild.mjs wraps it), so that its text is compiled as
 * read, without a module wrapper around a megabyte of source (a copy V8 would make to compile it).
 */
function loadCached(file: string): CliModule {
  const fd = fs.openSync(MAIN, 'r');
  let main: fs.Stats;
  let source: string;
  // The bundle's bytes, then the cache's V8 data in the same memory (sized for both: the cache is about 1.4 times the
  // bundle; a larger one gets a buffer of its own).
  let bytes: Buffer;
  try {
    main = fs.fstatSync(fd);
    bytes = Buffer.allocUnsafeSlow(Math.ceil(main.size * 1.5));
    let n = 0;
    for (let got = 1; n < main.size && got > 0; n += got) got = fs.readSync(fd, bytes, n, main.size - n, n);
    // A pure-ASCII bundle is read as Latin-1: the same string, without decoding a megabyte of UTF-8.
    source = bytes.toString(CLI_MAIN_ASCII ? 'latin1' : 'utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
  const cached = readCache(file, main, bytes);
  const script = new vm.Script(source, { filename: MAIN, cachedData: cached?.data });
  const usable = cached !== null && !script.cachedDataRejected;
  const mod = new Module(MAIN, module);
  mod.filename = MAIN;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(MAIN), mod, MAIN, path.dirname(MAIN));
  mod.loaded = true;
  const cli = mod.exports as CliModule;
  // Made after the run, so that it holds the functions the run compiled; made again (from the cache and what this run
  // compiled besides) after the first run of each kind, so that it comes to hold every path the CLI is used for: a
  // function missing from it costs a run far more to compile than to read from it.
  process.once('exit', () => {
    const run = cli.lastRunKind();
    const runs = usable ? cached.header.runs : [];
    if (runs.includes(run) || runs.length >= MAX_RUNS) return;
    try {
      writeCache(file, main, [...runs, run], script.createCachedData());
    } catch {
      // only the next run's start is slower
    }
  });
  return cli;
}

function start(): void {
  const file = codeCacheFile();
  // With source maps on (--enable-source-maps), Node's own loader, which maps stack traces (run by Node as a module,
  // the bundle runs itself).
  const sourceMaps = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
  const cli = file && !sourceMaps ? loadCached(file) : (require(MAIN) as CliModule);
  void cli.main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
  // When nothing is left to do (the moment Node would exit by itself), exit at once: Node's own way out tears down
  // the JavaScript heap page by page first, which costs a command milliseconds for nothing. `exit` handlers run.
  process.once('beforeExit', () => process.exit());
}

start();
