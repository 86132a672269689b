// Every embedded knowledge record is well formed (shape, a source, versions that parse), and the lookups give the
// documented answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  cudaReleases,
  driverRuns,
  fullSupportDriver,
  minimumDriver,
  minorCompatibility,
  newestCudaForDriver,
  variantToCuda,
} from '../../server/src/knowledge/cuda';
import { deprecatedExtras, deprecatedPackages } from '../../server/src/knowledge/deprecated';
import {
  condaCudaPackages,
  cudaOfBuildString,
  cupyPackages,
  jaxExtra,
  jaxExtras,
  nvidiaComponents,
  nvidiaWheelMajor,
} from '../../server/src/knowledge/gpu-packages';
import {
  parseTorchIndexUrl,
  releaseOfCompanion,
  torchIndexUrl,
  torchRelease,
  torchReleases,
} from '../../server/src/knowledge/pytorch';
import { systemLibraryRecords } from '../../server/src/knowledge/system-libraries';
import { tensorflowRelease, tensorflowReleases } from '../../server/src/knowledge/tensorflow';
import { compareDotted, isDotted } from '../../server/src/knowledge/types';
import { canonicalizeName } from '../../server/src/pep/name';
import { SpecifierSet } from '../../server/src/pep/specifier';
import { Version } from '../../server/src/pep/version';

const DATA = path.join(__dirname, '../../../server/src/knowledge/data');
const CONFIDENCE = new Set([undefined, 's', 'u', 'd']);

/** Every object in a JSON tree that has a `source` or sits in a list of records. */
function records(
  value: unknown,
  at: string,
  out: { at: string; rec: Record<string, unknown> }[] = [],
): { at: string; rec: Record<string, unknown> }[] {
  if (Array.isArray(value)) value.forEach((v, i) => records(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    if ('source' in rec) out.push({ at, rec });
    for (const [k, v] of Object.entries(rec))
      if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) records(v, `${at}.${k}`, out);
  }
  return out;
}

const pep440 = (v: string) => assert.ok(Version.parse(v), `'${v}' is a PEP 440 version`);
const spec = (s: string) => assert.doesNotThrow(() => SpecifierSet.parse(s), `'${s}' is a PEP 440 specifier`);

describe('knowledge data files', () => {
  const files = fs.readdirSync(DATA).filter((f) => f.endsWith('.json'));
  it('has the ten data files', () => {
    assert.deepEqual(files.sort(), [
      'conda-cuda.json',
      'cuda-drivers.json',
      'cupy.json',
      'deprecated.json',
      'jax.json',
      'numpy2.json',
      'nvidia-wheels.json',
      'pytorch.json',
      'system-libraries.json',
      'tensorflow.json',
    ]);
  });
  for (const f of files) {
    it(`${f}: every record has a non-empty source and a known confidence, and every list item is a record`, () => {
      const data = JSON.parse(fs.readFileSync(path.join(DATA, f), 'utf8')) as Record<string, unknown>;
      for (const [k, v] of Object.entries(data)) {
        if (k === '$comment' || !Array.isArray(v) || !v.some((x) => x && typeof x === 'object')) continue;
        for (const [i, item] of v.entries())
          assert.ok(
            item && typeof item === 'object' && typeof (item as Record<string, unknown>).source === 'string',
            `${f} ${k}[${i}] has a source`,
          );
      }
      const recs = records(data, f);
      assert.ok(recs.length > 0);
      for (const { at, rec } of recs) {
        assert.equal(typeof rec.source, 'string', at);
        assert.ok((rec.source as string).length >= 10, `${at}: source '${rec.source}' names a document`);
        assert.ok(CONFIDENCE.has(rec.confidence as string | undefined), `${at}: confidence ${rec.confidence}`);
      }
    });
  }
});

describe('CUDA drivers', () => {
  it('every release has a dotted CUDA version and dotted drivers, newest first', () => {
    for (const r of cudaReleases) {
      assert.ok(isDotted(r.cuda) && isDotted(r.linux), r.cuda);
      if (r.windows !== null) assert.ok(isDotted(r.windows), r.cuda);
    }
    for (let i = 1; i < cudaReleases.length; i++)
      assert.ok(
        compareDotted(cudaReleases[i - 1]!.cuda, cudaReleases[i]!.cuda) > 0,
        `${cudaReleases[i - 1]!.cuda} before ${cudaReleases[i]!.cuda}`,
      );
    // A newer toolkit never ships an older Linux driver.
    for (let i = 1; i < cudaReleases.length; i++)
      assert.ok(compareDotted(cudaReleases[i - 1]!.linux, cudaReleases[i]!.linux) >= 0, cudaReleases[i]!.cuda);
  });
  it('answers with NVIDIA Table 3 and the minor-version compatibility table', () => {
    assert.equal(fullSupportDriver({ major: 12, minor: 1 }, 'linux'), '530.30.02');
    assert.equal(fullSupportDriver({ major: 11, minor: 8 }, 'windows'), '520.06');
    assert.equal(fullSupportDriver({ major: 12, minor: 7 }, 'linux'), null, 'there is no 12.7');
    assert.equal(minimumDriver({ major: 12, minor: 4 }, 'linux'), '525.60.13');
    assert.equal(minimumDriver({ major: 11, minor: 8 }, 'linux'), '450.80.02');
    assert.equal(
      minimumDriver({ major: 11, minor: 0 }, 'linux'),
      '450.51.05',
      '11.0 GA shipped below the compatibility floor',
    );
    assert.equal(minimumDriver({ major: 10, minor: 2 }, 'linux'), '440.33', 'no minor compatibility before 11');
    assert.equal(minimumDriver({ major: 13, minor: 0 }, 'windows'), null, 'NVIDIA lists no Windows driver for 13.x');
    assert.deepEqual(
      minorCompatibility.map((m) => m.major),
      [13, 12, 11],
    );
    assert.deepEqual(newestCudaForDriver('535.104.05', 'linux'), { major: 12, minor: 2 });
    assert.deepEqual(newestCudaForDriver('470.182.03', 'linux'), { major: 11, minor: 4 });
    assert.deepEqual(newestCudaForDriver('570.124.06', 'linux'), { major: 12, minor: 8 });
    assert.equal(newestCudaForDriver('390.12', 'linux'), null);
    assert.deepEqual(driverRuns('470.182.03', { major: 12, minor: 1 }, 'linux'), {
      runs: false,
      full: false,
      minimum: '525.60.13',
    });
    assert.deepEqual(driverRuns('525.85.12', { major: 12, minor: 4 }, 'linux'), {
      runs: true,
      full: false,
      minimum: '525.60.13',
    });
    assert.deepEqual(
      driverRuns('580.65.06', { major: 11, minor: 8 }, 'linux')?.runs,
      true,
      'a newer driver runs older majors',
    );
    assert.deepEqual(variantToCuda('cu121'), { major: 12, minor: 1 });
    assert.deepEqual(variantToCuda('cu102'), { major: 10, minor: 2 });
    assert.deepEqual(variantToCuda('cu130'), { major: 13, minor: 0 });
    assert.equal(variantToCuda('cpu'), null);
  });
});

describe('PyTorch', () => {
  it('every release row parses and follows the pairing rules of docs/knowledge.md (PyTorch releases)', () => {
    for (const r of torchReleases) {
      [r.torch, r.torchvision, r.torchaudio].forEach(pep440);
      spec(r.python);
      assert.ok(r.cuda.length > 0 && r.cuda.every((v) => variantToCuda(v)), r.torch);
      const [maj, min, patch] = r.torch.split('.').map(Number);
      if (maj === 2 && min! >= 1) {
        assert.equal(r.torchvision, `0.${min! + 15}.${patch}`, `torchvision of ${r.torch}`);
        assert.equal(r.torchaudio, r.torch, `torchaudio of ${r.torch}`);
      }
    }
  });
  it('finds releases, companions and index URLs', () => {
    assert.equal(torchRelease('2.1.0+cu121')?.torchvision, '0.16.0');
    assert.equal(torchRelease('2.0.0')?.torchaudio, '2.0.1');
    assert.equal(releaseOfCompanion('torchvision', '0.20.1')?.torch, '2.5.1');
    assert.equal(torchRelease('9.9.9'), undefined);
    const url = 'https://download.pytorch.org/whl/cu121';
    const parsed = parseTorchIndexUrl(url)!;
    assert.deepEqual(
      [parsed.variant, parsed.channel, url.slice(parsed.variantStart, parsed.variantEnd)],
      ['cu121', 'stable', 'cu121'],
    );
    assert.equal(parseTorchIndexUrl('https://download.pytorch.org/whl/nightly/cu128/')?.channel, 'nightly');
    assert.equal(parseTorchIndexUrl('https://pypi.org/simple'), null);
    assert.equal(parseTorchIndexUrl('https://download.pytorch.org/whl/torch_stable.html'), null);
    assert.equal(torchIndexUrl('cu118'), 'https://download.pytorch.org/whl/cu118');
  });
});

describe('TensorFlow, JAX, CuPy, NVIDIA wheels, conda', () => {
  it('TensorFlow rows parse', () => {
    for (const r of tensorflowReleases) {
      pep440(r.tensorflow);
      spec(r.python);
      for (const s of [r.numpy, r.protobuf, r.keras, r.tfKeras]) if (s) spec(s);
      assert.ok(/^\d+\.\d+$/.test(r.cuda) && /^\d+\.\d+$/.test(r.cudnn), r.tensorflow);
      const minor = Number(r.tensorflow.split('.')[1]);
      assert.equal(r.nativeWindowsGpu, minor <= 10, r.tensorflow);
      assert.equal(r.andCudaExtra, minor >= 14, r.tensorflow);
    }
    assert.equal(tensorflowRelease('2.12.1')?.numpy, '>=1.22,<1.24');
    assert.equal(tensorflowRelease('2.16.2')?.keras, '>=3.0.0');
  });
  it('JAX extras, CuPy names, NVIDIA wheel names and conda packages', () => {
    assert.ok(jaxExtras.every((e) => e.cudaMajor >= 12 && /^\d+$/.test(e.minDriverLinux)));
    assert.equal(jaxExtra('cuda12_local')?.cudaMajor, 12);
    assert.equal(jaxExtra('tpu'), undefined);
    for (const p of cupyPackages) {
      assert.equal(canonicalizeName(p.package), p.package);
      assert.ok(compareDotted(p.cudaMin, p.cudaMax) <= 0, p.package);
    }
    for (const c of nvidiaComponents) {
      for (const n of [c.cu11, c.cu12, c.cu13]) if (n) assert.equal(canonicalizeName(n), n);
      assert.equal(nvidiaWheelMajor(c.cu12), 12);
      if (c.cu11) assert.equal(nvidiaWheelMajor(c.cu11), 11);
    }
    assert.equal(nvidiaWheelMajor('nvidia-cublas'), null);
    assert.ok(condaCudaPackages.some((p) => p.package === 'pytorch-cuda' && p.versions?.includes('12.1')));
    assert.deepEqual(cudaOfBuildString('cuda129_generic_py312_0'), { major: 12, minor: 9 });
    assert.equal(cudaOfBuildString('cpu_generic_py312_0'), null);
  });
  it('deprecated records name a replacement or advice', () => {
    for (const p of deprecatedPackages) {
      assert.ok(p.replacement || p.advice, p.package);
      if (p.ecosystem === 'pip') assert.equal(canonicalizeName(p.package), p.package);
      if (p.failsFrom) pep440(p.failsFrom);
    }
    for (const e of deprecatedExtras) assert.doesNotThrow(() => new RegExp(e.extraPattern));
  });
});

describe('system libraries', () => {
  it('has at least 40 packages, each normalized, once, with package names for every need', () => {
    assert.ok(systemLibraryRecords.length >= 40, `${systemLibraryRecords.length} records`);
    const names = systemLibraryRecords.map((r) => r.package);
    assert.equal(new Set(names).size, names.length, 'each package once');
    for (const r of systemLibraryRecords) {
      assert.equal(canonicalizeName(r.package), r.package);
      for (const k of ['manylinux', 'musllinux', 'macos', 'windows'] as const)
        assert.ok([true, false, null].includes(r.wheels[k]), `${r.package} wheels.${k}`);
      if (r.wheelsSince) pep440(r.wheelsSince);
      for (const need of [...(r.runtime ?? []), ...(r.build ?? [])]) {
        assert.ok(need.what.length > 0, r.package);
        assert.ok(
          need.packages.debian && need.packages.debian.length > 0,
          `${r.package}: ${need.what} has Debian package names`,
        );
        assert.ok(
          need.sonames || need.pkgConfig || need.headers || need.tools || Object.keys(need.packages).length > 0,
          `${r.package}: ${need.what} has a detection hint`,
        );
        for (const s of need.sonames ?? [])
          assert.match(s, /^lib[\w+.-]*\.so(\.(\d+|\*))*$/, `${r.package}: soname ${s}`);
        if (need.versions) spec(need.versions);
      }
      for (const need of r.runtime ?? [])
        assert.ok(
          need.sonames && typeof need.withWheel === 'boolean',
          `${r.package}: run-time need ${need.what} has sonames and withWheel`,
        );
      // A package without any wheel must say what a source build needs.
      if (r.wheels.manylinux === false)
        assert.ok(r.build && r.build.length > 0, `${r.package} builds from source on Linux: build needs listed`);
      if (r.alternative) assert.equal(canonicalizeName(r.alternative.package), r.alternative.package);
    }
  });
});
