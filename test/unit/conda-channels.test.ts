// Conda channels as conda resolves them (.condarc, channel_alias, defaults, custom channels, URLs, nodefaults),
// subdirs, virtual packages, redaction.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  channelList,
  condarcSearchPath,
  loadCondaConfig,
  redactChannelText,
  resolveChannel,
  subdirFor,
  subdirsFor,
  type CondaConfig,
} from '../../server/src/conda/channels';
import { virtualPackages } from '../../server/src/conda/virtual-packages';
import type { MachineProfile } from '../../server/src/system/profile';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sd-condarc-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const linux = { os: 'linux' };
const plain = (): CondaConfig => loadCondaConfig([]);

describe('conda channels', () => {
  it('resolves names below channel_alias, defaults per platform, URLs, local paths and pkgs/main', () => {
    const cfg = plain();
    assert.deepEqual(
      resolveChannel('conda-forge', { config: cfg, profile: linux }).map((c) => c.url),
      ['https://conda.anaconda.org/conda-forge'],
    );
    assert.deepEqual(
      resolveChannel('pytorch/label/nightly', { config: cfg, profile: linux }).map((c) => c.url),
      ['https://conda.anaconda.org/pytorch/label/nightly'],
    );
    assert.deepEqual(
      resolveChannel('defaults', { config: cfg, profile: linux }).map((c) => c.url),
      ['https://repo.anaconda.com/pkgs/main', 'https://repo.anaconda.com/pkgs/r'],
    );
    assert.deepEqual(
      resolveChannel('defaults', { config: cfg, profile: { os: 'windows' } }).map((c) => c.url),
      [
        'https://repo.anaconda.com/pkgs/main',
        'https://repo.anaconda.com/pkgs/r',
        'https://repo.anaconda.com/pkgs/msys2',
      ],
    );
    assert.deepEqual(
      resolveChannel('pkgs/main', { config: cfg, profile: linux }).map((c) => c.url),
      ['https://repo.anaconda.com/pkgs/main'],
    );
    const sub = resolveChannel('https://example.org/chan/linux-64/', { config: cfg, profile: linux })[0]!;
    assert.equal(sub.url, 'https://example.org/chan');
    assert.equal(sub.subdir, 'linux-64');
    assert.equal(
      resolveChannel('./local-chan', { config: cfg, profile: linux, baseDir: '/proj' })[0]!.url,
      'file:///proj/local-chan',
    );
    assert.equal(resolveChannel('file:///srv/chan', { config: cfg, profile: linux })[0]!.url, 'file:///srv/chan');
    assert.deepEqual(resolveChannel('nodefaults', { config: cfg, profile: linux }), []);
  });

  it(
    'reads .condarc as conda does: channel_alias, custom_channels, ' +
      'default_channels, channel_priority, merged lists',
    () => {
      const sys = join(dir, 'sys.condarc');
      const user = join(dir, 'user.condarc');
      const d = join(dir, 'condarc.d');
      mkdirSync(d, { recursive: true });
      writeFileSync(sys, 'channels: [defaults]\nchannel_priority: flexible\n');
      writeFileSync(
        user,
        'channels:\n  - conda-forge\nchannel_alias: https://mirror.example/conda/\ncustom_channels:\n  ' +
          'internal: https://pkgs.corp.example\ndefault_channels:\n  - https://mirror.example/pkgs/main\n',
      );
      writeFileSync(join(d, '10-prio.yml'), 'channel_priority: strict\n');
      const cfg = loadCondaConfig([sys, user, d]);
      assert.deepEqual(cfg.channels, ['conda-forge', 'defaults']);
      assert.equal(cfg.channelAlias, 'https://mirror.example/conda');
      assert.equal(cfg.channelPriority, 'strict');
      const r = (n: string): string[] => resolveChannel(n, { config: cfg, profile: linux }).map((c) => c.url);
      assert.deepEqual(r('conda-forge'), ['https://mirror.example/conda/conda-forge']);
      assert.deepEqual(r('internal'), ['https://pkgs.corp.example/internal']);
      assert.deepEqual(r('defaults'), ['https://mirror.example/pkgs/main']);
      const list = channelList(['pytorch'], { config: cfg, profile: linux, trustWorkspace: true });
      assert.deepEqual(
        list.channels.map((c) => c.name),
        ['pytorch', 'conda-forge', 'https://mirror.example/pkgs/main'],
      );
      assert.deepEqual(
        channelList(['pytorch', 'nodefaults'], { config: cfg, profile: linux, trustWorkspace: true }).channels.map(
          (c) => c.name,
        ),
        ['pytorch'],
      );
    },
  );

  it('a broken .condarc is named, not fatal', () => {
    const bad = join(dir, 'bad.condarc');
    writeFileSync(bad, 'channels: [unclosed\n');
    const cfg = loadCondaConfig([bad]);
    assert.equal(cfg.problems.length, 1);
    assert.match(cfg.problems[0]!, /not valid YAML/);
    assert.deepEqual(cfg.channels, []);
  });

  it('searches conda locations, $CONDARC last; an untrusted workspace leaves out $CONDA_PREFIX', () => {
    const env = { CONDARC: '/x/rc', CONDA_PREFIX: '/ws/.env', XDG_CONFIG_HOME: '/xdg' };
    const trusted = condarcSearchPath({ env, home: '/home/u', trustWorkspace: true });
    assert.equal(trusted.at(-1), '/x/rc');
    assert.ok(trusted.includes('/home/u/.condarc'));
    assert.ok(trusted.includes('/xdg/conda/.condarc'));
    assert.ok(trusted.includes('/ws/.env/.condarc'));
    assert.ok(!condarcSearchPath({ env, home: '/home/u', trustWorkspace: false }).some((p) => p.startsWith('/ws/')));
  });

  it('in an untrusted workspace a URL channel written in the file is not contacted', () => {
    const list = channelList(['https://evil.example/chan', 'conda-forge'], {
      config: plain(),
      profile: linux,
      trustWorkspace: false,
    });
    assert.deepEqual(
      list.channels.map((c) => c.name),
      ['conda-forge', 'https://repo.anaconda.com/pkgs/main', 'https://repo.anaconda.com/pkgs/r'],
    );
    assert.equal(list.skipped.length, 1);
  });

  it('redacts tokens and passwords', () => {
    assert.equal(
      redactChannelText('https://conda.anaconda.org/t/abc-123_SECRET/private/linux-64'),
      'https://conda.anaconda.org/t/***/private/linux-64',
    );
    assert.equal(redactChannelText('see https://user:hunter2@host/chan now'), 'see https://user:***@host/chan now');
    const tok = resolveChannel('https://conda.anaconda.org/t/tk-9/chan', { config: plain(), profile: linux })[0]!;
    assert.ok(!tok.display.includes('tk-9'));
  });

  it('maps the profile to conda subdirs', () => {
    const s = (os: string, arch: string): string | null => subdirFor({ os, arch });
    assert.equal(s('linux', 'x86_64'), 'linux-64');
    assert.equal(s('linux', 'aarch64'), 'linux-aarch64');
    assert.equal(s('darwin', 'x86_64'), 'osx-64');
    assert.equal(s('darwin', 'arm64'), 'osx-arm64');
    assert.equal(s('windows', 'AMD64'), 'win-64');
    assert.deepEqual(subdirsFor({ os: 'linux', arch: 'x86_64' }), ['linux-64', 'noarch']);
  });
});

describe('conda virtual packages', () => {
  const gpu: MachineProfile = {
    os: 'linux',
    arch: 'x86_64',
    libc: { kind: 'glibc', version: '2.31' },
    nvidia: { driver: '535.1', cuda: '12.2', gpus: [] },
  };
  const byName = (p: MachineProfile, env: Record<string, string> = {}): Record<string, string> =>
    Object.fromEntries(virtualPackages(p, env).map((v) => [v.name, `${v.version}=${v.build}`]));

  it('comes from the profile', () => {
    assert.deepEqual(byName(gpu), {
      __unix: '0=0',
      __linux: '0=0',
      __glibc: '2.31=0',
      __archspec: '1=x86_64',
      __cuda: '12.2=0',
    });
    const mac = byName({ os: 'darwin', arch: 'arm64', distro: { id: 'macos', version: '14.4', family: 'macos' } });
    assert.deepEqual(mac, { __unix: '0=0', __osx: '14.4=0', __archspec: '1=m1' });
    assert.equal(byName({ os: 'windows', arch: 'AMD64', nvidia: null })['__win'], '0=0');
    assert.equal(byName({ ...gpu, nvidia: null })['__cuda'], undefined);
  });

  it('honours CONDA_OVERRIDE_CUDA and CONDA_OVERRIDE_GLIBC (empty: left out)', () => {
    assert.equal(byName(gpu, { CONDA_OVERRIDE_CUDA: '11.8' })['__cuda'], '11.8=0');
    assert.equal(byName(gpu, { CONDA_OVERRIDE_CUDA: '' })['__cuda'], undefined);
    assert.equal(byName({ ...gpu, nvidia: null }, { CONDA_OVERRIDE_CUDA: '12.4' })['__cuda'], '12.4=0');
    assert.equal(byName(gpu, { CONDA_OVERRIDE_GLIBC: '2.17' })['__glibc'], '2.17=0');
    assert.equal(byName(gpu, { CONDA_OVERRIDE_GLIBC: '' })['__glibc'], undefined);
  });
});
