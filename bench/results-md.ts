// bench/RESULTS.md from one whole run's output: the goals set for the figures, with this run's figures, a table per part,
// and the whole output at the end. `npm run bench` writes it; `node out/bench/results-md.js OUTPUT.json` rewrites it
// from a saved output. Every figure in the file is copied from the output by this code, none typed by hand.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';

type Json = Record<string, unknown>;

/** The value at a path of keys, or undefined. */
function at(r: Json, ...keys: string[]): unknown {
  let v: unknown = r;
  for (const k of keys) v = v && typeof v === 'object' ? (v as Json)[k] : undefined;
  return v;
}

/** A number as the output has it; "-" when the run has none. */
function num(v: unknown): string {
  return typeof v === 'number' ? String(v) : '-';
}

/** "p50 / p95" (or the quantiles the value has) of a timing. */
function q(v: unknown, keys = ['p50', 'p95']): string {
  if (!v || typeof v !== 'object') return '-';
  return keys.map((k) => num((v as Json)[k])).join(' / ');
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
}

const met = (ok: boolean | null): string => (ok === null ? '-' : ok ? 'yes' : 'no');
const below = (v: unknown, limit: number): boolean | null => (typeof v === 'number' ? v < limit : null);

/** The commit the run measured: HEAD, marked when the working tree differs from it. */
export function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown (no git)';
  }
}

/** The text of bench/RESULTS.md for one run's output `r`. */
export function resultsMarkdown(r: Json, commit: string): string {
  const out: string[] = [];
  const cli = (k: string) => at(r, 'whole processes: stack-doctor check against pip, 24 scenarios', k);
  const edit = at(r, 'didChange -> publishDiagnostics, 2000-line requirements.txt, stdio (ms)') as Json | undefined;
  const soak = (session: string, req: string) =>
    at(r, 'editing session: 5,000 edits with requests in between', session, 'requests', req);
  const uv = (k: string) => at(r, 'uv.lock, about 1 MB (300 packages)', k);
  const pixi = (k: string) => at(r, 'pixi: 30-spec environment on a CUDA platform entry, same channel (sharded)', k);
  const pixiLock = Object.entries((at(r, 'conda locks: a generated pixi.lock, warm') as Json | undefined) ?? {});
  const lockJudge = pixiLock.find(([k]) => k.endsWith('parse and judge (ms)'));

  out.push(
    '# Benchmark results',
    '',
    `One whole run of \`npm run bench\` (\`PIP_CONFIG_FILE=/dev/null npm run bench\`, which writes this file) on ` +
      `${String(r['date'])}, on commit \`${commit}\`: ${String(r['machine'])}, ${os.type()} ${os.release()}. ` +
      'Milliseconds unless said otherwise; "p50 / p95" unless said otherwise. The whole output of the run is at the ' +
      "end; every figure here is copied from it by `bench/results-md.ts`. Earlier runs' figures are in this file's git " +
      'history.',
    '',
    '## The goals set for these figures, and this run',
    '',
  );
  const maxP99 = Math.max(
    ...['hover', 'completion', 'codeAction', 'documentLink'].map((k) => {
      const v = at(soak('loopback index', k) as Json, 'p99');
      return typeof v === 'number' ? v : Infinity;
    }),
  );
  const ratio = cli('pip / stack-doctor new file over a warm index cache (p50)');
  const ratioWarm = cli('pip with a warm cache / stack-doctor new file over a warm index cache (p50)');
  out.push(
    table(
      ['goal', 'measured', 'met?'],
      [
        [
          'edit -> diagnostics, 2,000-line requirements.txt over stdio, p50 < 15, p99 < 30',
          `p50 ${num(edit?.['p50'])}, p95 ${num(edit?.['p95'])}, p99 ${num(edit?.['p99'])} (n=${num(edit?.['n'])}; ` +
            `server CPU per edit ${num(edit?.['server CPU per edit'])})`,
          met(
            below(edit?.['p50'], 15) === null
              ? null
              : below(edit?.['p50'], 15) === true && below(edit?.['p99'], 30) === true,
          ),
        ],
        [
          'a new file over a warm index cache at least 5x faster than pip `--dry-run`',
          `ours ${q(cli('stack-doctor check, new file over a warm index cache (ms)'), ['p50'])}; pip ` +
            `${q(cli('pip install --dry-run (ms)'), ['p50'])} without a cache (${num(ratio)}x), ` +
            `${q(cli('pip install --dry-run, its HTTP cache warm (ms)'), ['p50'])} with its HTTP cache warm ` +
            `(${num(ratioWarm)}x)`,
          met(typeof ratio === 'number' && typeof ratioWarm === 'number' ? ratio >= 5 && ratioWarm >= 5 : null),
        ],
        [
          'every request p99 < 100 over a 5,000-edit session, the first minute included',
          `p99 at most ${Number.isFinite(maxP99) ? maxP99 : '-'} (loopback index session)`,
          met(Number.isFinite(maxP99) ? maxP99 < 100 : null),
        ],
        [
          'a 1 MB uv.lock (331 entries) parsed and judged < 50 warm',
          `parse + lock-drift ${q(uv('parse + lock-drift (ms)'))}; a pyproject edit with the lock cached ` +
            q(uv('pyproject edit -> all checks, lock cached (ms)')),
          met(below(at(uv('parse + lock-drift (ms)') as Json, 'p50'), 50)),
        ],
        [
          'warm solve of a 30-spec pixi environment < 150',
          `parse + report p50 ${num(pixi('warm parse + report p50 (ms)'))}, p95 ${num(pixi('warm parse + report p95 (ms)'))}`,
          met(below(pixi('warm parse + report p95 (ms)'), 150)),
        ],
        [
          'a 2 MB pixi.lock parsed and judged < 100 warm',
          lockJudge ? `${q(lockJudge[1])} (n=${num((lockJudge[1] as Json)['n'])})` : '-',
          lockJudge
            ? `p50 ${met(below((lockJudge[1] as Json)['p50'], 100))}; p95 ${met(below((lockJudge[1] as Json)['p95'], 100))}`
            : '-',
        ],
      ],
    ),
  );

  out.push('## Parse and checks (`bench/run.ts`)', '');
  const inputs = [
    'requirements.txt, 2000 lines',
    'pyproject.toml, 500 dependencies',
    'environment.yml, 500 dependencies',
  ];
  out.push(
    table(
      ['input', 'parse', 'all checks, one analysis', 'slowest single check, p50'],
      inputs.map((name) => {
        const part = (at(r, name) as Json | undefined) ?? {};
        const single = Object.entries(part)
          .filter(([k]) => k.startsWith('check '))
          .map(([k, v]) => [k.slice(6, -5), at(v as Json, 'p50')] as const)
          .filter((e): e is readonly [string, number] => typeof e[1] === 'number')
          .sort((a, b) => b[1] - a[1])[0];
        return [
          name,
          q(part['parse (ms)']),
          q(part['all checks, one analysis (ms)']),
          single ? `${single[0]}: ${single[1]}` : '-',
        ];
      }),
    ),
  );

  out.push('## Lock files (`bench/locks.ts`, `bench/conda-locks.ts`)', '');
  out.push(
    table(
      ['measure', 'value'],
      [
        [
          `uv.lock, ${num(uv('uv.lock size (bytes)'))} bytes, ${num(uv('uv.lock packages'))} entries: parse`,
          q(uv('parse uv.lock (ms)')),
        ],
        ['the same: lock-drift on the parsed lock', q(uv('lock-drift on the parsed lock (ms)'))],
        [
          'the same: parse + lock-drift',
          `${q(uv('parse + lock-drift (ms)'))} (CPU time per run ${num(uv('parse + lock-drift, CPU time per run (ms)'))})`,
        ],
        [
          'pyproject edit -> all checks, the lock cached (not parsed again)',
          q(uv('pyproject edit -> all checks, lock cached (ms)')),
        ],
        ...pixiLock.map(([k, v]) => [k.replace(/ \(ms\)$/, ''), q(v)]),
      ],
    ),
  );

  out.push('## The editing session (`bench/soak.ts`): 5,000 edits, requests in between', '', '"p50 / p99 / max".', '');
  const sessions = ['offline', 'loopback index'];
  out.push(
    table(
      ['session', 'hover', 'completion', 'code action', 'document link', 'memory'],
      sessions.map((s) => [
        s,
        ...['hover', 'completion', 'codeAction', 'documentLink'].map((k) => q(soak(s, k), ['p50', 'p99', 'max'])),
        `${num(at(r, 'editing session: 5,000 edits with requests in between', s, 'rssMiB', 'start'))} → ` +
          `${num(at(r, 'editing session: 5,000 edits with requests in between', s, 'rssMiB', 'end'))} MiB`,
      ]),
    ),
  );
  const slow = sessions.flatMap(
    (s) => (at(r, 'editing session: 5,000 edits with requests in between', s, 'slow') as string[] | undefined) ?? [],
  );
  out.push(`Requests over 100 ms (kind@request number:ms): ${slow.length ? slow.join(', ') : 'none'}.`, '');

  out.push('## Editor features, warm cache (`bench/editor.ts`)', '');
  const editor = (k: string) => at(r, 'editor features over stdio, warm cache', k);
  out.push(
    table(
      ['measure', 'p50 / p99'],
      [
        [
          'completion, names (prefix of 2,000 projects)',
          q(editor('completion, names (prefix of 2,000 projects) (ms)'), ['p50', 'p99']),
        ],
        ['completion, versions (40)', q(editor('completion, versions (40) (ms)'), ['p50', 'p99'])],
        [
          'hover with the resolution and metadata',
          q(editor('hover with the resolution and metadata (ms)'), ['p50', 'p99']),
        ],
        [
          'project list of 600,000 names: parse and index once',
          num(
            at(
              r,
              'editor features over stdio, warm cache',
              'project list of 600,000 names (PyPI size), in process',
              'parse and index once (ms)',
            ),
          ),
        ],
      ],
    ),
  );

  out.push('## Whole processes: `stack-doctor check` against pip (`bench/cli-process.ts`, 24 scenarios)', '');
  out.push(
    table(
      ['run', 'p50 / p95'],
      [
        ['node -e 0', q(cli('node -e 0 (ms)'))],
        ['stack-doctor --version', q(cli('stack-doctor --version (ms)'))],
        ['stack-doctor check, cold cache', q(cli('stack-doctor check, cold cache (ms)'))],
        [
          'stack-doctor check, new file over a warm index cache',
          q(cli('stack-doctor check, new file over a warm index cache (ms)')),
        ],
        ['stack-doctor check, the same file again', q(cli('stack-doctor check, the same file again (ms)'))],
        ['stack-doctor check, the new file again', q(cli('stack-doctor check, the new file again (ms)'))],
        ['pip install --dry-run, no cache', q(cli('pip install --dry-run (ms)'))],
        ['pip install --dry-run, its HTTP cache warm', q(cli('pip install --dry-run, its HTTP cache warm (ms)'))],
      ],
    ),
  );
  out.push(
    `pip / ours, a new file over a warm index cache: ${num(ratio)}x against pip without a cache, ${num(ratioWarm)}x ` +
      `against pip with its cache warm; the same file again: ${num(cli('pip / stack-doctor the same file again (p50)'))}x. ` +
      `A new Node process costs ${q(cli('node -e 0 (ms)'), ['p50'])} here before any of our code runs.`,
    '',
  );

  out.push('## Resolution', '');
  const res = (k: string) => at(r, 'resolver over the in-memory provider (ms)', k);
  const ml = (k: string) => at(r, 'resolver over a loopback index, and pip', 'ML stack over the loopback index', k);
  const gen = (k: string) =>
    at(r, 'resolver over a loopback index, and pip', 'generated scenarios vs pip --dry-run', k);
  out.push(
    table(
      ['measure', 'value'],
      [
        [
          `in-memory provider, ${num(res('resolver.warm.packages'))} packages, warm`,
          `p50 ${num(res('resolver.warm.p50'))}, p95 ${num(res('resolver.warm.p95'))}`,
        ],
        ['a conflict and its explanation', `p50 ${num(res('resolver.conflict.p50'))}`],
        ['fix search', num(res('resolver.fixes.ms'))],
        [`ML stack of ${num(ml('packagesInIndex'))} projects over a loopback index: cold`, num(ml('cold (ms)'))],
        ['the same, warm, provider in memory', q(ml('warm, provider in memory (ms)'))],
        [
          'the same, warm, a new provider over the disk cache',
          `${q(ml('warm, new provider over the disk cache (ms)'))}, ${num(ml('warm, network requests'))} requests`,
        ],
        [
          'pip `--dry-run`, same stack',
          `${num(ml('pip --dry-run (ms)'))} (${String(ml('pip verdict'))}; ${num(ml('versions identical to pip'))} of ` +
            `${num(ml('packagesResolved'))} versions identical)`,
        ],
        [
          `${num(gen('scenarios'))} generated scenarios: ours cold / warm / pip, total`,
          `${num(gen('ours cold, total (ms)'))} / ${num(gen('ours warm, total (ms)'))} / ${num(gen('pip --dry-run, total (ms)'))} ` +
            `(${String(gen('verdicts agreeing with pip'))} verdicts agree)`,
        ],
      ],
    ),
  );

  const condaKey = 'conda: 30-spec ML environment over a ~20,000-record loopback channel';
  out.push(`## conda and pixi over a loopback channel of ${num(at(r, condaKey, 'channel records'))} records`, '');
  out.push(
    table(
      ['repodata', 'cold report', 'cold bytes', 'cold requests', 'warm report p50 / p95'],
      [
        ...['sharded', 'repodata.json.zst', 'repodata.json.bz2'].map((k) => [
          k,
          num(at(r, condaKey, k, 'cold report (ms)')),
          `${num(at(r, condaKey, k, 'cold bytes fetched'))} (${num(at(r, condaKey, k, 'cold bytes / full repodata'))} of the full repodata)`,
          num(at(r, condaKey, k, 'cold requests')),
          `${num(at(r, condaKey, k, 'warm report p50 (ms)'))} / ${num(at(r, condaKey, k, 'warm report p95 (ms)'))}`,
        ]),
        [
          `pixi, ${num(pixi('specs'))} specs on a CUDA platform entry (sharded)`,
          num(pixi('cold report (ms)')),
          '',
          '',
          `${num(pixi('warm parse + report p50 (ms)'))} / ${num(pixi('warm parse + report p95 (ms)'))} (parse included)`,
        ],
      ],
    ),
  );

  out.push('## The whole output of the run', '', '```json', JSON.stringify(r, null, 2), '```', '');
  return out.join('\n');
}

// `node out/bench/results-md.js OUTPUT.json [RESULTS.md]`: the file from a saved output.
if (require.main === module && /[\\/]results-md\.js$/.test(process.argv[1] ?? '')) {
  const [input, target = 'bench/RESULTS.md'] = process.argv.slice(2);
  if (!input) {
    console.error('usage: node out/bench/results-md.js OUTPUT.json [RESULTS.md]');
    process.exit(2);
  }
  writeFileSync(target, resultsMarkdown(JSON.parse(readFileSync(input, 'utf8')) as Json, commitOf()));
}
