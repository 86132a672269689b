// The extension activates in a real VS Code host, registers exactly its contributed commands and owns pip requirements
// files.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { activate, describeDiagnostics, fixture, open, stackDoctorDiagnostics, waitFor } from './helpers';

/** The language server processes this extension host started (Linux: read from /proc), with their working folders. */
function serverProcesses(): { pid: number; cwd: string }[] {
  const out: { pid: number; cwd: string }[] = [];
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (ppid === process.pid && /dist[\\/]server\.js/.test(cmdline))
        out.push({ pid: Number(name), cwd: fs.readlinkSync(`/proc/${name}/cwd`) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

suite('activation', () => {
  test('the extension activates and says it is checking, naming the file shown, until the first publish', async () => {
    const ext = await activate();
    assert.equal(ext.isActive, true);
    // Nothing published yet (no dependency file is open): the item says that the files are being checked.
    assert.equal(
      (ext.exports as { checkingStatusBar(): string | null }).checkingStatusBar(),
      '$(sync~spin) checking dependency files…',
    );
    // The workbench opens a dependency file (as a person does: the host hears of the document and its editor at
    // once, before the server can have answered): the item names it until the server's first publish for it.
    const api = ext.exports as { checkingStatusBar(): string | null };
    const uri = fixture('demo/requirements.txt');
    const seen = new Promise<{ text: string | null; diagnostics: number }>((resolve) => {
      const watch = vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e?.document.uri.toString() !== uri.toString()) return;
        watch.dispose();
        resolve({ text: api.checkingStatusBar(), diagnostics: stackDoctorDiagnostics(uri).length });
      });
    });
    await vscode.commands.executeCommand('vscode.open', uri);
    assert.deepEqual(await seen, { text: '$(sync~spin) checking requirements.txt…', diagnostics: 0 });
    const doc = await vscode.workspace.openTextDocument(uri);
    await waitFor(
      'the checking item to go once the server published',
      () => (api.checkingStatusBar() === null && stackDoctorDiagnostics(doc.uri).length > 0 ? true : undefined),
      () => [api.checkingStatusBar(), ...describeDiagnostics(doc.uri)],
    );
    console.log(
      `    host: node ${process.version}, vscode ${vscode.version}, appHost ` +
        `${vscode.env.appHost}, remoteName ${vscode.env.remoteName ?? '(local)'}`,
    );
  });

  test('every contributed command is registered, and nothing else of ours', async () => {
    const ext = await activate();
    const contributed = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands
      .map((c) => c.command)
      .sort();
    assert.ok(contributed.includes('stackDoctor.restartServer'));
    assert.ok(contributed.includes('stackDoctor.showOutput'));
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('stackDoctor.')).sort();
    assert.deepEqual(registered, contributed);
  });

  test('requirements.txt and constraints.txt open as pip-requirements', async () => {
    assert.equal((await open('conflict/requirements.txt')).languageId, 'pip-requirements');
    const api = (await activate()).exports as { checkingStatusBar(): string | null };
    await waitFor(
      'the checking item to go once the server published',
      () => (api.checkingStatusBar() === null ? true : undefined),
      () => api.checkingStatusBar(),
    );
    assert.equal(
      (await vscode.workspace.openTextDocument(fixture('constraints/constraints.txt'))).languageId,
      'pip-requirements',
    );
  });

  test("the language server runs in the extension's folder, not the workspace", async function () {
    if (process.platform !== 'linux') this.skip();
    const ext = await activate();
    await open('conflict/requirements.txt');
    const servers = await waitFor('the language server process', () => {
      const s = serverProcesses();
      return s.length > 0 ? s : undefined;
    });
    for (const s of servers) assert.equal(fs.realpathSync(s.cwd), fs.realpathSync(ext.extensionPath));
  });

  test('Show Output runs', async () => {
    await vscode.commands.executeCommand('stackDoctor.showOutput');
  });
});
