// Diagnostics from the real language server reach VS Code: conflicts, their quick fix, syntax errors, and constraints
// files that change.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activate,
  codeOf,
  describeDiagnostics,
  open,
  stackDoctorDiagnostics,
  waitFor,
  waitForCauseLines,
  waitForDiagnosticLines,
} from './helpers';

suite('diagnostics', () => {
  suiteSetup(async () => {
    await activate();
  });

  test('numpy>=1.24 and numpy<1.24 give one conflict, on one line with the other related', async () => {
    const doc = await open('conflict/requirements.txt');
    assert.equal(doc.lineAt(1).text, 'numpy>=1.24');
    assert.equal(doc.lineAt(2).text, 'numpy<1.24');
    const found = await waitForCauseLines(doc.uri, 'conflict', [1, 2]);
    for (const d of found) assert.equal(d.severity, vscode.DiagnosticSeverity.Error, d.message);
    assert.deepEqual(stackDoctorDiagnostics(doc.uri, 'syntax'), [], 'no syntax error on valid lines');
  });

  test('the conflict has a quick fix whose edit removes the conflict', async () => {
    const doc = await open('quick-fix/requirements.txt');
    const [conflict] = await waitForCauseLines(doc.uri, 'conflict', [0, 1]);
    assert.ok(conflict);
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      conflict.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    // A quick fix with an edit that is attached to the conflict (when the provider lists the diagnostics it fixes).
    const fixes = actions
      .filter((a): a is vscode.CodeAction => a instanceof vscode.CodeAction || 'edit' in a)
      .filter((a) => a.kind !== undefined && vscode.CodeActionKind.QuickFix.contains(a.kind) && a.edit !== undefined)
      .filter(
        (a) =>
          a.diagnostics === undefined ||
          a.diagnostics.length === 0 ||
          a.diagnostics.some((d) => codeOf(d) === 'conflict'),
      );
    assert.ok(
      fixes.length > 0,
      `no quick fix for the conflict; actions: ` +
        `${JSON.stringify(actions.map((a) => ({ title: a.title, kind: 'kind' in a ? a.kind?.value : undefined, hasEdit: 'edit' in a && a.edit !== undefined, diagnostics: 'diagnostics' in a ? a.diagnostics?.map(codeOf) : undefined })))}`,
    );
    const fix = fixes[0]!;
    assert.ok(await vscode.workspace.applyEdit(fix.edit!), `applying "${fix.title}" failed`);
    console.log(`      applied "${fix.title}"`);
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    await waitFor(
      `the conflict to go away after "${fix.title}"`,
      () => (stackDoctorDiagnostics(doc.uri, 'conflict').length === 0 ? true : undefined),
      () => [doc.getText(), ...describeDiagnostics(doc.uri)],
    );
  });

  test('a broken line gets a syntax diagnostic', async () => {
    const doc = await open('syntax/requirements.txt');
    assert.equal(doc.lineAt(1).text, 'numpy>=>1');
    const [d] = await waitForDiagnosticLines(doc.uri, 'syntax', [1]);
    assert.equal(d?.severity, vscode.DiagnosticSeverity.Error);
  });

  test('editing constraints.txt (included with -c) updates requirements.txt', async () => {
    const requirements = await open('constraints/requirements.txt');
    assert.equal(requirements.lineAt(0).text, '-c constraints.txt');
    // The server has analysed the file (its diagnostics arrive with the version), and pandas>=2.0 fits pandas>=1.5.
    const constraints = await vscode.workspace.openTextDocument(
      requirements.uri.with({ path: requirements.uri.path.replace(/requirements\.txt$/, 'constraints.txt') }),
    );
    assert.equal(constraints.lineAt(0).text, 'pandas>=1.5');
    await waitForDiagnosticLines(requirements.uri, 'syntax', [2]); // a marker line proving the file was analysed
    assert.deepEqual(stackDoctorDiagnostics(requirements.uri, 'conflict'), []);

    const edit = new vscode.WorkspaceEdit();
    edit.replace(constraints.uri, constraints.lineAt(0).range, 'pandas<2.0');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForCauseLines(requirements.uri, 'conflict', [1]);

    const undo = new vscode.WorkspaceEdit();
    undo.replace(constraints.uri, constraints.lineAt(0).range, 'pandas>=1.5');
    assert.ok(await vscode.workspace.applyEdit(undo));
    await waitFor(
      'the conflict to go away when the constraint is relaxed again',
      () => (stackDoctorDiagnostics(requirements.uri, 'conflict').length === 0 ? true : undefined),
      () => describeDiagnostics(requirements.uri),
    );
  });
});
