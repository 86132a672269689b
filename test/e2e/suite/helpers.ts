// Shared helpers of the VS Code tests: polling waits (never fixed sleeps), fixture URIs, diagnostic filters.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const extensionId = 'stack-doctor.stack-doctor';

/** A file of the fixture workspace (a temporary copy of test/e2e/workspace). */
export function fixture(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/**
 * Polls `probe` until it returns a value other than undefined; fails with `what` and the last observation after
 * `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  observe: () => unknown = () => undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(observe())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function codeOf(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' ? d.code.value : d.code;
}

/** Stack Doctor's diagnostics on a file, optionally only those with one code. */
export function stackDoctorDiagnostics(uri: vscode.Uri, code?: string): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'stack-doctor' && (code === undefined || codeOf(d) === code));
}

/** A readable summary of all diagnostics on a file, for failure messages. */
export function describeDiagnostics(uri: vscode.Uri): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .map(
      (d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.source}/${String(codeOf(d))} ${d.message}`,
    );
}

/** Waits until the file has `code` diagnostics on exactly the given (zero-based) lines. */
export function waitForDiagnosticLines(
  uri: vscode.Uri,
  code: string,
  lines: number[],
  timeoutMs?: number,
): Promise<vscode.Diagnostic[]> {
  const want = [...lines].sort((a, b) => a - b).join(',');
  return waitFor(
    `${code} diagnostics on lines [${lines.map((l) => l + 1).join(', ')}] of ${vscode.workspace.asRelativePath(uri)}`,
    () => {
      const found = stackDoctorDiagnostics(uri, code);
      const at = [...new Set(found.map((d) => d.range.start.line))].sort((a, b) => a - b).join(',');
      return at === want ? found : undefined;
    },
    () => describeDiagnostics(uri),
    timeoutMs,
  );
}

/**
 * Waits until the diagnostics of `code` take part in exactly `lines` (zero-based) of the document: their own lines and
 * their related lines there (one diagnostic per cause, anchored where its fix edits, the other lines related).
 */
export function waitForCauseLines(
  uri: vscode.Uri,
  code: string,
  lines: number[],
  timeoutMs?: number,
): Promise<vscode.Diagnostic[]> {
  const want = [...lines].sort((a, b) => a - b).join(',');
  return waitFor(
    `${code} diagnostics taking part in lines [${lines.map((l) => l + 1).join(', ')}] of ${vscode.workspace.asRelativePath(uri)}`,
    () => {
      const found = stackDoctorDiagnostics(uri, code);
      const all = found.flatMap((d) => [
        d.range.start.line,
        ...(d.relatedInformation ?? [])
          .filter((r) => r.location.uri.toString() === uri.toString())
          .map((r) => r.location.range.start.line),
      ]);
      const at = [...new Set(all)].sort((a, b) => a - b).join(',');
      return at === want ? found : undefined;
    },
    () => describeDiagnostics(uri),
    timeoutMs,
  );
}

export async function open(relativePath: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fixture(relativePath));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/** Activates the extension (it may already be active through its activation events). */
export async function activate(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(extensionId);
  assert.ok(ext, `extension ${extensionId} is not installed in the host`);
  await ext.activate();
  return ext;
}
