// A manifest and the lock beside it are one environment set: the pyproject's own set holds its uv.lock, pylock.toml
// and poetry.lock, a set asked for around either file is that one, and a lock with no manifest beside it is a set of
// its own. Editing the pyproject judges drift again without parsing the unchanged lock again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChecks } from '../../server/src/checks/registry';
import type { EnvironmentSet } from '../../server/src/model/sets';
import { FileSets } from '../../server/src/workspace/file-sets';
import { diskSource, type TextSource } from '../../server/src/workspace/text-source';
import { byCode, defaultContext as ctx } from '../helpers/check-kit';

const PYPROJECT = '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["numpy>=1.26"]\n';
const UV_LOCK =
  'version = 1\nrevision = 3\nrequires-python = ">=3.10"\n\n[[package]]\nname = "app"\nversion = "1.0"\n' +
  'source = { editable = "." }\ndependencies = [{ name = "numpy" }]\n\n[package.metadata]\n' +
  'requires-dist = [{ name = "numpy", specifier = ">=1.26" }]\n\n[[package]]\nname = "numpy"\nversion = "1.26.4"\n' +
  'source = { registry = "https://pypi.org/simple" }\n';

describe('environment sets: a lock joins its manifest', () => {
  let root: string;
  const write = (name: string, text: string) => {
    const p = path.join(root, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const rel = (s: EnvironmentSet) => ({
    root: path.relative(root, s.root),
    files: s.files.map((f) => path.relative(root, f.path)),
  });

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-sets-locks-'));
    write('app/pyproject.toml', PYPROJECT);
    write('app/uv.lock', UV_LOCK);
    write('app/pylock.toml', 'lock-version = "1.0"\n\n[[packages]]\nname = "numpy"\nversion = "1.26.4"\n');
    write('app/requirements.txt', 'numpy==1.26.4\n');
    write('orphan/uv.lock', UV_LOCK);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("the pyproject's own set holds the locks beside it; the requirements file's set does not", () => {
    const sets = new FileSets(diskSource, {}).folderSets(path.join(root, 'app')).map(rel);
    assert.deepEqual(sets, [
      { root: 'app/pyproject.toml', files: ['app/pyproject.toml', 'app/pylock.toml', 'app/uv.lock'] },
      { root: 'app/requirements.txt', files: ['app/requirements.txt'] },
    ]);
  });

  it('the sets around the lock and around the pyproject are the same set', () => {
    const fileSets = new FileSets(diskSource, {});
    const viaLock = fileSets.setsContaining(path.join(root, 'app/uv.lock'), 'uv-lock').map(rel);
    const viaManifest = fileSets.setsContaining(path.join(root, 'app/pyproject.toml'), 'pyproject').map(rel);
    assert.deepEqual(viaLock, viaManifest);
    assert.deepEqual(viaLock[0]!.files, ['app/pyproject.toml', 'app/pylock.toml', 'app/uv.lock']);
  });

  it('a lock with no manifest beside it is a set of its own', () => {
    const sets = new FileSets(diskSource, {}).folderSets(path.join(root, 'orphan')).map(rel);
    assert.deepEqual(sets, [{ root: 'orphan/uv.lock', files: ['orphan/uv.lock'] }]);
  });

  it('an edit of the pyproject judges drift again; the unchanged lock is not parsed again', () => {
    const buffers = new Map<string, string>();
    const source: TextSource = { read: (p) => buffers.get(p) ?? diskSource.read(p) };
    const fileSets = new FileSets(source, {});
    const pyproject = path.join(root, 'app/pyproject.toml');
    const lockPath = path.join(root, 'app/uv.lock');
    const lockOf = (sets: EnvironmentSet[]) => sets[0]!.files.find((f) => f.path === lockPath)!;
    const first = fileSets.setsContaining(pyproject, 'pyproject');
    assert.deepEqual(byCode(runChecks(first, ctx), 'lock-drift'), []);
    buffers.set(pyproject, PYPROJECT.replace('numpy>=1.26', 'numpy>=2'));
    const second = fileSets.setsContaining(pyproject, 'pyproject');
    const drift = byCode(runChecks(second, ctx), 'lock-drift');
    assert.equal(drift.length, 1);
    assert.match(drift[0]!.message, /locks numpy 1\.26\.4, outside >=2/);
    // The same parsed model: the parse cache kept it, as the lock's text did not change.
    assert.equal(lockOf(second), lockOf(first));
    assert.notEqual(
      second[0]!.files.find((f) => f.path === pyproject),
      first[0]!.files.find((f) => f.path === pyproject),
    );
  });
});
