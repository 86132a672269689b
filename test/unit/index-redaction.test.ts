// Redaction, property-style: a credential in a URL is never shown, however its userinfo is written (unencoded `#`, `/`,
// `?`, `@`, `:` included), in messages, problems, cache files or `list`; plain URLs keep their shape.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { cacheKey } from '../../server/src/index/cache';
import { redact, rememberExpanded, stripCredentials } from '../../server/src/index/credentials';
import { HostHealth } from '../../server/src/index/http';
import { MetadataProvider } from '../../server/src/index/provider';
import { dependenciesJson, dependenciesText } from '../../server/src/cli-output';
import { LineIndex } from '../../server/src/model/text';
import type { Dependency } from '../../server/src/model/types';
import { startPackageIndex, LINUX_CP311 as target } from '../helpers/package-index';
import { rng } from '../../bench/scenarios';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Characters a password may hold, unencoded as people paste them: the URL delimiters included. */
const PASSWORD_CHARS = 'abcXYZ0189#/?@:%!$&()*+,;=~-._[]';
const USERS = ['alice', 'first.last', 'ci-bot', '__token__', 'u'];
const HOSTS = [
  'host',
  'index.example.com',
  'download.pytorch.org',
  '127.0.0.1:8080',
  'pypi.nvidia.com:443',
  '[::1]:3141',
];
const PATHS = [
  '/simple',
  '/simple/',
  '/whl/cu117',
  '/t/abc/simple',
  '',
  '/pkg-1.0-py3-none-any.whl',
  '/repo/pkg.tar.gz#sha256=00ff',
];
const SCHEMES = ['https://', 'http://', 'git+https://', 'file://'];

/** A secret that cannot occur in the rest of the URL: a marker, then hostile characters. */
function secret(r: () => number): string {
  let s = 'Zq9';
  const n = 1 + Math.floor(r() * 10);
  for (let i = 0; i < n; i++) s += pick(r, [...PASSWORD_CHARS]);
  return s + pick(r, ['', 'K', '#', '/', '@']);
}

test('redact: 3,000 generated URLs with hostile passwords and tokens never show the secret', () => {
  const r = rng(20260104);
  for (let i = 0; i < 3000; i++) {
    const scheme = pick(r, SCHEMES);
    const host = pick(r, HOSTS);
    const p = pick(r, PATHS);
    const tokenOnly = r() < 0.3;
    // A token alone has no `:` (what comes before one is the user name, which is shown, as pip shows it), and no
    // `.`: `https://tok.en/x@host/` cannot be told from a URL with an `@` in its path (that is kept as written).
    const s = tokenOnly ? secret(r).replace(/[:.]/g, '') : secret(r);
    const user = pick(r, USERS);
    const url = `${scheme}${tokenOnly ? s : `${user}:${s}`}@${host}${p}${scheme === 'git+https://' && r() < 0.5 ? '@v1.2' : ''}`;
    for (const text of [
      url,
      `Index unreachable: ${url} (no answer)`,
      `--extra-index-url ${url}`,
      `'${url}'`,
      `pkg @ ${url}; python_version >= "3.8"`,
    ]) {
      const out = redact(text);
      assert.ok(!out.includes('Zq9'), `case ${i}: ${text} -> ${out}`);
    }
  }
});

test('redact: the plain shapes read as pip shows them; plain URLs, VCS revisions and paths with @ are kept', () => {
  const same = [
    'https://pypi.org/simple',
    'git+https://github.com/org/repo.git@v1.2#egg=pkg',
    'git+https://github.com/org/repo@0123abcd',
    'https://github.com/org/repo/archive/x@y.zip',
    'http://localhost:8080/simple/@scope/',
    'http://127.0.0.1:3141/root/pypi/+simple/',
    'not a url, user:pass@host',
  ];
  for (const u of same) assert.equal(redact(u), u);
  assert.equal(redact('https://user:secret@host/simple'), 'https://user:***@host/simple');
  assert.equal(redact('https://token@host/simple'), 'https://***@host/simple');
  assert.equal(redact('https://user:pa#ss@host/simple'), 'https://user:***@host/simple');
  assert.equal(redact('https://user:p/ss@host/simple'), 'https://user:***@host/simple');
  assert.equal(redact('https://user:p@ss@host/simple'), 'https://user:***@host/simple');
  assert.equal(redact('git+https://user:p/ss@github.com/o/r.git@v1'), 'git+https://user:***@github.com/o/r.git@v1');
  assert.equal(
    redact('https://conda.anaconda.org/t/tk-123abc/my-channel/linux-64'),
    'https://conda.anaconda.org/t/***/my-channel/linux-64',
  );
  assert.equal(redact('https://h/simple?token=abc&x=1&api_key=zz'), 'https://h/simple?token=***&x=1&api_key=***');
  assert.equal(redact('a https://u:p@h/ and http://t@g/'), 'a https://u:***@h/ and http://***@g/');
});

test('redact remembers its answers, and forgets them when a new expanded secret is remembered', () => {
  const text = 'https://mirror.example/simple/ with s3cr3t-value-42 in it';
  assert.equal(redact(text), text, 'nothing to hide yet');
  assert.equal(redact(text), text, 'the same answer again');
  rememberExpanded('${MIRROR_TOKEN}', { MIRROR_TOKEN: 's3cr3t-value-42' });
  assert.equal(redact(text), 'https://mirror.example/simple/ with ${MIRROR_TOKEN} in it', 'the new secret is hidden');
});

test('cache keys are hashes of the URL without its credentials, never the credential in clear', () => {
  const r = rng(7);
  for (let i = 0; i < 500; i++) {
    const s = secret(r);
    const url = `https://${pick(r, USERS)}:${s}@${pick(r, HOSTS)}/simple/pkg/`;
    const key = cacheKey(url);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.ok(!redact(stripCredentials(url)).includes('Zq9'), url);
  }
});

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sd-redact-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test(
  'an index with a hostile password that fails (unreachable, refused, ' +
    '401, bad data) never shows it in errors, problems or cache files',
  async () => {
    const idx = await startPackageIndex([{ name: 'alpha', version: '1.0' }], {
      format: 'json',
      auth: { username: 'user', password: 'right' },
      fault: (req) => (req.path === '/simple/beta/' ? { kind: 'truncated' } : null),
    });
    const closed = await startPackageIndex([]);
    const closedPort = new URL(closed.url).port;
    await closed.close();
    try {
      const port = new URL(idx.url).port;
      const passwords = ['Zq9pa#ss', 'Zq9p/ss', 'Zq9p?ss', 'Zq9p@ss', 'Zq9:colon', 'Zq9%zz', 'Zq9a/b@c#d'];
      const cacheDir = path.join(tmp, 'cache');
      for (const pw of passwords) {
        for (const base of [`127.0.0.1:${port}`, `127.0.0.1:${closedPort}`]) {
          const p = new MetadataProvider({
            indexes: { indexUrls: [`http://user:${pw}@${base}/simple`], findLinks: [], noIndex: false },
            target,
            cacheDir,
            http: { timeoutMs: 1000, retries: 0, hostHealth: new HostHealth() },
          });
          for (const name of ['alpha', 'beta']) {
            const err = await p.explain(name).then(
              () => null,
              (e: unknown) => e,
            );
            const shown = [
              String(err),
              err instanceof Error ? err.message : '',
              JSON.stringify(err),
              JSON.stringify(p.problems()),
            ].join('\n');
            assert.ok(!shown.includes('Zq9'), `${pw} on ${base}: ${shown}`);
          }
        }
      }
      const walk = (d: string): string[] =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
        );
      for (const f of (() => {
        try {
          return walk(cacheDir);
        } catch {
          return [];
        }
      })()) {
        assert.ok(!f.includes('Zq9') && !readFileSync(f).includes('Zq9'), f);
      }
    } finally {
      await idx.close();
    }
  },
);

test('list output (text and JSON) never prints the password of a direct-URL requirement', () => {
  const r = rng(11);
  for (let i = 0; i < 300; i++) {
    const s = secret(r);
    const url = `https://bob:${s}@${pick(r, HOSTS)}/pkg-1.0-py3-none-any.whl`;
    const text = `pkg @ ${url}\n`;
    const dep = {
      file: '/w/requirements.txt',
      span: { start: 0, end: text.length - 1 },
      kind: 'requirement',
      name: 'pkg',
      rawName: 'pkg',
      extras: [],
      specifier: '',
      marker: '',
      url,
      editable: false,
      section: null,
      text: text.trim(),
    } as unknown as Dependency;
    const lines = (): LineIndex => new LineIndex(text);
    const out = dependenciesText([dep], lines, '/w') + JSON.stringify(dependenciesJson([dep], lines));
    assert.ok(!out.includes('Zq9'), out);
    assert.match(out, /https:\/\/bob:\*\*\*@/);
  }
});

test('redact is linear: a megabyte of `@`s in one URL takes milliseconds, not minutes', () => {
  for (const text of [
    'http://' + 'a@'.repeat(500_000),
    'git+https://' + 'a@b/'.repeat(200_000),
    'https://' + 'x'.repeat(1_000_000) + '@h/',
  ]) {
    const started = Date.now();
    redact(text);
    assert.ok(Date.now() - started < 2000, `${text.length} chars took ${Date.now() - started} ms`);
  }
});
