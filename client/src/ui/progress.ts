// Runs environment work under a cancellable progress notification, with every pip/conda line written to the "Stack
// Doctor" output channel.
import * as vscode from 'vscode';
import { redact } from '../../../server/src/index/credentials';
import { signalFromToken, type OutputSink, type RunContext } from '../environments/process';

/** What the work gets: the module's run context (sink and cancel signal) plus a way to name the current step. */
export interface ProgressRun extends Required<Pick<RunContext, 'sink' | 'signal'>> {
  step(message: string): void;
}

/**
 * A sink that writes each line to the output channel (stderr as warnings, its error lines as errors) and shows the
 * latest in the notification.
 */
function channelSink(output: vscode.LogOutputChannel, show: (line: string) => void): OutputSink {
  return (line, stream) => {
    if (stream !== 'stderr') output.info(line);
    else if (/^\s*(ERROR\b|error:|critical\b|\w*Error:)/.test(line)) output.error(line);
    else output.warn(line);
    // The sink's lines are already redacted (environments/process.ts); the notification shows them again: once more.
    const shown = redact(line);
    if (shown.trim()) show(shown.length > 100 ? `${shown.slice(0, 97)}...` : shown);
  };
}

/**
 * Runs `work` under a notification titled `title` whose Cancel button aborts the signal (the module then kills the
 * process tree).
 */
export function withEnvironmentProgress<T>(
  title: string,
  output: vscode.LogOutputChannel,
  work: (run: ProgressRun) => Promise<T>,
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Stack Doctor: ${title}`, cancellable: true },
      (progress, token) => {
        const step = (raw: string): void => {
          const message = redact(raw);
          output.info(message);
          progress.report({ message });
        };
        return work({
          signal: signalFromToken(token),
          sink: channelSink(output, (line) => progress.report({ message: line })),
          step,
        });
      },
    ),
  );
}
