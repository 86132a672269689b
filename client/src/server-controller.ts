// Owns the running LanguageClient: starts it, serializes restarts (concurrent requests share one), and stops it on
// deactivation.
import type * as vscode from 'vscode';
import { State, type LanguageClient, type WorkspaceEdit } from 'vscode-languageclient/node';

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** The tail of the queue of start/restart/stop operations; each waits for the one before. */
  private queue: Promise<void> = Promise.resolve();
  /** A restart that is queued but has not begun; further restart requests join it instead of queueing another. */
  private pendingRestart: Promise<void> | undefined;
  /** Called each time a server is up (first start, restarts, and languageclient's own restarts after a crash). */
  private readonly startListeners = new Set<() => void>();
  /** Notification handlers, given to every client this controller starts. */
  private readonly notificationHandlers: [string, (params: unknown) => void][] = [];

  constructor(
    private readonly create: () => LanguageClient,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** True while the language server is up and connected. */
  get running(): boolean {
    return this.client?.state === State.Running;
  }

  start(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.client) await this.launch();
    });
  }

  restart(): Promise<void> {
    if (this.pendingRestart) return this.pendingRestart;
    const restart = this.enqueue(async () => {
      this.pendingRestart = undefined;
      this.output.info('Restarting the Stack Doctor language server.');
      await this.shutdown();
      await this.launch();
    });
    this.pendingRestart = restart;
    return restart;
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.shutdown());
  }

  /**
   * Sends a notification to the running server. Resolves false, sending nothing, when the server is not running
   * (callers say so; what they send is sent again from {@link onDidStart} when it matters after a start).
   */
  async notify(method: string, params: unknown): Promise<boolean> {
    const client = this.client;
    if (!client || client.state !== State.Running) return false;
    await client.sendNotification(method, params);
    return true;
  }

  /** Sends a request to the running server; undefined, sending nothing, when the server is not running. */
  async request<R>(method: string, params: unknown): Promise<R | undefined> {
    const client = this.client;
    if (!client || client.state !== State.Running) return undefined;
    return client.sendRequest<R>(method, params);
  }

  /**
   * Sends a request whose answer is a workspace edit (or null), converted for the editor; undefined when the server is
   * not running.
   */
  async requestEdit(method: string, params: unknown): Promise<vscode.WorkspaceEdit | null | undefined> {
    const client = this.client;
    if (!client || client.state !== State.Running) return undefined;
    const edit = await client.sendRequest<WorkspaceEdit | null>(method, params);
    return edit ? client.protocol2CodeConverter.asWorkspaceEdit(edit) : null;
  }

  /** Calls `handler` with each `method` notification of the server, across restarts. */
  onNotification(method: string, handler: (params: unknown) => void): void {
    this.notificationHandlers.push([method, handler]);
    this.client?.onNotification(method, handler);
  }

  /** Calls `listener` each time a server is up, so state the server holds only in memory can be sent again. */
  onDidStart(listener: () => void): vscode.Disposable {
    this.startListeners.add(listener);
    return { dispose: () => this.startListeners.delete(listener) };
  }

  dispose(): void {
    void this.stop();
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const run = this.queue.then(operation);
    // A failed operation must not block the ones queued after it.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async launch(): Promise<void> {
    const client = this.create();
    this.client = client;
    for (const [method, handler] of this.notificationHandlers) client.onNotification(method, handler);
    client.onDidChangeState((e) => {
      if (e.newState !== State.Running || this.client !== client) return;
      for (const listener of this.startListeners) listener();
    });
    try {
      await client.start();
    } catch (error) {
      this.output.error(
        `The Stack Doctor language server failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  }

  private async shutdown(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // dispose() stops the server (or kills it after the timeout) and unregisters the client's features.
    if (client)
      await client.dispose(2000).catch((error: unknown) => this.output.warn(`Stopping the server: ${String(error)}`));
  }
}
