// Checks the pip-requirements TextMate grammar: every regex compiles as JavaScript, and a small one-line tokenizer
// (TextMate's match / begin-end / captures / include rules) gives sample lines the expected scopes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Capture {
  name?: string;
  patterns?: Rule[];
}
interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  include?: string;
  captures?: Record<string, Capture>;
  beginCaptures?: Record<string, Capture>;
  endCaptures?: Record<string, Capture>;
  patterns?: Rule[];
}
interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const root = join(__dirname, '..', '..', '..');
const grammar = JSON.parse(readFileSync(join(root, 'syntaxes/pip-requirements.tmLanguage.json'), 'utf8')) as Grammar;
const languageConfiguration = JSON.parse(
  readFileSync(join(root, 'syntaxes/pip-requirements.language-configuration.json'), 'utf8'),
) as {
  comments: { lineComment: string };
  brackets: string[][];
  autoClosingPairs: { open: string; close: string }[];
  wordPattern: string;
};

/** Every regex source in the grammar, with the JSON path where it sits. */
function allRegexes(): { where: string; source: string }[] {
  const out: { where: string; source: string }[] = [];
  const visit = (rule: Rule, where: string): void => {
    for (const key of ['match', 'begin', 'end'] as const) {
      const source = rule[key];
      if (source !== undefined) out.push({ where: `${where}.${key}`, source });
    }
    rule.patterns?.forEach((r, i) => visit(r, `${where}.patterns[${i}]`));
    for (const key of ['captures', 'beginCaptures', 'endCaptures'] as const) {
      for (const [n, c] of Object.entries(rule[key] ?? {}))
        c.patterns?.forEach((r, i) => visit(r, `${where}.${key}.${n}.patterns[${i}]`));
    }
  };
  grammar.patterns.forEach((r, i) => visit(r, `patterns[${i}]`));
  for (const [name, rule] of Object.entries(grammar.repository)) visit(rule, `repository.${name}`);
  return out;
}

const compiled = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let r = compiled.get(source);
  if (!r) {
    r = new RegExp(source, 'dg');
    compiled.set(source, r);
  }
  return r;
}

/** The rules a pattern list stands for, with `include`s resolved. */
function expand(patterns: Rule[] | undefined): Rule[] {
  return (patterns ?? []).flatMap((p) => {
    if (p.include === undefined) return [p];
    if (p.include === '$self' || p.include === '$base') return expand(grammar.patterns);
    const target = grammar.repository[p.include.replace(/^#/, '')];
    assert.ok(target, `unknown include ${p.include}`);
    return target.match !== undefined || target.begin !== undefined ? [target] : expand(target.patterns);
  });
}

type Scopes = string[][];

/** Writes capture scopes (and their nested patterns) into the per-character scope lists. */
function applyCaptures(
  line: string,
  m: RegExpExecArray,
  captures: Record<string, Capture> | undefined,
  scopes: Scopes,
  outer: string[],
): void {
  if (!captures || !m.indices) return;
  for (const [n, c] of Object.entries(captures)) {
    const span = m.indices[Number(n)];
    if (!span) continue;
    const inner = c.name ? [...outer, c.name] : outer;
    for (let i = span[0]; i < span[1]; i++) scopes[i] = [...inner];
    if (c.patterns) scan(line.slice(0, span[1]), span[0], c.patterns, null, scopes, inner);
  }
}

/** Tokenizes line[pos..] with the patterns until `end` matches (or the line ends); returns where it stopped. */
function scan(
  line: string,
  pos: number,
  patterns: Rule[],
  end: string | null,
  scopes: Scopes,
  outer: string[],
): number {
  const rules = expand(patterns);
  while (pos <= line.length) {
    let best: { m: RegExpExecArray; rule: Rule | null } | null = null;
    // As in vscode-textmate, the end pattern comes first, so it wins a tie.
    for (const rule of [null, ...rules]) {
      const source = rule === null ? end : (rule.match ?? rule.begin);
      if (source == null) continue;
      const r = regex(source);
      r.lastIndex = pos;
      const m = r.exec(line);
      if (m && (!best || m.index < best.m.index)) best = { m, rule };
    }
    if (!best) return line.length;
    const { m, rule } = best;
    const stop = m.index + m[0].length;
    if (rule === null) return m.index;
    const inner = rule.name ? [...outer, rule.name] : outer;
    for (let i = m.index; i < stop; i++) scopes[i] = [...inner];
    if (rule.match !== undefined) {
      applyCaptures(line, m, rule.captures, scopes, inner);
      pos = stop > pos ? stop : pos + 1;
      continue;
    }
    applyCaptures(line, m, rule.beginCaptures ?? rule.captures, scopes, inner);
    // Text inside the region that no inner rule matches still carries the region's scopes.
    for (let i = stop; i < line.length; i++) scopes[i] = [...inner];
    const endAt = scan(line, stop, rule.patterns ?? [], rule.end ?? '$', scopes, inner);
    for (let i = endAt; i < line.length; i++) scopes[i] = [...outer];
    if (endAt >= line.length) return line.length;
    const endRe = regex(rule.end ?? '$');
    endRe.lastIndex = endAt;
    const em = endRe.exec(line);
    let next = endAt;
    if (em && em.index === endAt) {
      for (let i = endAt; i < endAt + em[0].length; i++) scopes[i] = [...inner];
      applyCaptures(line, em, rule.endCaptures ?? rule.captures, scopes, inner);
      next = endAt + em[0].length;
    }
    pos = next > pos ? next : pos + 1;
  }
  return line.length;
}

function tokenize(line: string): Scopes {
  const scopes: Scopes = Array.from({ length: line.length }, () => []);
  scan(line, 0, grammar.patterns, null, scopes, []);
  return scopes;
}

/** Asserts that every character of the `nth` occurrence of `text` in `line` carries a scope starting with `scope`. */
function expectScope(line: string, text: string, scope: string, nth = 0): void {
  let at = -1;
  for (let k = 0; k <= nth; k++) at = line.indexOf(text, at + 1);
  assert.ok(at >= 0, `${JSON.stringify(text)} not in ${JSON.stringify(line)}`);
  const scopes = tokenize(line);
  for (let i = at; i < at + text.length; i++) {
    const here = scopes[i] ?? [];
    assert.ok(
      here.some((s) => s.startsWith(scope)),
      `${JSON.stringify(line)}: ${JSON.stringify(text)} at ${i} has [${here.join(', ')}], expected ${scope}`,
    );
  }
}
function expectNoScope(line: string, text: string, scope: string): void {
  const at = line.indexOf(text);
  assert.ok(at >= 0);
  const scopes = tokenize(line);
  for (let i = at; i < at + text.length; i++)
    assert.ok(
      !(scopes[i] ?? []).some((s) => s.startsWith(scope)),
      `${JSON.stringify(text)} in ${JSON.stringify(line)} must not be ${scope}`,
    );
}

test('grammar: scope name and every regex compiles as JavaScript', () => {
  assert.equal(grammar.scopeName, 'source.pip-requirements');
  const all = allRegexes();
  assert.ok(all.length > 20, `only ${all.length} regexes found`);
  for (const { where, source } of all) assert.doesNotThrow(() => new RegExp(source, 'd'), `${where}: ${source}`);
});

test('grammar: every include resolves', () => {
  const visit = (rules: Rule[] | undefined): void => {
    expand(rules);
  };
  visit(grammar.patterns);
  for (const rule of Object.values(grammar.repository)) {
    visit(rule.patterns);
    for (const key of ['captures', 'beginCaptures', 'endCaptures'] as const)
      for (const c of Object.values(rule[key] ?? {})) visit(c.patterns);
  }
});

test('grammar: comments', () => {
  expectScope('# pinned for CUDA 12', '# pinned for CUDA 12', 'comment.line.number-sign');
  expectScope('numpy>=1.24  # keep in sync', '# keep in sync', 'comment.line.number-sign');
  expectNoScope('numpy>=1.24  # keep in sync', 'numpy', 'comment');
  // '#' glued to a URL is a fragment, not a comment (pip needs whitespace before '#').
  expectNoScope('git+https://example.org/repo.git#egg=pkg', '#egg=pkg', 'comment');
});

test('grammar: package names, extras, operators and versions', () => {
  const line = 'torch[cuda,  dev]>=2.1.0,<2.3 ; python_version >= "3.9"';
  expectScope(line, 'torch', 'entity.name.type.package');
  expectScope(line, '[', 'punctuation.section.extras.begin');
  expectScope(line, 'cuda', 'variable.parameter.extra');
  expectScope(line, 'dev', 'variable.parameter.extra');
  expectScope(line, '>=', 'keyword.operator.comparison.version');
  expectScope(line, '2.1.0', 'constant.numeric.version');
  expectScope(line, '<', 'keyword.operator.comparison.version');
  expectScope(line, '2.3', 'constant.numeric.version');
  expectScope('numpy==1.26.*', 'numpy', 'entity.name.type.package');
  expectScope('numpy==1.26.*', '==', 'keyword.operator.comparison.version');
  expectScope('numpy==1.26.*', '1.26.*', 'constant.numeric.version');
  expectScope('torch~=2.1.0+cu121', '~=', 'keyword.operator.comparison.version');
  expectScope('torch~=2.1.0+cu121', '2.1.0+cu121', 'constant.numeric.version');
  expectScope('zope.interface!=5.0', 'zope.interface', 'entity.name.type.package');
  expectScope('zope.interface!=5.0', '!=', 'keyword.operator.comparison.version');
  expectScope('  scikit-learn', 'scikit-learn', 'entity.name.type.package');
});

test('grammar: markers', () => {
  const line = 'pywin32>=300; sys_platform == \'win32\' and (python_version < "3.12" or extra == "gpu")';
  expectScope(line, ';', 'punctuation.separator.marker');
  expectScope(line, 'sys_platform', 'variable.language.marker');
  expectScope(line, "'win32'", 'string.quoted.single');
  expectScope(line, 'and', 'keyword.operator.logical');
  expectScope(line, 'or', 'keyword.operator.logical', 1); // the first 'or' is inside sys_platform
  expectScope(line, 'python_version', 'variable.language.marker');
  expectScope(line, '"3.12"', 'string.quoted.double');
  expectScope(line, 'extra', 'variable.language.marker');
  expectScope('foo; "linux" in sys_platform', 'in', 'keyword.operator.comparison.marker', 1);
  // A word inside a marker string is not a marker variable.
  expectNoScope('foo; platform_machine == "extra"', 'extra', 'variable.language.marker');
});

test('grammar: options', () => {
  expectScope('-r base.txt', '-r', 'keyword.other.option');
  expectScope('-r base.txt', 'base.txt', 'string.unquoted.path');
  expectScope('--requirement=requirements/dev.txt', '--requirement', 'keyword.other.option');
  expectScope('--requirement=requirements/dev.txt', 'requirements/dev.txt', 'string.unquoted.path');
  expectScope('-c constraints.txt', '-c', 'keyword.other.option');
  expectScope('--index-url https://download.pytorch.org/whl/cu121', '--index-url', 'keyword.other.option');
  expectScope(
    '--index-url https://download.pytorch.org/whl/cu121',
    'https://download.pytorch.org/whl/cu121',
    'markup.underline.link',
  );
  expectScope('--extra-index-url=https://pypi.example/simple', 'https://pypi.example/simple', 'markup.underline.link');
  expectScope('--no-index', '--no-index', 'keyword.other.option');
  expectScope('--pre', '--pre', 'keyword.other.option');
  expectScope('--only-binary :all:', ':all:', 'string.unquoted.argument');
  const hashed = 'numpy==1.26.4 --hash=sha256:0123456789abcdef0123456789abcdef';
  expectScope(hashed, 'numpy', 'entity.name.type.package');
  expectScope(hashed, '--hash', 'keyword.other.option');
  expectScope(hashed, 'sha256', 'support.type.hash-algorithm');
  expectScope(hashed, '0123456789abcdef0123456789abcdef', 'constant.other.hash');
  expectScope('    --hash=sha256:abcdef \\', '--hash', 'keyword.other.option');
  expectScope('-e git+https://github.com/org/repo.git@v1#egg=repo', '-e', 'keyword.other.option');
  expectScope(
    '-e git+https://github.com/org/repo.git@v1#egg=repo',
    'git+https://github.com/org/repo.git@v1#egg=repo',
    'markup.underline.link',
  );
  expectScope('-e ./local/pkg', './local/pkg', 'string.unquoted.path');
});

test('grammar: URLs, paths, ${VAR} and continuations', () => {
  const direct = 'mypkg @ https://example.org/mypkg-1.0-py3-none-any.whl ; python_version>"3.8"';
  expectScope(direct, 'mypkg', 'entity.name.type.package');
  expectScope(direct, '@', 'keyword.operator.url');
  expectScope(direct, 'https://example.org/mypkg-1.0-py3-none-any.whl', 'markup.underline.link');
  expectScope(direct, 'python_version', 'variable.language.marker');
  expectScope('https://example.org/pkg-1.0.tar.gz', 'https://example.org/pkg-1.0.tar.gz', 'markup.underline.link');
  expectScope('./vendor/pkg-1.0-py3-none-any.whl', './vendor/pkg-1.0-py3-none-any.whl', 'string.unquoted.path');
  const withVar = '--index-url https://${PIP_USER}:${PIP_TOKEN}@pypi.example/simple';
  expectScope(withVar, 'PIP_USER', 'variable.other.environment');
  expectScope(withVar, 'PIP_TOKEN', 'variable.other.environment');
  expectScope(withVar, '${', 'punctuation.definition.variable.begin');
  expectScope('-r ${CONFIG_DIR}/base.txt', 'CONFIG_DIR', 'variable.other.environment');
  expectScope('numpy>=1.24 \\', '\\', 'punctuation.separator.continuation.line');
  expectScope('    >=1.24', '>=', 'keyword.operator.comparison.version');
});

test('language configuration: comment, brackets, auto-closing quotes', () => {
  assert.equal(languageConfiguration.comments.lineComment, '#');
  assert.deepEqual(languageConfiguration.brackets, [
    ['[', ']'],
    ['(', ')'],
  ]);
  const opens = languageConfiguration.autoClosingPairs.map((p) => p.open + p.close);
  for (const pair of ['[]', '()', '""', "''"]) assert.ok(opens.includes(pair), `auto-closing ${pair}`);
  const word = new RegExp(`^(?:${languageConfiguration.wordPattern})$`);
  for (const w of ['numpy', 'scikit-learn', 'zope.interface', '1.26.4', '2.1.0+cu121']) assert.match(w, word);
});
