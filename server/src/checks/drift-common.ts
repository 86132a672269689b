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

/** The fix every drift finding offers: run the format's own lock command (typed into a terminal by the person). */
export function relockFix(lock: LockFile): Fix {
  const command = LOCK_COMMANDS[lock.lock.format];
  const [tool, ...args] = command.split(' ');
  return {
    title: `Update ${path.basename(lock.path)} (${command})`,
    edits: [],
    run: command,
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
