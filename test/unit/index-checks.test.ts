// The index-backed checks (not-found, requires-python, no-wheel, conflict-transitive, index-unreachable) from
// hand-built
// index reports: the spans they flag are marked inline in the fixtures with ⟦...⟧.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../server/src/checks/registry';
import type { CheckContext } from '../../server/src/checks/types';
import type { Code } from '../../server/src/model/codes';
import type { Dependency, Finding, ParsedFile, Span } from '../../server/src/model/types';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import { marked } from '../helpers/markers';
import { emptyIndexReport, setOf } from '../helpers/sets';
import type { SetIndexReport } from '../../server/src/model/reports';

const ctxWith = (root: string, report: SetIndexReport): CheckContext => ({
  markerEnvironment: defaultEnvironment({ pythonVersion: '3.11.7' }),
  profile: { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } },
  index: new Map([[root, report]]),
});
const empty = emptyIndexReport;
const spansOf = (found: Finding[], code: Code): Span[] =>
  found
    .filter((f) => f.code === code)
    .map((f) => f.span)
    .sort((a, b) => a.start - b.start);

function requirements(source: string): { file: ParsedFile; spans: Span[]; dep: (name: string) => Dependency } {
  const { text, spans } = marked(source);
  const file = parseRequirementsFile('/w/requirements.txt', text, { kind: 'requirements', env: {} });
  return { file, spans, dep: (name) => file.dependencies.find((d) => d.name === name)! };
}

describe('index-backed checks from a hand-built report', () => {
  it('not-found: a missing project on its name, a missing version on the whole line', () => {
    const r = requirements('⟦nunpy⟧==1.0\n⟦pandas==9.9⟧\nrequests\n');
    const report = {
      ...empty(),
      missing: [
        { dep: r.dep('nunpy'), kind: 'project' as const, newest: null, where: 'https://pypi.org/simple' },
        { dep: r.dep('pandas'), kind: 'version' as const, newest: '2.2.3', where: 'https://pypi.org/simple' },
      ],
    };
    const found = runChecks([setOf(r.file)], ctxWith(r.file.path, report));
    assert.deepEqual(spansOf(found, 'not-found'), r.spans);
    const pandas = found.find((f) => f.code === 'not-found' && f.message.includes('pandas'))!;
    assert.match(pandas.message, /the newest is 2\.2\.3/);
    assert.equal(pandas.severity, 'error');
  });

  it('not-found in an extra says which extra; an unreachable index is named in the message', () => {
    const { text, spans } = marked(
      '[project]\nname = "demo"\nversion = "1"\ndependencies = ' +
        '[]\n[project.optional-dependencies]\ntrain = ["⟦deepspeed==0.12.6⟧"]\n',
    );
    const file = parsePyproject('/w/pyproject.toml', text);
    const dep = file.dependencies.find((d) => d.name === 'deepspeed')!;
    const report = {
      ...empty(),
      unreachable: ['Index unreachable: https://download.pytorch.org/whl/cu117/deepspeed/ (timeout)'],
      missing: [{ dep, kind: 'version' as const, newest: '0.10.0', where: 'https://pypi.org/simple' }],
    };
    const found = runChecks([setOf(file)], ctxWith(file.path, report)).filter((f) => f.code === 'not-found');
    assert.deepEqual(
      found.map((f) => f.span),
      spans,
    );
    assert.match(found[0]!.message, /extra 'train'/);
    assert.match(found[0]!.message, /download\.pytorch\.org could not be reached; it may have/);
  });

  it('requires-python and no-wheel on the whole line', () => {
    const r = requirements('⟦future-only>=2⟧\nnumpy\n');
    const found = runChecks(
      [setOf(r.file)],
      ctxWith(r.file.path, {
        ...empty(),
        pythonExcluded: [{ dep: r.dep('future-only'), python: '3.11.7', requires: ['>=3.13'] }],
      }),
    );
    assert.deepEqual(spansOf(found, 'requires-python'), r.spans);
    const w = requirements('numpy\n⟦lxml==4.9.1⟧\n');
    const noWheel = runChecks(
      [setOf(w.file)],
      ctxWith(w.file.path, {
        ...empty(),
        sdistOnly: [{ dep: w.dep('lxml'), version: '4.9.1', target: 'Python 3.11.7 · Linux x86_64' }],
      }),
    );
    assert.deepEqual(spansOf(noWheel, 'no-wheel'), w.spans);
    assert.equal(noWheel.find((f) => f.code === 'no-wheel')!.severity, 'information');
  });

  it('conflict-transitive: one finding per conflict, where its preferred fix edits, the other lines related', () => {
    const r = requirements(
      'transformers>=4.35.2,<5.0.0\n⟦tokenizers==0.15.2⟧\naccelerate\n⟦grpcio-tools==1.60.0⟧\nprotobuf<4\n',
    );
    const report: SetIndexReport = {
      ...empty(),
      conflicts: [
        {
          scope: '',
          roots: [r.dep('transformers'), r.dep('tokenizers')],
          explanation: '1. ...\nSo ...',
          fixes: [
            { dep: r.dep('tokenizers'), specifier: '==0.14.1', crosses: ['==0.15.2'] },
            { dep: r.dep('transformers'), specifier: '==5.0.0', crosses: ['<5.0.0'] },
          ],
        },
        { scope: '', roots: [r.dep('grpcio-tools'), r.dep('protobuf')], explanation: '1. ...\nSo ...', fixes: [] },
      ],
    };
    const found = runChecks([setOf(r.file)], ctxWith(r.file.path, report)).filter(
      (f) => f.code === 'conflict-transitive',
    );
    assert.deepEqual(
      found.map((f) => f.span).sort((a, b) => a.start - b.start),
      r.spans,
    );
    const first = found.find((f) => f.span.start === r.spans[0]!.start)!;
    assert.equal(
      first.message.split('\n')[0],
      'transformers>=4.35.2,<5.0.0 and tokenizers==0.15.2 cannot be installed together',
    );
    assert.deepEqual(
      first.related.map((x) => r.file.text.slice(x.span.start, x.span.end)),
      ['transformers>=4.35.2,<5.0.0'],
    );
    // Both fixes of the conflict, the preferred one first; the crossed bound is said in the detail, not the title.
    assert.deepEqual(
      first.fixes.map((x) => [x.edits[0]!.newText, x.preferred]),
      [
        ['==0.14.1', true],
        ['==5.0.0', false],
      ],
    );
    assert.equal(first.fixes[1]!.title, "Change to 'transformers==5.0.0'");
    assert.match(first.fixes[1]!.detail!, /leaves the bound '<5\.0\.0' you wrote/);
    const second = found.find((f) => f.span.start === r.spans[1]!.start)!;
    assert.deepEqual(
      second.related.map((x) => r.file.text.slice(x.span.start, x.span.end)),
      ['protobuf<4'],
    );
  });

  it('index-unreachable: once on the root, information; no index at all falls back on the knowledge', () => {
    const r = requirements('numpy\n');
    const found = runChecks(
      [setOf(r.file)],
      ctxWith(r.file.path, { ...empty(), unreachable: ['Index unreachable: https://pypi.nvidia.com/numpy/ (DNS)'] }),
    );
    const notes = found.filter((f) => f.code === 'index-unreachable');
    assert.equal(notes.length, 1);
    assert.deepEqual(notes[0]!.span, { start: 0, end: 0 });
    assert.equal(notes[0]!.severity, 'information');
    assert.match(notes[0]!.message, /pypi\.nvidia\.com/);
    const tf = requirements('⟦tensorflow==2.13.0⟧\nnumpy>=1.25\n');
    const offline = runChecks(
      [setOf(tf.file)],
      ctxWith(tf.file.path, {
        ...empty(),
        answered: false,
        unreachable: ['Index unreachable: https://pypi.org/simple/numpy/ (DNS)'],
      }),
    );
    assert.deepEqual(
      spansOf(offline, 'conflict-transitive'),
      tf.spans,
      'the embedded TensorFlow caps still speak, once, where their fix edits',
    );
  });

  it('index-unreachable: the verdict first, under 100 characters; which indexes and why after it', () => {
    const r = requirements('numpy\n');
    const why = 'https://download.pytorch.org/whl/cu121 could not be reached (host not found)';
    for (const answered of [true, false]) {
      const [note] = runChecks(
        [setOf(r.file)],
        ctxWith(r.file.path, { ...empty(), answered, unreachable: [why] }),
      ).filter((f) => f.code === 'index-unreachable');
      const [first, ...rest] = note!.message.split('\n');
      assert.ok(first!.length <= 100, first);
      assert.doesNotMatch(first!, /download\.pytorch\.org/);
      assert.match(rest.join('\n'), /download\.pytorch\.org\/whl\/cu121 could not be reached \(host not found\)/);
    }
  });
});
