// `no-wheel`: no wheel fits the target, so pip would build the package from source.
import { finding } from '../model/finding';
import type { Check } from './types';

/**
 * Notes a top-level requirement whose best matching version has only a source distribution for the target:
 * pip would build it, which needs a compiler and the package's system headers, and takes time.
 *
 * Example: an old `numpy==1.21.0` on Python 3.12. Information only; a newer version often has wheels.
 * In a uv project with `required-environments`, a top-level requirement whose version publishes no sdist and no wheel
 * for one of those environments is an error naming it (uv lock fails there).
 */
export const noWheel: Check = {
  code: 'no-wheel',
  description: 'No wheel fits the target, so pip would build from source.',
  run(set, ctx) {
    const report = ctx.index?.get(set.root);
    if (!report) return [];
    const local = report.sdistOnly.map((s) =>
      finding(
        'no-wheel',
        s.dep.file,
        s.dep.span,
        `No wheel of ${s.dep.name} ${s.version} fits ${s.target}; pip would ` +
          `build it from source (a compiler and the library's headers are needed).`,
      ),
    );
    // uv: a required environment is one the lock must install on, and without an sdist nothing builds there.
    const required = (report.missingEnvironments ?? []).map((m) =>
      finding(
        'no-wheel',
        m.dep.file,
        m.dep.span,
        `${m.dep.name} ${m.version} publishes no wheel for the required environment \`${m.marker}\` and no sdist ` +
          `to build one: uv lock cannot use this version, since the lock must install there.`,
        {
          severity: 'error',
          related: [{ file: m.file, span: m.span, message: 'required in tool.uv.required-environments' }],
        },
      ),
    );
    return [...local, ...required];
  },
};
