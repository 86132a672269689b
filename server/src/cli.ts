#!/usr/bin/env node
// The `stack-doctor` command line: check, list and probe over the same analysis the editor uses.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  dependenciesJson,
  dependenciesText,
  findingsJson,
  findingsSarif,
  findingsText,
  lockedText,
} from './cli-output';
import type { Dependency, FileKind, Finding, ParsedFile } from './model/types';
import { LineIndex } from './model/text';
import { Analysis } from './workspace/analysis';
import { diskSource, skipReason } from './workspace/text-source';
import { fileKindLabels, kindOfNamedFile } from './workspace/file-kinds';
import { defaultCacheDir } from './workspace/index-settings';
import { readResult, writeResult } from './workspace/result-cache';
import { loadTarget, type Target } from './workspace/target';
import { OsvDatabase } from './index/osv';
import { AdvisorySource } from './workspace/advisory-source';
import { readCacheFilesSynchronously } from './system/atomic-write';
import { crypto, tty } from './system/lazy-modules';
import { version } from '../../package.json';
import type { EnvironmentSet } from './model/sets';

const usage = (): string => `Usage: stack-doctor <command> [options] [PATH...]

Files: ${fileKindLabels()}; a folder is searched for them.

Commands:
  check [PATH...]   Analyse dependency files or folders (default: the current folder).
  list [PATH...]    Every declared dependency of the files and what they include.
  probe             This machine's profile as JSON.

Options:
  --format text|json|sarif   Output format (check: text, json or sarif; list: text or json). Default: text.
  --profile FILE             Judge against the machine described by FILE instead of this one.
  --python PATH              The interpreter whose Python version and platform markers are evaluated for.
  --index-url URL            Package index (PEP 691/503); default: what the files and pip's configuration say, then PyPI.
  --extra-index-url URL      Additional index (repeatable).
  --offline                  Never contact an index: syntax, direct conflicts and the machine checks only.
  --platform NAME            Also solve a pixi manifest's platform NAME (osx-arm64, win-64, a platform entry's name)
                             that this machine does not run (repeatable); by default only the ones it runs.
  --cache-dir DIR            Folder for the metadata cache (default: ~/.cache/stack-doctor).
  --osv-database PATH        A folder or zip of OSV records (osv.dev's export) for \`vulnerable\`; works offline too.
  --untrusted                Judge the files as an untrusted workspace: no URL or index they name is contacted, no
                             \${VAR} in them is expanded.
  -h, --help                 Show this help.   --version   Show the version.

Exit status: 0 no error-severity finding, 1 at least one, 2 bad usage or an unreadable path.
`;

class UsageError extends Error {}

interface Options {
  command: string;
  paths: string[];
  format: string;
  profile?: string;
  python?: string;
  indexUrl?: string;
  extraIndexUrls: string[];
  offline: boolean;
  /** pixi platforms solved besides the machine's own. */
  platforms: string[];
  cacheDir?: string;
  osvDatabase?: string;
  untrusted: boolean;
}

function parseArgs(argv: string[]): Options | 'help' | 'version' {
  const o: Options = {
    command: '',
    paths: [],
    format: 'text',
    extraIndexUrls: [],
    offline: false,
    platforms: [],
    untrusted: false,
  };
  const valueOf = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`option ${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const take = (): string => inline ?? valueOf(i++, a);
    switch (a) {
      case '-h':
      case '--help':
        return 'help';
      case '--version':
        return 'version';
      case '--format':
        o.format = take();
        break;
      case '--profile':
        o.profile = take();
        break;
      case '--python':
        o.python = take();
        break;
      case '--index-url':
      case '--extra-index-url': {
        const url = take();
        if (!/^(https?|file):\/\//.test(url))
          throw new UsageError(`${a} must be an http(s):// or file:// URL, got '${url}'`);
        if (a === '--index-url') o.indexUrl = url;
        else o.extraIndexUrls.push(url);
        break;
      }
      case '--offline':
        o.offline = true;
        break;
      case '--platform':
        o.platforms.push(take());
        break;
      case '--untrusted':
        o.untrusted = true;
        break;
      case '--cache-dir':
        o.cacheDir = take();
        break;
      case '--osv-database':
        o.osvDatabase = take();
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
        if (!o.command) o.command = a;
        else o.paths.push(a);
    }
  }
  if (!o.command) throw new UsageError('no command given');
  if (!['check', 'list', 'probe'].includes(o.command)) throw new UsageError(`unknown command '${o.command}'`);
  const formats =
    o.command === 'check' ? ['text', 'json', 'sarif'] : o.command === 'list' ? ['text', 'json'] : ['json', 'text'];
  if (!formats.includes(o.format))
    throw new UsageError(`--format for ${o.command} must be one of ${formats.join(', ')}`);
  return o;
}

/** A path the user named, checked and classified; UsageError (exit 2) when it cannot be read. */
function target(p: string): { path: string; dir: boolean; kind: FileKind | null } {
  const abs = path.resolve(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read '${p}': ` +
        `${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`,
    );
  }
  if (st.isDirectory()) {
    try {
      fs.readdirSync(abs);
    } catch {
      throw new UsageError(`cannot read folder '${p}': permission denied`);
    }
    return { path: abs, dir: true, kind: null };
  }
  try {
    fs.accessSync(abs, fs.constants.R_OK);
  } catch {
    throw new UsageError(`cannot read '${p}': permission denied`);
  }
  // A FIFO, socket or device is never opened (a FIFO would block); a file over the size limit is not checked:
  // either way nothing would be checked, which a CI run must not take for a pass.
  const why = skipReason(abs);
  if (why) throw new UsageError(`cannot read '${p}': ${why}; nothing was checked`);
  const kind = kindOfNamedFile(abs, () => diskSource.read(abs));
  if (!kind) throw new UsageError(`'${p}' is not a dependency file Stack Doctor reads (${fileKindLabels()})`);
  return { path: abs, dir: false, kind };
}

/**
 * The machine of `--profile`, else this one probed (with `--python`'s interpreter and environment); UsageError when
 * either cannot be read.
 */
async function machine(o: Options, withInstalled: boolean, probeCacheDir?: string): Promise<Target> {
  const target = await loadTarget({ profileFile: o.profile, python: o.python, probeCacheDir });
  const problem =
    target.profileProblem ?? target.pythonProblem ?? (withInstalled ? target.installedProblem : undefined);
  if (problem) throw new UsageError(problem);
  return target;
}

function linesFor(files: ParsedFile[]): (file: string) => LineIndex {
  const cache = new Map<string, LineIndex>();
  return (file) => {
    let li = cache.get(file);
    if (!li)
      cache.set(file, (li = new LineIndex(files.find((f) => f.path === file)?.text ?? diskSource.read(file) ?? '')));
    return li;
  };
}

/**
 * What the last `main` did, for the CLI loader's code cache (which holds the compiled functions of every kind of run
 * it has seen): `check-cached` when a check's findings came from the result cache, `check <kinds>` with the kinds of
 * file a check analysed (a conda environment runs other code than a requirements file), else the command.
 */
let lastRun = '';
export function lastRunKind(): string {
  return lastRun;
}

async function check(o: Options, out: (s: string) => void): Promise<number> {
  // Nothing else waits on this process's event loop: the index cache's files are read in one call each.
  readCacheFilesSynchronously(true);
  const targets = (o.paths.length ? o.paths : ['.']).map(target);
  const analysis = new Analysis(diskSource);
  const cacheDir = o.cacheDir ? path.resolve(o.cacheDir) : defaultCacheDir();
  analysis.configure({
    offline: o.offline,
    indexUrl: o.indexUrl,
    extraIndexUrls: o.extraIndexUrls,
    trustFiles: !o.untrusted,
    // The folders of the paths given (a file's own folder): where an untrusted analysis may follow includes.
    workspaceFolders: targets.map((t) => (t.dir ? t.path : path.dirname(t.path))),
    cacheDir,
    indexTimeoutMs: 60_000,
    advisories: await advisorySource(o),
    ...(o.platforms.length ? { pixiPlatforms: o.platforms } : {}),
  });
  analysis.setTarget(await machine(o, true, cacheDir));
  const sets = new Map<string, EnvironmentSet>();
  for (const t of targets) {
    const found = t.dir ? analysis.folderSets(t.path) : analysis.setsContaining(t.path, t.kind!);
    if (t.dir && found.length === 0)
      process.stderr.write(`stack-doctor: no dependency files in '${path.relative(process.cwd(), t.path) || '.'}'\n`);
    for (const s of found) sets.set(s.root, s);
  }
  const all = [...sets.values()];
  // The same files, settings, machine and indexes as a run minutes ago: its findings stand (the index answers it used
  // are still fresh).
  const key = crypto().createHash('sha256').update(analysis.fingerprint(all)).update(osvStamp(o)).digest('hex');
  let findings = o.offline ? null : readResult(cacheDir, key);
  lastRun = findings
    ? 'check-cached'
    : `check ${[...new Set(all.flatMap((s) => s.files.map((f) => f.kind)))].sort().join(',')}`;
  if (!findings) {
    await analysis.resolve(all, {
      progress: (set) => {
        // Asked of the descriptor: `process.stderr` builds a stream (5-6 ms) that a run whose stderr is no terminal
        // never writes to.
        if (stderrIsTerminal())
          process.stderr.write(`stack-doctor: resolving ${path.relative(process.cwd(), set.root) || set.root}…\n`);
      },
    });
    findings = sortFindings(analysis.findings(all));
    // A result made while an index could not be asked is not kept: the next run asks again.
    if (!o.offline && !findings.some((f) => f.code === 'index-unreachable')) writeResult(cacheDir, key, findings);
  }
  const linesOf = linesFor(all.flatMap((s) => s.files));
  if (o.format === 'json') out(JSON.stringify(findingsJson(findings, linesOf), null, 2) + '\n');
  else if (o.format === 'sarif') out(JSON.stringify(findingsSarif(findings, linesOf, version), null, 2) + '\n');
  else out(findingsText(findings, linesOf, process.cwd()));
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

let stderrTerminal: boolean | undefined;
/**
 * Whether standard error is a terminal. A terminal is a character device: a pipe or a file (CI, a test) is answered
 * by one fstat, without loading node:tty (and node:net, which it loads: several milliseconds of a check).
 */
function stderrIsTerminal(): boolean {
  if (stderrTerminal === undefined) {
    let device = true;
    try {
      device = fs.fstatSync(2).isCharacterDevice();
    } catch {
      // not known: node:tty decides
    }
    stderrTerminal = device && tty().isatty(2);
  }
  return stderrTerminal;
}

/** What the named OSV database is now (path, size, time), so that a changed database is a new result key. */
function osvStamp(o: Options): string {
  const api = process.env.STACK_DOCTOR_PYPI_JSON_API ?? '';
  if (!o.osvDatabase) return api;
  try {
    const st = fs.statSync(path.resolve(o.osvDatabase));
    return `${api}\0${path.resolve(o.osvDatabase)}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    return o.osvDatabase;
  }
}

/** The OSV database of --osv-database (a usage error when it cannot be read) and PyPI's JSON API. */
async function advisorySource(o: Options): Promise<AdvisorySource> {
  let database: OsvDatabase | null = null;
  if (o.osvDatabase) {
    try {
      database = await OsvDatabase.load(path.resolve(o.osvDatabase));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return new AdvisorySource({ database });
}

function list(o: Options, out: (s: string) => void): number {
  const targets = (o.paths.length ? o.paths : ['.']).map(target);
  const analysis = new Analysis(diskSource);
  analysis.configure({
    offline: true,
    trustFiles: !o.untrusted,
    workspaceFolders: targets.map((t) => (t.dir ? t.path : path.dirname(t.path))),
  });
  const files = analysis.declaredFiles(targets.map((t) => ({ path: t.path, kind: t.dir ? null : t.kind })));
  const seen = new Set<string>();
  const deps: Dependency[] = [];
  // `mypkg[extra]` in mypkg's own pyproject: listed where it is written, marked, though it names no package.
  const selfReferences = new Set<Dependency>();
  for (const f of files) {
    const own = f.extraIncludes?.length
      ? [...f.dependencies, ...f.extraIncludes.map((i) => i.declared)].sort((a, b) => a.span.start - b.span.start)
      : f.dependencies;
    for (const i of f.extraIncludes ?? []) selfReferences.add(i.declared);
    for (const d of own) {
      const key = `${d.file}\0${d.span.start}`;
      if (!seen.has(key)) {
        seen.add(key);
        deps.push(d);
      }
    }
  }
  const locked = files.flatMap((f) => f.lock?.packages ?? []);
  const linesOf = linesFor(files);
  out(
    o.format === 'json'
      ? JSON.stringify(dependenciesJson(deps, linesOf, selfReferences, locked), null, 2) + '\n'
      : dependenciesText(deps, linesOf, process.cwd(), selfReferences) + lockedText(locked, linesOf, process.cwd()),
  );
  return 0;
}

/**
 * Findings by file, place and code. Texts compare by code unit, not by locale: the order is the same on every machine
 * (a CI log does not change with LANG), and the ICU collator is not loaded on every start.
 */
function sortFindings(findings: Finding[]): Finding[] {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return [...findings].sort((a, b) => cmp(a.file, b.file) || a.span.start - b.span.start || cmp(a.code, b.code));
}

/**
 * Writes `text` to standard output whole, synchronously, without creating `process.stdout` (a pipe's socket stream
 * costs a check's fast path several milliseconds to load). A pipe whose reader has gone (EPIPE) ends the output
 * quietly; a non-blocking descriptor that is full (EAGAIN) is waited on.
 */
export function writeStdout(text: string, fd = 1): void {
  const bytes = Buffer.from(text, 'utf8');
  let off = 0;
  let wait: Int32Array | undefined;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw e;
      Atomics.wait((wait ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 5);
    }
  }
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[], out: (s: string) => void = (s) => writeStdout(s)): Promise<number> {
  try {
    const o = parseArgs(argv);
    lastRun = typeof o === 'string' ? o : o.command;
    if (o === 'help') return (out(usage()), 0);
    if (o === 'version') return (out(version + '\n'), 0);
    if (o.command === 'probe') {
      if (o.paths.length) throw new UsageError('probe takes no paths');
      out(JSON.stringify((await machine({ ...o, profile: undefined }, false)).profile, null, 2) + '\n');
      return 0;
    }
    return o.command === 'check' ? await check(o, out) : list(o, out);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(
        `stack-doctor: ` +
          `${e.message}\n${e.message.startsWith('cannot read') || e.message.includes('profile') ? '' : "Run 'stack-doctor --help' for usage.\n"}`,
      );
      return 2;
    }
    process.stderr.write(
      `stack-doctor: internal error: ${(e as Error).message}\nPlease report this with the file that caused it.\n`,
    );
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
