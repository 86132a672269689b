// `index-routing`: a uv project's PyTorch index that is not `explicit = true`, so generic packages are taken from it.
import { finding } from '../model/finding';
import { redact } from '../index/credentials';
import type { Finding, TextEdit } from '../model/types';
import { parseTorchIndexUrl } from '../knowledge/pytorch';
import type { MarkerEnvironment } from '../pep/marker';
import type { Check } from './types';
import { routeOf, torchDeclarations, uvProject, verifiedEdit } from './uv-torch-routes';

/**
 * Flags a `[[tool.uv.index]]` on download.pytorch.org without `explicit = true` (and not the default index): with
 * uv's default `first-index` strategy every package that index also carries (numpy, pillow, jinja2, requests, ...) is
 * taken from it alone, limited to the versions it mirrors, instead of from PyPI. uv's PyTorch guide recommends
 * `explicit = true` so that the index serves only what `[tool.uv.sources]` routes to it.
 *
 * Bad: `[[tool.uv.index]] name = "pytorch-cu121" url = "https://download.pytorch.org/whl/cu121"` alone.
 * Good: the same with `explicit = true` and `torch = { index = "pytorch-cu121" }` in `[tool.uv.sources]`.
 * Fix: `explicit = true` on the index, plus a source routing to it each PyTorch-variant package the project declares
 * that took it from there unrouted; checked by reading the edited file again (every such package still routed there).
 */
export const indexRouting: Check = {
  code: 'index-routing',
  description: 'A PyTorch index that is not explicit serves generic packages too (uv takes them from it alone).',
  run(set, ctx) {
    const project = uvProject(set);
    if (!project) return [];
    const { file, uv } = project;
    const decls = torchDeclarations(set, ctx.markerEnvironment);
    const out: Finding[] = [];
    for (const index of uv.indexes) {
      if (index.explicit || index.default || !parseTorchIndexUrl(index.url)) continue;
      const label = index.name || redact(index.url);
      const fix = explicitFix(file, index, decls, ctx.markerEnvironment);
      out.push(
        finding(
          'index-routing',
          file.path,
          index.nameSpan ?? index.urlSpan,
          `${index.name ? `The index ${index.name}` : 'This PyTorch index'} is not explicit = true: uv takes ` +
            `numpy, pillow and more from it, not PyPI\n` +
            `With uv's default index strategy (first-index), every package ${label} also carries (numpy, pillow, ` +
            `jinja2, ...) is taken from it alone, limited to the versions it mirrors. Mark it explicit and route ` +
            `the PyTorch packages to it in [tool.uv.sources].`,
          {
            fixes: fix
              ? [{ title: `Make ${label} explicit and route the PyTorch packages to it`, edits: fix, preferred: true }]
              : [],
          },
        ),
      );
    }
    return out;
  },
};

/**
 * `explicit = true` after the index's url line, and `NAME = { index = "..." }` in `[tool.uv.sources]` for each
 * PyTorch-variant package that was taken from it unrouted; null where the sources table is not written (no place to
 * add them without guessing) or the edited file does not route them there.
 */
function explicitFix(
  file: Parameters<typeof verifiedEdit>[0],
  index: NonNullable<Parameters<typeof verifiedEdit>[0]['uvIndexes']>['indexes'][number],
  decls: ReturnType<typeof torchDeclarations>,
  env: MarkerEnvironment,
): TextEdit[] | null {
  if (!index.name) return null;
  const lineEnd = file.text.indexOf('\n', index.urlSpan.end);
  const at = lineEnd < 0 ? file.text.length : lineEnd + 1;
  const edits: TextEdit[] = [
    { file: file.path, span: { start: at, end: at }, newText: `${lineEnd < 0 ? '\n' : ''}explicit = true\n` },
  ];
  const unrouted = [
    ...new Set(decls.filter((d) => d.route.source === null && d.route.index === index).map((d) => d.dep.name)),
  ];
  if (unrouted.length) {
    const header = /^\[tool\.uv\.sources\][ \t]*(#.*)?\r?\n/m.exec(file.text);
    if (!header) return null;
    const start = header.index + header[0].length;
    const lines = unrouted.map((n) => `${n} = { index = ${JSON.stringify(index.name)} }\n`).join('');
    edits.push({ file: file.path, span: { start, end: start }, newText: lines });
  }
  const ok = verifiedEdit(file, edits, (edited) => {
    const uv = edited.uvIndexes;
    if (!uv || !uv.indexes.find((i) => i.name === index.name)?.explicit) return false;
    return decls
      .filter((d) => d.route.index === index)
      .every((d) => {
        const dep = edited.dependencies.find((x) => x.name === d.dep.name && x.section === d.dep.section);
        const r = dep ? routeOf(uv, dep, env) : null;
        return !!r && r.index !== null && r.index !== 'local' && r.index.url === index.url;
      });
  });
  return ok ? edits : null;
}
