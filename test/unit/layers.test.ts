// The module graph of server/src and client/src: no import cycle (type-only imports included) and no import against the
// layer order ARCHITECTURE.md gives. Imports are read from the source text, so `import type`, `export … from`,
// `import()` and `require()` all count.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Server layers, lowest first; a module may import its own layer or a lower one. */
export const SERVER_LAYERS: readonly (readonly string[])[] = [
  ['model', 'pep', 'conda-spec'],
  ['parsers', 'knowledge', 'system'],
  ['index', 'conda', 'resolver'],
  ['checks'],
  ['workspace'],
  ['lsp', 'cli.ts', 'cli-output.ts', 'cli-loader.ts', 'server.ts'],
];

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every .ts file under `dir`, as paths relative to `dir` with `/`. */
function sources(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return sources(dir, r);
    return e.name.endsWith('.ts') ? [r] : [];
  });
}

/** Relative imports of each module of `dir`, resolved to module paths of the same map (other roots are kept as-is). */
export function importGraph(dir: string): Map<string, string[]> {
  const files = sources(dir);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = fs
      .readFileSync(path.join(dir, f), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const deps = new Set<string>();
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? '';
      if (!spec.startsWith('.')) continue;
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
      const hit = [`${base}.ts`, `${base}/index.ts`, base].find((c) => known.has(c));
      deps.add(hit ?? base);
    }
    graph.set(f, [...deps]);
  }
  return graph;
}

/** Strongly connected components of more than one module (or a module importing itself): the cycles. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The layer of a server module (its top folder, or the file itself at the root), or -1 when the order omits it. */
export function serverLayer(module: string): number {
  const top = module.split('/')[0]!;
  return SERVER_LAYERS.findIndex((names) => names.includes(top));
}

/** Imports that point to a higher layer than the importer's. */
export function upwardImports(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph)
    for (const to of deps) {
      const a = serverLayer(from);
      const b = serverLayer(to);
      if (a >= 0 && b > a) out.push(`${from} -> ${to}`);
    }
  return out.sort();
}

describe('module graph', () => {
  it('the checker sees cycles and upward imports (a graph built by hand)', () => {
    const g = new Map<string, string[]>([
      ['model/a.ts', ['model/b.ts']],
      ['model/b.ts', ['model/a.ts']],
      ['checks/c.ts', ['workspace/d.ts']],
      ['workspace/d.ts', []],
      ['pep/e.ts', ['model/a.ts']],
    ]);
    assert.deepEqual(cycles(g), [['model/a.ts', 'model/b.ts']]);
    assert.deepEqual(upwardImports(g), ['checks/c.ts -> workspace/d.ts']);
  });

  it('every server module belongs to a layer', () => {
    const unplaced = [...importGraph('server/src').keys()].filter((m) => serverLayer(m) < 0);
    assert.deepEqual(unplaced, []);
  });

  it('server/src has no import cycle, type-only imports included', () => {
    assert.deepEqual(cycles(importGraph('server/src')), []);
  });

  it('server/src imports follow the layer order', () => {
    assert.deepEqual(upwardImports(importGraph('server/src')), []);
  });

  it('client/src has no import cycle', () => {
    assert.deepEqual(cycles(importGraph('client/src')), []);
  });
});
