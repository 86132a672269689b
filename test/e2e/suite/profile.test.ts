// Select Machine Profile in a real VS Code: a profile file sets stackDoctor.profile and the status bar, and the real
// server then judges a CUDA build against it; this machine again; invalid files refused; this machine's profile saved
// through the bundled CLI.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { StackDoctorApi } from '../../../client/src/extension';
import { findProfileFiles } from '../../../client/src/machine-profile';
import type { CommandOutcome } from '../../../client/src/ui/outcome';
import {
  activate,
  describeDiagnostics,
  fixture,
  open,
  stackDoctorDiagnostics,
  waitFor,
  waitForCauseLines,
  waitForDiagnosticLines,
} from './helpers';

function select(options: Record<string, unknown>): Promise<CommandOutcome> {
  return Promise.resolve(vscode.commands.executeCommand<CommandOutcome>('stackDoctor.selectProfile', options));
}

function profileSetting(): { effective: string | undefined; workspace: string | undefined } {
  const config = vscode.workspace.getConfiguration('stackDoctor');
  return { effective: config.get<string>('profile'), workspace: config.inspect<string>('profile')?.workspaceValue };
}

/** The profile item for this machine once the server probed it: `Py 3.11 · CPU`, `Py 3.10 · CUDA 12.4 driver`. */
const THIS_MACHINE = /^\$\(server\) Py \d+\.\d+ · (CPU|CUDA [\d.]+ driver|NVIDIA driver \S+)$/;
/** The profile item for profiles/gpu-old-driver.profile.json. */
const GPU_OLD_DRIVER = '$(server) gpu-old-driver: Py 3.11 · CUDA 11.4 driver';

suite('machine profile', () => {
  let api: StackDoctorApi;
  let requirements: vscode.Uri;
  let scratch: string;
  const gpuProfile = (): string => fixture('profiles/gpu-old-driver.profile.json').fsPath;
  /** This machine's profile as `stack-doctor probe` printed it (through the Save test). */
  let thisMachine: { nvidia?: { cuda?: string } | null } | undefined;

  suiteSetup(async () => {
    api = (await activate()).exports as StackDoctorApi;
    scratch = mkdtempSync(join(tmpdir(), 'stack-doctor-profile-'));
    requirements = (await open('cuda/requirements.txt')).uri;
    // Analysed against this machine first: a CUDA 12.1 PyTorch build on both lines, and no profile set.
    await waitFor(
      'the first analysis of cuda/requirements.txt',
      () => (stackDoctorDiagnostics(requirements).length > 0 ? true : undefined),
      () => describeDiagnostics(requirements),
    );
    assert.equal(profileSetting().effective, '');
  });

  suiteTeardown(async () => {
    await vscode.workspace
      .getConfiguration('stackDoctor')
      .update('profile', undefined, vscode.ConfigurationTarget.Workspace);
    rmSync(scratch, { recursive: true, force: true });
  });

  test("the status bar sums up this machine (Python, CPU or the driver's CUDA) and opens Select Machine Profile", async () => {
    const bar = await waitFor(
      "the server's summary of this machine",
      () => (THIS_MACHINE.test(api.profileStatusBar().text) ? api.profileStatusBar() : undefined),
      () => api.profileStatusBar(),
    );
    assert.match(bar.tooltip, /judges diagnostics against this machine/);
    assert.equal(bar.command, 'stackDoctor.selectProfile');
  });

  test('the workspace profile files are found, not those in environments or packages', async () => {
    for (const dir of ['profiles/.venv/lib', 'profiles/node_modules/pkg']) {
      mkdirSync(fixture(dir).fsPath, { recursive: true });
      writeFileSync(fixture(`${dir}/ignored.profile.json`).fsPath, '{"os": "linux", "arch": "x86_64"}');
    }
    const found = await findProfileFiles();
    assert.deepEqual(
      found.map((f) => vscode.workspace.asRelativePath(f.path)),
      ['profiles/gpu-old-driver.profile.json', 'profiles/no-arch.profile.json'],
    );
    assert.equal(found[0]?.profile?.nvidia?.driver, '470.57.02');
    assert.match(found[1]?.problem ?? '', /"arch"/);
  });

  test(
    'choosing a profile file sets stackDoctor.profile and the ' +
      'status bar, and the server judges against it (cuda-driver)',
    async () => {
      const outcome = await select({ profile: 'profiles/gpu-old-driver.profile.json' });
      assert.deepEqual(outcome, { status: 'done', profile: gpuProfile() });
      assert.deepEqual(profileSetting(), { effective: gpuProfile(), workspace: gpuProfile() });
      await waitFor(
        'the status bar to name the profile',
        () => (api.profileStatusBar().text === GPU_OLD_DRIVER ? true : undefined),
        () => api.profileStatusBar(),
      );
      assert.match(
        api.profileStatusBar().tooltip,
        /gpu-old-driver\.profile\.json: linux x86_64 · glibc 2\.35 · Python 3\.11\.7 · NVIDIA driver 470\.57\.02 \(CUDA 11\.4; Tesla T4\)/,
      );
      const found = await waitForDiagnosticLines(requirements, 'cuda-driver', [0, 1]);
      assert.match(found.find((d) => d.range.start.line === 1)?.message ?? '', /torch==2\.1\.0\+cu121 .*470\.57\.02/);
      assert.deepEqual(
        stackDoctorDiagnostics(requirements, 'cuda-unavailable'),
        [],
        'the profile has an NVIDIA driver',
      );
    },
  );

  test('an invalid profile is refused with a clear message and nothing changes', async () => {
    const missingArch = await select({ profile: 'profiles/no-arch.profile.json' });
    assert.ok(missingArch.status === 'failed', JSON.stringify(missingArch));
    assert.equal(missingArch.code, 'invalid-request');
    assert.match(
      missingArch.message,
      /^profiles\/no-arch\.profile\.json is not a usable machine profile: the file needs string fields "os" and "arch"/,
    );

    const notJson = join(scratch, 'broken.profile.json');
    writeFileSync(notJson, '{"os": "linux", "arch": ');
    const broken = await select({ profile: notJson });
    assert.ok(broken.status === 'failed', JSON.stringify(broken));
    assert.match(broken.message, /broken\.profile\.json is not valid JSON/);

    const missing = await select({ profile: 'profiles/nothing-here.profile.json' });
    assert.ok(missing.status === 'failed', JSON.stringify(missing));
    assert.match(missing.message, /nothing-here\.profile\.json does not exist/);

    const bad = await select({ profile: 42 });
    assert.ok(bad.status === 'failed' && bad.code === 'invalid-request', JSON.stringify(bad));

    assert.deepEqual(profileSetting(), { effective: gpuProfile(), workspace: gpuProfile() });
    assert.equal(api.profileStatusBar().text, GPU_OLD_DRIVER);
    assert.equal(
      stackDoctorDiagnostics(requirements, 'cuda-driver').length,
      2,
      JSON.stringify(describeDiagnostics(requirements)),
    );
  });

  test("Save this machine's profile writes what the bundled CLI probes and leaves the setting", async function () {
    this.timeout(90_000);
    const target = join(scratch, 'saved', 'this-machine.profile.json');
    const outcome = await select({ save: target });
    assert.deepEqual(outcome, { status: 'done', profile: gpuProfile(), saved: target });
    const saved = JSON.parse(readFileSync(target, 'utf8')) as {
      os: unknown;
      arch: unknown;
      nvidia?: { cuda?: string } | null;
    };
    assert.equal(saved.os, process.platform === 'win32' ? 'windows' : process.platform);
    assert.equal(typeof saved.arch, 'string');
    assert.ok('nvidia' in saved, 'the probe says whether this machine has an NVIDIA driver');
    thisMachine = saved;
    assert.deepEqual(profileSetting(), { effective: gpuProfile(), workspace: gpuProfile() });
  });

  test('"This machine" clears the setting and the server judges against this machine again', async () => {
    const outcome = await select({ profile: null });
    assert.deepEqual(outcome, { status: 'done', profile: null });
    assert.deepEqual(profileSetting(), { effective: '', workspace: undefined });
    await waitFor(
      'the status bar to sum up this machine',
      () => (THIS_MACHINE.test(api.profileStatusBar().text) ? true : undefined),
      () => api.profileStatusBar(),
    );
    assert.ok(thisMachine, 'the Save test probed this machine');
    const nvidia = thisMachine.nvidia;
    if (nvidia === null) {
      // No NVIDIA driver here: the CUDA build cannot use a GPU at all.
      await waitForCauseLines(requirements, 'cuda-unavailable', [0, 1]);
      assert.deepEqual(stackDoctorDiagnostics(requirements, 'cuda-driver'), []);
    } else {
      // A driver here: cuda-driver only when it is older than CUDA 12.1 needs.
      const [major = 0, minor = 0] = (nvidia?.cuda ?? '').split('.').map(Number);
      const tooOld = nvidia?.cuda !== undefined && (major < 12 || (major === 12 && minor < 1));
      await waitFor(
        `cuda-driver diagnostics to ${tooOld ? 'stay' : 'go away'} ` +
          `for this machine (driver CUDA ${nvidia?.cuda ?? 'unknown'})`,
        () => {
          const d = stackDoctorDiagnostics(requirements, 'cuda-driver');
          return (tooOld ? d.every((x) => !x.message.includes('470.57.02')) && d.length > 0 : d.length === 0)
            ? true
            : undefined;
        },
        () => describeDiagnostics(requirements),
      );
    }
  });
});
