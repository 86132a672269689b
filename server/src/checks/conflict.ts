// `conflict`: the specifiers one environment set declares for a package admit no version at all.
import { finding } from '../model/finding';
import { pixiManifestOf } from '../model/pixi';
import type { Dependency, Finding, Fix, ParsedFile } from '../model/types';
import { SpecifierSet } from '../pep/specifier';
import { VersionSet } from '../pep/version-set';
import { describeScope, hasPep440Text, joinSpecifiers, requirementLabel, where } from './edits';
import { linesCause } from './fold';
import {
  admitsNothing,
  byName,
  installedDeclarations,
  installGroups,
  nonVersionText,
  togetherGroup,
  togetherScopes,
  versionSetOf,
  withinOneScope,
} from './scope';
import type { Check, ScopedDependency } from './types';

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
 * A minimal subset whose intersection is still empty: the lines that really take part (never fewer than two; a line
 * that admits nothing by itself is a finding of its own, see {@link admitsNothing}).
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
 * and against another `===` by its text. A line that admits no version by itself (`>=2,<1`, `==1.0,!=1.0`,
 * `===1.a3`) is a finding of its own, also where the package is declared once, and the other lines are judged
 * without it. A uv override (`tool.uv.override-dependencies`) replaces every requirement on its name, so those
 * lines are judged no more; the override is judged with the constraints.
 *
 * Bad: `numpy>=1.24` in requirements.txt with `numpy<1.24` in constraints.txt; `numpy>=2,<1` alone.
 * Good: `numpy>=1.24,<2` with `numpy<1.27`.
 * Fix: rewrite one side to a specifier that satisfies all the others, where one exists; a line that admits nothing
 * by itself gets its version in normal form (`===1a3`) or keeps the clauses that admit a version together.
 */
export const conflict: Check = {
  code: 'conflict',
  description: 'The specifiers declared for one package across the environment set admit no version.',
  run(set, ctx) {
    const findings = new Map<string, Finding>();
    const scoped = installedDeclarations(set, ctx.markerEnvironment);
    const groups: { deps: readonly Dependency[]; together: string }[] = installGroups(scoped).map((deps) => ({
      deps,
      together: '',
    }));
    // A uv project's extras and groups are resolved together too (but a declared conflict's alternatives).
    for (const scope of togetherScopes(set, scoped))
      groups.push({ deps: togetherGroup(scoped, scope), together: scope });
    for (const { deps: group, together } of groups) {
      for (const [name, all] of byName(group)) {
        if (all.length === 1) {
          // Declared once (most names): only a line that admits no version by itself is a finding.
          const dep = all[0]!;
          if (dep.kind === 'constraint' || !dep.specifier || dep.url !== null || dep.specifierUnknown) continue;
          if (!admitsNothing(dep.specifier)) continue;
          const key = `${dep.file}\0${dep.span.start}`;
          if (!findings.has(key)) findings.set(key, aloneFinding(name, dep, []));
          continue;
        }
        // A uv override replaces every requirement on its name: those lines no longer decide its versions.
        const overridden = all.some((d) => d.kind === 'override');
        const decls = overridden ? all.filter((d) => d.kind !== 'requirement') : all;
        if (!overridden && decls.every((d) => d.kind === 'constraint')) continue;
        const declared = decls.filter((dep) => dep.specifier && dep.url === null && !dep.specifierUnknown);
        // A line that admits no version by itself is its own cause; the others are judged without it.
        const alone = declared.filter((dep) => admitsNothing(dep.specifier));
        const usable = alone.length ? declared.filter((dep) => !alone.includes(dep)) : declared;
        const judged: Judged[] = [];
        for (const dep of usable) {
          const vs = versionSetOf(dep.specifier);
          if (vs) judged.push({ dep, set: vs });
        }
        for (const dep of alone) {
          const key = `${dep.file}\0${dep.span.start}`;
          if (!findings.has(key)) findings.set(key, aloneFinding(name, dep, judged));
        }
        // Without a requirement on the name, overrides and constraints apply to nothing but themselves.
        if (usable.length < 2 || (overridden && !all.some((d) => d.kind === 'requirement'))) continue;
        // `===X` where X is no version: only a release named X could match, and nothing else matches it.
        const literal = textClash(usable);
        let core: Judged[];
        if (literal) core = literal.map((dep) => ({ dep, set: versionSetOf(dep.specifier) ?? NO_VERSION }));
        else if (judged.length < 2 || !intersectAll(judged)!.isEmpty()) continue;
        else core = minimalCore(judged);
        if (
          together &&
          withinOneScope(
            scoped,
            core.map((j) => j.dep),
          )
        )
          continue;
        // One cause: every line of the core says the same verdict, the fold keeps one where its best fix edits.
        const cause = linesCause(core.map((j) => j.dep));
        const notes = core.map((o) => arbitraryNote(o.dep.specifier)).join('');
        // A line of an extra or group against the base: only installing that extra or group fails.
        const optional = together ? '' : optionalScopes(scoped, core);
        const failure = together
          ? `${together.includes('+') ? "uv resolves a project's extras and groups together ([tool.uv] conflicts declares the ones never installed together); " : ''}uv lock would fail with "No solution found when resolving dependencies".`
          : installerFailure(
              core.map((j) => j.dep),
              set.files,
              optional,
            );
        for (const j of core) {
          const key = `${j.dep.file}\0${j.dep.span.start}`;
          if (findings.has(key)) continue;
          const others = core.filter((o) => o !== j);
          // Two `===` texts: which one the author meant is theirs to say.
          const fixes = literal ? [] : fixesFor(j, judged, set.files);
          const verdict = conflictVerdict(
            name,
            j.dep,
            core.map((o) => o.dep),
            set.files,
            together,
            optional,
          );
          findings.set(
            key,
            finding('conflict', j.dep.file, j.dep.span, `${verdict}\n${notes ? `${notes.trim()}; ` : ''}${failure}`, {
              related: others.map((o) => ({
                file: o.dep.file,
                span: o.dep.span,
                message: `${requirementLabel(o.dep)} is declared here`,
              })),
              fixes: fixes.map((f, i) => ({ ...f, preferred: i === 0 })),
              cause,
            }),
          );
        }
      }
    }
    return [...findings.values()];
  },
};

/**
 * The extras or groups a conflict's lines come from where some are no part of the base ("extra 'all' or 'gpu'"), as
 * the lines outside the base all share them (the extra that brings them; one that includes it, `all = ["x[gpu]"]`);
 * "" when every line is the base's.
 */
function optionalScopes(scoped: readonly ScopedDependency[], core: readonly Judged[]): string {
  let shared: string[] | null = null;
  for (const { dep } of core) {
    const scopes = scoped.filter((s) => s.dep === dep).map((s) => s.scope);
    if (scopes.includes('')) continue;
    shared = shared ? shared.filter((s) => scopes.includes(s)) : scopes;
  }
  if (!shared?.length) return '';
  const sorted = [...new Set(shared)].sort();
  // One kind of scope reads once: "extra 'all' or 'gpu'"; mixed kinds each with their own.
  const kind = sorted[0]!.slice(0, sorted[0]!.indexOf(':') + 1);
  if (kind && sorted.every((s) => s.startsWith(kind))) {
    const first = describeScope(sorted[0]!);
    const label = first.slice(0, first.indexOf("'"));
    return label + sorted.map((s) => `'${s.slice(kind.length)}'`).join(' or ');
  }
  return sorted.map(describeScope).join(' or ');
}

/**
 * What the installer would answer a direct conflict with: conda's specs are solved by conda (pixi for a pixi manifest),
 * the rest by pip; `optional`: the extras, groups or environments whose installation fails (the rest installs).
 */
function installerFailure(lines: readonly Dependency[], files: readonly ParsedFile[], optional: string): string {
  if (lines.every((d) => d.kind === 'conda')) {
    const file = files.find((f) => f.path === lines[0]!.file);
    if (file && pixiManifestOf(file))
      return optional
        ? `pixi would fail to solve ${optional} (the default environment solves).`
        : 'pixi would fail to solve the environment.';
    return 'conda would fail to solve the environment ("LibMambaUnsatisfiableError").';
  }
  return optional
    ? `pip would fail with "ResolutionImpossible" installing ${optional} (the base alone installs).`
    : 'pip would fail with "ResolutionImpossible".';
}

/** Messages lead with a verdict a Problems row shows whole. */
const VERDICT_MAX = 100;

/**
 * The first line of a direct conflict, the same whichever of its lines it is read from (the fold keeps one): each line
 * as written with its place, in file order ("numpy>=1.24 (line 3) and numpy<1.24 (line 9) admit no common version"),
 * a place in another file named by that file; shorter forms where that does not fit.
 */
function conflictVerdict(
  name: string,
  at: Dependency,
  lines: Dependency[],
  files: ParsedFile[],
  together: string,
  optional = '',
): string {
  const ordered = [...lines].sort((a, b) =>
    a.file === b.file
      ? a.span.start - b.span.start
      : files.findIndex((f) => f.path === a.file) - files.findIndex((f) => f.path === b.file),
  );
  const parts = together ? together.split('+').map(describeScope) : [];
  const scope = parts.length
    ? ` in ${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]}`
    : optional
      ? ` with ${optional}`
      : '';
  const listed = (items: string[]): string =>
    items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : (items[0] ?? '');
  const place = (d: Dependency): string => {
    const w = where(d, files);
    return d.file === at.file ? `line ${w.replace(/^.*:/, '')}` : w;
  };
  const forms = [
    `${listed(ordered.map((d) => `${requirementLabel(d)} (${place(d)})`))} admit no common version${scope}`,
    `${listed(ordered.map((d) => requirementLabel(d)))} admit no common version${scope}`,
    `${name}: the ${ordered.length} lines declared admit no common version${scope}`,
  ];
  const fits = forms.find((f) => f.length < VERDICT_MAX);
  if (fits) return fits;
  // Too long with its scope: the verdict names the package, the scope follows on its own line.
  return `${name}: the ${ordered.length} lines declared admit no common version${scope ? `\n${scope.trim()}` : ''}`;
}

/**
 * The lines that clash through a `===X` whose X is no version, or null. packaging compares that text,
 * case-insensitively, with the candidate's version text: only a release named X (a legacy version pip 23 still
 * read; packaging 22 and later read none) satisfies it, and no other operator admits such a release. So lines clash
 * unless every one of them is `===X` alone with that one text (a line that is `===X` with another clause admits
 * nothing by itself: it is judged alone, before this).
 */
function textClash(decls: Dependency[]): Dependency[] | null {
  const first = decls.find((d) => nonVersionText(d.specifier) !== null);
  if (!first) return null;
  const { text } = nonVersionText(first.specifier)!;
  const sameRelease = (d: Dependency): boolean => {
    const t = nonVersionText(d.specifier);
    return t !== null && t.alone && t.text === text;
  };
  const other = decls.find((d) => !sameRelease(d));
  return other ? [first, other].sort((a, b) => decls.indexOf(a) - decls.indexOf(b)) : null;
}

/** The finding on a line that admits no version by itself; `others` are the lines it is installed with. */
function aloneFinding(name: string, dep: Dependency, others: Judged[]): Finding {
  const written = writtenSpecifier(dep);
  const clauses = clausesOf(written);
  const core = clauses ? emptyCore(clauses) : [];
  const why =
    core.length > 1
      ? ` (${core.map((c) => `'${c}'`).join(' and ')} exclude each other)`
      : core.length === 1 && clauses!.length > 1
        ? ` ('${core[0]}' alone admits none)`
        : '';
  const failure =
    dep.kind === 'conda'
      ? 'conda would find no package to install'
      : dep.kind === 'override'
        ? 'uv would fail with "No solution found when resolving dependencies"'
        : `pip would fail with "${dep.kind === 'constraint' ? 'ResolutionImpossible' : 'No matching distribution found'}"`;
  const rest = intersectAll(others);
  const agreeWith = rest && !rest.isEmpty() ? rest : null;
  const normal = normalFormFixes(dep, agreeWith);
  const fixes = normal.length ? normal : keptClauseFixes(dep, clauses ?? [], agreeWith);
  return finding(
    'conflict',
    dep.file,
    dep.span,
    aloneMessage(`${dep.rawName || name}${written} admits no version`, why, arbitraryNote(dep.specifier), failure),
    { fixes: fixes.map((f, i) => ({ ...f, preferred: i === 0 })) },
  );
}

/** The verdict first (with why, where it fits in a Problems row), then why the text matches nothing and what fails. */
function aloneMessage(verdict: string, why: string, note: string, failure: string): string {
  const short = `${verdict}${why}`.length < VERDICT_MAX;
  const details = [short ? '' : why.trim(), note.trim(), `${failure}.`].filter(Boolean).join(' ');
  return `${short ? `${verdict}${why}` : verdict}\n${details}`;
}

/**
 * The specifier as the line writes it (`>=2,<1`, where `specifier` holds packaging's sorted `<1,>=2`), or
 * `specifier` where the written text is not that same set in PEP 440.
 */
function writtenSpecifier(dep: Dependency): string {
  const text = dep.text.slice(dep.specifierSpan.start - dep.span.start, dep.specifierSpan.end - dep.span.start);
  try {
    if (text && SpecifierSet.parse(text).toString() === SpecifierSet.parse(dep.specifier).toString())
      return text
        .split(',')
        .map((c) => c.trim())
        .join(',');
  } catch {
    // not PEP 440 as written (a conda or Poetry spec): the translated form
  }
  return dep.specifier;
}

/** A specifier's clauses as written, or null when it does not parse. */
function clausesOf(specifier: string): string[] | null {
  try {
    return SpecifierSet.parse(specifier).specifiers.map((s) => s.toString());
  } catch {
    return null;
  }
}

/** A minimal subset of the clauses that admit no version together (one clause where that one admits none). */
function emptyCore(clauses: string[]): string[] {
  let core = clauses;
  for (let i = 0; i < core.length;) {
    const without = core.filter((_, k) => k !== i);
    if (without.length && admitsNothing(without.join(','))) core = without;
    else i++;
  }
  return core;
}

/**
 * For a line that admits no version by itself: the line with only the clauses that admit a version together (and
 * with the lines it is installed with, where those agree), kept first to last and last to first (`>=2,<1` gives
 * `>=2` and `<1`). Each admits a version before it is offered.
 */
function keptClauseFixes(dep: Dependency, clauses: string[], agreeWith: VersionSet | null): Fix[] {
  if (!hasPep440Text(dep) || clauses.length < 2 || nonVersionText(dep.specifier)) return [];
  const fixes: Fix[] = [];
  for (const order of [clauses, [...clauses].reverse()]) {
    const kept = new Set<string>();
    for (const c of order) {
      const vs = versionSetOf([...clauses.filter((x) => kept.has(x)), c].join(','));
      if (vs && !vs.isEmpty() && (!agreeWith || !vs.intersect(agreeWith).isEmpty())) kept.add(c);
    }
    const spec = clauses.filter((c) => kept.has(c)).join(',');
    if (!spec || fixes.some((f) => f.edits[0]!.newText === spec)) continue;
    const dropped = clauses.filter((c) => !kept.has(c)).join(',');
    fixes.push({
      title: `Change to '${dep.rawName}${spec}' (drops '${dropped}')`,
      edits: [{ file: dep.file, span: dep.specifierSpan, newText: spec }],
      preferred: false,
    });
  }
  return fixes;
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
 * that admits a version of `agreeWith` (what the lines it is installed with admit together, where they agree).
 */
function normalFormFixes(dep: Dependency, agreeWith: VersionSet | null): Fix[] {
  if (!hasPep440Text(dep)) return [];
  const clauses = unmatchableArbitrary(dep.specifier);
  if (!clauses.length || clauses.some((c) => c.normal === null)) return [];
  let spec: string;
  try {
    spec = SpecifierSet.parse(dep.specifier)
      .specifiers.map((s) => (s.operator === '===' && s.spec ? `===${s.spec}` : s.toString()))
      .join(',');
  } catch {
    return [];
  }
  const rewritten = versionSetOf(spec);
  if (!rewritten || (agreeWith ? rewritten.intersect(agreeWith) : rewritten).isEmpty()) return [];
  return [
    {
      title: `Change to '${dep.rawName}${spec}' (the version as packaging writes it)`,
      edits: [{ file: dep.file, span: dep.specifierSpan, newText: spec }],
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
