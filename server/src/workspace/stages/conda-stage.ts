// The conda stage: conda's solve of an environment.yml set (`conda/report.ts`), for the machine itself: its platform and
// virtual packages, not a Python the file pins.
import { condaReport } from '../../conda/report';
import type { CondaSolveReport } from '../../model/reports';
import type { Stage } from './stage';

/** Conda's report on a set whose root is an environment.yml; null for any other set. */
export const stage: Stage<CondaSolveReport> = {
  run(set, ctx, signal) {
    if (set.files[0]?.kind !== 'conda') return Promise.resolve(null);
    return condaReport(set, {
      profile: ctx.machine,
      cacheDir: ctx.cacheDir,
      signal,
      offline: ctx.offline,
      trustWorkspace: ctx.trusted,
      timeoutMs: ctx.timeoutMs ?? 30_000,
    });
  },
};
