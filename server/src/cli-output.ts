// The command line's output formats: text for people, JSON for tools, and SARIF 2.1.0 for code-scanning tools.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checksRegistry } from './workspace/lazy-stages';
import { CODES } from './model/codes';
import { redact } from './index/credentials';
import type { Dependency, Finding, LockedPackage, LockSource, Span } from './model/types';
import type { LineIndex, Position } from './model/text';

export type LinesOf = (file: string) => LineIndex;

interface JsonRange {
  start: Position;
  end: Position;
}

const range = (span: Span, lines: LineIndex): JsonRange => ({
  start: lines.positionAt(span.start),
  end: lines.positionAt(span.end),
});

/** `check --format json`. */
export function findingsJson(findings: Finding[], linesOf: LinesOf): unknown {
  return {
    diagnostics: findings.map((f) => ({
      file: f.file,
      range: range(f.span, linesOf(f.file)),
      severity: f.severity,
      code: f.code,
      message: f.message,
      related: f.related.map((r) => ({ file: r.file, range: range(r.span, linesOf(r.file)), message: r.message })),
      fixes: f.fixes.map((x) => ({
        title: x.title,
        edits: x.edits.map((e) => ({ file: e.file, range: range(e.span, linesOf(e.file)), newText: e.newText })),
        ...(x.run ? { run: x.run } : {}),
        ...(x.preferred ? { preferred: true } : {}),
        ...(x.detail ? { detail: x.detail } : {}),
      })),
    })),
  };
}

/**
 * `check --format text`: one `file:line:col: severity [code] verdict` per finding, the rest of its message, its related
 * places and its fixes indented under it.
 */
export function findingsText(findings: Finding[], linesOf: LinesOf, cwd: string): string {
  const lines: string[] = [];
  for (const f of findings) {
    const p = linesOf(f.file).positionAt(f.span.start);
    // The verdict on the finding's line; the message's further lines (the steps, the why) indented under it.
    const message = f.message.replace(/\n/g, '\n  ');
    lines.push(`${rel(f.file, cwd)}:${p.line + 1}:${p.character + 1}: ${f.severity} [${f.code}] ${message}`);
    for (const r of f.related) {
      const rp = linesOf(r.file).positionAt(r.span.start);
      lines.push(`    ${rel(r.file, cwd)}:${rp.line + 1}:${rp.character + 1}: ${r.message}`);
    }
    for (const x of f.fixes) lines.push(`    fix: ${x.title}${x.run ? ` (run: ${x.run})` : ''}`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  lines.push(
    findings.length
      ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} ` +
          `warning${warnings === 1 ? '' : 's'}, ${findings.length - errors - warnings} other`
      : 'No problems found.',
  );
  return lines.join('\n') + '\n';
}

const sarifLevel = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

/** `check --format sarif`: SARIF 2.1.0 with one rule per diagnostic code and fixes as replacements. */
export function findingsSarif(findings: Finding[], linesOf: LinesOf, version: string): unknown {
  const region = (file: string, span: Span) => {
    const r = range(span, linesOf(file));
    return {
      startLine: r.start.line + 1,
      startColumn: r.start.character + 1,
      endLine: r.end.line + 1,
      endColumn: r.end.character + 1,
    };
  };
  const loc = (file: string, span: Span) => ({
    physicalLocation: { artifactLocation: { uri: pathToFileURL(file).toString() }, region: region(file, span) },
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stack-doctor',
            version,
            informationUri: 'https://example.invalid/stack-doctor',
            rules: checksRegistry().checks.map((c) => ({
              id: c.code,
              shortDescription: { text: c.description },
              defaultConfiguration: { level: sarifLevel[CODES[c.code]] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          level: sarifLevel[f.severity],
          message: { text: f.message },
          locations: [loc(f.file, f.span)],
          relatedLocations: f.related.map((r, i) => ({ id: i, message: { text: r.message }, ...loc(r.file, r.span) })),
          fixes: f.fixes
            .filter((x) => x.edits.length)
            .map((x) => ({
              description: { text: x.title },
              ...(x.preferred || x.detail
                ? {
                    properties: {
                      ...(x.preferred ? { preferred: true } : {}),
                      ...(x.detail ? { detail: x.detail } : {}),
                    },
                  }
                : {}),
              artifactChanges: groupByFile(x.edits).map(([file, edits]) => ({
                artifactLocation: { uri: pathToFileURL(file).toString() },
                replacements: edits.map((e) => ({
                  deletedRegion: region(file, e.span),
                  insertedContent: { text: e.newText },
                })),
              })),
            })),
        })),
      },
    ],
  };
}

function groupByFile<T extends { file: string }>(items: T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const i of items) (m.get(i.file) ?? m.set(i.file, []).get(i.file)!).push(i);
  return [...m];
}

/** `list --format json`: every declared dependency once. */
export function dependenciesJson(
  deps: Dependency[],
  linesOf: LinesOf,
  selfReferences: ReadonlySet<Dependency> = new Set(),
  locked: readonly LockedPackage[] = [],
): unknown {
  return {
    dependencies: [
      ...deps.map((d) => ({
        file: d.file,
        range: range(d.span, linesOf(d.file)),
        kind: d.kind,
        name: d.name,
        extras: d.extras,
        specifier: d.specifier,
        marker: d.marker,
        url: d.url === null ? null : redact(d.url),
        editable: d.editable,
        section: d.section,
        // Installed only through an extra that lists it (Poetry `optional = true`).
        ...(d.optional ? { optional: true } : {}),
        // The project naming its own extras (`mypkg[dataset]` in mypkg's pyproject): no package of its own.
        ...(selfReferences.has(d) ? { self: true } : {}),
        // A conda spec as written, and whether `specifier` could say it in PEP 440.
        ...(d.conda ? { conda: d.conda } : {}),
        ...(d.specifierUnknown ? { specifierUnknown: true } : {}),
      })),
      // What a lock file locks: one entry per locked package (several per name where the lock forks).
      ...locked.map((p) => ({
        file: p.file,
        range: range(p.span, linesOf(p.file)),
        kind: 'locked',
        locked: true,
        name: p.name,
        version: p.version,
        marker: p.marker,
        source: lockSourceText(p.source),
      })),
    ],
  };
}

/** Where a locked package comes from, in a word and a redacted URL or path. */
function lockSourceText(s: LockSource): string {
  switch (s.kind) {
    case 'index':
    case 'channel':
    case 'url':
    case 'git':
      return `${s.kind} ${redact(s.url)}`;
    case 'path':
      return `${s.editable ? 'editable' : 'path'} ${s.path}`;
    default:
      return 'unknown';
  }
}

/** `list --format text` of a lock's entries: `name==version; marker  file:line (locked, source)`. */
export function lockedText(locked: readonly LockedPackage[], linesOf: LinesOf, cwd: string): string {
  return locked
    .map((p) => {
      const line = linesOf(p.file).positionAt(p.span.start).line + 1;
      const what = `${p.name}${p.version ? `==${p.version}` : ''}${p.marker ? `; ${p.marker}` : ''}`;
      return `${what}  ${rel(p.file, cwd)}:${line} (locked, ${lockSourceText(p.source)})\n`;
    })
    .join('');
}

/** `list --format text`: `name specifier  file:line (kind, section[, self-reference])`. */
export function dependenciesText(
  deps: Dependency[],
  linesOf: LinesOf,
  cwd: string,
  selfReferences: ReadonlySet<Dependency> = new Set(),
): string {
  return (
    deps
      .map((d) => {
        const p = linesOf(d.file).positionAt(d.span.start);
        // A conda spec PEP 440 cannot say is shown as conda wrote it, never as nothing.
        const spec =
          d.specifierUnknown && d.conda
            ? ` ${d.conda.version}${d.conda.build ? ` ${d.conda.build}` : ''}`
            : d.specifier;
        const what = `${d.name}${d.extras.length ? `[${d.extras.join(',')}]` : ''}${d.url ? ` @ ${redact(d.url)}` : spec}${d.marker ? `; ${d.marker}` : ''}`;
        const self = selfReferences.has(d) ? ', self-reference' : '';
        return `${what}  ${rel(d.file, cwd)}:${p.line + 1} (${d.kind}${d.section ? `, ${d.section}` : ''}${self})`;
      })
      .join('\n') + (deps.length ? '\n' : '')
  );
}

function rel(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
}
