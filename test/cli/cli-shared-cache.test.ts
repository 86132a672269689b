// One cache folder used at the same time by two CLI processes and a language server ("a shared cache used by
// two CLIs and a server at once stays intact"): over rounds in which the index changes, every run finds what a run with
// a private cache finds, and afterwards every file in the folder parses and validates.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkJson, type JsonDiagnostic } from '../helpers/cli';
import { LspClient, type PublishedDiagnostics } from '../helpers/lsp-client';
import { indexFixture, isolatedPipEnv, type IndexPackage } from '../helpers/package-index';

const PROFILE = path.resolve('test/fixtures/profiles/laptop-no-gpu.json');

const BASE: IndexPackage[] = [
  { name: 'numpy', version: '1.24.3' },
  { name: 'numpy', version: '1.26.4' },
  { name: 'tensorflow', version: '2.13.0', dependencies: ['numpy>=1.22,<1.25'] },
  { name: 'pandas', version: '2.0.0', dependencies: ['numpy>=1.23.2'] },
  { name: 'requests', version: '2.31.0', dependencies: ['idna>=2.5'] },
  { name: 'idna', version: '3.6' },
];

/** What the index serves in each round: releases appear, one is yanked, a dependency is dropped. */
const ROUNDS: IndexPackage[][] = [
  BASE,
  [
    ...BASE,
    { name: 'numpy', version: '2.0.0', requiresPython: '>=3.9' },
    { name: 'pandas', version: '2.2.0', dependencies: ['numpy>=2'] },
  ],
  [
    ...BASE.filter((p) => p.name !== 'idna'),
    { name: 'tensorflow', version: '2.15.0', dependencies: ['numpy>=1.23.5,<2'] },
    { name: 'numpy', version: '1.26.4', yanked: 'broken wheel' },
  ].filter((p, i, all) => all.findIndex((q) => q.name === p.name && q.version === p.version) === i),
];

const REQUIREMENTS = 'tensorflow==2.13.0\nnumpy>=1.26\npandas\nrequests==2.31.0\n';

const { tmp, serve } = indexFixture('sd-cli-shared-cache-', BASE, after);

/** A diagnostic as both front ends show it: code, range and message. */
function key(d: {
  code?: string;
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}): string {
  const r = d.range;
  return `${d.code}@${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.message}`;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

/** Checks every file of the shared folder as its reader would; returns how many of each kind there were. */
function validateCacheFolder(dir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const file of filesUnder(dir)) {
    const rel = path.relative(dir, file);
    const kind = rel.split(path.sep)[0]!;
    counts[kind] = (counts[kind] ?? 0) + 1;
    assert.ok(!file.endsWith('.tmp'), `a temporary file was left behind: ${rel}`);
    const raw = fs.readFileSync(file);
    if (kind === 'page' || kind === 'metadata') {
      const nl = raw.indexOf(0x0a);
      assert.ok(nl > 0, `${rel}: no header line`);
      const header = JSON.parse(raw.subarray(0, nl).toString('utf8')) as { v: number; size: number; sha256: string };
      const body = raw.subarray(nl + 1);
      assert.equal(header.v, 1, rel);
      assert.equal(header.size, body.length, `${rel}: size`);
      assert.equal(createHash('sha256').update(body).digest('hex'), header.sha256, `${rel}: checksum`);
    } else if (kind === 'results') {
      const stored = JSON.parse(raw.toString('utf8')) as { at: unknown; findings: unknown };
      assert.equal(typeof stored.at, 'number', rel);
      assert.ok(Array.isArray(stored.findings), rel);
    } else if (kind === 'code') {
      const magic = 'stack-doctor code cache 3\n';
      assert.equal(raw.toString('latin1', 0, magic.length), magic, rel);
      const nl = raw.indexOf(0x0a, magic.length);
      const header = JSON.parse(raw.toString('utf8', magic.length, nl)) as { length: number };
      // The V8 data, then its copy.
      assert.equal(2 * header.length, raw.length - nl - 1, `${rel}: length`);
      const data = raw.subarray(nl + 1);
      assert.ok(data.subarray(0, header.length).equals(data.subarray(header.length)), `${rel}: the copies agree`);
    } else assert.fail(`an unexpected file in the cache folder: ${rel}`);
  }
  return counts;
}

describe('a cache folder shared by two CLIs and a language server at once', () => {
  it('stays intact, and every run finds what a run with a private cache finds, while the index changes', async () => {
    const project = path.join(tmp, 'project');
    fs.mkdirSync(project);
    const file = path.join(project, 'requirements.txt');
    fs.writeFileSync(file, REQUIREMENTS);
    const shared = path.join(tmp, 'shared-cache');
    const sharedEnv = { ...isolatedPipEnv(), STACK_DOCTOR_CODE_CACHE: path.join(shared, 'code') };
    const uri = pathToFileURL(file).toString();
    const perRound: string[][] = [];

    for (const [round, packages] of ROUNDS.entries()) {
      const index = await serve({}, packages);
      const args = (cacheDir: string) => [
        'requirements.txt',
        '--index-url',
        index.url,
        '--cache-dir',
        cacheDir,
        '--profile',
        PROFILE,
      ];
      // The reference: this round's index through a cache of its own.
      const reference = await checkJson(args(path.join(tmp, `private-${round}`)), project, {
        ...isolatedPipEnv(),
        STACK_DOCTOR_CODE_CACHE: 'off',
      });
      const expected = reference.diagnostics.map(key).sort();
      perRound.push(expected);

      const server = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
      try {
        await server.initialize(project, {
          trusted: true,
          debounceMs: 0,
          indexDebounceMs: 0,
          indexUrl: index.url,
          cacheDir: shared,
          profile: PROFILE,
        });
        const published = server.waitFor(
          uri,
          (p: PublishedDiagnostics) => JSON.stringify(p.diagnostics.map(key).sort()) === JSON.stringify(expected),
          60_000,
        );
        server.open(file, REQUIREMENTS);
        // Two CLIs and the server's index stage at once, all on a cold folder for this index; then the two CLIs again
        // at once, answered from what the first wave stored.
        const first = await Promise.all([
          checkJson(args(shared), project, sharedEnv),
          checkJson(args(shared), project, sharedEnv),
          published,
        ]);
        const second = await Promise.all([
          checkJson(args(shared), project, sharedEnv),
          checkJson(args(shared), project, sharedEnv),
        ]);
        for (const [i, run] of [first[0], first[1], ...second].entries())
          assert.deepEqual(
            run.diagnostics.map((d: JsonDiagnostic) => key(d)).sort(),
            expected,
            `round ${round}, CLI run ${i}: ${run.stderr}`,
          );
        assert.deepEqual(
          [first[0], first[1], ...second].map((r) => r.diagnostics),
          Array(4).fill(reference.diagnostics),
          `round ${round}: the whole JSON (fixes included) as the private run`,
        );
      } finally {
        await server.shutdown();
      }
    }

    // The index's changes were visible: the rounds did not all find the same.
    assert.ok(new Set(perRound.map((r) => JSON.stringify(r))).size > 1, 'the rounds found different things');
    assert.ok(
      perRound.every((r) => r.length > 0),
      'every round found something',
    );
    const counts = validateCacheFolder(shared);
    for (const kind of ['page', 'metadata', 'results', 'code'])
      assert.ok((counts[kind] ?? 0) > 0, `the shared folder holds ${kind} entries: ${JSON.stringify(counts)}`);
  });
});
