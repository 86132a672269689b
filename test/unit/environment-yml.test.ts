// environment.yml parsing: conda specs, the pip: section, channels, spans in plain and quoted YAML, errors and hostile
// input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnvironmentYml } from '../../server/src/parsers/environment-yml';
import type { Dependency, ParsedFile, Span } from '../../server/src/model/types';

const FILE = nodePath.resolve('/work/project/environment.yml');

function at(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

function dep(parsed: ParsedFile, name: string): Dependency {
  const d = parsed.dependencies.find((x) => x.name === name);
  assert.ok(d, `no dependency '${name}' in ${parsed.dependencies.map((x) => x.name).join(', ')}`);
  return d;
}

/** Offset of the n-th occurrence (0-based) of `needle`. */
function indexOf(text: string, needle: string, n = 0): number {
  let i = -1;
  for (let k = 0; k <= n; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `'${needle}' #${k} not in text`);
  }
  return i;
}

const ENV = `name: ml-env
channels:
  - pytorch
  - conda-forge
dependencies:
  - python=3.11
  - numpy>=1.24,<2
  - conda-forge::pytorch-cuda=12.1
  - "scipy 1.11.*"
  - 'pandas=2.0.3=py311*'
  - blas 1.0|1.1
  - pip
  - pip:
      - requests>=2.31
      - "torch==2.1.0 ; sys_platform == 'linux'"
      - '--extra-index-url https://download.pytorch.org/whl/cu121'
      - -r requirements-dev.txt
      - -c constraints.txt
      - git+https://github.com/org/repo.git#egg=mylib
      - -e ./local_pkg
      - Pillow[JPEG]==10.0 --hash=sha256:abcd  # pinned
`;

describe('parseEnvironmentYml', () => {
  const parsed = parseEnvironmentYml(FILE, ENV);

  it('reads name, channels and the python pin', () => {
    assert.equal(parsed.kind, 'conda');
    assert.equal(parsed.condaName, 'ml-env');
    assert.deepEqual(parsed.channels, ['pytorch', 'conda-forge']);
    assert.equal(parsed.requiresPython, '==3.11.*');
    assert.deepEqual(parsed.findings, []);
  });

  it('reads conda specs with PEP 440 specifiers and exact spans', () => {
    const conda = parsed.dependencies.filter((d) => d.kind === 'conda');
    assert.deepEqual(
      conda.map((d) => [d.name, d.specifier, d.section]),
      [
        ['python', '==3.11.*', 'dependencies'],
        ['numpy', '>=1.24,<2', 'dependencies'],
        ['pytorch-cuda', '==12.1.*', 'dependencies'],
        ['scipy', '==1.11.*', 'dependencies'],
        ['pandas', '==2.0.3', 'dependencies'],
        ['blas', '', 'dependencies'],
        ['pip', '', 'dependencies'],
      ],
    );
    const numpy = dep(parsed, 'numpy');
    assert.equal(at(ENV, numpy.span), 'numpy>=1.24,<2');
    assert.equal(at(ENV, numpy.nameSpan), 'numpy');
    assert.equal(at(ENV, numpy.specifierSpan), '>=1.24,<2');
    assert.equal(numpy.text, 'numpy>=1.24,<2');
    assert.deepEqual(numpy.conda, { channel: null, version: '>=1.24,<2', build: null });
    assert.equal(numpy.specifierUnknown, undefined);

    const cuda = dep(parsed, 'pytorch-cuda');
    assert.deepEqual(cuda.conda, { channel: 'conda-forge', version: '12.1.*', build: null });
    assert.equal(at(ENV, cuda.nameSpan), 'pytorch-cuda');
    assert.equal(at(ENV, cuda.specifierSpan), '=12.1');

    const pip = dep(parsed, 'pip');
    assert.equal(pip.specifier, '');
    assert.deepEqual(pip.specifierSpan, { start: pip.nameSpan.end, end: pip.nameSpan.end });
  });

  it('maps spans inside quoted scalars past the quote', () => {
    const scipy = dep(parsed, 'scipy');
    assert.equal(scipy.nameSpan.start, indexOf(ENV, '"scipy') + 1);
    assert.equal(at(ENV, scipy.span), 'scipy 1.11.*');
    assert.equal(at(ENV, scipy.specifierSpan), '1.11.*');
    const pandas = dep(parsed, 'pandas');
    assert.equal(at(ENV, pandas.nameSpan), 'pandas');
    assert.equal(at(ENV, pandas.specifierSpan), '=2.0.3');
    assert.deepEqual(pandas.conda, { channel: null, version: '2.0.3', build: 'py311*' });
  });

  it('marks specs PEP 440 cannot say', () => {
    const blas = dep(parsed, 'blas');
    assert.equal(blas.specifierUnknown, true);
    assert.equal(blas.conda?.version, '1.0|1.1');
    assert.equal(at(ENV, blas.specifierSpan), '1.0|1.1');
  });

  it('reads the pip section as requirements', () => {
    const pipDeps = parsed.dependencies.filter((d) => d.section === 'dependencies.pip');
    assert.ok(pipDeps.every((d) => d.kind === 'requirement' && d.file === FILE));
    assert.deepEqual(
      pipDeps.map((d) => d.name),
      ['requests', 'torch', 'mylib', '', 'pillow'],
    );
    const requests = dep(parsed, 'requests');
    assert.equal(requests.specifier, '>=2.31');
    assert.equal(at(ENV, requests.nameSpan), 'requests');
    assert.equal(at(ENV, requests.specifierSpan), '>=2.31');
    const torch = dep(parsed, 'torch');
    assert.equal(torch.nameSpan.start, indexOf(ENV, '"torch') + 1);
    assert.equal(at(ENV, torch.span), "torch==2.1.0 ; sys_platform == 'linux'");
    assert.match(torch.marker, /^sys_platform == ["']linux["']$/);
    const pillow = dep(parsed, 'pillow');
    assert.deepEqual(pillow.extras, ['jpeg']);
    assert.deepEqual(pillow.options, ['--hash=sha256:abcd']);
    assert.equal(at(ENV, pillow.span), 'Pillow[JPEG]==10.0');
    const mylib = dep(parsed, 'mylib');
    assert.equal(mylib.url, 'git+https://github.com/org/repo.git#egg=mylib');
    assert.equal(at(ENV, mylib.span), 'git+https://github.com/org/repo.git#egg=mylib');
    const local = pipDeps.find((d) => d.editable)!;
    // A local path becomes a file: URL, as in a requirements file (the same parser reads both).
    assert.equal(local.url, pathToFileURL(nodePath.resolve('/work/project/local_pkg')).href);
    assert.equal(at(ENV, local.span), './local_pkg');
  });

  it('records pip options and includes', () => {
    assert.deepEqual(
      parsed.options.map((o) => [o.name, o.value, at(ENV, o.span)]),
      [
        [
          '--extra-index-url',
          'https://download.pytorch.org/whl/cu121',
          '--extra-index-url https://download.pytorch.org/whl/cu121',
        ],
      ],
    );
    assert.deepEqual(
      parsed.includes.map((i) => [i.kind, i.target, i.resolved, at(ENV, i.span)]),
      [
        [
          'requirements',
          'requirements-dev.txt',
          nodePath.resolve('/work/project/requirements-dev.txt'),
          '-r requirements-dev.txt',
        ],
        ['constraints', 'constraints.txt', nodePath.resolve('/work/project/constraints.txt'), '-c constraints.txt'],
      ],
    );
  });

  it('spans the whole scalar where escapes make offsets inexact', () => {
    const text = 'dependencies:\n  - "num\\x70y>=1.0"\n  - pip:\n    - "requ\\u0065sts==2"\n';
    const p = parseEnvironmentYml(FILE, text);
    assert.deepEqual(p.findings, []);
    const numpy = dep(p, 'numpy');
    assert.equal(numpy.specifier, '>=1.0');
    assert.equal(at(text, numpy.span), '"num\\x70y>=1.0"');
    assert.equal(at(text, numpy.nameSpan), '"num\\x70y>=1.0"');
    const requests = dep(p, 'requests');
    assert.equal(at(text, requests.span), '"requ\\u0065sts==2"');
    assert.equal(at(text, requests.nameSpan), '"requ\\u0065sts==2"');
  });

  it('maps single-quoted scalars, block scalars, aliases and comments', () => {
    const text =
      "dependencies:\n  - &np 'numpy>=1'\n  - |\n    scipy=1.11\n  - pip:\n " +
      "   - 'it''s-pkg==1'\n  - x: 1\n  - numpy<2  # a YAML comment\n";
    const p = parseEnvironmentYml(FILE, text);
    const numpys = p.dependencies.filter((d) => d.name === 'numpy');
    assert.equal(at(text, numpys[0]!.nameSpan), 'numpy');
    assert.equal(numpys[0]!.nameSpan.start, indexOf(text, "'numpy") + 1);
    assert.equal(at(text, numpys[1]!.specifierSpan), '<2');
    const scipy = dep(p, 'scipy');
    assert.equal(at(text, scipy.nameSpan), 'scipy');
    assert.equal(at(text, scipy.specifierSpan), '=1.11');
    // `it's-pkg` is no valid name; the finding covers the scalar since '' shifted the offsets.
    assert.equal(p.findings.length, 1);
    assert.equal(at(text, p.findings[0]!.span), "'it''s-pkg==1'");
  });

  it('reports wrong shapes at the node and parses the rest', () => {
    const text =
      'name: [a]\nchannels: conda-forge\ndependencies:\n  - numpy\n ' +
      ' - 3.11\n  - [a, b]\n  -\n  - pip: requests\n  - scipy\n';
    const p = parseEnvironmentYml(FILE, text);
    assert.deepEqual(
      p.dependencies.map((d) => d.name),
      ['numpy', 'scipy'],
    );
    const spans = p.findings.map((f) => at(text, f.span));
    assert.deepEqual(spans, ['[a]', 'conda-forge', '3.11', '[a, b]', spans[4], 'requests']);
    assert.ok(p.findings.every((f) => f.code === 'syntax' && f.severity === 'error'));
    assert.match(p.findings[2]!.message, /a number/);

    const notList = 'dependencies: 5\n';
    const q = parseEnvironmentYml(FILE, notList);
    assert.equal(q.findings.length, 1);
    assert.equal(at(notList, q.findings[0]!.span), '5');

    const rootList = '- numpy\n- scipy\n';
    const r = parseEnvironmentYml(FILE, rootList);
    assert.equal(r.findings.length, 1);
    assert.match(r.findings[0]!.message, /mapping/);
    assert.deepEqual(parseEnvironmentYml(FILE, '').findings, []);
    assert.deepEqual(parseEnvironmentYml(FILE, 'prefix: /opt/env\nvariables:\n  A: 1\n').findings, []);
  });

  it('reports bad conda specs and bad pip requirements at the fault', () => {
    const text = 'dependencies:\n  - numpy>=1.x.!\n  - =1.0\n  - pip:\n    - "requests>="\n  - scipy\n';
    const p = parseEnvironmentYml(FILE, text);
    assert.deepEqual(
      p.dependencies.map((d) => d.name),
      ['scipy'],
    );
    assert.equal(p.findings.length, 3);
    assert.equal(p.findings[0]!.span.start, indexOf(text, '>=1.x'));
    assert.equal(p.findings[1]!.span.start, indexOf(text, '=1.0'));
    const pipFinding = p.findings[2]!;
    assert.ok(
      pipFinding.span.start > indexOf(text, '"requests') && pipFinding.span.end <= indexOf(text, '>="') + 3,
      JSON.stringify(pipFinding.span),
    );
  });

  it('reports YAML errors at their position and keeps what parsed', () => {
    const text = 'dependencies:\n  - numpy\n  - [unclosed\nchannels:\n  - conda-forge\n';
    const p = parseEnvironmentYml(FILE, text);
    assert.ok(p.findings.length >= 1);
    assert.ok(p.findings.every((f) => f.span.start >= indexOf(text, '[unclosed') && f.span.end <= text.length));
    assert.equal(dep(p, 'numpy').kind, 'conda');

    const dup = 'name: a\nname: b\n';
    const d = parseEnvironmentYml(FILE, dup);
    assert.equal(d.findings.length, 1);
    assert.equal(d.findings[0]!.span.start, indexOf(dup, 'name', 1));
  });
});

describe('parseEnvironmentYml on hostile input', () => {
  it('survives a billion-laughs alias bomb quickly', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghi';
    for (let i = 1; i < names.length; i++)
      lines.push(
        `${names[i]}: &${names[i]} [${Array(10)
          .fill(`*${names[i - 1]}`)
          .join(',')}]`,
      );
    lines.push('dependencies: *i', 'channels: *i');
    const text = lines.join('\n') + '\n';
    const started = Date.now();
    const p = parseEnvironmentYml(FILE, text);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(p.dependencies.length, 0);
    assert.ok(p.findings.length > 0 && p.findings.length <= 200);
  });

  it('stops following aliases after a budget', () => {
    const text = 'x: &x numpy\ndependencies:\n' + '  - *x\n'.repeat(1500);
    const p = parseEnvironmentYml(FILE, text);
    assert.equal(p.dependencies.length, 1000);
    assert.match(p.findings[0]!.message, /aliases/);
  });

  it('reports binary junk instead of crashing', () => {
    let seed = 42;
    const bytes = Array.from({ length: 20000 }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % 256));
    const withNul = String.fromCharCode(...bytes.map((b) => b));
    const p = parseEnvironmentYml(FILE, withNul);
    assert.equal(p.findings.length, 1);
    const noNul = String.fromCharCode(...bytes.map((b) => b || 1));
    const q = parseEnvironmentYml(FILE, noNul);
    assert.ok(q.findings.length >= 1 && q.findings.length <= 200);
    assert.ok(q.findings.every((f) => f.span.start >= 0 && f.span.end <= noNul.length && f.span.start < f.span.end));
    const bad = parseEnvironmentYml(FILE, 'dependencies:\n  - num\ufffdpy\n');
    assert.ok(bad.findings.some((f) => /UTF-8/.test(f.message)));
  });

  function bigFile(bytes: number): { text: string; count: number } {
    const entries: string[] = [];
    let size = 0;
    for (let i = 0; size < bytes; i++) {
      const line = `  - package-${i}>=1.${i % 50},<2\n`;
      entries.push(line);
      size += line.length;
    }
    return { text: 'name: big\ndependencies:\n' + entries.join(''), count: entries.length };
  }

  it('reports a 5 MB file as too large at once', () => {
    const { text } = bigFile(5_000_000);
    const started = Date.now();
    const p = parseEnvironmentYml(FILE, text);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.equal(p.findings.length, 1);
    assert.match(p.findings[0]!.message, /too large/);
  });

  it('parses a file just under the size limit', () => {
    const { text, count } = bigFile(1_000_000);
    const started = Date.now();
    const p = parseEnvironmentYml(FILE, text);
    assert.ok(Date.now() - started < 30000, `took ${Date.now() - started} ms`);
    assert.equal(p.dependencies.length, count);
    assert.equal(p.findings.length, 0);
  });

  it('reports deep nesting instead of overflowing or stalling', () => {
    const cases = [
      'dependencies: ' + '['.repeat(1_000_000),
      'dependencies: ' + '['.repeat(400_000) + ']'.repeat(400_000),
      '{a: '.repeat(250_000),
      '- '.repeat(200_000) + 'x',
    ];
    for (const text of cases) {
      const started = Date.now();
      const p = parseEnvironmentYml(FILE, text);
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
      assert.ok(p.findings.length >= 1 && p.findings.length <= 200);
    }
    // Nesting below the limit still parses.
    const ok = 'dependencies:\n  - numpy\nx: ' + '['.repeat(100) + ']'.repeat(100) + '\n';
    assert.deepEqual(parseEnvironmentYml(FILE, ok).findings, []);
  });

  it('caps the number of findings', () => {
    const text = 'dependencies:\n' + '  - 1\n'.repeat(1000);
    const p = parseEnvironmentYml(FILE, text);
    assert.equal(p.findings.length, 200);
    assert.match(p.findings[199]!.message, /not reported/);
  });
});

describe('parseEnvironmentYml: ${VAR} in the pip part, as pip expands it', () => {
  it('expands set variables and keeps unset ones as written', () => {
    process.env['SD_TEST_TORCH'] = '2.1.0';
    try {
      const text = 'dependencies:\n  - pip:\n    - torch==${SD_TEST_TORCH}\n    - rich==${SD_TEST_UNSET_VAR}\n';
      const p = parseEnvironmentYml(FILE, text);
      const torch = p.dependencies.find((d) => d.name === 'torch')!;
      assert.equal(torch.specifier, '==2.1.0');
      assert.equal(text.slice(torch.span.start, torch.span.end), 'torch==${SD_TEST_TORCH}');
      assert.equal(p.findings.length, 1, 'the unset variable is an invalid version, as pip would say');
    } finally {
      delete process.env['SD_TEST_TORCH'];
    }
  });
});
