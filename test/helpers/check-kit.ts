// The check test kit: a default context, report builders, and `expectFindings`, which parses a set from texts whose
// expected findings are marked inline (`⟦numpy<2⟧⟨conflict: needs numpy⟩`), runs every check and asserts that the
// findings of the marked codes are exactly the marked ones.
import assert from 'node:assert/strict';
import { runChecks } from '../../server/src/checks/registry';
import type { CheckContext } from '../../server/src/checks/types';
import { emptyCondaReport, type CondaSolveReport, type SetIndexReport } from '../../server/src/model/reports';
import type { Finding, ParsedFile } from '../../server/src/model/types';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parseRequirementsFile } from '../../server/src/parsers/requirements';
import type { MachineProfile } from '../../server/src/system/profile';
import { classify } from '../../server/src/workspace/file-kinds';
import type { VulnerabilityReport } from '../../server/src/model/reports';
import { annotated } from './markers';
import { applyFix, emptyIndexReport, parseText, setOf } from './sets';
import type { EnvironmentSet } from '../../server/src/model/sets';

/** The machine the kit judges against by default: Linux x86_64, CPython 3.11.7, nothing else known. */
export function profile(over: Partial<MachineProfile> = {}): MachineProfile {
  return { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' }, ...over };
}

/** The default context: the default profile and its marker environment, no stage report. */
export const defaultContext: CheckContext = {
  markerEnvironment: defaultEnvironment({ pythonVersion: '3.11.7', platform: 'linux', machine: 'x86_64' }),
  profile: profile(),
};

/** An index report where every index answered and found nothing, with `over` laid on. */
export function indexReport(over: Partial<SetIndexReport> = {}): SetIndexReport {
  return { ...emptyIndexReport(), ...over };
}

/** A conda report of a solve that succeeded with nothing picked, with `over` laid on. */
export function condaReport(over: Partial<CondaSolveReport> = {}): CondaSolveReport {
  return emptyCondaReport({ status: 'ok', channels: ['conda-forge'], subdir: 'linux-64', ...over });
}

/** A vulnerability report with no advisory, with `over` laid on. */
export function vulnerabilityReport(over: Partial<VulnerabilityReport> = {}): VulnerabilityReport {
  return { unavailable: null, entries: [], transitive: [], ...over };
}

/** A requirements file (`-r` kind). */
export const req = (path: string, text: string): ParsedFile =>
  parseRequirementsFile(path, text, { kind: 'requirements', env: {} });
/** A constraints file (`-c` kind). */
export const con = (path: string, text: string): ParsedFile =>
  parseRequirementsFile(path, text, { kind: 'constraints', env: {} });

/** The findings of one code. */
export const byCode = (found: readonly Finding[], code: string): Finding[] => found.filter((f) => f.code === code);

/** The set after the finding's fix (by index), its edited files parsed again. */
export const applyFixOf = (s: EnvironmentSet, finding: Finding, index = 0): EnvironmentSet =>
  applyFix(s, finding.fixes[index]!);

/** What a set is judged with besides its files. */
export interface KitOptions {
  /** Laid on the default context. */
  context?: Partial<CheckContext>;
  /** Stage reports of the set (keyed by its root in the context). */
  index?: SetIndexReport;
  conda?: CondaSolveReport;
  vulnerabilities?: VulnerabilityReport;
  /** Codes whose findings must be exactly the marked ones (default: the codes the markers name). */
  codes?: readonly string[];
}

/** The context of `set` with its stage reports. */
export function contextFor(set: EnvironmentSet, options: KitOptions = {}): CheckContext {
  const ctx: CheckContext = { ...defaultContext, ...options.context };
  if (options.index) ctx.index = new Map([[set.root, options.index]]);
  if (options.conda) ctx.conda = new Map([[set.root, options.conda]]);
  if (options.vulnerabilities) ctx.vulnerabilities = new Map([[set.root, options.vulnerabilities]]);
  return ctx;
}

/**
 * Parses `files` (path -> annotated text, each parsed as the kind the file-kind table gives its name; the first is
 * the set's root), runs every check and asserts that the findings of the marked codes (or
 * `options.codes`) are exactly the marked ones: same file, span and code, the message containing the annotation's
 * substring; a marker annotated `⟨related code⟩` must be a related location of a finding of that code. Returns the set
 * and every finding, for assertions on fixes and related places.
 */
export function expectFindings(
  files: Record<string, string>,
  options: KitOptions = {},
): { set: EnvironmentSet; findings: Finding[] } {
  const expected: { file: string; start: number; end: number; code: string; message: string }[] = [];
  const relatedMarks: typeof expected = [];
  const parsed = Object.entries(files).map(([path, source]) => {
    const { text, marks } = annotated(source);
    for (const m of marks) {
      const e = { file: path, start: m.span.start, end: m.span.end, ...m };
      // `⟨related conflict⟩`: a related location of a finding of that code (the finding is marked elsewhere).
      if (m.code.startsWith('related ')) relatedMarks.push({ ...e, code: m.code.slice('related '.length).trim() });
      else expected.push(e);
    }
    const kind = classify(path);
    assert.ok(kind, `${path}: not a dependency file name`);
    return parseText(path, kind, text);
  });
  const set = setOf(...parsed);
  const findings = runChecks([set], contextFor(set, options));
  const codes = new Set(options.codes ?? expected.map((e) => e.code));
  assert.ok(codes.size > 0, 'no marker and no codes: the test would assert nothing');
  const texts = new Map(parsed.map((f) => [f.path, f.text]));
  const show = (f: { file: string; start: number; end: number; code: string; message: string }): string =>
    `${f.code} at ${f.file} '${texts.get(f.file)?.slice(f.start, f.end)}' (${f.start}-${f.end}): ${f.message}`;
  const actual = findings
    .filter((f) => codes.has(f.code))
    .map((f) => ({ file: f.file, start: f.span.start, end: f.span.end, code: f.code, message: f.message }));
  const unmatched = [...actual];
  const missing: typeof expected = [];
  for (const e of expected) {
    const i = unmatched.findIndex(
      (a) =>
        a.file === e.file &&
        a.start === e.start &&
        a.end === e.end &&
        a.code === e.code &&
        a.message.includes(e.message),
    );
    if (i < 0) missing.push(e);
    else unmatched.splice(i, 1);
  }
  assert.ok(
    missing.length === 0 && unmatched.length === 0,
    [
      ...missing.map((m) => `expected, not found: ${show(m)}`),
      ...unmatched.map((u) => `found, not marked: ${show(u)}`),
    ].join('\n'),
  );
  for (const r of relatedMarks)
    assert.ok(
      findings.some(
        (f) =>
          f.code === r.code &&
          f.related.some((x) => x.file === r.file && x.span.start === r.start && x.span.end === r.end),
      ),
      `expected, not related to a ${r.code} finding: ${show(r)}`,
    );
  return { set, findings };
}
