// Unit tests of the requirements-file parser: spans (marked inline with ⟦ ⟧), continuations, options, env vars,
// includes, cycles and hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequirementsFile, loadRequirementsTree } from '../../server/src/parsers/requirements';
import type { ParsedFile, Span } from '../../server/src/model/types';
import { slice } from '../helpers/spans';

/** Removes the ⟦ ⟧ markers from a fixture and returns the text and the spans they delimited, in order. */
function marked(src: string): { text: string; spans: Span[] } {
  let text = '';
  const spans: Span[] = [];
  const open: number[] = [];
  for (const ch of src) {
    if (ch === '⟦') open.push(text.length);
    else if (ch === '⟧') spans.push({ start: open.pop()!, end: text.length });
    else text += ch;
  }
  assert.equal(open.length, 0, 'unbalanced markers');
  return { text, spans };
}

const FILE = '/work/project/requirements.txt';
const parse = (
  text: string,
  env: Record<string, string> = {},
  kind: 'requirements' | 'constraints' = 'requirements',
): ParsedFile => parseRequirementsFile(FILE, text, { kind, env });

test('PEP 508 lines: name, specifier and entry spans; comments are not part of the entry', () => {
  const { text, spans } = marked(
    '⟦⟦numpy⟧⟦>=1.24,<2⟧⟧  # arrays\n⟦⟦Torch_Vision⟧[⟦cuda⟧]⟦==0.16.2⟧ ; sys_platform == "linux"⟧\n',
  );
  const f = parse(text);
  assert.deepEqual(f.findings, []);
  const [numpy, tv] = f.dependencies;
  assert.ok(numpy && tv);
  assert.deepEqual([numpy.span, numpy.nameSpan, numpy.specifierSpan], [spans[2], spans[0], spans[1]]);
  assert.equal(numpy.name, 'numpy');
  assert.equal(numpy.text, 'numpy>=1.24,<2');
  assert.equal(tv.name, 'torch-vision');
  assert.equal(tv.rawName, 'Torch_Vision');
  assert.deepEqual(tv.extras, ['cuda']);
  assert.equal(tv.marker, 'sys_platform == "linux"');
  assert.deepEqual([tv.nameSpan, tv.specifierSpan, tv.span], [spans[3], spans[5], spans[6]]);
  assert.equal(slice(text, spans[4]!), 'cuda');
  assert.equal(tv.kind, 'requirement');
  assert.equal(tv.section, null);
});

test('a requirement continued with a backslash keeps spans in the original text across the lines', () => {
  const { text, spans } = marked(
    '⟦⟦tor\\\nch⟧⟦==2.1.2 \\\n  ,<3⟧⟧ \\\n  --hash=sha256:' + 'a'.repeat(64) + '\nscipy\n',
  );
  const f = parse(text);
  assert.deepEqual(f.findings, []);
  const torch = f.dependencies[0]!;
  assert.equal(torch.name, 'torch');
  assert.deepEqual(torch.nameSpan, spans[0]);
  assert.deepEqual(torch.specifierSpan, spans[1]);
  assert.deepEqual(torch.span, spans[2]);
  assert.equal(torch.text, 'tor\\\nch==2.1.2 \\\n  ,<3');
  assert.deepEqual(torch.options, ['--hash=sha256:' + 'a'.repeat(64)]);
  assert.equal(f.dependencies[1]!.name, 'scipy');
});

test('a comment line ends a continuation, and a comment ending in a backslash does not continue', () => {
  const f = parse('pandas \\\n# why pandas \\\nnumpy\n# note \\\nscipy\n');
  assert.deepEqual(
    f.dependencies.map((d) => d.name),
    ['pandas', 'numpy', 'scipy'],
  );
  // `#` needs whitespace (or the line start) before it to start a comment.
  const g = parse('https://example.com/a.zip#egg=alpha  # comment\n');
  assert.equal(g.dependencies[0]!.name, 'alpha');
  assert.equal(g.dependencies[0]!.url, 'https://example.com/a.zip#egg=alpha');
});

test("${VAR} expansion: only pip's pattern, unknown and empty variables stay, spans cover the variable", () => {
  const { text, spans } = marked('⟦torch⟧⟦==${TORCH_VERSION}⟧\n--extra-index-url https://${HOST}/whl/${CUDA}\n$HOME\n');
  const f = parse(text, { TORCH_VERSION: '2.1.2', HOST: 'download.pytorch.org', CUDA: '' });
  const torch = f.dependencies[0]!;
  assert.equal(torch.specifier, '==2.1.2');
  assert.deepEqual(torch.nameSpan, spans[0]);
  assert.deepEqual(torch.specifierSpan, spans[1]);
  assert.deepEqual(
    f.options.map((o) => [o.name, o.value]),
    // A URL keeps its `${VAR}` as written: the request expands it where its origin allows, output never shows the value.
    [['--extra-index-url', 'https://${HOST}/whl/${CUDA}']],
  );
  // `$HOME` is not pip's syntax: it stays, and is not a valid requirement.
  assert.equal(f.findings.length, 1);
  assert.equal(slice(text, f.findings[0]!.span)[0], '$');
  // Without opts.env, process.env is used.
  process.env.STACK_DOCTOR_TEST_PIN = '1.26.3';
  try {
    const g = parseRequirementsFile(FILE, 'numpy==${STACK_DOCTOR_TEST_PIN}\n', { kind: 'requirements' });
    assert.equal(g.dependencies[0]!.specifier, '==1.26.3');
  } finally {
    delete process.env.STACK_DOCTOR_TEST_PIN;
  }
});

test('global options in every spelling pip accepts, with spans', () => {
  const { text, spans } = marked(
    [
      '⟦-i https://a.example/simple⟧',
      '⟦--index-url=https://b.example/simple⟧',
      '⟦--extra-index https://c.example/simple⟧',
      '⟦-fhttps://d.example/links⟧',
      '⟦--no-index⟧ ⟦--pre⟧',
      '⟦--only-binary :all:⟧',
      '⟦--no-binary=pyyaml⟧',
      '⟦--prefer-binary⟧',
      '⟦--trusted-host "host.example"⟧',
      '⟦--use-feature=truststore⟧',
      '⟦--require-hashes⟧',
      '',
    ].join('\n'),
  );
  const f = parse(text);
  assert.deepEqual(f.findings, []);
  assert.deepEqual(
    f.options.map((o) => [o.name, o.value]),
    [
      ['--index-url', 'https://a.example/simple'],
      ['--index-url', 'https://b.example/simple'],
      ['--extra-index-url', 'https://c.example/simple'],
      ['--find-links', 'https://d.example/links'],
      ['--no-index', null],
      ['--pre', null],
      ['--only-binary', ':all:'],
      ['--no-binary', 'pyyaml'],
      ['--prefer-binary', null],
      ['--trusted-host', 'host.example'],
      ['--use-feature', 'truststore'],
      ['--require-hashes', null],
    ],
  );
  assert.deepEqual(
    f.options.map((o) => o.span),
    spans,
  );
});

test('per-requirement options are collected; options pip ignores on a requirement line are dropped, with a warning', () => {
  const f = parse('pycuda --config-settings=--build-option=--cuda -C k=v --global-option "--no-user-cfg" --pre\n');
  assert.deepEqual(
    f.findings.map((x) => [x.severity, x.message.split(':')[0]]),
    [['warning', 'pip ignores --pre on a requirement line']],
  );
  assert.deepEqual(f.dependencies[0]!.options, [
    '--config-settings=--build-option=--cuda',
    '--config-settings=k=v',
    '--global-option=--no-user-cfg',
  ]);
  assert.deepEqual(f.options, []);
});

test('includes: resolved against the including file, URLs unresolved; -r on a requirement line is ignored', () => {
  const { text, spans } = marked(
    '⟦-r base.txt⟧\n⟦--constraint=../c/constraints.txt⟧\n⟦-r https://example.com/r.txt⟧\nrequests -r ignored.txt\n',
  );
  const f = parse(text);
  assert.deepEqual(
    f.includes.map((i) => [i.kind, i.target, i.resolved]),
    [
      ['requirements', 'base.txt', '/work/project/base.txt'],
      ['constraints', '../c/constraints.txt', '/work/c/constraints.txt'],
      ['requirements', 'https://example.com/r.txt', null],
    ],
  );
  assert.deepEqual(
    f.includes.map((i) => i.span),
    spans,
  );
  assert.deepEqual(
    f.dependencies.map((d) => d.name),
    ['requests'],
  );
});

test('URLs, VCS links, wheels, archives, local paths and editables', () => {
  const f = parse(
    [
      'git+https://github.com/org/repo.git@v1#egg=Repo_Name',
      'peft @ https://example.com/peft-0.7.1.zip',
      'https://example.com/w/flash_attn-2.5.0-cp311-cp311-linux_x86_64.whl ; sys_platform == "linux"',
      'https://example.com/foo-1.0.tar.gz',
      './pkgs/local[Dev]',
      './dist/tool-1.0-py3-none-any.whl',
      '-e .',
      '-e git+https://github.com/org/proj.git#egg=proj',
      '-e git://github.com/org/old.git#egg=old',
      '',
    ].join('\n'),
  );
  assert.deepEqual(f.findings, []);
  const rows = f.dependencies.map((d) => [d.name, d.specifier, d.extras.join(','), d.marker, d.url, d.editable]);
  assert.deepEqual(rows, [
    ['repo-name', '', '', '', 'git+https://github.com/org/repo.git@v1#egg=Repo_Name', false],
    ['peft', '', '', '', 'https://example.com/peft-0.7.1.zip', false],
    [
      'flash-attn',
      '==2.5.0',
      '',
      'sys_platform == "linux"',
      'https://example.com/w/flash_attn-2.5.0-cp311-cp311-linux_x86_64.whl',
      false,
    ],
    ['', '', '', '', 'https://example.com/foo-1.0.tar.gz', false],
    ['', '', 'dev', '', 'file:///work/project/pkgs/local', false],
    ['tool', '==1.0', '', '', 'file:///work/project/dist/tool-1.0-py3-none-any.whl', false],
    ['', '', '', '', 'file:///work/project', true],
    ['proj', '', '', '', 'git+https://github.com/org/proj.git#egg=proj', true],
    ['old', '', '', '', 'git+git://github.com/org/old.git#egg=old', true],
  ]);
  // The name of a VCS link is where the egg fragment names it.
  const repo = f.dependencies[0]!;
  assert.equal(f.text.slice(repo.nameSpan.start, repo.nameSpan.end), 'Repo_Name');
});

test('isDirectory decides path-like entries the way pip looks at the disk', () => {
  const isDirectory = (p: string): boolean => p === '/work/project/real';
  const f = parseRequirementsFile(FILE, './real\n./missing\n-e ./missing\n', {
    kind: 'requirements',
    env: {},
    isDirectory,
  });
  assert.deepEqual(
    f.dependencies.map((d) => d.url),
    ['file:///work/project/real'],
  );
  assert.equal(f.findings.length, 2);
  assert.match(f.findings[1]!.message, /not a valid editable requirement/);
});

test('what pip rejects becomes a syntax finding at the fault, and the rest of the file still parses', () => {
  const cases: Array<[string, RegExp]> = [
    ['⟦--foo-bar⟧', /no such option: --foo-bar/],
    ['⟦-x⟧ foo', /no such option: -x/],
    ['⟦-r⟧', /-r option requires 1 argument/],
    ['⟦--pr⟧', /ambiguous option: --pr \(--pre, --prefer-binary\?\)/],
    ['⟦--pre=yes⟧', /--pre option does not take a value/],
    ['requests --hash=⟦md5:abc⟧', /Allowed hash algorithms for --hash are sha256, sha384, sha512/],
    ['foo -C ⟦novalue⟧', /KEY=VAL/],
    ['--use-feature=⟦2020-resolver⟧', /invalid choice: '2020-resolver'/],
    ['--no-binary ⟦--pre⟧', /requires 1 argument/],
    ['--index-url ⟦"https://x⟧', /No closing quotation/],
    ['numpy⟦=⟧1.24', /Invalid requirement/],
    ['foo; ⟦python_version >> "3"⟧', /Invalid marker/],
    ['⟦-e https://example.com/pkg.tar.gz⟧', /not a valid editable requirement/],
    ['⟦-e git+https://github.com/org/repo.git⟧', /#egg=your_package_name/],
    ['⟦https://example.com/notawheel.whl⟧', /not a valid wheel filename/],
  ];
  for (const [line, message] of cases) {
    const { text, spans } = marked(`first==1\n${line}\nlast==2\n`);
    const f = parse(text);
    assert.equal(f.findings.length, 1, `${line}: ${JSON.stringify(f.findings)}`);
    const finding = f.findings[0]!;
    assert.equal(finding.code, 'syntax');
    assert.equal(finding.severity, 'error');
    assert.match(finding.message, message, line);
    assert.ok(
      finding.span.start >= spans[0]!.start &&
        finding.span.end <= spans[0]!.end &&
        finding.span.end > finding.span.start,
      `${line}: span ${JSON.stringify(finding.span)} not in ` +
        `${JSON.stringify(spans[0])} ("${slice(text, finding.span)}")`,
    );
    assert.deepEqual(
      f.dependencies.map((d) => d.name).filter((n) => n !== 'foo' && n !== 'requests'),
      ['first', 'last'],
      line,
    );
  }
});

test("constraints: kind constraint; extras, editables and unnamed entries are rejected as pip's resolver does", () => {
  const f = parse(
    (
      'numpy<2\n⟦requests[socks]<3⟧\n-e git+https://x.example/r.git#egg=r\nhttps://example.com/p-1.0.tar.gz\nmypkg ' +
      '@ https://example.com/mypkg-1.0-py3-none-any.whl\n'
    ).replace(/[⟦⟧]/g, ''),
    {},
    'constraints',
  );
  assert.deepEqual(
    f.dependencies.map((d) => [d.name, d.kind]),
    [
      ['numpy', 'constraint'],
      ['mypkg', 'constraint'],
    ],
  );
  assert.deepEqual(
    f.findings.map((x) => x.message.split(':')[0]),
    [
      'Constraints cannot have extras',
      'Editable requirements are not allowed as constraints',
      'Unnamed requirements are not allowed as constraints',
    ],
  );
  assert.equal(f.kind, 'constraints');
});

function tree(files: Record<string, string>, root: string, kind: 'requirements' | 'constraints' = 'requirements') {
  return loadRequirementsTree(root, files[root]!, { kind, env: {}, read: (p) => files[p] });
}

test(
  'include trees: -c makes constraints, -r inside a constraints ' +
    'file is requirements (as pip 23.2.1), each file once',
  () => {
    const r = tree(
      {
        '/p/requirements.txt': '-r base.txt\n-c constraints.txt\n-r sub/dev.txt\nfastapi\n',
        '/p/base.txt': 'numpy\n',
        '/p/constraints.txt': 'numpy<2\n-c more.txt\n-r from-constraints.txt\n',
        '/p/more.txt': 'scipy<2\n',
        '/p/from-constraints.txt': 'tqdm\n',
        '/p/sub/dev.txt': '-r ../base.txt\npytest\n',
      },
      '/p/requirements.txt',
    );
    assert.deepEqual(r.findings, []);
    assert.deepEqual(
      r.files.map((f) => [f.path, f.kind]),
      [
        ['/p/requirements.txt', 'requirements'],
        ['/p/base.txt', 'requirements'],
        ['/p/constraints.txt', 'constraints'],
        ['/p/more.txt', 'constraints'],
        ['/p/from-constraints.txt', 'requirements'],
        ['/p/sub/dev.txt', 'requirements'],
      ],
    );
    assert.deepEqual(
      r.files.flatMap((f) => f.dependencies.map((d) => `${d.name}:${d.kind}`)),
      [
        'fastapi:requirement',
        'numpy:requirement',
        'numpy:constraint',
        'scipy:constraint',
        'tqdm:requirement',
        'pytest:requirement',
      ],
    );
  },
);

test('loadRequirementsTree parses through the parse hook when one is given (a cache)', () => {
  const files: Record<string, string> = { '/p/r.txt': '-r b.txt\nnumpy\n', '/p/b.txt': 'scipy\n' };
  const calls: string[] = [];
  const r = loadRequirementsTree('/p/r.txt', files['/p/r.txt']!, {
    kind: 'requirements',
    env: {},
    read: (p) => files[p],
    parse: (p, t, k) => {
      calls.push(`${p}:${k}`);
      return parseRequirementsFile(p, t, { kind: k, env: {} });
    },
  });
  assert.deepEqual(calls, ['/p/r.txt:requirements', '/p/b.txt:requirements']);
  assert.deepEqual(
    r.files.flatMap((f) => f.dependencies.map((d) => d.name)),
    ['numpy', 'scipy'],
  );
});

test('include cycles and unreadable includes are findings at the -r/-c line', () => {
  const files = {
    '/p/a.txt': 'one\n-r b.txt\n-r missing.txt\n',
    '/p/b.txt': 'two\n-r a.txt\n',
  };
  const r = tree(files, '/p/a.txt');
  assert.deepEqual(
    r.files.map((f) => f.path),
    ['/p/a.txt', '/p/b.txt'],
  );
  assert.equal(r.findings.length, 2);
  const [cycle, missing] = r.findings;
  assert.equal(cycle!.file, '/p/b.txt');
  assert.equal(files['/p/b.txt'].slice(cycle!.span.start, cycle!.span.end), '-r a.txt');
  assert.match(cycle!.message, /cycle: a\.txt -> b\.txt -> a\.txt/);
  assert.equal(missing!.file, '/p/a.txt');
  assert.equal(files['/p/a.txt'].slice(missing!.span.start, missing!.span.end), '-r missing.txt');
  assert.match(missing!.message, /Could not open requirements file: \/p\/missing\.txt/);
  // A file that includes itself.
  const self = tree({ '/p/s.txt': '-r ./s.txt\n' }, '/p/s.txt');
  assert.equal(self.findings.length, 1);
});

test('a 10,000-file include chain is followed without exhausting the stack', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 10_000; i++) files[`/p/f${i}.txt`] = `pkg${i}\n${i < 9_999 ? `-r f${i + 1}.txt\n` : ''}`;
  const r = tree(files, '/p/f0.txt');
  assert.equal(r.files.length, 10_000);
  assert.deepEqual(r.findings, []);
});

test('CRLF, a BOM, form feeds and other Python line breaks', () => {
  const f = parse('\ufeffnumpy\r\npandas \\\r\n  ==2.1\r\nidna\x0cattrs\u2028six\n');
  assert.deepEqual(f.findings, []);
  assert.deepEqual(
    f.dependencies.map((d) => `${d.name}${d.specifier}`),
    ['numpy', 'pandas==2.1', 'idna', 'attrs', 'six'],
  );
  assert.equal(f.dependencies[0]!.span.start, 1);
});

/** Runs fn and fails when it takes longer than ms. */
function within<T>(ms: number, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  const took = performance.now() - t0;
  assert.ok(took < ms, `took ${Math.round(took)} ms`);
  return out;
}

test('hostile input: 5 MB of junk: invalid UTF-8 is one finding, decodable junk gets capped, clear findings', () => {
  let seed = 42;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const chunk: string[] = [];
  for (let i = 0; i < 5_000_000; i++) {
    const r = rnd();
    chunk.push(
      r < 0.02
        ? '\n'
        : r < 0.04
          ? '\ufffd'
          : r < 0.05
            ? '\\'
            : r < 0.06
              ? '#'
              : String.fromCharCode(Math.floor(rnd() * 0x3000)),
    );
  }
  const junk = chunk.join('');
  // pip cannot decode it, so that is all there is to say.
  const f = within(20_000, () => parse(junk));
  assert.equal(f.findings.length, 1);
  assert.match(f.findings[0]!.message, /not valid UTF-8/);
  assert.deepEqual(f.dependencies, []);
  // Decodable junk: every line is judged, and the findings are capped.
  const g = within(20_000, () => parse(junk.replace(/[\ufffd\0]/g, '?')));
  assert.ok(g.findings.length > 1 && g.findings.length <= 201, `${g.findings.length} findings`);
  assert.match(g.findings[g.findings.length - 1]!.message, /More than 200 syntax errors/);
});

test('hostile input: very long lines stay linear', () => {
  const n = 2_000_000;
  const cases = [
    'a'.repeat(n),
    '\\'.repeat(n),
    'x' + ' '.repeat(n) + '#',
    '${A}'.repeat(n / 4),
    '--pre '.repeat(n / 6),
    '-r'.repeat(n / 2),
    'numpy' + ',>=1'.repeat(n / 4),
    '"'.repeat(n),
    'pkg @ https://example.com/' + 'a/'.repeat(n / 2),
    '-e ' + '['.repeat(n),
  ];
  for (const line of cases) {
    const f = within(20_000, () => parse(line + '\n', { A: 'abc' }));
    assert.ok(f.findings.length <= 201);
  }
  // A 5 MB file of ordinary lines.
  const big = 'numpy>=1.24 ; python_version >= "3.9"  # comment\n'.repeat(100_000);
  const g = within(20_000, () => parse(big));
  assert.equal(g.dependencies.length, 100_000);
  assert.deepEqual(g.findings, []);
});

test('a line parsed before is reused where it now stands: the same entries as a first parse, at the new offsets', () => {
  const lines = [
    'numpy>=1.24,<2',
    'requests[socks,security]==2.31.0 ; python_version >= "3.9"  # pinned',
    '-r base.txt',
    '-c constraints.txt',
    '--index-url https://example.invalid/simple',
    'torch==2.1.0+cu121 --hash=sha256:' + 'a'.repeat(64),
    'pkg @ https://example.invalid/pkg-1.0.tar.gz',
    'bad line ===',
  ];
  const first = lines.join('\n') + '\n';
  const kinds = ['requirements', 'constraints'] as const;
  for (const kind of kinds) parseRequirementsFile(FILE, first, { kind, env: {} });
  // An edit above every line moves them all; the edited text is parsed again at FILE (lines seen before) and, as an
  // oracle, at a path never parsed (no line seen before).
  for (const edited of ['# a new comment line\n' + first, 'extra-line\n' + first.replace('numpy>=1.24,<2', 'numpy')])
    for (const kind of kinds) {
      const again = parseRequirementsFile(FILE, edited, { kind, env: {} });
      const fresh = parseRequirementsFile(`/elsewhere/${kind}/requirements.txt`, edited, { kind, env: {} });
      const at = (p: ParsedFile) => ({
        dependencies: p.dependencies.map((d) => ({ ...d, file: '' })),
        includes: p.includes.map((i) => ({ ...i, resolved: i.resolved && i.resolved.split('/').pop() })),
        options: p.options,
        findings: p.findings.map((f) => ({ ...f, file: '' })),
      });
      assert.deepEqual(at(again), at(fresh));
      for (const d of again.dependencies) assert.equal(edited.slice(d.span.start, d.span.end), d.text);
      const bad = edited.indexOf('bad line ===');
      assert.ok(
        again.findings.some((f) => f.span.start >= bad && f.span.start < bad + 12),
        'the bad line is reported at every parse',
      );
    }
});

test('a path-like line asks the disk at every parse: a folder that appears between two parses is seen', () => {
  let exists = false;
  const isDirectory = (p: string): boolean => exists && p === '/work/project/lib';
  const text = 'requests\n./lib\n';
  const before = parseRequirementsFile(FILE, text, { kind: 'requirements', env: {}, isDirectory });
  exists = true;
  const after = parseRequirementsFile(FILE, text, { kind: 'requirements', env: {}, isDirectory });
  assert.notDeepEqual(before, after);
  assert.equal(after.dependencies[1]?.url, 'file:///work/project/lib');
});
