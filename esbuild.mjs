// Bundles the extension, the language server and the CLI into dist/; with --tests or --bench, the test and bench entries into out/.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode'],
};

/** Every file under dir whose name ends with one of the suffixes. */
function findEntries(dir, suffixes) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'fixtures') out.push(...findEntries(p, suffixes));
    } else if (suffixes.some((s) => name.endsWith(s))) out.push(p);
  }
  return out;
}

/**
 * `import * as fs from 'node:fs'` becomes a plain require in the CLI's bundles: esbuild's namespace interop (__toESM)
 * copies every property of the module into a new object at each import site, 3 ms of every CLI start for 35 sites.
 */
const builtinNamespaces = {
  name: 'cli-builtin-namespaces',
  setup(build) {
    build.onLoad({ filter: /[\\/]server[\\/]src[\\/].*\.ts$/ }, (a) => ({
      contents: readFileSync(a.path, 'utf8').replace(
        /^import \* as (\w+) from '(node:[a-z_]+)';$/gm,
        "const $1 = require('$2');",
      ),
      loader: 'ts',
    }));
  },
};

/**
 * The knowledge tables (server/src/knowledge/**.json) as JSON text parsed at load, not object literals: a literal's
 * bytecode and boilerplate travel in the CLI's code cache, which every start reads and deserializes (about 70 KB
 * less of it).
 */
const jsonAsText = {
  name: 'json-as-text',
  setup(build) {
    build.onLoad({ filter: /[\\/]server[\\/]src[\\/]knowledge[\\/].*\.json$/ }, (a) => ({
      contents: `module.exports = JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(a.path, 'utf8'))))});`,
      loader: 'js',
    }));
  },
};

if (!args.has('--no-dist')) {
  await esbuild.build({
    ...common,
    entryPoints: { extension: 'client/src/extension.ts', server: 'server/src/server.ts' },
    outdir: 'dist',
    minify: args.has('--minify'),
  });
  // The CLI's libraries that only some commands need (YAML, TOML, conda's msgpack and zstd; server/src/system/
  // lazy-modules.ts requires them on first use) are bundles of their own in dist/cli-vendor/, so that the bundle every
  // command reads and compiles is smaller.
  const vendor = { yaml: 'yaml', 'toml-eslint-parser': 'toml', '@msgpack/msgpack': 'msgpack', fzstd: 'fzstd' };
  await esbuild.build({
    ...common,
    entryPoints: { 'cli-main': 'server/src/cli.ts' },
    outdir: 'dist',
    // Every command reads this bundle whole and keeps two copies of its text in memory (the file's bytes and the
    // string V8 compiles), which a start pays for page by page: minified, it is little more than half the size.
    minify: !process.env.NO_MINIFY,
    // Run as a script by the loader (server/src/cli-loader.ts), the bundle's value is its module function, compiled
    // from the text as read; loaded by Node as a module (with --enable-source-maps), it runs itself.
    banner: {
      js:
        '(function (f) { return this === globalThis ? f : f.call(this, exports, require, module, __filename, __dirname); })' +
        '.call(this, function (exports, require, module, __filename, __dirname) {',
    },
    footer: { js: '});' },
    plugins: [
      builtinNamespaces,
      jsonAsText,
      {
        name: 'cli-vendor',
        setup(build) {
          build.onResolve({ filter: /^(yaml|toml-eslint-parser|@msgpack\/msgpack|fzstd)$/ }, (a) => ({
            path: `./cli-vendor/${vendor[a.path]}.js`,
            external: true,
          }));
        },
      },
    ],
  });
  await esbuild.build({
    ...common,
    entryPoints: Object.fromEntries(Object.entries(vendor).map(([pkg, name]) => [`cli-vendor/${name}`, pkg])),
    outdir: 'dist',
    minify: args.has('--minify'),
  });
  // The `stack-doctor` command is a small loader that runs cli-main.js from V8's code cache (server/src/cli-loader.ts);
  // the cache names the bundle by this hash. A pure-ASCII bundle is read without decoding UTF-8.
  const main = readFileSync('dist/cli-main.js');
  const ascii = !main.some((b) => b > 0x7f);
  if (!ascii) console.warn('esbuild.mjs: dist/cli-main.js is not pure ASCII; the CLI starts a little slower');
  await esbuild.build({
    ...common,
    entryPoints: { cli: 'server/src/cli-loader.ts' },
    outdir: 'dist',
    plugins: [builtinNamespaces],
    define: {
      CLI_MAIN_HASH: JSON.stringify(createHash('sha256').update(main).digest('hex')),
      CLI_MAIN_ASCII: JSON.stringify(ascii),
    },
  });
  // The loader is read and compiled by every command without a cache: it must not pull the analysis or a library in.
  if (statSync('dist/cli.js').size > 32 * 1024) throw new Error('dist/cli.js (the CLI loader) grew past 32 KB');
}
// The conda solver (WebAssembly) is loaded at run time, not bundled: its Node build and .wasm go beside the bundles.
if (!args.has('--no-dist') && existsSync('node_modules/@conda-org/rattler/dist/rattler.node.cjs')) {
  mkdirSync('dist/rattler', { recursive: true });
  for (const f of ['rattler.node.cjs', 'js_rattler_bg.wasm'])
    copyFileSync(join('node_modules/@conda-org/rattler/dist', f), join('dist/rattler', f));
}

if (args.has('--tests')) {
  await esbuild.build({
    ...common,
    entryPoints: ['unit', 'server', 'cli']
      .flatMap((d) => findEntries(join('test', d), ['.test.ts']))
      .filter((f) => !process.env.TEST_ONLY || f.includes(process.env.TEST_ONLY)),
    outdir: 'out/test',
    outbase: 'test',
  });
  // The VS Code suite is mocha inside the extension host; its entry and test files are plain bundles too.
  // suite-untrusted: the same, for the run with Workspace Trust on (test/e2e/run.sh).
  if (!args.has('--no-e2e'))
    for (const dir of ['test/e2e/suite', 'test/e2e/suite-untrusted'])
      await esbuild.build({
        ...common,
        entryPoints: findEntries(dir, ['.ts']),
        outdir: join('out', dir),
        outbase: dir,
        external: ['vscode', 'mocha'],
      });
}
if (args.has('--bench')) {
  await esbuild.build({
    ...common,
    entryPoints: [
      'bench/run.ts',
      'bench/soak.ts',
      'bench/cli-process.ts',
      'bench/edit-latency.ts',
      'bench/locks-run.ts',
      'bench/pixi.ts',
      'bench/results-md.ts',
    ],
    outdir: 'out/bench',
  });
}
