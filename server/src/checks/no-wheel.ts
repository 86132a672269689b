// `no-wheel`: no wheel fits the target, so pip would build the package from source.
import { finding } from '../model/finding';
import type { Check } from './types';

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
    return report.sdistOnly.map((s) =>
      finding(
        'no-wheel',
        s.dep.file,
        s.dep.span,
        `No wheel of ${s.dep.name} ${s.version} fits ${s.target}; pip would ` +
          `build it from source (a compiler and the library's headers are needed).`,
      ),
    );
  },
};
