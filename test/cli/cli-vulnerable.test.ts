// `stack-doctor check` reporting `vulnerable`: from an OSV folder and zip written here (offline too), and from a
// loopback PyPI JSON API; fixes verified by resolving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, runCli } from '../helpers/cli';
import { isolatedPipEnv, startPackageIndex, zipArchive, type PackageIndex } from '../helpers/package-index';

const RECORD = {
  schema_version: '1.6.0',
  id: 'GHSA-aaaa-bbbb-cccc',
  aliases: ['CVE-2024-0001', 'PYSEC-2024-1'],
  modified: '2024-01-01T00:00:00Z',
  summary: 'Sandbox escape in templates',
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'Jinja2' },
      ranges: [
        {
          type: 'ECOSYSTEM',
          events: [{ introduced: '0' }, { fixed: '2.11.3' }, { introduced: '3.0.0' }, { fixed: '3.1.4' }],
        },
      ],
    },
  ],
};

describe('stack-doctor check: vulnerable', () => {
  let index: PackageIndex;
  let dir: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = isolatedPipEnv()) => runCli(args, dir, env);
  const check = async (folder: string, extra: string[], env?: NodeJS.ProcessEnv) => {
    const r = await checkJson([folder, '--cache-dir', path.join(dir, '.cache'), ...extra], dir, env);
    return r.diagnostics.filter((d) => d.code === 'vulnerable');
  };
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-vuln-'));
    index = await startPackageIndex(
      [
        { name: 'Jinja2', version: '2.11.2' },
        { name: 'Jinja2', version: '3.1.2' },
        { name: 'Jinja2', version: '3.1.4' },
        { name: 'Jinja2', version: '3.1.5' },
        { name: 'flask', version: '2.0.0', dependencies: ['Jinja2>=3.0,<3.1.5'] },
        { name: 'webapp', version: '1.0', dependencies: ['flask==2.0.0', 'Jinja2<3.1.3'] },
        { name: 'requests', version: '2.19.0' },
        { name: 'requests', version: '2.20.0' },
        { name: 'requests', version: '2.31.0' },
      ],
      {
        vulnerabilities: {
          'requests@2.19.0': [
            {
              id: 'PYSEC-2018-28',
              aliases: ['CVE-2018-18074', 'GHSA-x84v-xcm2-53pg'],
              summary: 'Credentials sent over HTTP after a redirect',
              fixed_in: ['2.20.0'],
            },
          ],
          'requests@2.20.0': [
            {
              id: 'PYSEC-2023-74',
              aliases: ['GHSA-j8r2-6x86-q33q'],
              details: 'Proxy-Authorization header leaked\nmore',
              fixed_in: ['2.31.0'],
            },
          ],
          'requests@2.31.0': [
            { id: 'PYSEC-2000-1', summary: 'withdrawn one', withdrawn: '2024-01-01T00:00:00Z', fixed_in: [] },
          ],
        },
      },
    );
    write('osv/PyPI/GHSA-aaaa-bbbb-cccc.json', JSON.stringify(RECORD));
    write('osv/PyPI/not-osv.json', '{"hello": 1}');
    fs.writeFileSync(
      path.join(dir, 'osv.zip'),
      zipArchive([['GHSA-aaaa-bbbb-cccc.json', Buffer.from(JSON.stringify(RECORD))]]),
    );
    write('pinned/requirements.txt', 'jinja2==3.1.2\nflask==2.0.0\n');
    write('ranged/requirements.txt', 'Jinja2>=3.0,<3.1.3\nflask==2.0.0\n');
    write('api/requirements.txt', 'requests==2.19.0\n');
    write('trans/requirements.txt', 'requests==2.31.0\nwebapp\n');
  });
  after(async () => {
    await index.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports a pinned version from an OSV folder, with the nearest fixed version that resolves', async () => {
    const found = await check('pinned', ['--index-url', index.url, '--osv-database', path.join(dir, 'osv')]);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.severity, 'warning');
    assert.equal(found[0]!.range.start.line, 0);
    assert.match(
      found[0]!.message,
      /jinja2 3\.1\.2 has a known vulnerability: GHSA-aaaa-bbbb-cccc \(Sandbox escape in templates\), fixed in 3\.1\.4/,
    );
    // 3.1.5 is newer but flask caps Jinja2 below it: the fix is the nearest fixed version that still resolves.
    assert.equal(found[0]!.fixes.length, 1);
    assert.equal(found[0]!.fixes[0]!.edits[0]!.newText, '==3.1.4');
  });

  it('reads the same records from a zip, and offline (no fix without a resolver)', async () => {
    const found = await check('pinned', ['--offline', '--osv-database', path.join(dir, 'osv.zip')]);
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /GHSA-aaaa-bbbb-cccc/);
    assert.equal(found[0]!.fixes.length, 0);
  });

  it('reports the version a resolution picks for a range', async () => {
    const found = await check('ranged', ['--index-url', index.url, '--osv-database', path.join(dir, 'osv')]);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.match(
      found[0]!.message,
      /^jinja2 resolves to 3\.1\.2, which has a known vulnerability: GHSA-aaaa-bbbb-cccc/,
    );
    // The range moves up to the fixed version; flask's cap keeps 3.1.5 out, and the fix was verified by resolving.
    assert.equal(found[0]!.fixes[0]!.edits[0]!.newText, '>=3.1.4');
  });

  it(
    'asks the JSON API only when the index is PyPI (or the ' + 'configured API base), and ignores withdrawn advisories',
    async () => {
      const base = index.url.replace(/\/simple$/, '');
      const env = { ...isolatedPipEnv(), STACK_DOCTOR_PYPI_JSON_API: base };
      const found = await check('api', ['--index-url', index.url], env);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.match(
        found[0]!.message,
        /requests 2\.19\.0 has a known vulnerability: PYSEC-2018-28 \(Credentials sent over HTTP after a redirect\), fixed in 2\.20\.0/,
      );
      // 2.20.0 fixes it but has an advisory of its own; 2.31.0's only one is withdrawn: the fix goes to 2.31.0.
      assert.equal(found[0]!.fixes[0]!.edits[0]!.newText, '==2.31.0');
      const before = index.requests.filter((r) => r.path.startsWith('/pypi/')).length;
      assert.ok(before >= 1);
      // Another index than the API's: the JSON API is not asked.
      const other = await check('api', ['--index-url', index.url], {
        ...isolatedPipEnv(),
        STACK_DOCTOR_PYPI_JSON_API: 'http://127.0.0.1:9',
      });
      assert.equal(other.length, 0);
      assert.equal(index.requests.filter((r) => r.path.startsWith('/pypi/')).length, before);
    },
  );

  it('reports a package no line declares on the line that pulls it in, with the chain', async () => {
    const found = await check('trans', ['--index-url', index.url, '--osv-database', path.join(dir, 'osv')]);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.range.start.line, 1);
    assert.equal(
      found[0]!.message,
      'webapp pulls in jinja2 3.1.2 (webapp 1.0 -> jinja2 3.1.2), which has a known ' +
        'vulnerability: GHSA-aaaa-bbbb-cccc (Sandbox escape in templates), fixed in 3.1.4.',
    );
    assert.equal(found[0]!.fixes.length, 0);
  });

  it('says what is wrong with an unreadable --osv-database (exit 2)', async () => {
    const r = await run(['check', 'pinned', '--offline', '--osv-database', path.join(dir, 'missing')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read the OSV database/);
  });
});
