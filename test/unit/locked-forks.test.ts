// Entries of uv's conflict forks judged like other locked entries. A uv project whose extras `cu118` and `cu121`
// conflict (`[tool.uv] conflicts`; uv docs, concepts/projects/config.md "Conflicting dependencies", and
// guides/integration/pytorch.md) locks one torch per extra: each entry's `resolution-markers` and the project's edge
// to it carry uv's conflict markers (`extra == 'extra-4-demo-cu121'`), which no plain target environment satisfies.
// Each fork's entries are judged with their extra active, the message names the extra, and entries of two forks are
// never judged as installed together.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../server/src/checks/registry';
import { lockedOnTarget } from '../../server/src/checks/locked';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parseUvLock } from '../../server/src/parsers/uv-lock';
import { byCode } from '../helpers/check-kit';
import { GLIBC, OLD_DRIVER, on, places } from '../helpers/lock-kit';
import {
  artifact,
  forked,
  hosted,
  inExtra,
  pyprojectText,
  pytorch,
  pytorchIndexes,
  root,
  uvLockText,
} from '../helpers/lock-texts';
import { setOf } from '../helpers/sets';

const PYPROJECT = pyprojectText('demo', '0.1.0', {
  requiresPython: '>=3.10',
  dependencies: ['numpy>=1.26'],
  optionalDependencies: { cu118: ['torch==2.1.2'], cu121: ['torch==2.1.2'] },
  uv: { conflicts: [[{ extra: 'cu118' }, { extra: 'cu121' }]] },
  sources: {
    torch: [
      { index: 'pytorch-cu118', extra: 'cu118' },
      { index: 'pytorch-cu121', extra: 'cu121' },
    ],
  },
  indexes: pytorchIndexes('cu118', 'cu121'),
});

const CU118 = "extra == 'extra-4-demo-cu118' and extra != 'extra-4-demo-cu121'";
const CU121 = "extra != 'extra-4-demo-cu118' and extra == 'extra-4-demo-cu121'";

const LOCK = uvLockText({
  resolutionMarkers: [CU118, CU121, "extra != 'extra-4-demo-cu118' and extra != 'extra-4-demo-cu121'"],
  conflicts: [
    [
      { package: 'demo', extra: 'cu118' },
      { package: 'demo', extra: 'cu121' },
    ],
  ],
  packages: [
    root('demo', '0.1.0', 'editable', {
      dependencies: ['numpy'],
      optionalDependencies: {
        cu118: [forked('torch', '2.1.2+cu118', pytorch('cu118'), "extra == 'extra-4-demo-cu118'")],
        cu121: [forked('torch', '2.1.2+cu121', pytorch('cu121'), "extra == 'extra-4-demo-cu121'")],
      },
      requiresDist: [
        'numpy>=1.26',
        inExtra('demo', 'cu118', 'torch', '==2.1.2', pytorch('cu118')),
        inExtra('demo', 'cu121', 'torch', '==2.1.2', pytorch('cu121')),
      ],
      providesExtras: ['cu118', 'cu121'],
    }),
    {
      name: 'numpy',
      version: '1.26.4',
      wheels: [hosted('numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'sha256:00', 1)],
    },
    {
      name: 'nvidia-cublas-cu12',
      version: '12.1.3.1',
      wheels: [hosted('nvidia_cublas_cu12-12.1.3.1-py3-none-manylinux1_x86_64.whl', 'sha256:00', 1)],
    },
    {
      name: 'pyyaml-ext',
      version: '6.0.1',
      sdist: hosted('pyyaml_ext-6.0.1.tar.gz', 'sha256:00', 1),
      wheels: [hosted('pyyaml_ext-6.0.1-cp311-cp311-win_amd64.whl', 'sha256:00', 1)],
    },
    {
      name: 'torch',
      version: '2.1.2+cu118',
      source: pytorch('cu118'),
      resolutionMarkers: [CU118],
      wheels: [artifact(`${pytorch('cu118')}/torch-2.1.2%2Bcu118-cp311-cp311-linux_x86_64.whl`, 'sha256:00')],
    },
    {
      name: 'torch',
      version: '2.1.2+cu121',
      source: pytorch('cu121'),
      resolutionMarkers: [CU121],
      dependencies: [
        { name: 'nvidia-cublas-cu12', marker: "platform_machine == 'x86_64' and sys_platform == 'linux'" },
        'pyyaml-ext',
      ],
      wheels: [artifact(`${pytorch('cu121')}/torch-2.1.2%2Bcu121-cp311-cp311-linux_x86_64.whl`, 'sha256:00')],
    },
  ],
});

const files = () => [parsePyproject('/w/pyproject.toml', PYPROJECT), parseUvLock('/w/uv.lock', LOCK)];

describe('locked entries of uv conflict forks', () => {
  it('finds each fork’s entries with the extra that installs them, and the base entries without one', () => {
    const s = setOf(...files());
    const found = lockedOnTarget(s, OLD_DRIVER.markerEnvironment)
      .map((l) => `${l.entry.name} ${l.entry.version} ${l.scope || 'base'}`)
      .sort();
    assert.deepEqual(found, [
      'numpy 1.26.4 base',
      'nvidia-cublas-cu12 12.1.3.1 extra:cu121',
      'pyyaml-ext 6.0.1 extra:cu121',
      'torch 2.1.2+cu118 extra:cu118',
      'torch 2.1.2+cu121 extra:cu121',
    ]);
  });

  it('cuda-driver on the entries of the fork the driver cannot run, naming the extra', () => {
    const [py, lock] = files();
    const found = runChecks([setOf(py!, lock!)], OLD_DRIVER);
    // (The pyproject's own cu121 index is said on its line by the routing rule; the lock's entries here.)
    assert.deepEqual(
      places(found, 'cuda-driver', [py!, lock!])
        .filter(([f]) => f === 'uv.lock')
        .sort(),
      [
        ['uv.lock', '12.1.3.1'],
        ['uv.lock', '2.1.2+cu121'],
      ],
    );
    for (const f of byCode(found, 'cuda-driver').filter((x) => x.file === lock!.path))
      assert.match(f.message, /locked in uv\.lock for the extra 'cu121'/);
  });

  it('no-wheel on a fork entry with only an sdist for the target, naming the extra', () => {
    const [py, lock] = files();
    const found = byCode(runChecks([setOf(py!, lock!)], OLD_DRIVER), 'no-wheel');
    assert.deepEqual(
      found.map((f) => lock!.text.slice(f.span.start, f.span.end)),
      ['6.0.1'],
    );
    assert.match(
      found[0]!.message,
      /^No wheel of pyyaml-ext 6\.0\.1 \(for the extra 'cu121'\) in uv\.lock for CPython 3\.11/,
    );
  });

  it('never judges two forks as installed together: no cuda-mix between the cu118 and cu121 builds', () => {
    const [py, lock] = files();
    const found = runChecks(
      [setOf(py!, lock!)],
      on({ ...GLIBC, nvidia: { driver: '550.54.14', cuda: '12.4', gpus: [] } }),
    );
    assert.deepEqual(byCode(found, 'cuda-mix'), []);
    assert.deepEqual(byCode(found, 'cuda-driver'), []);
  });
});
