// `requires-python`: no matching version of a package supports the target Python.
import { finding } from '../model/finding';
import { scopeNote } from './edits';
import type { Check } from './types';

/**
 * Flags a top-level requirement whose matching versions all declare a `Requires-Python` that excludes the
 * target Python (the profile's, the interpreter's).
 *
 * Bad: `numpy==2.1.0` for Python 3.9 (it requires >=3.10). Good: `numpy==1.26.4`.
 * No automatic fix here; the message names what the versions require.
 */
export const requiresPython: Check = {
  code: 'requires-python',
  description: 'No version of the package supports the target Python.',
  run(set, ctx) {
    const report = ctx.index?.get(set.root);
    if (!report) return [];
    return report.pythonExcluded.map((p) =>
      finding(
        'requires-python',
        p.dep.file,
        p.dep.span,
        `No version of ${p.dep.name}${scopeNote(p.dep)} matching '${p.dep.specifier || 'any'}' supports Python ` +
          `${p.python}: they require ${p.requires.slice(0, 3).join(', ')}${p.requires.length > 3 ? ', ...' : ''}.`,
      ),
    );
  },
};
