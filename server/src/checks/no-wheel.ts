// `no-wheel`: no wheel fits the target, so pip would build the package from source.
import { finding } from '../model/finding';
import { systemLibraryRecord } from '../knowledge/system-libraries';
import type { Dependency, Fix } from '../model/types';
import { targetOs } from '../system/profile';
import { hasPep440Text } from './edits';
import type { Check, CheckContext } from './types';

/**
 * Notes a top-level requirement whose best matching version has only a source distribution for the target:
 * pip would build it, which needs a compiler and the package's system headers, and takes time.
 *
 * Example: an old `numpy==1.21.0` on Python 3.12. Information only; a newer version often has wheels.
 */
export const noWheel: Check = {
  code: 'no-wheel',
  description: 'No wheel fits the target, so pip would build from source.',
  run(set, ctx) {
    const report = ctx.index?.get(set.root);
    if (!report) return [];
    return report.sdistOnly.map((s) => {
      const fix = wheelAlternative(s.dep, ctx);
      return finding(
        'no-wheel',
        s.dep.file,
        s.dep.span,
        `No wheel of ${s.dep.name} ${s.version} for ${s.target}: pip would build it from source\n` +
          `A source build needs a compiler and the library's headers, and takes time.`,
        { fixes: fix ? [fix] : [] },
      );
    });
  },
};

/**
 * The package's wheel-only twin where the knowledge names one for the target's OS (`psycopg2` -> `psycopg2-binary`), as
 * a fix that renames the line.
 */
function wheelAlternative(dep: Dependency, ctx: CheckContext): Fix | null {
  const alt = systemLibraryRecord(dep.name)?.alternative;
  if (!alt || !hasPep440Text(dep)) return null;
  if (alt.platforms && !alt.platforms.includes(targetOs(ctx.profile))) return null;
  return {
    title: `Use ${alt.package} instead (${alt.reason})`,
    edits: [{ file: dep.file, span: dep.nameSpan, newText: alt.package }],
    preferred: true,
  };
}
