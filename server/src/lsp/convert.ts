// Findings -> LSP diagnostics (with their fixes in `data`), and fixes -> workspace edits; the only place spans become
// ranges.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic,
  type Range,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Severity } from '../model/codes';
import type { Finding, Fix, Span } from '../model/types';
import { LineIndex } from '../model/text';
import { escapeMarkdown } from '../model/markdown';

export const SOURCE = 'stack-doctor';

/** The client command that opens a terminal with a command typed in it, not run. */
export const TYPE_IN_TERMINAL = 'stackDoctor.typeInTerminal';

/** The client command that runs a lock file's own tool in a terminal (trusted workspaces, the tool on PATH). */
export const UPDATE_LOCK = 'stackDoctor.updateLock';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Line indexes of the texts the findings refer to, so each text is indexed once per publish. */
export type LinesOf = (file: string) => LineIndex;

export function toRange(span: Span, lines: LineIndex): Range {
  return { start: lines.positionAt(span.start), end: lines.positionAt(span.end) };
}

export function fileUri(file: string): string {
  return pathToFileURL(file).toString();
}

/** What travels in `diagnostic.data`: fixes already in LSP form, so code actions never re-derive them. */
export interface DiagnosticData {
  fixes: {
    title: string;
    edit: WorkspaceEdit;
    run?: string;
    relock?: Fix['relock'];
    preferred?: boolean;
    detail?: string;
  }[];
}

export function toWorkspaceEdit(fix: Fix, linesOf: LinesOf): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of fix.edits)
    (changes[fileUri(e.file)] ??= []).push({ range: toRange(e.span, linesOf(e.file)), newText: e.newText });
  return { changes };
}

export function toDiagnostic(f: Finding, linesOf: LinesOf): Diagnostic {
  const data: DiagnosticData = {
    fixes: f.fixes.map((x) => ({
      title: x.title,
      edit: toWorkspaceEdit(x, linesOf),
      ...(x.run ? { run: x.run } : {}),
      ...(x.relock ? { relock: x.relock } : {}),
      ...(x.preferred ? { preferred: true } : {}),
      ...(x.detail ? { detail: x.detail } : {}),
    })),
  };
  return {
    range: toRange(f.span, linesOf(f.file)),
    severity: severities[f.severity],
    code: f.code,
    source: SOURCE,
    message: f.message,
    relatedInformation: f.related.map((r) => ({
      location: { uri: fileUri(r.file), range: toRange(r.span, linesOf(r.file)) },
      message: r.message,
    })),
    data,
  };
}

/**
 * Quick fixes for the diagnostics of a code action request, read from their `data` (never from message text): the
 * preferred ones first (the analysis marks one per line, the fix that clears most of its problems), each fix once
 * however many diagnostics carry it; what a title leaves out (a bound the fix crosses) travels as `data.detail`.
 */
export function codeActionsFor(diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  const byKey = new Map<string, CodeAction>();
  for (const d of diagnostics) {
    if (d.source !== SOURCE) continue;
    const data = d.data as DiagnosticData | undefined;
    for (const fix of data?.fixes ?? []) {
      const hasEdits = Object.values(fix.edit.changes ?? {}).some((edits) => edits.length > 0);
      const key = JSON.stringify([fix.edit, fix.run ?? null]);
      const same = byKey.get(key);
      if (same) {
        same.diagnostics!.push(d);
        if (fix.preferred) same.isPreferred = true;
        continue;
      }
      // A fix that is a command for the person (a system package install) is typed into a terminal by the client, never
      // run.
      const action = hasEdits
        ? CodeAction.create(fix.title, fix.edit, CodeActionKind.QuickFix)
        : fix.relock
          ? CodeAction.create(
              fix.title,
              {
                title: fix.title,
                command: UPDATE_LOCK,
                arguments: [fix.relock.lockFile, fix.relock.tool, fix.relock.args],
              },
              CodeActionKind.QuickFix,
            )
          : fix.run
            ? CodeAction.create(
                fix.title,
                { title: fix.title, command: TYPE_IN_TERMINAL, arguments: [fix.run] },
                CodeActionKind.QuickFix,
              )
            : undefined;
      if (!action) continue;
      action.diagnostics = [d];
      if (fix.preferred) action.isPreferred = true;
      if (fix.detail) action.data = { detail: fix.detail };
      byKey.set(key, action);
      out.push(action);
    }
  }
  return out
    .map((a, i) => ({ a, i }))
    .sort((x, y) => Number(!!y.a.isPreferred) - Number(!!x.a.isPreferred) || x.i - y.i)
    .map((x) => x.a);
}

/** The actions of the kinds a request asks for (`only`: `quickfix` admits `quickfix` and `quickfix.*`); all without. */
export function onlyKinds(actions: CodeAction[], only: readonly string[] | undefined): CodeAction[] {
  if (!only || only.length === 0) return actions;
  return actions.filter((a) => a.kind !== undefined && only.some((k) => a.kind === k || a.kind!.startsWith(`${k}.`)));
}

/**
 * What the quick fixes of the diagnostics on a line leave out of their titles (a bound a fix crosses, why it is
 * preferred), as Markdown for the line's hover: VS Code's quick-fix menu has no tooltip of an action's own, and the
 * hover shows beside the diagnostic. Null when no fix on the line has such a note.
 */
export function fixNotes(diagnostics: readonly Diagnostic[], line: number): string | null {
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const d of diagnostics) {
    if (d.source !== SOURCE || line < d.range.start.line || line > d.range.end.line) continue;
    for (const fix of (d.data as DiagnosticData | undefined)?.fixes ?? []) {
      if (!fix.detail || seen.has(fix.title)) continue;
      seen.add(fix.title);
      notes.push(
        `- ${fix.preferred ? '**' + escapeMarkdown(fix.title) + '** (preferred)' : escapeMarkdown(fix.title)}: ${escapeMarkdown(fix.detail)}`,
      );
    }
  }
  return notes.length ? `Quick fixes (Ctrl+.):\n${notes.join('\n')}` : null;
}

/** A document's file path, or undefined for non-file URIs (untitled buffers are analysed under a made-up path). */
export function pathOf(uri: string): string | undefined {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
