// lock-drift, the names-and-versions rule every lock format shares: a requirement the lock has no entry for, or whose
// locked versions its specifier excludes, is said on the manifest's line with the lock entry related.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import type { LockedPackage, LockInfo, ParsedFile } from '../../../server/src/model/types';
import { parsePyproject } from '../../../server/src/parsers/pyproject';
import { byCode, defaultContext as ctx } from '../../helpers/check-kit';
import { setOf } from '../../helpers/sets';

const LOCK = '/w/uv.lock';

/** A lock file's model as a parser would build it, each entry on its own line of a made-up text. */
function lockOf(format: LockInfo['format'], entries: [string, string, string?][], universal = true): ParsedFile {
  let text = '';
  const packages: LockedPackage[] = entries.map(([name, version, marker]) => {
    const start = text.length;
    text += `${name} ${version}\n`;
    return {
      file: LOCK,
      ecosystem: 'pypi',
      name,
      rawName: name,
      version,
      source: { kind: 'index', url: 'https://pypi.org/simple' },
      marker: marker ?? '',
      dependencies: [],
      wheels: [],
      sdist: true,
      span: { start, end: text.length - 1 },
      nameSpan: { start, end: start + name.length },
      versionSpan: { start: start + name.length + 1, end: text.length - 1 },
    };
  });
  return {
    path: LOCK,
    kind: 'pyproject',
    text,
    dependencies: [],
    includes: [],
    options: [],
    findings: [],
    lock: { format, version: '1', requiresPython: '>=3.10', universal, packages },
  };
}

const manifest = (deps: string) =>
  parsePyproject('/w/pyproject.toml', `[project]\nname = "app"\nversion = "1"\ndependencies = [${deps}]\n`);

const at = (f: ParsedFile, span: { start: number; end: number }) => f.text.slice(span.start, span.end);

describe('lock-drift (names and versions)', () => {
  it('says nothing when every requirement has a locked version it admits', () => {
    const s = setOf(
      manifest('"numpy>=1.26", "requests"'),
      lockOf('uv', [
        ['numpy', '1.26.4'],
        ['requests', '2.32.3'],
      ]),
    );
    assert.deepEqual(byCode(runChecks([s], ctx), 'lock-drift'), []);
  });

  it('flags a requirement whose locked version its specifier excludes, on the specifier, the entry related', () => {
    const m = manifest('"numpy>=2", "requests"');
    const s = setOf(
      m,
      lockOf('uv', [
        ['numpy', '1.26.4'],
        ['requests', '2.32.3'],
      ]),
    );
    const [f, ...rest] = byCode(runChecks([s], ctx), 'lock-drift');
    assert.equal(rest.length, 0);
    assert.equal(f!.file, m.path);
    assert.equal(at(m, f!.span), '>=2');
    assert.match(f!.message, /^uv\.lock locks numpy 1\.26\.4, outside >=2/);
    assert.deepEqual(
      f!.related.map((r) => [r.file, at(s.files[1]!, r.span)]),
      [[LOCK, 'numpy 1.26.4']],
    );
    assert.deepEqual(
      f!.fixes.map((x) => x.run),
      ['uv lock'],
    );
  });

  it('flags a requirement the lock has no entry for, on its name', () => {
    const m = manifest('"numpy", "rich>=13"');
    const s = setOf(m, lockOf('poetry', [['numpy', '2.1.0']]));
    const found = byCode(runChecks([s], ctx), 'lock-drift');
    assert.deepEqual(
      found.map((f) => [at(m, f.span), f.fixes[0]?.run]),
      [['rich', 'poetry lock']],
    );
  });

  it('is satisfied when one of several forked entries admits the specifier (a lock forks by platform)', () => {
    const s = setOf(
      manifest('"numpy<2"'),
      lockOf('uv', [
        ['numpy', '2.1.0', "python_full_version >= '3.12'"],
        ['numpy', '1.26.4', "python_full_version < '3.12'"],
      ]),
    );
    assert.deepEqual(byCode(runChecks([s], ctx), 'lock-drift'), []);
  });

  it('holds a lock made for one environment only to the requirements whose marker holds on the target', () => {
    const m = manifest(`"pywin32; sys_platform == 'win32'", "numpy"`);
    const single = setOf(m, lockOf('pylock', [['numpy', '2.1.0']], false));
    assert.deepEqual(byCode(runChecks([single], ctx), 'lock-drift'), []);
    const universal = setOf(m, lockOf('uv', [['numpy', '2.1.0']], true));
    assert.deepEqual(
      byCode(runChecks([universal], ctx), 'lock-drift').map((f) => at(m, f.span)),
      ['pywin32'],
    );
  });

  it('judges nothing without a manifest in the set', () => {
    assert.deepEqual(byCode(runChecks([setOf(lockOf('uv', [['numpy', '1.0']]))], ctx), 'lock-drift'), []);
  });
});
