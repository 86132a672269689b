// The gathered records of a solve served to rattler as one in-memory channel, with the way back from a picked file to
// the channel record it came from.
import { crypto } from '../system/lazy-modules';
import type { MatchSpec } from '../conda-spec/match-spec';
import { VIRTUAL_HOST, type RattlerSolver } from './rattler';
import type { ChannelRecord } from './repodata';
import type { ChannelPriority } from '../model/reports';

/** The served repodata of a solve and the way back from a picked file to its channel. */
export interface Served {
  id: string;
  channelUrl: string;
  byFile: Map<string, ChannelRecord>;
}

/**
 * Serves the gathered records as one in-memory channel, channel priority applied as conda defines it: strict
 * keeps, per name, only the records of the first channel that has the name; flexible and disabled keep all
 * (the first channel's copy of an identical file). A `channel::name` line keeps only that channel's records of the
 * name.
 */
export function serve(
  setup: {
    /** The top-level lines: a `channel::name` line's channel index, or null. */
    lines: readonly { spec: Pick<MatchSpec, 'name'>; channel: number | null }[];
    records: ReadonlyMap<string, ChannelRecord[]>;
    priority: ChannelPriority;
    subdir: string;
  },
  solver: RattlerSolver,
): Served {
  const id = crypto().randomBytes(6).toString('hex');
  const pinned = new Map<string, number>();
  for (const l of setup.lines) if (l.channel !== null) pinned.set(l.spec.name.toLowerCase(), l.channel);
  const bySubdir = new Map<string, { packages: Record<string, unknown>; 'packages.conda': Record<string, unknown> }>();
  const byFile = new Map<string, ChannelRecord>();
  for (const sd of [setup.subdir, 'noarch']) bySubdir.set(sd, { packages: {}, 'packages.conda': {} });
  for (const [name, recs] of setup.records) {
    let keep = recs;
    const pin = pinned.get(name);
    if (pin !== undefined) keep = keep.filter((r) => r.channel === pin);
    else if (setup.priority === 'strict' && keep.length) {
      const first = Math.min(...keep.map((r) => r.channel));
      keep = keep.filter((r) => r.channel === first);
    }
    for (const r of keep) {
      const sd = bySubdir.get(r.subdir === 'noarch' ? 'noarch' : setup.subdir);
      if (!sd) continue;
      const key = `${r.subdir === 'noarch' ? 'noarch' : setup.subdir}/${r.fn}`;
      if (byFile.has(key)) continue;
      byFile.set(key, r);
      const json: Record<string, unknown> = {
        name: r.name,
        version: r.version,
        build: r.build,
        build_number: r.build_number,
        depends: r.depends,
        constrains: r.constrains,
        subdir: r.subdir === 'noarch' ? 'noarch' : setup.subdir,
      };
      if (r.track_features) json['track_features'] = r.track_features;
      if (r.features) json['features'] = r.features;
      if (r.noarch) json['noarch'] = r.noarch;
      if (r.timestamp) json['timestamp'] = r.timestamp;
      (r.fn.endsWith('.conda') ? sd['packages.conda'] : sd.packages)[r.fn] = json;
    }
  }
  const files: Record<string, string> = {};
  for (const [sd, data] of bySubdir)
    files[`/${id}/${sd}/repodata.json`] = JSON.stringify({ info: { subdir: sd }, ...data });
  solver.register(id, files);
  return { id, channelUrl: `http://${VIRTUAL_HOST}/${id}`, byFile };
}
