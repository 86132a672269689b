// Drives headless chromium (playwright-core) at a VS Code server started with --enable-smoke-test-driver, so that the
// workbench loads this extension for development and runs its mocha suite in the real Node extension host; exits with
// the extension host's exit code and writes "e2e: N passed, N failed".
//
// usage: node runner.js --server http://127.0.0.1:PORT --ext DIR --tests FILE.js --folder DIR
//                       [--timeout SECONDS] [--summary FILE] [--screenshot FILE] [--env JSON] [--verbose]
'use strict';
const { chromium } = require('playwright-core');
const { format } = require('node:util');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'verbose') args.verbose = true;
    else args[key] = argv[++i];
  }
  for (const required of ['server', 'ext', 'tests', 'folder'])
    if (!args[required]) throw new Error(`--${required} is required`);
  return args;
}

// The workbench's own chatter (offline gallery and telemetry lookups, chat and auth services), hidden unless --verbose.
const noise =
  /^(\[(AgentHost|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)|Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin|getaddrinfo ENOTFOUND|Timed out waiting for authentication provider|\s+at )/;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const server = new URL(args.server);
  // Paths the workbench hands to the extension host live on the server: vscode-remote://host:port/abs/path.
  const remote = (p) => `vscode-remote://${server.host}${path.resolve(p)}`;
  const timeoutMs = (Number(args.timeout) || 300) * 1000;
  const t0 = Date.now();

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let code = 'timeout';
  let passing = null;
  let failing = 0;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    // The extension host's console (mocha's spec reporter included) reaches the page through codeAutomationLog.
    await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
      const line = format(...(logArgs || []));
      let m;
      if ((m = /^\s*(\d+) passing/m.exec(line))) passing = Number(m[1]);
      if ((m = /^\s*(\d+) failing/m.exec(line))) failing = Number(m[1]);
      if (!args.verbose && line.split('\n').every((l) => !l.trim() || noise.test(l))) return;
      (console[type] || console.log).call(console, line);
    });
    await page.exposeFunction('codeAutomationExit', (exitCode) => exit(exitCode));
    if (args.verbose) page.on('console', (m) => console.log('[browser]', m.type(), m.text()));
    page.on('pageerror', (e) => console.error('[pageerror]', e.message));

    const payload = [
      ['extensionDevelopmentPath', remote(args.ext)],
      ['extensionTestsPath', remote(args.tests)],
      ['skipWelcome', 'true'],
      ...(args.env ? [['extensionEnvironment', args.env]] : []),
    ];
    const url = `${server.origin}/?folder=${encodeURIComponent(path.resolve(args.folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    if (args.verbose) console.log('[runner] opening', url);
    await page.goto(url);
    let timer;
    code = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (code !== 0 && args.screenshot) await page.screenshot({ path: args.screenshot }).catch(() => undefined);
  } finally {
    await browser.close().catch(() => undefined);
  }
  console.log(`[runner] extension host exited with ${code} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  // A crash or a timeout without mocha's summary counts as one failure.
  const summary =
    passing === null
      ? `e2e: 0 passed, ${Math.max(failing, 1)} failed`
      : `e2e: ${passing} passed, ${code === 0 ? failing : Math.max(failing, 1)} failed`;
  if (args.summary) writeFileSync(args.summary, summary + '\n');
  else console.log(summary);
  return code === 0 ? 0 : 1;
}

main().then(
  (rc) => process.exit(rc),
  (error) => {
    console.error('[runner]', error);
    process.exit(2);
  },
);
