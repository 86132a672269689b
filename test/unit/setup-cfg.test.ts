// setup.cfg as setuptools reads its dependencies (configparser, then setuptools' list rules), checked against the
// setuptools installed here as an oracle, with exact spans.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalizeName } from '../../server/src/pep/name';
import { parseSetupCfg } from '../../server/src/parsers/setup-cfg';
import { classify } from '../../server/src/workspace/file-kinds';
import { scopesOf } from '../../server/src/checks/scope';

const FILE = '/w/setup.cfg';

/** What setuptools reads from each text: install_requires, extras_require (PEP 685 names), python_requires. */
function oracle(texts: string[]): { base: string[]; extras: Record<string, string[]>; python: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'sd-setupcfg-'));
  try {
    const paths = texts.map((t, i) => {
      const p = join(dir, `case${i}.cfg`);
      writeFileSync(p, t);
      return p;
    });
    const script = [
      'import json, sys, warnings',
      'warnings.simplefilter("ignore")',
      'from setuptools.config.setupcfg import read_configuration',
      'out = []',
      'for p in sys.argv[1:]:',
      '    o = read_configuration(p)["options"]',
      '    out.append({"base": list(o.get("install_requires", [])),',
      '                "extras": {k: list(v) for k, v in o.get("extras_require", {}).items()},',
      '                "python": str(o.get("python_requires", ""))})',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync('python3', ['-I', '-c', script, ...paths], { encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { base: string[]; extras: Record<string, string[]>; python: string }[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CASES = [
  // The classic layout: one requirement per indented line, comments and blank lines among them.
  [
    '[metadata]',
    'name = monai-like',
    '',
    '[options]',
    'python_requires = >=3.9',
    'install_requires =',
    '    torch>=1.9',
    '    # a comment line inside the value',
    '',
    '    numpy>=1.24,<3.0',
    '  ; a comment written with a semicolon',
    '    pandas ; python_version >= "3.10"',
    'zip_safe = False',
    '',
    '[options.extras_require]',
    'all =',
    '    nibabel',
    '    scikit-image>=0.14.2',
    'Fire_Extra = fire',
    '',
  ].join('\n'),
  // One line: setuptools splits it at ';'. `:` is a delimiter too; CRLF line ends.
  [
    '[options]',
    'install_requires: requests>=2; idna',
    'python_requires = >=3.8, <4',
    '[options.extras_require]',
    'gpu = cupy-cuda12x; pynvml>=11',
    '',
  ].join('\r\n'),
  // A value that starts on the option's line and goes on below; tabs indent.
  ['[options]', 'install_requires = click>=8', '\trich', '\t  typer[all]>=0.9', '[other]', 'x = 1', ''].join('\n'),
];

describe('setup.cfg parser', () => {
  it('is the file kind of setup.cfg', () => {
    assert.equal(classify('/p/setup.cfg'), 'setup-cfg');
    assert.equal(classify('/p/SETUP.CFG'), 'setup-cfg');
    assert.equal(classify('/p/tox.cfg'), null);
  });

  it('reads what setuptools reads (the installed setuptools is the oracle), each entry at its exact span', () => {
    const expected = oracle(CASES);
    CASES.forEach((text, i) => {
      const f = parseSetupCfg(FILE, text);
      assert.deepEqual(
        f.findings.map((x) => x.message),
        [],
        `case ${i}`,
      );
      for (const d of f.dependencies) assert.equal(text.slice(d.span.start, d.span.end), d.text, `case ${i}`);
      const base = f.dependencies.filter((d) => d.section === 'options.install_requires').map((d) => d.text);
      assert.deepEqual(base, expected[i]!.base, `case ${i}: install_requires`);
      const extras: Record<string, string[]> = {};
      for (const d of f.dependencies) {
        const m = /^options\.extras_require\.(.+)$/.exec(d.section ?? '');
        if (m) (extras[m[1]!] ??= []).push(d.text);
      }
      const want = Object.fromEntries(Object.entries(expected[i]!.extras).map(([k, v]) => [canonicalizeName(k), v]));
      assert.deepEqual(extras, want, `case ${i}: extras_require`);
      assert.equal(f.requiresPython, expected[i]!.python.replace(/\s/g, ''), `case ${i}: python_requires`);
    });
  });

  it('gives each list its scope: install_requires the base, each extra its own', () => {
    const f = parseSetupCfg(FILE, CASES[0]!);
    const scope = (name: string) => scopesOf(f.dependencies.find((d) => d.name === name)!);
    assert.deepEqual(scope('torch'), ['']);
    assert.deepEqual(scope('nibabel'), ['extra:all']);
    assert.deepEqual(scope('fire'), ['extra:fire-extra']);
    assert.equal(f.dependencies.find((d) => d.name === 'pandas')!.marker, 'python_version >= "3.10"');
  });

  it('says a file: directive is not followed, and reports configparser errors at their line', () => {
    const text = [
      '[options]',
      'install_requires = file: requirements.txt',
      '[options.extras_require]',
      'dev = pytest',
      'dev = numpy',
      'not an option line',
      '[options]',
      '',
    ].join('\n');
    const f = parseSetupCfg(FILE, text);
    const at = (x: { span: { start: number; end: number } }) => text.slice(x.span.start, x.span.end);
    assert.deepEqual(
      f.findings.map((x) => [x.severity, at(x)]),
      [
        ['information', 'file: requirements.txt'],
        ['error', 'dev'],
        ['error', 'not an option line'],
        ['error', '[options]'],
      ],
    );
    assert.match(f.findings[0]!.message, /not followed/);
    // configparser would stop at the duplicate; the later value is still read, so the line can be judged.
    assert.deepEqual(
      f.dependencies.map((d) => d.name),
      ['numpy'],
    );
    const lone = parseSetupCfg(FILE, 'install_requires = numpy\n');
    assert.match(lone.findings[0]!.message, /MissingSectionHeaderError/);
    assert.equal(parseSetupCfg(FILE, '[options]\ninstall_requires =\n    numpy  # why\n').findings[0]!.code, 'syntax');
  });
});
