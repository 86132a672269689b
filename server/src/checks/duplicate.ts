// `duplicate`: one package declared twice in the same list of one file.
import { finding } from '../model/finding';
import type { Dependency, Finding, Fix, ParsedFile } from '../model/types';
import { LineIndex } from '../model/text';
import { hasPep440Text, joinSpecifiers, removalSpan, requirementText, where } from './edits';
import { versionSetOf } from './scope';
import type { Check } from './types';

/**
 * Flags a package declared more than once in one list of one file (the same requirements file, the same
 * pyproject array or table, the same environment.yml list) under the same marker. Lines under different
 * markers (`numpy<2; python_version<"3.9"` and `numpy>=2; python_version>="3.9"`) are not duplicates.
 *
 * Bad: `numpy>=1.24` and, further down, `numpy<2`. Good: `numpy>=1.24,<2`.
 * Fixes: merge the declarations into the first (when their specifiers can be joined and still admit a
 * version) or remove this one.
 *
 * Copies that say the same thing in the same words are one finding, on the second copy, with the count, the
 * places and one fix that removes every copy but the first. Otherwise output grows linearly with the copies: up to
 * {@link FULL_GROUP} copies each finding names the others and offers the merge; beyond that the first copy names
 * the rest (line numbers condensed, a capped list of related locations) and carries the one merge fix, and every
 * other copy points at the first.
 */
export const duplicate: Check = {
  code: 'duplicate',
  description: 'One package declared twice in one file.',
  run(set) {
    const out: Finding[] = [];
    for (const file of set.files) {
      // Most entries name their project once: only those named again can be duplicates (grouped in file order).
      const named = new Map<string, number>();
      for (const dep of file.dependencies) {
        const identity = dep.name || dep.url;
        if (identity) named.set(identity, (named.get(identity) ?? 0) + 1);
      }
      const groups = new Map<string, Dependency[]>();
      for (const dep of file.dependencies) {
        // A project pip cannot name before building it (a bare URL or path) is the same only at the same URL.
        const identity = dep.name || dep.url;
        if (!identity || named.get(identity)! < 2) continue;
        const key = `${dep.section ?? ''}\0${dep.kind}\0${identity}\0${dep.marker}`;
        const g = groups.get(key);
        if (g) g.push(dep);
        else groups.set(key, [dep]);
      }
      for (const decls of groups.values()) {
        if (decls.length < 2) continue;
        if (decls.every((d) => sameDeclaration(d, decls[0]!))) {
          out.push(identicalCopies(file, decls, set.files));
          continue;
        }
        const merge = mergeFix(file, decls, set.files);
        const label = decls[0]!.name || decls[0]!.url;
        const within = decls[0]!.section ? `list (${decls[0]!.section})` : 'file';
        if (decls.length <= FULL_GROUP) {
          decls.forEach((dep, i) => {
            const others = decls.filter((d) => d !== dep);
            const fixes: Fix[] = merge ? [merge] : [];
            if (i > 0) fixes.push(removeFix(file, dep, decls[0]!, set.files, !merge));
            out.push(
              finding(
                'duplicate',
                file.path,
                dep.span,
                `${label} is declared ${decls.length} times in this ${within}: ` +
                  `also at ${others.map((d) => where(d, set.files)).join(', ')}.`,
                {
                  related: others.map((d) => ({
                    file: d.file,
                    span: d.span,
                    message: `${label} is also declared here`,
                  })),
                  fixes,
                },
              ),
            );
          });
          continue;
        }
        // Many copies: the first carries the whole story (a few locations, the rest condensed to line numbers,
        // and the one merge fix); each other copy points at the first. Output stays linear in the copies.
        const [first, ...rest] = decls as [Dependency, ...Dependency[]];
        const lines = lineIndexOf(file);
        const base = file.path.split(/[\\/]/).pop() ?? file.path;
        const restLines = rest.map((d) => lines.positionAt(d.nameSpan.start).line + 1);
        out.push(
          finding(
            'duplicate',
            file.path,
            first.span,
            `${label} is declared ${decls.length} times in this ${within}: also at ${base} ` +
              `${restLines.length === 1 ? 'line' : 'lines'} ${condensedLines(restLines, MAX_LINE_LIST_CHARS)}.`,
            {
              related: rest
                .slice(0, MAX_RELATED)
                .map((d) => ({ file: d.file, span: d.span, message: `${label} is also declared here` })),
              fixes: merge ? [merge] : [],
            },
          ),
        );
        const firstAt = where(first, set.files);
        for (const dep of rest) {
          out.push(
            finding(
              'duplicate',
              file.path,
              dep.span,
              `${label} is declared again here: first at ${firstAt} (${decls.length} declarations ` +
                `in this ${within}${merge ? '; the fix to merge them is offered there' : ''}).`,
              {
                related: [{ file: first.file, span: first.span, message: `${label} is first declared here` }],
                fixes: [removeFix(file, dep, first, set.files, !merge)],
              },
            ),
          );
        }
      }
    }
    return out;
  },
};

/** Whether two declarations say the same thing in the same words (comments aside): removing either changes nothing. */
function sameDeclaration(a: Dependency, b: Dependency): boolean {
  return (
    a.text === b.text && a.editable === b.editable && (a.options ?? []).join('\0') === (b.options ?? []).join('\0')
  );
}

/**
 * Copies of one declaration: one finding, on the second copy (the first one to remove), with the count and the
 * places (the first copy and the others, a capped list; line numbers condensed), and one fix that removes every copy
 * but the first. Adjacent copies are removed by one edit, so the fix stays small.
 */
function identicalCopies(file: ParsedFile, decls: Dependency[], files: ParsedFile[]): Finding {
  const [first, second, ...rest] = decls as [Dependency, Dependency, ...Dependency[]];
  const label = first.name || first.url;
  const within = first.section ? `list (${first.section})` : 'file';
  const firstAt = where(first, files);
  const lines = lineIndexOf(file);
  const base = file.path.split(/[\\/]/).pop() ?? file.path;
  const restLines = rest.map((d) => lines.positionAt(d.nameSpan.start).line + 1);
  const elsewhere = restLines.length
    ? ` and at ${base} ${restLines.length === 1 ? 'line' : 'lines'} ${condensedLines(restLines, MAX_LINE_LIST_CHARS)}`
    : '';
  const removals: { start: number; end: number }[] = [];
  for (const d of [second, ...rest]) {
    const span = removalSpan(file.text, d.span);
    const last = removals[removals.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else removals.push({ ...span });
  }
  const copies = decls.length - 1;
  return finding(
    'duplicate',
    file.path,
    second.span,
    `${label} is declared ${decls.length} times in this ${within}, the same each time: first at ${firstAt}, ` +
      `again here${elsewhere}.`,
    {
      related: [
        { file: first.file, span: first.span, message: `${label} is first declared here` },
        ...rest
          .slice(0, MAX_RELATED - 1)
          .map((d) => ({ file: d.file, span: d.span, message: `${label} is declared here again` })),
      ],
      fixes: [
        {
          title:
            copies === 1
              ? `Remove this duplicate of ${firstAt}`
              : `Remove the ${copies} copies of ${firstAt} (all but the first)`,
          edits: removals.map((span) => ({ file: file.path, span, newText: '' })),
          preferred: true,
        },
      ],
    },
  );
}

/** Groups up to this size keep the full finding on every copy (each lists the others and offers the merge). */
const FULL_GROUP = 10;
/** Related locations the first finding of a larger group carries. */
const MAX_RELATED = 10;
/** The line numbers a message names, at most this long (ranges condensed: `12-40, 45`). */
const MAX_LINE_LIST_CHARS = 1_500;

function removeFix(file: ParsedFile, dep: Dependency, first: Dependency, files: ParsedFile[], preferred: boolean): Fix {
  return {
    title: `Remove this duplicate of ${where(first, files)}`,
    edits: [{ file: file.path, span: removalSpan(file.text, dep.span), newText: '' }],
    preferred,
  };
}

const lineIndexes = new WeakMap<ParsedFile, LineIndex>();
function lineIndexOf(f: ParsedFile): LineIndex {
  let li = lineIndexes.get(f);
  if (!li) lineIndexes.set(f, (li = new LineIndex(f.text)));
  return li;
}

/** `2-5, 9, 11-40`, cut with `…` (and how many more) where it would pass `maxChars`. */
export function condensedLines(lines: number[], maxChars: number): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    parts.push(j === i ? String(lines[i]) : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  let text = '';
  for (let k = 0; k < parts.length; k++) {
    const next = text ? `${text}, ${parts[k]}` : parts[k]!;
    if (next.length > maxChars)
      return `${text}, … (${parts.length - k} more ${parts.length - k === 1 ? 'range' : 'ranges'})`;
    text = next;
  }
  return text;
}

/**
 * One line that says what all the duplicates say, replacing the first and deleting the rest; null when that is not
 * possible.
 */
function mergeFix(file: ParsedFile, decls: Dependency[], files: ParsedFile[]): Fix | null {
  if (!decls.every(hasPep440Text) || decls.some((d) => d.editable || d.options?.length)) return null;
  const spec = joinSpecifiers(decls.map((d) => d.specifier).filter((s) => s));
  if (spec === null) return null;
  if (spec) {
    const vs = versionSetOf(spec);
    if (!vs || vs.isEmpty()) return null; // that is a conflict, reported as such
  }
  const first = decls[0]!;
  const extras = [...new Set(decls.flatMap((d) => d.extras))].sort();
  const edits = [
    { file: file.path, span: first.span, newText: requirementText(first, spec, extras) },
    ...decls.slice(1).map((d) => ({ file: file.path, span: removalSpan(file.text, d.span), newText: '' })),
  ];
  return {
    title: `Merge into one declaration at ${where(first, files)}: '${requirementText(first, spec, extras)}'`,
    edits,
    preferred: true,
  };
}
