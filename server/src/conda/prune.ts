// Which gathered records can still be installed by a solve of the environment, so that the depends of the others need
// not be fetched (fewer shards on a cold sharded fetch). Only certain exclusions: a record is dropped when no solution
// of the lines, with the target's virtual packages, can hold it. A record the rules cannot judge is kept.
import { isMatchSpecError, parseMatchSpec, type MatchSpec } from '../conda-spec/match-spec';
import type { ChannelRecord } from './repodata';
import { specName } from './repodata';
import { recordMatches } from './record-match';
import type { SpecLine } from './solve';
import { CondaVersionSpec } from '../conda-spec/version';
import type { VirtualPackage } from './virtual-packages';
import type { ChannelPriority } from '../model/reports';

const parsed = new Map<string, MatchSpec | null>();

/** A `depends` entry as a MatchSpec (name, version, build), or null when it cannot be judged here. */
function depSpec(dep: string): MatchSpec | null {
  let m = parsed.get(dep);
  if (m === undefined) {
    const p = parseMatchSpec(dep);
    // Only what the rules here read: a version conda's grammar accepts and a build glob; anything else is not judged.
    m =
      isMatchSpecError(p) || p.url || (p.version && !(CondaVersionSpec.parse(p.version) instanceof CondaVersionSpec))
        ? null
        : p;
    if (parsed.size > 20000) parsed.clear();
    parsed.set(dep, m);
  }
  return m;
}

/** Whether a record surely fails a spec (false when unsure). */
function surelyFails(spec: Pick<MatchSpec, 'version' | 'build'>, r: { version: string; build: string }): boolean {
  if (spec.version && !(CondaVersionSpec.parse(spec.version) instanceof CondaVersionSpec)) return false;
  return !recordMatches(spec, r);
}

/**
 * A filter for `gather`: of the records of one name, those a solve of `lines` could install on a target with
 * `virtual`. Dropped: records of a line's name that the line's version/build (or its channel, or strict channel
 * priority) excludes; records that depend on a virtual package the target lacks or has in another version; records
 * that depend on a line's name in versions that none of the line's installable records has. Every line's name must be
 * gathered in the first round (before any other name), as `gather` does with its roots.
 */
export function installableFilter(
  lines: readonly SpecLine[],
  virtual: readonly VirtualPackage[],
  priority: ChannelPriority,
): (
  name: string,
  recs: readonly ChannelRecord[],
  all: ReadonlyMap<string, readonly ChannelRecord[]>,
) => ChannelRecord[] {
  const byName = new Map<string, SpecLine[]>();
  for (const l of lines) {
    const n = l.spec.name.toLowerCase();
    byName.set(n, [...(byName.get(n) ?? []), l]);
  }
  const vps = new Map(virtual.map((v) => [v.name, v]));
  /** Installable records of the lines' names, computed once their records are known. */
  const topInstallable = new Map<string, ChannelRecord[]>();

  const ownOk = (name: string, recs: readonly ChannelRecord[]): ChannelRecord[] => {
    const ls = byName.get(name);
    let keep = [...recs];
    if (ls) {
      const pinned = ls.find((l) => l.channel !== null);
      if (pinned) keep = keep.filter((r) => r.channel === pinned.channel);
      else if (priority === 'strict' && keep.length) {
        const first = Math.min(...keep.map((r) => r.channel));
        keep = keep.filter((r) => r.channel === first);
      }
      keep = keep.filter((r) => ls.every((l) => !surelyFails(l.spec, r)));
    } else if (priority === 'strict' && keep.length) {
      const first = Math.min(...keep.map((r) => r.channel));
      keep = keep.filter((r) => r.channel === first);
    }
    return keep.filter((r) =>
      r.depends.every((d) => {
        const vn = /^\s*(__[A-Za-z0-9_.-]+)/.exec(d)?.[1]?.toLowerCase();
        if (!vn) return true;
        const spec = depSpec(d);
        if (!spec) return true;
        const vp = vps.get(vn);
        // A virtual package the target lacks: the solver has no candidate for it.
        if (!vp) return false;
        return !surelyFails(spec, vp);
      }),
    );
  };

  return (name, recs, all) => {
    let keep = ownOk(name, recs);
    if (byName.has(name)) topInstallable.set(name, keep);
    keep = keep.filter((r) =>
      r.depends.every((d) => {
        const dn = specName(d);
        if (!dn || dn === name || !byName.has(dn)) return true;
        let top = topInstallable.get(dn);
        if (!top) {
          const theirs = all.get(dn);
          // Not known yet: cannot judge.
          if (!theirs) return true;
          top = ownOk(dn, theirs);
          topInstallable.set(dn, top);
        }
        const spec = depSpec(d);
        if (!spec) return true;
        return top.some((t) => !surelyFails(spec, t));
      }),
    );
    return keep;
  };
}
