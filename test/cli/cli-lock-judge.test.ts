// `stack-doctor check` on a uv project judges the locked versions like pins, on the uv.lock entry's version line: a
// locked CUDA build on a machine without a driver, a locked version with an advisory (an OSV folder), a lock that lists
// only cp313 wheels judged for Python 3.11 (over a loopback index, which says the same of the pyproject's line: the
// lock entry alone reports it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, type JsonDiagnostic } from '../helpers/cli';
import { artifact, hosted, pyprojectText, pytorch, root, uvLockText, type UvPackage } from '../helpers/lock-texts';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

/** A uv.lock (version 1, revision 3) of project `demo` that depends on `deps`, with `packages` after it. */
const uvLock = (deps: string[], packages: UvPackage[]) =>
  uvLockText({
    packages: [root('demo', '0.1.0', 'virtual', { dependencies: deps, requiresDist: deps }), ...packages],
  });

const pyproject = (deps: string[]) => pyprojectText('demo', '0.1.0', { requiresPython: '>=3.10', dependencies: deps });

const TORCH_LOCK = uvLock(
  ['torch'],
  [
    {
      name: 'torch',
      version: '2.1.2+cu121',
      source: pytorch('cu121'),
      wheels: [
        artifact(`${pytorch('cu121')}/torch-2.1.2%2Bcu121-cp311-cp311-linux_x86_64.whl`, 'sha256:0a', 2200000000),
      ],
    },
  ],
);

const FLASK_LOCK = uvLock(
  ['flask'],
  [
    {
      name: 'flask',
      version: '2.0.0',
      dependencies: ['jinja2'],
      sdist: hosted('flask-2.0.0.tar.gz', 'sha256:0b', 1),
      wheels: [hosted('flask-2.0.0-py3-none-any.whl', 'sha256:0c', 1)],
    },
    {
      name: 'jinja2',
      version: '2.11.2',
      sdist: hosted('Jinja2-2.11.2.tar.gz', 'sha256:0d', 1),
      wheels: [hosted('Jinja2-2.11.2-py2.py3-none-any.whl', 'sha256:0e', 1)],
    },
  ],
);

const CP313_LOCK = uvLock(
  ['numpy', 'pyyaml'],
  [
    {
      name: 'numpy',
      version: '2.1.0',
      wheels: [hosted('numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.whl', 'sha256:0f', 1)],
    },
    {
      name: 'pyyaml',
      version: '6.0.2',
      sdist: hosted('pyyaml-6.0.2.tar.gz', 'sha256:10', 1),
      wheels: [hosted('PyYAML-6.0.2-cp313-cp313-manylinux_2_17_x86_64.whl', 'sha256:11', 1)],
    },
  ],
);

const OSV = {
  schema_version: '1.6.0',
  id: 'GHSA-aaaa-bbbb-cccc',
  aliases: ['CVE-2024-0001'],
  modified: '2024-01-01T00:00:00Z',
  summary: 'Sandbox escape in templates',
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'Jinja2' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.11.3' }] }],
    },
  ],
};

/** A Linux x86_64 machine with CPython 3.11 and glibc 2.36; `nvidia: null`: probed, no NVIDIA driver. */
const PROFILE = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.36' },
  python: { version: '3.11.7', implementation: 'cpython' },
  nvidia: null,
};

describe('stack-doctor check: locked versions judged like pins', () => {
  let dir: string;
  let index: PackageIndex;
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  /** Each diagnostic as `file:line code`, and the text of its line. */
  const shown = (diagnostics: JsonDiagnostic[], codes: string[]) =>
    diagnostics
      .filter((d) => codes.includes(d.code))
      .map((d) => {
        const line = fs.readFileSync(d.file, 'utf8').split('\n')[d.range.start.line];
        return `${path.basename(d.file)} ${d.code} ${line}`;
      })
      .sort();
  const check = (args: string[]) =>
    checkJson([...args, '--cache-dir', path.join(dir, '.cache'), '--profile', path.join(dir, 'profile.json')], dir, {
      ...isolatedPipEnv(),
    });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-lockjudge-'));
    write('profile.json', JSON.stringify(PROFILE));
    write('torch/pyproject.toml', pyproject(['torch==2.1.2+cu121']));
    write('torch/uv.lock', TORCH_LOCK);
    write('flask/pyproject.toml', pyproject(['flask']));
    write('flask/uv.lock', FLASK_LOCK);
    write('osv/PyPI/GHSA-aaaa-bbbb-cccc.json', JSON.stringify(OSV));
    write('cp313/pyproject.toml', pyproject(['numpy', 'pyyaml']));
    write('cp313/uv.lock', CP313_LOCK);
    index = await startPackageIndex([
      { name: 'numpy', version: '2.1.0', tag: 'cp313-cp313-manylinux_2_17_x86_64' },
      { name: 'PyYAML', version: '6.0.2', tag: 'cp313-cp313-manylinux_2_17_x86_64', sdist: {} },
    ]);
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says cuda-unavailable on the locked torch 2.1.2+cu121 of a machine without a driver, not on the pyproject', async () => {
    const r = await check([path.join(dir, 'torch/pyproject.toml'), '--offline']);
    assert.deepEqual(shown(r.diagnostics, ['cuda-unavailable', 'cuda-driver']), [
      'uv.lock cuda-unavailable version = "2.1.2+cu121"',
    ]);
    const d = r.diagnostics.find((x) => x.code === 'cuda-unavailable')!;
    assert.match(
      d.message,
      /^A CUDA 12\.1 build on the profile profile\.json \(no NVIDIA driver\).*\ntorch 2\.1\.2\+cu121 \(locked in uv\.lock\) is a CUDA 12\.1 build/,
    );
  });

  it('says vulnerable on a locked jinja2 2.11.2 the project pulls in through flask (OSV folder, offline)', async () => {
    const r = await check([path.join(dir, 'flask'), '--offline', '--osv-database', path.join(dir, 'osv')]);
    assert.deepEqual(shown(r.diagnostics, ['vulnerable']), ['uv.lock vulnerable version = "2.11.2"']);
    assert.match(
      r.diagnostics.find((x) => x.code === 'vulnerable')!.message,
      /jinja2 2\.11\.2 \(locked in uv\.lock\) has a known vulnerability: GHSA-aaaa-bbbb-cccc/,
    );
  });

  it('judges a lock with only cp313 wheels for Python 3.11: not-found without an sdist, no-wheel with one', async () => {
    const r = await check([path.join(dir, 'cp313/pyproject.toml'), '--index-url', index.url]);
    assert.deepEqual(shown(r.diagnostics, ['not-found', 'no-wheel']), [
      'uv.lock no-wheel version = "6.0.2"',
      'uv.lock not-found version = "2.1.0"',
    ]);
    assert.equal(r.status, 1);
    assert.match(
      r.diagnostics.find((x) => x.code === 'not-found')!.message,
      /uv\.lock lists no file of numpy 2\.1\.0 that CPython 3\.11 on linux x86_64 can install/,
    );
  });
});
