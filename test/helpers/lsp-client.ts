// A real JSON-RPC client for the built language server over stdio, for server tests and the latency benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    code?: string;
    message: string;
    severity?: number;
    source?: string;
    relatedInformation?: {
      location: { uri: string; range: { start: { line: number; character: number } } };
      message: string;
    }[];
    data?: unknown;
  }[];
}

type Listener = (p: PublishedDiagnostics) => void;

export class LspClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  readonly latest = new Map<string, PublishedDiagnostics>();
  private listeners: Listener[] = [];
  stderr = '';
  private versions = new Map<string, number>();

  /** `cwd`: the server's working folder (default: this process's). */
  constructor(serverJs = path.resolve('dist/server.js'), env: NodeJS.ProcessEnv = process.env, cwd?: string) {
    this.child = spawn(process.env.SD_SERVER_NODE ?? process.execPath, [serverJs, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env,
      ...(cwd ? { cwd } : {}),
    });
    this.child.stderr!.on('data', (d) => (this.stderr += d));
    this.connection = createMessageConnection(
      new StreamMessageReader(this.child.stdout!),
      new StreamMessageWriter(this.child.stdin!),
    );
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.latest.set(p.uri, p);
      for (const l of [...this.listeners]) l(p);
    });
    this.connection.onNotification('window/showMessage', () => undefined);
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /**
   * `capabilities` replaces the default client capabilities (a plain client); `vscodeLike` declares what VS Code
   * does (lazily resolved code actions, markdown hover), as the editing-session bench needs.
   */
  async initialize(
    rootDir: string,
    initializationOptions: Record<string, unknown> = {},
    opts: { vscodeLike?: boolean } = {},
  ): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootDir).toString(),
      workspaceFolders: [{ uri: pathToFileURL(rootDir).toString(), name: 'ws' }],
      capabilities: {
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } },
            ...(opts.vscodeLike ? { dataSupport: true, resolveSupport: { properties: ['edit'] } } : {}),
          },
          ...(opts.vscodeLike ? { hover: { contentFormat: ['markdown', 'plaintext'] }, inlayHint: {} } : {}),
        },
        ...(opts.vscodeLike
          ? {
              workspace: { configuration: false, inlayHint: { refreshSupport: true } },
              window: { workDoneProgress: true },
            }
          : {}),
      },
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Resolves with the first publish for `uri` (after now) that satisfies `pred`; rejects after `timeoutMs`. */
  waitFor(
    uri: string,
    pred: (p: PublishedDiagnostics) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<PublishedDiagnostics> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(
          new Error(
            `no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ` +
              `${JSON.stringify(this.latest.get(uri))}; stderr: ${this.stderr}`,
          ),
        );
      }, timeoutMs);
      const listener: Listener = (p) => {
        if (p.uri !== uri || !pred(p)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(p);
      };
      this.listeners.push(listener);
    });
  }

  open(file: string, text: string, languageId = 'pip-requirements'): string {
    const uri = pathToFileURL(file).toString();
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text },
    });
    return uri;
  }

  change(uri: string, text: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return version;
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  async shutdown(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    // A profiled server (SD_SERVER_NODE running node --cpu-prof) needs a moment to write its profile on exit.
    const grace = Number(process.env.SD_EXIT_GRACE_MS ?? 0);
    for (let waited = 0; !this.exited && waited < grace; waited += 50) await new Promise((r) => setTimeout(r, 50));
    if (!this.exited) this.child.kill();
  }
}

/** Applies LSP text edits (from a WorkspaceEdit) to a text. */
export function applyEdits(
  text: string,
  edits: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    newText: string;
  }[],
): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const off = (p: { line: number; character: number }) =>
    p.line < lineStarts.length ? lineStarts[p.line]! + p.character : text.length;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}
