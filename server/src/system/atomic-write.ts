// Small files written whole or not at all (a temporary file renamed into place), for caches several processes share.
import * as fs from 'node:fs';
import * as path from 'node:path';

let written = 0;

/**
 * Writes `data` to `file` atomically: readers see the old file or the new one, never a part; two writers leave one of
 * the two whole; `mode` gives the new file's permissions (default: as the umask allows). False when the folder cannot be written (a cache then only costs the next run).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number): boolean {
  const tmp = `${file}.${process.pid}.${++written}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data, { mode });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean up
    }
    return false;
  }
}

/** Writes `data` as JSON to `file` atomically (writeFileAtomic). */
export function writeJsonAtomic(file: string, data: unknown): boolean {
  return writeFileAtomic(file, JSON.stringify(data));
}
