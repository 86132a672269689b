// The probe's parsers on real captured outputs (test/fixtures/probe), and the real probe on this machine cross-checked
// against dpkg-query and ldconfig.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clearProbeCache, probe } from '../../server/src/system/probe';
import {
  cudnnFromLibraryName,
  parseApkInfo,
  parseBrewList,
  parseCudaVersionJson,
  parseCudnnHeader,
  parseDpkgQuery,
  parseLdconfig,
  parseLdconfigEntries,
  parseLibc,
  parseNvccVersion,
  parseNvidiaSmiHeader,
  parseNvidiaSmiQuery,
  parseOsRelease,
  parsePacmanQ,
  parsePkgConfigList,
  parseProcDriverVersion,
  parseRpmNames,
  parseSwVers,
  sonamesFromFileNames,
} from '../../server/src/system/probe-parsers';
import { loadProfile, ProfileError, validateProfile } from '../../server/src/system/profile';

const FIX = path.join(__dirname, '../../../test/fixtures/probe');
const read = (f: string) => fs.readFileSync(path.join(FIX, f), 'utf8');

function tryRun(file: string, args: string[]): string | undefined {
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
}

describe('probe parsers on outputs captured on Debian 12 (this machine)', () => {
  it('ldconfig -p: every soname line, the header skipped', () => {
    const text = read('debian12-ldconfig-p.txt');
    const entries = parseLdconfigEntries(text);
    const declared = Number(/^(\d+) libs found/.exec(text)![1]);
    assert.equal(entries.length, declared, 'one entry per library the header counts');
    const names = parseLdconfig(text);
    for (const n of ['libc.so.6', 'libz.so.1', 'libcudart.so.13']) assert.ok(names.includes(n), n);
    assert.ok(entries.every((e) => e.path.startsWith('/')));
    assert.ok(entries.some((e) => e.flags === 'libc6,x86-64'));
  });
  it('dpkg-query -W, plain and with status: the same installed packages, arch suffixes dropped', () => {
    const plain = parseDpkgQuery(read('debian12-dpkg-query-W.txt'));
    const status = parseDpkgQuery(read('debian12-dpkg-query-status.txt'));
    assert.equal(plain.length, 832);
    assert.deepEqual(status, plain);
    assert.ok(plain.includes('binutils-common') && !plain.some((p) => p.includes(':')));
    assert.ok(plain.includes('libc6') && plain.includes('dpkg'));
  });
  it('dpkg-query status form: only installed packages count', () => {
    assert.deepEqual(
      parseDpkgQuery('ii \tlibgl1\t1.6.0-1\nrc \tlibold1\t1.0-1\nhi \tlibheld\t2.0\nun \tlibnever\t\n'),
      ['libgl1', 'libheld'],
    );
  });
  it('pkg-config --list-all, os-release, ldd --version, getconf, nvcc --version', () => {
    const pcs = parsePkgConfigList(read('debian12-pkg-config-list-all.txt'));
    assert.equal(pcs.length, read('debian12-pkg-config-list-all.txt').trim().split('\n').length);
    assert.ok(pcs.includes('xcb') && pcs.includes('tinfo'));
    assert.deepEqual(parseOsRelease(read('debian12-os-release.txt')), {
      id: 'debian',
      version: '12',
      family: 'debian',
    });
    assert.deepEqual(parseLibc(read('debian12-ldd-version.txt')), { kind: 'glibc', version: '2.36' });
    assert.deepEqual(parseLibc(read('debian12-getconf-gnu-libc-version.txt')), { kind: 'glibc', version: '2.36' });
    assert.equal(parseNvccVersion(read('nvcc-13.0-version.txt')), '13.0');
  });
});

describe(
  'probe parsers on outputs reconstructed from documented ' + 'formats (marked in their file names and README)',
  () => {
    it(
      'nvidia-smi query: driver, GPUs and compute capability; an ' +
        'old driver without compute_cap; an error is not a table',
      () => {
        assert.deepEqual(parseNvidiaSmiQuery(read('nvidia-smi-query-t4.csv')), {
          driver: '535.104.05',
          gpus: [{ name: 'Tesla T4', computeCapability: '7.5' }],
        });
        const h100 = parseNvidiaSmiQuery(read('nvidia-smi-query-2xh100.csv'))!;
        assert.equal(h100.driver, '570.124.06');
        assert.equal(h100.gpus.length, 2);
        assert.deepEqual(parseNvidiaSmiQuery(read('nvidia-smi-query-470-no-compute-cap.csv')), {
          driver: '470.182.03',
          gpus: [{ name: 'Tesla V100-SXM2-16GB', computeCapability: '' }],
        });
        assert.equal(parseNvidiaSmiQuery(read('nvidia-smi-query-old-driver-error.txt')), null);
        assert.equal(parseNvidiaSmiQuery(''), null);
      },
    );
    it('nvidia-smi banner (both layouts), /proc/driver/nvidia/version (proprietary and open module)', () => {
      assert.deepEqual(parseNvidiaSmiHeader(read('nvidia-smi-535-header.txt')), { driver: '535.104.05', cuda: '12.2' });
      assert.deepEqual(parseNvidiaSmiHeader(read('nvidia-smi-470-header.txt')), { driver: '470.182.03', cuda: '11.4' });
      assert.equal(
        parseNvidiaSmiHeader("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."),
        null,
      );
      assert.equal(parseProcDriverVersion(read('proc-driver-nvidia-version-535.txt')), '535.104.05');
      assert.equal(parseProcDriverVersion(read('proc-driver-nvidia-version-570-open.txt')), '570.124.06');
    });
    it('CUDA version.json, cudnn_version.h, cuDNN library names', () => {
      assert.equal(parseCudaVersionJson(read('cuda-12.1-version.json')), '12.1');
      assert.equal(parseCudaVersionJson('not json'), null);
      assert.equal(parseCudnnHeader(read('cudnn-8.9-cudnn_version.h')), '8.9.2');
      assert.equal(parseCudnnHeader('#define X 1'), null);
      assert.equal(cudnnFromLibraryName('libcudnn.so.8.9.2'), '8.9.2');
      assert.equal(cudnnFromLibraryName('libcudnn.so.9'), '9');
      assert.equal(cudnnFromLibraryName('libcudnn_ops.so.9'), null);
    });
    it(
      'Alpine (musl ldd, os-release, apk info), RHEL (rpm ' + 'names), Arch (pacman -Q), macOS (sw_vers, brew list)',
      () => {
        assert.deepEqual(parseLibc(read('alpine-ldd-version.txt')), { kind: 'musl', version: '1.2.4' });
        assert.deepEqual(parseOsRelease(read('alpine-os-release.txt')), {
          id: 'alpine',
          version: '3.19.1',
          family: 'alpine',
        });
        assert.ok(parseApkInfo(read('alpine-apk-info.txt')).includes('libpq'));
        const rpm = parseRpmNames(read('rhel9-rpm-qa-name.txt'));
        assert.ok(rpm.includes('mesa-libGL') && !rpm.includes('gpg-pubkey'));
        assert.deepEqual(parsePacmanQ(read('arch-pacman-Q.txt')), [
          'acl',
          'glibc',
          'libglvnd',
          'postgresql-libs',
          'python',
        ]);
        assert.equal(parseSwVers(read('macos-sw-vers.txt')), '14.4.1');
        assert.deepEqual(parseBrewList(read('macos-brew-list-versions.txt')), [
          'cairo',
          'glib',
          'libpq',
          'pkg-config',
          'python@3.12',
        ]);
        assert.deepEqual(
          sonamesFromFileNames(['libc.musl-x86_64.so.1', 'libz.so.1.3.1', 'libz.a', 'python3.11', 'libssl.so.3']),
          ['libc.musl-x86_64.so.1', 'libssl.so.3', 'libz.so.1.3.1'],
        );
      },
    );
  },
);

describe('the real probe on this machine', { skip: process.platform !== 'linux' }, () => {
  it(
    'agrees with dpkg-query -W and ldconfig -p run directly, ' + 'and leaves nothing empty that it could not probe',
    async () => {
      clearProbeCache();
      const p = await probe();
      assert.equal(p.os, 'linux');
      const ld = tryRun('ldconfig', ['-p']) ?? tryRun('/sbin/ldconfig', ['-p']);
      if (ld !== undefined) assert.deepEqual(p.sharedLibraries, parseLdconfig(ld));
      else assert.ok(p.libc?.kind === 'musl' || p.sharedLibraries === undefined);
      const dpkg = tryRun('dpkg-query', ['-W']);
      if (dpkg !== undefined) {
        assert.equal(p.packageManager, 'apt');
        assert.deepEqual(p.systemPackages, parseDpkgQuery(dpkg));
      }
      const pc = tryRun('pkg-config', ['--list-all']);
      if (pc !== undefined) assert.deepEqual(p.pkgConfig, parsePkgConfigList(pc));
      else assert.equal(p.pkgConfig, undefined);
      // nvidia, cudaToolkit and cudnn are always answered on Linux: a value or null.
      assert.ok(p.nvidia === null || typeof p.nvidia?.driver === 'string');
      const nvcc = tryRun('nvcc', ['--version']);
      assert.equal(p.cudaToolkit, nvcc ? parseNvccVersion(nvcc) : p.cudaToolkit);
      for (const k of ['systemPackages', 'sharedLibraries'] as const)
        if (p[k] !== undefined) assert.ok(p[k]!.length > 0, `${k} is omitted, not empty, when it cannot be probed`);
      // The probe's output is a valid profile.
      assert.deepEqual(validateProfile(JSON.parse(JSON.stringify(p))), JSON.parse(JSON.stringify(p)));
    },
  );
  it('is cached for the session and hands out copies', async () => {
    const a = await probe();
    a.os = 'changed';
    const b = await probe();
    assert.equal(b.os, 'linux');
  });
});

describe('profile files', () => {
  const PROFILES = path.join(__dirname, '../../../test/fixtures/profiles');
  it('every fixture profile loads', () => {
    for (const f of fs.readdirSync(PROFILES).filter((n) => n.endsWith('.json')))
      assert.doesNotThrow(() => loadProfile(path.join(PROFILES, f)), f);
  });
  it('a wrongly typed field is a ProfileError that names it; a missing one is fine', () => {
    assert.throws(
      () => validateProfile({ os: 'linux', arch: 'x86_64', sharedLibraries: 'libGL.so.1' }),
      (e: Error) => e instanceof ProfileError && e.message.includes('sharedLibraries'),
    );
    assert.throws(
      () => validateProfile({ os: 'linux', arch: 'x86_64', nvidia: { driver: 'new' } }),
      (e: Error) => e instanceof ProfileError && e.message.includes('nvidia'),
    );
    assert.throws(
      () => validateProfile({ os: 'linux', arch: 'x86_64', libc: { kind: 'uclibc', version: '1' } }),
      /libc/,
    );
    assert.deepEqual(validateProfile({ os: 'linux', arch: 'x86_64', nvidia: { driver: '535.104.05' } }).nvidia, {
      driver: '535.104.05',
      gpus: [],
    });
    assert.doesNotThrow(() => validateProfile({ os: 'linux', arch: 'x86_64' }));
  });
});
