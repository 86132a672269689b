// Turns one PEP 508 requirement string found at some offset of a file into a model Dependency or a syntax finding.
import { finding } from '../model/finding';
import type { Dependency, DependencyKind, Finding, Span } from '../model/types';
import { canonicalizeName } from '../pep/name';
import { parseRequirement, RequirementError } from '../pep/requirement';

export interface EntryContext {
  file: string;
  kind: DependencyKind;
  section: string | null;
  editable?: boolean;
  options?: string[];
}

export type EntryResult =
  { dependency: Dependency; finding?: undefined } | { dependency?: undefined; finding: Finding };

/** PEP 685: extras compare as normalized names. */
export function normalizeExtra(extra: string): string {
  return canonicalizeName(extra);
}

/**
 * Parses `text` (a PEP 508 requirement, already free of comments and pip options) that starts at
 * `offset` in the file. A bad requirement becomes a `syntax` finding at the fault, never an exception.
 */
export function parseRequirementEntry(text: string, offset: number, ctx: EntryContext): EntryResult {
  const shift = (s: Span): Span => ({ start: s.start + offset, end: s.end + offset });
  try {
    const req = parseRequirement(text);
    const afterName = req.extrasSpan ?? req.nameSpan;
    const specifierSpan = req.specifierSpan
      ? shift(req.specifierSpan)
      : { start: offset + afterName.end, end: offset + afterName.end };
    return {
      dependency: {
        file: ctx.file,
        kind: ctx.kind,
        name: canonicalizeName(req.name),
        rawName: req.name,
        extras: [...new Set(req.extras.map(normalizeExtra))].sort(),
        specifier: req.specifier,
        marker: req.markerText,
        url: req.url,
        editable: ctx.editable ?? false,
        section: ctx.section,
        span: { start: offset, end: offset + text.length },
        nameSpan: shift(req.nameSpan),
        specifierSpan,
        text,
        ...(ctx.options && ctx.options.length ? { options: ctx.options } : {}),
      },
    };
  } catch (e) {
    if (!(e instanceof RequirementError)) throw e;
    const start = offset + Math.min(e.offset, text.length);
    const end = Math.max(start + 1, offset + Math.min(e.end ?? text.length, text.length));
    return {
      finding: finding(
        'syntax',
        ctx.file,
        { start, end: Math.min(end, offset + Math.max(text.length, 1)) },
        `Invalid requirement '${text.length > 80 ? text.slice(0, 77) + '...' : text}': ${e.message}`,
      ),
    };
  }
}
