// `pip-over-conda`: a `pip:` line of an environment.yml names a package conda's solve already installs.
import { finding } from '../model/finding';
import { requirementLabel } from './edits';
import type { Dependency, Finding, Fix, ParsedFile, TextEdit } from '../model/types';
import { condaInstalledForPip } from '../conda/pypi-names';
import { SpecifierSet } from '../pep/specifier';
import { removalSpan } from './edits';
import type { Check } from './types';
import type { CondaPackage, CondaSolveReport, PixiSolveReport } from '../model/reports';

/**
 * A pixi manifest: a PyPI line of an environment whose package that environment's conda solve installs. pixi keeps
 * conda's package (its PyPI solve takes it as installed), so the PyPI line is satisfied by conda's build or fails.
 */
function pixiOverConda(report: PixiSolveReport): Finding[] {
  const out: Finding[] = [];
  for (const s of report.solves) {
    if (s.conda.status !== 'ok') continue;
    const byPypi = condaInstalledForPip(s.conda);
    for (const dep of s.pypi) {
      const pkg = byPypi.get(dep.name);
      if (!pkg || !dep.name) continue;
      const fits = satisfied(dep, pkg.version);
      const what = `conda installs ${pkg.name} ${pkg.version} (${pkg.build}${pkg.channel ? `, from ${pkg.channel}` : ''})`;
      out.push(
        finding(
          'pip-over-conda',
          dep.file,
          dep.span,
          `In environment ${s.environment} (${s.platform}): '${dep.text}' is also a conda package here: ${what}. ` +
            (fits === false
              ? `pixi keeps conda's version, which this line excludes, so the PyPI solve of the environment fails.`
              : `pixi keeps conda's build and the PyPI line only checks it; declare it in [dependencies] alone, so ` +
                `one package manager owns it.`),
        ),
      );
    }
  }
  return out;
}

/** Whether pip would take conda's version as satisfying the line (true for no specifier). */
function satisfied(dep: Dependency, version: string): boolean | null {
  if (!dep.specifier) return true;
  try {
    return SpecifierSet.parse(dep.specifier).contains(version, true);
  } catch {
    return null;
  }
}

/**
 * The edits that move a pip line into the conda part: the pip line (and an emptied `- pip:`) removed, the conda spec
 * added after the last conda line.
 */
function moveEdits(file: ParsedFile, dep: Dependency, spec: string, replaces: Dependency | null): TextEdit[] | null {
  const lastConda = [...file.dependencies].filter((d) => d.kind === 'conda').sort((a, b) => b.span.end - a.span.end)[0];
  if (!lastConda) return null;
  const text = file.text;
  const lineStart = text.lastIndexOf('\n', lastConda.span.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  let lineEnd = text.indexOf('\n', lastConda.span.end);
  if (lineEnd < 0) lineEnd = text.length;
  const insert: TextEdit =
    replaces && replaces.file === file.path
      ? { file: file.path, span: replaces.span, newText: spec }
      : { file: file.path, span: { start: lineEnd, end: lineEnd }, newText: `\n${indent}- ${spec}` };
  let remove = removalSpan(text, dep.span);
  const pipLines = file.dependencies.filter((d) => d.section === 'dependencies.pip');
  if (pipLines.length === 1) {
    // The only pip line: the `- pip:` entry goes too, so that no empty list is left.
    const before = text.lastIndexOf('\n', remove.start - 2) + 1;
    if (/^[ \t]*-[ \t]*pip[ \t]*:[ \t]*\r?\n?$/.test(text.slice(before, remove.start)))
      remove = { start: before, end: remove.end };
  }
  if (remove.start < insert.span.end && remove.end > insert.span.start) return null;
  return [insert, { file: file.path, span: remove, newText: '' }];
}

function message(dep: Dependency, pkg: CondaPackage, fits: boolean | null): string {
  const what = `Conda installs ${pkg.name} ${pkg.version} (${pkg.build}${pkg.channel ? `, from ${pkg.channel}` : ''})`;
  const conda = `conda's ${pkg.name} ${pkg.version}`;
  const line = requirementLabel(dep);
  // The verdict is what a Problems row shows whole: the line as written where that fits, else its name.
  const fit = (long: string, short: string): string => (long.length < 100 ? long : short);
  return fits === false
    ? `${fit(`pip would replace ${conda}: '${line}' excludes that version`, `pip would replace ${conda}: this line excludes it`)}\n` +
        `${what}, and pip uninstalls conda's files and installs its own over them; conda still lists its ` +
        `package, and the conda packages built against it can break.`
    : `${fit(`'${line}' shadows ${conda}; ask for it in the conda part`, `This line shadows ${conda}; ask for it in the conda part`)}\n` +
        `${what}. pip sees it installed now, but any pip upgrade of it replaces conda's files; conda's packages ` +
        `built against it can break.`;
}

/**
 * Flags a `pip:` requirement of an environment.yml whose project conda's solve already installs (numpy in both
 * parts): pip would replace or shadow conda's package, the mixing hazard conda's guides warn about.
 *
 * Bad: `numpy` under `dependencies` and `numpy==1.25.2` under `pip:`. Good: `numpy=1.25.2` under `dependencies` only.
 * Fix (when a solve of the environment with the line moved succeeds): move the requirement to the conda part.
 */
export const pipOverConda: Check = {
  code: 'pip-over-conda',
  description: 'pip would replace or shadow a package conda installed.',
  run(set, ctx) {
    const pixi = ctx.pixi?.get(set.root);
    if (pixi) return pixiOverConda(pixi);
    const report: CondaSolveReport | undefined = ctx.conda?.get(set.root);
    if (!report || report.status !== 'ok') return [];
    const byPypi = condaInstalledForPip(report);
    const out: Finding[] = [];
    for (const file of set.files) {
      for (const dep of file.dependencies) {
        if (dep.section !== 'dependencies.pip' || dep.kind !== 'requirement' || !dep.name) continue;
        const pkg = byPypi.get(dep.name);
        if (!pkg) continue;
        const fixes: Fix[] = [];
        const move = report.condaHas[dep.name];
        if (move) {
          const edits = moveEdits(file, dep, move.spec, move.replaces);
          if (edits)
            fixes.push({
              title: `Move to the conda part as '${move.spec}' (a conda solve accepts it)`,
              edits,
              preferred: true,
            });
        }
        out.push(
          finding('pip-over-conda', dep.file, dep.span, message(dep, pkg, satisfied(dep, pkg.version)), { fixes }),
        );
      }
    }
    return out;
  },
};
