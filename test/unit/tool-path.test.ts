// Where the lock fix finds uv, poetry or pixi: the first absolute PATH entry that holds it, never a relative entry
// (the opened folder), with PATHEXT's extensions on Windows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findOnPath } from '../../client/src/environments/tool-path';

describe('findOnPath', () => {
  const files =
    (...paths: string[]) =>
    (f: string) =>
      paths.includes(f);

  it('finds the first absolute PATH entry holding the tool; skips relative and empty entries', () => {
    const ctx = {
      platform: 'linux' as const,
      env: { PATH: 'bin::./tools:/opt/uv/bin:/usr/bin' },
      isFile: files('bin/uv', './tools/uv', '/opt/uv/bin/uv', '/usr/bin/uv'),
    };
    assert.equal(findOnPath('uv', ctx), '/opt/uv/bin/uv');
    assert.equal(findOnPath('poetry', ctx), undefined);
    // A name with a folder or shell characters in it is no tool name.
    assert.equal(findOnPath('../uv', ctx), undefined);
    assert.equal(findOnPath('uv;rm', ctx), undefined);
  });

  it('on Windows: Path in any case, PATHEXT extensions, quoted entries', () => {
    const ctx = {
      platform: 'win32' as const,
      env: { Path: '.;"C:\\Users\\me\\.local\\bin";C:\\Windows', PATHEXT: '.COM;.EXE' },
      isFile: files('.\\uv.exe', 'C:\\Users\\me\\.local\\bin\\uv.exe'),
    };
    assert.equal(findOnPath('uv', ctx), 'C:\\Users\\me\\.local\\bin\\uv.exe');
  });
});
