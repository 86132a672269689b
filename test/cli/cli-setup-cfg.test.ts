// setup.cfg as a project's manifest, over a loopback index: read like a pyproject's [project] table, a set of its
// own and joined by reference (`-e .`), and, beside a pyproject.toml with a [project] table, read only for the fields
// that table's `dynamic` lists (setuptools' rule: fields given outside pyproject.toml and not listed there are
// ignored).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, runCli, type JsonDiagnostic } from '../helpers/cli';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

describe('setup.cfg over a loopback index', () => {
  let index: PackageIndex;
  let dir: string;
  const check = async (target: string) => {
    const r = await checkJson([target, '--index-url', index.url, '--cache-dir', path.join(dir, '.cache')], dir);
    return { code: r.status, diagnostics: r.diagnostics };
  };
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  const show = (ds: JsonDiagnostic[]) =>
    JSON.stringify(ds.map((d) => [d.code, path.basename(d.file), d.range.start.line, d.message]));
  // Where findings of a code take part (zero-based lines): a cause is one finding, its other lines related.
  const at = (ds: JsonDiagnostic[], code: string) =>
    [
      ...new Set(
        ds
          .filter((d) => d.code === code)
          .flatMap((d) => [d, ...d.related])
          .map((d) => `${path.basename(d.file)}:${d.range.start.line}`),
      ),
    ].sort();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-setupcfg-'));
    index = await startPackageIndex([
      { name: 'numpy', version: '1.23.5' },
      { name: 'numpy', version: '1.26.4' },
      { name: 'oldlib', version: '1.0', dependencies: ['numpy<1.24'] },
      { name: 'requests', version: '2.31.0' },
      { name: 'rich', version: '13.0.0' },
    ]);
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const CFG = [
    '[metadata]', // 0
    'name = demo',
    '',
    '[options]', // 3
    'python_requires = >=3.8',
    'install_requires =', // 5
    '    oldlib==1.0', // 6
    '    # numpy is pinned by the application',
    '    numpy>=1.26', // 8
    '',
    '[options.extras_require]', // 10
    'cli = rich>=13; nosuchpkg', // 11
    '',
  ].join('\n');

  it('judges a setup.cfg as a set of its own: its lines, its extras, with exact places', async () => {
    write('alone/setup.cfg', CFG);
    const { code, diagnostics } = await check('alone');
    assert.equal(code, 1, show(diagnostics));
    assert.deepEqual(at(diagnostics, 'conflict-transitive'), ['setup.cfg:6', 'setup.cfg:8'], show(diagnostics));
    assert.deepEqual(at(diagnostics, 'not-found'), ['setup.cfg:11'], show(diagnostics));
    const nf = diagnostics.find((d) => d.code === 'not-found')!;
    assert.equal(nf.range.start.character, 'cli = rich>=13; '.length);
    assert.match(nf.message, /nosuchpkg.*extra 'cli'/);
  });

  it('joins the set of a requirements file whose `-e .` installs the project, with the extras named there', async () => {
    write('joined/setup.cfg', CFG.replace('oldlib==1.0', 'requests'));
    write('joined/setup.py', 'from setuptools import setup\nsetup()\n');
    write('joined/requirements.txt', '-e .[cli]\nnumpy<1.24\n');
    const { code, diagnostics } = await check('joined/requirements.txt');
    assert.equal(code, 1, show(diagnostics));
    // numpy<1.24 here against numpy>=1.26 in setup.cfg: a direct conflict across the two files.
    assert.deepEqual(at(diagnostics, 'conflict'), ['requirements.txt:1', 'setup.cfg:8'], show(diagnostics));
    assert.deepEqual(at(diagnostics, 'not-found'), ['setup.cfg:11'], show(diagnostics));
  });

  it("beside a pyproject's [project], only the fields its dynamic lists are read from setup.cfg", async () => {
    write('static/setup.cfg', CFG);
    write('static/pyproject.toml', '[project]\nname = "demo"\nversion = "1"\ndependencies = ["requests"]\n');
    const fixed = await check('static');
    assert.equal(fixed.code, 0, show(fixed.diagnostics));
    const note = fixed.diagnostics.filter((d) => path.basename(d.file) === 'setup.cfg');
    assert.deepEqual(
      note.map((d) => [d.severity, d.range.start.line]),
      [['information', 6]],
      show(fixed.diagnostics),
    );
    assert.match(note[0]!.message, /ignores install_requires and extras_require/);

    write('dynamic/setup.cfg', CFG);
    write(
      'dynamic/pyproject.toml',
      '[project]\nname = "demo"\nversion = "1"\ndynamic = ["dependencies"]\n[project.optional-dependencies]\ncli = ["rich"]\n',
    );
    const dyn = await check('dynamic');
    assert.deepEqual(at(dyn.diagnostics, 'conflict-transitive'), ['setup.cfg:6', 'setup.cfg:8'], show(dyn.diagnostics));
    assert.deepEqual(at(dyn.diagnostics, 'not-found'), [], show(dyn.diagnostics));
  });

  it('lists setup.cfg entries with their sections', async () => {
    write('list/setup.cfg', CFG);
    const r = await runCli(['list', 'list', '--format', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const deps = (JSON.parse(r.stdout) as { dependencies: { name: string; section: string }[] }).dependencies;
    assert.deepEqual(
      deps.map((d) => [d.name, d.section]),
      [
        ['oldlib', 'options.install_requires'],
        ['numpy', 'options.install_requires'],
        ['rich', 'options.extras_require.cli'],
        ['nosuchpkg', 'options.extras_require.cli'],
      ],
    );
  });
});
