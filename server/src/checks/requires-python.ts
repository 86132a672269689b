// `requires-python`: no matching version of a package supports the target Python.
import { finding } from '../model/finding';
import { scopeNote } from './edits';
import type { EnvironmentSet } from '../model/sets';
import type { Finding } from '../model/types';
import { SpecifierSet } from '../pep/specifier';
import type { Check, CheckContext } from './types';

/**
 * Flags a top-level requirement whose matching versions all declare a `Requires-Python` that excludes the
 * target Python (the profile's, the interpreter's, or the one a project's `requires-python` allows); and, once on a
 * pyproject's `requires-python` line, a target Python outside the project's range (pip and uv refuse to install the
 * project there; its dependencies are judged for the lowest Python the range allows).
 *
 * Bad: `numpy==2.1.0` for Python 3.9 (it requires >=3.10). Good: `numpy==1.26.4`.
 * Bad: `requires-python = ">=3.13,<3.14"` on a machine with Python 3.11.
 * No automatic fix here; the message names what the versions require.
 */
export const requiresPython: Check = {
  code: 'requires-python',
  description: 'No version of the package supports the target Python.',
  run(set, ctx) {
    const out = projectPython(set, ctx);
    const report = ctx.index?.get(set.root);
    if (!report) return out;
    return out.concat(
      report.pythonExcluded.map((p) =>
        finding(
          'requires-python',
          p.dep.file,
          p.dep.span,
          `No version of ${p.dep.name}${scopeNote(p.dep)} matching '${p.dep.specifier || 'any'}' supports Python ` +
            `${p.python}: they require ${p.requires.slice(0, 3).join(', ')}${p.requires.length > 3 ? ', ...' : ''}.`,
        ),
      ),
    );
  },
};

/**
 * A project whose `requires-python` excludes the machine's Python, once, on that line: pip and uv refuse to install
 * it there. The set is judged for a Python the range allows (its lowest, the analysis's choice).
 */
function projectPython(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const machine = ctx.machinePython ?? ctx.profile.python?.version;
  if (!machine) return [];
  const out: Finding[] = [];
  for (const f of set.files) {
    if (f.kind !== 'pyproject' || !f.requiresPython || !f.requiresPythonSpan) continue;
    let allows: boolean;
    try {
      allows = SpecifierSet.parse(f.requiresPython).contains(machine, true);
    } catch {
      continue;
    }
    if (allows) continue;
    const judged = f === set.files[0] ? ctx.profile.python?.version : undefined;
    out.push(
      finding(
        'requires-python',
        f.path,
        f.requiresPythonSpan,
        `This project requires Python '${f.requiresPython}', and the target's Python is ${machine}: pip and uv ` +
          `refuse to install it there.` +
          (judged && judged !== machine ? ` Its dependencies are judged for Python ${judged}, which it allows.` : ''),
      ),
    );
  }
  return out;
}
