// A file kind is one row and one parser: a throwaway kind added at run time is read, grouped, completed and checked by
// the file sets, completion and the client's document selector with no other change (the server and the CLI:
// test/server/file-kind-row.test.ts, test/cli/file-kind-row.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { completionContext } from '../../server/src/lsp/completion';
import type { FileKind } from '../../server/src/model/types';
import { FileSets } from '../../server/src/workspace/file-sets';
import { diskSource } from '../../server/src/workspace/text-source';
import {
  classify,
  decodingOf,
  editorDocumentSelector,
  kindOfLanguage,
  registerFileKind,
  workspaceGlobs,
} from '../../server/src/workspace/file-kinds';
import { PINS_LOCK_ROW, PINS_ROW } from '../helpers/throwaway-kind';

const PINS_TEXT = '# pinned\nnumpy==1.26.4\nscipy>=1.11\nnumpy==2.0.0\n';

describe('a file kind added as one row', () => {
  let dir: string;
  let unregister: () => void = () => undefined;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-kind-row-'));
    fs.writeFileSync(path.join(dir, 'deps.pins'), PINS_TEXT);
    fs.writeFileSync(path.join(dir, 'requirements.txt'), 'requests\n');
    unregister = registerFileKind(PINS_ROW);
  });
  after(() => {
    unregister();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is known by its name, watched, decoded as its row says, and no language claims it', () => {
    assert.equal(classify('/w/deps.pins'), 'pins');
    assert.ok(workspaceGlobs().includes('**/*.pins'));
    assert.equal(decodingOf('/w/deps.pins'), 'utf-8');
    assert.equal(kindOfLanguage('plaintext'), null);
    assert.equal(kindOfLanguage('pip-requirements'), 'requirements');
  });

  it("the client's document selector sends its files to the server", () => {
    const selector = editorDocumentSelector();
    assert.ok(selector.some((f) => 'pattern' in f && f.pattern === '**/*.pins' && f.scheme === 'file'));
    // The other kinds' filters are still there.
    assert.ok(selector.some((f) => 'language' in f && f.language === 'pip-requirements' && f.scheme === 'untitled'));
    assert.ok(selector.some((f) => 'pattern' in f && f.pattern === '**/pyproject.toml'));
  });

  it('the file sets list it, parses it with its parser and makes it the root of a set of its own', () => {
    const fileSets = new FileSets(diskSource);
    const pins = path.join(dir, 'deps.pins');
    assert.deepEqual(
      fileSets.folderFiles(dir).map((f) => [path.basename(f.path), f.kind]),
      [
        ['deps.pins', 'pins'],
        ['requirements.txt', 'requirements'],
      ],
    );
    const sets = fileSets.folderSets(dir);
    const set = sets.find((s) => s.root === pins);
    assert.ok(set, 'a set rooted at deps.pins');
    assert.deepEqual(
      set.files.map((f) => [f.kind, f.dependencies.map((d) => d.text)]),
      [['pins', ['numpy==1.26.4', 'scipy>=1.11', 'numpy==2.0.0']]],
    );
    assert.deepEqual(
      fileSets.filesOf(pins, 'pins' as FileKind).map((f) => f.path),
      [pins],
    );
  });

  it('completion reads its flavour from the row (none here)', () => {
    assert.equal(completionContext('pins' as FileKind, PINS_TEXT, PINS_TEXT.indexOf('numpy') + 2), null);
    assert.notEqual(completionContext('requirements', 'numpy\n', 2), null);
  });

  it('a lock joins the set of its manifest beside it, and is a set of its own without one', () => {
    const unregisterLock = registerFileKind(PINS_LOCK_ROW);
    const lonely = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-kind-lock-'));
    try {
      fs.writeFileSync(path.join(dir, 'pins.lock'), 'numpy==1.26.4\nscipy==1.13.0\n');
      fs.writeFileSync(path.join(lonely, 'pins.lock'), 'numpy==1.26.4\n');
      const fileSets = new FileSets(diskSource);
      const sets = fileSets.folderSets(dir);
      const pinsSet = sets.find((s) => s.root === path.join(dir, 'deps.pins'))!;
      assert.deepEqual(
        pinsSet.files.map((f) => path.basename(f.path)),
        ['deps.pins', 'pins.lock'],
      );
      assert.ok(!sets.some((s) => s.root === path.join(dir, 'pins.lock')), 'not a set of its own beside its manifest');
      const requirementsSet = sets.find((s) => s.root === path.join(dir, 'requirements.txt'))!;
      assert.deepEqual(
        requirementsSet.files.map((f) => path.basename(f.path)),
        ['requirements.txt'],
      );
      assert.deepEqual(
        fileSets.folderSets(lonely).map((s) => s.files.map((f) => [path.basename(f.path), f.kind])),
        [[['pins.lock', 'pins-lock']]],
      );
    } finally {
      unregisterLock();
      fs.rmSync(path.join(dir, 'pins.lock'), { force: true });
      fs.rmSync(lonely, { recursive: true, force: true });
    }
  });
});
