// `conflict`: the specifiers one environment set declares for a package admit no version at all.
import { finding } from '../model/finding';
import type { Dependency, Finding, Fix } from '../model/types';
import { SpecifierSet } from '../pep/specifier';
import { VersionSet } from '../pep/version-set';
import { hasPep440Text, joinSpecifiers, where } from './edits';
import { byName, installedDeclarations, installGroups, nonVersionText, versionSetOf } from './scope';
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

/**
 * A minimal subset whose intersection is still empty: the lines that really take part. Never fewer than two: a line
 * that admits nothing by itself (`===1.a3`) is shown with one line it was to be installed with.
 */
function minimalCore(items: Judged[]): Judged[] {
  let core = items;
  for (let i = 0; i < core.length;) {
    const without = core.filter((_, k) => k !== i);
    const rest = intersectAll(without);
    if (without.length > 1 && rest && rest.isEmpty()) core = without;
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
        // `===X` where X is no version: only a release named X could match, and nothing else matches it.
        const literal = textClash(usable);
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
          const fixes = literal ? [] : [...normalFormFixes(j, judged), ...fixesFor(j, judged, set.files)];
          findings.set(
            key,
            finding(
              'conflict',
              j.dep.file,
              j.dep.span,
              `${name}: '${j.dep.specifier}' here and ${described} admit no ` +
                `version together${[j, ...others].map((o) => arbitraryNote(o.dep.specifier)).join('')}; pip would fail with "ResolutionImpossible".`,
              {
                related: others.map((o) => ({
                  file: o.dep.file,
                  span: o.dep.span,
                  message: `${name}${o.dep.specifier} is declared here`,
                })),
                fixes: fixes.map((f, i) => ({ ...f, preferred: i === 0 })),
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
 * The lines that clash through a `===X` whose X is no version, or null. packaging compares that text,
 * case-insensitively, with the candidate's version text: only a release named X (a legacy version pip 23 still
 * read; packaging 22 and later read none) satisfies it, and no other operator admits such a release. So lines clash
 * unless every one of them is `===X` alone with that one text; a line that is `===X` with another clause clashes
 * with anything.
 */
function textClash(decls: Dependency[]): Dependency[] | null {
  const first = decls.find((d) => nonVersionText(d.specifier) !== null);
  if (!first) return null;
  const { text } = nonVersionText(first.specifier)!;
  const sameRelease = (d: Dependency): boolean => {
    const t = nonVersionText(d.specifier);
    return t !== null && t.alone && t.text === text;
  };
  // A line that is `===X` with other clauses admits nothing: it clashes with any other line.
  const other = sameRelease(first) ? decls.find((d) => !sameRelease(d)) : decls.find((d) => d !== first);
  return other ? [first, other].sort((a, b) => decls.indexOf(a) - decls.indexOf(b)) : null;
}

/** The `===` clauses of a specifier that match no version, each with its text and the version's normal form. */
function unmatchableArbitrary(specifier: string): { text: string; normal: string | null }[] {
  if (!specifier.includes('===')) return [];
  try {
    return SpecifierSet.parse(specifier)
      .specifiers.filter((s) => s.operator === '===' && s.spec?.toString() !== s.version.toLowerCase())
      .map((s) => ({ text: s.version, normal: s.spec ? s.spec.toString() : null }));
  } catch {
    return [];
  }
}

/** Why a specifier's `===` matches no version, for the message (empty when it can). */
function arbitraryNote(specifier: string): string {
  return unmatchableArbitrary(specifier)
    .map(({ text, normal }) =>
      normal === null
        ? ` ('${text}' is no version: '===${text}' matches only a release named exactly that)`
        : ` (packaging compares '===' with a version's normal form, and the version ${text} is written ` +
          `'${normal}': '===${text}' matches no version)`,
    )
    .join('');
}

/**
 * For a line whose `===` names a version in other than its normal form: the same line with the normal form, where
 * that agrees with every other line.
 */
function normalFormFixes(j: Judged, judged: Judged[]): Fix[] {
  if (!hasPep440Text(j.dep)) return [];
  const clauses = unmatchableArbitrary(j.dep.specifier);
  if (!clauses.length || clauses.some((c) => c.normal === null)) return [];
  let spec: string;
  try {
    spec = SpecifierSet.parse(j.dep.specifier)
      .specifiers.map((s) => (s.operator === '===' && s.spec ? `===${s.spec}` : s.toString()))
      .join(',');
  } catch {
    return [];
  }
  const rewritten = versionSetOf(spec);
  if (!rewritten) return [];
  let all = rewritten;
  for (const o of judged) if (o !== j) all = all.intersect(o.set);
  if (all.isEmpty()) return [];
  return [
    {
      title: `Change to '${j.dep.rawName}${spec}' (the version as packaging writes it)`,
      edits: [{ file: j.dep.file, span: j.dep.specifierSpan, newText: spec }],
      preferred: true,
    },
  ];
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
