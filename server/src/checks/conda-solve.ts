// Findings from conda's solve of an environment.yml or of a pixi manifest's environments: conflict-transitive,
// not-found, cuda-driver, cuda-unavailable, on the lines.
import type { Code } from '../model/codes';
import { finding } from '../model/finding';
import type { Finding } from '../model/types';
import type { CheckContext } from './types';
import { capped } from './edits';
import { linesCause } from './fold';
import type { EnvironmentSet } from '../model/sets';
import type { CondaSolveReport, PipBreak, PixiEnvironmentSolve, PixiSolveReport } from '../model/reports';

/**
 * Turns the set's `CondaSolveReport` (`ctx.conda`) into findings, as conda would answer `conda env create`:
 * - `not-found` (error) on a line no channel can satisfy, with the closest names or the newest versions;
 * - `conflict-transitive` (error) on every line of a set that cannot be installed together, with conda's
 *   reason ("tensorflow 2.10.0 needs python >=3.10,<3.11.0a0; python=3.12 is asked at line 7") and the fixes
 *   a solve accepted;
 * - `cuda-driver` / `cuda-unavailable` (error) where the driver's CUDA (`__cuda`) is what fails;
 * - one `index-unreachable` information finding when the channels could not be read (nothing else is said).
 * Each check of those codes takes its share through `condaFindingsFor`; codes keep their severity overrides.
 */
export function condaFindings(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const pixi = ctx.pixi?.get(set.root);
  if (pixi) return pixiFindings(set, pixi, ctx);
  const report = ctx.conda?.get(set.root);
  if (!report) return [];
  const file = set.files.find((f) => f.kind === 'conda') ?? set.files[0]!;
  return reportFindings(report, ctx.pipOnConda?.get(set.root)?.breaks ?? [], file.path, ctx, '');
}

/** Where a pixi solve's finding comes from, leading its message: "In environment cuda (linux-64): ". */
export const pixiWhere = (s: PixiEnvironmentSolve): string => `In environment ${s.environment} (${s.platform}): `;

/**
 * A pixi manifest's findings: each environment's solve on each platform the machine runs, said as coming from it,
 * and the CUDA builds a solve installs that this machine's driver cannot run. A line several environments judge the
 * same way gets the first one's finding (the default environment comes first).
 */
function pixiFindings(set: EnvironmentSet, report: PixiSolveReport, ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const s of report.solves) {
    const from = pixiWhere(s);
    out.push(...reportFindings(s.conda, s.pipOnConda?.breaks ?? [], set.root, ctx, from));
    const c = s.cuda;
    if (!c) continue;
    const builds = s.conda.solution
      .filter((p) => p.depends.some((d) => /^__cuda(\s|$)/.test(d)))
      .map((p) => `${p.name} ${p.version} (${p.build})`);
    const message =
      `${from}pixi installs CUDA builds here (${builds.slice(0, 3).join(', ')}${builds.length > 3 ? ', ...' : ''}` +
      `${c.declared ? `; the platform declares __cuda ${c.declared}` : ''}), which need a driver that supports CUDA ` +
      `${c.needs} or newer; ` +
      (c.has === null
        ? `this machine has no NVIDIA driver, so they cannot run here.`
        : `this machine's driver supports CUDA ${c.has} only, so they cannot run here.`);
    const at = s.virtualSpans['__cuda'];
    if (at) out.push(finding(c.kind, set.root, at, message));
    for (const dep of c.lines) out.push(finding(c.kind, dep.file, dep.span, message));
  }
  for (const g of report.groups) {
    const from =
      `In solve-group ${g.group} (${g.platform}): environments ${listed(g.environments)} each solve alone, but pixi ` +
      `solves the group's environments (${g.members.join(', ')}) together and fails: `;
    out.push(...reportFindings(g.conda, [], set.root, ctx, from).filter((f) => f.code !== 'index-unreachable'));
  }
  for (const at of report.notFetched)
    out.push(
      finding(
        'index-unreachable',
        at.file,
        at.span,
        'Not checked in an untrusted workspace: Stack Doctor fetches no index a workspace file names until you ' +
          'trust the workspace, so the PyPI packages pixi would look up there were not checked.',
        { severity: 'information' },
      ),
    );
  return out;
}

/** One conda report's findings (an environment.yml's solve, or one pixi environment's), each message led by `from`. */
function reportFindings(
  report: CondaSolveReport,
  breaks: readonly PipBreak[],
  filePath: string,
  ctx: CheckContext,
  from: string,
): Finding[] {
  if (report.status === 'skipped') return [];
  const out: Finding[] = [];
  const file = { path: filePath };
  const info = (message: string): void => {
    out.push(finding('index-unreachable', file.path, { start: 0, end: 0 }, message));
  };
  if (report.status === 'unavailable') {
    info(
      `Stack Doctor could not solve the environment as conda would\n` +
        `${report.unavailable ?? 'no channel data'}. The checks that need no channel still ran.`,
    );
    return out;
  }
  if (report.notes.length) info(report.notes.join(' '));
  for (const n of report.notFound) {
    const d = n.dep;
    out.push(
      finding(
        'not-found',
        d.file,
        n.kind === 'package' ? d.nameSpan : d.span,
        from +
          (n.kind === 'package'
            ? `No package named '${d.rawName}' on ` +
              `${n.where}${n.suggestions.length ? ` (the closest names there: ${n.suggestions.join(', ')})` : ''}; ` +
              `${from ? 'pixi would fail to solve the environment' : 'conda would fail with PackagesNotFoundError'}.`
            : `No build of ${d.rawName} on ${n.where} matches ` +
              `'${d.text}'${n.suggestions.length ? ` (the newest versions: ${n.suggestions.join(', ')})` : ''}; ` +
              `${from ? 'pixi would fail to solve the environment' : 'conda would fail with PackagesNotFoundError'}.`),
      ),
    );
  }
  for (const c of report.conflicts) {
    if (c.cuda && !c.cuda.known) {
      // The driver was not probed: conda's answer depends on it, so this is said, not judged.
      for (const dep of c.roots) {
        out.push(
          finding(
            'cuda-unavailable',
            dep.file,
            dep.span,
            `${from}Whether conda can install this on ${ctx.machine ?? 'the target machine'} is not known: its driver ` +
              `is not known\n'${dep.text}' needs ` +
              `${c.cuda.needs ? `a driver that supports CUDA ${c.cuda.needs} or newer (__cuda >=${c.cuda.needs})` : 'an NVIDIA driver (__cuda)'}; ` +
              `probe the machine, or set CONDA_OVERRIDE_CUDA.`,
            {
              severity: 'information',
              fixes: c.fixes.filter((f) => f.dep === dep).map((f) => f.fix),
              cause: linesCause(c.roots),
            },
          ),
        );
      }
      continue;
    }
    for (const dep of c.roots) {
      const others = c.roots.filter((r) => r !== dep);
      out.push({
        code: c.cuda ? c.cuda.kind : 'conflict-transitive',
        severity: 'error',
        file: dep.file,
        span: dep.span,
        message:
          from +
          (c.cuda
            ? `conda cannot install ${dep.text.trim()} on ${ctx.machine ?? 'the target machine'}\n${c.explanation}`
            : `${listed(c.roots.map((r) => r.text.trim()))} cannot ` +
              `be installed together (conda's solve)\n${c.explanation}`),
        related: others.map((r) => ({ file: r.file, span: r.span, message: `${r.text} takes part` })),
        fixes: c.fixes.filter((f) => f.dep === dep).map((f) => f.fix),
        cause: linesCause(c.roots),
      });
    }
  }
  for (const b of breaks) out.push(...pipBreakFindings(b, report, from));
  return out;
}

/**
 * `conflict-transitive` on the `pip:` lines that make pip replace a conda package whose replacement breaks other conda
 * packages: pip does not refuse (it reports the broken packages after installing), so the environment is created
 * broken.
 */
function pipBreakFindings(b: PipBreak, report: CondaSolveReport, from: string): Finding[] {
  const installed = `${b.conda.name} ${b.conda.version}${b.conda.channel ? ` (from ${b.conda.channel})` : ''}`;
  const broken = b.broken.map((x) => `${x.pkg.name} ${x.pkg.version} (it needs ${x.spec})`);
  const lines = b.roots.map((r) => `'${r.text}'`).join(', ');
  const message = from
    ? // pixi hands conda's packages to its PyPI solve as locked: it keeps them, so the PyPI solve fails instead.
      `${from}${lines} cannot be installed on top of conda's packages\npixi keeps conda's ${installed} (its PyPI ` +
      `solve takes conda's Python packages as they are), and ${b.because.join('; ')}, which excludes ` +
      `${b.conda.version}. Installing ${b.name} ${b.pipVersion} instead would break conda's ${broken.join(', ')}.`
    : `${lines} makes pip replace conda's ${installed} with ${b.name} ${b.pipVersion}\nThat breaks conda's ` +
      `${broken.join(', ')}. conda env create runs pip after conda, with conda's packages in place: ` +
      `${b.because.join('; ')}, which excludes ${b.conda.version}. pip does not refuse: it installs, then reports ` +
      `the broken ${b.broken.length > 1 ? 'packages' : 'package'}.`;
  // The conda lines whose package breaks, where a top-level line asked for it.
  const condaLines = b.broken.flatMap((x) => report.picked.filter((p) => p.pkg === x.pkg).map((p) => p.dep));
  return b.roots.map((dep) =>
    finding('conflict-transitive', dep.file, dep.span, message, {
      related: capped(
        [...b.roots.filter((r) => r !== dep), ...condaLines].map((r) => ({
          file: r.file,
          span: r.span,
          message: `${r.text} takes part`,
        })),
      ),
      cause: linesCause(b.roots),
      fixes: b.fixes
        .filter((f) => f.dep === dep)
        .map((f, i) => ({
          title:
            `Change to '${f.dep.rawName}${f.specifier}' (pip then keeps conda's ${b.name} ${b.conda.version}; a ` +
            `resolution on top of conda's packages verified it${f.crosses.length ? `; it leaves the bound '${f.crosses.join(',')}' you wrote` : ''})`,
          edits: [{ file: f.dep.file, span: f.dep.specifierSpan, newText: f.specifier }],
          preferred: i === 0,
        })),
    }),
  );
}

/** "a, b and c". */
function listed(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
}

/** condaFindings per set and report, computed once for the several checks that each take their code's share. */
const memo = new WeakMap<object, { ctx: CheckContext; findings: Finding[] }>();

/** The findings of conda's solve of the set that carry `code`. */
export function condaFindingsFor(code: Code, set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const report = ctx.pixi?.get(set.root) ?? ctx.conda?.get(set.root);
  if (!report) return [];
  let hit = memo.get(report);
  if (!hit || hit.ctx !== ctx) memo.set(report, (hit = { ctx, findings: condaFindings(set, ctx) }));
  return hit.findings.filter((f) => f.code === code);
}
