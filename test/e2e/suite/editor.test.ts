// Completion and hover from the real language server in VS Code, against a loopback index the test starts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startPackageIndex, type PackageIndex } from '../../helpers/package-index';
import { activate, open, waitFor } from './helpers';

suite('editor features', () => {
  let index: PackageIndex;
  const config = () => vscode.workspace.getConfiguration('stackDoctor');

  suiteSetup(async function () {
    this.timeout(60_000);
    await activate();
    index = await startPackageIndex([
      { name: 'numpy', version: '1.24.3' },
      { name: 'numpy', version: '1.26.4' },
      { name: 'numpy', version: '2.0.0rc1' },
      { name: 'numpydoc', version: '1.6.0' },
      {
        name: 'requests',
        version: '2.31.0',
        summary: 'Python HTTP for Humans.',
        license: 'Apache-2.0',
        homePage: 'https://requests.readthedocs.io',
      },
    ]);
    // The fixture workspace is offline (.vscode/settings.json); this suite needs its loopback index.
    await config().update('offline', false, vscode.ConfigurationTarget.Workspace);
    await waitFor(
      'the offline setting to apply',
      () => (config().get('offline') === false ? true : undefined),
      () => config().inspect('offline'),
    );
    await config().update('indexUrl', index.url, vscode.ConfigurationTarget.Global);
    await waitFor(
      'the indexUrl setting to apply',
      () => (config().get('indexUrl') === index.url ? true : undefined),
      () => config().inspect('indexUrl'),
    );
  });

  suiteTeardown(async () => {
    await config().update('indexUrl', undefined, vscode.ConfigurationTarget.Global);
    await config().update('offline', true, vscode.ConfigurationTarget.Workspace);
    await index?.close();
  });

  test('typing a package name completes it from the index, and its versions after ==', async function () {
    this.timeout(60_000);
    const doc = await open('editor/requirements.txt');
    assert.equal(doc.lineAt(2).text, 'nump');
    const labels = await waitFor('numpy and numpydoc in the completion list', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        new vscode.Position(2, 4),
      );
      const names = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return names.includes('numpy') && names.includes('numpydoc') ? names : undefined;
    });
    assert.ok(labels.indexOf('numpy') < labels.indexOf('numpydoc'), JSON.stringify(labels));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, doc.lineAt(2).range, 'numpy==');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const versions = await waitFor('numpy versions after ==', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        new vscode.Position(2, 7),
      );
      const found = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return found.includes('1.26.4') ? found : undefined;
    });
    assert.equal(versions[0], '1.26.4', 'the newest final release first');
    assert.ok(
      versions.indexOf('2.0.0rc1') > versions.indexOf('1.24.3'),
      `pre-releases after finals: ${JSON.stringify(versions)}`,
    );
  });

  test('hovering a package shows its summary, the version the resolution picks and its licence', async function () {
    this.timeout(60_000);
    const doc = await open('editor/requirements.txt');
    assert.equal(doc.lineAt(1).text, 'requests>=2');
    const text = await waitFor('a hover with the summary', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(1, 3),
      );
      const all = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /Python HTTP for Humans/.test(all) && /requests 2\.31\.0/.test(all) ? all : undefined;
    });
    assert.match(text, /Apache-2\.0/);
  });
});
