// Environment sets scale linearly: each file is read once per analysis, roots come from the include graph, trees only
// for roots.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChecks } from '../../server/src/checks/registry';
import { condensedLines } from '../../server/src/checks/duplicate';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { FileSets } from '../../server/src/workspace/file-sets';
import { diskSource, type TextSource } from '../../server/src/workspace/text-source';
import { setOf } from '../helpers/sets';

const env = defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' });
const ctx = { markerEnvironment: env, profile: { os: 'linux', arch: 'x86_64' } };

/**
 * Files that exist only in memory: the folder lists nothing on disk, so the root comes in as `extra` and the rest
 * through includes.
 */
function memory(files: Record<string, string>): TextSource & { reads: number } {
  const src = {
    reads: 0,
    read(p: string) {
      src.reads++;
      return files[p];
    },
  };
  return src;
}

const ROOT = path.resolve('/nonexistent-sd-scale');
const at = (name: string) => path.join(ROOT, name);

describe('environment sets at scale', () => {
  it('a chain of 5,000 files is one set, read once per file', () => {
    const n = 5000;
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) files[at(`r${i}.txt`)] = `p${i}\n` + (i + 1 < n ? `-r r${i + 1}.txt\n` : '');
    const src = memory(files);
    const analyzer = new FileSets(src, {});
    const started = Date.now();
    const sets = analyzer.folderSets(ROOT, { path: at('r0.txt'), kind: 'requirements' });
    const ms = Date.now() - started;
    assert.equal(sets.length, 1);
    assert.equal(sets[0]!.root, at('r0.txt'));
    assert.equal(sets[0]!.files.length, n);
    assert.equal(sets[0]!.files[n - 1]!.path, at(`r${n - 1}.txt`));
    // Each file read once in this analysis (plus the tree's own read of the root's text).
    assert.ok(src.reads <= n + 2, `${src.reads} reads for ${n} files`);
    // About 1 s on a quiet machine; the quadratic builder needed minutes for this.
    assert.ok(ms < 20_000, `${ms} ms`);
  });

  it(
    'files the folder lists: only those no other file ' + 'reaches are roots (diamonds, shared constraints, cycles)',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-sets-roots-'));
      try {
        const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
        write('requirements.txt', '-r requirements-b.txt\n-r requirements-c.txt\n');
        write('requirements-b.txt', '-r requirements-d.txt\n');
        write('requirements-c.txt', '-r requirements-d.txt\n-c constraints.txt\n');
        write('requirements-d.txt', 'numpy\n');
        write('constraints.txt', 'numpy<2\n');
        write('constraints-alone.txt', 'numpy<3\n');
        // Two files that include each other and nothing else includes: one set, from the first listed, with the cycle
        // reported.
        write('requirements-x.txt', '-r requirements-y.txt\n');
        write('requirements-y.txt', '-r requirements-x.txt\n');
        const sets = new FileSets(diskSource, {}).folderSets(dir);
        const names = sets.map((s) => [path.basename(s.root), s.files.map((f) => path.basename(f.path))]);
        assert.deepEqual(names, [
          ['constraints-alone.txt', ['constraints-alone.txt']],
          [
            'requirements.txt',
            ['requirements.txt', 'requirements-b.txt', 'requirements-d.txt', 'requirements-c.txt', 'constraints.txt'],
          ],
          ['requirements-x.txt', ['requirements-x.txt', 'requirements-y.txt']],
        ]);
        assert.match(
          sets[2]!.findings[0]!.message,
          /Include cycle: requirements-x\.txt -> requirements-y\.txt -> requirements-x\.txt/,
        );
        // Any file of a set finds it from its own folder.
        const around = new FileSets(diskSource, {}).setsContaining(
          path.join(dir, 'requirements-d.txt'),
          'requirements',
        );
        assert.deepEqual(
          around.map((s) => path.basename(s.root)),
          ['requirements.txt'],
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'a constraints file shared by 300 sets: each finding ' +
      'merged across the sets keeps at most 10 related locations',
    () => {
      const cons = parseRequirementsFile(at('constraints.txt'), 'numpy<1\n', { kind: 'constraints', env: {} });
      const sets = Array.from({ length: 300 }, (_, i) =>
        setOf(
          parseRequirementsFile(at(`r${i}.txt`), `numpy>=${i + 1}\n-c constraints.txt\n`, {
            kind: 'requirements',
            env: {},
          }),
          cons,
        ),
      );
      const all = runChecks(sets, ctx);
      // The shared line is said once: a finding of its own, or related to the conflict it was folded into.
      const found = all.filter((f) => f.file === at('constraints.txt'));
      const relatedTo = all.filter((f) => f.related.some((r) => r.file === at('constraints.txt')));
      assert.ok(found.length <= 1, `${found.length} findings on the shared line`);
      assert.ok(found.length + relatedTo.length >= 1);
      for (const f of all) {
        assert.ok(f.related.length <= 10, `${f.related.length} related locations`);
        assert.ok(f.fixes.length <= 10);
      }
    },
  );

  it('condenses line numbers into ranges and cuts the list at its cap', () => {
    assert.equal(condensedLines([2, 3, 4, 5, 9, 11, 12], 100), '2-5, 9, 11-12');
    assert.equal(condensedLines([7], 100), '7');
    const many = Array.from({ length: 1000 }, (_, i) => 2 * i + 1);
    const text = condensedLines(many, 60);
    assert.ok(text.length < 90, text);
    assert.match(text, /^1, 3, 5, .*, … \(\d+ more ranges\)$/);
  });
});
