// How many of the client's messages the server has received and not yet handled. The JSON-RPC connection takes one
// queued message per event-loop turn; background work (resolutions, fix searches, a postponed analysis) waits while
// this backlog is not empty, so that requests are answered before it goes on (model/turns).
import type { Message, MessageStrategy } from 'vscode-languageserver/node';
import { traceMark } from './trace';

const CANCEL = '$/cancelRequest';

/**
 * A count that repairs itself: messages are handled one per turn, so when nothing was received or handled for this
 * long the count is taken as wrong (a message counted that never queues) and cleared.
 */
const STALE_MS = 250;

export class Backlog {
  private received = 0;
  private handled = 0;
  private lastHandled = 0;
  private lastReceived = 0;
  /** Bytes of a message read from stdin so far (its framing only is parsed). */
  private buffered: Buffer = Buffer.alloc(0);
  /** The body length of the message being read, once its header is complete. */
  private bodyLength = -1;

  /**
   * Watches the transport the connection reads, as the connection chooses it from the command line: `--node-ipc`
   * (VS Code) or `--stdio`. Others (sockets, pipes) are not watched: the backlog then always reads empty.
   */
  watch(argv: readonly string[] = process.argv): void {
    if (argv.includes('--node-ipc')) {
      process.on('message', (m: unknown) => {
        if ((m as { method?: unknown } | null)?.method !== CANCEL) this.count();
      });
    } else if (argv.includes('--stdio')) {
      process.stdin.on('data', (chunk: Buffer) => this.read(chunk));
    }
  }

  /** Counts the messages of a chunk of the stream (LSP base protocol framing: headers, a blank line, the body). */
  read(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    for (;;) {
      if (this.bodyLength < 0) {
        const end = this.buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /content-length:\s*(\d+)/i.exec(this.buffered.subarray(0, end).toString('ascii'));
        this.buffered = this.buffered.subarray(end + 4);
        this.bodyLength = m ? Number(m[1]) : 0;
      }
      if (this.buffered.length < this.bodyLength) return;
      // The method comes first in what clients send; a cancellation is handled at once, outside the queue.
      const head = this.buffered.subarray(0, Math.min(this.bodyLength, 80)).toString('utf8');
      if (!/"method"\s*:\s*"\$\/cancelRequest"/.test(head)) this.count();
      this.buffered = this.buffered.subarray(this.bodyLength);
      this.bodyLength = -1;
    }
  }

  private count(): void {
    this.received++;
    this.lastReceived = performance.now();
  }

  /** Counts a message as it is handled (the connection's message strategy). */
  readonly strategy: MessageStrategy = {
    handleMessage: (message: Message, next: (message: Message) => void) => {
      const { method, id } = message as { method?: string; id?: number | string };
      if (method !== CANCEL) {
        this.handled++;
        this.lastHandled = performance.now();
      }
      if (method !== undefined && id !== undefined) traceMark(`start ${id} ${method}`);
      return next(message);
    },
  };

  /** Whether received messages wait to be handled. */
  pending(): boolean {
    if (this.received <= this.handled) return false;
    const now = performance.now();
    if (now - this.lastHandled > STALE_MS && now - this.lastReceived > STALE_MS) {
      this.handled = this.received;
      return false;
    }
    return true;
  }
}
