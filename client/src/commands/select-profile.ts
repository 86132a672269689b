// `stackDoctor.selectProfile`: Select Machine Profile — judge diagnostics against this machine or a profile file
// (checked, then written to stackDoctor.profile), or save this machine's profile to a file.
import * as vscode from 'vscode';
import { signalFromToken } from '../environments/process';
import {
  describeProfile,
  probeThisMachine,
  profileName,
  profileSetting,
  readProfileFile,
  writeProfileSetting,
} from '../machine-profile';
import { guarded } from '../ui/guarded';
import type { CommandOutcome } from '../ui/outcome';
import { pickProfile, readProfileOptions } from '../ui/profile-picker';
import type { CommandContext } from './context';

const TITLE = 'Select Machine Profile';
/**
 * stackDoctor.profile is a restricted setting (a workspace could point it at any file), and saving runs this machine's
 * probes.
 */
const NEEDS_TRUST =
  'sets stackDoctor.profile, which VS Code ignores in an untrusted workspace (a workspace could point it at any file)';
const OPEN = 'Open';

export function selectProfileCommand({
  output,
  environments,
  cliPath,
}: CommandContext): (arg?: unknown) => Promise<CommandOutcome> {
  return (arg) =>
    guarded(
      TITLE,
      output,
      async () => {
        const choice = await pickProfile(readProfileOptions(arg), profileSetting());
        if (choice.kind === 'save') {
          const python =
            environments.environment?.python ??
            (vscode.workspace.getConfiguration('stackDoctor').get<string>('pythonPath', '') || undefined);
          const { profile, json } = await vscode.window.withProgress(
            {
              location: vscode.ProgressLocation.Notification,
              title: 'Stack Doctor: probing this machine',
              cancellable: true,
            },
            (_, token) =>
              probeThisMachine(cliPath, python, {
                signal: signalFromToken(token),
                sink: (line, stream) => (stream === 'stdout' ? undefined : output.info(line)),
              }),
          );
          const uri = vscode.Uri.file(choice.file);
          await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(json));
          output.info(`Saved this machine's profile to ${choice.file}: ${describeProfile(profile)}.`);
          void vscode.window
            .showInformationMessage(
              `Stack Doctor: saved this machine's profile to ${vscode.workspace.asRelativePath(choice.file)} ` +
                `(${describeProfile(profile)}). Elsewhere, choose it with "${TITLE}" to judge against this machine.`,
              OPEN,
            )
            .then((c) => (c === OPEN ? vscode.window.showTextDocument(uri) : undefined));
          return { status: 'done', profile: profileSetting() || null, saved: choice.file };
        }
        // Checked before the setting changes: a file the server would refuse leaves everything as it was.
        const profile = choice.file === null ? null : readProfileFile(choice.file);
        await writeProfileSetting(choice.file);
        const against =
          choice.file === null || !profile
            ? 'this machine'
            : `${profileName(choice.file)} (${describeProfile(profile)})`;
        output.info(`Diagnostics are judged against ${choice.file ?? 'this machine'}.`);
        void vscode.window.showInformationMessage(`Stack Doctor: diagnostics are now judged against ${against}.`);
        return { status: 'done', profile: choice.file };
      },
      NEEDS_TRUST,
    );
}
