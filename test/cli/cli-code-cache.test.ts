// The CLI's loader (server/src/cli-loader.ts) and its V8 code cache: made by the first run, made again once after the
// first run of each other kind (so that it holds every path used), then only read; a damaged, foreign, truncated or
// writable-by-others cache is ignored and replaced, never trusted, never a crash; several CLIs starting at once leave
// one whole cache; off when asked, and with source maps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkJson, type CliRun } from '../helpers/cli';
import { indexFixture, isolatedPipEnv, type PackageIndex } from '../helpers/package-index';
import type { Header } from '../../server/src/cli-loader';

const PROFILE = path.resolve('test/fixtures/profiles/laptop-no-gpu.json');
const MAGIC = 'stack-doctor code cache 3\n';

const { tmp, serve } = indexFixture(
  'sd-cli-code-cache-',
  [
    { name: 'numpy', version: '1.24.3' },
    { name: 'numpy', version: '1.26.4' },
    { name: 'tensorflow', version: '2.13.0', dependencies: ['numpy>=1.22,<1.25'] },
  ],
  after,
);

/** The cache file's header, after checking that it is whole (the V8 data twice, of the length it says). */
function readHeader(file: string): Header {
  const raw = fs.readFileSync(file);
  assert.equal(raw.toString('latin1', 0, MAGIC.length), MAGIC);
  const nl = raw.indexOf(0x0a, MAGIC.length);
  const header = JSON.parse(raw.toString('utf8', MAGIC.length, nl)) as Header;
  const data = raw.subarray(nl + 1);
  assert.equal(2 * header.length, data.length, 'length');
  assert.ok(data.subarray(0, header.length).equals(data.subarray(header.length)), 'the two copies agree');
  return header;
}

describe('the CLI loader and its code cache', () => {
  let index: PackageIndex;
  let project: string;
  let reference: CliRun & { diagnostics: unknown[] };
  let n = 0;
  /** A fresh folder for the code cache, and the environment that points the CLI at it. */
  const fresh = (): { dir: string; file: string; env: NodeJS.ProcessEnv } => {
    const dir = path.join(tmp, `code-${n++}`);
    return {
      dir,
      file: path.join(dir, `cli-${process.version}-${process.arch}.bin`),
      env: { ...isolatedPipEnv(), STACK_DOCTOR_CODE_CACHE: dir },
    };
  };
  const check = (env: NodeJS.ProcessEnv, cacheDir = path.join(project, '.cache')) =>
    checkJson(
      ['requirements.txt', '--index-url', index.url, '--cache-dir', cacheDir, '--profile', PROFILE],
      project,
      env,
    );
  const same = (r: CliRun, what: string) => {
    assert.equal(r.status, reference.status, `${what}: exit status (${r.stderr})`);
    assert.equal(r.stdout, reference.stdout, `${what}: output`);
    assert.equal(r.stderr, '', `${what}: nothing on stderr`);
  };

  before(async () => {
    index = await serve();
    project = path.join(tmp, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'requirements.txt'), 'tensorflow==2.13.0\nnumpy>=1.26\n');
    reference = await check({ ...isolatedPipEnv(), STACK_DOCTOR_CODE_CACHE: 'off' }, path.join(tmp, 'reference'));
    assert.equal(reference.status, 1);
    assert.ok(reference.diagnostics.length > 0);
  });

  it('is made by the first run, made again once by a run of another kind, then only read', async () => {
    const { file, env } = fresh();
    const cacheDir = path.join(tmp, 'results-1');
    same(await check(env, cacheDir), 'first run');
    assert.deepEqual(readHeader(file).runs, ['check requirements'], 'made by a run that resolved');
    const first = fs.statSync(file).size;
    same(await check(env, cacheDir), 'second run');
    assert.deepEqual(
      readHeader(file).runs,
      ['check requirements', 'check-cached'],
      'made again with the functions of a check answered from the result cache',
    );
    assert.ok(fs.statSync(file).size >= first, "the first run's functions kept");
    const made = fs.statSync(file).mtimeMs;
    const bytes = fs.readFileSync(file);
    for (let i = 0; i < 2; i++) same(await check(env, cacheDir), `run ${i + 3}`);
    // A new file's check resolves: a kind of run the cache holds already.
    fs.writeFileSync(path.join(project, 'requirements.txt'), 'tensorflow==2.13.0\nnumpy>=1.26\n# a new file\n');
    try {
      same(await check(env, cacheDir), 'a new file');
    } finally {
      fs.writeFileSync(path.join(project, 'requirements.txt'), 'tensorflow==2.13.0\nnumpy>=1.26\n');
    }
    assert.equal(fs.statSync(file).mtimeMs, made, 'used as it is');
    assert.deepEqual(fs.readFileSync(file), bytes);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'readable and writable by its owner only');
  });

  it('a damaged, truncated, foreign or group-writable cache is ignored and replaced, never a crash', async () => {
    const { file, env } = fresh();
    same(await check(env), 'making it');
    same(await check(env), 'making it from the fast path');
    const good = fs.readFileSync(file);
    const nl = good.indexOf(0x0a, MAGIC.length);
    const header = JSON.parse(good.toString('utf8', MAGIC.length, nl)) as Header;
    const withHeader = (h: Header, ...data: Buffer[]) =>
      Buffer.concat([Buffer.from(MAGIC + JSON.stringify(h) + '\n'), ...data]);
    const data = good.subarray(nl + 1, nl + 1 + header.length);
    const flipped = Buffer.from(data);
    for (let i = 0; i < 256; i++) flipped[Math.floor(data.length / 2) + i]! ^= 0x5a;
    const oneBit = Buffer.from(data);
    oneBit[data.length - 1]! ^= 0x01;
    const damaged: [string, Buffer, number?][] = [
      // V8 itself checks little of the data: these bytes crash it (a fatal error) when they reach it.
      ['flipped bytes in the V8 data', withHeader(header, flipped, data)],
      ['flipped bytes in its copy', withHeader(header, data, flipped)],
      ['one bit of the last byte', withHeader(header, oneBit, data)],
      ['a length that does not match', withHeader({ ...header, length: header.length + 1 }, data, data)],
      ['one copy only', withHeader(header, data)],
      ['truncated', good.subarray(0, Math.floor(good.length / 2))],
      ['garbage', Buffer.from('not a cache at all\n{}\n')],
      ['empty', Buffer.alloc(0)],
      ['made for another build', withHeader({ ...header, build: 'f'.repeat(64) }, data, data)],
      ['made for another bundle time', withHeader({ ...header, mtimeMs: header.mtimeMs + 1 }, data, data)],
      ['a header that is not JSON', Buffer.concat([Buffer.from(MAGIC + '{"build":\n'), data, data])],
      ['writable by the group', good, 0o620],
      ['writable by anyone', good, 0o606],
    ];
    for (const [what, bytes, mode] of damaged) {
      fs.writeFileSync(file, bytes, { mode: mode ?? 0o600 });
      fs.chmodSync(file, mode ?? 0o600);
      same(await check(env), what);
      const after = readHeader(file);
      assert.equal(after.build, header.build, `${what}: replaced by a whole cache`);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, `${what}: the new one is the owner's only`);
    }
  });

  it('several CLIs starting at once with no cache all answer, and leave one whole cache', async () => {
    const { dir, file, env } = fresh();
    const runs = await Promise.all(Array.from({ length: 4 }, () => check(env)));
    for (const [i, r] of runs.entries()) same(r, `run ${i}`);
    readHeader(file);
    assert.deepEqual(fs.readdirSync(dir), [path.basename(file)], 'no temporary file left');
  });

  it('off when STACK_DOCTOR_CODE_CACHE=off; in $XDG_CACHE_HOME/stack-doctor/code by default', async () => {
    const home = path.join(tmp, 'xdg');
    same(await check({ ...isolatedPipEnv(), XDG_CACHE_HOME: home, STACK_DOCTOR_CODE_CACHE: 'off' }), 'off');
    assert.ok(!fs.existsSync(home), 'nothing written');
    const env: NodeJS.ProcessEnv = { ...isolatedPipEnv(), XDG_CACHE_HOME: home };
    delete env.STACK_DOCTOR_CODE_CACHE;
    same(await check(env), 'default place');
    readHeader(path.join(home, 'stack-doctor', 'code', `cli-${process.version}-${process.arch}.bin`));
  });

  it('with source maps on, Node loads the bundle itself (stack traces mapped) and no cache is made', async () => {
    const { dir, env } = fresh();
    same(await check({ ...env, NODE_OPTIONS: '--enable-source-maps' }), 'source maps');
    assert.ok(!fs.existsSync(dir));
  });
});
