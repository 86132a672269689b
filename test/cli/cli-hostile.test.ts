// The built CLI on hostile input: thousands of duplicate lines, long include chains, huge files and FIFOs, a pyproject
// among unrelated files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';
import type { JsonDiagnostic } from '../helpers/cli';
import { applyEdits } from '../helpers/lsp-client';

const CLI = path.resolve('dist/cli.js');

/** Runs the built CLI without blocking this process (the loopback index lives here); kills it after `timeoutMs`. */
function run(args: string[], cwd: string, timeoutMs = 60_000) {
  return new Promise<{ status: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: isolatedPipEnv() });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(chunks).toString('utf8'), stderr, ms: Date.now() - started });
    });
  });
}

const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return process.platform !== 'win32';
  } catch {
    return false;
  }
})();

describe('stack-doctor CLI on hostile input', () => {
  let dir: string;
  let index: PackageIndex;
  const write = (name: string, text: string | Buffer) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const diagnosticsOf = (stdout: string) => (JSON.parse(stdout) as { diagnostics: JsonDiagnostic[] }).diagnostics;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-hostile-'));
    index = await startPackageIndex([
      { name: 'numpy', version: '1.26.4' },
      { name: 'numpy', version: '2.0.0' },
      { name: 'fastapi', version: '0.111.0' },
      { name: 'tensorflow', version: '2.10.0', dependencies: ['numpy>=1.20,<1.24'] },
    ]);
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('identical lines', () => {
    const copies = (n: number) => write(`dup${n}/requirements.txt`, 'numpy==1.26.4\n'.repeat(n));

    it('2,000 copies of one line finish in seconds with one small finding: the count, the places, one fix', async () => {
      copies(2000);
      const big = await run(['check', 'dup2000', '--format', 'json', '--offline'], dir);
      assert.equal(big.status, 0, big.stderr);
      assert.ok(big.ms < 15_000, `took ${big.ms} ms`);
      assert.ok(big.stdout.length < 50_000, `2,000 identical lines give ${big.stdout.length} bytes of JSON`);
      const found = diagnosticsOf(big.stdout).filter((d) => d.code === 'duplicate');
      assert.equal(found.length, 1);
      // On the second copy, the first one to remove; the first copy and a capped list of the others related.
      const [d] = found as [JsonDiagnostic];
      assert.equal(d.range.start.line, 1);
      assert.match(d.message, /declared 2000 times .*requirements\.txt:1.* lines 3-2000\./);
      assert.ok(d.message.length < 300, d.message);
      assert.ok(d.related.length <= 10 && d.related.length > 1);
      assert.equal(d.related[0]!.range.start.line, 0);
      // One fix removes every copy but the first.
      assert.equal(d.fixes.length, 1);
      const text = fs.readFileSync(path.join(dir, 'dup2000/requirements.txt'), 'utf8');
      assert.equal(applyEdits(text, d.fixes[0]!.edits), 'numpy==1.26.4\n');
    });

    it('2,000 copies against a loopback index: the index stage runs and the output stays small', async () => {
      const r = await run(
        ['check', 'dup2000', '--format', 'json', '--index-url', index.url, '--cache-dir', path.join(dir, '.cache')],
        dir,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
      // One finding for the 2,000 copies (it was 1.7 KB of indented JSON per line).
      assert.ok(r.stdout.length < 50_000, `${r.stdout.length} bytes`);
      assert.ok(
        index.requests.some((q) => q.path.includes('/numpy')),
        'the index was asked',
      );
      const d = diagnosticsOf(r.stdout);
      assert.equal(d.filter((x) => x.code === 'duplicate').length, 1);
      assert.deepEqual(
        d.filter((x) => x.code !== 'duplicate').map((x) => `${x.code}: ${x.message}`),
        [],
      );
    });

    it('2,000 copies that all take part in a transitive conflict: every finding stays within the caps', async () => {
      write('dupconflict/requirements.txt', 'tensorflow==2.10.0\n' + 'numpy==1.26.4\n'.repeat(2000));
      const r = await run(
        ['check', 'dupconflict', '--format', 'json', '--index-url', index.url, '--cache-dir', path.join(dir, '.cache')],
        dir,
      );
      assert.equal(r.status, 1, r.stderr);
      assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
      const d = diagnosticsOf(r.stdout);
      const transitive = d.filter((x) => x.code === 'conflict-transitive');
      assert.ok(transitive.length >= 1, JSON.stringify(d.filter((x) => x.code !== 'duplicate')).slice(0, 2000));
      for (const x of d) {
        assert.ok(x.related.length <= 10, `${x.code}: ${x.related.length} related`);
        assert.ok(x.message.length <= 2000, `${x.code}: ${x.message.length} chars`);
      }
      assert.ok(r.stdout.length < 2001 * 4000, `${r.stdout.length} bytes`);
    });

    it('scattered copies keep the message under the cap, condensing line numbers', async () => {
      const lines: string[] = [];
      for (let i = 0; i < 3000; i++) lines.push(i % 2 ? `pkg${i}==1\n` : 'numpy>=1\n');
      write('scatter/requirements.txt', lines.join(''));
      const r = await run(['check', 'scatter', '--format', 'json', '--offline'], dir);
      assert.equal(r.status, 0, r.stderr);
      const found = diagnosticsOf(r.stdout).filter((d) => d.code === 'duplicate');
      assert.equal(found.length, 1);
      const [first] = found as [JsonDiagnostic];
      assert.equal(first.range.start.line, 2);
      assert.ok(first.message.length <= 2000, `${first.message.length} chars`);
      assert.match(first.message, /declared 1500 times .* lines 5, 7, 9, .*… \(\d+ more ranges\)\.$/);
      const text = fs.readFileSync(path.join(dir, 'scatter/requirements.txt'), 'utf8');
      const fixed = applyEdits(text, first.fixes[0]!.edits);
      assert.equal(fixed.split('\n').filter((l) => l === 'numpy>=1').length, 1);
      assert.equal(fixed.split('\n').length, 1502);
    });
  });

  describe('long include chains', () => {
    /** requirements-00000.txt -r requirements-00001.txt -r … ; the first pins pkg-a==1 and the last pkg-a==2. */
    const chain = (name: string, n: number) => {
      const folder = path.join(dir, name);
      fs.mkdirSync(folder, { recursive: true });
      for (let i = 0; i < n; i++) {
        const own = i === 0 ? 'pkg-a==1\n' : i === n - 1 ? 'pkg-a==2\n' : `pkg${i}>=1\n`;
        fs.writeFileSync(
          path.join(folder, `requirements-${String(i).padStart(5, '0')}.txt`),
          own + (i + 1 < n ? `-r requirements-${String(i + 1).padStart(5, '0')}.txt\n` : ''),
        );
      }
    };

    for (const n of [500, 2000]) {
      it(`${n} files in one chain are one set from the first file, in linear time`, async () => {
        chain(`chain${n}`, n);
        const r = await run(['check', `chain${n}`, '--format', 'json', '--offline'], dir);
        assert.equal(r.status, 1, r.stderr);
        // Quadratic behaviour took 119 s at 2,000 files; linear takes about a second.
        assert.ok(r.ms < 15_000, `${n} files took ${r.ms} ms`);
        const conflicts = diagnosticsOf(r.stdout).filter((d) => d.code === 'conflict');
        // The first file's pin meets the last file's: the walk reached the end of the chain, once (one conflict, one
        // finding: on one of the two lines, the other one related).
        assert.equal(conflicts.length, 1, JSON.stringify(conflicts));
        assert.deepEqual(
          [conflicts[0]!.file, ...conflicts[0]!.related.map((r) => r.file)].map((f) => path.basename(f)).sort(),
          ['requirements-00000.txt', `requirements-${String(n - 1).padStart(5, '0')}.txt`],
        );
        console.log(`# chain of ${n} files: ${r.ms} ms`);
      });
    }
  });

  describe('files that are skipped', () => {
    const big = () => Buffer.alloc(9 * 1024 * 1024, 'numpy==1.26.4\n');

    it('a 9 MB file named on the command line: exit 2, saying why (nothing would be checked)', async () => {
      write('big/requirements.txt', big());
      const r = await run(['check', 'big/requirements.txt', '--offline'], dir);
      assert.equal(r.status, 2);
      assert.match(
        r.stderr,
        /cannot read 'big\/requirements\.txt': it is 9\.0 MB, over the 8 MB Stack Doctor reads; nothing was checked/,
      );
      assert.doesNotMatch(r.stdout, /No problems found/);
    });

    it('a 9 MB file inside a named folder: an information finding on it, the other files still checked', async () => {
      write('bigdir/requirements-huge.txt', big());
      write('bigdir/requirements.txt', 'numpy>=2\nnumpy<2\n');
      const r = await run(['check', 'bigdir', '--format', 'json', '--offline'], dir);
      assert.equal(r.status, 1, r.stderr);
      const d = diagnosticsOf(r.stdout);
      const skipped = d.find((x) => x.file.endsWith('requirements-huge.txt'))!;
      assert.equal(skipped.severity, 'information');
      assert.match(skipped.message, /skipped this file: it is 9\.0 MB/);
      assert.ok(d.some((x) => x.code === 'conflict' && x.file.endsWith(`${path.sep}requirements.txt`)));
    });

    it('an included 9 MB file: a finding at the including line, not "could not open"', async () => {
      write('incbig/huge.txt', big());
      write('incbig/requirements.txt', 'numpy==1.26.4\n-r huge.txt\n');
      const r = await run(['check', 'incbig', '--format', 'json', '--offline'], dir);
      assert.equal(r.status, 0, r.stderr);
      const d = diagnosticsOf(r.stdout);
      assert.equal(d.length, 1, JSON.stringify(d));
      assert.equal(d[0]!.severity, 'information');
      assert.equal(d[0]!.range.start.line, 1);
      assert.match(d[0]!.message, /skipped 'huge\.txt': it is 9\.0 MB/);
    });

    it(
      'a FIFO named on the command line: exit 2 at once, never opened',
      { skip: !hasMkfifo && 'no mkfifo here' },
      async () => {
        const fifo = path.join(dir, 'fifo/requirements.txt');
        fs.mkdirSync(path.dirname(fifo), { recursive: true });
        execFileSync('mkfifo', [fifo]);
        const r = await run(['check', 'fifo/requirements.txt', '--offline'], dir, 10_000);
        assert.equal(r.status, 2, `status ${r.status} after ${r.ms} ms`);
        assert.match(r.stderr, /cannot read 'fifo\/requirements\.txt': it is not a regular file \(a FIFO\)/);
        const l = await run(['list', 'fifo/requirements.txt'], dir, 10_000);
        assert.equal(l.status, 2);
      },
    );

    it(
      'a FIFO inside a named folder: an information finding, and the run does not block',
      { skip: !hasMkfifo && 'no mkfifo here' },
      async () => {
        const fifo = path.join(dir, 'fifodir/requirements-pipe.txt');
        fs.mkdirSync(path.dirname(fifo), { recursive: true });
        execFileSync('mkfifo', [fifo]);
        write('fifodir/requirements.txt', 'numpy==1.26.4\n-r requirements-pipe.txt\n');
        const r = await run(['check', 'fifodir', '--format', 'json', '--offline'], dir, 10_000);
        assert.equal(r.status, 0, `status ${r.status} after ${r.ms} ms: ${r.stderr}`);
        const d = diagnosticsOf(r.stdout);
        assert.deepEqual(
          d.map((x) => [path.basename(x.file), x.range.start.line, x.severity]),
          [['requirements.txt', 1, 'information']],
        );
        assert.match(d[0]!.message, /skipped 'requirements-pipe\.txt': it is not a regular file \(a FIFO\)/);
      },
    );
  });

  describe('a pyproject among unrelated requirements files', () => {
    it('`check pyproject.toml` reports only the pyproject and resolves only its set', async () => {
      write(
        'repo/pyproject.toml',
        '[project]\nname = "svc"\nversion = "1"\ndependencies = ["fastapi>=0.100", "numpy<2"]\n',
      );
      for (let i = 0; i < 30; i++)
        write(
          `repo/requirements-${String(i).padStart(2, '0')}.txt`,
          `numpy==2.0.0\nnumpy==2.0.0\nunrelated-${i}==1.0\n`,
        );
      const before = index.requests.length;
      const r = await run(
        [
          'check',
          'repo/pyproject.toml',
          '--format',
          'json',
          '--index-url',
          index.url,
          '--cache-dir',
          path.join(dir, '.cache-repo'),
        ],
        dir,
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.deepEqual(diagnosticsOf(r.stdout), []);
      const asked = index.requests.slice(before).map((q) => q.path);
      assert.ok(
        asked.some((p) => p.includes('/fastapi')),
        asked.join(' '),
      );
      assert.ok(!asked.some((p) => p.includes('unrelated')), asked.join(' '));
      assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
      // The whole folder still checks every requirements file (its two identical lines are one finding).
      const all = await run(['check', 'repo', '--format', 'json', '--offline'], dir);
      const dups = diagnosticsOf(all.stdout).filter((d) => d.code === 'duplicate');
      assert.equal(new Set(dups.map((d) => d.file)).size, 30);
      assert.equal(dups.length, 30);
    });
  });
});
