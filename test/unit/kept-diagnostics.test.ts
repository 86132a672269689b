// lsp/kept-diagnostics: the index stages' diagnostics carried to where their lines moved, the same as a plain search of
// every place would carry them (the reference below: the implementation before the text was split once per publish).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver';
import { carriedDiagnostics, keptDiagnostics, type KeptDiagnostic } from '../../server/src/lsp/kept-diagnostics';
import { rng } from '../../bench/scenarios';

const referenceLines = (text: string): string[] => text.split('\n').map((l) => l.replace(/\r$/, ''));

function referenceKept(diagnostic: Diagnostic, text: string): KeptDiagnostic {
  const { start, end } = diagnostic.range;
  return { diagnostic, lines: referenceLines(text).slice(start.line, end.line + 1) };
}

function referenceCarried(kept: readonly KeptDiagnostic[], current: Diagnostic[], text: string): Diagnostic[] {
  if (kept.length === 0) return [];
  const now = referenceLines(text);
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

describe('kept diagnostics', () => {
  it('are carried as a search of every place carries them, over random files and edits', () => {
    const random = rng(17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    // Few distinct lines, so that a line stands in several places and the nearest one must be chosen.
    const pool = ['numpy>=1.24', 'torch==2.1.2', 'pandas<2', '', '# pinned', 'requests', 'scipy>=1.11\r'];
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 40) }, () => pick(pool));
      const text = lines.join(random() < 0.3 ? '\r\n' : '\n');
      const diagnostics: Diagnostic[] = Array.from({ length: Math.floor(random() * 8) }, (_, i) => {
        const start = Math.floor(random() * lines.length);
        const end = Math.min(lines.length - 1, start + (random() < 0.2 ? 1 : 0));
        return {
          range: { start: { line: start, character: 0 }, end: { line: end, character: 3 } },
          message: `finding ${i % 3}`,
          code: pick(['not-found', 'conflict-transitive']),
          data: { fixes: [{ title: 'a fix' }] },
        };
      });
      const kept = keptDiagnostics(diagnostics, text);
      assert.deepEqual(
        kept,
        diagnostics.map((d) => referenceKept(d, text)),
      );
      // An edit: lines inserted, removed or changed.
      const edited = [...lines];
      for (let e = Math.floor(random() * 4); e > 0; e--) {
        const at = Math.floor(random() * (edited.length + 1));
        const r = random();
        if (r < 0.4) edited.splice(at, 0, pick(pool));
        else if (r < 0.7) edited.splice(at, 1);
        else if (at < edited.length) edited[at] = pick(pool) + 'x';
      }
      const after = edited.join('\n');
      const current = diagnostics.filter(() => random() < 0.2).map((d) => ({ ...d }));
      assert.deepEqual(carriedDiagnostics(kept, current, after), referenceCarried(kept, current, after), text);
    }
  });

  it('keep none where nothing was staged', () => {
    assert.deepEqual(keptDiagnostics([], 'a\nb'), []);
    assert.deepEqual(carriedDiagnostics([], [], 'a\nb'), []);
  });
});
