// The options table (parsers/req-options.ts) is the one source: the editor's completion offers what the parser accepts,
// nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeRequirements } from '../../server/src/lsp/features';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';

const FILE = '/work/project/requirements.txt';

test('every option completion offers is accepted by the parser', () => {
  const offered = completeRequirements(FILE, '-');
  assert.ok(offered.length >= 20, `${offered.length} options`);
  for (const item of offered) {
    const takesValue = typeof item.insertText === 'string' && item.insertText.endsWith(' ');
    const value =
      item.label === '--hash'
        ? 'sha256:abcd'
        : item.label === '--config-settings' || item.label === '-C'
          ? 'k=v'
          : item.label === '--use-feature'
            ? 'fast-deps'
            : 'x';
    const line =
      item.label === '--hash' ||
      item.label === '--global-option' ||
      item.label === '--config-settings' ||
      item.label === '-C'
        ? `numpy ${item.label} ${value}`
        : takesValue || item.label.length === 2
          ? `${item.label} ${value}`
          : item.label;
    const parsed = parseRequirementsFile(FILE, line + '\n', { kind: 'requirements', env: {} });
    assert.deepEqual(
      parsed.findings.map((f) => f.message),
      [],
      `${line}`,
    );
  }
});

test('completion leaves out options pip rejects in requirements files', () => {
  const labels = completeRequirements(FILE, '--').map((c) => c.label);
  for (const rejected of ['--user', '--upgrade', '--target', '--foo-bar']) {
    assert.ok(!labels.includes(rejected), rejected);
    const parsed = parseRequirementsFile(FILE, `${rejected}\n`, { kind: 'requirements', env: {} });
    assert.equal(parsed.findings.length, 1, `${rejected} is rejected`);
  }
  for (const accepted of ['--index-url', '--extra-index-url', '-C', '--pypi-url', '--only-binary'])
    assert.ok(labels.includes(accepted), accepted);
});
