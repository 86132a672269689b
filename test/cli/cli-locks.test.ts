// Lock files on the command line: `check` on the pyproject or on its uv.lock reads both and says the drift on the
// pyproject's line; `list` lists the locked entries; a file no row of the file-kind table claims (pixi.toml,
// conda-lock.yml, any other TOML) is refused with exit 2 instead of passing with nothing checked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, runCli } from '../helpers/cli';
import { hosted, oneLine, pyprojectText, root, uvLockText } from '../helpers/lock-texts';

const PYPROJECT = pyprojectText('demo', '0.1.0', { requiresPython: '>=3.10', dependencies: ['numpy>=2'] });

// Made when the project asked for numpy>=1.24: 1.26.4 was locked, which numpy>=2 no longer admits.
const UV_LOCK = uvLockText({
  packages: [
    root('demo', '0.1.0', 'editable', { dependencies: ['numpy'], requiresDist: oneLine('numpy>=1.24') }),
    {
      name: 'numpy',
      version: '1.26.4',
      wheels: [hosted('numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'sha256:00', 1)],
    },
  ],
});

describe('lock files on the command line', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const args = (...files: string[]) => [...files, '--offline', '--cache-dir', path.join(dir, '.cache')];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-locks-'));
    write('proj/pyproject.toml', PYPROJECT);
    write('proj/uv.lock', UV_LOCK);
    // Pipenv's files: dependency files Stack Doctor does not read (yet).
    write('other/Pipfile', '[packages]\nrequests = "*"\n');
    write('other/Pipfile.lock', '{"_meta": {}, "default": {"requests": {"version": "==2.32.3"}}}\n');
    write('other/ruff.toml', 'line-length = 100\n');
    write('other/my-env.yml', 'name: x\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const named of ['pyproject.toml', 'uv.lock'])
    it(`check ${named} reads the manifest and its lock: the drift on the pyproject's line`, async () => {
      const r = await checkJson(args(path.join(dir, 'proj', named)), dir);
      const drift = r.diagnostics.filter((d) => d.code === 'lock-drift');
      assert.equal(drift.length, 1, JSON.stringify(r.diagnostics));
      assert.equal(path.basename(drift[0]!.file), 'pyproject.toml');
      assert.equal(drift[0]!.range.start.line, 4);
      assert.match(drift[0]!.message, /uv\.lock locks numpy 1\.26\.4, outside >=2/);
      assert.equal(path.basename(drift[0]!.related[0]!.file), 'uv.lock');
      assert.equal(drift[0]!.related[0]!.range.start.line, 15);
      assert.deepEqual(
        drift[0]!.fixes.map((f) => f.run),
        ['uv lock'],
      );
      assert.equal(r.status, 1);
    });

  it('list uv.lock lists the locked entries, marked locked', async () => {
    const r = await runCli(['list', path.join(dir, 'proj/uv.lock'), '--format', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const deps = (JSON.parse(r.stdout) as { dependencies: Record<string, unknown>[] }).dependencies;
    assert.deepEqual(
      deps.map((d) => [d.name, d.version, d.locked, d.source]),
      [
        ['demo', '0.1.0', true, 'editable .'],
        ['numpy', '1.26.4', true, 'index https://pypi.org/simple'],
      ],
    );
    const text = await runCli(['list', path.join(dir, 'proj')], dir);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^numpy>=2 {2}proj\/pyproject\.toml:5 \(requirement, project\.dependencies\)$/m);
    assert.match(text.stdout, /^numpy==1\.26\.4 {2}proj\/uv\.lock:16 \(locked, index https:\/\/pypi\.org\/simple\)$/m);
  });

  for (const named of ['Pipfile', 'Pipfile.lock', 'ruff.toml'])
    it(`check ${named}: no row reads it, so exit 2 and a message, never a silent pass`, async () => {
      const r = await runCli(['check', ...args(path.join(dir, 'other', named))], dir);
      assert.equal(r.status, 2, r.stdout);
      assert.match(
        r.stderr,
        new RegExp(`'[^']*${named.replace('.', '\\.')}' is not a dependency file Stack Doctor reads`),
      );
      assert.equal(r.stdout, '');
    });

  it('a YAML conda environment of any name is still read when named', async () => {
    const r = await checkJson(args(path.join(dir, 'other/my-env.yml')), dir);
    assert.ok(r.status === 0 || r.status === 1);
  });
});
