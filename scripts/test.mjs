// Runs the test layers with node:test: `node scripts/test.mjs [unit|server|cli]...` (default: all three).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const layers = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'server', 'cli'];
if (layers.some((l) => l !== 'unit') && (!existsSync('dist/server.js') || !existsSync('dist/cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
let r = spawnSync(process.execPath, ['esbuild.mjs', '--tests', '--no-dist', '--no-e2e'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    // Only bundles whose source still exists: a deleted test must not keep running from a stale bundle.
    return statSync(p).isDirectory()
      ? testFiles(p)
      : n.endsWith('.test.js') && existsSync(p.replace(/^out[\\/]/, '').replace(/\.js$/, '.ts'))
        ? [p]
        : [];
  });
}
const only = process.env.TEST_ONLY; // a substring of test file paths, to run a few while developing
const files = layers.flatMap((l) => testFiles(join('out/test', l))).filter((f) => !only || f.includes(only));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, PIP_CONFIG_FILE: '/dev/null' },
});
process.exit(r.status ?? 1);
