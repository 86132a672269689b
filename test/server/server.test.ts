// The built language server over stdio: diagnostics across a set, quick fixes that remove them, hover, links,
// completion, hostile input.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyEdits, LspClient, type PublishedDiagnostics } from '../helpers/lsp-client';

const codes = (p: PublishedDiagnostics) => p.diagnostics.map((d) => d.code).sort();

describe('language server over stdio', () => {
  let dir: string;
  let client: LspClient;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const uri = (name: string) => pathToFileURL(path.join(dir, name)).toString();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-'));
    client = new LspClient();
    const init = (await client.initialize(dir, { debounceMs: 0, offline: true })) as {
      capabilities: Record<string, unknown>;
    };
    assert.ok(init.capabilities.codeActionProvider);
    assert.ok(init.capabilities.hoverProvider);
  });
  after(async () => {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a YAML document as a conda environment by its content, whatever its name, and leaves other YAML alone', async () => {
    // A Dart pubspec: read as an environment file, its `dependencies` mapping would be a syntax error.
    const composeText = 'name: app\ndependencies:\n  flutter:\n    sdk: flutter\n  http: ^1.1.0\n';
    const condaText =
      'name: gpu\nchannels:\n  - conda-forge\ndependencies:\n  - numpy>=2\n  - pip:\n    - numpy<1.20\n';
    const compose = write('yamls/pubspec.yaml', composeText);
    const env = write('yamls/env.gpu.yml', condaText);
    const composeUri = client.open(compose, composeText, 'yaml');
    const envUri = uri('yamls/env.gpu.yml');
    const got = client.waitFor(envUri, (p) => codes(p).includes('conflict'));
    client.open(env, condaText, 'yaml');
    const pub = await got;
    // One conflict, one diagnostic: on one of its lines, the other one related.
    const conflicts = pub.diagnostics.filter((d) => d.code === 'conflict');
    assert.equal(conflicts.length, 1);
    assert.deepEqual(
      [
        conflicts[0]!.range.start.line,
        ...(conflicts[0]!.relatedInformation ?? []).map((r) => r.location.range.start.line),
      ].sort(),
      [4, 6],
    );
    assert.deepEqual(client.latest.get(composeUri)?.diagnostics ?? [], [], 'nothing for pubspec.yaml');
    // The buffer, not the disk, decides: typed into the pubspec, an environment is one.
    const now = client.waitFor(composeUri, (p) => codes(p).includes('conflict'));
    client.change(composeUri, condaText);
    await now;
  });

  it('publishes one conflict for the two files of a set (the constraint related), and the quick fix removes it', async () => {
    write('app/constraints.txt', 'numpy<1.24\n');
    const req = write('app/requirements.txt', 'numpy>=1.24\n-c constraints.txt\npandas\n');
    const reqUri = uri('app/requirements.txt');
    const conUri = uri('app/constraints.txt');
    const text = fs.readFileSync(req, 'utf8');
    const waitReq = client.waitFor(reqUri, (p) => codes(p).includes('conflict'));
    client.open(req, text);
    const pub = await waitReq;
    const d = pub.diagnostics.find((x) => x.code === 'conflict')!;
    assert.equal(d.source, 'stack-doctor');
    assert.equal(d.severity, 1);
    assert.deepEqual(d.range.start, { line: 0, character: 0 });
    assert.match(d.message, /numpy/);
    assert.match(d.message, /constraints\.txt:1/);
    assert.deepEqual(
      (d.relatedInformation ?? []).map((r) => [r.location.uri, r.location.range.start.line]),
      [[conUri, 0]],
    );
    assert.equal(pub.version, 1);

    const actions = await client.request<
      { title: string; kind: string; edit: { changes: Record<string, { range: never; newText: string }[]> } }[]
    >('textDocument/codeAction', {
      textDocument: { uri: reqUri },
      range: d.range,
      context: { diagnostics: [d] },
    });
    assert.ok(actions.length >= 1, 'a quick fix is offered');
    const fix = actions[0]!;
    assert.equal(fix.kind, 'quickfix');
    const edits = fix.edit.changes[reqUri]!;
    const fixed = applyEdits(text, edits);
    assert.equal(fixed.split('\n')[0], 'numpy<1.24');
    const cleared = client.waitFor(reqUri, (p) => !codes(p).includes('conflict'));
    client.change(reqUri, fixed);
    const after = await cleared;
    assert.deepEqual(codes(after), []);
  });

  it('editing the constraints file updates the requirements file', async () => {
    write('b/constraints.txt', 'torch==2.0.1\n');
    const req = write('b/requirements.txt', '-c constraints.txt\ntorch>=2.1\n');
    const reqUri = uri('b/requirements.txt');
    const first = client.waitFor(reqUri, (p) => codes(p).includes('conflict'));
    client.open(req, fs.readFileSync(req, 'utf8'));
    await first;
    const conUri = client.open(path.join(dir, 'b/constraints.txt'), 'torch==2.0.1\n');
    const cleared = client.waitFor(reqUri, (p) => p.diagnostics.length === 0);
    client.change(conUri, 'torch==2.1.2\n');
    await cleared;
  });

  it('reports syntax at the fault and keeps parsing the rest', async () => {
    const f = write('c/requirements.txt', 'numpy>=>1\nrequests\nrequests<2\n');
    const p = client.waitFor(uri('c/requirements.txt'), (x) => x.diagnostics.length > 0);
    client.open(f, fs.readFileSync(f, 'utf8'));
    const pub = await p;
    assert.deepEqual(codes(pub), ['duplicate', 'duplicate', 'syntax']);
    const syn = pub.diagnostics.find((d) => d.code === 'syntax')!;
    assert.equal(syn.range.start.line, 0);
  });

  it('offers a merge for duplicates that leaves one line', async () => {
    const text = 'requests>=2\nflask\nrequests<3\n';
    const f = write('d/requirements.txt', text);
    const u = uri('d/requirements.txt');
    const p = client.waitFor(u, (x) => x.diagnostics.length === 2);
    client.open(f, text);
    const pub = await p;
    const d = pub.diagnostics[1]!;
    const actions = await client.request<{ title: string; edit: { changes: Record<string, never[]> } }[]>(
      'textDocument/codeAction',
      { textDocument: { uri: u }, range: d.range, context: { diagnostics: [d] } },
    );
    const merge = actions.find((a) => /Merge/.test(a.title))!;
    assert.ok(merge, JSON.stringify(actions.map((a) => a.title)));
    const merged = applyEdits(text, merge.edit.changes[u]!);
    assert.equal(merged, 'requests>=2,<3\nflask\n');
    const cleared = client.waitFor(u, (x) => x.diagnostics.length === 0);
    client.change(u, merged);
    await cleared;
  });

  it('hovers, links includes and completes options', async () => {
    write('e/constraints.txt', 'numpy<2\n');
    const text = 'numpy>=1.24\n-c constraints.txt\n';
    const f = write('e/requirements.txt', text);
    const u = uri('e/requirements.txt');
    const p = client.waitFor(u);
    client.open(f, text);
    await p;
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri: u },
      position: { line: 0, character: 2 },
    });
    assert.match(hover.contents.value, /at least 1\.24/);
    assert.match(hover.contents.value, /constraints\.txt:1/);
    const links = await client.request<{ target: string }[]>('textDocument/documentLink', { textDocument: { uri: u } });
    assert.deepEqual(
      links.map((l) => l.target),
      [uri('e/constraints.txt')],
    );
    const completion = await client.request<{ label: string }[]>('textDocument/completion', {
      textDocument: { uri: u },
      position: { line: 1, character: 1 },
    });
    assert.ok(completion.some((c) => c.label === '--index-url'));
    // After `-c ` the files beside it (not itself) and folders complete.
    write('e/sub/more.txt', 'rich\n');
    const edited = 'numpy>=1.24\n-c \n';
    client.change(u, edited);
    const paths = await client.request<{ label: string }[]>('textDocument/completion', {
      textDocument: { uri: u },
      position: { line: 1, character: 3 },
    });
    assert.deepEqual(paths.map((c) => c.label).sort(), ['constraints.txt', 'sub/']);
  });

  it('survives hostile input and still answers', async () => {
    const junk = Array.from({ length: 20000 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
    const f = write('f/requirements.txt', '');
    const u = uri('f/requirements.txt');
    const p = client.waitFor(u);
    client.open(f, junk);
    await p;
    const yml = write('f/environment.yml', '');
    const bomb =
      'a: &a ["x","x","x","x","x","x","x","x","x"]\n' +
      Array.from(
        { length: 12 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill('*' + String.fromCharCode(97 + i))
            .join(',')}]`,
      ).join('\n') +
      '\ndependencies: [numpy]\n';
    const py = client.waitFor(uri('f/environment.yml'));
    client.open(yml, bomb, 'yaml');
    await py;
    const toml = write('f/pyproject.toml', '');
    const pt = client.waitFor(uri('f/pyproject.toml'));
    client.open(toml, 'x = ' + '['.repeat(50000) + ']'.repeat(50000) + '\n', 'toml');
    await pt;
    assert.equal(client.exited, false, client.stderr);
    const hover = await client.request('textDocument/hover', {
      textDocument: { uri: u },
      position: { line: 0, character: 0 },
    });
    assert.ok(hover === null || typeof hover === 'object');
  });
});

describe('language server: machine findings against a profile', () => {
  it(
    'offers the wheel-only alternative as an edit and ' + 'the install command as a terminal command, never run',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-profile-'));
      const client = new LspClient();
      try {
        // A relative profile path is read from the workspace folder (a profile committed beside the project).
        fs.mkdirSync(path.join(dir, 'profiles'));
        fs.copyFileSync('test/fixtures/profiles/debian-bare.json', path.join(dir, 'profiles', 'server.json'));
        await client.initialize(dir, { debounceMs: 0, offline: true, profile: 'profiles/server.json' });
        const file = path.join(dir, 'requirements.txt');
        fs.writeFileSync(file, 'opencv-python\n');
        const uri = pathToFileURL(file).toString();
        const got = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'system-library'));
        client.open(file, 'opencv-python\n');
        const d = (await got).diagnostics.find((x) => x.code === 'system-library')!;
        const actions = await client.request<
          {
            title: string;
            edit?: { changes: Record<string, { newText: string }[]> };
            command?: { command: string; arguments: string[] };
          }[]
        >('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
        const swap = actions.find((a) => a.edit);
        assert.equal(swap?.edit?.changes[uri]?.[0]?.newText, 'opencv-python-headless');
        const typed = actions.find((a) => a.command);
        assert.equal(typed?.command?.command, 'stackDoctor.typeInTerminal');
        assert.match(typed?.command?.arguments[0] ?? '', /^sudo apt-get install -y libgl1/);
      } finally {
        await client.shutdown();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('language server: the active environment', () => {
  it(
    'reports installed-mismatch for the interpreter of ' +
      'stackDoctor.pythonPath, and follows stackDoctor/activeEnvironment',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-server-env-'));
      const client = new LspClient();
      try {
        execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(dir, 'venv')]);
        const python = path.join(dir, 'venv', 'bin', 'python');
        const site = execFileSync(python, ['-c', 'import sysconfig;print(sysconfig.get_paths()["purelib"])'], {
          encoding: 'utf8',
        }).trim();
        fs.mkdirSync(path.join(site, 'tiny_pkg-1.5.dist-info'), { recursive: true });
        fs.writeFileSync(
          path.join(site, 'tiny_pkg-1.5.dist-info', 'METADATA'),
          'Metadata-Version: 2.1\nName: tiny-pkg\nVersion: 1.5\n',
        );
        await client.initialize(dir, { debounceMs: 0, offline: true, pythonPath: python, trusted: true });
        const file = path.join(dir, 'requirements.txt');
        fs.writeFileSync(file, 'tiny-pkg>=2\n');
        const uri = pathToFileURL(file).toString();
        const got = client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'installed-mismatch'));
        client.open(file, 'tiny-pkg>=2\n');
        assert.match(
          (await got).diagnostics.find((d) => d.code === 'installed-mismatch')!.message,
          /has tiny-pkg 1\.5, which '>=2' excludes/,
        );
        // Activating another environment (the client's notification) moves the judgement there.
        execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(dir, 'other')]);
        const other = client.waitFor(uri, (p) => p.diagnostics.some((d) => /not installed in other/.test(d.message)));
        void client.connection.sendNotification('stackDoctor/activeEnvironment', {
          python: path.join(dir, 'other', 'bin', 'python'),
        });
        await other;
      } finally {
        await client.shutdown();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
