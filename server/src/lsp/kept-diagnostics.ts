// Diagnostics the index stages added, kept with the text of their lines, and carried to where those lines are after an
// edit until the stages run again. Both run on every publish of a file: the text is split once per call and a kept
// diagnostic's lines are looked up where they were first, then among the lines of the same text (never a scan of the
// file per diagnostic, which made a long file's publishes quadratic).
import type { Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../model/types';

/** A diagnostic a stage added, and the text of the lines it covered. */
export interface KeptDiagnostic {
  diagnostic: Diagnostic;
  lines: string[];
}

/** What tells two findings apart on a publish: code, place and message. */
export function findingKey(f: Finding): string {
  return `${f.code}\0${f.file}\0${f.span.start}\0${f.span.end}\0${f.message}`;
}

/** The lines of `text` split at `\n`, each without a `\r` that ends it. */
function linesOfText(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** Each diagnostic with the text of the lines it covers in `text`. */
export function keptDiagnostics(diagnostics: readonly Diagnostic[], text: string): KeptDiagnostic[] {
  if (diagnostics.length === 0) return [];
  const lines = linesOfText(text);
  return diagnostics.map((diagnostic) => ({
    diagnostic,
    lines: lines.slice(diagnostic.range.start.line, diagnostic.range.end.line + 1),
  }));
}

/**
 * The kept diagnostics whose lines are still in `text` unchanged, moved to where those lines are now (the nearest
 * place; the earlier of two as near), without fixes (their edits were for the old text); none that a current diagnostic
 * already says.
 */
export function carriedDiagnostics(kept: readonly KeptDiagnostic[], current: Diagnostic[], text: string): Diagnostic[] {
  if (kept.length === 0) return [];
  const now = linesOfText(text);
  /** Where each line's text stands now, in line order: built when a diagnostic's lines moved. */
  let where: Map<string, number[]> | undefined;
  const said = new Set(current.map((d) => `${String(d.code)}\0${d.range.start.line}\0${d.message}`));
  const out: Diagnostic[] = [];
  for (const { diagnostic, lines } of kept) {
    const was = diagnostic.range.start.line;
    const at = (k: number): boolean =>
      k >= 0 && k + lines.length <= now.length && lines.every((l, i) => now[k + i] === l);
    let best = -1;
    if (lines.length === 0) best = Math.min(Math.max(was, 0), now.length);
    else if (at(was)) best = was;
    else {
      if (!where) {
        where = new Map();
        now.forEach((l, k) => {
          const list = where!.get(l);
          if (list) list.push(k);
          else where!.set(l, [k]);
        });
      }
      for (const k of where.get(lines[0]!) ?? []) {
        if (best >= 0 && Math.abs(k - was) >= Math.abs(best - was)) continue;
        if (at(k)) best = k;
      }
    }
    if (best < 0) continue;
    const shift = best - was;
    const range = {
      start: { line: diagnostic.range.start.line + shift, character: diagnostic.range.start.character },
      end: { line: diagnostic.range.end.line + shift, character: diagnostic.range.end.character },
    };
    if (!said.has(`${String(diagnostic.code)}\0${range.start.line}\0${diagnostic.message}`))
      out.push({ ...diagnostic, range, data: { fixes: [] } });
  }
  return out;
}
