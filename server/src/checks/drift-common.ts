// What the lock-drift judges share: the lock file type, a format judge's signature and the fix every drift finding
// offers (the format's own lock command).
import type { EnvironmentSet } from '../model/sets';
import type { Finding, Fix, LockFormat, LockInfo, ParsedFile } from '../model/types';
import { readLockToml, type LTable } from '../parsers/lock-toml';
import * as path from 'node:path';
import type { CheckContext } from './types';

/** A lock file with what it records. */
export type LockFile = ParsedFile & { lock: LockInfo };

/** A format's own drift rules, beyond names and versions: findings on the manifest lines, the lock entry related. */
export type DriftJudge = (
  lock: LockFile,
  manifests: readonly ParsedFile[],
  set: EnvironmentSet,
  ctx: CheckContext,
) => Finding[];

/** The command that writes each format's lock again, as its tool's documentation gives it. */
export const LOCK_COMMANDS: { readonly [F in LockFormat]: string } = {
  uv: 'uv lock',
  pylock: 'pip lock',
  poetry: 'poetry lock',
  pixi: 'pixi lock',
  'conda-lock': 'conda-lock lock',
};

export const isLockFile = (f: ParsedFile): f is LockFile => f.lock !== undefined;

/** An argument the editor may type into a terminal as it is: no space, quote or shell character. */
const PLAIN_ARG = /^[\w./-]+$/;

/**
 * pip's arguments that write a pylock.toml again from the manifest it was made from (pip >= 25.1, `pip lock`): the
 * project beside it (`pip lock . -o pylock.toml`), else the set's requirements file (`pip lock -r requirements.txt -o
 * pylock.toml`), relative to the lock's folder; empty when neither is in the set.
 */
function pipLockArgs(lock: LockFile, manifests: readonly ParsedFile[]): string[] {
  const dir = path.dirname(lock.path);
  const output = ['-o', path.basename(lock.path)];
  if (manifests.some((f) => f.kind === 'pyproject' && path.dirname(f.path) === dir)) return ['lock', '.', ...output];
  const req = manifests.find((f) => f.kind === 'requirements');
  if (!req) return [];
  const rel = path.relative(dir, req.path).split(path.sep).join('/');
  return PLAIN_ARG.test(rel) && !rel.startsWith('-') ? ['lock', '-r', rel, ...output] : [];
}

/**
 * The fix every drift finding offers: run the format's own lock command (in the editor, in a terminal in the lock's
 * folder; the command line prints it). For pylock.toml, pip's command is built from the set's manifest.
 */
export function relockFix(lock: LockFile, manifests: readonly ParsedFile[] = []): Fix {
  const command = LOCK_COMMANDS[lock.lock.format];
  const [tool, ...written] = command.split(' ');
  const pip = lock.lock.format === 'pylock' ? pipLockArgs(lock, manifests) : [];
  const args = pip.length ? pip : written;
  const run = [tool, ...args].join(' ');
  return {
    title: `Update ${path.basename(lock.path)} (${run})`,
    edits: [],
    run,
    relock: { lockFile: lock.path, tool: tool!, args },
  };
}

/** A manifest's TOML, read once per parse (the parse cache keeps the same object while the text is unchanged). */
const trees = new WeakMap<ParsedFile, LTable | null>();
export function manifestTree(f: ParsedFile): LTable | null {
  let t = trees.get(f);
  if (t === undefined) {
    const read = readLockToml(f.text);
    t = read.error ? null : read.root;
    trees.set(f, t);
  }
  return t;
}

/** The manifest of a kind in the lock's own folder. */
export const manifestBeside = (lock: LockFile, manifests: readonly ParsedFile[], kind: ParsedFile['kind']) =>
  manifests.find((f) => f.kind === kind && path.dirname(f.path) === path.dirname(lock.path));
