// The language server with a throwaway file kind added as one row (test/helpers/throwaway-kind.ts): it publishes the
// checks' findings on the kind's files and completes them by the row's flavour. Run with SD_PINS_SERVER=1, this file
// is that server: the row registered, then the server's own entry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerFileKind } from '../../server/src/workspace/file-kinds';
import { isolatedPipEnv } from '../helpers/package-index';
import { LspClient } from '../helpers/lsp-client';
import { PINS_ROW } from '../helpers/throwaway-kind';

if (process.env.SD_PINS_SERVER === '1') {
  registerFileKind(PINS_ROW);
  void import('../../server/src/server');
} else {
  describe('server: a file kind added as one row', () => {
    it('publishes findings on its files and completes them by its row', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-kind-'));
      const client = new LspClient(__filename, { ...isolatedPipEnv(), SD_PINS_SERVER: '1' });
      try {
        await client.initialize(dir, { debounceMs: 0, offline: true });
        const file = path.join(dir, 'deps.pins');
        const text = '# pinned\nnumpy==1.26.4\nscipy>=1.11\nnumpy==2.0.0\n-\n';
        fs.writeFileSync(file, text);
        const uri = client.open(file, text, 'plaintext');
        const published = await client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'conflict'), 60_000);
        // One conflict, one diagnostic: on one of its lines, the other one related.
        const conflicts = published.diagnostics.filter((d) => d.code === 'conflict');
        assert.equal(conflicts.length, 1, JSON.stringify(conflicts));
        assert.deepEqual(
          [
            conflicts[0]!.range.start.line,
            ...(conflicts[0]!.relatedInformation ?? []).map((r) => r.location.range.start.line),
          ].sort(),
          [1, 3],
        );
        // The row's flavour is `none`: no pip options fall through on a line that starts with `-`.
        const items = await client.request<unknown[] | { items: unknown[] }>('textDocument/completion', {
          textDocument: { uri },
          position: { line: 4, character: 1 },
        });
        assert.deepEqual(Array.isArray(items) ? items : items.items, []);
      } finally {
        await client.shutdown();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
