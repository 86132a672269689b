// `installed-mismatch`: the active environment lacks a requirement or holds a version outside its specifier.
import { finding } from '../model/finding';
import { Version } from '../pep/version';
import { installedDeclarations, versionSetOf } from './scope';
import type { Check } from './types';

/**
 * Flags a requirement (always installed, its marker holding for the active environment) that the active
 * environment lacks, or holds at a version its specifier excludes.
 *
 * Bad: `numpy>=2` while the environment has numpy 1.26.4. Good: after installing, numpy 2.1.0.
 * Fix: the "Install into Environment" command (not an edit of the file).
 */
export const installedMismatch: Check = {
  code: 'installed-mismatch',
  description: 'The active environment lacks a requirement or holds a version outside its specifier.',
  run(set, ctx) {
    const env = ctx.installed;
    if (!env) return [];
    const out = [];
    for (const { dep, scope } of installedDeclarations(set, ctx.markerEnvironment)) {
      if (scope !== '' || dep.kind !== 'requirement' || !dep.name || dep.editable) continue;
      const have = env.packages.get(dep.name);
      if (have === undefined) {
        out.push(finding('installed-mismatch', dep.file, dep.span, `${dep.name} is not installed in ${env.name}.`));
        continue;
      }
      if (!dep.specifier || dep.url) continue;
      const wanted = versionSetOf(dep.specifier);
      const v = Version.parse(have);
      if (wanted && v && !wanted.contains(v)) {
        out.push(
          finding(
            'installed-mismatch',
            dep.file,
            dep.span,
            `${env.name} has ${dep.name} ${have}, which '${dep.specifier}' excludes.`,
          ),
        );
      }
    }
    return out;
  },
};
