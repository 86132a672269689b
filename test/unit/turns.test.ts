// Background work's turns: slices shared by every background task, none while the client's messages wait;
// the server's count of messages received and not yet handled.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from 'vscode-languageserver/node';
import { foregroundPending, nextTurn, setForeground, sliceSpent } from '../../server/src/model/turns';
import { Backlog } from '../../server/src/lsp/backlog';
import { MemoryProvider } from '../../server/src/resolver/memory-provider';
import { resolve } from '../../server/src/resolver/solver';
import { Version } from '../../server/src/pep/version';

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function frame(body: object): Buffer {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${json.length}\r\n\r\n`, 'ascii'), json]);
}

describe('background turns', () => {
  it('wait while the foreground has messages, and go on when it has none', async () => {
    let waiting = true;
    setForeground(() => waiting);
    try {
      assert.equal(foregroundPending(), true);
      assert.equal(sliceSpent(), true);
      let ran = false;
      void nextTurn().then(() => (ran = true));
      for (let i = 0; i < 20; i++) await tick();
      assert.equal(ran, false, 'a turn was given while messages waited');
      waiting = false;
      for (let i = 0; i < 5 && !ran; i++) await tick();
      assert.equal(ran, true);
    } finally {
      setForeground(() => false, 8);
    }
  });

  it('give one waiting task a turn at a time, in the order they asked', async () => {
    setForeground(() => false, 1000);
    try {
      const order: string[] = [];
      const task = async (name: string) => {
        for (let i = 0; i < 3; i++) {
          await nextTurn();
          order.push(`${name}${i}`);
        }
      };
      await Promise.all([task('a'), task('b'), task('c')]);
      assert.deepEqual(order, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
      // The slice is fresh after a turn and spent after its length.
      await nextTurn();
      assert.equal(sliceSpent(), false);
      setForeground(() => false, 5);
      await sleep(10);
      assert.equal(sliceSpent(), true);
    } finally {
      setForeground(() => false, 8);
    }
  });

  it('hold a resolution while messages wait; it finishes once they are handled', async () => {
    const index: Record<string, Record<string, string[]>> = {};
    for (let i = 0; i < 40; i++) index[`p${i}`] = { '1.0': i < 39 ? [`p${i + 1}`] : [] };
    let waiting = true;
    setForeground(() => waiting);
    try {
      let done = false;
      const r = resolve([{ requirement: 'p0', origin: 'r' }], new MemoryProvider(index), {}).then((x) => {
        done = true;
        return x;
      });
      await sleep(50);
      assert.equal(done, false, 'the resolution ran while messages waited');
      waiting = false;
      const result = await r;
      assert.ok(result.ok);
      assert.equal(result.versions.size, 40);
    } finally {
      setForeground(() => false, 8);
    }
  });

  it('a call under way while its resolution waits for a turn may fail (cancelled) without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    let waiting = false;
    setForeground(() => waiting);
    const abort = new AbortController();
    // Every answer fails as soon as the run is cancelled, as the index provider's shared requests do.
    const provider = {
      versions: async () => [Version.parse('1.0')!],
      dependencies: (_n: string, _v: Version, signal?: AbortSignal) => {
        // A message arrives just as the call starts: the resolution waits for a turn with the call under way.
        waiting = true;
        return new Promise<never>((_, reject) =>
          signal?.addEventListener('abort', () => reject(new Error('cancelled'))),
        );
      },
    };
    try {
      const r = resolve([{ requirement: 'a', origin: 'r' }], provider, { signal: abort.signal });
      await sleep(20);
      abort.abort();
      await sleep(20);
      waiting = false;
      const result = await r;
      assert.equal(result.ok, false);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      setForeground(() => false, 8);
    }
  });
});

describe('the backlog of client messages', () => {
  it('counts framed messages however the stream splits them, but not cancellations', () => {
    const b = new Backlog();
    const bytes = Buffer.concat([
      frame({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { text: 'é€ multi-byte' } }),
      frame({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 3 } }),
      frame({ jsonrpc: '2.0', id: 4, method: 'textDocument/hover', params: {} }),
    ]);
    // Split at every few bytes: headers and bodies cut anywhere.
    for (let i = 0; i < bytes.length; i += 7) b.read(bytes.subarray(i, i + 7));
    assert.equal(b.pending(), true);
    const next = () => undefined;
    b.strategy.handleMessage({ jsonrpc: '2.0', method: 'textDocument/didChange' } as Message, next);
    assert.equal(b.pending(), true);
    b.strategy.handleMessage({ jsonrpc: '2.0', id: 4, method: 'textDocument/hover' } as Message, next);
    assert.equal(b.pending(), false);
    // A cancellation handled through the queue does not make the count go wrong either.
    b.strategy.handleMessage({ jsonrpc: '2.0', method: '$/cancelRequest' } as Message, next);
    b.read(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
    assert.equal(b.pending(), true);
  });

  it('passes every message on to the connection', () => {
    const b = new Backlog();
    const seen: Message[] = [];
    const m = { jsonrpc: '2.0', id: 1, method: 'textDocument/hover' } as Message;
    b.strategy.handleMessage(m, (x) => void seen.push(x));
    assert.deepEqual(seen, [m]);
  });

  it('clears a count that nothing handles any more (never waits forever)', async () => {
    const b = new Backlog();
    b.read(frame({ jsonrpc: '2.0', method: 'x/unknown', params: {} }));
    assert.equal(b.pending(), true);
    await sleep(300);
    assert.equal(b.pending(), false);
  });
});
