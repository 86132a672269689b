// conda environment files known by their content on the command line: a folder argument lists `conda.yaml`,
// `env.gpu.yml` and the like beside the named ones, and no YAML file of another tool.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, runCli } from '../helpers/cli';

describe('conda environments by content, from a folder argument', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  const env = (pip: string) =>
    `name: demo\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - numpy>=2\n  - pip:\n    - ${pip}\n`;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-conda-content-'));
    write('proj/conda.yaml', env('numpy<1.20'));
    write('proj/environment_pt260cu126.yaml', env('numpy<1.19'));
    write('proj/env/SE3nv.yml', env('numpy<1.18'));
    write('proj/docker-compose.yml', 'services:\n  app:\n    image: python:3.11\n    depends_on:\n      - db\n');
    write('proj/mkdocs.yml', 'site_name: Demo\nnav:\n  - Home: index.md\n');
    write(
      'proj/conda-lock.yml',
      'version: 1\nmetadata:\n  platforms:\n  - linux-64\n  sources:\n  - environment.yml\npackage:\n- name: numpy\n  version: 1.26.4\n' +
        '  manager: conda\n  platform: linux-64\n  dependencies:\n    python: ">=3.11"\n',
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('check FOLDER judges the environment files of any name, and no other YAML', async () => {
    const r = await checkJson([path.join(dir, 'proj'), '--offline', '--cache-dir', path.join(dir, '.cache')], dir);
    const files = [...new Set(r.diagnostics.filter((d) => d.code === 'conflict').map((d) => path.basename(d.file)))];
    assert.deepEqual(files.sort(), ['conda.yaml', 'environment_pt260cu126.yaml']);
    assert.deepEqual(
      r.diagnostics.filter((d) => /docker-compose|mkdocs|conda-lock/.test(d.file)),
      [],
    );
    assert.equal(r.status, 1);
    const sub = await checkJson(
      [path.join(dir, 'proj/env'), '--offline', '--cache-dir', path.join(dir, '.cache')],
      dir,
    );
    assert.ok(
      sub.diagnostics.some((d) => d.code === 'conflict' && path.basename(d.file) === 'SE3nv.yml'),
      JSON.stringify(sub.diagnostics),
    );
  });

  it('list FOLDER lists their dependencies', async () => {
    const r = await runCli(['list', path.join(dir, 'proj'), '--format', 'json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const deps = (JSON.parse(r.stdout) as { dependencies: { file: string; name: string; section: string }[] })
      .dependencies;
    // conda-lock.yml is a lock (its locked entries are listed), never read as an environment.
    assert.deepEqual([...new Set(deps.map((d) => path.basename(d.file)))].sort(), [
      'conda-lock.yml',
      'conda.yaml',
      'environment_pt260cu126.yaml',
    ]);
    assert.ok(deps.some((d) => d.name === 'numpy' && d.section === 'dependencies.pip'));
  });
});
