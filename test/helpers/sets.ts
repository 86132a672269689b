// Environment sets for check tests: build one from parsed files, and apply a fix's edits to it by parsing the edited
// texts again.
import { emptyReport } from '../../server/src/workspace/stages/index-stage';
import type { FileKind, Fix, ParsedFile } from '../../server/src/model/types';
import { fileKindRow } from '../../server/src/workspace/file-kinds';
import type { EnvironmentSet } from '../../server/src/model/sets';
import type { SetIndexReport } from '../../server/src/model/reports';

/** A set of the given files, rooted at the first. */
export const setOf = (...files: ParsedFile[]): EnvironmentSet => ({ root: files[0]!.path, files, findings: [] });

/** The set after a fix: each edited file's text changed and parsed again as its kind. */
export function applyFix(s: EnvironmentSet, fix: Fix): EnvironmentSet {
  const files = s.files.map((f) => {
    const edits = fix.edits.filter((e) => e.file === f.path).sort((a, b) => b.span.start - a.span.start);
    if (!edits.length) return f;
    let text = f.text;
    for (const e of edits) text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
    return parseText(f.path, f.kind, text);
  });
  return { ...s, files };
}

/** A text parsed as a file of `kind`. */
export function parseText(path: string, kind: FileKind, text: string): ParsedFile {
  return fileKindRow(kind).parse(path, text, {});
}

/** An index report that found nothing (every index answered), for check tests to add to. */
export const emptyIndexReport = (): SetIndexReport => emptyReport('https://pypi.org/simple');
