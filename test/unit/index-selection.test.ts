// Index selection as pip computes it: pip configuration files and PIP_* variables, settings, and requirements-file
// options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PYPI_SIMPLE, loadPipConfig, pipConfigFiles, selectIndexes } from '../../server/src/index/selection';
import type { FileOption } from '../../server/src/model/types';

const files: Record<string, string> = {
  '/etc/xdg/pip/pip.conf':
    '[global]\nindex-url = https://global.example/simple\nextra-index-url ' +
    '=\n    https://g1.example/simple\n    https://g2.example/simple\n',
  '/etc/pip.conf': '[install]\nfind-links = /opt/wheels\n',
  '/home/u/.config/pip/pip.conf': '[global]\nindex-url = https://user.example/simple\n',
  '/tmp/env.conf': '[global]\nextra-index-url = https://env.example/simple\n',
};
const read = (f: string): string | null => files[f] ?? null;

test('pip configuration: file kinds, sections and PIP_* variables in pip order', () => {
  const base = { platform: 'linux' as const, home: '/home/u', readFile: read };
  const c = loadPipConfig({ ...base, env: {} });
  assert.equal(c.indexUrl, 'https://user.example/simple', 'the user file overrides the global one');
  assert.deepEqual(c.extraIndexUrls, ['https://g1.example/simple', 'https://g2.example/simple']);
  assert.deepEqual(c.findLinks, ['/opt/wheels']);
  assert.deepEqual(c.files, ['/etc/xdg/pip/pip.conf', '/etc/pip.conf', '/home/u/.config/pip/pip.conf']);
  // PIP_CONFIG_FILE naming an existing file skips the user files; PIP_* variables beat every file.
  const e = loadPipConfig({
    ...base,
    env: { PIP_CONFIG_FILE: '/tmp/env.conf', PIP_INDEX_URL: 'https://var.example/simple' },
  });
  assert.equal(e.indexUrl, 'https://var.example/simple');
  assert.deepEqual(e.extraIndexUrls, ['https://env.example/simple']);
  assert.ok(!e.files.includes('/home/u/.config/pip/pip.conf'));
  const none = loadPipConfig({ ...base, env: { PIP_CONFIG_FILE: '/dev/null' } });
  assert.deepEqual(none, { indexUrl: null, extraIndexUrls: [], findLinks: [], noIndex: false, files: [] });
  const extra = loadPipConfig({
    ...base,
    env: {
      PIP_CONFIG_FILE: '/dev/null',
      PIP_EXTRA_INDEX_URL: 'https://a/simple https://b/simple',
      PIP_NO_INDEX: 'yes',
    },
  });
  assert.deepEqual(extra.extraIndexUrls, ['https://a/simple', 'https://b/simple']);
  assert.equal(extra.noIndex, true);
  assert.deepEqual(pipConfigFiles({ platform: 'linux', home: '/h', env: { XDG_CONFIG_DIRS: '/a:/b' } }).global, [
    '/a/pip/pip.conf',
    '/b/pip/pip.conf',
    '/etc/pip.conf',
  ]);
});

const opt = (name: string, value: string | null = null): FileOption => ({ name, value, span: { start: 0, end: 0 } });

test('selectIndexes: files over settings over configuration over PyPI', () => {
  assert.deepEqual(selectIndexes({}), { indexUrls: [PYPI_SIMPLE], findLinks: [], noIndex: false });
  const cfg = {
    indexUrl: 'https://cfg/simple',
    extraIndexUrls: ['https://cfg-extra/simple'],
    findLinks: [],
    noIndex: false,
    files: [],
  };
  assert.deepEqual(selectIndexes({ pipConfig: cfg }).indexUrls, ['https://cfg/simple', 'https://cfg-extra/simple']);
  assert.deepEqual(
    selectIndexes({ pipConfig: cfg, indexUrl: 'https://setting/simple', extraIndexUrls: ['https://s2/simple'] })
      .indexUrls,
    ['https://setting/simple', 'https://cfg-extra/simple', 'https://s2/simple'],
  );
  const withFile = selectIndexes({
    pipConfig: cfg,
    indexUrl: 'https://setting/simple',
    fileOptions: [
      {
        file: '/w/requirements.txt',
        options: [
          opt('--index-url', 'https://file/simple'),
          opt('--extra-index-url', 'https://file-extra/simple'),
          opt('--find-links', 'wheels'),
        ],
      },
    ],
    exists: (p) => p === '/w/wheels',
  });
  assert.deepEqual(withFile.indexUrls, ['https://file/simple', 'https://file-extra/simple']);
  assert.deepEqual(withFile.findLinks, ['/w/wheels']);
  const noIndex = selectIndexes({
    fileOptions: [
      {
        file: '/w/r.txt',
        options: [
          opt('--no-index'),
          opt('--index-url', 'https://ignored/simple'),
          opt('--find-links', 'https://links.example/'),
        ],
      },
    ],
    exists: () => false,
  });
  assert.deepEqual(noIndex, {
    indexUrls: [],
    findLinks: ['https://links.example/'],
    noIndex: true,
    fromFiles: ['https://links.example/'],
  });
});
