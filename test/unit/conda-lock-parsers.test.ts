// pixi.lock (versions 6 and 7; others refused) and conda-lock.yml (version 1) read into the lock model: every entry
// with its exact spans, once per platform that installs it; the fast block-YAML reader agrees with the full YAML library.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LockedPackage, ParsedFile } from '../../server/src/model/types';
import { parseCondaLock } from '../../server/src/parsers/conda-lock';
import { readFull, readLockYaml } from '../../server/src/parsers/lock-yaml';
import { firstPair, get, scalarTexts, type YNode } from '../../server/src/parsers/lock-yaml-nodes';
import { parsePixiLock } from '../../server/src/parsers/pixi-lock';
import { classify } from '../../server/src/workspace/file-kinds';
import { condaLockYml, pixiLock } from '../helpers/conda-locks';
import { slice } from '../helpers/spans';

const PIXI = '/w/pixi.lock';
const CONDA_LOCK = '/w/conda-lock.yml';

const entries = (f: ParsedFile, name: string): LockedPackage[] =>
  (f.lock?.packages ?? []).filter((p) => p.name === name);

describe('pixi.lock', () => {
  for (const version of [6, 7] as const) {
    it(`version ${version}: each record once per platform that installs it, its environments and exact spans`, () => {
      const text = pixiLock(version);
      const f = parsePixiLock(PIXI, text);
      assert.deepEqual(f.findings, []);
      assert.equal(f.kind, 'pixi-lock');
      assert.equal(f.lock!.format, 'pixi');
      assert.equal(f.lock!.version, String(version));
      assert.deepEqual(
        f.lock!.conda!.environments.map((e) => [e.name, e.channels.map((c) => c.url), e.indexes, e.platforms]),
        [
          ['cuda', ['https://conda.anaconda.org/conda-forge/'], ['https://pypi.org/simple'], ['linux-64']],
          [
            'default',
            ['https://conda.anaconda.org/conda-forge/'],
            ['https://pypi.org/simple'],
            ['linux-64', 'osx-arm64'],
          ],
        ],
      );
      assert.deepEqual(
        f.lock!.conda!.platforms.map((p) => p.name),
        ['linux-64', 'osx-arm64'],
      );
      const numpy = entries(f, 'numpy');
      assert.deepEqual(
        numpy.map((p) => [p.platform, p.version, p.conda!.build, p.conda!.subdir, p.environments]),
        [
          ['linux-64', '2.1.3', 'py312h58c1407_0', 'linux-64', ['cuda', 'default']],
          ['osx-arm64', '2.1.3', 'py312h94ee1e1_0', 'osx-arm64', ['default']],
        ],
      );
      const linux = numpy[0]!;
      assert.equal(linux.ecosystem, 'conda');
      assert.deepEqual(linux.source, { kind: 'channel', url: 'https://conda.anaconda.org/conda-forge' });
      assert.deepEqual(linux.conda!.depends, ['__glibc >=2.17,<3.0.a0', 'python >=3.12,<3.13.0a0']);
      assert.deepEqual(linux.conda!.constrains, ['numpy-base <0a0']);
      assert.equal(slice(text, linux.nameSpan), 'numpy');
      assert.equal(slice(text, linux.versionSpan), '2.1.3');
      // Version 7 writes the name and version as fields; version 6 has them in the URL's file name.
      if (version === 6) assert.ok(/\/numpy-$/.test(text.slice(linux.nameSpan.start - 13, linux.nameSpan.end + 1)));
      assert.ok(slice(text, linux.span).startsWith('conda: https://conda.anaconda.org/conda-forge/linux-64/numpy-'));
      assert.ok(slice(text, linux.span).endsWith('license: BSD-3-Clause'));
      // A noarch record installed on linux-64 only.
      const cv = entries(f, 'cuda-version');
      assert.deepEqual(
        cv.map((p) => [p.platform, p.conda!.subdir, p.environments, p.conda!.constrains]),
        [['linux-64', 'noarch', ['cuda'], ['__cuda >=12', 'cudatoolkit 12.6|12.6.*']]],
      );
    });
  }

  it('marks PyPI entries ecosystem pypi, with the marker of the platform that installs them', () => {
    const text = pixiLock(7);
    const f = parsePixiLock(PIXI, text);
    const rich = entries(f, 'rich');
    assert.deepEqual(
      rich.map((p) => [p.ecosystem, p.platform, p.marker, p.environments]),
      [
        ['pypi', 'linux-64', 'sys_platform == "linux" and platform_machine == "x86_64"', ['cuda', 'default']],
        ['pypi', 'osx-arm64', 'sys_platform == "darwin" and platform_machine == "arm64"', ['default']],
      ],
    );
    const r = rich[0]!;
    assert.equal(r.version, '13.9.4');
    assert.deepEqual(r.wheels, ['rich-13.9.4-py3-none-any.whl']);
    assert.deepEqual(r.source, { kind: 'index', url: 'https://pypi.org/simple' });
    assert.deepEqual(r.dependencies, [
      'markdown-it-py>=2.2.0',
      'pygments>=2.13.0,<3.0.0',
      "ipywidgets>=7.5.1,<9 ; extra == 'jupyter'",
    ]);
    assert.equal(slice(text, r.nameSpan), 'rich');
    assert.equal(slice(text, r.versionSpan), '13.9.4');
  });

  for (const v of [8, 12]) {
    it(`refuses version ${v}: an information finding on the version, and no lock to judge`, () => {
      const text = pixiLock(7).replace('version: 7', `version: ${v}`);
      const f = parsePixiLock(PIXI, text);
      assert.equal(f.lock, undefined);
      assert.equal(f.findings.length, 1);
      const [finding] = f.findings;
      assert.equal(finding!.code, 'syntax');
      assert.equal(finding!.severity, 'information');
      assert.equal(slice(text, finding!.span), String(v));
      assert.match(
        finding!.message,
        new RegExp(`version ${v} is newer than the versions Stack Doctor reads \\(6 and 7\\)`),
      );
    });
  }

  it('refuses an older version and says pixi lock writes the current one', () => {
    const f = parsePixiLock(PIXI, 'version: 5\nenvironments: {}\npackages: []\n');
    assert.equal(f.lock, undefined);
    assert.match(f.findings[0]!.message, /version 5 is older .*`pixi lock` writes the current format/);
  });

  it('reads odd inputs without throwing: empty, not a mapping, broken YAML, a missing record, no version', () => {
    assert.deepEqual(parsePixiLock(PIXI, '').findings, []);
    assert.equal(parsePixiLock(PIXI, '').lock, undefined);
    assert.match(parsePixiLock(PIXI, '- a\n- b\n').findings[0]!.message, /is a mapping/);
    assert.match(parsePixiLock(PIXI, 'environments: {}\n').findings[0]!.message, /integer `version`/);
    const broken = parsePixiLock(PIXI, 'version: 6\npackages: [\n');
    assert.ok(broken.findings.some((x) => x.code === 'syntax' && x.severity === 'error'));
    const text = pixiLock(6).replace(/^- conda: .*numpy-2\.1\.3-py312h58c1407_0\.conda\n/m, '- conda: gone\n');
    const missing = parsePixiLock(PIXI, text);
    const names = missing.findings.map((x) => slice(text, x.span));
    assert.ok(
      names.some((n) => n.includes('numpy-2.1.3-py312h58c1407_0.conda')),
      names.join('\n'),
    );
    assert.ok(missing.findings.every((x) => x.code === 'syntax'));
    assert.equal(entries(missing, 'numpy').length, 1, 'the osx-arm64 numpy is still read');
  });

  it('reads CRLF line endings, comments, quoted and flow values with the same spans', () => {
    const text = pixiLock(6)
      .replace(
        '  license: Python-2.0\n  size: 31574780',
        '  # the interpreter\n  license: "Python-2.0"  # PSF\n  size: 31574780',
      )
      .replace(/\n/g, '\r\n');
    const f = parsePixiLock(PIXI, text);
    assert.deepEqual(f.findings, []);
    assert.equal(readLockYaml(text).fast, true);
    const py = entries(f, 'python').find((p) => p.platform === 'linux-64')!;
    assert.equal(slice(text, py.nameSpan), 'python');
    assert.equal(slice(text, py.versionSpan), '3.12.7');
  });
});

describe('conda-lock.yml', () => {
  it('reads metadata and each entry: conda records and pip entries, per platform, with exact spans', () => {
    const text = condaLockYml();
    const f = parseCondaLock(CONDA_LOCK, text);
    assert.deepEqual(f.findings, []);
    assert.equal(f.kind, 'conda-lock');
    assert.equal(f.lock!.format, 'conda-lock');
    assert.equal(f.lock!.version, '1');
    assert.deepEqual(
      f.lock!.conda!.platforms.map((p) => slice(text, p.span)),
      ['linux-64', 'osx-arm64'],
    );
    assert.deepEqual(
      f.lock!.conda!.environments.map((e) => [e.name, e.channels.map((c) => c.url), e.platforms]),
      [['default', ['conda-forge'], ['linux-64', 'osx-arm64']]],
    );
    assert.deepEqual(f.lock!.conda!.sources, ['environment.yml']);
    const numpy = entries(f, 'numpy');
    assert.deepEqual(
      numpy.map((p) => [p.ecosystem, p.platform, p.version, p.conda!.build, p.conda!.channel]),
      [
        ['conda', 'linux-64', '2.1.3', 'py312h58c1407_0', 'https://conda.anaconda.org/conda-forge'],
        ['conda', 'osx-arm64', '2.1.3', 'py312h94ee1e1_0', 'https://conda.anaconda.org/conda-forge'],
      ],
    );
    assert.deepEqual(numpy[0]!.conda!.depends, ['__glibc >=2.17,<3.0.a0', 'python >=3.12,<3.13.0a0']);
    assert.equal(slice(text, numpy[0]!.nameSpan), 'numpy');
    assert.equal(slice(text, numpy[0]!.versionSpan), '2.1.3');
    assert.ok(slice(text, numpy[0]!.span).startsWith('name: numpy\n  version: 2.1.3'));
    assert.ok(slice(text, numpy[0]!.span).endsWith('optional: false'));
    const rich = entries(f, 'rich');
    assert.deepEqual(
      rich.map((p) => [p.ecosystem, p.platform, p.marker, p.dependencies]),
      [
        ['pypi', 'linux-64', 'sys_platform == "linux" and platform_machine == "x86_64"', ['markdown-it-py>=2.2.0']],
        ['pypi', 'osx-arm64', 'sys_platform == "darwin" and platform_machine == "arm64"', ['markdown-it-py>=2.2.0']],
      ],
    );
    // A quoted version's span is its text, inside the quotes.
    const pip = entries(f, 'pip')[0]!;
    assert.equal(slice(text, pip.versionSpan), '24.3.1');
  });

  it('refuses a file without a version (an error) and another version (information)', () => {
    const none = parseCondaLock(CONDA_LOCK, condaLockYml().replace('version: 1\n', ''));
    assert.equal(none.lock, undefined);
    assert.equal(none.findings[0]!.severity, 'error');
    assert.match(none.findings[0]!.message, /has no `version`/);
    const two = parseCondaLock(CONDA_LOCK, condaLockYml().replace('version: 1\n', 'version: 2\n'));
    assert.equal(two.lock, undefined);
    assert.equal(two.findings[0]!.severity, 'information');
    assert.match(two.findings[0]!.message, /version 2 is not the version Stack Doctor reads \(1\)/);
  });

  it('says which entry lacks a field and reads the others', () => {
    const text = condaLockYml().replace('  manager: pip\n  platform: osx-arm64\n', '  platform: osx-arm64\n');
    const f = parseCondaLock(CONDA_LOCK, text);
    assert.equal(f.findings.length, 1);
    assert.ok(slice(text, f.findings[0]!.span).startsWith('name: rich'));
    assert.equal(entries(f, 'rich').length, 1);
  });
});

describe('lock YAML: the fast reader agrees with the full YAML library', () => {
  const plain = (n: YNode | null): unknown =>
    n === null
      ? null
      : n.kind === 'scalar'
        ? [n.value, n.span.start, n.span.end]
        : n.kind === 'seq'
          ? n.items.map(plain)
          : n.pairs.map((p) => [p.key, p.keySpan.start, p.keySpan.end, plain(p.value)]);
  const texts: [string, string][] = [
    ['pixi.lock v6', pixiLock(6)],
    ['pixi.lock v7', pixiLock(7)],
    ['conda-lock.yml', condaLockYml()],
    ['indented sequences', 'a:\n  - x: 1\n    y: [p, q]\n  - - z\n    - w\nb: {}\nc: "q"\nd: \'s\'\ne:\nf: ~\n'],
    [
      'quoted keys, empty items, nulls and flow sequences in records',
      'packages:\n- conda: https://c/x-1-h_0.conda\n  "name": x\n  depends:\n  - a >=1\n  -\n  - null\n  - \'\'\n' +
        "  - b\n  constrains: [c <2, d]\n  'k y': v # note\n- pypi: ./p\n  name: p\n  requires_dist: []\n",
    ],
  ];
  // Every node's lookups (by key, first pair, a sequence's texts; a pair's span where its value is a scalar: the
  // library's block spans take the line end, the fast reader's end at the last value) as plain data, depth first.
  const lookups = (n: YNode | null, out: unknown[] = []): unknown[] => {
    if (!n || n.kind === 'scalar') return out;
    if (n.kind === 'seq') {
      out.push(scalarTexts(n));
      for (const i of n.items) lookups(i, out);
    } else {
      const first = firstPair(n);
      out.push(first ? [first.key, first.keySpan.start, first.keySpan.end] : null);
      for (const p of n.pairs) {
        const oneLine = p.value?.kind === 'scalar';
        out.push(plain(get(n, p.key) ?? null), oneLine ? [p.span.start, p.span.end] : null);
        lookups(p.value, out);
      }
      out.push(get(n, 'no such key'));
    }
    return out;
  };
  for (const [name, text] of texts)
    it(name, () => {
      const fast = readLockYaml(text);
      assert.equal(fast.fast, true);
      const full = readFull(text);
      assert.deepEqual(full.errors, []);
      assert.deepEqual(plain(fast.root), plain(full.root));
      assert.deepEqual(lookups(fast.root), lookups(full.root));
    });

  it('leaves anchors, block scalars, escapes and tabs to the full library, with the same result', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: |\n  text\n',
      'a: "q\\"t"\n',
      'a:\n\t- 1\n',
      'a: b\n  continued\n',
      '---\na: 1\n',
    ]) {
      const r = readLockYaml(text);
      assert.equal(r.fast, false, text);
      assert.deepEqual(r, readFull(text));
    }
  });
});

describe('file kinds of conda locks', () => {
  it('names pixi.lock and conda-lock files; the conda row does not claim them', () => {
    assert.equal(classify('/w/pixi.lock'), 'pixi-lock');
    assert.equal(classify('/w/conda-lock.yml'), 'conda-lock');
    assert.equal(classify('/w/conda-lock.yaml'), 'conda-lock');
    assert.equal(classify('/w/gpu.conda-lock.yml'), 'conda-lock');
    assert.equal(classify('/w/conda-linux.yml'), 'conda');
  });
});
