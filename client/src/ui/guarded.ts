// Runs a command's body behind Workspace Trust, turning a closed picker, a cancel or a failure into its outcome and
// message.
import type * as vscode from 'vscode';
import { isCancelled } from '../environments/errors';
import type { PythonEnvironment } from '../environments/environment';
import { Dismissed, reportCancelled, reportFailure, type CommandOutcome } from './outcome';
import { requireTrust } from './trust';

/**
 * Runs `body` only in a trusted workspace (`why`: what needs trust, for the message); never rejects (the palette would
 * add a generic error of its own).
 */
export async function guarded(
  title: string,
  output: vscode.LogOutputChannel,
  body: () => Promise<CommandOutcome>,
  why?: string,
): Promise<CommandOutcome> {
  if (!requireTrust(title, why)) return { status: 'untrusted' };
  try {
    return await body();
  } catch (error) {
    if (error instanceof Dismissed) return { status: 'dismissed' };
    if (isCancelled(error)) return reportCancelled(title, output);
    return reportFailure(title, error, output);
  }
}

/** Runs `work` on an environment that already exists (created, or chosen): a failure or cancel is reported with it. */
export async function withEnvironment(
  title: string,
  output: vscode.LogOutputChannel,
  environment: () => PythonEnvironment | undefined,
  work: () => Promise<CommandOutcome>,
): Promise<CommandOutcome> {
  try {
    return await work();
  } catch (error) {
    const env = environment();
    if (!env || error instanceof Dismissed) throw error;
    return isCancelled(error) ? reportCancelled(title, output, env) : reportFailure(title, error, output, env);
  }
}
