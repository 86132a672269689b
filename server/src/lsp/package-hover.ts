// Package hover: what the set's lock records of the package under the cursor, and what the index says of it (summary,
// the version the set's resolution picks and what constrains it, the newest version, wheels, licence, links).
import type { CoreMetadata } from '../index/core-metadata';
import { redact } from '../index/credentials';
import type { MetadataProvider } from '../index/provider';
import { PYPI_SIMPLE, type IndexSelection } from '../index/selection';
import { projectPageUrl } from '../index/simple';
import type { Dependency } from '../model/types';
import { markerTextHolds } from '../pep/marker';
import type { Version } from '../pep/version';
import type { ResolutionOk } from '../resolver/types';
import { where } from '../checks/edits';
import { resolveSet, setRoots, type SetRoots } from '../workspace/set-resolution';
import { admits, pythonOf } from '../workspace/updates';
import { dependencyAt } from './features';
import { codeSpan, escapeMarkdown, safeLink } from '../model/markdown';
import type { EnvironmentSet } from '../model/sets';
import type { IndexContext } from '../workspace/index-context';
import { lockedHover, lockedVersionsOf } from './locked-versions';
import type { PackageVersions } from './package-versions';
import { markerEnvironmentFor } from '../system/profile';
import { newestOf, within } from '../workspace/project-versions';

/**
 * The most a hover waits, in all, for what is not known yet (versions, the resolution, metadata): it answers from what
 * is known and says what is still being fetched or resolved; the next hover has it (ms).
 */
const HOVER_BUDGET_MS = 50;

/** What a resolution of the set's base lines depends on: each line's name, extras, specifier and URL, in order. */
function rootsKey(roots: SetRoots): string {
  const line = (d: Dependency) => [d.name, d.extras, d.specifierUnknown ? '' : d.specifier, d.url ?? null];
  return JSON.stringify([roots.requirements.map(line), roots.constraints.map(line), roots.overrides.map(line)]);
}

/** Hover over a requirement: the package as the index and the set's resolution see it. */
export class PackageHover {
  /** Core metadata read for hovers, per provider and `name@version`. */
  private readonly metadata = new WeakMap<MetadataProvider, Map<string, Promise<CoreMetadata | null>>>();
  private readonly resolutions = new Map<
    string,
    {
      key: string;
      provider: MetadataProvider;
      result: Promise<ResolutionOk | null | undefined>;
      abort: AbortController;
    }
  >();
  /** The last resolution of each set (by root) that finished, whatever lines it was for. */
  private readonly lastResolved = new Map<string, { key: string; provider: MetadataProvider; ok: ResolutionOk }>();

  constructor(private readonly packages: PackageVersions) {}

  /**
   * The resolution of the set's base lines, shared by hovers while those lines ask for the same (edits elsewhere in the
   * text, comments, other scopes leave it as it is); null where the set does not resolve, undefined where it was
   * stopped (lines changed meanwhile: a newer resolution replaced it). `replaced`: it replaced a resolution of other
   * lines of the set (after an edit).
   */
  private resolution(
    set: EnvironmentSet,
    ic: IndexContext,
  ): { result: Promise<ResolutionOk | null | undefined>; key: string } {
    const roots = setRoots(set, ic.markerEnvironment);
    const key = rootsKey(roots);
    const hit = this.resolutions.get(set.root);
    if (hit && hit.key === key && hit.provider === ic.provider) return { result: hit.result, key };
    hit?.abort.abort();
    const abort = new AbortController();
    const result = resolveSet(set, roots, {
      provider: ic.provider,
      markerEnvironment: ic.markerEnvironment,
      python: pythonOf(ic),
      deadline: Date.now() + 20_000,
      signal: abort.signal,
    })
      .then((r) => {
        if (r.ok) {
          if (this.lastResolved.size > 32) this.lastResolved.clear();
          this.lastResolved.set(set.root, { key, provider: ic.provider, ok: r });
        }
        return r.ok ? r : r.reason === 'cancelled' ? undefined : null;
      })
      .catch(() => (abort.signal.aborted ? undefined : null));
    if (this.resolutions.size > 32) this.resolutions.clear();
    this.resolutions.set(set.root, { key, provider: ic.provider, result, abort });
    return { result, key };
  }

  /**
   * Markdown about the package under the offset, from the index (summary, the version chosen and why, links, newest,
   * wheels, licence); null when there is none.
   */
  async hover(filePath: string, offset: number): Promise<string | null> {
    const file = this.packages.host.parsed(filePath);
    const dep = file && dependencyAt(file, offset);
    if (!file || !dep || !dep.name || dep.kind === 'conda' || dep.url) return null;
    // What a lock of the set records is known without the index (offline too), and comes first.
    const set = this.packages.host.setsOf(filePath)[0];
    const env = set ? markerEnvironmentFor(this.packages.host.analysis.profileOf(set)) : null;
    const locked = set && env ? lockedHover(lockedVersionsOf(set, dep, env)) : null;
    const fromIndex = await this.fromIndex(filePath, dep);
    return locked && fromIndex ? `${locked}\n\n${fromIndex}` : (locked ?? fromIndex);
  }

  /** What the index and the set's resolution say of the requirement; null offline. */
  private async fromIndex(filePath: string, dep: Dependency): Promise<string | null> {
    const at = this.packages.contextFor(filePath);
    if (!at) return null;
    // Nothing here waits on the index for long: the answer is what is known within the budget, and says what is not.
    const deadline = Date.now() + HOVER_BUDGET_MS;
    const left = () => Math.max(0, deadline - Date.now());
    const entry = await this.packages.versionsSoon(at.ic, dep.name, left());
    if (!entry)
      return `The versions of ${dep.name} are still being fetched from ${describeIndex(at.ic.indexes)}; hover again for them.`;
    if (!entry.verdicts) return `Not on ${describeIndex(at.ic.indexes)}.`;
    const newest = newestOf(entry.verdicts);
    const { result, key } = this.resolution(at.set, at.ic);
    // The newest release's metadata is read meanwhile (the version picked is usually that one).
    const newestMd = this.coreMetadata(at.ic, dep.name, newest?.version).catch(() => null);
    // While the resolution of these lines runs, the last one of the set (before an edit) is shown at once, and said to
    // be: the hover waits for the running one only when there is no earlier one to show.
    const last = this.lastResolved.get(at.set.root);
    const shown = last?.provider === at.ic.provider && last.key !== key ? last.ok : undefined;
    const current = await within(result, shown ? 0 : left());
    const earlier = current === undefined ? shown : undefined;
    const resolution = current ?? earlier;
    const chosen = resolution?.versions.get(dep.name);
    const parts: string[] = [];
    const target = machineWords(at.ic.profile);
    const md = await within(
      chosen && !(newest && chosen.equals(newest.version)) ? this.coreMetadata(at.ic, dep.name, chosen) : newestMd,
      left(),
    ).catch(() => undefined);
    // Metadata is the package author's text: escaped, so it renders as text (no link, `command:` URI or HTML).
    if (md?.summary) parts.push(`*${escapeMarkdown(md.summary)}*`);
    if (chosen) {
      parts.push(
        `The ${earlier ? 'last ' : ''}resolution for ${target} picks **${dep.name} ${chosen}**` +
          (await this.why(at.set, at.ic, dep, resolution!, left)),
      );
      if (earlier) parts.push('The resolution of the lines as they are now is still running.');
    } else if (current === null) {
      parts.push('These requirements do not resolve together (see the problems), so no version is picked.');
    } else if (current === undefined) {
      parts.push('The resolution is still running; hover again for the version it picks.');
    }
    if (newest) {
      const ok = admits(dep.specifier, newest.version);
      parts.push(
        `Newest for ${target}: ` +
          `**${newest.version}**${ok === false ? ` (${codeSpan(dep.specifier)} excludes it)` : ''}.`,
      );
    }
    const judged = entry.verdicts.find((v) => chosen && v.version.equals(chosen)) ?? newest;
    if (judged) {
      const wheel = judged.files.find((f) => f.kind === 'wheel');
      parts.push(
        wheel
          ? `${judged.version} has a wheel for ${target} (${codeSpan(wheel.file.filename)}).`
          : `${judged.version} has no wheel for ${target}: pip would build it from the sdist.`,
      );
    }
    if (md?.license)
      parts.push(`Licence: ${escapeMarkdown(md.license.length > 80 ? md.license.slice(0, 77) + '...' : md.license)}.`);
    const links = [safeLink('Project page', projectPage(at.ic.indexes, dep.name)) ?? ''].filter((l) => l);
    const home = md?.homePage ? safeLink('Home page', md.homePage) : null;
    if (home) links.push(home);
    for (const u of md?.projectUrls ?? []) {
      const link = links.length < 5 ? safeLink(u.label, u.url) : null;
      if (link) links.push(link);
    }
    parts.push(links.join(' · '));
    return parts.join('\n\n');
  }

  /** Which lines and which chosen packages constrain `dep`'s package in the resolution. */
  private async why(
    set: EnvironmentSet,
    ic: IndexContext,
    dep: Dependency,
    resolution: ResolutionOk,
    left: () => number,
  ): Promise<string> {
    const reasons: string[] = [];
    for (const f of set.files) {
      for (const d of f.dependencies) {
        if (d.name === dep.name && d.specifier && !d.specifierUnknown && d.kind !== 'conda')
          reasons.push(`${codeSpan(where(d, set.files))} wants ${codeSpan(d.specifier)}`);
      }
    }
    const picked = [...resolution.versions].filter(([pkg]) => pkg !== dep.name && !pkg.includes('['));
    const wait = left();
    const read = await Promise.all(
      picked.map(([pkg, v]) => within(ic.provider.dependencies(pkg, v), wait).catch(() => 'unknown' as const)),
    );
    let unread = 0;
    for (const [i, [pkg, v]] of picked.entries()) {
      const md = read[i];
      if (md === undefined) unread++;
      if (!md || md === 'unknown') continue;
      for (const r of md.requires) {
        if (r.name !== dep.name || !r.specifier) continue;
        const extras = resolution.extras.get(pkg) ?? [];
        if (!['', ...extras].some((x) => markerTextHolds(r.marker, ic.markerEnvironment, x))) continue;
        reasons.push(`${escapeMarkdown(pkg)} ${v} needs ${codeSpan(r.specifier)}`);
      }
    }
    const pending = unread
      ? ` (the requirements of ${unread} picked package${unread === 1 ? '' : 's'} are still being read)`
      : '';
    return reasons.length
      ? `, constrained by${pending}:\n${reasons
          .slice(0, 12)
          .map((r) => `- ${r}`)
          .join('\n')}`
      : unread
        ? `${pending}.`
        : ' (nothing else constrains it: the newest that fits).';
  }

  /** The core metadata of `name` at `version` as the provider read it (from the metadata cache on disk). */
  private coreMetadata(ic: IndexContext, name: string, version: Version | undefined): Promise<CoreMetadata | null> {
    if (!version || !ic.cacheDir) return Promise.resolve(null);
    // Kept per provider, name and version (the metadata of a release does not change): hovers repeat.
    let memo = this.metadata.get(ic.provider);
    if (!memo) this.metadata.set(ic.provider, (memo = new Map()));
    const key = `${name}@${version}`;
    let md = memo.get(key);
    if (!md) {
      if (memo.size > 256) memo.clear();
      md = ic.provider.cachedCoreMetadata(name, version);
      memo.set(key, md);
      // A failure (or nothing cached yet) is asked again next time.
      md.then(
        (v) => (v === null ? memo.delete(key) : undefined),
        () => memo.delete(key),
      );
    }
    return md;
  }
}

function describeIndex(ix: IndexSelection): string {
  const first = ix.indexUrls[0] ?? ix.findLinks[0];
  return first ? redact(first) : 'any index (--no-index)';
}

function projectPage(ix: IndexSelection, name: string): string {
  const first = ix.indexUrls[0];
  if (!first || first.replace(/\/+$/, '') === PYPI_SIMPLE) return `https://pypi.org/project/${name}/`;
  return redact(projectPageUrl(first, name));
}

/** The machine in words a person knows: "Python 3.11 · Linux x86_64". */
function machineWords(profile: { os: string; arch: string; python?: { version: string } }): string {
  const os =
    ({ linux: 'Linux', darwin: 'macOS', windows: 'Windows' } as Record<string, string>)[profile.os] ?? profile.os;
  const py = profile.python?.version.split('.').slice(0, 2).join('.');
  return `${py ? `Python ${py} · ` : ''}${os} ${profile.arch}`;
}
