// The built server with a loopback index: name and version completion in each file kind, newest-version inlay hints,
// update actions that resolve, package hover, and `vulnerable` from the JSON API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyEdits, LspClient } from '../helpers/lsp-client';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';

interface Item {
  label: string;
  detail?: string;
  tags?: number[];
  textEdit?: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    newText: string;
  };
}
interface List {
  isIncomplete: boolean;
  items: Item[];
}
interface Hint {
  position: { line: number; character: number };
  label: string;
}
interface Lens {
  range: { start: { line: number; character: number } };
  command: { title: string; command: string; arguments: unknown[] };
}
interface Action {
  title: string;
  kind?: string;
  edit?: {
    changes: Record<
      string,
      {
        range: { start: { line: number; character: number }; end: { line: number; character: number } };
        newText: string;
      }[]
    >;
  };
}

const PACKAGES = [
  { name: 'numpy', version: '1.24.3' },
  { name: 'numpy', version: '1.25.0', yanked: 'broken build' },
  { name: 'numpy', version: '1.26.4' },
  { name: 'numpy', version: '2.0.0rc1' },
  { name: 'numpy', version: '2.1.0', requiresPython: '>=3.99' },
  { name: 'numpy-financial', version: '1.0.0' },
  { name: 'numpydoc', version: '1.6.0' },
  { name: 'flask_cors', version: '4.0.0' },
  { name: 'scipy', version: '1.11.1', dependencies: ['numpy>=1.21.6,<1.25'] },
  { name: 'scipy', version: '1.13.1', dependencies: ['numpy>=1.22.4,<2.3'] },
  { name: 'requests', version: '2.19.0' },
  {
    name: 'requests',
    version: '2.31.0',
    summary: 'Python HTTP for Humans.',
    license: 'Apache-2.0',
    homePage: 'https://requests.readthedocs.io',
    projectUrls: [['Source', 'https://github.com/psf/requests']] as [string, string][],
  },
];

describe('language server: editor features over the index', () => {
  let index: PackageIndex;
  let dir: string;
  let client: LspClient;
  let profile: string;

  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const openFile = (name: string, text: string, languageId?: string): string => {
    const file = write(name, text);
    return client.open(file, text, languageId);
  };
  const complete = (uri: string, line: number, character: number) =>
    client
      .request<List | Item[]>('textDocument/completion', { textDocument: { uri }, position: { line, character } })
      .then((r) => (Array.isArray(r) ? { isIncomplete: false, items: r } : r));
  /** Asks until the answer is complete (the first may come before the index answered). */
  const completeSettled = async (uri: string, line: number, character: number): Promise<List> => {
    for (let i = 0; i < 40; i++) {
      const r = await complete(uri, line, character);
      if (!r.isIncomplete || r.items.length) return r;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('completion stayed incomplete');
  };
  const hints = (uri: string) =>
    client.request<Hint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
  const hintsSettled = async (uri: string, count: number): Promise<Hint[]> => {
    for (let i = 0; i < 100; i++) {
      const h = await hints(uri);
      if (h.length >= count) return h;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('no inlay hints');
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-editor-'));
    index = await startPackageIndex(PACKAGES, {
      vulnerabilities: {
        'requests@2.19.0': [
          {
            id: 'PYSEC-2018-28',
            aliases: ['GHSA-x84v-xcm2-53pg'],
            summary: 'Credentials sent over HTTP after a redirect',
            fixed_in: ['2.20.0'],
          },
        ],
      },
    });
    profile = write(
      'profile.json',
      JSON.stringify({
        os: 'linux',
        arch: 'x86_64',
        libc: { kind: 'glibc', version: '2.36' },
        python: { version: '3.11.7', implementation: 'cpython' },
      }),
    );
    client = new LspClient(path.resolve('dist/server.js'), {
      ...isolatedPipEnv(),
      STACK_DOCTOR_PYPI_JSON_API: index.url.replace(/\/simple$/, ''),
    });
    await client.initialize(dir, {
      trusted: true,
      debounceMs: 0,
      indexDebounceMs: 0,
      indexUrl: index.url,
      cacheDir: path.join(dir, '.cache'),
      profile,
    });
  });
  after(async () => {
    await client.shutdown();
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'completes project names from the index list in a ' +
      'requirements file, exact and shorter names first, normalized',
    async () => {
      const uri = openFile('names/requirements.txt', 'nump\nFlask_C\n');
      const list = await completeSettled(uri, 0, 4);
      assert.deepEqual(
        list.items.map((i) => i.label),
        ['numpy', 'numpydoc', 'numpy-financial'],
      );
      assert.deepEqual(list.items[0]!.textEdit!.range, {
        start: { line: 0, character: 0 },
        end: { line: 0, character: 4 },
      });
      const norm = await completeSettled(uri, 1, 7);
      assert.deepEqual(
        norm.items.map((i) => i.label),
        ['flask-cors'],
      );
      // The list was asked for once, as PEP 691 JSON.
      const lists = index.requests.filter((r) => r.path === '/simple/');
      assert.equal(lists.length, 1);
      assert.match(lists[0]!.accept, /application\/vnd\.pypi\.simple\.v1\+json/);
    },
  );

  it(
    'completes versions after an operator: finals newest first, ' +
      'yanked marked, pre-releases last, none for another Python',
    async () => {
      const uri = openFile('versions/requirements.txt', 'numpy==\nnumpy>=1.0,<1.2\n');
      const list = await completeSettled(uri, 0, 7);
      assert.deepEqual(
        list.items.map((i) => i.label),
        ['1.26.4', '1.25.0', '1.24.3', '2.0.0rc1'],
      );
      const yanked = list.items.find((i) => i.label === '1.25.0')!;
      assert.match(yanked.detail ?? '', /yanked: broken build/);
      assert.deepEqual(yanked.tags, [1]);
      assert.match(list.items[0]!.detail ?? '', /newest/);
      assert.match(list.items[3]!.detail ?? '', /pre-release/);
      // After `<` with `1.2` typed: versions starting with it, replacing what was typed.
      const second = await completeSettled(uri, 1, 15);
      assert.deepEqual(
        second.items.map((i) => i.label),
        ['1.26.4', '1.25.0', '1.24.3'],
      );
      assert.deepEqual(second.items[0]!.textEdit!.range, {
        start: { line: 1, character: 12 },
        end: { line: 1, character: 15 },
      });
    },
  );

  it('keeps option completion in requirements files', async () => {
    const uri = openFile('options/requirements.txt', '--ind\n');
    const list = await complete(uri, 0, 5);
    assert.ok(list.items.some((i) => i.label === '--index-url'));
  });

  it('completes names and versions inside pyproject dependency strings and Poetry tables', async () => {
    const text =
      '[project]\nname = "x"\ndependencies = [\n  "sci",\n  ' +
      '"numpy>=1.2",\n]\n[project.optional-dependencies]\ndocs = ' +
      '["numpyd"]\n[dependency-groups]\ndev = ' +
      '["requ"]\n[tool.poetry.dependencies]\npython = "^3.11"\nscip\nnumpy = "^1.2"\n';
    const uri = openFile('pyproject/pyproject.toml', text, 'toml');
    assert.deepEqual(
      (await completeSettled(uri, 3, 6)).items.map((i) => i.label),
      ['scipy'],
    );
    assert.deepEqual(
      (await completeSettled(uri, 4, 12)).items.map((i) => i.label),
      ['1.26.4', '1.25.0', '1.24.3'],
    );
    assert.deepEqual(
      (await completeSettled(uri, 7, 15)).items.map((i) => i.label),
      ['numpydoc'],
    );
    assert.deepEqual(
      (await completeSettled(uri, 9, 11)).items.map((i) => i.label),
      ['requests'],
    );
    assert.deepEqual(
      (await completeSettled(uri, 12, 4)).items.map((i) => i.label),
      ['scipy'],
    );
    assert.deepEqual(
      (await completeSettled(uri, 13, 13)).items.map((i) => i.label),
      ['1.26.4', '1.25.0', '1.24.3'],
    );
    // `name = "x"` is not a dependency: nothing.
    assert.deepEqual((await complete(uri, 1, 9)).items, []);
  });

  it("completes PyPI names in environment.yml's pip part only, not in its conda part", async () => {
    const uri = openFile('conda/environment.yml', 'name: x\ndependencies:\n  - nump\n  - pip:\n    - nump\n', 'yaml');
    assert.deepEqual(
      (await completeSettled(uri, 4, 10)).items.map((i) => i.label),
      ['numpy', 'numpydoc', 'numpy-financial'],
    );
    assert.deepEqual((await complete(uri, 2, 8)).items, []);
  });

  it('hints only what matters: ↑ the newest release a specifier excludes, nothing where it admits it', async () => {
    const uri = openFile('hints/requirements.txt', 'numpy>=1.24,<1.26\nscipy==1.13.1\nrequests\n');
    const h = await hintsSettled(uri, 1);
    assert.deepEqual(
      h.map((x) => [x.position.line, x.position.character, x.label]),
      [[0, 17, '↑ 1.26.4']],
    );
  });

  it('hints → the version the resolution installs where it is not the newest the specifier admits', async () => {
    const uri = openFile('hints-resolved/requirements.txt', 'numpy\nscipy==1.11.1\n');
    // The resolution is the index stage's: its publish comes after the fast checks'.
    let h: Hint[] = [];
    for (let i = 0; i < 100 && !h.some((x) => x.label.startsWith('→')); i++) {
      h = await hints(uri);
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.deepEqual(
      h.map((x) => [x.position.line, x.label]),
      [
        [0, '→ 1.24.3'],
        [1, '↑ 1.13.1'],
      ],
    );
  });

  it('never hints ↑ on a line a fix of its own just wrote', async () => {
    const text = 'numpy>=1.25\nscipy==1.11.1\n';
    const uri = openFile('hints-fixed/requirements.txt', text);
    const published = await client.waitFor(uri, (p) =>
      p.diagnostics.some((d) => d.code === 'conflict-transitive' && d.range.start.line === 0),
    );
    const fixes = published.diagnostics
      .filter((d) => d.code === 'conflict-transitive')
      .flatMap((d) => (d.data as { fixes: Action[] }).fixes)
      .filter((f) => f.edit!.changes[uri]!.every((e) => e.range.start.line === 0));
    const fix = fixes.find((f) => !/>=\s*1\.26/.test(f.edit!.changes[uri]![0]!.newText));
    assert.ok(fix, `a fix on the numpy line that keeps numpy below its newest: ${JSON.stringify(fixes)}`);
    const fixed = applyEdits(text, fix.edit!.changes[uri]!);
    client.change(uri, fixed);
    await client.waitFor(uri, (p) => !p.diagnostics.some((d) => d.code === 'conflict-transitive'));
    const h = await hintsSettled(uri, 1);
    assert.deepEqual(
      h.map((x) => [x.position.line, x.label]),
      [[1, '↑ 1.13.1']],
      `after "${fixed.split('\n')[0]}"`,
    );
  });

  it('offers "Update all" as a code lens on the first line and answers the palette command with the edit', async () => {
    const text = '# pinned\nnumpy>=1.24,<1.26\nscipy==1.11.1\n';
    const uri = openFile('lens/requirements.txt', text);
    await hintsSettled(uri, 2);
    const lenses = await client.request<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.length, 1);
    assert.deepEqual(lenses[0]!.range.start, { line: 0, character: 0 });
    assert.equal(lenses[0]!.command.command, 'stackDoctor.updateAll');
    assert.deepEqual(lenses[0]!.command.arguments, [uri]);
    assert.match(lenses[0]!.command.title, /^Update all \(2 behind/);
    const edit = await client.request<Action['edit']>('stackDoctor/updateAll', { uri });
    assert.equal(applyEdits(text, edit!.changes[uri]!), '# pinned\nnumpy>=1.26.4\nscipy==1.13.1\n');
    const none = await client.request<unknown[]>('textDocument/codeLens', {
      textDocument: { uri: openFile('lens-none/requirements.txt', 'requests\n') },
    });
    assert.deepEqual(none, []);
  });

  it('offers update actions verified by the resolver: one line, and all of the file in one edit', async () => {
    const text = 'numpy>=1.24,<1.26\nscipy==1.11.1\n';
    const uri = openFile('update/requirements.txt', text);
    await hintsSettled(uri, 2);
    const at = (line: number) =>
      client.request<Action[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        context: { diagnostics: [] },
      });
    const scipy = (await at(1)).find((a) => a.title.startsWith('Update scipy'))!;
    assert.ok(scipy, 'an update action for scipy');
    assert.equal(applyEdits(text, scipy.edit!.changes[uri]!), 'numpy>=1.24,<1.26\nscipy==1.13.1\n');
    // numpy 1.26.4 cannot resolve with scipy 1.11.1 (numpy<1.25): no single-line update for numpy is offered.
    const numpyActions = await at(0);
    assert.equal(
      numpyActions.some((a) => a.title.startsWith('Update numpy')),
      false,
    );
    const all = numpyActions.find((a) => a.title.startsWith('Update all'))!;
    assert.equal(applyEdits(text, all.edit!.changes[uri]!), 'numpy>=1.26.4\nscipy==1.13.1\n');
    // A client that resolves code actions gets them without edits first; codeAction/resolve computes the same edit.
    const lazy = await client.request<Action>('codeAction/resolve', { ...all, edit: undefined });
    assert.equal(applyEdits(text, lazy.edit!.changes[uri]!), 'numpy>=1.26.4\nscipy==1.13.1\n');
    // Completion, hints, actions and the index stage of every file so far asked for numpy's page once (one cache
    // period).
    assert.equal(index.requests.filter((r) => r.path === '/simple/numpy/').length, 1);
  });

  it(
    'hovers a package with its summary, the version the ' +
      'resolution picks and why, newest, wheel, licence and links',
    async () => {
      const uri = openFile('hover/requirements.txt', 'requests>=2\nscipy==1.11.1\nnumpy\n');
      type H = { contents: { value: string } } | null;
      let value = '';
      // A hover answers at once with what is known; the summary and licence come once the index has answered.
      for (let i = 0; i < 150 && !value.includes('Licence'); i++) {
        value =
          (
            await client.request<H>('textDocument/hover', {
              textDocument: { uri },
              position: { line: 0, character: 2 },
            })
          )?.contents.value ?? '';
        if (!value.includes('Licence')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(value, /\*Python HTTP for Humans\.\*/);
      assert.match(value, /picks \*\*requests 2\.31\.0\*\*/);
      assert.match(value, /`requirements\.txt:1` wants `>=2`/);
      assert.match(value, /Newest for Python 3\.\d+ · Linux x86_64: \*\*2\.31\.0\*\*/);
      assert.match(value, /has a wheel for Python 3\.\d+ · Linux x86_64 \(`requests-2\.31\.0-py3-none-any\.whl`\)/);
      assert.match(value, /Licence: Apache-2\.0\./);
      assert.match(value, /\[Project page\]\(http:\/\/127\.0\.0\.1:\d+\/simple\/requests\/\)/);
      assert.match(value, /\[Home page\]\(https:\/\/requests\.readthedocs\.io\)/);
      assert.match(value, /\[Source\]\(https:\/\/github\.com\/psf\/requests\)/);
      let numpy = '';
      for (let i = 0; i < 50 && !numpy.includes('constrained by:'); i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        numpy =
          (
            await client.request<H>('textDocument/hover', {
              textDocument: { uri },
              position: { line: 2, character: 2 },
            })
          )?.contents.value ?? '';
      }
      assert.match(numpy, /picks \*\*numpy 1\.24\.3\*\*, constrained by:\n- scipy 1\.11\.1 needs `<1\.25,>=1\.21\.6`/);
    },
  );

  it('offers the real name for a misspelled project; a name that differs only by normalization is found', async () => {
    const text = 'nunpy\npytorch\nNumPy_Financial\n';
    const file = write('typo/requirements.txt', text);
    const uri = pathToFileURL(file).toString();
    const waiting = client.waitFor(uri, (p) => p.diagnostics.filter((d) => d.code === 'not-found').length >= 2, 20_000);
    client.open(file, text);
    const found = (await waiting).diagnostics.filter((d) => d.code === 'not-found');
    assert.deepEqual(
      found.map((d) => d.range.start.line),
      [0, 1],
    );
    assert.match(found[0]!.message, /did you mean 'numpy'\?/i);
    assert.match(found[1]!.message, /did you mean 'torch'\?/i);
    const actions = await client.request<Action[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: found[0]!.range,
      context: { diagnostics: [found[0]] },
    });
    assert.equal(
      applyEdits(text, actions.find((a) => a.title === "Change to 'numpy'")!.edit!.changes[uri]!),
      'numpy\npytorch\nNumPy_Financial\n',
    );
  });

  it('reports a vulnerable pin from the JSON API, with a verified fix', async () => {
    const file = write('vuln/requirements.txt', 'requests==2.19.0\n');
    const uri = pathToFileURL(file).toString();
    const waiting = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'vulnerable'), 20_000);
    client.open(file, 'requests==2.19.0\n');
    const d = (await waiting).diagnostics.find((x) => x.code === 'vulnerable')!;
    assert.match(
      d.message,
      /requests 2\.19\.0 has a known vulnerability: PYSEC-2018-28 \(Credentials sent over HTTP after a redirect\), fixed in 2\.20\.0/,
    );
    const actions = await client.request<Action[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const fix = actions.find((a) => /fixes PYSEC-2018-28/.test(a.title))!;
    assert.equal(applyEdits('requests==2.19.0\n', fix.edit!.changes[uri]!), 'requests==2.31.0\n');
  });
});

describe('language server: stackDoctor.newerVersions off', () => {
  it('shows no newest-version hints and no update actions', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-editor-off-'));
    const index = await startPackageIndex(PACKAGES);
    const client = new LspClient(path.resolve('dist/server.js'), isolatedPipEnv());
    try {
      await client.initialize(dir, {
        trusted: true,
        debounceMs: 0,
        indexDebounceMs: 0,
        indexUrl: index.url,
        cacheDir: path.join(dir, '.cache'),
        newerVersions: false,
      });
      const file = path.join(dir, 'requirements.txt');
      fs.writeFileSync(file, 'scipy==1.11.1\n');
      const uri = client.open(file, 'scipy==1.11.1\n');
      // Completion still works (it is not what the setting turns off); by then the versions are known.
      for (let i = 0; i < 40; i++) {
        const r = await client.request<List>('textDocument/completion', {
          textDocument: { uri },
          position: { line: 0, character: 7 },
        });
        if (r.items.length) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const h = await client.request<Hint[]>('textDocument/inlayHint', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } },
      });
      assert.deepEqual(h, []);
      const actions = await client.request<Action[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [] },
      });
      assert.deepEqual(
        actions.filter((a) => a.title.startsWith('Update')),
        [],
      );
    } finally {
      await client.shutdown();
      await index.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
