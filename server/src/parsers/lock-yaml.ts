// The YAML of conda lock files (pixi.lock, conda-lock.yml), read fast. These files are megabytes of one block subset:
// block mappings and sequences (`- key: value` items), one-line plain and quoted scalars, empty or simple flow
// collections (`[]`, `{}`, `[a, b]`) and comments. That subset is read in one pass over the lines (lock-yaml-tape.ts),
// every node with its span; a text with anything else (anchors, tags, block or multi-line scalars, escapes, tabs in
// indentation, several documents) is read by the full YAML library here instead, whose nodes are converted to the
// same shape (lock-yaml-nodes.ts).
import type { Document, Node } from 'yaml';
import type { Span } from '../model/types';
import type { YamlRead, YNode, YPair } from './lock-yaml-nodes';
import { FastReader, OutsideSubset } from './lock-yaml-tape';
import { yaml } from '../system/lazy/yaml';

/** The full library reads at about 1 s/MB: beyond this a text outside the subset is not read. */
const MAX_FALLBACK_CHARS = 4 << 20;

/** Reads a lock file's YAML; never throws. */
export function readLockYaml(text: string): YamlRead {
  try {
    return { root: new FastReader(text).read(), errors: [], fast: true };
  } catch (e) {
    if (!(e instanceof OutsideSubset) && !(e instanceof RangeError)) throw e;
  }
  return readFull(text);
}

/** The full YAML library's reading, converted (aliases followed once each, within a budget). */
export function readFull(text: string): YamlRead {
  const one = { start: 0, end: Math.min(1, text.length) };
  if (text.length > MAX_FALLBACK_CHARS)
    return {
      root: null,
      errors: [
        {
          span: one,
          message:
            `The file uses YAML beyond what lock tools write and is too large to read in full ` +
            `(${(text.length / (1 << 20)).toFixed(1)} MiB; the limit is ${MAX_FALLBACK_CHARS >> 20} MiB).`,
        },
      ],
      fast: false,
    };
  let doc: Document.Parsed;
  try {
    doc = yaml().parseDocument(text, { prettyErrors: false, keepSourceTokens: false, uniqueKeys: false });
  } catch (e) {
    const message =
      e instanceof RangeError
        ? 'The YAML is nested too deeply to read.'
        : `The YAML could not be read: ${e instanceof Error ? e.message : String(e)}`;
    return { root: null, errors: [{ span: one, message }], fast: false };
  }
  const clamp = (a: number, b: number): Span => {
    const s = Math.max(0, Math.min(a, text.length));
    return { start: s, end: Math.max(s, Math.min(Math.max(b, s + 1), text.length)) };
  };
  const errors = doc.errors.map((e) => ({
    span: clamp(e.pos[0], e.pos[1]),
    message: `YAML: ${e.message.split('\n')[0]}`,
  }));
  const Y = yaml();
  let aliases = 0;
  const convert = (raw: unknown, depth: number): YNode | null => {
    let node = raw as Node | null;
    if (Y.isAlias(node)) {
      if (++aliases > 1000 || depth > 100) return null;
      node = (node.resolve(doc) as Node | undefined) ?? null;
    }
    if (!node || depth > 100) return null;
    const range = node.range ?? [0, 0, 0];
    const span = clamp(range[0], range[1]);
    if (Y.isMap(node)) {
      const pairs: YPair[] = [];
      for (const p of node.items) {
        const k = Y.isScalar(p.key) ? p.key : null;
        if (!k || !k.range) continue;
        const value = convert(p.value, depth + 1);
        pairs.push({
          key: String(k.value),
          keySpan: clamp(k.range[0], k.range[1]),
          value,
          span: clamp(k.range[0], value ? value.span.end : k.range[1]),
        });
      }
      return { kind: 'map', pairs, span };
    }
    if (Y.isSeq(node)) return { kind: 'seq', items: node.items.map((i) => convert(i, depth + 1)), span };
    if (Y.isScalar(node)) {
      if (node.value === null || node.value === undefined)
        return range[0] === range[1] ? null : { kind: 'scalar', value: null, span, offset: null };
      const src = text.slice(range[0], range[1]);
      if (node.type === Y.Scalar.PLAIN && !src.includes('\n'))
        return { kind: 'scalar', value: src, span, offset: range[0] };
      const value = String(node.value);
      const quoted = node.type === Y.Scalar.QUOTE_DOUBLE || node.type === Y.Scalar.QUOTE_SINGLE;
      const offset = quoted && src.slice(1, -1) === value ? range[0] + 1 : null;
      return { kind: 'scalar', value, span, offset };
    }
    return null;
  };
  return { root: convert(doc.contents, 0), errors, fast: false };
}
