// Differential test: the requirements parser against pip 23.2.1's own parser over the corpus (expected.json, written by
// pip_oracle.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeDependencyFile } from '../../server/src/parsers/decode';
import { loadRequirementsTree } from '../../server/src/parsers/requirements';
import { Marker } from '../../server/src/pep/marker';
import type { Finding, ParsedFile } from '../../server/src/model/types';
import type { OracleEntry, OracleVerdict } from '../helpers/corpus';
import { expandEnvVars } from '../../server/src/index/credentials';

type Entry = OracleEntry;
interface Expected {
  env: Record<string, string>;
  roots: Record<string, { kind: 'requirements' | 'constraints'; entries: Entry[]; error: OracleVerdict['error'] }>;
}

const root = join(__dirname, '..', '..', '..');
const corpus = join(root, 'test/fixtures/requirements-corpus');
// The oracle writes the checkout's path as <REPO>; this checkout may be anywhere.
const expected = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8').split('<REPO>').join(root)) as Expected;
const corpusUrl = pathToFileURL(corpus).href;

const rel = (p: string): string => relative(corpus, p).split(sep).join('/');
/** Reads a file as pip does (parsers/decode.ts: BOMs, a coding comment, else UTF-8). */
const decode = (p: string): string => {
  const d = decodeDependencyFile(readFileSync(p));
  return d.error === undefined ? d.text : d.lossy;
};
const read = (p: string): string | undefined => {
  try {
    return decode(p);
  } catch {
    return undefined;
  }
};

/** str(SpecifierSet) in pip's packaging sorts its clauses; compare clause sets. */
const normSpecifier = (s: string): string =>
  s
    .split(',')
    .map((c) => c.replace(/\s+/g, ''))
    .filter(Boolean)
    .sort()
    .join(',');

// Python's str.splitlines() breaks on these, control characters included.
// eslint-disable-next-line no-control-regex
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** 1-based line of an offset as pip counts lines (str.splitlines breaks on more than LSP's \n and \r). */
function pyLine(text: string, offset: number): number {
  return text
    .replace(/^\ufeff/, ' ')
    .slice(0, offset)
    .split(PY_LINE_BREAK).length;
}

/** 1-based lines [first, last] of the logical line pip numbers `line` (it runs on while lines end with `\`). */
function logicalExtent(text: string, line: number): [number, number] {
  const lines = text.replace(/^\ufeff/, '').split(PY_LINE_BREAK);
  let last = line;
  while (last <= lines.length) {
    const l = lines[last - 1] ?? '';
    if (!l.endsWith('\\') || /^\s*#/.test(l)) break;
    last++;
  }
  return [line, last];
}

/** Every dependency of the tree in pip's order: a file's entries with each include's entries spliced in where it is. */
function flatten(files: ParsedFile[], start: ParsedFile): Entry[] {
  const byKey = new Map(files.map((f) => [`${f.kind}\0${f.path}`, f]));
  const out: Entry[] = [];
  const visit = (f: ParsedFile, stack: Set<ParsedFile>): void => {
    const items = [
      ...f.dependencies.map((d) => ({ at: d.span.start, dep: d, inc: undefined })),
      ...f.includes.map((i) => ({ at: i.span.start, dep: undefined, inc: i })),
    ].sort((a, b) => a.at - b.at);
    for (const it of items) {
      if (it.dep) {
        const d = it.dep;
        out.push({
          file: rel(d.file),
          line: pyLine(f.text, d.span.start),
          name: d.name,
          extras: d.extras,
          specifier: normSpecifier(d.specifier),
          markerText: d.marker,
          // The model keeps a URL's `${VAR}` as written (the request expands it); expanded, it is pip's.
          url: d.url === null ? null : expandEnvVars(d.url, expected.env).replace(corpusUrl, 'file://{CORPUS}'),
          editable: d.editable,
          constraint: d.kind === 'constraint',
        });
      } else if (it.inc && it.inc.resolved) {
        const target = byKey.get(`${it.inc.kind}\0${it.inc.resolved}`);
        if (target && !stack.has(target)) visit(target, new Set([...stack, target]));
      }
    }
  };
  visit(start, new Set([start]));
  return out;
}

/**
 * Puts pip's entry in the same shape, with its line replaced by the line of ours when ours lies inside pip's logical
 * line.
 */
function comparable(pip: Entry, ours: Entry | undefined, texts: Map<string, string>): Entry {
  // pip's str(marker) is normalized; the model keeps the marker as written, which the oracle also records.
  const { marker: _normalized, ...rest } = pip;
  const e: Entry = { ...rest, specifier: normSpecifier(pip.specifier) };
  if (ours && ours.file === pip.file) {
    const [first, last] = logicalExtent(texts.get(pip.file) ?? '', pip.line);
    if (ours.line >= first && ours.line <= last) e.line = ours.line;
  }
  return e;
}

const rootNames = Object.keys(expected.roots);

test('the corpus is large enough and pip rejects part of it', () => {
  assert.ok(rootNames.length >= 60, `${rootNames.length} corpus files`);
  assert.ok(rootNames.filter((r) => expected.roots[r]!.error).length >= 20);
  assert.ok(rootNames.filter((r) => !expected.roots[r]!.error).length >= 40);
});

for (const name of rootNames) {
  const exp = expected.roots[name]!;
  test(`pip agrees: ${name}${exp.error ? ' (rejected by pip)' : ''}`, () => {
    const path = join(corpus, name);
    const { files, findings } = loadRequirementsTree(path, decode(path), { kind: exp.kind, env: expected.env, read });
    const texts = new Map(files.map((f) => [rel(f.path), f.text]));
    const ours = flatten(files, files[0]!);
    const allFindings: Finding[] = [...findings, ...files.flatMap((f) => f.findings)];
    // The marker as written, normalized by our PEP 508 code, must print as pip's str(Marker).
    for (const [i, e] of exp.entries.entries()) {
      const mine = ours[i];
      if (e.marker && mine && mine.markerText === e.markerText)
        assert.equal(Marker.parse(mine.markerText).toString(), e.marker);
    }
    if (!exp.error) {
      // pip accepts it; options it drops without a word on a requirement line are said as warnings, nothing else.
      assert.deepEqual(
        allFindings
          .filter((f) => !(f.severity === 'warning' && /^pip ignores --[a-z-]+ on a requirement line/.test(f.message)))
          .map((f) => `${rel(f.file)}: ${f.message}`),
        [],
        'pip accepts this file',
      );
      assert.deepEqual(
        ours,
        exp.entries.map((e, i) => comparable(e, ours[i], texts)),
      );
      return;
    }
    // pip stops at its first error: what it yielded before must match, and we must flag that very line.
    // (The resolver's constraint check runs after parsing, so pip yielded the faulty entry too.)
    const errAt = exp.entries.findIndex((e) => e.file === exp.error!.file && e.line === exp.error!.line);
    const before = errAt >= 0 ? errAt : exp.entries.length;
    assert.deepEqual(
      ours.slice(0, before),
      exp.entries.slice(0, before).map((e, i) => comparable(e, ours[i], texts)),
    );
    const errText = texts.get(exp.error.file) ?? read(join(corpus, exp.error.file)) ?? '';
    const [first, last] = logicalExtent(errText, exp.error.line);
    const at = allFindings.filter((f) => {
      if (rel(f.file) !== exp.error!.file || f.code !== 'syntax' || f.severity !== 'error') return false;
      const line = pyLine(errText, f.span.start);
      return line >= first && line <= last;
    });
    assert.ok(
      at.length > 0,
      `expected a syntax finding in ${exp.error.file} line ${exp.error.line} (pip: ${exp.error.message}); ` +
        `got ${JSON.stringify(allFindings.map((f) => [rel(f.file), f.span.start, f.message]))}`,
    );
  });
}
