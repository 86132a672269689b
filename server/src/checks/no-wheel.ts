// `no-wheel`: no wheel fits the target, so pip would build the package from source.
import { finding } from '../model/finding';
import { systemLibraryRecord } from '../knowledge/system-libraries';
import type { Dependency, Finding, Fix } from '../model/types';
import type { EnvironmentSet } from '../model/sets';
import { targetOs } from '../system/profile';
import { hasPep440Text } from './edits';
import { answeredByLock, describeTarget, forkNote, lockedFiles, lockedOnTarget } from './locked';
import type { Check, CheckContext } from './types';

/**
 * Notes a top-level requirement whose best matching version has only a source distribution for the target:
 * pip would build it, which needs a compiler and the package's system headers, and takes time.
 *
 * Example: an old `numpy==1.21.0` on Python 3.12. Information only; a newer version often has wheels.
 * In a uv project with `required-environments`, a top-level requirement whose version publishes no sdist and no wheel
 * for one of those environments is an error naming it (uv lock fails there).
 * A locked version is judged by the files its lock lists, on the lock entry: no wheel that fits, and an sdist.
 */
export const noWheel: Check = {
  code: 'no-wheel',
  description: 'No wheel fits the target, so pip would build from source.',
  run(set, ctx) {
    const locked = lockedFindings(set, ctx);
    const report = ctx.index?.get(set.root);
    if (!report) return locked;
    const local = report.sdistOnly
      .filter((s) => !answeredByLock(s.dep, set, ctx.markerEnvironment))
      .map((s) => {
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
    // uv: a required environment is one the lock must install on, and without an sdist nothing builds there.
    const required = (report.missingEnvironments ?? []).map((m) =>
      finding(
        'no-wheel',
        m.dep.file,
        m.dep.span,
        `No wheel or sdist of ${m.dep.name} ${m.version} for the required environment ${m.marker}\n` +
          `uv lock cannot use this version, since the lock must install in every environment ` +
          `tool.uv.required-environments names.`,
        {
          severity: 'error',
          related: [{ file: m.file, span: m.span, message: 'required in tool.uv.required-environments' }],
        },
      ),
    );
    return [...local, ...required, ...locked];
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
        `No wheel of ${entry.rawName} ${entry.version}${forkNote(entry)} in ${lockName} for ` +
          `${describeTarget(ctx.profile)}: ` +
          `installing the lock builds it\n` +
          `${lockName} lists only its sdist; a source build needs a compiler and the library's headers.`,
      ),
    );
  }
  return out;
}
