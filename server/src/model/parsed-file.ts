// The parsed file a parser starts from: nothing declared yet, no finding.
import type { FileKind, ParsedFile } from './types';

export function emptyParsedFile(path: string, kind: FileKind, text: string): ParsedFile {
  return { path, kind, text, dependencies: [], includes: [], options: [], findings: [] };
}
