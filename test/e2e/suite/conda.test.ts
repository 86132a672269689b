// Conda's solve in a real VS Code: python=3.12 with tensorflow=2.10 squiggles both lines, the quick fix solves, and
// Create Conda Environment says conda would fail before it runs anything. The channel is a loopback one.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { startCondaChannel, type CondaChannel } from '../../helpers/conda-channel';
import { ML_CHANNEL } from '../../helpers/conda-fixtures';
import type { CommandOutcome } from '../../../client/src/ui/outcome';
import {
  activate,
  codeOf,
  describeDiagnostics,
  fixture,
  open,
  stackDoctorDiagnostics,
  waitFor,
  waitForCauseLines,
} from './helpers';

suite('conda solve', () => {
  let channel: CondaChannel;
  const config = () => vscode.workspace.getConfiguration('stackDoctor');

  suiteSetup(async function () {
    this.timeout(60_000);
    await activate();
    channel = await startCondaChannel(ML_CHANNEL);
    // The fixture workspace is offline (.vscode/settings.json); this suite needs its loopback channel.
    await config().update('offline', false, vscode.ConfigurationTarget.Workspace);
    await waitFor(
      'the offline setting to apply',
      () => (config().get('offline') === false ? true : undefined),
      () => config().inspect('offline'),
    );
    writeFileSync(
      fixture('conda-solve/environment.yml').fsPath,
      `name: tf\nchannels:\n  - ${channel.url}\n  - nodefaults\ndependencies:\n  - python=3.12\n  - tensorflow=2.10\n`,
    );
  });

  suiteTeardown(async () => {
    await config().update('offline', true, vscode.ConfigurationTarget.Workspace);
    await channel?.close();
  });

  test(
    'python=3.12 and tensorflow=2.10 squiggle both ' + 'lines; the quick fix applies and the squiggles go',
    async function () {
      this.timeout(90_000);
      const doc = await open('conda-solve/environment.yml');
      assert.equal(doc.lineAt(5).text, '  - python=3.12');
      const found = await waitForCauseLines(doc.uri, 'conflict-transitive', [5, 6], 60_000);
      for (const d of found) assert.equal(d.severity, vscode.DiagnosticSeverity.Error, d.message);
      assert.match(found[0]!.message, /tensorflow 2\.10\.0 needs python >=3\.10,<3\.11/);

      // Create Conda Environment warns first; answered "no", nothing runs.
      const outcome = await vscode.commands.executeCommand<CommandOutcome>('stackDoctor.createCondaEnv', {
        folder: fixture('conda-solve').fsPath,
        manager: '/nonexistent/conda',
        file: 'environment.yml',
        ignoreProblems: false,
      });
      assert.equal(outcome.status, 'dismissed', JSON.stringify(outcome));

      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        found[0]!.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const fix = actions.find(
        (a) =>
          a.edit &&
          /^Change to /.test(a.title) &&
          (a.diagnostics === undefined ||
            a.diagnostics.length === 0 ||
            a.diagnostics.some((d) => codeOf(d) === 'conflict-transitive')),
      );
      assert.ok(fix, `no quick fix: ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit!), `applying "${fix.title}" failed`);
      await waitFor(
        `the conflict to go after "${fix.title}"`,
        () => (stackDoctorDiagnostics(doc.uri, 'conflict-transitive').length === 0 ? true : undefined),
        () => [doc.getText(), ...describeDiagnostics(doc.uri)],
        60_000,
      );
    },
  );
});
