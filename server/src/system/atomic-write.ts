// Small JSON files written whole or not at all (a temporary file renamed into place), for caches several processes
// share.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `data` as JSON to `file` atomically; false when the folder cannot be written (a cache then only costs the next
 * run).
 */
export function writeJsonAtomic(file: string, data: unknown): boolean {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, file);
    return true;
  } catch {
    return false;
  }
}
