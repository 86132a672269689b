// Cache files several processes (and, in a shared cache folder, several users) may touch: written whole or not at all
// (a temporary file with an unpredictable name, created exclusively, renamed into place), private (files 0600, folders
// 0700), and read only when this user wrote them and nobody else can change them, never through a planted symlink.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crypto } from './lazy-modules';

/** Who may be trusted as a cache entry's writer: this user (POSIX); undefined where there are no user ids (Windows). */
export function currentUid(): number | undefined {
  return process.getuid?.();
}

/** O_NOFOLLOW where the platform has it (not on Windows, where symlinks need privileges to plant). */
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/**
 * Whether a cache file with these attributes may be read: a regular file (a symlink is never followed), owned by `uid`
 * and writable by nobody else (neither group nor others), so nobody but this user chose its content.
 */
export function trustedEntry(st: Pick<fs.Stats, 'uid' | 'mode' | 'isFile'>, uid: number | undefined): boolean {
  if (!st.isFile()) return false;
  if (uid !== undefined && st.uid !== uid) return false;
  return process.platform === 'win32' || (st.mode & 0o022) === 0;
}

/**
 * The bytes of a cache file, or null when it is absent, a symlink, not a regular file, or fails {@link trustedEntry}
 * (another user's entry is a miss, never read).
 */
export function readCacheFile(file: string, uid = currentUid()): Buffer | null {
  return withCacheFile(file, (fd) => fs.readFileSync(fd), uid);
}

/**
 * `read(fd, size)` on a cache file opened for reading, or null when it is absent, a symlink, not a regular file, fails
 * {@link trustedEntry}, or `read` throws; the file is closed after.
 */
export function withCacheFile<T>(file: string, read: (fd: number, size: number) => T, uid = currentUid()): T | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!trustedEntry(st, uid)) return null;
    return read(fd, st.size);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

let syncReads = false;

/**
 * Makes {@link readCacheFileAsync} read synchronously: in the command line, where nothing else waits on the event loop,
 * a small cache file is read sooner in one call than through the thread pool in four (open, stat, read, close).
 */
export function readCacheFilesSynchronously(on: boolean): void {
  syncReads = on;
}

/**
 * {@link readCacheFile} without blocking, unless {@link readCacheFilesSynchronously}. Through fs's callbacks rather
 * than `fs.promises`, whose FileHandle loads streams and readline on first use: a CLI check reads every cached page and
 * metadata file this way.
 */
export async function readCacheFileAsync(file: string, uid = currentUid()): Promise<Buffer | null> {
  if (syncReads) return readCacheFile(file, uid);
  const call = <T>(op: (done: (e: NodeJS.ErrnoException | null, v: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => op((e, v) => (e ? reject(e) : resolve(v))));
  let fd: number | undefined;
  try {
    fd = await call<number>((done) => fs.open(file, fs.constants.O_RDONLY | NOFOLLOW, done));
    const opened = fd;
    if (!trustedEntry(await call<fs.Stats>((done) => fs.fstat(opened, done)), uid)) return null;
    return await call<Buffer>((done) => fs.readFile(opened, done));
  } catch {
    return null;
  } finally {
    if (fd !== undefined) {
      const opened = fd;
      await new Promise<void>((resolve) => fs.close(opened, () => resolve()));
    }
  }
}

/**
 * Makes `dir` (0700, with its missing parents) and says whether files may be written in it: a real folder (not a
 * symlink), this user's, writable by nobody else. A planted folder or symlink is refused.
 */
function privateFolder(dir: string, uid: number | undefined): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) return false;
  if (uid !== undefined && st.uid !== uid) return false;
  return process.platform === 'win32' || (st.mode & 0o022) === 0;
}

/** A temporary name beside `file` nobody can guess in advance (so nobody can plant something there). */
function temporaryName(file: string): string {
  return `${file}.${randomHex(12)}.tmp`;
}

/**
 * `n` random bytes as hex, from the system's generator: /dev/urandom where there is one (a CLI check writes its result
 * without loading node:crypto, which costs a start more than the write), else node:crypto.
 */
function randomHex(n: number): string {
  if (process.platform !== 'win32') {
    let fd: number | undefined;
    try {
      fd = fs.openSync('/dev/urandom', fs.constants.O_RDONLY);
      const bytes = Buffer.alloc(n);
      if (fs.readSync(fd, bytes, 0, n, null) === n) return bytes.toString('hex');
    } catch {
      // no /dev/urandom here (a sandbox): node:crypto below
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
  return crypto().randomBytes(n).toString('hex');
}

/**
 * Writes `data` to `file` atomically: readers see the old file or the new one, never a part; two writers leave one of
 * the two whole. The new file has `mode` (default 0600), its folder is made 0700; the temporary file is created
 * exclusively (`wx`, no symlink followed) under an unpredictable name, and the rename replaces whatever is at `file`
 * (a symlink there is replaced, not followed). False when the folder cannot be written or is not this user's own (a
 * cache then only costs the next run).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600, uid = currentUid()): boolean {
  const tmp = temporaryName(file);
  let created = false;
  try {
    if (!privateFolder(path.dirname(file), uid)) return false;
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, mode);
    created = true;
    try {
      fs.writeFileSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      if (created) fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean up
    }
    return false;
  }
}

/** {@link writeFileAtomic} without blocking on the write itself. */
export async function writeFileAtomicAsync(
  file: string,
  data: string | Uint8Array,
  mode = 0o600,
  uid = currentUid(),
): Promise<boolean> {
  const tmp = temporaryName(file);
  let created = false;
  try {
    if (!privateFolder(path.dirname(file), uid)) return false;
    const fh = await fs.promises.open(
      tmp,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW,
      mode,
    );
    created = true;
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
    return true;
  } catch {
    if (created) await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    return false;
  }
}

/** Writes `data` as JSON to `file` atomically (writeFileAtomic). */
export function writeJsonAtomic(file: string, data: unknown): boolean {
  return writeFileAtomic(file, JSON.stringify(data));
}
