// Differential test: the `pip:` part of environment.yml against pip 23.2.1 reading the requirements file conda writes
// for it (expected.json "condaPip", from pip_oracle.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import type { Span } from '../../server/src/model/types';
import type { OracleEntry, OracleVerdict } from '../helpers/corpus';
import { expandEnvVars } from '../../server/src/index/credentials';

type Entry = OracleEntry;
interface Expected {
  env: Record<string, string>;
  condaPip: Record<string, { entries: Entry[]; error: OracleVerdict['error'] }>;
}

const root = join(__dirname, '..', '..', '..');
const corpus = join(root, 'test/fixtures/requirements-corpus');
const expected = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8').split('<REPO>').join(root)) as Expected;
const corpusUrl = pathToFileURL(corpus).href;

const normSpecifier = (s: string): string =>
  s
    .split(',')
    .map((c) => c.replace(/\s+/g, ''))
    .filter(Boolean)
    .sort()
    .join(',');

/** The file range of each `pip:` item, in order: pip's line n is item n (conda writes one item per line). */
function pipItemRanges(text: string): Span[] {
  const doc = parseDocument(text);
  const out: Span[] = [];
  const deps = isMap(doc.contents) ? doc.contents.get('dependencies', true) : null;
  if (!isSeq(deps)) return out;
  for (const item of deps.items) {
    if (!isMap(item)) continue;
    const pip = item.get('pip', true);
    if (isSeq(pip))
      for (const p of pip.items) if (isScalar(p) && p.range) out.push({ start: p.range[0], end: p.range[1] });
  }
  return out;
}

const names = Object.keys(expected.condaPip);

test('the conda pip corpus has accepted and rejected files', () => {
  assert.ok(names.length >= 8, `${names.length} files`);
  assert.ok(names.filter((n) => expected.condaPip[n]!.error).length >= 4);
  assert.ok(names.filter((n) => !expected.condaPip[n]!.error).length >= 3);
});

for (const name of names) {
  const exp = expected.condaPip[name]!;
  test(`pip agrees on the pip: part: ${name}${exp.error ? ' (rejected by pip)' : ''}`, () => {
    const path = join(corpus, name);
    const text = readFileSync(path, 'utf8');
    const parsed = parseEnvironmentYml(path, text, { env: expected.env });
    const items = pipItemRanges(text);
    const itemOf = (offset: number): number => items.findIndex((r) => offset >= r.start && offset < r.end) + 1;
    const ours: Entry[] = parsed.dependencies
      .filter((d) => d.section === 'dependencies.pip')
      .map((d) => ({
        file: name,
        line: itemOf(d.span.start),
        name: d.name,
        extras: d.extras,
        specifier: normSpecifier(d.specifier),
        markerText: d.marker,
        // The model keeps a URL's `${VAR}` as written (the request expands it); expanded, it is pip's.
        url: d.url === null ? null : expandEnvVars(d.url, expected.env).replace(corpusUrl, 'file://{CORPUS}'),
        editable: d.editable,
        constraint: false,
      }));
    const theirs = exp.entries.map(({ marker: _normalized, ...e }) => ({
      ...e,
      specifier: normSpecifier(e.specifier),
    }));
    if (!exp.error) {
      assert.deepEqual(
        parsed.findings.map((f) => f.message),
        [],
        'pip accepts this pip part',
      );
      assert.deepEqual(ours, theirs);
      return;
    }
    // pip stops at its first error: what it read before must match, and that item must be flagged.
    assert.deepEqual(ours.slice(0, theirs.length), theirs);
    const item = items[exp.error.line - 1]!;
    const at = parsed.findings.filter(
      (f) => f.code === 'syntax' && f.span.start >= item.start && f.span.start < item.end,
    );
    assert.ok(
      at.length > 0,
      `expected a finding on pip item ${exp.error.line} (pip: ${exp.error.message}); ` +
        `got ${JSON.stringify(parsed.findings.map((f) => [f.span, f.message]))}`,
    );
  });
}
