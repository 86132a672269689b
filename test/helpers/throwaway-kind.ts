// A throwaway file kind for the tests that prove a kind is one row of the table plus one parser: `*.pins` files, one
// PEP 508 requirement per line (`#` comments), and `pins.lock`, a lock that joins the set of the `*.pins` beside it.
import type { FileKind, ParsedFile } from '../../server/src/model/types';
import { parseRequirementEntry } from '../../server/src/parsers/requirement-entry';
import type { FileKindRow } from '../../server/src/workspace/file-kinds';

/** The parser: each non-blank line that is not a comment is a requirement (a syntax finding where it is not one). */
export function parsePins(filePath: string, text: string, kind: FileKind): ParsedFile {
  const file: ParsedFile = { path: filePath, kind, text, dependencies: [], includes: [], options: [], findings: [] };
  let offset = 0;
  for (const line of text.split('\n')) {
    const body = line.replace(/#.*$/, '').replace(/\s+$/, '');
    const lead = body.length - body.trimStart().length;
    if (body.trim()) {
      const r = parseRequirementEntry(body.trim(), offset + lead, {
        file: filePath,
        kind: 'requirement',
        section: null,
      });
      if (r.dependency) file.dependencies.push(r.dependency);
      else file.findings.push(r.finding);
    }
    offset += line.length + 1;
  }
  return file;
}

// Not kinds of the FileKind union: rows a test adds to the table at run time.
const PINS = 'pins' as FileKind;
const PINS_LOCK = 'pins-lock' as FileKind;

export const PINS_ROW: FileKindRow = {
  kind: PINS,
  label: '*.pins',
  globs: ['*.pins'],
  parse: (filePath, text) => parsePins(filePath, text, PINS),
  expandsVariables: false,
  decoding: 'utf-8',
  set: { joins: 'own', follows: 'includes', projects: false },
  completion: 'none',
  editor: 'patterns',
  install: false,
};

export const PINS_LOCK_ROW: FileKindRow = {
  kind: PINS_LOCK,
  label: 'pins.lock',
  globs: ['pins.lock'],
  parse: (filePath, text) => parsePins(filePath, text, PINS_LOCK),
  expandsVariables: false,
  decoding: 'utf-8',
  set: { joins: 'lock', manifest: PINS },
  completion: 'none',
  editor: 'patterns',
  install: false,
};
