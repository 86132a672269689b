// Editor features over stdio with a warm cache: completion (names, versions) and hover p50/p99 against a loopback index
// of 2,000 projects.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseProjectList, ProjectNames } from '../server/src/index/project-list';
import { LspClient } from '../test/helpers/lsp-client';
import { isolatedPipEnv, startPackageIndex, type IndexPackage } from '../test/helpers/package-index';

function stats(samples: number[]): { p50: number; p99: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: +at(0.5).toFixed(3), p99: +at(0.99).toFixed(3), n: s.length };
}

/** A PyPI-sized project list (600,000 names as PEP 691 JSON): parse and index once, then prefix matches. */
function bigList(): Record<string, unknown> {
  const names = Array.from(
    { length: 600_000 },
    (_, i) => `${['py', 'django-', 'flask_', 'Sci', 'torch-', 'aws.'][i % 6]}${(i * 7919).toString(36)}`,
  );
  const body = JSON.stringify({ meta: { 'api-version': '1.1' }, projects: names.map((name) => ({ name })) });
  const t = process.hrtime.bigint();
  const list = ProjectNames.from(parseProjectList(body, 'application/vnd.pypi.simple.v1+json', 'bench'));
  const build = Number(process.hrtime.bigint() - t) / 1e6;
  const samples: number[] = [];
  for (const prefix of ['py', 'django-a', 'Flask_1', 'sci', 'torch', 'aws-', 'x', 'p']) {
    for (let i = 0; i < 25; i++) {
      const s = process.hrtime.bigint();
      list.matching(prefix, 100);
      samples.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  }
  return {
    'JSON bytes': body.length,
    'parse and index once (ms)': +build.toFixed(1),
    'prefix match (ms)': stats(samples),
  };
}

/** Completion of names and versions, and hover, each timed `runs` times after a warm-up that fills the caches. */
export async function benchEditor(runs = 200): Promise<Record<string, unknown>> {
  const packages: IndexPackage[] = [];
  for (let i = 0; i < 2000; i++) packages.push({ name: `pkg-${String(i).padStart(4, '0')}`, version: '1.0.0' });
  for (let i = 0; i < 40; i++)
    packages.push({
      name: 'numpy',
      version: `1.${i}.0`,
      summary: 'Fundamental package for array computing in Python',
      license: 'BSD-3-Clause',
      homePage: 'https://numpy.org',
    });
  packages.push({ name: 'scipy', version: '1.13.1', dependencies: ['numpy>=1.22.4,<1.39'] });
  const index = await startPackageIndex(packages);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-bench-editor-'));
  const client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
  try {
    await client.initialize(dir, {
      trusted: true,
      indexUrl: index.url,
      cacheDir: path.join(dir, '.cache'),
      debounceMs: 0,
      indexDebounceMs: 0,
    });
    const file = path.join(dir, 'requirements.txt');
    const text = 'pkg-01\nnumpy>=1.2\nscipy==1.13.1\n';
    fs.writeFileSync(file, text);
    const uri = client.open(file, text);
    const req = (method: string, line: number, character: number) =>
      client.request<unknown>(method, { textDocument: { uri }, position: { line, character } });
    const timed = async (method: string, line: number, character: number, ok: (r: unknown) => boolean) => {
      for (let i = 0; i < 100; i++) {
        if (ok(await req(method, line, character))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = process.hrtime.bigint();
        const r = await req(method, line, character);
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (!ok(r)) throw new Error(`${method} lost its answer while timing: ${JSON.stringify(r).slice(0, 300)}`);
      }
      return stats(samples);
    };
    const items = (r: unknown) => ((r as { items?: unknown[] })?.items ?? (r as unknown[]) ?? []).length;
    return {
      'project list of 600,000 names (PyPI size), in process': bigList(),
      'completion, names (prefix of 2,000 projects) (ms)': await timed(
        'textDocument/completion',
        0,
        6,
        (r) => items(r) > 0,
      ),
      'completion, versions (40) (ms)': await timed('textDocument/completion', 1, 8, (r) => items(r) >= 30),
      'hover with the resolution and metadata (ms)': await timed('textDocument/hover', 1, 2, (r) =>
        /Licence/.test((r as { contents?: { value?: string } })?.contents?.value ?? ''),
      ),
    };
  } finally {
    await client.shutdown();
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Bundled into run.js too, where `require.main === module` also holds: only `node out/bench/editor.js` runs this.
if (require.main === module && /[\\/]editor\.js$/.test(process.argv[1] ?? '')) {
  void benchEditor().then((r) => console.log(JSON.stringify(r, null, 2)));
}
