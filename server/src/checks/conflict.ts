// `conflict`: the specifiers one environment set declares for a package admit no version at all.
import { finding } from '../model/finding';
import type { Dependency, Finding, Fix } from '../model/types';
import type { VersionSet } from '../pep/version-set';
import { hasPep440Text, joinSpecifiers, where } from './edits';
import { byName, installedDeclarations, installGroups, versionSetOf } from './scope';
import type { Check } from './types';

interface Judged {
  dep: Dependency;
  set: VersionSet;
}

function intersectAll(items: Judged[]): VersionSet | null {
  let acc: VersionSet | null = null;
  for (const j of items) acc = acc ? acc.intersect(j.set) : j.set;
  return acc;
}

/** A minimal subset whose intersection is still empty: the lines that really take part. */
function minimalCore(items: Judged[]): Judged[] {
  let core = items;
  for (let i = 0; i < core.length; ) {
    const without = core.filter((_, k) => k !== i);
    const rest = intersectAll(without);
    if (without.length > 0 && rest && rest.isEmpty()) core = without;
    else i++;
  }
  return core;
}

/**
 * Flags every line that takes part when the specifiers declared for one package across the set
 * (requirements with their includes and constraints, the folder's pyproject, environment.yml) admit no version.
 * Markers that do not hold on the target leave a line out, as pip would; extras and groups are judged
 * each with the base, never against each other; a constraint alone never conflicts (pip ignores it until
 * something requires the package).
 *
 * Bad: `numpy>=1.24` in requirements.txt with `numpy<1.24` in constraints.txt.
 * Good: `numpy>=1.24,<2` with `numpy<1.27`.
 * Fix: rewrite one side to a specifier that satisfies all the others, where one exists.
 */
export const conflict: Check = {
  code: 'conflict',
  description: 'The specifiers declared for one package across the environment set admit no version.',
  run(set, ctx) {
    const findings = new Map<string, Finding>();
    for (const group of installGroups(installedDeclarations(set, ctx.markerEnvironment))) {
      for (const [name, decls] of byName(group)) {
        if (decls.length < 2 || decls.every((d) => d.kind === 'constraint')) continue;
        const judged: Judged[] = [];
        for (const dep of decls) {
          if (!dep.specifier || dep.url !== null || dep.specifierUnknown) continue;
          const vs = versionSetOf(dep.specifier);
          if (vs) judged.push({ dep, set: vs });
        }
        if (judged.length < 2 || !intersectAll(judged)!.isEmpty()) continue;
        const core = minimalCore(judged);
        for (const j of core) {
          const key = `${j.dep.file}\0${j.dep.span.start}`;
          if (findings.has(key)) continue;
          const others = core.filter((o) => o !== j);
          const described = others.map((o) => `'${o.dep.specifier}' (${where(o.dep, set.files)})`).join(' and ');
          findings.set(key, finding('conflict', j.dep.file, j.dep.span, `${name}: '${j.dep.specifier}' here and ${described} admit no version together; pip would fail with "ResolutionImpossible".`, { related: others.map((o) => ({ file: o.dep.file, span: o.dep.span, message: `${name}${o.dep.specifier} is declared here` })), fixes: fixesFor(j, judged, set.files) }));
        }
      }
    }
    return [...findings.values()];
  },
};

function fixesFor(j: Judged, judged: Judged[], files: Parameters<typeof where>[1]): Fix[] {
  if (!hasPep440Text(j.dep)) return [];
  const rest = judged.filter((o) => o !== j);
  const restSet = intersectAll(rest);
  if (!restSet || restSet.isEmpty()) return [];
  const spec = joinSpecifiers(rest.map((o) => o.dep.specifier));
  if (spec === null) return [];
  // Verify before offering: the rewritten line must admit exactly what the others admit.
  const rewritten = versionSetOf(spec);
  if (!rewritten || rewritten.isEmpty() || !rewritten.intersect(restSet).equals(restSet)) return [];
  return [
    {
      title: `Change to '${j.dep.rawName}${spec}' (agrees with ${rest.map((o) => where(o.dep, files)).join(', ')})`,
      edits: [{ file: j.dep.file, span: j.dep.specifierSpan, newText: spec }],
      preferred: true,
    },
  ];
}
