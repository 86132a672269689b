// Where the analysis reads file text: the editor's open buffers over the disk, decoded as the file's kind says; and why a file
// that is there is not read.
import * as fs from 'node:fs';
import { decodeDependencyFile } from '../parsers/decode';
import { decodingOf } from './file-kinds';

/** Where file text comes from: the editor's open buffers first, then the disk. */
export interface TextSource {
  read(filePath: string): string | undefined;
}

/** Files larger than this are not parsed; the user gets one clear finding instead. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export const diskSource: TextSource = {
  read(filePath) {
    try {
      const st = fs.statSync(filePath);
      if (!st.isFile()) return undefined;
      // A file this large is not a dependency list; reading it would only cost memory.
      if (st.size > MAX_FILE_BYTES) return undefined;
      // As the file's kind is decoded: TOML is UTF-8; other files as pip reads them (BOMs, a coding comment, else UTF-8).
      if (decodingOf(filePath) === 'utf-8') return fs.readFileSync(filePath, 'utf8');
      // Undecodable text keeps a U+FFFD where pip stops, which the parser reports.
      const decoded = decodeDependencyFile(fs.readFileSync(filePath));
      return decoded.error === undefined ? decoded.text : decoded.lossy;
    } catch {
      return undefined;
    }
  },
};

/**
 * Why Stack Doctor does not read a file that is there: it is larger than {@link MAX_FILE_BYTES}, or not a
 * regular file (a FIFO, socket or device is never opened: opening a FIFO would block). Undefined when
 * the file is missing or readable.
 */
export function skipReason(filePath: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(filePath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? undefined
      : `it could not be read (${code ?? (e as Error).message})`;
  }
  if (st.isDirectory()) return undefined;
  if (!st.isFile())
    return (
      `it is not a regular file ` +
      `(${st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'a special file'})`
    );
  if (st.size > MAX_FILE_BYTES)
    return (
      `it is ${(st.size / 1024 / 1024).toFixed(1)} MB, over the ` +
      `${MAX_FILE_BYTES / 1024 / 1024} MB Stack Doctor reads`
    );
  try {
    fs.accessSync(filePath, fs.constants.R_OK);
  } catch {
    return 'it could not be read (permission denied)';
  }
  return undefined;
}
