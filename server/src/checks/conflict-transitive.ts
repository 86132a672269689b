// `conflict-transitive`: no resolution exists once dependencies are followed; the resolver's explanation, on every top-level line that takes part.
import type { Finding } from '../model/types';
import { where } from './edits';
import type { Check } from './types';

/**
 * Flags every top-level line that takes part when no set of versions satisfies the environment set once
 * each package's own dependencies are followed (the index stage resolves with PubGrub). The message is the
 * resolver's numbered explanation (`tensorflow 2.10.0 needs numpy <1.24`, `pandas 2.0.0 needs numpy >=1.23.2`...).
 * Also reports, once per set, that the index could not be asked or the resolver gave up (information).
 *
 * Bad: `tensorflow==2.10.0` with `numpy>=1.25`. Good: `tensorflow==2.15.0` with `numpy>=1.25`.
 * Fixes (each verified by a full resolution before it is offered): move a line to the nearest version that
 * resolves, or narrow another so that it resolves.
 */
export const conflictTransitive: Check = {
  code: 'conflict-transitive',
  severity: 'error',
  description: 'No resolution exists once dependencies are followed.',
  run(set, ctx) {
    const report = ctx.index?.get(set.root);
    if (!report) return [];
    const first = set.files[0]!;
    if (report.unavailable || report.gaveUp) {
      return [{
        code: 'conflict-transitive',
        severity: 'information',
        file: first.path,
        span: { start: 0, end: 0 },
        message: report.unavailable
          ? `Stack Doctor could not ask the package index, so dependencies were not followed: ${report.unavailable}. The checks that need no index still ran.`
          : `Dependencies were not fully followed: ${report.gaveUp}`,
        related: [],
        fixes: [],
      }];
    }
    if (!report.conflict) return [];
    const { roots, explanation, fixes } = report.conflict;
    return roots.map((dep): Finding => ({
      code: 'conflict-transitive',
      severity: 'error',
      file: dep.file,
      span: dep.span,
      message: `${roots.map((r) => `'${r.text}'`).join(', ')} cannot be installed together:\n${explanation}`,
      related: roots.filter((r) => r !== dep).map((r) => ({ file: r.file, span: r.span, message: `${r.text} (${where(r, set.files)}) takes part` })),
      fixes: fixes.filter((f) => f.dep === dep).map((f) => f.fix),
    }));
  },
};
