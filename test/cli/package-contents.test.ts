// What the two packages carry, from the built dist/: the VSIX (`vsce ls`, ruled by .vscodeignore) and the npm tarball
// (`npm pack`, ruled by .npmignore), and the npm tarball's command line run from an unpacked copy with nothing else
// beside it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(cmd, args, { timeout: 120_000, maxBuffer: 32 * 1024 * 1024, ...opts }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
}

/** The command line's own files: the loader, the bundle, its vendored libraries and the conda solver. */
const CLI_FILES = [
  'dist/cli.js',
  'dist/cli-main.js',
  'dist/cli-vendor/fzstd.js',
  'dist/cli-vendor/msgpack.js',
  'dist/cli-vendor/toml.js',
  'dist/cli-vendor/yaml.js',
  'dist/rattler/js_rattler_bg.wasm',
  'dist/rattler/rattler.node.cjs',
];

describe('the VSIX', () => {
  it('carries the bundles, the solver, the grammar, the icon, the walkthrough, the documents and the README pictures, and nothing else', async () => {
    const r = await run('npx', ['--no-install', 'vsce', 'ls']);
    assert.equal(r.code, 0, r.stderr);
    const listed = r.stdout.split('\n').filter(Boolean).sort();
    // What package.json points at: the languages' configurations and grammars, the icon, the walkthrough's pages.
    const referenced = [
      ...pkg.contributes.languages.map((l: { configuration: string }) => l.configuration),
      ...pkg.contributes.grammars.map((g: { path: string }) => g.path),
      pkg.icon,
      ...pkg.contributes.walkthroughs.flatMap((w: { steps: { media: { markdown: string } }[] }) =>
        w.steps.map((s) => s.media.markdown),
      ),
      // The README's pictures (VS Code shows the README of an installed VSIX from the extension's folder).
      ...[...fs.readFileSync('README.md', 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!),
    ].map((p: string) => p.replace(/^\.\//, ''));
    const want = [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      pkg.main.replace(/^\.\//, ''),
      'dist/server.js',
      ...CLI_FILES,
      ...referenced,
    ];
    assert.deepEqual(listed, [...new Set(want)].sort());
    for (const f of listed) assert.ok(!/\.(ts|map)$|^(client|server|test|bench|scripts)\//.test(f), f);
  });
});

describe('the npm package', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-npm-pack-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('carries the command line its bin names, the documents and package.json, and nothing else', async () => {
    const r = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
    assert.equal(r.code, 0, r.stderr);
    const [report] = JSON.parse(r.stdout) as [{ files: { path: string }[] }];
    const files = report.files.map((f) => f.path).sort();
    assert.deepEqual(files, ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json', ...CLI_FILES].sort());
    assert.deepEqual(pkg.bin, { 'stack-doctor': './dist/cli.js' });
    assert.match(fs.readFileSync('dist/cli.js', 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('runs `stack-doctor check` and loads the conda solver from the unpacked tarball alone', async () => {
    const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp]);
    assert.equal(packed.code, 0, packed.stderr);
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    const unpacked = path.join(tmp, 'unpacked');
    fs.mkdirSync(unpacked);
    const tar = await run('tar', ['-xzf', path.join(tmp, path.basename(filename)), '-C', unpacked]);
    assert.equal(tar.code, 0, tar.stderr);
    const root = path.join(unpacked, 'package');
    const work = path.join(tmp, 'work');
    fs.mkdirSync(work);
    fs.writeFileSync(path.join(work, 'requirements.txt'), 'numpy>=1.24\nnumpy<1.24\n');
    // No node_modules anywhere above the unpacked copy or the work folder, no NODE_PATH: only the tarball's files.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tmp, XDG_CACHE_HOME: path.join(tmp, 'cache') };
    const check = await run(
      process.execPath,
      [path.join(root, pkg.bin['stack-doctor']), 'check', '--offline', '--format', 'json'],
      { cwd: work, env },
    );
    assert.equal(check.code, 1, check.stderr);
    const { diagnostics } = JSON.parse(check.stdout) as { diagnostics: { code: string }[] };
    // One direct conflict, one finding (its other line related).
    assert.equal(diagnostics.filter((d) => d.code === 'conflict').length, 1, check.stdout);
    const solver = await run(
      process.execPath,
      [
        '-e',
        // A conda version parsed by the solver's WebAssembly: the .wasm beside its loader was found and runs.
        `const r = require(${JSON.stringify(path.join(root, 'dist/rattler/rattler.node.cjs'))}); ` +
          `process.exit(new r.Version('1.2.3').toString() === '1.2.3' ? 0 : 3)`,
      ],
      { cwd: work, env },
    );
    assert.equal(solver.code, 0, solver.stderr);
  });
});
