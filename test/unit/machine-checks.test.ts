// The machine checks (system-library, cuda-driver, cuda-mix, cuda-unavailable, companion-version, deprecated) over real
// parsed sets and fixture profiles, with their fixes applied and re-checked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { companionVersion } from '../../server/src/checks/companion-version';
import { cudaDriver } from '../../server/src/checks/cuda-driver';
import { cudaMix } from '../../server/src/checks/cuda-mix';
import { cudaUnavailable } from '../../server/src/checks/cuda-unavailable';
import { deprecated } from '../../server/src/checks/deprecated';
import { systemLibrary } from '../../server/src/checks/system-library';
import type { Check } from '../../server/src/checks/types';
import type { Finding, ParsedFile } from '../../server/src/model/types';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { loadProfile, markerEnvironmentFor, type MachineProfile } from '../../server/src/system/profile';
import { applyFix, emptyIndexReport, setOf } from '../helpers/sets';
import type { EnvironmentSet } from '../../server/src/model/sets';

const MACHINE_CHECKS: Check[] = [systemLibrary, cudaDriver, cudaMix, cudaUnavailable, companionVersion, deprecated];
const PROFILES = path.join(__dirname, '../../../test/fixtures/profiles');
const profile = (name: string): MachineProfile => loadProfile(path.join(PROFILES, `${name}.json`));

const req = (text: string, p = '/w/requirements.txt'): ParsedFile =>
  parseRequirementsFile(p, text, { kind: 'requirements', env: {} });
const yml = (text: string): ParsedFile => parseEnvironmentYml('/w/environment.yml', text);
const toml = (text: string): ParsedFile => parsePyproject('/w/pyproject.toml', text);
const set = setOf;

function run(check: Check, s: EnvironmentSet, p: MachineProfile): Finding[] {
  return check.run(s, { markerEnvironment: markerEnvironmentFor(p), profile: p });
}

const textOf = (s: EnvironmentSet, p = s.root) => s.files.find((f) => f.path === p)!.text;
const spanText = (s: EnvironmentSet, f: Finding) => textOf(s, f.file).slice(f.span.start, f.span.end);

describe('cuda-driver', () => {
  const old = profile('gpu-old-driver');
  const current = profile('gpu-current');

  it('flags the cu121 index and labels on a 470 driver; the fix switches index and labels to cu118 together', () => {
    const s = set(
      req(
        '--index-url https://download.pytorch.org/whl/cu121\ntorch==2.1.0+cu121\ntorchvision==0.16.0+cu121\nrequests\n',
      ),
    );
    const found = run(cudaDriver, s, old);
    assert.deepEqual(
      found.map((f) => spanText(s, f)),
      ['--index-url https://download.pytorch.org/whl/cu121', 'torch==2.1.0+cu121', 'torchvision==0.16.0+cu121'],
    );
    for (const f of found) {
      assert.equal(f.severity, 'error');
      assert.match(
        f.message,
        /needs an NVIDIA driver >= 525\.60\.13; the target machine has 470\.182\.03\n.*CUDA 12\.1 build, and the driver 470\.182\.03 \(CUDA 11\.4 at most\) does not run it/,
      );
    }
    const fix = found[0]!.fixes[0]!;
    assert.deepEqual(
      found.map((f) => f.fixes[0]),
      [fix, fix, fix],
      'one fix for the whole set',
    );
    assert.match(fix.title, /CUDA 11\.8/);
    const fixed = applyFix(s, fix);
    assert.equal(
      textOf(fixed),
      '--index-url https://download.pytorch.org/whl/cu118\ntorch==2.1.0+cu118\ntorchvision==0.16.0+cu118\nrequests\n',
    );
    assert.deepEqual(run(cudaDriver, fixed, old), []);
    assert.deepEqual(run(cudaMix, fixed, old), []);
  });

  it('renames cupy-cuda12x to cupy-cuda11x and moves conda pytorch-cuda to 11.8 on a 470 driver', () => {
    const s = set(req('cupy-cuda12x>=13\n'));
    const [f] = run(cudaDriver, s, old);
    assert.ok(f);
    assert.equal(textOf(applyFix(s, f.fixes[0]!)), 'cupy-cuda11x>=13\n');
    const c = set(
      yml('name: t\nchannels: [pytorch, nvidia]\ndependencies:\n  - pytorch=2.1.0\n  - pytorch-cuda=12.1\n'),
    );
    const [g] = run(cudaDriver, c, old);
    assert.ok(g);
    const fixed = applyFix(c, g.fixes[0]!);
    assert.match(textOf(fixed), /- pytorch-cuda=11\.8\n/);
    assert.deepEqual(run(cudaDriver, fixed, old), []);
  });

  it('flags jax[cuda12] on a 470 driver with no fix (JAX has no CUDA 11 builds any more)', () => {
    const s = set(req('jax[cuda12]==0.4.30\n'));
    const [f] = run(cudaDriver, s, old);
    assert.ok(f);
    assert.deepEqual(f.fixes, []);
    assert.match(f.message, /Upgrade the driver/);
  });

  it('moves torch 2.9.0+cu130 to cu128 on a 570 driver, and leaves cu121 alone there', () => {
    const s = set(req('--extra-index-url https://download.pytorch.org/whl/cu130\ntorch==2.9.0+cu130\n'));
    const found = run(cudaDriver, s, current);
    assert.equal(found.length, 2);
    assert.match(found[0]!.message, />= 580\.65\.06/);
    assert.equal(
      textOf(applyFix(s, found[0]!.fixes[0]!)),
      '--extra-index-url https://download.pytorch.org/whl/cu128\ntorch==2.9.0+cu128\n',
    );
    assert.deepEqual(run(cudaDriver, set(req('torch==2.1.0+cu121\n')), current), []);
  });

  it(
    'says nothing for CPU builds, plain pins, a driver that runs ' +
      'the build, no GPU (cuda-unavailable) or an unknown driver',
    () => {
      assert.deepEqual(
        run(cudaDriver, set(req('--index-url https://download.pytorch.org/whl/cu118\ntorch==2.1.0+cu118\n')), old),
        [],
      );
      assert.deepEqual(run(cudaDriver, set(req('torch==2.1.0\ntorch-geometric\n')), old), []);
      assert.deepEqual(
        run(cudaDriver, set(req('torch==2.1.0+cpu\n--index-url https://download.pytorch.org/whl/cpu\n')), old),
        [],
      );
      assert.deepEqual(run(cudaDriver, set(req('torch==2.1.0+cu121\n')), profile('laptop-no-gpu')), []);
      assert.deepEqual(run(cudaDriver, set(req('torch==2.1.0+cu121\n')), profile('minimal')), []);
      assert.deepEqual(
        run(cudaDriver, set(req('torch==2.1.0+cu121; sys_platform == "darwin"\n')), old),
        [],
        'a marker that does not hold',
      );
    },
  );

  it(
    'on Windows judges by the Windows column, and by the ' +
      "driver's own CUDA version where the tables have none (13.x)",
    () => {
      const win = (driver: string, cuda: string): MachineProfile => ({
        os: 'windows',
        arch: 'AMD64',
        nvidia: { driver, cuda, gpus: [] },
      });
      assert.deepEqual(run(cudaDriver, set(req('torch==2.1.0+cu121\n')), win('531.14', '12.1')), []);
      assert.equal(run(cudaDriver, set(req('torch==2.1.0+cu121\n')), win('517.00', '11.7')).length, 1);
      assert.deepEqual(run(cudaDriver, set(req('torch==2.9.0+cu130\n')), win('581.15', '13.0')), []);
      assert.equal(run(cudaDriver, set(req('torch==2.9.0+cu130\n')), win('576.57', '12.9')).length, 1);
    },
  );
});

describe('cuda-mix', () => {
  const current = profile('gpu-current');

  it('torch +cu118 with torchvision +cu121: both lines, a fix per CUDA version, the newer preferred', () => {
    const s = set(req('torch==2.1.0+cu118\ntorchvision==0.16.0+cu121\n'));
    const found = run(cudaMix, s, current);
    assert.equal(found.length, 2);
    assert.equal(found[0]!.related.length, 1);
    assert.deepEqual(
      found[0]!.fixes.map((f) => [f.title.match(/CUDA [\d.]+/)![0], f.preferred]),
      [
        ['CUDA 12.1', true],
        ['CUDA 11.8', false],
      ],
    );
    for (const fix of found[0]!.fixes) assert.deepEqual(run(cudaMix, applyFix(s, fix), current), [], fix.title);
    assert.equal(textOf(applyFix(s, found[0]!.fixes[0]!)), 'torch==2.1.0+cu121\ntorchvision==0.16.0+cu121\n');
  });

  it('the cu121 index with cupy-cuda11x; pytorch-cuda=12.1 with cudatoolkit=11.8', () => {
    const s = set(req('--index-url https://download.pytorch.org/whl/cu121\ntorch==2.1.0\ncupy-cuda11x\n'));
    const found = run(cudaMix, s, current);
    assert.equal(found.length, 2);
    const to121 = found[0]!.fixes.find((f) => f.title.includes('12.1'))!;
    assert.equal(
      textOf(applyFix(s, to121)),
      '--index-url https://download.pytorch.org/whl/cu121\ntorch==2.1.0\ncupy-cuda12x\n',
    );
    const c = set(yml('name: t\ndependencies:\n  - pytorch-cuda=12.1\n  - cudatoolkit=11.8\n'));
    const cf = run(cudaMix, c, current);
    assert.equal(cf.length, 2);
    const fixed = applyFix(
      c,
      cf[0]!.fixes.find((f) => f.title.includes('12.1'))!,
    );
    assert.match(textOf(fixed), /- pytorch-cuda=12\.1\n {2}- cuda-version=12\.1\n/);
    assert.deepEqual(run(cudaMix, fixed, current), []);
  });

  it('one CUDA 12 stack, and optional extras that are never installed together, are not mixes', () => {
    assert.deepEqual(
      run(cudaMix, set(req('torch==2.1.0+cu121\nnvidia-cublas-cu12\ncupy-cuda12x\njax[cuda12]\n')), current),
      [],
    );
    const p = toml(
      '[project]\nname = "x"\nversion = "1"\n[project.optional-dependencies]\nold ' +
        '= ["torch==2.1.0+cu118"]\nnew = ["torchvision==0.16.0+cu121"]\n',
    );
    assert.deepEqual(run(cudaMix, set(p), current), []);
    const withBase = toml(
      '[project]\nname = "x"\nversion = "1"\ndependencies = ' +
        '["torch==2.1.0+cu118"]\n[project.optional-dependencies]\nnew = ["torchvision==0.16.0+cu121"]\n',
    );
    assert.equal(run(cudaMix, set(withBase), current).length, 2, 'an extra is judged with the base');
  });
});

describe('cuda-unavailable', () => {
  it('a laptop without a GPU: CUDA torch and its index, with a fix to the CPU builds', () => {
    const s = set(req('--index-url https://download.pytorch.org/whl/cu121\ntorch==2.1.0+cu121\njax[cuda12]>=0.4\n'));
    const p = profile('laptop-no-gpu');
    const found = run(cudaUnavailable, s, p);
    assert.equal(found.length, 3);
    assert.ok(found.every((f) => f.severity === 'warning' && /no NVIDIA GPU driver/.test(f.message)));
    const fixed = applyFix(s, found[0]!.fixes[0]!);
    assert.equal(textOf(fixed), '--index-url https://download.pytorch.org/whl/cpu\ntorch==2.1.0+cpu\njax>=0.4\n');
    assert.deepEqual(run(cudaUnavailable, fixed, p), []);
  });

  it('macOS: the label is dropped and the index line removed (macOS wheels carry no label)', () => {
    const s = set(req('--extra-index-url https://download.pytorch.org/whl/cu118\ntorch==2.1.0+cu118\nnumpy\n'));
    const p = profile('macos-arm64');
    const found = run(cudaUnavailable, s, p);
    assert.equal(found.length, 2);
    assert.match(found[0]!.message, /macOS has no CUDA/);
    assert.equal(textOf(applyFix(s, found[0]!.fixes[0]!)), 'torch==2.1.0\nnumpy\n');
  });

  it('native Windows: tensorflow[and-cuda] and jax[cuda12] even with a GPU; torch +cu121 is fine there', () => {
    const win: MachineProfile = { os: 'windows', arch: 'AMD64', nvidia: { driver: '546.12', cuda: '12.3', gpus: [] } };
    const found = run(cudaUnavailable, set(req('tensorflow[and-cuda]==2.15.0\ntorch==2.1.0+cu121\n')), win);
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /Linux only/);
  });

  it('nothing where the GPU is present or unknown, or for CPU builds', () => {
    assert.deepEqual(run(cudaUnavailable, set(req('torch==2.1.0+cu121\n')), profile('gpu-current')), []);
    assert.deepEqual(run(cudaUnavailable, set(req('torch==2.1.0+cu121\n')), profile('minimal')), []);
    assert.deepEqual(run(cudaUnavailable, set(req('torch==2.1.0+cpu\ntorch\n')), profile('laptop-no-gpu')), []);
  });
});

describe('companion-version', () => {
  const p = profile('gpu-current');

  it('torchvision of another torch release: the fix pins the matching one and keeps the local label', () => {
    const s = set(req('torch==2.1.0+cu121\ntorchvision==0.15.2+cu121\ntorchaudio==2.1.0+cu121\n'));
    const found = run(companionVersion, s, p);
    assert.equal(found.length, 1);
    assert.equal(spanText(s, found[0]!), 'torchvision==0.15.2+cu121');
    assert.match(found[0]!.message, /needs torchvision 0\.16\.0/);
    const fixed = applyFix(s, found[0]!.fixes[0]!);
    assert.equal(textOf(fixed), 'torch==2.1.0+cu121\ntorchvision==0.16.0+cu121\ntorchaudio==2.1.0+cu121\n');
    assert.deepEqual(run(companionVersion, fixed, p), []);
  });

  it('a torchvision pin whose torch the torch specifier excludes; torch 2.0.0 pairs (pip and conda)', () => {
    const found = run(companionVersion, set(req('torch>=2.2\ntorchvision==0.16.0\n')), p);
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /belongs to torch 2\.1\.0/);
    assert.deepEqual(run(companionVersion, set(req('torch==2.0.0\ntorchvision==0.15.1\ntorchaudio==2.0.1\n')), p), []);
    assert.deepEqual(
      run(
        companionVersion,
        set(yml('name: t\ndependencies:\n  - pytorch=2.0.0\n  - torchvision=0.15.0\n  - torchaudio=2.0.0\n')),
        p,
      ),
      [],
    );
    assert.equal(
      run(companionVersion, set(yml('name: t\ndependencies:\n  - pytorch=2.1.0\n  - torchvision=0.15.0\n')), p).length,
      1,
    );
  });

  it('keras against tensorflow, jaxlib newer than jax, the JAX CUDA plugin and pjrt out of step', () => {
    const k = set(req('tensorflow==2.13.0\nkeras==2.12.0\n'));
    const [kf] = run(companionVersion, k, p);
    assert.ok(kf);
    assert.deepEqual(run(companionVersion, applyFix(k, kf.fixes[0]!), p), []);
    assert.equal(run(companionVersion, set(req('tensorflow==2.16.1\nkeras==2.15.0\n')), p).length, 1);
    assert.deepEqual(run(companionVersion, set(req('tensorflow==2.16.1\nkeras==3.3.3\n')), p), []);
    const j = set(req('jax==0.4.20\njaxlib==0.4.23\njax-cuda12-plugin==0.4.20\njax-cuda12-pjrt==0.4.21\n'));
    const jf = run(companionVersion, j, p);
    assert.deepEqual(
      jf.map((f) => spanText(j, f)),
      ['jaxlib==0.4.23', 'jax-cuda12-pjrt==0.4.21'],
    );
    let fixed = j;
    for (const f of jf) fixed = applyFix(fixed, f.fixes[0]!);
    assert.deepEqual(run(companionVersion, fixed, p), []);
  });

  it('nothing for unpinned or consistent stacks', () => {
    assert.deepEqual(run(companionVersion, set(req('torch\ntorchvision\ntorchaudio\njax\njaxlib\n')), p), []);
    assert.deepEqual(
      run(
        companionVersion,
        set(req('torch==2.5.1\ntorchvision==0.20.1\ntorchaudio==2.5.1\njax==0.4.30\njaxlib==0.4.30\n')),
        p,
      ),
      [],
    );
  });
});

describe('deprecated', () => {
  const p = profile('gpu-current');

  it('sklearn, PIL, tensorflow-gpu (with the placeholder versions), jax[cuda11_pip]: replacements as fixes', () => {
    const s = set(req('sklearn==0.0\nPIL\ntensorflow-gpu==2.12.0\njax[cuda11_pip]==0.4.20\nrequests\n'));
    const found = run(deprecated, s, p);
    assert.deepEqual(
      found.map((f) => spanText(s, f)),
      ['sklearn==0.0', 'PIL', 'tensorflow-gpu==2.12.0', 'jax[cuda11_pip]==0.4.20'],
    );
    assert.match(found[2]!.message, /does not install/);
    let fixed = s;
    for (const f of [...found].reverse()) fixed = applyFix(fixed, f.fixes[0]!);
    assert.equal(textOf(fixed), 'scikit-learn\npillow\ntensorflow==2.12.0\njax[cuda12]==0.4.20\nrequests\n');
    assert.deepEqual(run(deprecated, fixed, p), []);
  });

  it('conda: cudatoolkit only for CUDA 12 and later (fix: cuda-version), pytorch-cuda always (fix: conda-forge pytorch)', () => {
    const c = set(
      yml('name: t\ndependencies:\n  - cudatoolkit=12.1\n  - pytorch::pytorch=2.1\n  - pytorch-cuda=11.8\n'),
    );
    const found = run(deprecated, c, p);
    assert.equal(found.length, 2);
    assert.match(textOf(applyFix(c, found[0]!.fixes[0]!)), /- cuda-version=12\.1\n/);
    assert.equal(found[1]!.fixes[0]!.title, "Use conda-forge's pytorch with cuda-version=11.8");
    assert.match(textOf(applyFix(c, found[1]!.fixes[0]!)), /- conda-forge::pytorch=2\.1\n {2}- cuda-version=11\.8\n/);
    assert.deepEqual(run(deprecated, set(yml('name: t\ndependencies:\n  - cudatoolkit=11.8\n')), p), []);
    assert.equal(
      run(deprecated, set(req('tensorflow-gpu==2.10.0\n')), p)[0]!.message.includes('does not install'),
      false,
    );
  });
});

describe('system-library', () => {
  it('bare Debian: opencv-python needs libGL and libgthread; fixes: headless (preferred) and the apt command', () => {
    const s = set(req('opencv-python==4.9.0.80\nrequests\n'));
    const bare = profile('debian-bare');
    const [f, ...rest] = run(systemLibrary, s, bare);
    assert.ok(f);
    assert.deepEqual(rest, []);
    assert.match(f.message, /libGL\.so\.1/);
    assert.match(f.message, /libgthread-2\.0\.so\.0/);
    assert.deepEqual(
      f.fixes.map((x) => [x.title.split(' (')[0], x.run ?? null, x.edits.length, x.preferred ?? false]),
      [
        ['Use opencv-python-headless instead', null, 1, true],
        ['Install libgl1 libglib2.0-0', 'sudo apt-get install -y libgl1 libglib2.0-0', 0, false],
      ],
    );
    assert.deepEqual(run(systemLibrary, applyFix(s, f.fixes[0]!), bare), []);
  });

  it(
    'a laptop with libGL: no run-time finding; psycopg2 ' + '(no wheel) needs libpq headers: psycopg2-binary or apt',
    () => {
      const laptop = profile('laptop-no-gpu');
      assert.deepEqual(run(systemLibrary, set(req('opencv-python\nsounddevice\npython-magic\nnumpy\n')), laptop), []);
      const s = set(req('psycopg2==2.9.9\n'));
      const [f] = run(systemLibrary, s, laptop);
      assert.ok(f);
      assert.match(f.message, /no wheel for the target machine, so pip builds it from source/);
      assert.equal(f.fixes[0]!.edits[0]!.newText, 'psycopg2-binary');
      assert.equal(f.fixes[1]!.run, 'sudo apt-get install -y libpq-dev build-essential python3-dev libpq5');
      assert.deepEqual(run(systemLibrary, applyFix(s, f.fixes[0]!), laptop), []);
      assert.deepEqual(
        run(systemLibrary, set(req('psycopg2==2.9.9\n')), profile('gpu-current')).length,
        1,
        'libpq5 and the compiler are there, the headers are not',
      );
    },
  );

  it(
    'Alpine (musl): apk names; no finding where the musl ' + 'wheel situation is unknown or a musllinux wheel exists',
    () => {
      const alpine = profile('alpine-musl');
      const [o] = run(systemLibrary, set(req('opencv-python\n')), alpine);
      assert.equal(o?.fixes.find((x) => x.run)?.run, 'sudo apk add mesa-gl glib');
      const [pg] = run(systemLibrary, set(req('psycopg2\n')), alpine);
      assert.match(pg!.fixes.find((x) => x.run)!.run!, /^sudo apk add libpq-dev /);
      assert.deepEqual(run(systemLibrary, set(req('cryptography\nnumpy\nlxml\n')), alpine), []);
    },
  );

  it('macOS: Homebrew names; Linux-only run-time needs do not apply', () => {
    const mac = profile('macos-arm64');
    assert.deepEqual(run(systemLibrary, set(req('opencv-python\npycairo\n')), mac), []);
    const [m] = run(systemLibrary, set(req('python-magic\n')), mac);
    assert.equal(m?.fixes[0]?.run, 'brew install libmagic');
    const [pg] = run(systemLibrary, set(req('psycopg2\n')), mac);
    assert.equal(pg?.fixes.find((x) => x.run)?.run, 'brew install libpq');
  });

  it(
    'versions: soundfile before 0.12 needs libsndfile, from ' +
      '0.12 the x86_64 wheel bundles it; pygraphviz 2 has wheels',
    () => {
      const bare = profile('debian-bare');
      assert.equal(run(systemLibrary, set(req('soundfile==0.11.0\n')), bare).length, 1);
      assert.deepEqual(run(systemLibrary, set(req('soundfile==0.12.1\n')), bare), []);
      assert.deepEqual(run(systemLibrary, set(req('soundfile\n')), bare), []);
      assert.equal(
        run(systemLibrary, set(req('pygraphviz<2\n')), bare).length,
        0,
        'no pin and a ceiling: the version is unknown, so nothing is claimed',
      );
      assert.equal(run(systemLibrary, set(req('pygraphviz==1.11\n')), bare).length, 1);
      assert.deepEqual(run(systemLibrary, set(req('pygraphviz==2.0\n')), bare), []);
    },
  );

  it("the index stage's answer wins over the knowledge's wheel hints", () => {
    const gpu = profile('gpu-current');
    const s = set(req('lxml==4.9.1\npsycopg2==2.9.9\n'));
    const [lxml] = s.files[0]!.dependencies;
    const report = (sdistOnly: (typeof lxml)[]) =>
      new Map([
        [
          s.root,
          {
            ...emptyIndexReport(),
            sdistOnly: sdistOnly.map((dep) => ({ dep: dep!, version: '4.9.1', target: 'cp313-manylinux_2_35_x86_64' })),
          },
        ],
      ]);
    const withIndex = (sdistOnly: (typeof lxml)[]) =>
      systemLibrary.run(s, { markerEnvironment: markerEnvironmentFor(gpu), profile: gpu, index: report(sdistOnly) });
    assert.deepEqual(
      withIndex([lxml]).map((f) => spanText(s, f)),
      ['lxml==4.9.1'],
      'lxml has only an sdist for this target; psycopg2 has a wheel on this index',
    );
    assert.deepEqual(withIndex([]), []);
    assert.deepEqual(
      run(systemLibrary, s, gpu).map((f) => spanText(s, f)),
      ['psycopg2==2.9.9'],
      'without the index: the hints',
    );
  });

  it('--no-binary forces the source build', () => {
    const gpu = profile('gpu-current');
    assert.deepEqual(run(systemLibrary, set(req('lxml\n')), gpu), []);
    const [f] = run(systemLibrary, set(req('--no-binary lxml\nlxml\n')), gpu);
    assert.match(f!.message, /libxml2 and libxslt headers/);
  });

  it('markers, conda packages and unknown packages are left alone', () => {
    const bare = profile('debian-bare');
    assert.deepEqual(
      run(systemLibrary, set(req('opencv-python; sys_platform == "win32"\nrequests\nflask\n')), bare),
      [],
    );
    assert.deepEqual(run(systemLibrary, set(yml('name: t\ndependencies:\n  - opencv\n  - psycopg2\n')), bare), []);
  });
});

describe('a profile missing fields never yields a finding from them', () => {
  const everything = set(
    req(
      '--index-url ' +
        'https://download.pytorch.org/whl/cu121\ntorch==2.1.0+cu121\ntorchvision==0.16.0+cu121\nopencv-python\npsycopg2\npython-magic\ncupy-cuda12x\njax[cuda12]\ntensorflow[and-cuda]==2.15.0\nsoundfile==0.11.0\n',
    ),
    yml('name: t\ndependencies:\n  - pytorch-cuda=12.1\n  - pip:\n    - pygraphviz==1.11\n'),
  );
  for (const name of ['minimal']) {
    it(`${name}: no system or CUDA finding at all`, () => {
      const p = profile(name);
      for (const c of [systemLibrary, cudaDriver, cudaUnavailable]) assert.deepEqual(run(c, everything, p), [], c.code);
    });
  }
  it('each field removed in turn from a full profile never throws, and never adds a finding', () => {
    const full = profile('gpu-old-driver');
    const baseline = new Map(MACHINE_CHECKS.map((c) => [c.code, run(c, everything, full).length]));
    for (const k of Object.keys(full).filter((x) => x !== 'os' && x !== 'arch')) {
      const p = { ...full } as Record<string, unknown>;
      delete p[k];
      for (const c of MACHINE_CHECKS) {
        const n = run(c, everything, p as unknown as MachineProfile).length;
        assert.ok(n <= baseline.get(c.code)!, `${c.code} without ${k}: ${n} > ${baseline.get(c.code)}`);
      }
    }
  });
});
