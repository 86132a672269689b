// Editor features over the index: name and version completion, newest-version inlay hints, update actions verified by
// the resolver, and package hover. Answers from what is cached at once and refreshes in the background.
import {
  CodeAction,
  CodeActionKind,
  InlayHintKind,
  type CompletionList,
  type InlayHint,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { hasPep440Text, where } from '../checks/edits';
import type { EnvironmentSet, IndexContext } from '../workspace/types';
import type { VersionVerdict } from '../index/candidates';
import { DiskCache } from '../index/cache';
import { parseCoreMetadata, type CoreMetadata } from '../index/core-metadata';
import { redact } from '../index/credentials';
import { CancelledError, IndexError, NotFoundError } from '../index/errors';
import type { MetadataProvider } from '../index/provider';
import { ProjectListCache } from '../index/project-list';
import { PYPI_SIMPLE, type IndexSelection } from '../index/selection';
import { projectPageUrl } from '../index/simple';
import { indexOrigin } from '../index/url-origin';
import type { Dependency, FileKind, ParsedFile } from '../model/types';
import { LineIndex } from '../model/text';
import { markerTextHolds } from '../pep/marker';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import type { ResolutionOk } from '../resolver/types';
import { isExactPin, raiseTo, resolveSet, setRoots, type SetRoots } from '../workspace/set-resolution';
import { completionContext, nameItems, versionItems } from './completion';
import { fileUri, toRange } from './convert';
import { dependencyAt } from './features';
import { codeSpan, escapeMarkdown, safeLink } from '../model/markdown';
import type { Settings } from './settings';
import { nextTurn } from '../model/turns';

/** The server state the features read (the session implements it). */
export interface EditorHost {
  readonly settings: Settings;
  parsed(filePath: string): ParsedFile | undefined;
  setsOf(filePath: string): EnvironmentSet[];
  /** Null offline. */
  indexContext(set: EnvironmentSet): IndexContext | null;
}

interface VersionsEntry {
  at: number;
  /** Newest first; null: the index has no such project. */
  verdicts: VersionVerdict[] | null;
}

/** How long a hover waits for a set's resolution when its lines changed since the last one (ms). */
const RESOLUTION_AGAIN_WAIT_MS = 30;

/** How long what one project page said is used before it is asked again (the provider's page TTL). */
const VERSIONS_TTL_MS = 10 * 60 * 1000;

function newestOf(verdicts: readonly VersionVerdict[]): VersionVerdict | undefined {
  const usable = verdicts.filter((v) => v.files.length > 0);
  return usable.find((v) => !v.version.isPrerelease) ?? usable[0];
}

function admits(specifier: string, v: Version): boolean | null {
  try {
    return SpecifierSet.parse(specifier).contains(v, true);
  } catch {
    return null;
  }
}

/** What a resolution of the set's base lines depends on: each line's name, extras, specifier and URL, in order. */
function rootsKey(roots: SetRoots): string {
  const line = (d: Dependency) => [d.name, d.extras, d.specifierUnknown ? '' : d.specifier, d.url ?? null];
  return JSON.stringify([roots.requirements.map(line), roots.constraints.map(line), roots.overrides.map(line)]);
}

/** Races `p` against a timer; `undefined` when the timer wins (the work goes on in the background). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

export interface EditorFeaturesOptions {
  /** How long a request waits for data that is not cached yet before answering without it (ms, default 1500). */
  waitMs?: number;
  /** Called (debounced) when data that requests were answered without has arrived: inlay hints can refresh. */
  onDataChanged?: () => void;
}

export class EditorFeatures {
  private readonly lists = new Map<string, ProjectListCache>();
  private readonly versions = new WeakMap<MetadataProvider, Map<string, VersionsEntry>>();
  private readonly flights = new WeakMap<MetadataProvider, Map<string, Promise<VersionsEntry | null>>>();
  /** Core metadata read for hovers, per provider and `name@version`. */
  private readonly metadata = new WeakMap<MetadataProvider, Map<string, Promise<CoreMetadata | null>>>();
  /** Loads asked for and not started yet (`loadLater`). */
  private readonly queued = new WeakMap<MetadataProvider, Set<string>>();
  private readonly resolutions = new Map<
    string,
    {
      key: string;
      provider: MetadataProvider;
      result: Promise<ResolutionOk | null | undefined>;
      abort: AbortController;
      /** It replaced a resolution of other lines of the set (an edit's): hovers wait for it only briefly. */
      replaced: boolean;
    }
  >();
  private changedTimer: NodeJS.Timeout | undefined;
  private readonly waitMs: number;

  constructor(
    private readonly host: EditorHost,
    private readonly opts: EditorFeaturesOptions = {},
  ) {
    this.waitMs = opts.waitMs ?? 1500;
  }

  private contextFor(filePath: string): { set: EnvironmentSet; ic: IndexContext } | null {
    if (this.host.settings.offline) return null;
    const set = this.host.setsOf(filePath)[0];
    const ic = set ? this.host.indexContext(set) : null;
    return set && ic ? { set, ic } : null;
  }

  private listCache(cacheDir: string | null): ProjectListCache {
    const key = cacheDir ?? '';
    let c = this.lists.get(key);
    if (!c) this.lists.set(key, (c = new ProjectListCache({ cacheDir })));
    return c;
  }

  private dataChanged(): void {
    if (!this.opts.onDataChanged || this.changedTimer) return;
    this.changedTimer = setTimeout(() => {
      this.changedTimer = undefined;
      this.opts.onDataChanged?.();
    }, 200);
  }

  /**
   * What is known of a project's versions now (undefined: nothing yet); a missing or stale entry is fetched in the
   * background.
   */
  private versionsNow(provider: MetadataProvider, name: string): VersionsEntry | undefined {
    const known = this.versions.get(provider)?.get(name);
    if (!known || Date.now() - known.at >= VERSIONS_TTL_MS) this.loadLater(provider, name);
    return known;
  }

  /**
   * Loads a project's versions in a later turn, once the messages waiting are handled: a request that only peeks
   * (code actions over every line of a file) answers at once instead of starting every load itself.
   */
  private loadLater(provider: MetadataProvider, name: string): void {
    let queued = this.queued.get(provider);
    if (!queued) this.queued.set(provider, (queued = new Set()));
    if (queued.has(name) || this.flights.get(provider)?.has(name)) return;
    queued.add(name);
    void nextTurn()
      .then(() => {
        queued.delete(name);
        const known = this.versions.get(provider)?.get(name);
        return known && Date.now() - known.at < VERSIONS_TTL_MS ? known : this.loadVersions(provider, name);
      })
      .catch(() => null);
  }

  /** The project's versions, waiting up to `waitMs` for a first answer. */
  private async versionsSoon(
    provider: MetadataProvider,
    name: string,
    waitMs = this.waitMs,
  ): Promise<VersionsEntry | undefined> {
    const known = this.versionsNow(provider, name);
    if (known) return known;
    return (await within(this.loadVersions(provider, name), waitMs)) ?? undefined;
  }

  private loadVersions(provider: MetadataProvider, name: string): Promise<VersionsEntry | null> {
    let flights = this.flights.get(provider);
    if (!flights) this.flights.set(provider, (flights = new Map()));
    let f = flights.get(name);
    if (f) return f;
    f = (async () => {
      let entry: VersionsEntry;
      try {
        entry = { at: Date.now(), verdicts: await provider.explain(name, { pre: true }) };
      } catch (e) {
        if (e instanceof NotFoundError) entry = { at: Date.now(), verdicts: null };
        else if (e instanceof IndexError || e instanceof CancelledError) return null;
        else throw e;
      }
      let memo = this.versions.get(provider);
      if (!memo) this.versions.set(provider, (memo = new Map()));
      const first = !memo.has(name);
      memo.set(name, entry);
      if (first) this.dataChanged();
      return entry;
    })().finally(() => flights!.delete(name));
    flights.set(name, f);
    return f;
  }

  // ---------------------------------------------------------------------------------------------
  // Completion

  /**
   * Names or versions at the offset; null where the cursor is in no such place (other completions apply), an
   * empty list where PyPI names do not belong (conda's part of environment.yml) or nothing is known yet.
   */
  async complete(filePath: string, kind: FileKind, text: string, offset: number): Promise<CompletionList | null> {
    const cx = completionContext(kind, text, offset);
    if (!cx) return null;
    if (cx.type === 'none') return { isIncomplete: false, items: [] };
    const at = this.contextFor(filePath);
    if (!at) return { isIncomplete: false, items: [] };
    const lines = new LineIndex(text);
    const range = toRange(cx.span, lines);
    if (cx.type === 'name') {
      const lists = this.listCache(at.ic.cacheDir);
      const urls = at.ic.indexes.noIndex ? [] : at.ic.indexes.indexUrls;
      const found: string[] = [];
      const seen = new Set<string>();
      let pending = false;
      for (const url of urls) {
        const origin = indexOrigin(at.ic.indexes, url);
        const names =
          lists.peek(url, origin) ?? (await within(lists.get(url, undefined, origin), this.waitMs).catch(() => null));
        if (!names) {
          pending = true;
          continue;
        }
        for (const n of names.matching(cx.typed, 100)) {
          const k = n.toLowerCase().replace(/[-_.]+/g, '-');
          if (!seen.has(k)) {
            seen.add(k);
            found.push(n);
          }
        }
      }
      return { isIncomplete: pending || found.length >= 100, items: nameItems(found.slice(0, 100), range) };
    }
    const entry = await this.versionsSoon(at.ic.provider, cx.name.toLowerCase().replace(/[-_.]+/g, '-'));
    if (!entry) return { isIncomplete: true, items: [] };
    return { isIncomplete: false, items: entry.verdicts ? versionItems(entry.verdicts, cx.typed, range) : [] };
  }

  // ---------------------------------------------------------------------------------------------
  // What is newer: inlay hints and update actions

  private candidates(file: ParsedFile): Dependency[] {
    return file.dependencies.filter(
      (d) => d.name && !d.url && !d.editable && d.kind !== 'conda' && !d.specifierUnknown,
    );
  }

  /** After each requirement of the range: the newest version the index has, and whether the specifier admits it. */
  inlayHints(filePath: string, range: Range): InlayHint[] {
    if (!this.host.settings.newerVersions) return [];
    const file = this.host.parsed(filePath);
    const at = this.contextFor(filePath);
    if (!file || !at) return [];
    const lines = new LineIndex(file.text);
    const out: InlayHint[] = [];
    for (const dep of this.candidates(file)) {
      const pos = lines.positionAt(dep.span.end);
      if (pos.line < range.start.line || pos.line > range.end.line) continue;
      const entry = this.versionsNow(at.ic.provider, dep.name);
      const newest = entry?.verdicts ? newestOf(entry.verdicts) : undefined;
      if (!newest) continue;
      const ok = admits(dep.specifier, newest.version);
      if (ok === null) continue;
      const q = file.text[dep.span.end];
      const end = q === '"' || q === "'" ? lines.positionAt(dep.span.end + 1) : pos;
      out.push({
        position: end,
        label: ok ? `${newest.version} newest` : `${newest.version} available, excluded`,
        kind: InlayHintKind.Type,
        paddingLeft: true,
        tooltip: ok
          ? `${dep.name} ${newest.version} is the newest version the index has for ` +
            `the target, and \`${dep.specifier || '(any version)'}\` admits it.`
          : `${dep.name} ${newest.version} is the newest version the ` +
            `index has for the target; \`${dep.specifier}\` excludes it.`,
      });
    }
    return out;
  }

  /**
   * "Update to the newest version that resolves" for each requirement in `range` whose specifier excludes the
   * newest version, and "Update all in this file"; with `lazy`, the edits are left for `resolveCodeAction`.
   */
  async codeActions(filePath: string, range: Range, lazy: boolean): Promise<CodeAction[]> {
    if (!this.host.settings.newerVersions) return [];
    const file = this.host.parsed(filePath);
    const at = this.contextFor(filePath);
    if (!file || !at) return [];
    const lines = new LineIndex(file.text);
    const outdated = this.candidates(file).filter((d) => {
      if (!hasPep440Text(d) || d.kind === 'build') return false;
      const newest = this.versionsNow(at.ic.provider, d.name)?.verdicts;
      const n = newest ? newestOf(newest) : undefined;
      return n !== undefined && admits(d.specifier, n.version) === false;
    });
    const out: CodeAction[] = [];
    for (const dep of outdated) {
      const s = lines.positionAt(dep.span.start).line;
      const e = lines.positionAt(dep.span.end).line;
      if (e < range.start.line || s > range.end.line) continue;
      const action = CodeAction.create(
        `Update ${dep.rawName} to the newest version that resolves`,
        CodeActionKind.QuickFix,
      );
      action.data = { stackDoctor: 'update-one', file: filePath, start: dep.span.start };
      out.push(action);
    }
    if (outdated.length > 0) {
      const all = CodeAction.create(
        'Update all requirements in this file to the newest versions that resolve',
        CodeActionKind.Source,
      );
      all.data = { stackDoctor: 'update-all', file: filePath };
      out.push(all);
    }
    if (lazy) return out;
    const done: CodeAction[] = [];
    for (const a of out) {
      const r = await this.resolveCodeAction(a);
      if (r.edit) done.push(r);
    }
    return done;
  }

  /**
   * Computes the edit of an update action (verified by resolving the whole set); an action without an edit when none
   * resolves.
   */
  async resolveCodeAction(action: CodeAction): Promise<CodeAction> {
    const data = action.data as { stackDoctor?: string; file?: string; start?: number } | undefined;
    if (!data?.stackDoctor || !data.file) return action;
    const file = this.host.parsed(data.file);
    const at = this.contextFor(data.file);
    if (!file || !at) return action;
    const changes =
      data.stackDoctor === 'update-one'
        ? await this.updateOne(file, at, data.start ?? -1)
        : await this.updateAll(file, at);
    if (!changes || changes.size === 0) return action;
    const lines = new LineIndex(file.text);
    const edit: WorkspaceEdit = {
      changes: {
        [fileUri(file.path)]: [...changes].map(([d, spec]) => ({
          range: toRange(d.specifierSpan, lines),
          newText: spec,
        })),
      },
    };
    return { ...action, edit };
  }

  private python(ic: IndexContext): string {
    return ic.profile.python?.version ?? ic.markerEnvironment.python_full_version ?? '3.12.0';
  }

  private async updateOne(
    file: ParsedFile,
    at: { set: EnvironmentSet; ic: IndexContext },
    start: number,
  ): Promise<Map<Dependency, string> | null> {
    const dep = file.dependencies.find((d) => d.span.start === start);
    if (!dep || !hasPep440Text(dep)) return null;
    const roots = setRoots(at.set, at.ic.markerEnvironment);
    const opts = {
      provider: at.ic.provider,
      markerEnvironment: at.ic.markerEnvironment,
      python: this.python(at.ic),
      deadline: Date.now() + 20_000,
    };
    const pre = (() => {
      try {
        return SpecifierSet.parse(dep.specifier).specifiers.some(
          (s) => Version.parse(s.version.replace(/\.\*$/, ''))?.isPrerelease,
        );
      } catch {
        return false;
      }
    })();
    const versions = (await at.ic.provider.versions(dep.name)).filter(
      (v) => (pre || !v.isPrerelease) && admits(dep.specifier, v) === false,
    );
    let attempts = 0;
    for (const v of versions) {
      if (attempts++ >= 8 || Date.now() > opts.deadline) break;
      const spec = isExactPin(dep.specifier) ? `==${v}` : raiseTo(dep.specifier, v);
      if (!spec) continue;
      if (!roots.requirements.includes(dep) && !roots.constraints.includes(dep)) return new Map([[dep, spec]]);
      const r = await resolveSet(at.set, roots, opts, new Map([[dep, `==${v}`]]));
      if (!r.ok) continue;
      if (spec !== `==${v}` && !(await resolveSet(at.set, roots, opts, new Map([[dep, spec]]))).ok) continue;
      return new Map([[dep, spec]]);
    }
    return null;
  }

  /**
   * One resolution with this file's requirements free, then each line moved to what it chose where it excluded that;
   * verified once.
   */
  private async updateAll(
    file: ParsedFile,
    at: { set: EnvironmentSet; ic: IndexContext },
  ): Promise<Map<Dependency, string> | null> {
    const roots = setRoots(at.set, at.ic.markerEnvironment);
    const mine = roots.requirements.filter((d) => d.file === file.path && hasPep440Text(d));
    if (mine.length === 0) return null;
    const opts = {
      provider: at.ic.provider,
      markerEnvironment: at.ic.markerEnvironment,
      python: this.python(at.ic),
      deadline: Date.now() + 30_000,
    };
    const free = await resolveSet(at.set, roots, opts, new Map(mine.map((d) => [d, ''])));
    if (!free.ok) return null;
    const changes = new Map<Dependency, string>();
    for (const d of mine) {
      const chosen = free.versions.get(d.name);
      if (!chosen) continue;
      const ok = admits(d.specifier, chosen);
      if (ok === null) continue;
      if (ok) continue;
      const pinned = isExactPin(d.specifier);
      const spec = pinned ? `==${chosen}` : raiseTo(d.specifier, chosen);
      if (spec) changes.set(d, spec);
    }
    if (changes.size === 0) return null;
    const check = await resolveSet(at.set, roots, opts, changes);
    return check.ok ? changes : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Hover

  /**
   * The resolution of the set's base lines, shared by hovers while those lines ask for the same (edits elsewhere in the
   * text, comments, other scopes leave it as it is); null where the set does not resolve, undefined where it was
   * stopped (lines changed meanwhile: a newer resolution replaced it). `replaced`: it replaced a resolution of other
   * lines of the set (after an edit).
   */
  private resolution(
    set: EnvironmentSet,
    ic: IndexContext,
  ): { result: Promise<ResolutionOk | null | undefined>; replaced: boolean } {
    const roots = setRoots(set, ic.markerEnvironment);
    const key = rootsKey(roots);
    const hit = this.resolutions.get(set.root);
    if (hit && hit.key === key && hit.provider === ic.provider) return { result: hit.result, replaced: hit.replaced };
    hit?.abort.abort();
    const abort = new AbortController();
    const result = resolveSet(set, roots, {
      provider: ic.provider,
      markerEnvironment: ic.markerEnvironment,
      python: this.python(ic),
      deadline: Date.now() + 20_000,
      signal: abort.signal,
    })
      .then((r) => (r.ok ? r : r.reason === 'cancelled' ? undefined : null))
      .catch(() => (abort.signal.aborted ? undefined : null));
    if (this.resolutions.size > 32) this.resolutions.clear();
    const replaced = hit?.provider === ic.provider;
    this.resolutions.set(set.root, { key, provider: ic.provider, result, abort, replaced });
    return { result, replaced };
  }

  /**
   * Markdown about the package under the offset, from the index (summary, the version chosen and why, links, newest,
   * wheels, licence); null when there is none.
   */
  async hover(filePath: string, offset: number): Promise<string | null> {
    const file = this.host.parsed(filePath);
    const dep = file && dependencyAt(file, offset);
    if (!file || !dep || !dep.name || dep.kind === 'conda' || dep.url) return null;
    const at = this.contextFor(filePath);
    if (!at) return null;
    const entry = await this.versionsSoon(at.ic.provider, dep.name);
    if (!entry) return null;
    if (!entry.verdicts) return `Not on ${describeIndex(at.ic.indexes)}.`;
    const newest = newestOf(entry.verdicts);
    // The first resolution of a set is waited for; after an edit changed its lines, a hover does not wait long for the
    // new one (it goes on, and the next hover has it).
    const { result, replaced } = this.resolution(at.set, at.ic);
    // The newest release's metadata is read meanwhile (the version picked is usually that one).
    const newestMd = this.coreMetadata(at.ic, dep.name, newest?.version).catch(() => null);
    const resolution = await within(result, replaced ? RESOLUTION_AGAIN_WAIT_MS : this.waitMs * 2);
    const chosen = resolution?.versions.get(dep.name);
    const parts: string[] = [];
    const md = await within(
      chosen && !(newest && chosen.equals(newest.version)) ? this.coreMetadata(at.ic, dep.name, chosen) : newestMd,
      this.waitMs,
    ).catch(() => undefined);
    // Metadata is the package author's text: escaped, so it renders as text (no link, `command:` URI or HTML).
    if (md?.summary) parts.push(`*${escapeMarkdown(md.summary)}*`);
    if (chosen) {
      parts.push(
        `The resolution of this set picks **${dep.name} ${chosen}**${await this.why(at.set, at.ic, dep, resolution!)}`,
      );
    } else if (resolution === null) {
      parts.push('This set does not resolve (see the diagnostics), so no version is picked.');
    } else if (resolution === undefined) {
      parts.push('The resolution of this set is still running; hover again for the version it picks.');
    }
    if (newest) {
      const ok = admits(dep.specifier, newest.version);
      parts.push(
        `Newest on the index for the target: ` +
          `**${newest.version}**${ok === false ? ` (${codeSpan(dep.specifier)} excludes it)` : ''}.`,
      );
    }
    const judged = entry.verdicts.find((v) => chosen && v.version.equals(chosen)) ?? newest;
    if (judged) {
      const wheel = judged.files.find((f) => f.kind === 'wheel');
      parts.push(
        wheel
          ? `${judged.version} has a wheel for the target (${codeSpan(wheel.file.filename)}).`
          : `${judged.version} has no wheel for the target: pip would build it from the sdist.`,
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
  private async why(set: EnvironmentSet, ic: IndexContext, dep: Dependency, resolution: ResolutionOk): Promise<string> {
    const reasons: string[] = [];
    for (const f of set.files) {
      for (const d of f.dependencies) {
        if (d.name === dep.name && d.specifier && !d.specifierUnknown && d.kind !== 'conda')
          reasons.push(`${codeSpan(where(d, set.files))} wants ${codeSpan(d.specifier)}`);
      }
    }
    for (const [pkg, v] of resolution.versions) {
      if (pkg === dep.name || pkg.includes('[')) continue;
      const md = await within(ic.provider.dependencies(pkg, v), 500).catch(() => undefined);
      if (!md || md === 'unknown') continue;
      for (const r of md.requires) {
        if (r.name !== dep.name || !r.specifier) continue;
        const extras = resolution.extras.get(pkg) ?? [];
        if (!['', ...extras].some((x) => markerTextHolds(r.marker, ic.markerEnvironment, x))) continue;
        reasons.push(`${escapeMarkdown(pkg)} ${v} needs ${codeSpan(r.specifier)}`);
      }
    }
    return reasons.length
      ? `, constrained by:\n${reasons
          .slice(0, 12)
          .map((r) => `- ${r}`)
          .join('\n')}`
      : ' (nothing else constrains it: the newest that fits).';
  }

  /**
   * The core metadata of `name` at `version` as the provider read it (from the metadata cache on disk).
   * Hook wanted in MetadataProvider: a `coreMetadata(name, version)` method would make the cache keys private again.
   */
  private coreMetadata(ic: IndexContext, name: string, version: Version | undefined): Promise<CoreMetadata | null> {
    if (!version || !ic.cacheDir) return Promise.resolve(null);
    // Kept per provider, name and version (the metadata of a release does not change): hovers repeat.
    let memo = this.metadata.get(ic.provider);
    if (!memo) this.metadata.set(ic.provider, (memo = new Map()));
    const key = `${name}@${version}`;
    let md = memo.get(key);
    if (!md) {
      if (memo.size > 256) memo.clear();
      md = this.readCoreMetadata(ic, name, version);
      memo.set(key, md);
      // A failure (or nothing cached yet) is asked again next time.
      md.then(
        (v) => (v === null ? memo.delete(key) : undefined),
        () => memo.delete(key),
      );
    }
    return md;
  }

  private async readCoreMetadata(ic: IndexContext, name: string, version: Version): Promise<CoreMetadata | null> {
    if (!ic.cacheDir) return null;
    const md = await ic.provider.dependencies(name, version).catch(() => 'unknown' as const);
    if (md === 'unknown') return null;
    const verdicts = await ic.provider.explain(name, { specifier: `===${version}`, pre: true });
    const file = verdicts.find((v) => v.version.equals(version))?.files[0]?.file;
    if (!file) return null;
    const cache = new DiskCache(ic.cacheDir);
    for (const key of [file.url + '.metadata', file.url + '#METADATA', file.url + '#PKG-INFO']) {
      const hit = await cache.get('metadata', key);
      if (hit) return parseCoreMetadata(hit.body.toString('utf8'));
    }
    return null;
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
