// `no-wheel`: no wheel fits the target, so pip would build the package from source.
import { finding } from '../model/finding';
import type { Finding } from '../model/types';
import { answeredByLock, describeTarget, lockedFiles, lockedOnTarget } from './locked';
import type { Check, CheckContext } from './types';
import type { EnvironmentSet } from '../model/sets';

/**
 * Notes a top-level requirement whose best matching version has only a source distribution for the target:
 * pip would build it, which needs a compiler and the package's system headers, and takes time.
 *
 * Example: an old `numpy==1.21.0` on Python 3.12. Information only; a newer version often has wheels.
 * A locked version is judged by the files its lock lists, on the lock entry: no wheel that fits, and an sdist.
 */
export const noWheel: Check = {
  code: 'no-wheel',
  description: 'No wheel fits the target, so pip would build from source.',
  run(set, ctx) {
    const locked = lockedFindings(set, ctx);
    const report = ctx.index?.get(set.root);
    if (!report) return locked;
    const fromIndex = report.sdistOnly
      .filter((s) => !answeredByLock(s.dep, set, ctx.markerEnvironment))
      .map((s) =>
        finding(
          'no-wheel',
          s.dep.file,
          s.dep.span,
          `No wheel of ${s.dep.name} ${s.version} fits ${s.target}; pip would ` +
            `build it from source (a compiler and the library's headers are needed).`,
        ),
      );
    return [...fromIndex, ...locked];
  },
};

/** Locked entries whose lock lists no wheel that fits the target, only an sdist: the installer builds it. */
function lockedFindings(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const { entry, dep, lockName } of lockedOnTarget(set, ctx.markerEnvironment)) {
    if (lockedFiles(entry, ctx.profile).kind !== 'sdist') continue;
    out.push(
      finding(
        'no-wheel',
        dep.file,
        dep.span,
        `${lockName} lists no wheel of ${entry.rawName} ${entry.version} that fits ${describeTarget(ctx.profile)}, ` +
          `only its sdist: installing the lock builds it from source (a compiler and the library's headers are ` +
          `needed).`,
      ),
    );
  }
  return out;
}
