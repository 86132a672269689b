// Three findings pip's behaviour asks for on real files: an editable folder that is not a project (an uninitialised
// submodule), options pip ignores on a requirement line, and CUDA builds that coexist by design (JAX's per-major
// plugins) that are not a CUDA mix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cudaMix } from '../../server/src/checks/cuda-mix';
import type { Finding } from '../../server/src/model/types';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { loadProfile, markerEnvironmentFor } from '../../server/src/system/profile';
import { FileSets } from '../../server/src/workspace/file-sets';
import { diskSource } from '../../server/src/workspace/text-source';
import { setOf } from '../helpers/sets';

const FILE = '/w/requirements.txt';
const req = (text: string) => parseRequirementsFile(FILE, text, { kind: 'requirements', env: {} });
const at = (text: string, f: Finding) => text.slice(f.span.start, f.span.end);

describe('-e PATH whose folder is not a project', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-editable-'));
    fs.mkdirSync(path.join(root, 'empty-submodule'));
    fs.mkdirSync(path.join(root, 'real'));
    fs.writeFileSync(path.join(root, 'real', 'pyproject.toml'), '[project]\nname = "real"\nversion = "1"\n');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a missing folder is an error as pip gives it, an empty one too; a project folder is fine', () => {
    const text = '-e ./sd-scripts\n-e ./empty-submodule\n-e ./real\n-e git+https://example.com/x.git#egg=x\n';
    fs.writeFileSync(path.join(root, 'requirements.txt'), text);
    const sets = new FileSets(diskSource, {}).folderSets(root);
    const findings = sets.flatMap((s) => s.findings).filter((f) => f.code === 'syntax');
    assert.equal(findings.length, 2, JSON.stringify(findings, null, 1));
    const [missing, empty] = findings;
    assert.equal(missing!.severity, 'error');
    assert.equal(at(text, missing!), './sd-scripts');
    assert.match(missing!.message, /^\.\/sd-scripts is not a valid editable requirement/);
    assert.match(missing!.message, /It should either be a path to a local project or a VCS URL/);
    assert.ok(missing!.message.includes(path.join(root, 'sd-scripts')), missing!.message);
    assert.equal(at(text, empty!), './empty-submodule');
    assert.match(
      empty!.message,
      /does not appear to be a Python project: neither 'setup\.py' nor 'pyproject\.toml' found/,
    );
    // Once the submodule is checked out, the next analysis says nothing (the parse is cached by text, not the folder).
    fs.mkdirSync(path.join(root, 'sd-scripts'));
    fs.writeFileSync(path.join(root, 'sd-scripts', 'setup.py'), 'from setuptools import setup\nsetup()\n');
    const analyzer = new FileSets(diskSource, {});
    assert.equal(analyzer.folderSets(root).flatMap((s) => s.findings).length, 1);
  });
});

describe('options pip ignores on a requirement line', () => {
  it('-f and --pre/--index-url after a requirement are warnings that say pip ignores them there', () => {
    const text =
      'jax[cuda12-pip]==0.4.25 -f https://storage.googleapis.com/jax-releases/jax_cuda_releases.html\n' +
      'torch --pre --index-url https://download.pytorch.org/whl/nightly/cu121\n' +
      'numpy==1.26.4 --hash=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n' +
      'pkg --config-settings key=value\n';
    const parsed = req(text);
    const found = parsed.findings;
    assert.deepEqual(
      found.map((f) => [f.code, f.severity, at(text, f)]),
      [
        ['syntax', 'warning', '-f https://storage.googleapis.com/jax-releases/jax_cuda_releases.html'],
        ['syntax', 'warning', '--pre'],
        ['syntax', 'warning', '--index-url https://download.pytorch.org/whl/nightly/cu121'],
      ],
    );
    assert.match(found[0]!.message, /^pip ignores --find-links on a requirement line/);
    assert.match(found[1]!.message, /^pip ignores --pre on a requirement line/);
    // Ignored: they change neither the file's indexes nor its find-links.
    assert.deepEqual(parsed.options, []);
    assert.deepEqual(
      parsed.dependencies.map((d) => d.name),
      ['jax', 'torch', 'numpy', 'pkg'],
    );
  });

  it('--no-binary on a requirement line applies to the whole run, as pip parses it into the shared format control', () => {
    const text = 'psycopg2 --no-binary psycopg2\n';
    const parsed = req(text);
    assert.deepEqual(parsed.findings, []);
    assert.deepEqual(
      parsed.options.map((o) => [o.name, o.value]),
      [['--no-binary', 'psycopg2']],
    );
  });
});

describe('cuda-mix: CUDA builds that coexist by design', () => {
  const gpu = loadProfile(path.join(__dirname, '../../../test/fixtures/profiles/gpu-current.json'));
  const run = (text: string) =>
    cudaMix.run(setOf(req(text)), { markerEnvironment: markerEnvironmentFor(gpu), profile: gpu });

  it("JAX's CUDA 12 and 13 plugins with their NVIDIA wheels are no mix; torch+cu118 with torchvision+cu121 is", () => {
    const text = [
      'jax==0.7.2',
      'jaxlib==0.7.2',
      'jax-cuda12-plugin==0.7.2',
      'jax-cuda12-pjrt==0.7.2',
      'jax-cuda13-plugin==0.7.2',
      'jax-cuda13-pjrt==0.7.2',
      'nvidia-cublas-cu12==12.9.1.4',
      'nvidia-cudnn-cu12==9.13.0.50',
      'nvidia-nccl-cu12==2.28.3',
      'nvidia-cudnn-cu13==9.13.0.50',
      'nvidia-nccl-cu13==2.28.3',
      '',
    ].join('\n');
    assert.deepEqual(run(text), []);
    // The rule is about plugins a runtime chooses between: other builds of different CUDA versions still mix.
    const torch = 'torch==2.1.0+cu118\ntorchvision==0.16.0+cu121\n';
    assert.equal(run(torch).length, 2);
    const wheels = 'nvidia-cublas-cu11==11.11.3.6\nnvidia-cudnn-cu12==9.1.0.70\n';
    assert.equal(run(wheels).length, 2);
    // A CUDA 13 NVIDIA wheel beside a CUDA 12 plugin only: no plugin of its own major, so still a mix.
    assert.equal(run('jax-cuda12-plugin==0.7.2\nnvidia-cudnn-cu13==9.13.0.50\n').length, 2);
  });
});
