// What a CLI check of a new file over a warm index cache loads of Node itself: the built-in modules a run pays for on
// every start (streams and readline through fs.promises' FileHandle, node:net through node:tty, perf_hooks through the
// global `performance`) stay unloaded when nothing needs them, and the findings are the same as ever.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkJson } from '../helpers/cli';
import { indexFixture, isolatedPipEnv, type PackageIndex } from '../helpers/package-index';

const PROFILE = path.resolve('test/fixtures/profiles/laptop-no-gpu.json');

const { tmp, serve } = indexFixture(
  'sd-cli-start-cost-',
  [
    { name: 'numpy', version: '1.24.3' },
    { name: 'numpy', version: '1.26.4' },
    { name: 'tensorflow', version: '2.13.0', dependencies: ['numpy>=1.22,<1.25'] },
    { name: 'requests', version: '2.31.0', dependencies: ['idna>=2.5'] },
    { name: 'idna', version: '3.6' },
  ],
  after,
);

/** Built-in modules a check that resolves over the disk cache has no use for. */
const UNNEEDED = [
  'NativeModule internal/fs/promises',
  'NativeModule internal/readline/interface',
  'NativeModule tty',
  'NativeModule net',
  'NativeModule perf_hooks',
  'NativeModule internal/perf/performance',
];

describe('a CLI check of a new file over a warm index cache', () => {
  let index: PackageIndex;
  const cache = () => path.join(tmp, 'cache');
  /** `check` of `text` as requirements.txt in a new folder; with `loaded`, the built-ins loaded are written there. */
  const check = (name: string, text: string, loaded?: string) => {
    const env = { ...isolatedPipEnv(), STACK_DOCTOR_CODE_CACHE: path.join(tmp, 'code') };
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'requirements.txt'), text);
    return checkJson(
      ['requirements.txt', '--index-url', index.url, '--cache-dir', cache(), '--profile', PROFILE],
      dir,
      loaded ? { ...env, SD_LOADED_LIST: loaded } : env,
      loaded ? ['--require', path.join(tmp, 'loaded.js')] : [],
    ).then((r) => ({ ...r, stdout: r.stdout.replaceAll(dir, '<dir>') }));
  };

  before(async () => {
    index = await serve();
    // Preloaded into the CLI: at exit, the modules the process loaded, one a line.
    fs.writeFileSync(
      path.join(tmp, 'loaded.js'),
      `process.on('exit', () => require('node:fs').writeFileSync(process.env.SD_LOADED_LIST ?? '', ` +
        `process.moduleLoadList.join('\\n')));\n`,
    );
  });

  it('loads neither fs.promises, node:tty and node:net nor perf_hooks, and its findings are unchanged', async () => {
    const text = 'tensorflow==2.13.0\nnumpy>=1.26\nrequests\n';
    // The index answers reach the shared cache folder; the next file's findings are not in the result cache.
    const first = await check('first', text);
    assert.equal(first.status, 1);
    assert.ok(
      first.diagnostics.some((d) => d.code === 'conflict-transitive'),
      first.stdout,
    );
    const requests = index.requests.length;
    const list = path.join(tmp, 'loaded.txt');
    const fresh = await check('new-file', `${text}# a new file\n`, list);
    assert.equal(fresh.stdout, first.stdout, 'the same findings');
    assert.equal(fresh.stderr, '');
    assert.equal(index.requests.length, requests, 'answered from the warm cache, no request');
    const loaded = fs.readFileSync(list, 'utf8').split('\n');
    assert.ok(loaded.includes('NativeModule fs'), 'the list is the process module list');
    assert.deepEqual(
      UNNEEDED.filter((m) => loaded.includes(m)),
      [],
      'built-in modules the check does not need',
    );
  });
});
