// `conflict`: the specifiers one environment set declares for a package admit no version at all.
import { finding } from '../model/finding';
import type { Dependency, Finding, Fix } from '../model/types';
import { Version } from '../pep/version';
import { VersionSet } from '../pep/version-set';
import { hasPep440Text, joinSpecifiers, where } from './edits';
import { arbitraryText, byName, installedDeclarations, installGroups, versionSetOf } from './scope';
import type { Check } from './types';

const NO_VERSION = VersionSet.empty();

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
  for (let i = 0; i < core.length;) {
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
 * something requires the package). `===X` takes part as packaging reads it: the version X where X is one,
 * and against another `===` by its text.
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
        const usable = decls.filter((dep) => dep.specifier && dep.url === null && !dep.specifierUnknown);
        // `===X` and `===Y` with other texts: no version's text is both (packaging compares the text).
        const literal = literalClash(usable);
        const judged: Judged[] = [];
        for (const dep of usable) {
          const vs = versionSetOf(dep.specifier);
          if (vs) judged.push({ dep, set: vs });
        }
        let core: Judged[];
        if (literal) core = literal.map((dep) => ({ dep, set: versionSetOf(dep.specifier) ?? NO_VERSION }));
        else if (judged.length < 2 || !intersectAll(judged)!.isEmpty()) continue;
        else core = minimalCore(judged);
        for (const j of core) {
          const key = `${j.dep.file}\0${j.dep.span.start}`;
          if (findings.has(key)) continue;
          const others = core.filter((o) => o !== j);
          const described = others.map((o) => `'${o.dep.specifier}' (${where(o.dep, set.files)})`).join(' and ');
          // Two `===` texts: which one the author meant is theirs to say.
          findings.set(
            key,
            finding(
              'conflict',
              j.dep.file,
              j.dep.span,
              `${name}: '${j.dep.specifier}' here and ${described} admit no ` +
                `version together; pip would fail with "ResolutionImpossible".`,
              {
                related: others.map((o) => ({
                  file: o.dep.file,
                  span: o.dep.span,
                  message: `${name}${o.dep.specifier} is declared here`,
                })),
                fixes: literal ? [] : fixesFor(j, judged, set.files),
              },
            ),
          );
        }
      }
    }
    return [...findings.values()];
  },
};

/**
 * Two lines whose `===` texts no one version's text can match, or null. packaging compares the text
 * case-insensitively; pip joins the lines' specifier sets, where `===1.0` and `===1.0.0` are one specifier
 * (packaging's canonical form drops trailing zeros) and one of them is kept: not certain to fail.
 */
function literalClash(decls: Dependency[]): [Dependency, Dependency] | null {
  let first: { dep: Dependency; text: string; version: Version | null } | null = null;
  for (const dep of decls) {
    const text = arbitraryText(dep.specifier);
    if (text === null) continue;
    const version = Version.parse(text);
    if (!first) first = { dep, text, version };
    else if (text !== first.text && !(version && first.version && version.equals(first.version)))
      return [first.dep, dep];
  }
  return null;
}

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
