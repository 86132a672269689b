// "Stack Doctor: Restart Language Server" really stops and starts the server, a crashed server is started again, and
// diagnostics come back afterwards.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { activate, open, stackDoctorDiagnostics, waitFor, waitForCauseLines } from './helpers';

suite('restart', () => {
  test('Restart Language Server clears and then restores diagnostics', async () => {
    await activate();
    const doc = await open('restart/requirements.txt');
    await waitForCauseLines(doc.uri, 'conflict', [0, 1]);
    // Stopping the client drops its diagnostics; seeing that proves the server really went down.
    let cleared = false;
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === doc.uri.toString()) && stackDoctorDiagnostics(doc.uri).length === 0)
        cleared = true;
    });
    try {
      await Promise.all([
        vscode.commands.executeCommand('stackDoctor.restartServer'),
        vscode.commands.executeCommand('stackDoctor.restartServer'), // concurrent requests share one restart
      ]);
    } finally {
      listener.dispose();
    }
    assert.ok(cleared, 'diagnostics were never cleared, so the server did not restart');
    await waitForCauseLines(doc.uri, 'conflict', [0, 1]);
  });

  test('a crashed server is restarted and diagnostics come back', async function () {
    if (!existsSync('/proc/self/stat')) this.skip(); // finding the server process needs Linux's /proc
    await activate();
    const doc = await open('restart/requirements.txt');
    await waitForCauseLines(doc.uri, 'conflict', [0, 1]);
    const before = await waitFor('the language server process', () => serverPids()[0]);
    process.kill(before, 'SIGKILL');
    const after = await waitFor(
      'a new language server process',
      () => serverPids().find((p) => p !== before),
      () => serverPids(),
    );
    assert.notEqual(after, before);
    await waitForCauseLines(doc.uri, 'conflict', [0, 1]);
  });
});

/** Pids of the language server processes this extension host forked (dist/server.js). */
function serverPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
        return ppid === process.pid && cmdline.includes('dist/server.js') ? [Number(d)] : [];
      } catch {
        return []; // the process ended while being read
      }
    });
}
