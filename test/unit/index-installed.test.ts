// readInstalled against a real venv with a real tiny wheel installed by pip (PIP_CONFIG_FILE=/dev/null), and the zip
// reader on that wheel.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fileSource, findWheelMetadata, readZipDirectory, readZipEntry } from '../../server/src/index/archive';
import { parseCoreMetadata } from '../../server/src/index/core-metadata';
import { InterpreterError, readInstalled } from '../../server/src/index/installed';
import { canonicalizeName } from '../../server/src/pep/name';
import { buildWheel, isolatedPipEnv } from '../helpers/package-index';
import { python3 } from '../../bench/pip';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sd-installed-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a local wheel: METADATA read through the central directory without extracting', async () => {
  const w = buildWheel({ name: 'Tiny_Pkg', version: '0.4.1', dependencies: ['beta>=1; python_version >= "3.8"'] });
  const file = path.join(tmp, w.filename);
  writeFileSync(file, w.bytes);
  const src = await fileSource(file);
  try {
    const entries = await readZipDirectory(src);
    const entry = findWheelMetadata(entries, 'tiny-pkg', canonicalizeName);
    assert.ok(entry);
    const md = parseCoreMetadata((await readZipEntry(src, entry)).toString('utf8'));
    assert.deepEqual(
      [md.name, md.version, md.requiresDist],
      ['Tiny_Pkg', '0.4.1', ['beta>=1; python_version >= "3.8"']],
    );
  } finally {
    await src.close();
  }
});

test('readInstalled: markers and dist-info of a venv with a wheel installed by pip', { timeout: 120_000 }, async () => {
  const venv = path.join(tmp, 'venv');
  execFileSync('python3', ['-m', 'venv', '--without-pip', venv], { timeout: 60_000 });
  const python = path.join(venv, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
  const w = buildWheel({ name: 'Tiny_Pkg', version: '0.4.1' });
  const wheelFile = path.join(tmp, w.filename);
  writeFileSync(wheelFile, w.bytes);
  execFileSync(
    python3(),
    ['-m', 'pip', '--python', python, 'install', '--no-deps', '--no-index', '--no-build-isolation', wheelFile],
    { env: isolatedPipEnv(), timeout: 90_000, stdio: 'pipe' },
  );
  const env = await readInstalled(python);
  const pkg = env.packages.get('tiny-pkg');
  assert.ok(pkg, [...env.packages.keys()].join(','));
  assert.equal(pkg.version, '0.4.1');
  assert.ok(pkg.location.startsWith(venv) && pkg.location.endsWith('.dist-info'));
  const expected = JSON.parse(
    execFileSync(
      python,
      ['-c', 'import json, platform, sys; print(json.dumps([platform.python_version(), sys.platform, sys.prefix]))'],
      { encoding: 'utf8' },
    ),
  ) as string[];
  assert.equal(env.markers['python_full_version'], expected[0]);
  assert.equal(env.markers['sys_platform'], expected[1]);
  assert.equal(env.prefix, expected[2]);
  await assert.rejects(readInstalled(path.join(tmp, 'no-such-python')), InterpreterError);
});
