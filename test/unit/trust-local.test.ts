// The local half of the trust model, unit by unit: the Windows PATH search that never looks in the current folder,
// child processes in a fixed folder with their logged lines redacted, the private cache files, the include policy of
// untrusted workspaces, and Markdown that renders someone else's text as text.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveProgram } from '../../server/src/system/program-path';
import {
  readCacheFile,
  readCacheFileAsync,
  trustedEntry,
  writeFileAtomic,
  writeFileAtomicAsync,
} from '../../server/src/system/atomic-write';
import { DiskCache } from '../../server/src/index/cache';
import { readResult, writeResult } from '../../server/src/workspace/result-cache';
import { refusal, restrictIncludes } from '../../server/src/workspace/include-policy';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { codeSpan, escapeMarkdown, safeLink } from '../../server/src/model/markdown';
import { hoverAt } from '../../server/src/lsp/features';
import { LineIndex } from '../../server/src/model/text';
import { runProcess } from '../../client/src/environments/process';
import { EnvironmentError } from '../../client/src/environments/errors';
import { redactingChannel } from '../../client/src/ui/redacting-channel';

const posix = process.platform !== 'win32';

describe('resolveProgram: Windows PATH search without the current folder', () => {
  const files = new Set(['C:\\Python311\\python.exe', 'C:\\Tools\\conda.bat', 'D:\\cwd\\python.exe']);
  const ctx = (PATH: string, PATHEXT?: string) => ({
    platform: 'win32' as const,
    env: { Path: PATH, ...(PATHEXT ? { PATHEXT } : {}) },
    isFile: (f: string) => files.has(f),
  });

  it('skips empty, `.` and relative PATH entries, so a program in the current folder is never started', () => {
    assert.equal(resolveProgram('python', ctx(';.;cwd;.\\bin;C:\\Python311')), 'C:\\Python311\\python.exe');
    assert.equal(resolveProgram('python', ctx('.;D:cwd')), undefined);
  });

  it('tries PATHEXT in order, and a name that carries an extension as it is', () => {
    assert.equal(resolveProgram('conda', ctx('C:\\Tools', '.EXE;.BAT')), 'C:\\Tools\\conda.bat');
    assert.equal(resolveProgram('python.exe', ctx('"C:\\Python311"')), 'C:\\Python311\\python.exe');
    assert.equal(resolveProgram('conda', ctx('C:\\Tools', '.EXE')), undefined);
  });

  it('keeps bare names elsewhere (execvp searches PATH only) and makes relative paths absolute', () => {
    const other = { platform: 'linux' as const, env: {}, isFile: () => false };
    assert.equal(resolveProgram('python3', other), 'python3');
    assert.equal(resolveProgram('venv/bin/python', other), path.resolve('venv/bin/python'));
  });
});

describe('client runProcess: a fixed working folder, redacted lines', () => {
  const python = 'python3';

  it('runs in the temporary folder unless told otherwise, and an interpreter imports nothing from where it started', async () => {
    const r = await runProcess(python, ['-I', '-c', 'import os; print(os.getcwd())'], { captureStdout: true });
    assert.equal(fs.realpathSync(r.stdout.trim()), fs.realpathSync(os.tmpdir()));
  });

  it('logs the command line and the output with passwords and /t/ tokens redacted', async () => {
    const lines: string[] = [];
    const url = 'https://alice:s3cr3t-pw@pypi.example.invalid/t/TOKEN123/simple';
    const r = await runProcess(python, ['-I', '-c', 'import sys; print(sys.argv[1]); sys.exit(3)', url], {
      sink: (l, s) => lines.push(`${s}:${l}`),
    });
    assert.equal(r.exitCode, 3);
    assert.ok(lines[0]!.startsWith('info:$ '), lines[0]);
    assert.ok(lines[0]!.includes('https://alice:***@pypi.example.invalid/t/***/simple'), lines[0]);
    assert.ok(lines.includes('stdout:https://alice:***@pypi.example.invalid/t/***/simple'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('s3cr3t') || l.includes('TOKEN123')), lines.join('\n'));
    assert.ok(!r.lastLines.some((l) => l.includes('s3cr3t')));
  });

  it("an EnvironmentError's message and lines are redacted", () => {
    const e = new EnvironmentError('failed', 'pip failed: https://u:pw123@h.invalid/simple', {
      lastLines: ['Looking in https://u:pw123@h.invalid/t/tok/x'],
    });
    assert.ok(
      !e.message.includes('pw123') && !e.lastLines.join().includes('pw123') && !e.lastLines.join().includes('tok'),
    );
  });

  it('the output channel redacts whatever is written to it (ours and languageclient traces)', () => {
    const written: unknown[] = [];
    const channel = {
      name: 'Stack Doctor',
      info: (m: string) => written.push(m),
      appendLine: (m: string) => written.push(m),
      error: (m: string | Error) => written.push(m),
    };
    const c = redactingChannel(channel);
    c.info('pip install --index-url https://bob:hunter2@idx.invalid/simple x');
    c.appendLine('[Trace] initialize {"indexUrl":"https://bob:hunter2@idx.invalid/t/abc/simple"}');
    c.error(new Error('failed at https://bob:hunter2@idx.invalid/'));
    assert.equal(c.name, 'Stack Doctor');
    assert.ok(!JSON.stringify(written.map((w) => (w instanceof Error ? w.message + w.stack : w))).includes('hunter2'));
    assert.ok(!JSON.stringify(written).includes('/t/abc/'));
  });
});

describe('cache files: exclusive, private, owned', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-trust-cache-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates files 0600 in folders 0700', { skip: !posix }, async () => {
    const file = path.join(dir, 'fresh', 'sub', 'entry.json');
    assert.equal(writeFileAtomic(file, '{}'), true);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    const other = path.join(dir, 'fresh2', 'entry');
    assert.equal(await writeFileAtomicAsync(other, 'x'), true);
    assert.equal(fs.statSync(other).mode & 0o777, 0o600);
  });

  it(
    'a planted symlink at the entry name or at an old-style temporary name never gets its target overwritten',
    { skip: !posix },
    () => {
      const victim = path.join(dir, 'victim.txt');
      fs.writeFileSync(victim, 'precious');
      const entries = path.join(dir, 'entries');
      fs.mkdirSync(entries, { mode: 0o700 });
      const file = path.join(entries, 'k.json');
      fs.symlinkSync(victim, file);
      // The names the old code would have used for its temporary file.
      for (let n = 1; n <= 5; n++) fs.symlinkSync(victim, `${file}.${process.pid}.${n}.tmp`);
      assert.equal(writeFileAtomic(file, '{"new":1}'), true);
      assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
      assert.equal(fs.lstatSync(file).isSymbolicLink(), false);
      assert.equal(fs.readFileSync(file, 'utf8'), '{"new":1}');
    },
  );

  it(
    "reads no entry that is a symlink, writable by others, or (injected uid) another user's",
    { skip: !posix },
    async () => {
      const file = path.join(dir, 'owned.json');
      writeFileAtomic(file, '{"a":1}');
      assert.equal(readCacheFile(file)?.toString(), '{"a":1}');
      const link = path.join(dir, 'link.json');
      fs.symlinkSync(file, link);
      assert.equal(readCacheFile(link), null);
      assert.equal(await readCacheFileAsync(link), null);
      const uid = fs.statSync(file).uid;
      assert.equal(readCacheFile(file, uid + 1), null);
      assert.equal(await readCacheFileAsync(file, uid + 1), null);
      fs.chmodSync(file, 0o664);
      assert.equal(readCacheFile(file), null);
      fs.chmodSync(file, 0o606);
      assert.equal(await readCacheFileAsync(file), null);
      assert.equal(trustedEntry({ uid, mode: 0o100600, isFile: () => true }, uid), true);
      assert.equal(trustedEntry({ uid: uid + 1, mode: 0o100600, isFile: () => true }, uid), false);
    },
  );

  it('refuses to write into a folder others can write to', { skip: !posix }, () => {
    const open = path.join(dir, 'shared');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    assert.equal(writeFileAtomic(path.join(open, 'x.json'), '{}'), false);
    assert.equal(fs.existsSync(path.join(open, 'x.json')), false);
  });

  it('the index cache, result cache: a group-writable planted entry is a miss', { skip: !posix }, async () => {
    const cache = new DiskCache(path.join(dir, 'index'));
    const url = 'https://idx.invalid/simple/numpy/';
    await cache.put('page', url, {
      fetchedAt: 1,
      etag: null,
      lastModified: null,
      contentType: 'text/html',
      body: Buffer.from('x'),
    });
    assert.ok(await cache.get('page', url));
    const k = fs.readdirSync(path.join(dir, 'index', 'page'))[0]!;
    const entry = path.join(dir, 'index', 'page', k, fs.readdirSync(path.join(dir, 'index', 'page', k))[0]!);
    assert.equal(fs.statSync(entry).mode & 0o777, 0o600);
    fs.chmodSync(entry, 0o666);
    assert.equal(await cache.get('page', url), null);
    const results = path.join(dir, 'results-root');
    writeResult(results, 'key', [], 1000);
    assert.deepEqual(readResult(results, 'key', 1001), []);
    fs.chmodSync(path.join(results, 'results', 'key.json'), 0o646);
    assert.equal(readResult(results, 'key', 1001), null);
  });
});

describe('include policy of an untrusted workspace', () => {
  let root: string;
  let ws: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-trust-includes-'));
    ws = path.join(root, 'ws');
    fs.mkdirSync(path.join(ws, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'outside.txt'), 'x\n');
    fs.writeFileSync(path.join(ws, 'in.txt'), 'y\n');
    fs.symlinkSync(path.join(root, 'outside.txt'), path.join(ws, 'escape.txt'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const parse = (text: string, env: Record<string, string> = {}) =>
    parseRequirementsFile(path.join(ws, 'requirements.txt'), text, { kind: 'requirements', env });
  const untrusted = { trusted: false, workspaceFolders: [] as string[] };

  it('follows includes inside the folders; refuses `../`, absolute, symlinked-out, `${VAR}` and network paths', () => {
    const policy = { trusted: false, workspaceFolders: [ws] };
    const file = parse(
      [
        '-r in.txt',
        '-r sub/../in.txt',
        '-r ../outside.txt',
        `-r ${path.join(root, 'outside.txt')}`,
        '-r escape.txt',
        '-r ${HOME}/in.txt',
        '-c \\\\host\\share\\c.txt',
        '-r //host/share/r.txt',
        '-r missing-inside.txt',
      ].join('\n'),
      { HOME: ws },
    );
    const restricted = restrictIncludes(file, policy);
    assert.deepEqual(
      restricted.includes.map((i) => i.resolved !== null),
      [true, true, false, false, false, false, false, false, true],
    );
    assert.equal(restricted.findings.length, 6);
    assert.ok(restricted.findings.every((f) => f.severity === 'information' && /did not follow/.test(f.message)));
    // Trusted: every include as pip reads it; the parse is the same object.
    assert.equal(restrictIncludes(file, { trusted: true, workspaceFolders: [] }), file);
  });

  it("with no workspace folder, only the including file's own folder", () => {
    const file = parse('-r in.txt\n-r ../outside.txt\n');
    assert.deepEqual(
      restrictIncludes(file, untrusted).includes.map((i) => i.resolved !== null),
      [true, false],
    );
    const inc = file.includes[1]!;
    assert.match(refusal(inc, '-r ../outside.txt', file.path, untrusted)!, /outside the workspace folders/);
  });
});

describe("Markdown from someone else's text", () => {
  it('escapes links, images, command URIs and HTML; keeps versions and URLs readable', () => {
    const s = escapeMarkdown('[x](command:workbench.action.terminal.new) ![i](http://h/i.png) <img src=x> **b** a&b');
    assert.doesNotMatch(s, /(^|[^\\])\[x\]\(command:/);
    assert.doesNotMatch(s, /<img/);
    assert.match(s, /&lt;img src=x&gt;/);
    assert.equal(
      escapeMarkdown('numpy 1.26.4 linux-64 http://127.0.0.1:8080/x'),
      'numpy 1.26.4 linux-64 http://127.0.0.1:8080/x',
    );
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('`x'), '`` `x ``');
    assert.equal(safeLink('Home', 'command:foo'), null);
    assert.equal(safeLink('Docs', 'javascript:alert(1)'), null);
    assert.equal(safeLink('Src', 'https://h.invalid/a)(command:x)'), '[Src](https://h.invalid/a%29%28command:x%29)');
    assert.equal(safeLink('a](command:x) [b', 'https://h.invalid/'), '[a\\]\\(command:x\\) \\[b](https://h.invalid/)');
  });

  it('hover on a line quotes its text as code: a URL holding a command link stays text', () => {
    const text = 'pkg @ https://h.invalid/x.whl#`[a](command:evil)`<b>\n';
    const file = parseRequirementsFile('/ws/requirements.txt', text, { kind: 'requirements', env: {} });
    assert.equal(file.dependencies[0]?.url, 'https://h.invalid/x.whl#`[a](command:evil)`<b>');
    const hover = hoverAt(file, new LineIndex(text), { line: 0, character: 1 }, []);
    const value = (hover!.contents as { value: string }).value;
    // The URL is one code span whose fence is longer than the backticks inside it: none of it renders as Markdown.
    assert.ok(value.includes('From ``https://h.invalid/x.whl#`[a](command:evil)`<b>``.'), value);
  });
});
