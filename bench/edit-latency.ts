// Edit -> diagnostics over stdio: `didChange` on a 2,000-line requirements file until `publishDiagnostics` for that
// version arrives from the built server (the debounce included). `node out/bench/edit-latency.js [edits]` runs it alone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/helpers/lsp-client';

const NAMES = [
  'numpy',
  'scipy',
  'pandas',
  'torch',
  'torchvision',
  'tensorflow',
  'jax',
  'requests',
  'flask',
  'django',
  'rich',
  'pydantic',
  'fastapi',
  'uvicorn',
  'scikit-learn',
  'matplotlib',
  'seaborn',
  'opencv-python',
  'pillow',
  'transformers',
];

export function pkg(i: number): string {
  return `${NAMES[i % NAMES.length]}-${Math.floor(i / NAMES.length)}`;
}

/** The generated requirements file of the bench: pins, ranges, extras with markers, `!=` with comments, URLs. */
export function requirementsText(lines: number): string {
  const out: string[] = ['# generated for the benchmark', '--index-url https://pypi.org/simple'];
  for (let i = 0; out.length < lines; i++) {
    const v = `${1 + (i % 7)}.${i % 13}.${i % 5}`;
    const forms = [
      `${pkg(i)}==${v}`,
      `${pkg(i)}>=${v},<${2 + (i % 7)}`,
      `${pkg(i)}[extra]~=${v} ; python_version >= "3.9"`,
      `${pkg(i)}!=${v}  # pinned away`,
      `${pkg(i)} @ https://example.invalid/${pkg(i)}-${v}.tar.gz`,
    ];
    out.push(forms[i % forms.length]!);
  }
  return out.join('\n') + '\n';
}

/**
 * The CPU time the server process has used so far (ms), from /proc (Linux); undefined elsewhere. On a machine shared
 * with other work the wall-clock figures wander with the load; the server's CPU time per edit much less.
 */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function quantiles(samples: number[]): { p50: number; p95: number; p99: number; max: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => +(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(3);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1), n: s.length };
}

/**
 * `edits` edits of the comment line, one at a time, each timed until its version's diagnostics arrive (the first three
 * are a warm-up and not counted). Default settings, as an editor starts.
 */
export async function editLatency(
  edits = 100,
): Promise<{ p50: number; p95: number; p99: number; max: number; n: number; 'server CPU per edit'?: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-bench-'));
  const file = path.join(dir, 'requirements.txt');
  const text = requirementsText(2000);
  fs.writeFileSync(file, text);
  const client = new LspClient(path.resolve('dist/server.js'));
  try {
    await client.initialize(dir, { trusted: true });
    const uri = pathToFileURL(file).toString();
    const first = client.waitFor(uri, () => true, 30_000);
    client.open(file, text);
    await first;
    const samples: number[] = [];
    let cpuStart: number | undefined;
    for (let i = 0; i < edits + 3; i++) {
      if (i === 3) cpuStart = cpuMs(client.pid);
      const edited = text.replace('# generated for the benchmark', `# generated for the benchmark ${i}`);
      const t = process.hrtime.bigint();
      const version = client.change(uri, edited);
      await client.waitFor(uri, (p) => p.version === version, 30_000);
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const cpuEnd = cpuMs(client.pid);
    const cpu = cpuStart !== undefined && cpuEnd !== undefined ? +((cpuEnd - cpuStart) / edits).toFixed(2) : undefined;
    return { ...quantiles(samples.slice(3)), ...(cpu !== undefined ? { 'server CPU per edit': cpu } : {}) };
  } finally {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Bundled into run.js too, where `require.main === module` also holds: only `node out/bench/edit-latency.js` runs this.
if (require.main === module && /[\\/]edit-latency\.js$/.test(process.argv[1] ?? '')) {
  void editLatency(Number(process.argv[2] ?? 100)).then((r) => console.log(JSON.stringify(r)));
}
