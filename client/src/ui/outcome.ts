// What a command reports back to its caller (a test, another extension), and the failure and cancel messages people
// see.
import * as vscode from 'vscode';
import { EnvironmentError } from '../environments/errors';
import type { PythonEnvironment } from '../environments/environment';
import { redact } from '../../../server/src/index/credentials';

/**
 * How a command ended. Commands resolve with this instead of throwing, so the palette shows our message and not a
 * second, generic one.
 */
export type CommandOutcome =
  /**
   * `profile`: Select Machine Profile's stackDoctor.profile afterwards (null: this machine); `saved`: where it wrote
   * this machine's profile.
   */
  | { status: 'done'; environment?: PythonEnvironment; installed?: string[]; profile?: string | null; saved?: string }
  /** The person closed a picker or a question: nothing was run. */
  | { status: 'dismissed' }
  /** The workspace is not trusted: nothing was run. */
  | { status: 'untrusted' }
  | { status: 'cancelled'; environment?: PythonEnvironment }
  | { status: 'failed'; code: string; message: string; fix?: string; environment?: PythonEnvironment };

/** The person closed a picker; thrown by pickers and turned into `{ status: 'dismissed' }`. */
export class Dismissed extends Error {
  constructor() {
    super('dismissed');
  }
}

const COPY = 'Copy command';
const SHOW_OUTPUT = 'Show Output';

/**
 * Shows a failure: the environment module's message, its `fix` offered as "Copy command" (we never run it), and "Show
 * Output" for the full pip or conda log. Does not wait for the person's answer.
 */
export function reportFailure(
  title: string,
  error: unknown,
  output: vscode.LogOutputChannel,
  environment?: PythonEnvironment,
): CommandOutcome {
  const e = error instanceof EnvironmentError ? error : undefined;
  const message = redact(e ? e.message : error instanceof Error ? error.message : String(error));
  const fix = e?.fix;
  output.error(`${title} failed: ${message}${fix ? `\nFix: ${fix}` : ''}`);
  const text =
    `Stack Doctor: ${title} failed. ` + `${message}${fix && !message.includes(fix) ? `\nTo fix it, run: ${fix}` : ''}`;
  void vscode.window.showErrorMessage(text, ...(fix ? [COPY] : []), SHOW_OUTPUT).then(async (choice) => {
    if (choice === COPY && fix) {
      await vscode.env.clipboard.writeText(fix);
      void vscode.window.showInformationMessage(`Copied: ${fix}`);
    } else if (choice === SHOW_OUTPUT) output.show(true);
  });
  return {
    status: 'failed',
    code: e?.code ?? 'error',
    message,
    ...(fix ? { fix } : {}),
    ...(environment ? { environment } : {}),
  };
}

/** Says that a command was cancelled and that what it was creating was removed. */
export function reportCancelled(
  title: string,
  output: vscode.LogOutputChannel,
  environment?: PythonEnvironment,
): CommandOutcome {
  output.warn(`${title} was cancelled.`);
  void vscode.window.showInformationMessage(
    `Stack Doctor: ${title} was cancelled; the running process was ` +
      `stopped${environment ? '' : ' and what it had created was removed'}.`,
  );
  return { status: 'cancelled', ...(environment ? { environment } : {}) };
}
