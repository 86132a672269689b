// The documents in docs/ held to the code: every diagnostic code with its severity, when, example and fix; every
// knowledge table with its sources; and no comment or string in the code that cites a file a clone does not have.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODES, codeList } from '../../server/src/model/codes';

const codesDoc = (): string => fs.readFileSync('docs/codes.md', 'utf8');

/** The `## \`code\`` sections of docs/codes.md: the code and its `- Label: text` items. */
function sections(md: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let items: Map<string, string> | null = null;
  let last: string | null = null;
  for (const line of md.split('\n')) {
    const head = /^## `([^`]+)`\s*$/.exec(line);
    if (head) {
      assert.ok(!out.has(head[1]!), `docs/codes.md has two sections for ${head[1]}`);
      out.set(head[1]!, (items = new Map()));
      last = null;
      continue;
    }
    if (/^#/.test(line)) items = null;
    if (!items) continue;
    const item = /^- ([A-Z][a-z]+): (.*)$/.exec(line);
    if (item) items.set((last = item[1]!), item[2]!);
    else if (last && /^ {2}\S/.test(line)) items.set(last, `${items.get(last)} ${line.trim()}`);
  }
  return out;
}

describe('docs/codes.md', () => {
  it("lists every code of CODES once in its table, in CODES' order, with its default severity", () => {
    const rows = codesDoc()
      .split('\n')
      .map((l) => /^\| `([^`]+)` \| (\w+) \| (.+) \|$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]);
    assert.deepEqual(
      rows.map(([code]) => code),
      codeList,
    );
    for (const [code, severity] of rows) assert.equal(severity, CODES[code as keyof typeof CODES], code);
  });

  it('has one section per code saying its severity, when, an example and the fix', () => {
    const found = sections(codesDoc());
    assert.deepEqual([...found.keys()].sort(), [...codeList].sort());
    for (const code of codeList) {
      const items = found.get(code)!;
      assert.equal(items.get('Severity'), CODES[code], `${code}: severity`);
      for (const label of ['When', 'Example', 'Fix'])
        assert.ok((items.get(label) ?? '').length > 3, `${code}: no "${label}" item`);
      assert.ok(/`[^`]+`/.test(items.get('Example')!), `${code}: the example quotes no file text`);
    }
  });
});

describe('docs/knowledge.md', () => {
  it('describes every table of embedded facts, naming its data file and a public source', () => {
    const doc = fs.readFileSync('docs/knowledge.md', 'utf8');
    const dir = 'server/src/knowledge';
    const tables = [
      ...fs.readdirSync(path.join(dir, 'data')).map((n) => `data/${n}`),
      ...fs.readdirSync(dir).filter((n) => n.endsWith('.json')),
    ];
    assert.ok(tables.length >= 10, 'the knowledge tables were not found');
    const heads = doc.split(/^## /m).slice(1);
    for (const t of tables) {
      const section = heads.find((s) => s.split('\n')[0]!.includes(`\`${t}\``));
      assert.ok(section, `docs/knowledge.md has no section headed with \`${t}\``);
      assert.match(section, /https:\/\/\S+/, `${t}: no public source named`);
    }
  });
});

describe('references in the code', () => {
  // Files a clone of the repository does not have: the design document, the issue tracker's numbers, the
  // research notes behind knowledge/ (their repository copy is docs/knowledge.md), and section signs into them.
  const outside = [/\bDESIGN\.md\b/, /\bissues? \d+\b/i, /(?<!docs\/)\bknowledge\.md\b/, /§/, /\.\.\/shared\//];
  const self = path.normalize('test/unit/docs.test.ts');

  function files(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'fixtures' || e.name === 'node_modules' ? [] : files(p);
      return /\.(ts|mjs|js|json|sh)$/.test(e.name) && p !== self ? [p] : [];
    });
  }

  it('cites only files in the repository', () => {
    const bad: string[] = [];
    for (const f of ['server/src', 'client/src', 'test', 'bench', 'scripts'].flatMap(files)) {
      fs.readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (outside.some((re) => re.test(line))) bad.push(`${f}:${i + 1}: ${line.trim().slice(0, 100)}`);
        });
    }
    assert.deepEqual(bad, []);
  });

  it('every docs/ file the code or the maps cite exists', () => {
    const cited = new Set<string>();
    const sources = [
      'README.md',
      'ARCHITECTURE.md',
      'CONTRIBUTING.md',
      ...['server/src', 'client/src', 'test', 'bench', 'scripts'].flatMap(files),
    ];
    for (const f of sources)
      for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
        // A knowledge record's `source` names files of other repositories (`jax-ml/jax docs/installation.md`).
        if (/^\s*"source":/.test(line)) continue;
        for (const m of line.matchAll(/(?<![\w/.-])docs\/[\w.-]+\.md\b/g)) cited.add(m[0]);
      }
    for (const doc of ['docs/codes.md', 'docs/knowledge.md']) assert.ok(cited.has(doc), `nothing cites ${doc}`);
    for (const c of cited) assert.ok(fs.existsSync(c), `${c} is cited but missing`);
  });
});
