// Mocha entry for the VS Code tests: run() is what the extension host calls (code-server's smoke-test driver and
// @vscode/test-electron alike).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  // E2E_GREP (through the host's environment) runs a subset while developing.
  if (process.env.E2E_GREP) mocha.grep(process.env.E2E_GREP);
  for (const file of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort())
    mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
