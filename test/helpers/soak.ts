// An editing session against the built server over stdio: random edits to open files with hover, completion, code
// actions and links at random positions in between. Used by the server test (short) and the bench (5,000 edits).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, type PublishedDiagnostics } from './lsp-client';
import { rng } from '../../bench/scenarios';

export interface SoakOptions {
  edits: number;
  /** A simple index to ask (the index stage runs between bursts of edits); none: offline. */
  indexUrl?: string;
  /** Pause between edits (ms); every 50th edit pauses long enough for the index stage to run. */
  pauseMs?: number;
  seed?: number;
}

export interface SoakResult {
  alive: boolean;
  edits: number;
  publishes: number;
  /**
   * Published diagnostics whose range does not lie inside the text of the version they name (or of the disk,
   * unversioned).
   */
  outOfRange: string[];
  /** Latency per request kind (ms), and how many got no answer within 15 s. */
  requests: Record<string, { n: number; p50: number; p99: number; max: number; unanswered: number }>;
  /** Requests over 100 ms, as `kind@edit:ms`. */
  slow: string[];
  /** Server resident memory at the start and the end (MiB), from /proc where there is one. */
  rssMiB: { start: number | null; end: number | null };
  stderr: string;
}

const BASE = [
  'numpy>=1.24,<2',
  'scipy>=1.10',
  'pandas==2.1.4',
  'torch==2.1.0',
  'torchvision==0.16.0',
  'transformers>=4.35.2,<5.0.0',
  'tokenizers==0.15.0',
  'accelerate>=0.25',
  'datasets',
  'pydantic>=2',
  'fastapi>=0.110',
  'uvicorn[standard]>=0.27',
  'requests',
  'rich',
  'tqdm',
];

function within(
  lines: readonly string[],
  range: { start: { line: number; character: number }; end: { line: number; character: number } },
): boolean {
  const ok = (p: { line: number; character: number }) =>
    p.line >= 0 &&
    p.character >= 0 &&
    (p.line < lines.length ? p.character <= lines[p.line]!.length : p.line === lines.length && p.character === 0);
  return ok(range.start) && ok(range.end);
}

function rss(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * Runs the session and reports what the issue asks of it: the process lives, ranges stay inside their version's text,
 * latency per kind.
 */
export async function soak(opts: SoakOptions): Promise<SoakResult> {
  const random = rng(opts.seed ?? 7);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-soak-'));
  const main = path.join(dir, 'requirements.txt');
  const base = path.join(dir, 'requirements-base.txt');
  const constraints = path.join(dir, 'constraints.txt');
  const texts = new Map<string, string>([
    [
      main,
      [
        '# service',
        '-r requirements-base.txt',
        '-c constraints.txt',
        ...BASE.slice(0, 8),
        'numpy<1.20  # pinned for the old model',
        'nunpy==1.0',
        '',
      ].join('\n'),
    ],
    [base, ['# shared', ...BASE.slice(8), 'torch==2.1.0', ''].join('\n')],
    [constraints, 'numpy<2\nprotobuf<5\n'],
  ]);
  for (const [p, t] of texts) fs.writeFileSync(p, t);
  // The indexes are the session's own: none of this machine's pip configuration (its find-links, extra indexes).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^PIP_/i.test(k)));
  const client = new LspClient(path.resolve('dist/server.js'), { ...env, PIP_CONFIG_FILE: '/dev/null' });
  const byVersion = new Map<string, Map<number, string>>();
  const outOfRange: string[] = [];
  let publishes = 0;
  const uriOf = (p: string) => `file://${p}`;
  const diskText = new Map([...texts].map(([p, t]) => [uriOf(p), t]));
  /** Resolved by each opened file's first publish. */
  const firstPublish = new Map<string, () => void>();
  client.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
    publishes++;
    firstPublish.get(p.uri)?.();
    const text = p.version === undefined ? diskText.get(p.uri) : byVersion.get(p.uri)?.get(p.version);
    if (text === undefined) {
      outOfRange.push(`${p.uri} v${p.version}: a version never sent`);
      return;
    }
    // Split once per publish: the client's own work must not add to the latencies it measures.
    const lines = text.split(/\r\n|\r|\n/);
    for (const d of p.diagnostics)
      if (!within(lines, d.range))
        outOfRange.push(
          `${path.basename(p.uri)} v${p.version}: ${JSON.stringify(d.range)} outside ${text.split('\n').length} lines`,
        );
  });
  const samples: Record<string, number[]> = { hover: [], completion: [], codeAction: [], documentLink: [] };
  const unanswered: Record<string, number> = { hover: 0, completion: 0, codeAction: 0, documentLink: 0 };
  const pending: Promise<void>[] = [];
  /** Requests over 100 ms, as `kind@edit:ms`, to see where in the session they fall. */
  const slow: string[] = [];
  try {
    await client.initialize(
      dir,
      {
        trusted: true,
        offline: !opts.indexUrl,
        ...(opts.indexUrl ? { indexUrl: opts.indexUrl, cacheDir: path.join(dir, '.cache') } : {}),
        debounceMs: 10,
        indexDebounceMs: 150,
      },
      { vscodeLike: true },
    );
    const rssStart = rss(client.pid);
    const open = [main, base];
    const current = new Map<string, { text: string; version: number }>();
    // As a person would: the files open, their diagnostics arrive (the server has probed the machine), then typing starts.
    const opened = open.map((p) => new Promise<void>((done) => firstPublish.set(uriOf(p), done)));
    for (const p of open) {
      const uri = client.open(p, texts.get(p)!);
      byVersion.set(uri, new Map([[1, texts.get(p)!]]));
      current.set(uri, { text: texts.get(p)!, version: 1 });
    }
    await Promise.all(opened);
    const kinds = ['hover', 'completion', 'codeAction', 'documentLink'] as const;
    for (let i = 0; i < opts.edits; i++) {
      const uri = uriOf(open[Math.floor(random() * open.length)]!);
      const cur = current.get(uri)!;
      const at = Math.floor(random() * (cur.text.length + 1));
      const r = random();
      // Typing, deleting, a new line, or pasting a requirement: the shapes of ordinary editing.
      const text =
        r < 0.5
          ? cur.text.slice(0, at) +
            'abcdefghij=<>.,0123456789[]; '.charAt(Math.floor(random() * 30)) +
            cur.text.slice(at)
          : r < 0.8
            ? cur.text.slice(0, Math.max(0, at - 1)) + cur.text.slice(at)
            : r < 0.9
              ? cur.text.slice(0, at) + '\n' + cur.text.slice(at)
              : cur.text.slice(0, at) + `\n${BASE[Math.floor(random() * BASE.length)]}\n` + cur.text.slice(at);
      const version = client.change(uri, text);
      byVersion.get(uri)!.set(version, text);
      current.set(uri, { text, version });
      if (random() < 0.35) {
        const kind = kinds[Math.floor(random() * kinds.length)]!;
        const lines = text.split('\n');
        const line = Math.floor(random() * lines.length);
        const position = { line, character: Math.floor(random() * ((lines[line]?.length ?? 0) + 1)) };
        const params =
          kind === 'documentLink'
            ? { textDocument: { uri } }
            : kind === 'codeAction'
              ? {
                  textDocument: { uri },
                  range: { start: position, end: position },
                  context: { diagnostics: client.latest.get(uri)?.diagnostics.slice(0, 3) ?? [] },
                }
              : { textDocument: { uri }, position };
        const started = process.hrtime.bigint();
        pending.push(
          new Promise<void>((done) => {
            const timer = setTimeout(() => {
              unanswered[kind]!++;
              done();
            }, 15_000);
            client
              .request(`textDocument/${kind}`, params)
              .then(
                () => {
                  const ms = Number(process.hrtime.bigint() - started) / 1e6;
                  samples[kind]!.push(ms);
                  if (ms > 100) slow.push(`${kind}@${i}:${Math.round(ms)}`);
                },
                () => undefined,
              )
              .finally(() => {
                clearTimeout(timer);
                done();
              });
          }),
        );
      }
      const pause = i % 50 === 49 ? 400 : (opts.pauseMs ?? 2);
      await new Promise((r) => setTimeout(r, pause));
    }
    await Promise.all(pending);
    await new Promise((r) => setTimeout(r, 500));
    const rssEnd = rss(client.pid);
    const requests: SoakResult['requests'] = {};
    for (const [k, s] of Object.entries(samples)) {
      const sorted = [...s].sort((a, b) => a - b);
      const at = (q: number) => +(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
      requests[k] = { n: s.length, p50: at(0.5), p99: at(0.99), max: at(1), unanswered: unanswered[k]! };
    }
    return {
      alive: !client.exited,
      edits: opts.edits,
      publishes,
      outOfRange,
      requests,
      slow,
      rssMiB: { start: rssStart, end: rssEnd },
      stderr: client.stderr,
    };
  } finally {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
