// The question of Select Machine Profile (this machine, a workspace profile, Browse…, Save this machine's profile…),
// answered instead by the caller's options when given.
import { hostname } from 'node:os';
import * as nodePath from 'node:path';
import * as vscode from 'vscode';
import { EnvironmentError } from '../environments/errors';
import {
  describeProfile,
  findProfileFiles,
  inspectProfileFile,
  profileName,
  resolveProfilePath,
  type ProfileFile,
} from '../machine-profile';
import { Dismissed } from './outcome';

/**
 * The first argument of Select Machine Profile: one field, which answers the quick pick (the real code path runs with
 * it).
 */
export interface ProfileCommandOptions {
  /** Judge against this profile file (relative to the first workspace folder), or null for this machine. */
  profile?: string | null;
  /** Save this machine's profile to this file (relative to the first workspace folder); the setting is not changed. */
  save?: string;
}

/** What was chosen: a profile file (absolute) or null for this machine, or where to save this machine's profile. */
export type ProfileChoice = { kind: 'select'; file: string | null } | { kind: 'save'; file: string };

function invalid(message: string): EnvironmentError {
  return new EnvironmentError('invalid-request', message);
}

/** Reads the command's argument: nothing (ask), or `{ profile }` or `{ save }`. */
export function readProfileOptions(arg: unknown): ProfileCommandOptions {
  if (arg === undefined || arg === null) return {};
  if (typeof arg !== 'object' || Array.isArray(arg))
    throw invalid('Select Machine Profile takes an options object ({ profile } or { save }) as its argument.');
  const raw = arg as Record<string, unknown>;
  for (const key of Object.keys(raw))
    if (key !== 'profile' && key !== 'save') throw invalid(`Unknown option '${key}'.`);
  if (raw.profile !== undefined && raw.save !== undefined) throw invalid(`Give either 'profile' or 'save', not both.`);
  if (
    raw.profile !== undefined &&
    raw.profile !== null &&
    (typeof raw.profile !== 'string' || raw.profile.trim() === '')
  )
    throw invalid(`Option 'profile' must be a file path, or null for this machine.`);
  if (raw.save !== undefined && (typeof raw.save !== 'string' || raw.save.trim() === ''))
    throw invalid(`Option 'save' must be a file path.`);
  return {
    ...(raw.profile !== undefined ? { profile: raw.profile as string | null } : {}),
    ...(raw.save !== undefined ? { save: raw.save as string } : {}),
  };
}

function firstFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
}

function localPath(uri: vscode.Uri): string {
  if (uri.scheme !== 'file')
    throw invalid(
      `${uri.toString(true)} is not on this machine's file system; the language server can only read local files.`,
    );
  return uri.fsPath;
}

type Item = vscode.QuickPickItem & { action?: 'this-machine' | 'file' | 'browse' | 'save'; file?: string };

/**
 * The quick pick's items: this machine, the workspace's profiles (and the current one, wherever it is), Browse…, Save….
 */
async function items(current: string): Promise<Item[]> {
  const currentFile = current ? resolveProfilePath(current) : undefined;
  const found = await findProfileFiles();
  const files: ProfileFile[] =
    currentFile && !found.some((f) => f.path === currentFile) ? [inspectProfileFile(currentFile), ...found] : found;
  const mark = (selected: boolean): string => (selected ? '$(check) ' : '');
  return [
    {
      label: `${mark(!currentFile)}$(vm) This machine`,
      description: !currentFile ? 'current' : 'probed',
      detail: 'Judge against this computer: its OS, libc, Python, system libraries and NVIDIA driver.',
      action: 'this-machine',
    },
    {
      label: files.length
        ? 'machine profiles'
        : 'no machine profiles in the workspace (*.profile.json, stack-doctor-profile*.json, .stack-doctor/*.json)',
      kind: vscode.QuickPickItemKind.Separator,
    },
    ...files.map((f): Item => ({
      label: `${mark(f.path === currentFile)}${f.profile ? '$(server)' : '$(warning)'} ${profileName(f.path)}`,
      description: `${vscode.workspace.asRelativePath(f.path)}${f.path === currentFile ? ' · current' : ''}`,
      detail: f.profile ? describeProfile(f.profile) : f.problem,
      action: 'file',
      file: f.path,
    })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-opened) Browse…', description: 'a profile file anywhere', action: 'browse' },
    {
      label: "$(save) Save this machine's profile…",
      description: 'stack-doctor probe, written to a file, to judge against this machine elsewhere',
      action: 'save',
    },
  ];
}

/**
 * What to judge against, or where to save this machine's profile: the caller's options, else asked. Closing a picker or
 * dialog throws {@link Dismissed}.
 */
export async function pickProfile(options: ProfileCommandOptions, current: string): Promise<ProfileChoice> {
  if (options.save !== undefined) return { kind: 'save', file: resolveProfilePath(options.save) };
  if (options.profile !== undefined)
    return { kind: 'select', file: options.profile === null ? null : resolveProfilePath(options.profile) };
  const picked = await vscode.window.showQuickPick(items(current), {
    title: 'Stack Doctor: judge diagnostics against which machine?',
    placeHolder: 'This machine, or a machine profile (e.g. of the GPU server the code will run on)',
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  if (!picked?.action) throw new Dismissed();
  const filters = { 'Machine profile (JSON)': ['json'] };
  switch (picked.action) {
    case 'this-machine':
      return { kind: 'select', file: null };
    case 'file':
      return { kind: 'select', file: picked.file! };
    case 'browse': {
      const uris = await vscode.window.showOpenDialog({
        title: 'Stack Doctor: machine profile',
        canSelectMany: false,
        canSelectFolders: false,
        filters,
        openLabel: 'Judge Against This Machine',
        ...(firstFolder() ? { defaultUri: firstFolder() } : {}),
      });
      const uri = uris?.[0];
      if (!uri) throw new Dismissed();
      return { kind: 'select', file: localPath(uri) };
    }
    case 'save': {
      const folder = firstFolder();
      const name = `${hostname().replace(/[^\w.-]+/g, '-') || 'this-machine'}.profile.json`;
      const uri = await vscode.window.showSaveDialog({
        title: "Stack Doctor: save this machine's profile",
        filters,
        saveLabel: 'Save Profile',
        ...(folder ? { defaultUri: vscode.Uri.file(nodePath.join(folder.fsPath, name)) } : {}),
      });
      if (!uri) throw new Dismissed();
      return { kind: 'save', file: localPath(uri) };
    }
  }
}
