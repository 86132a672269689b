// Verdict first: over a broad set of files and machines, every finding's first line is a verdict a Problems row shows
// whole (under 100 characters), in words a user knows, with no literal backticks; a direct conflict is one finding.
import { after, describe, it } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runChecks } from '../../server/src/checks/registry';
import type { CheckContext } from '../../server/src/checks/types';
import type { Code } from '../../server/src/model/codes';
import { emptyCondaReport, type CondaPackage, type SetIndexReport } from '../../server/src/model/reports';
import type { EnvironmentSet } from '../../server/src/model/sets';
import type { Finding, ParsedFile } from '../../server/src/model/types';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { loadProfile, markerEnvironmentFor, type MachineProfile } from '../../server/src/system/profile';
import { byCode, con, req } from '../helpers/check-kit';
import { emptyIndexReport, setOf } from '../helpers/sets';
import { indexFixture } from '../helpers/package-index';
import { Analysis } from '../../server/src/workspace/analysis';
import { diskSource } from '../../server/src/workspace/text-source';

const PROFILES = path.join(__dirname, '../../../test/fixtures/profiles');
const profile = (name: string): MachineProfile => loadProfile(path.join(PROFILES, `${name}.json`));

/** A context as the front ends build it: the machine named, its markers, and the stage reports given. */
function ctxOf(
  s: EnvironmentSet,
  p: MachineProfile,
  reports: { index?: SetIndexReport; conda?: CheckContext['conda'] } = {},
): CheckContext {
  return {
    markerEnvironment: markerEnvironmentFor(p),
    profile: p,
    machine: 'this machine',
    ...(reports.index ? { index: new Map([[s.root, reports.index]]) } : {}),
    ...(reports.conda ? { conda: reports.conda } : {}),
  };
}

const dep = (f: ParsedFile, name: string) => f.dependencies.find((d) => d.name === name)!;

const condaPkg = (name: string, version: string): CondaPackage => ({
  name,
  version,
  build: 'py311h64a7726_0',
  subdir: 'linux-64',
  channel: 'conda-forge',
  python: true,
  depends: [],
});

/** Files and machines that make every check with a message of its own speak, some several ways. */
function scenarios(): { name: string; findings: Finding[] }[] {
  const out: { name: string; findings: Finding[] }[] = [];
  const run = (name: string, s: EnvironmentSet, ctx: CheckContext): void => {
    out.push({ name, findings: runChecks([s], ctx) });
  };
  const bare = profile('debian-bare');
  const old = profile('gpu-old-driver');
  const current = profile('gpu-current');
  const laptop = profile('laptop-no-gpu');

  const direct = setOf(
    req(
      '/w/requirements.txt',
      'requests\nflask\nnumpy>=1.24\npandas\n-c constraints.txt\nscipy\nrich\ntqdm\nnumpy<1.24\nnumpy>=2,<1\n',
    ),
    con('/w/constraints.txt', 'scipy<1.10\n'),
  );
  run('direct conflicts', direct, ctxOf(direct, bare));
  const twoFiles = setOf(
    req('/w/requirements.txt', 'torch==2.0.1\n-c constraints.txt\n'),
    con('/w/constraints.txt', 'torch>=2.1,<3\n'),
  );
  run('a conflict across two files', twoFiles, ctxOf(twoFiles, bare));
  const cudaOld = setOf(
    req(
      '/w/requirements.txt',
      '--index-url https://download.pytorch.org/whl/cu121\ntorch==2.1.0+cu121\ntorchvision==0.16.0+cu121\n' +
        'cupy-cuda12x\njax[cuda12]\nnvidia-cublas-cu12\n',
    ),
  );
  run('CUDA 12 on a 470 driver', cudaOld, ctxOf(cudaOld, old));
  const condaCuda = setOf(
    parseEnvironmentYml(
      '/w/environment.yml',
      'name: t\nchannels: [pytorch, nvidia]\ndependencies:\n  - pytorch=2.1.0\n  - pytorch-cuda=12.1\n  - cudatoolkit=11.8\n',
    ),
  );
  run('conda CUDA on a 470 driver', condaCuda, ctxOf(condaCuda, old));
  const mix = setOf(
    req(
      '/w/requirements.txt',
      '--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.1.0+cu118\ntorchvision==0.16.0+cu121\n' +
        'cupy-cuda11x\n',
    ),
  );
  run('CUDA builds mixed', mix, ctxOf(mix, current));
  run('CUDA on a laptop', cudaOld, ctxOf(cudaOld, laptop));
  const system = setOf(
    req(
      '/w/requirements.txt',
      'opencv-python==4.8.1.78\npsycopg2==2.9.9\nmysqlclient==2.2.0\npyaudio\nsklearn\ntensorflow-gpu\n' +
        'torch==2.1.0\ntorchvision==0.15.2\ntensorflow==2.13.0\nnumpy>=1.25\nrequests==2.31.0\nrequests>=2.31\n',
    ),
  );
  run('system libraries, deprecations, companions', system, ctxOf(system, bare));
  run('system libraries on macOS', system, ctxOf(system, profile('macos-arm64')));
  run('system libraries on musl', system, ctxOf(system, profile('alpine-musl')));

  const idx = req(
    '/w/requirements.txt',
    '--extra-index-url https://download.pytorch.org/whl/cu117\nnunpy==1.0\npandas==9.9\nfuture-only>=2\n' +
      'lxml==4.9.1\nnumpy==2.1.0\nscikit-learn-intelex-private-build-with-a-long-name==2024.1.0\n',
  );
  const idxSet = setOf(idx);
  const where = 'https://pypi.org/simple';
  const reportOf = (over: Partial<SetIndexReport>): SetIndexReport => ({ ...emptyIndexReport(), ...over });
  run(
    'the index: missing, excluded, source-only',
    idxSet,
    ctxOf(idxSet, bare, {
      index: reportOf({
        missing: [
          { dep: dep(idx, 'nunpy'), kind: 'project', newest: null, where },
          { dep: dep(idx, 'pandas'), kind: 'version', newest: '2.2.3', where },
          {
            dep: dep(idx, 'numpy'),
            kind: 'target',
            newest: '2.1.0',
            where,
            target: 'Python 3.11.7 · Linux x86_64',
            files: ['numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.whl'],
          },
          {
            dep: dep(idx, 'scikit-learn-intelex-private-build-with-a-long-name'),
            kind: 'version',
            newest: '2023.2.1',
            where: 'https://user:secret@packages.example.com/private/simple',
          },
        ],
        pythonExcluded: [{ dep: dep(idx, 'future-only'), python: '3.11.7', requires: ['>=3.13'] }],
        sdistOnly: [{ dep: dep(idx, 'lxml'), version: '4.9.1', target: 'Python 3.11.7 · Linux x86_64' }],
      }),
    }),
  );
  run(
    'the index, unreachable',
    idxSet,
    ctxOf(idxSet, bare, {
      index: reportOf({
        unreachable: ['Index unreachable: https://download.pytorch.org/whl/cu117/nunpy/ (timeout)'],
        missing: [{ dep: dep(idx, 'nunpy'), kind: 'project', newest: null, where }],
      }),
    }),
  );
  const py = parsePyproject(
    '/w/pyproject.toml',
    '[project]\nname = "demo"\nversion = "1"\ndependencies = ["numpy>=1.24"]\n' +
      '[project.optional-dependencies]\ntrain = ["deepspeed==0.12.6", "numpy<1.24"]\n',
  );
  const pySet = setOf(py);
  run(
    'a pyproject extra',
    pySet,
    ctxOf(pySet, bare, {
      index: reportOf({ missing: [{ dep: dep(py, 'deepspeed'), kind: 'version', newest: '0.10.0', where }] }),
    }),
  );
  const yml = parseEnvironmentYml(
    '/w/environment.yml',
    'name: t\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy=1.26\n  - pandas\n' +
      '  - pip:\n    - numpy==1.25.2\n    - pandas\n',
  );
  const ymlSet = setOf(yml);
  const conda = emptyCondaReport({
    status: 'ok',
    channels: ['conda-forge'],
    subdir: 'linux-64',
    solution: [condaPkg('numpy', '1.26.4'), condaPkg('pandas', '2.2.1'), condaPkg('python', '3.11.7')],
    condaHas: { numpy: { condaName: 'numpy', spec: 'numpy==1.25.2', replaces: null } },
  });
  run('pip over conda', ymlSet, ctxOf(ymlSet, bare, { conda: new Map([[ymlSet.root, conda]]) }));
  return out;
}

describe('verdict first', () => {
  const all = scenarios();
  const found = all.flatMap((s) => s.findings.map((f) => ({ scenario: s.name, f })));

  it('the fixtures make the codes of this rule speak (the test asserts something)', () => {
    const codes = new Set(found.map((x) => x.f.code));
    const wanted: Code[] = [
      'conflict',
      'conflict-transitive',
      'cuda-driver',
      'cuda-mix',
      'cuda-unavailable',
      'system-library',
      'not-found',
      'pip-over-conda',
      'companion-version',
      'deprecated',
      'duplicate',
      'no-wheel',
      'requires-python',
    ];
    assert.deepEqual(
      wanted.filter((c) => !codes.has(c)),
      [],
    );
  });

  it('every finding leads with a verdict under 100 characters, in words a user knows, without backticks', () => {
    const bad: string[] = [];
    for (const { scenario, f } of found) {
      const first = f.message.split('\n')[0]!;
      const say = (why: string): void => {
        bad.push(`${scenario} / ${f.code} (${why}): ${first}`);
      };
      if (first.length >= 100) say(`${first.length} characters`);
      if (f.message.includes('`')) say('a backtick');
      if (/the target\b/i.test(first)) say('"the target"');
      if (/\bThis set\b/.test(f.message)) say('"This set"');
      if (/https?:\/\//.test(first)) say('an index URL in the verdict');
      if (/would fail with/.test(first)) say('"would fail with" in the verdict');
    }
    assert.deepEqual(bad, []);
  });

  it('a direct conflict on lines 3 and 9 is one finding on one of them, the other related, verdict naming both', () => {
    const { findings } = all.find((s) => s.name === 'direct conflicts')!;
    const conflicts = byCode(findings, 'conflict').filter((f) => f.message.includes('common version'));
    assert.equal(conflicts.length, 1, conflicts.map((f) => f.message).join('\n---\n'));
    const f = conflicts[0]!;
    const text = 'requests\nflask\nnumpy>=1.24\npandas\n-c constraints.txt\nscipy\nrich\ntqdm\nnumpy<1.24\n';
    const lines = [f, ...f.related].map((x) => text.slice(x.span.start, x.span.end)).sort();
    assert.deepEqual(lines, ['numpy<1.24', 'numpy>=1.24']);
    assert.equal(f.message.split('\n')[0], 'numpy>=1.24 (line 3) and numpy<1.24 (line 9) admit no common version');
    assert.match(f.message.split('\n')[1]!, /pip would fail with "ResolutionImpossible"/);
    // Anchored where its preferred fix edits.
    const preferred = f.fixes.find((x) => x.preferred)!;
    assert.ok(
      preferred.edits.every((e) => e.file === f.file && e.span.start >= f.span.start && e.span.end <= f.span.end),
    );
  });

  it('a conflict across two files names the other file in its verdict', () => {
    const { findings } = all.find((s) => s.name === 'a conflict across two files')!;
    const [f, ...more] = byCode(findings, 'conflict');
    assert.equal(more.length, 0);
    assert.match(
      f!.message.split('\n')[0]!,
      /^torch==2\.0\.1 \(line 1\) and torch>=2\.1,<3 \(constraints\.txt:1\) admit/,
    );
  });
});

const fixture = indexFixture(
  'sd-verdicts-',
  [
    { name: 'numpy', version: '1.24.3' },
    { name: 'numpy', version: '1.26.4' },
    { name: 'tensorflow', version: '2.13.0', dependencies: ['numpy>=1.22,<=1.24.3'] },
    { name: 'tensorflow', version: '2.15.0', dependencies: ['numpy>=1.23.5,<2.0.0'] },
  ],
  after,
);

describe("the resolver's steps", () => {
  it('name no file and line inline: the lines that take part are related locations', async () => {
    const index = await fixture.serve();
    const dir = path.join(fixture.tmp, 'steps');
    mkdirSync(dir, { recursive: true });
    const requirements = path.join(dir, 'requirements.txt');
    writeFileSync(requirements, 'requests\ntensorflow==2.13.0\n-c constraints.txt\n');
    writeFileSync(path.join(dir, 'constraints.txt'), '# pins\nnumpy>=1.25\n');
    writeFileSync(path.join(dir, 'requirements-dev.txt'), '-r requirements.txt\nnumpy>=1.25\n');
    const analysis = new Analysis(diskSource, {});
    analysis.configure({ offline: false, trustFiles: true, cacheDir: null, indexUrl: index.url });
    analysis.setTarget({ profile: loadProfile(path.join(PROFILES, 'debian-bare.json')), machine: 'this machine' });
    const sets = analysis.setsAround(path.join(dir, 'requirements-dev.txt'), 'requirements');
    await analysis.resolve(sets);
    const found = byCode(analysis.findings(sets), 'conflict-transitive');
    assert.ok(found.length >= 1, 'tensorflow 2.13.0 with numpy>=1.25: a conflict through dependencies');
    for (const f of found) {
      const steps = f.message.split('\n').slice(1).join('\n');
      assert.match(steps, /numpy>=1\.25 (is required|applies)/, f.message);
      assert.doesNotMatch(f.message, /\((requirements|requirements-dev|constraints)\.txt:\d+\)/, f.message);
      const places = [f, ...f.related].map((r) => `${path.basename(r.file)}@${r.span.start}`).sort();
      assert.ok(
        places.some((p) => p.startsWith('requirements.txt@')),
        places.join(' '),
      );
      assert.ok(
        places.some((p) => p.startsWith('requirements-dev.txt@') || p.startsWith('constraints.txt@')),
        places.join(' '),
      );
    }
  });
});
