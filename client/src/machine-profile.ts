// The machine diagnostics are judged against: the stackDoctor.profile setting (read, checked, written), the profile
// files of the workspace, this machine's profile from the bundled CLI, and the status bar item.
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { validateProfile, type MachineProfile } from '../../server/src/system/profile';
import { EnvironmentError } from './environments/errors';
import { runProcess, type RunContext } from './environments/process';
import { profileStatusText } from './status-words';

/**
 * Where profiles are looked for in the workspace, and what is skipped (environments and packages are large and hold
 * none of ours).
 */
const PROFILE_GLOB = '{**/*.profile.json,**/stack-doctor-profile*.json,**/.stack-doctor/*.json}';
const EXCLUDE_GLOB = '**/{node_modules,.venv,venv,.conda,.git,__pycache__}/**';
const MAX_FOUND = 200;
/** `stack-doctor probe` answers in well under a second; a stuck probe (a hung nvidia-smi) is stopped. */
const PROBE_TIMEOUT_MS = 60_000;

/** A profile file as the picker and the status bar show it: its path, and the profile or why it cannot be used. */
export interface ProfileFile {
  path: string;
  profile?: MachineProfile;
  problem?: string;
}

/**
 * The first local workspace folder: relative paths (in the setting, in a command's options) are taken from here, as the
 * server's working folder.
 */
function baseFolder(): string {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? process.cwd();
}

/** `p` as an absolute path (relative paths are taken from the first workspace folder). */
export function resolveProfilePath(p: string): string {
  return nodePath.resolve(baseFolder(), p);
}

/** A profile file's short name: its file name without `.profile.json` / `.json`. */
export function profileName(file: string): string {
  return nodePath.basename(file).replace(/(\.profile)?\.json$/i, '') || nodePath.basename(file);
}

/**
 * Parses and checks profile text as the server will (`os` and `arch` strings, the shapes of the other fields); an
 * EnvironmentError says what is wrong.
 */
export function parseProfile(text: string, display: string): MachineProfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new EnvironmentError(
      'invalid-request',
      `${display} is not valid JSON (${(e as Error).message}), so it is not a machine profile.`,
    );
  }
  try {
    return validateProfile(data, 'the file');
  } catch (e) {
    throw new EnvironmentError(
      'invalid-request',
      `${display} is not a usable machine profile: ${(e as Error).message}. A profile is the ` +
        `JSON that \`stack-doctor probe\` prints ("Save this machine's profile…" writes one).`,
    );
  }
}

/** Reads and checks a profile file; an EnvironmentError (`invalid-request`) says why it cannot be used. */
export function readProfileFile(file: string): MachineProfile {
  const display = vscode.workspace.asRelativePath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EnvironmentError(
      'invalid-request',
      code === 'ENOENT' ? `${display} does not exist.` : `${display} cannot be read (${(e as Error).message}).`,
    );
  }
  return parseProfile(text, display);
}

/** {@link readProfileFile} that reports the problem instead of throwing. */
export function inspectProfileFile(file: string): ProfileFile {
  try {
    return { path: file, profile: readProfileFile(file) };
  } catch (e) {
    return { path: file, problem: (e as Error).message };
  }
}

/**
 * The profile files of the workspace (`*.profile.json`, `stack-doctor-profile*.json`, `.stack-doctor/*.json`), sorted,
 * each read and checked.
 */
export async function findProfileFiles(token?: vscode.CancellationToken): Promise<ProfileFile[]> {
  const uris = await vscode.workspace.findFiles(PROFILE_GLOB, EXCLUDE_GLOB, MAX_FOUND, token);
  return uris
    .filter((u) => u.scheme === 'file')
    .map((u) => u.fsPath)
    .sort()
    .map(inspectProfileFile);
}

/**
 * One line about the machine a profile describes: `linux x86_64 · glibc 2.35 · Python 3.11.7 · NVIDIA driver 470.57.02
 * (CUDA 11.4; Tesla T4)`.
 */
export function describeProfile(p: MachineProfile): string {
  const parts = [`${p.os} ${p.arch}`];
  if (p.distro) parts.push(`${p.distro.id} ${p.distro.version}`);
  if (p.libc) parts.push(`${p.libc.kind} ${p.libc.version}`);
  if (p.python) parts.push(`Python ${p.python.version}`);
  if (p.nvidia) {
    const gpus = [...new Set(p.nvidia.gpus.map((g) => g.name))];
    const details = [...(p.nvidia.cuda ? [`CUDA ${p.nvidia.cuda}`] : []), ...(gpus.length ? [gpus.join(', ')] : [])];
    parts.push(`NVIDIA driver ${p.nvidia.driver}${details.length ? ` (${details.join('; ')})` : ''}`);
  } else if (p.nvidia === null) parts.push('no NVIDIA GPU');
  if (p.cudaToolkit) parts.push(`CUDA toolkit ${p.cudaToolkit}`);
  return parts.join(' · ');
}

/**
 * The stackDoctor.profile setting as it applies here ('' : this machine). In an untrusted workspace VS Code leaves out
 * the workspace's value.
 */
export function profileSetting(): string {
  return vscode.workspace.getConfiguration('stackDoctor').get<string>('profile', '').trim();
}

/**
 * Writes stackDoctor.profile: the workspace's setting when a folder is open, else the user's. `file` null is this
 * machine: the workspace's value is removed, or set to '' where a user setting would otherwise show through.
 */
export async function writeProfileSetting(file: string | null): Promise<void> {
  const config = vscode.workspace.getConfiguration('stackDoctor');
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  if (file !== null) {
    await config.update('profile', file, target);
    return;
  }
  const userValue = config.inspect<string>('profile')?.globalValue;
  const shadow =
    target === vscode.ConfigurationTarget.Workspace && typeof userValue === 'string' && userValue.trim() !== '';
  await config.update('profile', shadow ? '' : undefined, target);
}

/**
 * This machine's profile from the bundled CLI (`stack-doctor probe`, with `--python` when an interpreter is given),
 * run on the extension host's own Node with an argument array; its output is checked as any profile.
 */
export async function probeThisMachine(
  cli: string,
  python: string | undefined,
  run: RunContext,
): Promise<{ profile: MachineProfile; json: string }> {
  const args = [cli, 'probe', ...(python ? ['--python', python] : [])];
  // In desktop VS Code the host's executable is Electron: this makes it behave as plain Node.
  const env = { ...(run.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' };
  const result = await runProcess(process.execPath, args, {
    ...run,
    env,
    captureStdout: true,
    timeoutMs: run.timeoutMs ?? PROBE_TIMEOUT_MS,
    tailLines: 20,
  });
  if (result.exitCode !== 0) {
    const said =
      result.lastLines.filter((l) => l.startsWith('stack-doctor:')).join(' ') || result.lastLines.slice(-3).join(' ');
    throw new EnvironmentError(
      'failed',
      `stack-doctor probe exited with ${result.exitCode}${said ? `: ${said}` : ''}.`,
      { command: [process.execPath, ...args], exitCode: result.exitCode, lastLines: result.lastLines },
    );
  }
  const profile = parseProfile(result.stdout, 'The output of stack-doctor probe');
  return { profile, json: `${JSON.stringify(profile, null, 2)}\n` };
}

/**
 * The status bar item "$(server) <profile | This machine>": which machine the diagnostics are judged against; a click
 * runs Select Machine Profile.
 */
export class MachineProfileStatus implements vscode.Disposable {
  static readonly command = 'stackDoctor.selectProfile';
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** This machine as the server last probed it. */
  private machine: { summary: string; description: string } | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('stackDoctor.profile', vscode.StatusBarAlignment.Left, 49);
    this.item.name = 'Stack Doctor: machine profile';
    this.item.command = MachineProfileStatus.command;
    this.render();
    this.item.show();
    this.subscriptions.push(
      this.item,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('stackDoctor.profile')) this.render();
      }),
      // Trust brings the workspace's value of the (restricted) setting into effect.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.render()),
    );
  }

  /** The item's text, tooltip and command. */
  statusBar(): { text: string; tooltip: string; command: string } {
    return {
      text: this.item.text,
      tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : '',
      command: MachineProfileStatus.command,
    };
  }

  /**
   * Shows the setting as it is now (the profile file is read again: the server reads it on each settings change too).
   */
  render(): void {
    const setting = profileSetting();
    if (!setting) {
      this.item.text = profileStatusText(null, this.machine?.summary ?? null);
      this.item.tooltip =
        `Stack Doctor judges diagnostics against this machine${this.machine ? ` (${this.machine.description})` : ''}: ` +
        'its OS, libc, Python, system libraries and NVIDIA driver, as probed.\n' +
        'Click to judge against a machine profile instead, e.g. of a GPU server.';
      return;
    }
    const file = resolveProfilePath(setting);
    const { profile, problem } = inspectProfileFile(file);
    const name = profileName(file);
    if (profile) {
      this.item.text = profileStatusText(name, profile);
      this.item.tooltip =
        `Stack Doctor judges diagnostics against the machine profile ${vscode.workspace.asRelativePath(file)}: ` +
        `${describeProfile(profile)}.\nClick to choose another machine.`;
    } else {
      this.item.text = `$(warning) ${name}`;
      this.item.tooltip =
        `Stack Doctor: the machine profile cannot be used, so diagnostics are judged ` +
        `against this machine. ${problem ?? ''}\nClick to choose another machine.`;
    }
  }

  /** The server says which machine it judges against (this machine's probe, or the profile): shown when it is this one. */
  reported(target: unknown): void {
    const t = target as { summary?: unknown; description?: unknown; fromProfile?: unknown } | null;
    if (!t || typeof t.summary !== 'string' || typeof t.description !== 'string') return;
    this.machine = t.fromProfile === true ? this.machine : { summary: t.summary, description: t.description };
    this.render();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
