// The built CLI as a user runs it: exit codes, text/JSON/SARIF output, list, probe, and clear errors.
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

describe('stack-doctor CLI', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-'));
    write('bad/requirements.txt', 'numpy==1.23.5\n-c constraints.txt\nscipy>=1.10\n');
    write('bad/constraints.txt', 'numpy!=1.23.*\n');
    write('good/requirements.txt', 'numpy>=1.24,<2\n-r more.txt\n');
    write('good/more.txt', 'pandas[performance]>=2 ; python_version >= "3.9"\n');
    write(
      'good/pyproject.toml',
      '[project]\nname = "x"\nversion = "1"\ndependencies = ["numpy<1.27"]\n[project.optional-dependencies]\nGPU ' +
        '= ["orjson"]\n[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2.31"\n',
    );
    write(
      'good/environment.yml',
      'name: demo\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy=1.26\n  - pip:\n    - rich>=13\n',
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 1 with a conflict in text form, naming both lines', () => {
    const r = run(['check', 'bad', '--offline'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /bad\/requirements\.txt:1:1: error \[conflict\] numpy/);
    // One finding for the one conflict, the other line under it as related.
    assert.match(r.stdout, /\(line 1\) and numpy!=1\.23\.\* \(constraints\.txt:1\) admit no common version\n/);
    assert.match(r.stdout, /\n {4}bad\/constraints\.txt:1:1: numpy!=1\.23\.\* is declared here\n/);
    assert.match(r.stdout, /1 error, 0 warnings/);
  });

  it('exits 0 on a clean folder', () => {
    const r = run(['check', 'good', '--offline'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Offline with no cached repodata, the environment.yml gets one note that conda's solve did not run.
    assert.match(r.stdout, /0 errors, 0 warnings, 1 other/);
    assert.match(
      r.stdout,
      /information \[index-unreachable\] Stack Doctor could not solve the environment as conda would\n\s+.*not in the cache and Stack Doctor is offline/,
    );
  });

  it('writes the documented JSON with zero-based ranges and fixes', () => {
    const r = run(['check', path.join(dir, 'bad/requirements.txt'), '--format', 'json', '--offline'], dir);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as {
      diagnostics: {
        file: string;
        range: { start: { line: number; character: number } };
        severity: string;
        code: string;
        related: unknown[];
        fixes: { title: string; edits: { newText: string }[] }[];
      }[];
    };
    const onReq = json.diagnostics.find((d) => d.file.endsWith('requirements.txt'))!;
    assert.equal(onReq.code, 'conflict');
    assert.equal(onReq.severity, 'error');
    assert.deepEqual(onReq.range.start, { line: 0, character: 0 });
    assert.equal(onReq.related.length, 1);
    assert.equal(onReq.fixes[0]!.edits[0]!.newText, '!=1.23.*');
  });

  it('writes SARIF 2.1.0', () => {
    const r = run(['check', 'bad', '--format=sarif', '--offline'], dir);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    assert.equal(sarif.version, '2.1.0');
    assert.deepEqual(
      sarif.runs[0]!.results.map((x) => x.ruleId),
      ['conflict'],
    );
    assert.equal(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine, 1);
  });

  it('lists every dependency once, with sections and PEP 440 specifiers', () => {
    const r = run(['list', 'good', '--format', 'json', '--offline'], dir);
    assert.equal(r.code, 0, r.stderr);
    const deps = (
      JSON.parse(r.stdout) as {
        dependencies: {
          file: string;
          name: string;
          specifier: string;
          kind: string;
          section: string | null;
          extras: string[];
          marker: string;
        }[];
      }
    ).dependencies;
    const by = (n: string) => deps.filter((d) => d.name === n);
    assert.equal(by('numpy').length, 3);
    assert.deepEqual(
      by('pandas').map((d) => [d.extras, d.marker, d.section]),
      [[['performance'], 'python_version >= "3.9"', null]],
    );
    assert.deepEqual(
      by('orjson').map((d) => d.section),
      ['project.optional-dependencies.gpu'],
    );
    assert.deepEqual(
      by('requests').map((d) => [d.specifier, d.section]),
      [['>=2.31,<3.0', 'tool.poetry.dependencies']],
    );
    assert.deepEqual(
      by('python').map((d) => d.kind),
      ['conda'],
      'the poetry python entry is the project Python; conda lists python as a package',
    );
    assert.deepEqual(
      by('rich').map((d) => [d.kind, d.section]),
      [['requirement', 'dependencies.pip']],
    );
    assert.deepEqual(
      by('numpy').find((d) => d.kind === 'conda') && by('numpy').find((d) => d.kind === 'conda')!.section,
      'dependencies',
    );
  });

  it('probes this machine', () => {
    const r = run(['probe'], dir);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as { os: string; arch: string; python?: { version: string } };
    assert.equal(p.os, process.platform === 'win32' ? 'windows' : process.platform);
    assert.ok(p.arch);
    assert.match(p.python?.version ?? '', /^3\.\d+/);
  });

  it('fails with exit 2 and one clear line on bad usage and unreadable paths', () => {
    const missing = run(['check', 'nope.txt'], dir);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), "stack-doctor: cannot read 'nope.txt': no such file or directory");
    const opt = run(['check', '--frobnicate'], dir);
    assert.equal(opt.code, 2);
    assert.match(opt.stderr, /unknown option '--frobnicate'/);
    assert.equal(run(['dance'], dir).code, 2);
    assert.equal(run(['check', '--format', 'xml'], dir).code, 2);
    const prof = write('prof.json', '{ not json');
    const badProfile = run(['check', 'good', '--profile', prof], dir);
    assert.equal(badProfile.code, 2);
    assert.match(badProfile.stderr, /not valid JSON/);
  });

  it('evaluates markers for the profile it is given', () => {
    write('m/requirements.txt', 'numpy<2 ; python_version < "3.9"\nnumpy>=2 ; python_version >= "3.9"\n');
    const old = write(
      'py38.json',
      JSON.stringify({ os: 'linux', arch: 'x86_64', python: { version: '3.8.18', implementation: 'cpython' } }),
    );
    assert.equal(run(['check', 'm', '--offline', '--profile', old], dir).code, 0);
    write('m2/requirements.txt', 'numpy<2\nnumpy>=2 ; sys_platform == "linux"\n');
    const linux = run(['check', 'm2', '--offline', '--profile', old], dir);
    assert.equal(linux.code, 1);
    const mac = write(
      'mac.json',
      JSON.stringify({ os: 'darwin', arch: 'arm64', python: { version: '3.12.1', implementation: 'cpython' } }),
    );
    assert.equal(run(['check', 'm2', '--offline', '--profile', mac], dir).code, 0);
  });
});
