// Runs the same VS Code suite (out/test/e2e/suite/index.js) in desktop VS Code through @vscode/test-electron, for
// machines with internet access (it downloads VS Code) and a display (or xvfb-run). Build first: `node esbuild.mjs --tests`
// (run.sh --electron does both).
//
// usage: node test/e2e/electron.js    env: E2E_VSCODE_VERSION (default "stable"), E2E_GREP
'use strict';
const { runTests } = require('@vscode/test-electron');
const { cpSync, mkdtempSync, rmSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

async function main() {
  const root = path.resolve(__dirname, '..', '..');
  const tests = path.join(root, 'out', 'test', 'e2e', 'suite', 'index.js');
  if (!existsSync(tests) || !existsSync(path.join(root, 'dist', 'server.js'))) {
    console.error('build first: node esbuild.mjs --tests');
    return 2;
  }
  // The tests edit files, so they get a copy of the fixture workspace.
  const run = mkdtempSync(path.join(tmpdir(), 'stack-doctor-e2e-electron.'));
  const workspace = path.join(run, 'workspace');
  cpSync(path.join(__dirname, 'workspace'), workspace, { recursive: true });
  let rc = 0;
  try {
    await runTests({
      version: process.env.E2E_VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: tests,
      extensionTestsEnv: process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {},
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        path.join(run, 'user'),
      ],
    });
    console.log('e2e (electron): passed');
  } catch (error) {
    console.error('e2e (electron): failed:', error instanceof Error ? error.message : error);
    rc = 1;
  }
  if (rc === 0) rmSync(run, { recursive: true, force: true });
  else console.error('logs kept in', run);
  return rc;
}

main().then(
  (rc) => process.exit(rc),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
