// environment.yml files in the shapes of GAN, NeRF and RAPIDS projects: literal conda names,
// pre-release bounds, the Python pin, local paths in the pip part.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import { dependenciesText } from '../../server/src/cli-output';
import { LineIndex } from '../../server/src/model/text';
import type { Dependency, ParsedFile } from '../../server/src/model/types';

const corpus = join(__dirname, '..', '..', '..', 'test/fixtures/requirements-corpus/conda-pip');
const load = (name: string): ParsedFile =>
  parseEnvironmentYml(join(corpus, name), readFileSync(join(corpus, name), 'utf8'), { env: {} });
const conda = (p: ParsedFile): Dependency[] => p.dependencies.filter((d) => d.kind === 'conda');
const at = (p: ParsedFile, d: Dependency, which: 'span' | 'nameSpan' | 'specifierSpan'): string =>
  p.text.slice(d[which].start, d[which].end);

describe('a RAPIDS-shaped environment', () => {
  const p = load('rapids-pip.yml');

  it('keeps conda names as conda reads them (lower-cased, never PEP 503-normalized)', () => {
    assert.deepEqual(p.findings, []);
    assert.deepEqual(
      conda(p).map((d) => [d.name, d.rawName]),
      [
        ['cuda-version', 'cuda-version'],
        ['python', 'python'],
        ['rmm', 'rmm'],
        ['pandas', 'pandas'],
        ['numpy', 'numpy'],
        ['gcc_linux-64', 'gcc_linux-64'],
        ['atari_py', 'atari_py'],
        ['path.py', 'path.py'],
        ['pip', 'pip'],
      ],
    );
    const upper = parseEnvironmentYml('/p/environment.yml', 'dependencies:\n  - PyYAML=6\n  - Atari_Py\n');
    assert.deepEqual(
      conda(upper).map((d) => [d.name, d.rawName]),
      [
        ['pyyaml', 'PyYAML'],
        ['atari_py', 'Atari_Py'],
      ],
    );
  });

  it('keeps pre-release bounds in the PEP 440 specifier and the conda text as written', () => {
    const by = (n: string): Dependency => conda(p).find((d) => d.name === n)!;
    assert.deepEqual(
      ['numpy', 'pandas', 'rmm', 'cuda-version', 'python'].map((n) => [
        n,
        by(n).specifier,
        by(n).conda?.version,
        by(n).specifierUnknown,
      ]),
      [
        ['numpy', '>=1.23,<3.0a0', '>=1.23,<3.0a0', undefined],
        ['pandas', '>=2.0,<2.4.0.dev0', '>=2.0,<2.4.0dev0', undefined],
        ['rmm', '==25.8.*,>=0.0.0a0', '25.8.*,>=0.0.0a0', undefined],
        ['cuda-version', '>=12.0,<=12.9', '>=12.0,<=12.9', undefined],
        ['python', '>=3.10,<3.14', '>=3.10,<3.14', undefined],
      ],
    );
    assert.equal(at(p, by('pandas'), 'specifierSpan'), '>=2.0,<2.4.0dev0');
    assert.equal(at(p, by('rmm'), 'specifierSpan'), '==25.8.*,>=0.0.0a0');
    assert.equal(p.requiresPython, '>=3.10,<3.14');
  });

  it('reads the pip part with pip pre-release specifiers', () => {
    const pip = p.dependencies.filter((d) => d.section === 'dependencies.pip');
    assert.deepEqual(
      pip.map((d) => [d.name, d.specifier]),
      [
        ['cudf-cu12', '==25.8.*'],
        ['dask-cuda', '<25.10,>=25.8.0a0'],
        ['nvidia-ml-py', '>=12'],
      ],
    );
    assert.deepEqual(
      p.options.map((o) => [o.name, o.value]),
      [['--extra-index-url', 'https://pypi.nvidia.com']],
    );
  });
});

describe('a GAN-shaped environment', () => {
  const p = load('gan-options.yml');

  it('carries the python=3.8.5 pin as PEP 440 for judging the pip part', () => {
    assert.equal(p.requiresPython, '==3.8.5.*');
    assert.equal(conda(p).find((d) => d.name === 'numpy')!.specifier, '>=1.23,<3.0a0');
  });

  it('reads a pinned build string as an exact Python', () => {
    const q = parseEnvironmentYml('/p/environment.yml', 'dependencies:\n  - python=3.8.5=h7579374_1\n  - pip\n');
    assert.equal(q.requiresPython, '==3.8.5');
    const r = parseEnvironmentYml('/p/environment.yml', 'dependencies:\n  - python 3.9.*\n');
    assert.equal(r.requiresPython, '==3.9.*');
    const upper = parseEnvironmentYml('/p/environment.yml', 'dependencies:\n  - conda-forge::Python=3.10\n');
    assert.equal(upper.requiresPython, '==3.10.*', 'conda lower-cases names');
    const none = parseEnvironmentYml('/p/environment.yml', 'dependencies:\n  - python\n  - numpy\n');
    assert.equal(none.requiresPython, '');
  });
});

describe('a NeRF-shaped environment with local CUDA extensions', () => {
  const p = load('nerf-local-paths.yml');

  it('takes bare relative paths in the pip part as local projects, as pip does', () => {
    assert.deepEqual(p.findings, []);
    const pip = p.dependencies.filter((d) => d.section === 'dependencies.pip');
    const url = (rel: string): string => pathToFileURL(join(corpus, rel)).href;
    assert.deepEqual(
      pip.map((d) => [at(p, d, 'span'), d.name, d.url, d.extras]),
      [
        ['submodules/diff-gaussian-rasterization', '', url('submodules/diff-gaussian-rasterization'), []],
        ['submodules/simple-knn', '', url('submodules/simple-knn'), []],
        ['./submodules/simple-knn', '', url('submodules/simple-knn'), []],
        ['../pkgs/otherpkg', '', url('../pkgs/otherpkg'), []],
        ['../pkgs/localpkg[test]', '', url('../pkgs/localpkg'), ['test']],
        ['opencv-python==4.8.1.78', 'opencv-python', null, []],
      ],
    );
    assert.equal(p.requiresPython, '==3.7.13.*');
  });

  it('reads the same line the same way in a requirements file (one constructor)', async () => {
    const { parseRequirementsFile } = await import('../../server/src/parsers/requirements');
    const req = parseRequirementsFile(join(corpus, 'requirements.txt'), 'submodules/simple-knn\n', {
      kind: 'requirements',
      env: {},
    });
    const yml = p.dependencies.find((d) => d.text === 'submodules/simple-knn')!;
    assert.deepEqual(
      req.dependencies.map((d) => [d.name, d.url]),
      [[yml.name, yml.url]],
    );
  });

  it('asks the disk when it can: a path that is no directory is an invalid requirement, as pip says', () => {
    const q = parseEnvironmentYml(
      join(corpus, 'environment.yml'),
      'dependencies:\n  - pip:\n    - submodules/missing-ext\n',
      { env: {}, isDirectory: () => false },
    );
    assert.equal(q.findings.length, 1);
    assert.match(q.findings[0]!.message, /Invalid requirement/);
  });
});

describe('list shows every conda spec', () => {
  it('writes a spec PEP 440 cannot say as conda wrote it', () => {
    const text = 'dependencies:\n  - blas 1.0|1.1\n  - numpy>=1.23,<3.0a0\n  - pytorch=2.1.0=py3.10_cuda12.1*\n';
    const p = parseEnvironmentYml('/p/environment.yml', text);
    const listed = dependenciesText(p.dependencies, () => new LineIndex(text), '/p');
    assert.deepEqual(
      listed
        .trim()
        .split('\n')
        .map((l) => l.split('  ')[0]),
      ['blas 1.0|1.1', 'numpy>=1.23,<3.0a0', 'pytorch==2.1.0'],
    );
    assert.ok(p.dependencies.every((d) => d.specifier !== '' || d.specifierUnknown));
  });
});
