// Diagnostics the index stages added, kept with the text of their lines, and carried to where those lines are after an
// edit until the stages run again.
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

const linesOfText = (text: string): string[] => text.split('\n').map((l) => l.replace(/\r$/, ''));

export function keptDiagnostic(diagnostic: Diagnostic, text: string): KeptDiagnostic {
  const { start, end } = diagnostic.range;
  return { diagnostic, lines: linesOfText(text).slice(start.line, end.line + 1) };
}

/**
 * The kept diagnostics whose lines are still in `text` unchanged, moved to where those lines are now (the nearest
 * place), without fixes (their edits were for the old text); none that a current diagnostic already says.
 */
export function carriedDiagnostics(kept: readonly KeptDiagnostic[], current: Diagnostic[], text: string): Diagnostic[] {
  if (kept.length === 0) return [];
  const now = linesOfText(text);
  const out: Diagnostic[] = [];
  for (const { diagnostic, lines } of kept) {
    const was = diagnostic.range.start.line;
    let best = -1;
    for (let k = 0; k + lines.length <= now.length; k++) {
      if (best >= 0 && Math.abs(k - was) >= Math.abs(best - was)) continue;
      if (lines.every((l, i) => now[k + i] === l)) best = k;
    }
    if (best < 0) continue;
    const shift = best - was;
    const range = {
      start: { line: diagnostic.range.start.line + shift, character: diagnostic.range.start.character },
      end: { line: diagnostic.range.end.line + shift, character: diagnostic.range.end.character },
    };
    const said = current.some(
      (d) => d.code === diagnostic.code && d.range.start.line === range.start.line && d.message === diagnostic.message,
    );
    if (!said) out.push({ ...diagnostic, range, data: { fixes: [] } });
  }
  return out;
}
