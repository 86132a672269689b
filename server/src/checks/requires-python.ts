// `requires-python`: no matching version of a package supports the target Python.
import { finding } from '../model/finding';
import { scopeNote } from './edits';
import type { EnvironmentSet } from '../model/sets';
import type { Finding } from '../model/types';
import { markerTextHolds } from '../pep/marker';
import { SpecifierSet } from '../pep/specifier';
import { uvRootOf } from './scope';
import type { Check, CheckContext } from './types';

/**
 * Flags a top-level requirement whose matching versions all declare a `Requires-Python` that excludes the
 * target Python (the profile's, the interpreter's, or the one a project's `requires-python` allows); and, once on a
 * pyproject's `requires-python` line, a target Python outside the project's range (pip and uv refuse to install the
 * project there; its dependencies are judged for the lowest Python the range allows).
 *
 * Bad: `numpy==2.1.0` for Python 3.9 (it requires >=3.10). Good: `numpy==1.26.4`.
 * Bad: `requires-python = ">=3.13,<3.14"` on a machine with Python 3.11.
 * Also, once on `[tool.uv] environments` (a warning), a machine that none of the listed environments describes: uv
 * resolves the project for those only, and uv sync and uv run stop on any other machine.
 * No automatic fix here; the message names what the versions require.
 */
export const requiresPython: Check = {
  code: 'requires-python',
  description: 'No version of the package supports the target Python.',
  run(set, ctx) {
    const out = [...projectPython(set, ctx), ...uvEnvironments(set, ctx)];
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

const OS_NAMES: Record<string, string> = { linux: 'Linux', darwin: 'macOS', windows: 'Windows' };

/**
 * A uv project whose `environments` describe none of them on the machine it is judged for: uv locks the project for
 * those environments only, and `uv sync` stops elsewhere ("The current Python platform is not compatible with the
 * lockfile's supported environments"). Said once, on the `environments` key.
 */
function uvEnvironments(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const root = uvRootOf(set);
  const uv = root?.uvResolution;
  if (!root || !uv?.environmentsSpan || uv.environments.length === 0) return [];
  if (uv.environments.some((e) => markerTextHolds(e.marker, ctx.markerEnvironment))) return [];
  const env = ctx.markerEnvironment;
  const os = ctx.profile.os ? (OS_NAMES[ctx.profile.os] ?? ctx.profile.os) : env['sys_platform'];
  const machine = `Python ${env['python_full_version'] ?? env['python_version']} · ${os} ${env['platform_machine']}`;
  const listed = uv.environments.map((e) => e.marker).join('; ');
  return [
    finding(
      'requires-python',
      root.path,
      uv.environmentsSpan,
      `uv sync refuses ${machine}: it is outside the project's environments\n` +
        `uv resolves this project only for: ${listed}. Its lock holds nothing for this machine, and uv sync ` +
        `and uv run stop with "The current Python platform is not compatible with the lockfile's supported ` +
        `environments". Lines whose markers fall outside every listed environment are not judged.`,
      { severity: 'warning' },
    ),
  ];
}
