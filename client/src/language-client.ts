// Builds the Stack Doctor LanguageClient: server module, document selector, watched files, initialization options,
// crash handling.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CancellationToken,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type MessageSignature,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { editorDocumentSelector, workspaceGlobs } from '../../server/src/workspace/file-kinds';

/**
 * A LanguageClient that stays quiet about requests caught by its own shutdown. A request that starts while the client
 * runs and is still waiting for the connection when a restart stops it fails with "Starting server failed", which
 * languageclient would show as an error notification; the editor simply gets no result instead.
 */
class StackDoctorClient extends LanguageClient {
  override handleFailedRequest<T>(
    type: MessageSignature,
    token: CancellationToken | undefined,
    error: unknown,
    defaultValue: T,
    showNotification?: boolean,
    throwOnCancel?: boolean,
  ): T {
    if (this.state !== State.Running) {
      this.debug(
        `${type.method} dropped while the server is stopping: ` +
          `${error instanceof Error ? error.message : String(error)}`,
      );
      return defaultValue;
    }
    return super.handleFailedRequest(type, token, error, defaultValue, showNotification, throwOnCancel);
  }
}

/**
 * The files the server analyses, as the file-kind table says: pip requirements (a language of ours), every YAML file
 * (the server reads a conda environment by its content, whatever its name, and leaves other YAML alone) and
 * pyproject.toml.
 */
export const documentSelector = editorDocumentSelector();

/** Files whose changes on disk the server must hear about even when they are not open (includes, constraints). */
const watchedGlobs = workspaceGlobs();

/** The `stackDoctor.*` settings as the server reads them, plus whether the workspace is trusted. */
export function initializationOptions(storagePath: string): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('stackDoctor');
  return {
    offline: config.get<boolean>('offline', false),
    indexUrl: config.get<string>('indexUrl', ''),
    extraIndexUrls: config.get<string[]>('extraIndexUrls', []),
    profile: config.get<string>('profile', ''),
    pythonPath: config.get<string>('pythonPath', ''),
    cacheDir: config.get<string>('cacheDir', ''),
    newerVersions: config.get<boolean>('newerVersions', true),
    osvDatabase: config.get<string>('osvDatabase', ''),
    pixiPlatforms: config.get<string[]>('pixiPlatforms', []),
    checks: { severityOverrides: config.get<Record<string, string>>('checks.severityOverrides', {}) },
    trusted: vscode.workspace.isTrusted,
    // Where the metadata cache lives when `cacheDir` is empty (the extension's global storage).
    globalStoragePath: storagePath,
  };
}

/**
 * languageclient's own crash policy (restart, at most 4 times in 3 minutes), with each decision written to the output
 * channel.
 */
function loggingErrorHandler(client: () => LanguageClient, output: vscode.LogOutputChannel): ErrorHandler {
  let policy: ErrorHandler | undefined;
  const fallback = (): ErrorHandler => (policy ??= client().createDefaultErrorHandler(4));
  return {
    async error(error, message, count): Promise<ErrorHandlerResult> {
      const result = await fallback().error(error, message, count);
      output.error(
        `Connection error (${count ?? 1}): ${error.message}; ` +
          `${result.action === ErrorAction.Shutdown ? 'shutting the server down' : 'continuing'}.`,
      );
      return result;
    },
    async closed(): Promise<CloseHandlerResult> {
      const result = await fallback().closed();
      if (result.action === CloseAction.Restart)
        output.warn('The Stack Doctor language server stopped unexpectedly; restarting it.');
      else
        output.error(
          result.message ??
            'The Stack Doctor language server stopped unexpectedly and will not be ' +
              'restarted. Run "Stack Doctor: Restart Language Server" to start it again.',
        );
      return result;
    },
  };
}

/** What the extension hears of the client's traffic. */
export interface ClientHooks {
  /** The server published diagnostics for a file. */
  published?(uri: vscode.Uri): void;
}

export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  hooks: ClientHooks = {},
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  // A fixed working folder, the extension's own: never the workspace's, whose files an interpreter the server starts
  // could import.
  const cwd = context.extensionPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { cwd } },
    debug: { module, transport: TransportKind.ipc, options: { cwd, execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const watchers = watchedGlobs.map((glob) => vscode.workspace.createFileSystemWatcher(glob));
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    synchronize: { fileEvents: watchers },
    initializationOptions: () => initializationOptions(context.globalStorageUri.fsPath),
    outputChannel: output,
    errorHandler: loggingErrorHandler(() => client, output),
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        hooks.published?.(uri);
        next(uri, diagnostics);
      },
    },
  };
  // The id `stackDoctor` makes languageclient honour the `stackDoctor.trace.server` setting.
  const client: LanguageClient = new StackDoctorClient('stackDoctor', 'Stack Doctor', serverOptions, clientOptions);
  context.subscriptions.push(...watchers);
  return client;
}
