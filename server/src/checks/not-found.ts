// `not-found`: the index has no such project, or no version that matches.
import { finding } from '../model/finding';
import { scopeNote, unreachableNote } from './edits';
import type { Check } from './types';

/**
 * Flags a top-level requirement whose project the index does not have (a typo, a private package on the
 * wrong index), or whose specifier matches none of the versions it has.
 *
 * Bad: `nunpy` or `numpy==9.9`. Good: `numpy` or `numpy==2.1.0`.
 * No automatic fix: the newest version is named in the message.
 */
export const notFound: Check = {
  code: 'not-found',
  description: 'The index has no such project, or no such version.',
  run(set, ctx) {
    const report = ctx.index?.get(set.root);
    if (!report) return [];
    const note = unreachableNote(report);
    return report.missing.map((m) => {
      const what = m.kind === 'project'
        ? `No project named '${m.dep.rawName}'${scopeNote(m.dep)} on ${m.where}`
        : `No version of ${m.dep.name}${scopeNote(m.dep)} on ${m.where} matches '${m.dep.specifier}'${m.newest ? ` (the newest is ${m.newest})` : ''}`;
      return finding('not-found', m.dep.file, m.kind === 'project' ? m.dep.nameSpan : m.dep.span, `${what}; pip would fail with "No matching distribution found".${note}`);
    });
  },
};
