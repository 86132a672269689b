// The CLI with a real loopback index: transitive conflicts explained on the lines, verified fixes that resolve,
// not-found, requires-python, no-wheel, unreachable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { causeLines, checkJson, runCli, type JsonDiagnostic } from '../helpers/cli';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

describe('stack-doctor check against a loopback index', () => {
  let index: PackageIndex;
  let dir: string;
  // Asynchronous: the index runs in this process, so a blocking spawn would leave it unable to answer.
  const run = (args: string[], env: NodeJS.ProcessEnv = isolatedPipEnv()) => runCli(args, dir, env);
  const check = async (folder: string, extra: string[] = []) => {
    const r = await checkJson(
      [folder, '--index-url', index.url, '--cache-dir', path.join(dir, '.cache'), ...extra],
      dir,
    );
    return { code: r.status, diagnostics: r.diagnostics };
  };
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-index-'));
    index = await startPackageIndex([
      { name: 'numpy', version: '1.23.5' },
      { name: 'numpy', version: '1.24.3' },
      { name: 'numpy', version: '1.26.4' },
      { name: 'numpy', version: '2.0.0', requiresPython: '>=3.9' },
      { name: 'tensorflow', version: '2.10.0', dependencies: ['numpy>=1.20,<1.24'] },
      { name: 'tensorflow', version: '2.13.0', dependencies: ['numpy>=1.22,<1.25'] },
      { name: 'tensorflow', version: '2.15.0', dependencies: ['numpy>=1.23.5,<2'] },
      { name: 'pandas', version: '2.0.0', dependencies: ['numpy>=1.23.2'] },
      { name: 'future-only', version: '1.0', requiresPython: '>=3.99' },
      { name: 'buildme', version: '0.5', sdist: { metadataVersion: '2.2', only: true } },
    ]);
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('explains a transitive conflict on both lines, and a verified fix removes it', async () => {
    write('tf/requirements.txt', 'tensorflow==2.10.0\nnumpy>=1.25\n');
    const { code, diagnostics } = await check('tf');
    assert.equal(code, 1);
    const found = diagnostics.filter((d) => d.code === 'conflict-transitive');
    // One finding for the conflict, on the line its fix edits (tensorflow), the numpy line related.
    assert.deepEqual(causeLines(found), [1, 2]);
    assert.equal(found.length, 1);
    const tf = found[0]!;
    assert.equal(tf.range.start.line, 0);
    assert.match(tf.message, /tensorflow 2\.10\.0 needs numpy >=1\.20(\.0)?,\s?<1\.24/);
    // The numpy line is named by its line number in the verdict and is the related location; the steps cite no file.
    assert.match(tf.message, /but line 2 requires numpy>=1\.25/);
    assert.doesNotMatch(tf.message, /requirements\.txt:\d/);
    assert.equal(tf.related.length, 1);
    assert.equal(tf.related[0]!.range.start.line, 1);
    assert.ok(tf.fixes.length >= 1, 'a fix is offered');
    // Apply the first fix to the file and check again: the conflict is gone.
    const text = fs.readFileSync(path.join(dir, 'tf/requirements.txt'), 'utf8').split('\n');
    const e = tf.fixes[0]!.edits[0]!;
    const line = text[e.range.start.line]!;
    text[e.range.start.line] = line.slice(0, e.range.start.character) + e.newText + line.slice(e.range.end.character);
    fs.writeFileSync(path.join(dir, 'tf/requirements.txt'), text.join('\n'));
    assert.match(text[0]!, /^tensorflow==2\.1[35]\.0$/);
    const again = await check('tf');
    assert.equal(again.code, 0, JSON.stringify(again.diagnostics));
  });

  it('reports a missing project and a version that does not exist, with the newest', async () => {
    write('nf/requirements.txt', 'nunpy\nnumpy==9.9\n');
    const { diagnostics } = await check('nf');
    const nf = diagnostics.filter((d) => d.code === 'not-found');
    assert.equal(nf.length, 2);
    assert.match(nf[0]!.message, /No project named 'nunpy'/);
    assert.match(nf[1]!.message, /the newest is 2\.0\.0/);
  });

  it('a line that admits no version by itself is one conflict, not also a missing version', async () => {
    write('alone/requirements.txt', 'numpy>=2,<1\npandas==2.0.0\n');
    const { code, diagnostics } = await check('alone');
    assert.equal(code, 1);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [['conflict', 0]],
      JSON.stringify(diagnostics.map((d) => d.message)),
    );
    assert.match(diagnostics[0]!.message, /'>=2' and '<1'/);
  });

  it('reports a package no version of which supports the target Python, and an sdist-only package', async () => {
    write('py/requirements.txt', 'future-only\nbuildme\n');
    const profile = path.join(dir, 'py38.json');
    fs.writeFileSync(
      profile,
      JSON.stringify({
        os: 'linux',
        arch: 'x86_64',
        libc: { kind: 'glibc', version: '2.36' },
        python: { version: '3.11.7', implementation: 'cpython' },
      }),
    );
    const { diagnostics } = await check('py', ['--profile', profile]);
    const rp = diagnostics.find((d) => d.code === 'requires-python');
    assert.ok(rp, JSON.stringify(diagnostics));
    assert.match(rp.message, /Python 3\.11\.7/);
    const nw = diagnostics.find((d) => d.code === 'no-wheel');
    assert.ok(nw, JSON.stringify(diagnostics));
    assert.equal(nw.severity, 'information');
  });

  it('says once per set, as information, when the index cannot be reached', async () => {
    write('down/requirements.txt', 'numpy\npandas\n');
    const r = await run([
      'check',
      'down',
      '--format',
      'json',
      '--index-url',
      'http://127.0.0.1:9/simple',
      '--cache-dir',
      path.join(dir, '.cache2'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    const diags = (JSON.parse(r.stdout) as { diagnostics: JsonDiagnostic[] }).diagnostics;
    assert.equal(diags.length, 1);
    assert.equal(diags[0]!.severity, 'information');
    assert.match(diags[0]!.message, /could not ask the package index/);
  });

  it('--offline never asks the index', async () => {
    write('off/requirements.txt', 'nunpy\n');
    const before = index.requests.length;
    const r = await run(['check', 'off', '--offline', '--index-url', index.url]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(index.requests.length, before);
  });
});
