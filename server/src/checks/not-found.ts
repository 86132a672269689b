// `not-found`: the index has no such project, or no version that matches.
import { finding } from '../model/finding';
import { suggestName } from '../knowledge/popular';
import type { Dependency, Finding } from '../model/types';
import { noDistributionError, requirementLabel, scopeNote, unreachableNote } from './edits';
import { answeredByLock, describeTarget, forkNote, lockedFiles, lockedOnTarget } from './locked';
import type { Check, CheckContext } from './types';
import type { EnvironmentSet } from '../model/sets';

/**
 * Flags a top-level requirement whose project the index does not have (a typo, a private package on the
 * wrong index), whose specifier matches none of the versions it has, or whose matching versions have no file the
 * target can install (only wheels for another Python or platform, and no sdist).
 *
 * Bad: `nunpy`, `numpy==9.9`, or `scipy==1.11.1` on Python 3.10 where only a cp311 wheel exists. Good: `numpy` or
 * `numpy==2.1.0`.
 * Fix: for a missing project one edit away from a popular one (or a known alias: `pytorch`), the real name.
 * A locked version whose lock lists no file the target can install (no wheel that fits, no sdist) is reported on the
 * lock entry: installing the lock fails there.
 */
export const notFound: Check = {
  code: 'not-found',
  description: 'The index has no such project, or no such version.',
  run(set, ctx) {
    const locked = lockedFindings(set, ctx);
    const report = ctx.index?.get(set.root);
    if (!report) return locked;
    const note = unreachableNote(report);
    // What a lock answers for is installed from the files it lists: whether one fits is said on the lock entry.
    const missing = report.missing.filter(
      (m) => m.kind !== 'target' || !answeredByLock(m.dep, set, ctx.markerEnvironment),
    );
    const fromIndex = missing.map((m) => {
      if (m.onlyFrom) return uncertain(m.dep, m.onlyFrom, m.kind, m.where, m.newest, true);
      if (m.unsure?.length)
        return withSuggestion(
          m.kind === 'project' ? suggestName(m.dep.name) : null,
          m.dep,
          uncertain(m.dep, m.unsure, m.kind, m.where, m.newest, false),
        );
      const suggestion = m.kind === 'project' ? suggestName(m.dep.name) : null;
      const scope = scopeNote(m.dep);
      const forms =
        m.kind === 'project'
          ? [
              `No project named '${m.dep.rawName}'${scope} on the index${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
              `No project named '${m.dep.rawName}' on the index`,
            ]
          : m.kind === 'target'
            ? [
                `No file of ${m.dep.name}${scope} matching '${m.dep.specifier || 'any'}' installs on ${m.target ?? 'this machine'}`,
                `No file of ${m.dep.name} matching '${m.dep.specifier || 'any'}' installs here`,
                `No file of ${m.dep.name} installs here`,
              ]
            : [
                `No version of ${m.dep.name}${scope} matches '${m.dep.specifier}'${m.newest ? ` (the newest is ${m.newest})` : ''}`,
                `No version of ${m.dep.name} matches '${m.dep.specifier}'`,
                `No version of ${m.dep.name} matches what this line asks for`,
              ];
      const verdict = forms.find((f) => f.length < VERDICT_MAX) ?? forms[forms.length - 1]!;
      // A scope the verdict had no room for is said after it.
      const scoped = scope && !verdict.includes(scope) ? `${m.dep.rawName}${scope}: ` : '';
      const looked =
        scoped +
        (m.kind === 'target' && m.files?.length
          ? `Looked on ${m.where}: ${m.newest ?? 'its newest'} has only ${m.files.join(', ')}`
          : `Looked on ${m.where}`);
      const found = finding(
        'not-found',
        m.dep.file,
        m.kind === 'project' ? m.dep.nameSpan : m.dep.span,
        `${verdict}\n${looked}; ${noDistributionError(m.dep)}.${m.where.includes('could not be') ? '' : note}`,
      );
      return suggestion ? withSuggestion(suggestion, m.dep, found, false) : found;
    });
    return [...fromIndex, ...locked];
  },
};

/** Locked entries whose lock lists no file the target can install: neither a wheel that fits nor an sdist. */
function lockedFindings(set: EnvironmentSet, ctx: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const { entry, dep, lockName } of lockedOnTarget(set, ctx.markerEnvironment)) {
    const files = lockedFiles(entry, ctx.profile);
    if (files.kind !== 'none') continue;
    const shown = files.wheels.slice(0, 3).join(', ') + (files.wheels.length > 3 ? ', ...' : '');
    out.push(
      finding(
        'not-found',
        dep.file,
        dep.span,
        `${lockName} lists no file of ${entry.rawName} ${entry.version}${forkNote(entry)} that ` +
          `${describeTarget(ctx.profile)} can ` +
          `install (only ${shown}, and no sdist): ` +
          `installing the lock fails on this target.`,
      ),
    );
  }
  return out;
}

/**
 * A requirement the answering indexes lack while another source could not be asked about it: pip may find it there,
 * so the verdict is unknown, a warning that says so first. `only`: those sources are the only ones that could have it
 * (a local version such as `+cu121`, which public indexes refuse).
 */
function uncertain(
  dep: Dependency,
  hosts: string[],
  kind: 'project' | 'version' | 'target',
  where: string,
  newest: string | null,
  only: boolean,
): Finding {
  const answered =
    kind === 'project'
      ? `${where} has no project named '${dep.rawName}'`
      : kind === 'target'
        ? `${where} has no file of it this machine can install`
        : `${where} has no version matching '${dep.specifier}'${newest ? ` (the newest is ${newest})` : ''}`;
  return finding(
    'not-found',
    dep.file,
    dep.span,
    `${uncertainVerdict(dep, only)}\n` +
      (only
        ? `Only ${hosts.join(' or ')} could have it, and ${hosts.length > 1 ? 'they' : 'it'} could not be reached. `
        : `${hosts.join(' and ')} could not be asked, and ${hosts.length > 1 ? 'they' : 'it'} may have it. `) +
      `${answered}; pip would look on ${hosts.length > 1 ? 'those' : 'that'} index too.`,
    { severity: 'warning' },
  );
}

/** Messages lead with a verdict a Problems row shows whole. */
const VERDICT_MAX = 100;

/** The first line where the index that would know could not be asked. */
function uncertainVerdict(dep: Dependency, only: boolean): string {
  const why = only ? 'its index could not be reached' : 'an index that may have it could not be reached';
  const forms = [
    `Could not check ${requirementLabel(dep)}${scopeNote(dep)}: ${why}`,
    `Could not check ${dep.rawName}: ${why}`,
  ];
  return forms.find((f) => f.length < VERDICT_MAX) ?? forms[forms.length - 1]!;
}

/** The finding with "did you mean" (unless its verdict says it) and a fix that writes the suggested name. */
function withSuggestion(name: string | null, dep: Dependency, f: Finding, say = true): Finding {
  if (!name) return f;
  return {
    ...f,
    message: say ? `${f.message} Did you mean '${name}'?` : f.message,
    fixes: [
      { title: `Change to '${name}'`, edits: [{ file: dep.file, span: dep.nameSpan, newText: name }], preferred: true },
    ],
  };
}
