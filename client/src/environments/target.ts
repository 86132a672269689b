// Guards the folder an environment is created in: refuses to overwrite without `overwrite`, sets an old environment
// aside, and on failure removes only what the creation made.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { environmentKindAt } from './environment';
import { EnvironmentError } from './errors';

/** What {@link prepareTarget} promises to undo or finish. */
export interface TargetGuard {
  /** The absolute target folder. */
  readonly dir: string;
  /** After a failure or cancel: removes what the creation made and puts back what was there. */
  rollback(): Promise<void>;
  /** After success: deletes the environment that was set aside (with `overwrite`). */
  commit(): Promise<void>;
}

async function lstatOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Checks and prepares `dir` for a new environment:
 * - missing: remembers the top-most missing ancestor, which a rollback removes;
 * - an empty folder: kept (or removed first when `mustNotExist`, for tools that refuse an existing folder), and left
 * empty again by a rollback;
 * - an environment (pyvenv.cfg or conda-meta): refused with `exists` unless `overwrite`; with it, renamed aside and
 *   deleted by `commit`, or put back by `rollback`;
 * - anything else (a file, a folder with other content): always refused with `exists`.
 */
export async function prepareTarget(
  dir: string,
  options: { overwrite?: boolean; mustNotExist?: boolean } = {},
): Promise<TargetGuard> {
  const target = nodePath.resolve(dir);
  const st = await lstatOrNull(target);
  if (st === null) {
    let top = target;
    for (let p = nodePath.dirname(target); p !== nodePath.dirname(p); p = nodePath.dirname(p)) {
      if ((await lstatOrNull(p)) !== null) break;
      top = p;
    }
    return {
      dir: target,
      rollback: () => fs.rm(top, { recursive: true, force: true }),
      commit: async () => undefined,
    };
  }
  if (!st.isDirectory())
    throw new EnvironmentError('exists', `${target} exists and is not a folder; choose another location.`);
  const entries = await fs.readdir(target);
  if (entries.length === 0) {
    if (options.mustNotExist) await fs.rmdir(target);
    return {
      dir: target,
      rollback: async () => {
        await fs.rm(target, { recursive: true, force: true });
        await fs.mkdir(target, { recursive: true });
      },
      commit: async () => undefined,
    };
  }
  const kind = await environmentKindAt(target);
  if (kind === null) {
    throw new EnvironmentError(
      'exists',
      `${target} is a folder with other content, not an environment; ` +
        `an environment is created only in a new or empty folder.`,
    );
  }
  if (!options.overwrite) {
    throw new EnvironmentError(
      'exists',
      `${target} already holds a ${kind === 'venv' ? 'virtual' : 'conda'} ` +
        `environment; it is replaced only when overwrite is asked for.`,
    );
  }
  const aside = `${target}.stack-doctor-old-${randomBytes(4).toString('hex')}`;
  await fs.rename(target, aside);
  return {
    dir: target,
    rollback: async () => {
      await fs.rm(target, { recursive: true, force: true });
      await fs.rename(aside, target);
    },
    commit: () => fs.rm(aside, { recursive: true, force: true }),
  };
}

/** Runs `create` inside a target guard: rolls back on any error (cancel included) and commits on success. */
export async function withTarget<T>(
  dir: string,
  options: { overwrite?: boolean; mustNotExist?: boolean },
  create: (dir: string) => Promise<T>,
): Promise<T> {
  const guard = await prepareTarget(dir, options);
  let result: T;
  try {
    result = await create(guard.dir);
  } catch (e) {
    await guard.rollback();
    throw e;
  }
  await guard.commit();
  return result;
}
