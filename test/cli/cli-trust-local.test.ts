// The built CLI run from inside a hostile repository: no file of the working folder is imported by the interpreters the
// machine probe runs (`platform.py`, and `json.py`/`os.py`-style modules that shadow the standard library).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { isolatedPipEnv } from '../helpers/package-index';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server';

/** Python modules that write a marker file named after themselves when imported, then behave as an empty module. */
export function plantShadowModules(dir: string, names: readonly string[]): void {
  for (const n of names)
    fs.writeFileSync(
      path.join(dir, `${n}.py`),
      `open(${JSON.stringify(path.join(dir, `MARKER-${n}`))}, 'w').close()\nraise SystemExit(0)\n`,
    );
}

export function markers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('MARKER-'));
}

describe('stack-doctor CLI in a hostile working folder', () => {
  let dir: string;
  let cache: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-trust-local-'));
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-trust-local-cache-'));
    plantShadowModules(dir, ['platform', 'json', 'site', 'sysconfig']);
    fs.writeFileSync(path.join(dir, 'requirements.txt'), 'numpy==1.26.4\n');
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('`check` from the repository root imports nothing of it', async () => {
    // A fresh cache folder: the machine probe runs (a cached profile would hide it).
    const r = await runCli(['check', '--offline', '--cache-dir', cache, '.'], dir, isolatedPipEnv());
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    assert.deepEqual(markers(dir), []);
  });

  it('`probe` from the repository root imports nothing of it', async () => {
    const r = await runCli(['probe'], dir, isolatedPipEnv());
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(markers(dir), []);
    assert.equal((JSON.parse(r.stdout) as { os: string }).os, process.platform);
  });

  it('`probe --python` with a relative interpreter path still reads it from the folder it was run in', async () => {
    // The interpreter itself (python3 on PATH may be a launcher script that reads its own name).
    const real = execFileSync('python3', ['-I', '-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    }).trim();
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    fs.symlinkSync(real, path.join(dir, 'bin', 'py'));
    const r = await runCli(['probe', '--python', 'bin/py'], dir, isolatedPipEnv());
    assert.equal(r.status, 0, r.stderr);
    assert.match((JSON.parse(r.stdout) as { python?: { version: string } }).python?.version ?? '', /^3\.\d+/);
    assert.deepEqual(markers(dir), []);
  });
});

describe('stack-doctor check --untrusted and a project outside the workspace', () => {
  let dir: string;
  let index: RecordingServer;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-trust-project-'));
    index = await startRecordingServer();
    fs.mkdirSync(path.join(dir, 'work'));
    fs.mkdirSync(path.join(dir, 'private'));
    // A file of the person's beside the repository: its name-shaped lines must not become lookups.
    fs.writeFileSync(
      path.join(dir, 'private', 'pyproject.toml'),
      '[project]\nname = "private-project"\nversion = "1"\ndependencies = ["secret-internal-name"]\n',
    );
    fs.writeFileSync(path.join(dir, 'work', 'requirements.txt'), '-e ../private\nrequests\n');
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a project a requirement names outside the workspace folders is not read, and the line says so', async () => {
    const args = ['--format', 'json', '--index-url', `${index.origin}/simple`, '--cache-dir', path.join(dir, 'c')];
    const untrusted = await runCli(['check', '--untrusted', 'work', ...args], dir, isolatedPipEnv());
    assert.ok(untrusted.status === 0 || untrusted.status === 1, untrusted.stderr);
    assert.doesNotMatch(index.transcript(), /secret-internal-name/);
    assert.match(index.transcript(), /\/simple\/requests\//, 'the workspace line is still looked up');
    const messages = (JSON.parse(untrusted.stdout) as { diagnostics: { message: string }[] }).diagnostics.map(
      (d) => d.message,
    );
    assert.ok(
      messages.some((m) => /did not read this project: it is outside the workspace folders/.test(m)),
      messages.join('\n'),
    );
    // Trusted, pip would read it, and so does the analysis.
    index.requests.length = 0;
    const trusted = await runCli(['check', 'work', ...args], dir, isolatedPipEnv());
    assert.ok(trusted.status === 0 || trusted.status === 1, trusted.stderr);
    assert.match(index.transcript(), /secret-internal-name/);
  });
});
