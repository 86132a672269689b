// uv's resolution settings in a pyproject, judged over a loopback index: `override-dependencies` replace every
// requirement on a name (transitive ones included), `constraint-dependencies` narrow without adding, `conflicts`
// declares extras or groups that are never installed together, and every extra and group of a uv project is
// otherwise resolved together (uv's docs: docs/concepts/resolution.md, "Dependency overrides", "Dependency
// constraints", "Conflicting dependencies"; docs/concepts/projects/dependencies.md, "Dependency groups").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { causeLines, checkJson, type JsonDiagnostic } from '../helpers/cli';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

describe('uv resolution settings over a loopback index', () => {
  let index: PackageIndex;
  let dir: string;
  const check = async (folder: string) => {
    const r = await checkJson([folder, '--index-url', index.url, '--cache-dir', path.join(dir, '.cache')], dir);
    return { code: r.status, diagnostics: r.diagnostics };
  };
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  // The lines (zero-based) findings of a code take part in: a cause is one finding, its other lines related.
  const lines = (ds: JsonDiagnostic[], code: string) => causeLines(ds.filter((d) => d.code === code)).map((l) => l - 1);
  const show = (ds: JsonDiagnostic[]) => JSON.stringify(ds.map((d) => [d.code, d.range.start.line, d.message]));

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-uv-'));
    index = await startPackageIndex([
      { name: 'numpy', version: '1.23.5' },
      { name: 'numpy', version: '1.26.4' },
      { name: 'numpy', version: '2.0.0' },
      { name: 'oldlib', version: '1.0', dependencies: ['numpy>=1.20,<1.24'] },
      { name: 'needs-six', version: '1.0', dependencies: ['six>=1.5'] },
      { name: 'protobuf', version: '3.20.3' },
      { name: 'protobuf', version: '4.25.0' },
      { name: 'grpc-tools', version: '1.0', dependencies: ['protobuf<4'] },
      { name: 'urllib3', version: '1.26.18' },
      { name: 'urllib3', version: '2.2.0' },
      { name: 'botocore', version: '1.0', dependencies: ['urllib3<2'] },
      { name: 'six', version: '1.16.0' },
      { name: 'python-dateutil', version: '2.8.2', dependencies: ['six>=1.5'] },
      { name: 'pydantic', version: '1.10.0' },
      { name: 'pydantic', version: '2.5.0' },
      { name: 'fastapi-old', version: '0.1', dependencies: ['pydantic<2'] },
      { name: 'linuxonly', version: '1.0', tag: 'py3-none-manylinux_2_17_x86_64' },
      { name: 'everywhere', version: '1.0', tag: 'py3-none-any' },
      { name: 'buildable', version: '1.0', tag: 'py3-none-manylinux_2_17_x86_64', sdist: {} },
    ]);
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // "uv will ignore all declared requirements on `pydantic`, replacing them with the override" (resolution.md):
  // the override on numpy replaces both `numpy>=1.25` and oldlib's `numpy<1.24`, so that conflict is gone; no numpy
  // satisfies it, which is an error on the override line; the two other conflicts stay (before, the override's
  // failure hid all three: exit 0, no finding).
  it('an override that no version satisfies is an error on its line, and every other conflict stays', async () => {
    write(
      'over/pyproject.toml',
      [
        '[project]', // 0
        'name = "demo"',
        'version = "0.1"',
        'dependencies = [',
        '  "oldlib==1.0",', // 4
        '  "numpy>=1.25",', // 5
        '  "grpc-tools==1.0",', // 6
        '  "protobuf>=4",', // 7
        '  "botocore==1.0",', // 8
        '  "urllib3>=2",', // 9
        '  "python-dateutil",', // 10
        ']',
        '[tool.uv]',
        'override-dependencies = [', // 13
        '  "numpy>=99",', // 14
        ']',
        '',
      ].join('\n'),
    );
    const { code, diagnostics } = await check('over');
    assert.equal(code, 1, show(diagnostics));
    assert.deepEqual(lines(diagnostics, 'conflict-transitive'), [6, 7, 8, 9], show(diagnostics));
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(
      errors.filter((d) => d.code !== 'conflict-transitive').map((d) => [d.code, d.range.start.line]),
      [['not-found', 14]],
      show(diagnostics),
    );
    assert.match(errors.find((d) => d.code === 'not-found')!.message, /override.*numpy|numpy.*override/);
  });

  // "if `pydantic>=1.0,<3` is included as an override, uv will ignore all declared requirements on `pydantic`"
  // (resolution.md): fastapi-old's `pydantic<2` no longer holds pydantic back, and the project's own line is replaced
  // too, so neither a transitive nor a direct conflict remains.
  it('an override removes the conflicts it replaces, direct and transitive', async () => {
    const text = (overrides: string) =>
      [
        '[project]',
        'name = "demo"',
        'version = "0.1"',
        'dependencies = ["fastapi-old==0.1", "pydantic>=2", "numpy<1"]',
        '[tool.uv]',
        `override-dependencies = [${overrides}]`,
        '',
      ].join('\n');
    write('without/pyproject.toml', text(''));
    const without = await check('without');
    assert.deepEqual(lines(without.diagnostics, 'conflict-transitive'), [3], show(without.diagnostics));
    write('with/pyproject.toml', text('"pydantic>=2", "numpy>=1.26"'));
    const withOverride = await check('with');
    assert.equal(withOverride.code, 0, show(withOverride.diagnostics));
    assert.deepEqual(withOverride.diagnostics, []);
  });

  // "constraints only take effect if a requested package is already pulled in as a direct or transitive
  // dependency" (resolution.md, "Dependency constraints").
  it('constraint-dependencies narrow what is required and add nothing', async () => {
    write(
      'cons/pyproject.toml',
      [
        '[project]',
        'name = "demo"',
        'version = "0.1"',
        'dependencies = ["python-dateutil"]',
        '[tool.uv]',
        'constraint-dependencies = ["six<1", "urllib3==9.9"]', // 5
        '',
      ].join('\n'),
    );
    const { code, diagnostics } = await check('cons');
    assert.equal(code, 1, show(diagnostics));
    // six<1 narrows python-dateutil's six>=1.5 to nothing; urllib3, which nothing requires, is not looked up.
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['conflict-transitive'],
      show(diagnostics),
    );
    assert.deepEqual(lines(diagnostics, 'conflict-transitive'), [3, 5], show(diagnostics));
    assert.match(diagnostics[0]!.message, /six/);
  });

  // "uv requires that all dependency groups are compatible with each other and resolves all groups together when
  // creating the lockfile" (dependencies.md); with `conflicts`, "uv will resolve them separately" (resolution.md).
  it("resolves a uv project's extras and groups together, and declared alternatives each on its own", async () => {
    const text = (conflicts: string) =>
      [
        '[project]',
        'name = "demo"',
        'version = "0.1"',
        'dependencies = ["six"]',
        '[project.optional-dependencies]',
        'legacy = ["oldlib==1.0"]', // 5
        '[dependency-groups]',
        'modern = ["numpy>=1.26"]', // 7
        '[tool.uv]',
        conflicts,
        '',
      ].join('\n');
    write('together/pyproject.toml', text(''));
    const together = await check('together');
    assert.equal(together.code, 1, show(together.diagnostics));
    assert.deepEqual(lines(together.diagnostics, 'conflict-transitive'), [5, 7], show(together.diagnostics));
    assert.match(together.diagnostics[0]!.message, /extra 'legacy' and dependency group 'modern' \(uv resolves/);
    write('apart/pyproject.toml', text('conflicts = [[{ extra = "legacy" }, { group = "modern" }]]'));
    const apart = await check('apart');
    assert.equal(apart.code, 0, show(apart.diagnostics));
    assert.deepEqual(apart.diagnostics, []);
  });

  // "`required-environments = [\"sys_platform == 'darwin'\"]` would _require_ that any package without a source
  // distribution include a wheel for macOS in order to be installable" (resolution.md, "Required environments").
  it('a wheel-only release without a wheel for a required environment is an error naming it', async () => {
    write(
      'required/pyproject.toml',
      [
        '[project]',
        'name = "demo"',
        'version = "0.1"',
        'dependencies = ["linuxonly==1.0", "everywhere==1.0", "buildable==1.0"]', // 3
        '[tool.uv]',
        'required-environments = [',
        "  \"sys_platform == 'darwin' and platform_machine == 'arm64'\",", // 6
        '  "sys_platform == \'linux\'",', // 7
        ']',
        '',
      ].join('\n'),
    );
    const { code, diagnostics } = await check('required');
    assert.equal(code, 1, show(diagnostics));
    const nw = diagnostics.filter((d) => d.code === 'no-wheel');
    assert.equal(nw.length, 1, show(diagnostics));
    assert.equal(nw[0]!.severity, 'error');
    assert.equal(nw[0]!.range.start.character, 'dependencies = ["'.length);
    assert.match(nw[0]!.message, /linuxonly 1\.0 .*sys_platform == "darwin" and platform_machine == "arm64"/);
    assert.deepEqual(
      nw[0]!.related.map((r) => r.range.start.line),
      [6],
    );
  });
});
