// `pip-over-conda`: a `pip:` line of an environment.yml names a package conda's solve already installs.
import { finding } from '../model/finding';
import { requirementLabel } from './edits';
import type { Dependency, Finding, Fix, ParsedFile, TextEdit } from '../model/types';
import { condaInstalledForPip } from '../conda/pypi-names';
import { SpecifierSet } from '../pep/specifier';
import { removalSpan } from './edits';
import type { Check } from './types';
import type { CondaPackage, CondaSolveReport, PixiSolveReport } from '../model/reports';
import { pixiManifestOf, type PixiManifest } from '../model/pixi';
import type { EnvironmentSet } from '../model/sets';

/**
 * A pixi manifest: a PyPI line of an environment whose package that environment's conda solve installs. pixi keeps
 * conda's package (its PyPI solve takes it as installed), so the PyPI line is satisfied by conda's build or fails.
 * Where a channel has the package and the environment's solve accepts it, the fix moves the line to the conda
 * `[dependencies]` table of the same feature and target, its PEP 440 specifier as a conda version spec.
 */
function pixiOverConda(set: EnvironmentSet, report: PixiSolveReport): Finding[] {
  const out: Finding[] = [];
  for (const s of report.solves) {
    if (s.conda.status !== 'ok') continue;
    const byPypi = condaInstalledForPip(s.conda);
    for (const dep of s.pypi) {
      const pkg = byPypi.get(dep.name);
      if (!pkg || !dep.name) continue;
      const fits = satisfied(dep, pkg.version);
      const what = `conda installs ${pkg.name} ${pkg.version} (${pkg.build}${pkg.channel ? `, from ${pkg.channel}` : ''})`;
      const move = s.conda.condaHas[dep.name];
      const file = set.files.find((f) => f.path === dep.file);
      const manifest = file ? pixiManifestOf(file) : null;
      const fix = move && file && manifest ? pixiMove(file, manifest, dep, move) : null;
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
          { fixes: fix ? [fix] : [] },
        ),
      );
    }
  }
  return out;
}

/** A conda match spec's version part as a pixi value: `numpy >=1.25,<2` -> `">=1.25,<2"`, a bare name -> `"*"`. */
function pixiValue(spec: string, condaName: string): string {
  return JSON.stringify(spec.slice(condaName.length).trim() || '*');
}

/**
 * The edits that move a pixi PyPI line to the conda table beside it (`[feature.X.pypi-dependencies]` ->
 * `[feature.X.dependencies]`): the conda line of the same package takes the spec, else the line is added at the end of
 * that table, or a new table is written above the PyPI one; the PyPI line is removed. Null where the tables are not
 * written as headers (inline tables), so no edit can be placed safely.
 */
function pixiMove(
  file: ParsedFile,
  m: PixiManifest,
  dep: Dependency,
  move: { condaName: string; spec: string; replaces: Dependency | null },
): Fix | null {
  const section = dep.section ?? '';
  if (!section.endsWith('pypi-dependencies')) return null;
  const condaSection = `${section.slice(0, -'pypi-dependencies'.length)}dependencies`;
  const key = /^[A-Za-z0-9_-]+$/.test(move.condaName) ? move.condaName : JSON.stringify(move.condaName);
  const value = pixiValue(move.spec, move.condaName);
  const text = file.text;
  const remove = removalSpan(text, dep.span);
  let insert: TextEdit | null = null;
  const target = m.features.flatMap((f) => f.targets).find((t) => t.pypiDependencies.includes(dep));
  if (!target) return null;
  const replaces = move.replaces && target.dependencies.includes(move.replaces) ? move.replaces : null;
  const header = (name: string): number => {
    const escaped = name.replace(/[.*+?^$()|[\]\\{}]/g, (c) => `\\${c}`);
    const hit = new RegExp(`^[ \\t]*\\[[ \\t]*${escaped}[ \\t]*\\][^\\n]*$`, 'm').exec(text);
    return hit ? hit.index : -1;
  };

  if (replaces) {
    insert = { file: file.path, span: replaces.span, newText: `${replaces.rawName} = ${value}` };
  } else if (target.dependencies.length) {
    const last = [...target.dependencies].sort((a, b) => b.span.end - a.span.end)[0]!;
    let end = text.indexOf('\n', last.span.end);
    if (end < 0) end = text.length;
    insert = { file: file.path, span: { start: end, end }, newText: `\n${key} = ${value}` };
  } else {
    const at = header(condaSection);
    if (at >= 0) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      insert = { file: file.path, span: { start: end, end }, newText: `\n${key} = ${value}` };
    } else {
      const pypiAt = header(section);
      if (pypiAt < 0) return null;
      insert = {
        file: file.path,
        span: { start: pypiAt, end: pypiAt },
        newText: `[${condaSection}]\n${key} = ${value}\n\n`,
      };
    }
  }
  if (remove.start < insert.span.end && remove.end > insert.span.start) return null;
  return {
    title: `Move to [${condaSection}] as '${key} = ${value}' (a conda solve of the environment accepts it)`,
    edits: [insert, { file: file.path, span: remove, newText: '' }],
    preferred: true,
  };
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
    if (pixi) return pixiOverConda(set, pixi);
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
