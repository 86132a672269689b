// What the stages' reports tell the editor: the Python a solve installs, the indexes and channels asked, and what a
// pixi solve picked for a line.
import type { Dependency } from '../model/types';
import type { CondaSolveReport, PixiSolveReport, SetIndexReport } from '../model/reports';
import type { IndexSelection } from '../index/selection';
import { codeSpan, escapeMarkdown } from '../model/markdown';
import { redact } from '../index/credentials';
import { condaReportModule } from './lazy-stages';

/** The Python a conda solve installs, or null with no solve or a failed one. */
export function solvedPython(report: CondaSolveReport | undefined): string | null {
  if (report?.status !== 'ok') return null;
  return report.solution.find((p) => p.name === 'python')?.version ?? null;
}

/** An index or channel a set's stages asked (redacted), with whether it answered (and why not). */
export interface StageSource {
  kind: 'index' | 'channel';
  source: string;
  problem: string | null;
}

/** The indexes the index stage asked, per its report. */
export function indexSources(report: SetIndexReport, indexes: IndexSelection): StageSource[] {
  return (indexes.noIndex ? [] : indexes.indexUrls).map((url) => {
    const shown = redact(url);
    const down = report.unreachableIndexes.find((u) => u.index === shown || u.index === url);
    return { kind: 'index', source: shown, problem: down ? down.why : report.answered ? null : 'no answer' };
  });
}

/** The channels a conda solve asked. */
export function channelSources(conda: CondaSolveReport): StageSource[] {
  return conda.channels.map((channel) => ({
    kind: 'channel',
    source: channel,
    problem: conda.status === 'unavailable' ? (conda.unavailable ?? 'no channel data') : null,
  }));
}

/** What a pixi manifest's solves picked for the conda line `dep`, per environment and platform, as hover text. */
export function pixiPick(pixi: PixiSolveReport, dep: Dependency): string | null {
  // Per environment and platform: what each solve picked for the line.
  if (pixi.sources.some((d) => d.file === dep.file && d.span.start === dep.span.start))
    return (
      `pixi builds this package from its source (${codeSpan(redact(dep.url ?? ''))}) or takes it from that ` +
      `package file: it is not looked up on the channels, and not solved as a channel package.`
    );
  const parts = pixi.solves.flatMap((s) => {
    const text = condaReportModule().condaHover(s.conda, dep);
    const group = s.solveGroup ? `, solved with its solve-group ${escapeMarkdown(s.solveGroup)}` : '';
    return text ? [`In environment ${s.environment} (${s.platform}${group}): ${text}`] : [];
  });
  // The platforms left out, and how to ask for them.
  const envs = new Set(
    (dep.scopes ?? ['']).includes('')
      ? pixi.unsolved.map((u) => u.environment)
      : (dep.scopes ?? []).map((x) => x.replace(/^env:/, '')),
  );
  const left = [...new Set(pixi.unsolved.filter((u) => envs.has(u.environment)).flatMap((u) => u.platforms))];
  if (left.length)
    parts.push(
      `Not solved for ${left.map((p) => escapeMarkdown(p)).join(', ')}: this machine does not run ` +
        `${left.length > 1 ? 'them' : 'it'}. Ask for ${left.length > 1 ? 'them' : 'it'} with ` +
        `${codeSpan(`stack-doctor check --platform ${left[0]}`)} or the ${codeSpan('stackDoctor.pixiPlatforms')} ` +
        `setting, or judge against a profile of a machine that runs ${left.length > 1 ? 'them' : 'it'}.`,
    );
  return parts.length ? parts.join('\n\n') : null;
}
