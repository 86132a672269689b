// `duplicate`: one package declared twice in the same list of one file.
import type { Dependency, Finding, Fix, ParsedFile } from '../model/types';
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
 */
export const duplicate: Check = {
  code: 'duplicate',
  description: 'One package declared twice in one file.',
  run(set) {
    const out: Finding[] = [];
    for (const file of set.files) {
      const groups = new Map<string, Dependency[]>();
      for (const dep of file.dependencies) {
        // A project pip cannot name before building it (a bare URL or path) is the same only at the same URL.
        const identity = dep.name || dep.url;
        if (!identity) continue;
        const key = `${dep.section ?? ''}\0${dep.kind}\0${identity}\0${dep.marker}`;
        const g = groups.get(key);
        if (g) g.push(dep);
        else groups.set(key, [dep]);
      }
      for (const decls of groups.values()) {
        if (decls.length < 2) continue;
        const merge = mergeFix(file, decls, set.files);
        decls.forEach((dep, i) => {
          const others = decls.filter((d) => d !== dep);
          const fixes: Fix[] = merge ? [merge] : [];
          if (i > 0) fixes.push({ title: `Remove this duplicate of ${where(decls[0]!, set.files)}`, edits: [{ file: file.path, span: removalSpan(file.text, dep.span), newText: '' }], preferred: !merge });
          out.push({
            code: 'duplicate',
            severity: 'warning',
            file: file.path,
            span: dep.span,
            message: `${dep.name || dep.url} is declared ${decls.length} times in this ${dep.section ? `list (${dep.section})` : 'file'}: also at ${others.map((d) => where(d, set.files)).join(', ')}.`,
            related: others.map((d) => ({ file: d.file, span: d.span, message: `${d.name} is also declared here` })),
            fixes,
          });
        });
      }
    }
    return out;
  },
};

/** One line that says what all the duplicates say, replacing the first and deleting the rest; null when that is not possible. */
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
  return { title: `Merge into one declaration at ${where(first, files)}: '${requirementText(first, spec, extras)}'`, edits, preferred: true };
}
