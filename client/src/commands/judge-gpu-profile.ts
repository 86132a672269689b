// `stackDoctor.judgeAgainstGpuProfile`: Judge against a GPU machine profile… — offered beside the fixes of a CUDA
// finding: picks one of the workspace's profiles that has an NVIDIA driver (the one this workspace chose last first,
// remembered in its workspaceState) and judges against it; with none, says how to make one.
import * as vscode from 'vscode';
import { describeProfile, findProfileFiles, profileName, writeProfileSetting } from '../machine-profile';
import { gpuProfilesFirst } from '../status-words';
import type { CommandContext } from './context';

/** The workspaceState key of the GPU profile this workspace chose last. */
export const REMEMBERED_GPU_PROFILE = 'stackDoctor.gpuProfile';
const SELECT = 'Select Machine Profile';

export function judgeAgainstGpuProfileCommand({ output, workspaceState }: CommandContext): () => Promise<void> {
  return async () => {
    const remembered = workspaceState.get<string>(REMEMBERED_GPU_PROFILE);
    const candidates = gpuProfilesFirst(await findProfileFiles(), remembered);
    if (candidates.length === 0) {
      const choice = await vscode.window.showInformationMessage(
        'Stack Doctor: this workspace has no machine profile of a GPU machine. On that machine, run ' +
          `"${SELECT}" → "Save this machine's profile…" and commit the file here; or choose one elsewhere.`,
        SELECT,
      );
      if (choice === SELECT) await vscode.commands.executeCommand('stackDoctor.selectProfile');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((f) => ({
        label: profileName(f.path),
        description: vscode.workspace.asRelativePath(f.path),
        detail: describeProfile(f.profile!),
        file: f.path,
      })),
      { title: 'Judge against a GPU machine profile', placeHolder: 'The machine the CUDA builds are meant for' },
    );
    if (!picked) return;
    await writeProfileSetting(picked.file);
    await workspaceState.update(REMEMBERED_GPU_PROFILE, picked.file);
    output.info(`Diagnostics are judged against ${picked.file} (a GPU machine profile).`);
  };
}

/** "Judge against a GPU machine profile…" beside the fixes of each finding whose verdict depends on the GPU. */
export class GpuProfileActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly codes: ReadonlySet<string>) {}

  provideCodeActions(
    _document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const cuda = context.diagnostics.filter((d) => {
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      return typeof code === 'string' && this.codes.has(code);
    });
    if (cuda.length === 0) return [];
    const action = new vscode.CodeAction('Judge against a GPU machine profile…', vscode.CodeActionKind.QuickFix);
    action.diagnostics = cuda;
    action.command = { title: action.title, command: 'stackDoctor.judgeAgainstGpuProfile' };
    return [action];
  }
}
