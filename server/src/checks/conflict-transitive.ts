// `conflict-transitive`: no resolution exists once dependencies are followed; the resolver's explanation, on every
// top-level line that takes part.
import { finding } from '../model/finding';
import { tensorflowReleases, type TensorflowRelease } from '../knowledge/tensorflow';
import type { Dependency, Finding, Fix } from '../model/types';
import type { VersionSet } from '../pep/version-set';
import { capped, describeScope, hasPep440Text, requirementLabel, unreachableNote, where } from './edits';
import { byName, installedDeclarations, versionSetOf } from './scope';
import type { Check, CheckContext } from './types';
import type { EnvironmentSet } from '../model/sets';
import type { LineFix, TransitiveConflict } from '../model/reports';
import { linesCause } from './fold';

/**
 * Flags every top-level line that takes part when no set of versions satisfies the environment set once
 * each package's own dependencies are followed (the index stage resolves with PubGrub). The message is the
 * resolver's numbered explanation (`tensorflow 2.10.0 needs numpy <1.24`, `pandas 2.0.0 needs numpy >=1.23.2`...).
 * Also reports, once per set, that the index could not be asked or the resolver gave up (information).
 *
 * Bad: `tensorflow==2.10.0` with `numpy>=1.25`. Good: `tensorflow==2.15.0` with `numpy>=1.25`.
 * Fixes (each verified by a full resolution before it is offered): move a line to the nearest version that
 * resolves, or narrow another so that it resolves.
 *
 * Without an index (offline, unreachable, or before the index stage has answered) it falls back on the
 * embedded knowledge: TensorFlow's published numpy and protobuf caps (primary-source records only), flagged
 * only when every TensorFlow release the line admits excludes every version the set admits.
 */
export const conflictTransitive: Check = {
  code: 'conflict-transitive',
  description: 'No resolution exists once dependencies are followed.',
  run(set, ctx) {
    const report = ctx.index?.get(set.root);
    if (!report) return fromKnowledge(set, ctx);
    if (!report.answered) return fromKnowledge(set, ctx);
    const note = unreachableNote(report);
    return report.conflicts.flatMap((conflict) => {
      const { roots, explanation, fixes } = conflict;
      const cause = linesCause(roots);
      return roots.map((dep) =>
        finding(
          'conflict-transitive',
          dep.file,
          dep.span,
          `${verdictLine(conflict, dep, set)}\n${explanation}${note}`,
          {
            related: capped(
              roots
                .filter((r) => r !== dep)
                .map((r) => ({ file: r.file, span: r.span, message: `${requirementLabel(r)} takes part` })),
            ),
            fixes: fixes.filter((f) => f.dep === dep).map((f) => changeFix(f, f === fixes[0])),
            cause,
          },
        ),
      );
    });
  },
};

/** Messages lead with a verdict a Problems row shows whole. */
const VERDICT_MAX = 100;

/**
 * The first line of a conflict's message, read from the line `at`: what one package needs and the line that asks for
 * something else ("tensorflow 2.13.0 needs numpy<=1.24.3, but line 2 requires numpy>=1.25"), else the lines that
 * cannot be installed together.
 */
function verdictLine(conflict: TransitiveConflict, at: Dependency, set: EnvironmentSet): string {
  const scope = conflict.scope ? ` (with ${describeScope(conflict.scope)})` : '';
  const v = conflict.verdict;
  if (v) {
    const place = where(v.line, set.files);
    const line = v.line.file === at.file ? `line ${place.replace(/^.*:/, '')}` : place;
    const text = `${v.needs}, but ${line} requires ${requirementLabel(v.line)}${scope}`;
    if (text.length < VERDICT_MAX) return text;
  }
  const labels = conflict.roots.map((r) => requirementLabel(r));
  const listed = (names: string[]): string =>
    names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
  const head = (names: string[]): string => `${listed(names)} cannot be installed together${scope}`;
  const full = head(labels);
  if (full.length < VERDICT_MAX) return full;
  const names = [...new Set(conflict.roots.map((r) => r.rawName || r.text))];
  const short = names.length > 3 ? [...names.slice(0, 2), `${names.length - 2} more`] : names;
  if (head(short).length < VERDICT_MAX) return head(short);
  // Too long with its scope: the verdict names the packages, the scope follows on its own line (never cut mid-word).
  return `${listed(short)} cannot be installed together${scope ? `\n${scope.trim()}` : ''}`;
}

const CAPPED: readonly ('numpy' | 'protobuf')[] = ['numpy', 'protobuf'];
const JUDGED = new Set<string>(['tensorflow', ...CAPPED]);

/** Whether the check reads a line of this (normalized) name when the index has not answered: TensorFlow's caps. */
export function judgedWithoutIndex(name: string): boolean {
  return JUDGED.has(name);
}

function capOf(r: TensorflowRelease, pkg: 'numpy' | 'protobuf'): string | undefined {
  const spec = pkg === 'numpy' ? r.numpy : r.protobuf;
  const confidence = pkg === 'numpy' ? r.numpyConfidence : r.protobufConfidence;
  return spec && confidence !== 'u' ? spec : undefined;
}

/** The releases of the tables whose line (`2.13.*`) the specifier admits. */
function releasesAdmitted(spec: VersionSet): TensorflowRelease[] {
  return tensorflowReleases.filter((r) => {
    const line = versionSetOf(`==${r.tensorflow.split('.').slice(0, 2).join('.')}.*`);
    return line !== null && !line.intersect(spec).isEmpty();
  });
}

/** TensorFlow lines whose every admitted release caps numpy/protobuf away from what the set allows. */
function fromKnowledge(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  // Only tensorflow's lines and those of the packages it caps are read.
  const decls = byName(
    installedDeclarations(set, ctx.markerEnvironment)
      .filter((d) => d.scope === '' && JUDGED.has(d.dep.name))
      .map((d) => d.dep),
  );
  const out: Finding[] = [];
  for (const tf of decls.get('tensorflow') ?? []) {
    const tfSet = tf.specifier && !tf.url && !tf.specifierUnknown ? versionSetOf(tf.specifier) : null;
    if (!tfSet) continue;
    const releases = releasesAdmitted(tfSet);
    if (releases.length === 0) continue;
    for (const pkg of CAPPED) {
      const lines = (decls.get(pkg) ?? []).filter(
        (d) => d.specifier && !d.url && !d.specifierUnknown && versionSetOf(d.specifier),
      );
      if (lines.length === 0) continue;
      const allowed = lines.map((d) => versionSetOf(d.specifier)!).reduce((a, b) => a.intersect(b));
      if (allowed.isEmpty()) continue; // a direct conflict: `conflict` reports it
      const blocked = releases.every((r) => {
        const cap = capOf(r, pkg);
        const capSet = cap ? versionSetOf(cap) : null;
        return capSet !== null && capSet.intersect(allowed).isEmpty();
      });
      if (!blocked) continue;
      const r0 = releases[releases.length - 1]!;
      const caps = [
        ...new Set(
          releases.map(
            (r) => `tensorflow ${r.tensorflow.split('.').slice(0, 2).join('.')} needs ${pkg} ${capOf(r, pkg)}`,
          ),
        ),
      ];
      const fix = knowledgeFix(tf, pkg, allowed);
      const all: Dependency[] = [tf, ...lines];
      const cause = linesCause(all);
      for (const dep of all) {
        const place = (d: Dependency): string =>
          d.file === dep.file ? `line ${where(d, set.files).replace(/^.*:/, '')}` : where(d, set.files);
        const verdict =
          `${caps[caps.length - 1]!.replace(/ needs (\S+) (?=[<>=!~])/, ' needs $1')}, but ` +
          `${place(lines[0]!)} requires ${requirementLabel(lines[0]!)}`;
        const message =
          `${verdict}\n${caps.join('; ')}, from TensorFlow's published requirements (${sourceOf(r0)}). ` +
          `Known without the index; the index would confirm.`;
        out.push(
          finding('conflict-transitive', dep.file, dep.span, message, {
            related: all
              .filter((d) => d !== dep)
              .map((d) => ({ file: d.file, span: d.span, message: `${d.text} takes part` })),
            fixes: dep === tf && fix ? [fix] : [],
            cause,
          }),
        );
      }
    }
  }
  return out;
}

/** The part of a record's sources that states the requirement caps (setup.py), else all of them. */
function sourceOf(r: TensorflowRelease): string {
  const parts = r.source.split(';').map((x) => x.trim());
  return parts.find((x) => /setup\.py/.test(x)) ?? r.source;
}

/** The newest TensorFlow line whose cap admits what the set allows, as a fix of the tensorflow line. */
function knowledgeFix(tf: Dependency, pkg: 'numpy' | 'protobuf', allowed: VersionSet): Fix | null {
  if (!hasPep440Text(tf)) return null;
  const fits = tensorflowReleases.filter((r) => {
    const cap = capOf(r, pkg);
    const capSet = cap ? versionSetOf(cap) : null;
    return capSet !== null && !capSet.intersect(allowed).isEmpty();
  });
  const best = fits[fits.length - 1];
  if (!best) return null;
  const line = best.tensorflow.split('.').slice(0, 2).join('.');
  return {
    title: `Change to 'tensorflow==${line}.*' (its published ${pkg} requirement admits yours)`,
    edits: [{ file: tf.file, span: tf.specifierSpan, newText: `==${line}.*` }],
  };
}

/**
 * The verified fix the index stage found for a line: its specifier changed so that a resolution exists; it says which
 * written bound it crosses.
 */
function changeFix(f: LineFix, preferred: boolean): Fix {
  return {
    title: `Change to '${f.dep.rawName}${f.specifier}'`,
    edits: [{ file: f.dep.file, span: f.dep.specifierSpan, newText: f.specifier }],
    preferred,
    detail: f.crosses.length
      ? `A resolution exists then. It leaves the bound '${f.crosses.join(',')}' you wrote, since nothing inside it ` +
        `resolves with the other lines.`
      : 'A resolution exists then, within the bounds you wrote.',
  };
}
