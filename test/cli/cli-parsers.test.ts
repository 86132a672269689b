// The built CLI on files that real projects write: a PowerShell freeze file, Poetry
// extras, self-referencing extras, conda specs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve('dist/cli.js');
function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Listed {
  name: string;
  specifier: string;
  section: string | null;
  optional?: boolean;
  self?: boolean;
  extras?: string[];
  conda?: { version: string };
  specifierUnknown?: boolean;
}

describe('stack-doctor on real-shaped files', () => {
  let dir: string;
  const write = (name: string, data: string | Buffer) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-parsers-'));
    // `pip freeze > requirements.txt` in Windows PowerShell 5: UTF-16 LE with a BOM and CRLF.
    write(
      'freeze/requirements.txt',
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from('numpy==1.26.4\r\nnumpy==1.26.4\r\ntorch==2.1.2\r\n', 'utf16le'),
      ]),
    );
    write(
      'freeze-bad/requirements.txt',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('numpy==1.26.4\r\nnumpy<1.26\r\n', 'utf16le')]),
    );
    write(
      'agent/pyproject.toml',
      '[tool.poetry]\nname = "agent"\nversion = "1"\n[tool.poetry.dependencies]\npython ' +
        '= "^3.10"\nopenai = ">=1.6"\nlegacy-openai = { ' +
        'version = "<1", optional = true }\nchromadb = { version = "^0.4", ' +
        'optional = true }\n[tool.poetry.extras]\nstores = ["chromadb"]\n',
    );
    write(
      'robot/pyproject.toml',
      '[project]\nname = "robot"\nversion = "1"\ndependencies = ' +
        '["numpy>=1.26"]\n[project.optional-dependencies]\ndataset ' +
        '= ["datasets>=2"]\naloha = ["gym-aloha", "robot[dataset]"]\nall = ["robot[aloha]", "robot[dataset]"]\n',
    );
    write(
      'odd/pyproject.toml',
      '[project]\nname = "Odd_Formatting"\nversion = "1"\n[project.optional-dependencies]\nextra-a = ["requests"]\n' +
        'all = ["odd-formatting[extra-a]", "rich>=13"]\n',
    );
    write(
      'rapids/environment.yml',
      'name: rapids\ndependencies:\n  - numpy>=1.23,<3.0a0\n  - gcc_linux-64=13.*\n  - blas 1.0|1.1\n',
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a UTF-16 requirements file as pip does', () => {
    const r = run(['list', 'freeze', '--format', 'json', '--offline'], dir);
    assert.equal(r.code, 0, r.stderr);
    const deps = (JSON.parse(r.stdout) as { dependencies: Listed[] }).dependencies;
    assert.deepEqual(
      deps.map((d) => [d.name, d.specifier]),
      [
        ['numpy', '==1.26.4'],
        ['numpy', '==1.26.4'],
        ['torch', '==2.1.2'],
      ],
    );
    const check = run(['check', 'freeze-bad', '--offline'], dir);
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stdout, /\[conflict\] numpy/);
    assert.doesNotMatch(check.stdout, /UTF-8|decode/);
  });

  it('lists Poetry optional dependencies as optional', () => {
    const r = run(['list', 'agent', '--format', 'json', '--offline'], dir);
    assert.equal(r.code, 0, r.stderr);
    const deps = (JSON.parse(r.stdout) as { dependencies: Listed[] }).dependencies;
    assert.deepEqual(
      deps.map((d) => [d.name, d.optional ?? false]),
      [
        ['openai', false],
        ['legacy-openai', true],
        ['chromadb', true],
      ],
    );
  });

  it('reports no duplicates for extras that name the project, and lists every entry, self-references marked', () => {
    const check = run(['check', 'robot', '--offline'], dir);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const deps = (
      JSON.parse(run(['list', 'robot', '--format', 'json', '--offline'], dir).stdout) as { dependencies: Listed[] }
    ).dependencies;
    assert.deepEqual(
      deps.map((d) => [d.name, d.extras, d.section, d.self ?? false]),
      [
        ['numpy', [], 'project.dependencies', false],
        ['datasets', [], 'project.optional-dependencies.dataset', false],
        ['gym-aloha', [], 'project.optional-dependencies.aloha', false],
        ['robot', ['dataset'], 'project.optional-dependencies.aloha', true],
        ['robot', ['aloha'], 'project.optional-dependencies.all', true],
        ['robot', ['dataset'], 'project.optional-dependencies.all', true],
      ],
    );
  });

  it('lists a self-reference whose project name is written otherwise, in text too', () => {
    const json = run(['list', 'odd', '--format', 'json', '--offline'], dir);
    assert.equal(json.code, 0, json.stderr);
    const deps = (JSON.parse(json.stdout) as { dependencies: Listed[] }).dependencies;
    assert.deepEqual(
      deps.map((d) => [d.name, d.extras, d.specifier, d.self ?? false]),
      [
        ['requests', [], '', false],
        ['odd-formatting', ['extra-a'], '', true],
        ['rich', [], '>=13', false],
      ],
    );
    const text = run(['list', 'odd', '--offline'], dir);
    assert.match(text.stdout, /^odd-formatting\[extra-a\] {2}\S*pyproject\.toml:\d+ \(.*self-reference\)$/m);
    assert.match(text.stdout, /^rich>=13 {2}/m);
  });

  it('lists conda names and specs as conda reads them', () => {
    const r = run(['list', 'rapids', '--format', 'json', '--offline'], dir);
    assert.equal(r.code, 0, r.stderr);
    const deps = (JSON.parse(r.stdout) as { dependencies: Listed[] }).dependencies;
    assert.deepEqual(
      deps.map((d) => [d.name, d.specifier, d.conda?.version, d.specifierUnknown ?? false]),
      [
        ['numpy', '>=1.23,<3.0a0', '>=1.23,<3.0a0', false],
        ['gcc_linux-64', '==13.*', '13.*', false],
        ['blas', '', '1.0|1.1', true],
      ],
    );
    const text = run(['list', 'rapids', '--offline'], dir);
    assert.match(text.stdout, /^blas 1\.0\|1\.1 {2}/m);
  });
});
