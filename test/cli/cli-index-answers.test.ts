// What an index that answered says stands, beside one that could not be asked: the mirror's "no such project" is a
// `not-found` (an http or a file:// mirror alike), a verdict only the unreachable index could change is a warning that
// says so, on its line, and the `index-unreachable` note sits on the option line that names the index. A healed
// index is asked again by the next run at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkJson, type JsonDiagnostic } from '../helpers/cli';
import {
  buildWheel,
  isolatedPipEnv,
  normalizeName,
  startPackageIndex,
  type IndexPackage,
  type PackageIndex,
} from '../helpers/package-index';

/** The request timeout of these runs: a closed port answers at once, so this only bounds a mistake. */
const TIMEOUT_MS = 3000;

/** What the mirror has: numpy and pandas (which needs python-dateutil, a project the file never names), a public torch. */
const MIRROR: IndexPackage[] = [
  { name: 'numpy', version: '1.26.4' },
  { name: 'pandas', version: '2.0.0', dependencies: ['numpy>=1.23.2', 'python-dateutil>=2.8.2'] },
  { name: 'python-dateutil', version: '2.9.0' },
  { name: 'torch', version: '2.1.2' },
];

const FILE = [
  'numpy==1.26.4',
  'pandas==2.0.0',
  'fvcore',
  'submitit',
  'torch==2.1.2+cu121',
  '--extra-index-url EXTRA',
  '',
].join('\n');
const LINE = { pandas: 1, fvcore: 2, submitit: 3, torch: 4, option: 5 };

describe('stack-doctor check: an index that answered counts, one that could not be asked makes a verdict uncertain', () => {
  let dir: string;
  let closedUrl: string;
  const servers: PackageIndex[] = [];
  const env = { ...isolatedPipEnv(), STACK_DOCTOR_INDEX_TIMEOUT_MS: String(TIMEOUT_MS) };
  const write = (name: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  const check = async (folder: string, args: string[]): Promise<JsonDiagnostic[]> => {
    const r = await checkJson([folder, ...args, '--cache-dir', path.join(dir, `${folder}-cache`)], dir, env);
    assert.doesNotMatch(r.stderr, /internal error/);
    return r.diagnostics;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-answers-'));
    const closed = await startPackageIndex([]);
    closedUrl = closed.url;
    await closed.close();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The verdicts every mirror must give for FILE with the closed port as its extra index. */
  const assertVerdicts = (diagnostics: JsonDiagnostic[], mirrorShown: RegExp): void => {
    const all = JSON.stringify(diagnostics, null, 1);
    const closedHost = new URL(closedUrl).host;
    const at = (line: number, code: string): JsonDiagnostic[] =>
      diagnostics.filter((d) => d.code === code && d.range.start.line === line);
    // What the mirror answered it does not have is said, on its line; the index that could not be asked may have it,
    // so the verdict is uncertain: a warning that leads with that.
    for (const name of ['fvcore', 'submitit'] as const) {
      const [nf] = at(LINE[name], 'not-found');
      assert.ok(nf, `${name}: ${all}`);
      assert.equal(nf.severity, 'warning');
      // The verdict first; which index could not be asked, after it.
      assert.ok(nf.message.startsWith(`Could not check ${name}: `), nf.message);
      assert.ok(nf.message.includes(`${closedHost} could not be asked`), nf.message);
      assert.match(nf.message, new RegExp(`${mirrorShown.source} has no project named '${name}'`));
    }
    // A local version only the unreachable index could have: a warning that leads with that, on its own line.
    const torch = diagnostics.filter((d) => d.range.start.line === LINE.torch && d.code === 'not-found');
    assert.equal(torch.length, 1, all);
    assert.equal(torch[0]!.severity, 'warning', all);
    assert.ok(
      torch[0]!.message.startsWith('Could not check torch==2.1.2+cu121: its index could not be reached\n') &&
        torch[0]!.message.includes(`Only ${closedHost} could have it, and it could not be reached`),
      torch[0]!.message,
    );
    // The mirror's answers are used: pandas resolves with its dependencies, nothing else is said of the other lines.
    assert.deepEqual(at(LINE.pandas, 'not-found'), []);
    // The note sits on the option line that names the index, and names no project the file does not mention.
    const notes = diagnostics.filter((d) => d.code === 'index-unreachable');
    assert.equal(notes.length, 1, all);
    assert.equal(notes[0]!.severity, 'information');
    assert.equal(notes[0]!.range.start.line, LINE.option, all);
    assert.match(notes[0]!.message, new RegExp(closedHost.replace(/\./g, '\\.')));
    assert.doesNotMatch(notes[0]!.message, /dateutil|fvcore|submitit|numpy|pandas/);
  };

  it('an http mirror that answered, beside an extra index on a closed port', async () => {
    const mirror = await startPackageIndex(MIRROR, { format: 'json' });
    servers.push(mirror);
    write('http/requirements.txt', FILE.replace('EXTRA', closedUrl));
    const diagnostics = await check('http', ['--index-url', mirror.url]);
    assertVerdicts(diagnostics, /http:\/\/127\.0\.0\.1:\d+\/simple/);
  });

  it('a file:// mirror folder that answered counts as an index that answered', async () => {
    const root = path.join(dir, 'mirror', 'simple');
    const files = path.join(dir, 'mirror', 'files');
    fs.mkdirSync(files, { recursive: true });
    for (const pkg of MIRROR) {
      const w = buildWheel(pkg);
      fs.writeFileSync(path.join(files, w.filename), w.bytes);
      const page = path.join(root, normalizeName(pkg.name));
      fs.mkdirSync(page, { recursive: true });
      fs.writeFileSync(
        path.join(page, 'index.html'),
        `<html><body><a href="${pathToFileURL(path.join(files, w.filename)).toString()}">${w.filename}</a></body></html>`,
      );
    }
    write('file/requirements.txt', FILE.replace('EXTRA', closedUrl));
    const diagnostics = await check('file', ['--index-url', pathToFileURL(root).toString()]);
    assertVerdicts(diagnostics, /file:\/\/\/\S+\/mirror\/simple/);
  });

  it('with no index answering (find-links folders are not indexes), nothing from the index is asserted', async () => {
    const links = path.join(dir, 'links');
    fs.mkdirSync(links, { recursive: true });
    const w = buildWheel({ name: 'numpy', version: '1.26.4' });
    fs.writeFileSync(path.join(links, w.filename), w.bytes);
    write('none/requirements.txt', `numpy==1.26.4\nfvcore\n--find-links ${links}\n`);
    const diagnostics = await check('none', ['--index-url', closedUrl]);
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'not-found'),
      [],
      'a project no index could be asked about is not called missing',
    );
    // The note names the index asked (a CLI option: on the first line), not the page of whichever project came first.
    const notes = diagnostics.filter((d) => d.code === 'index-unreachable');
    assert.equal(notes.length, 1, JSON.stringify(diagnostics, null, 1));
    assert.equal(notes[0]!.range.start.line, 0);
    assert.match(notes[0]!.message, new RegExp(`${closedUrl.replace(/\./g, '\\.')} could not be reached`));
    assert.doesNotMatch(notes[0]!.message, /\/simple\/(numpy|fvcore)/);
  });
});

describe('stack-doctor check: a healed index is asked again by the next run at once', () => {
  let dir: string;
  const servers: PackageIndex[] = [];
  const env = isolatedPipEnv();
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-cli-healed-'));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('metadata that is not core metadata (its sha256 on the page): healed, the next run believes it', async () => {
    const index = await startPackageIndex(
      [
        { name: 'numpy', version: '1.22.4' },
        { name: 'numpy', version: '1.26.4' },
        { name: 'pandas', version: '2.0.0', dependencies: ['numpy>=1.23.2'] },
      ],
      { format: 'json', metadataFor: (f, real) => (f.startsWith('pandas-') ? Buffer.from('<html>oops</html>') : real) },
    );
    servers.push(index);
    const folder = path.join(dir, 'broken-metadata');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'requirements.txt'), 'pandas==2.0.0\nnumpy<1.23\n');
    const args = [folder, '--index-url', index.url, '--cache-dir', path.join(folder, '.cache')];
    const broken = await checkJson(args, dir, env);
    assert.ok(
      broken.diagnostics.some((d) => d.code === 'index-unreachable'),
      `the broken metadata is said: ${JSON.stringify(broken.diagnostics, null, 1)}`,
    );
    index.setMetadataFor(null);
    const healed = await checkJson(args, dir, env);
    assert.deepEqual(
      healed.diagnostics.filter((d) => d.code === 'index-unreachable').map((d) => d.message),
      [],
      'a healed index is believed at once',
    );
    assert.ok(
      healed.diagnostics.some((d) => d.code === 'conflict-transitive' && d.severity === 'error'),
      JSON.stringify(healed.diagnostics, null, 1),
    );
  });
});
