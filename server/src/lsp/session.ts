// The server's state: open documents, the analyzer, settings and the target machine; analyses and publishes per environment set.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { runChecks } from '../checks/registry';
import type { CheckContext, EnvironmentSet, InstalledReport, SetIndexReport } from '../checks/types';
import { CancelledError } from '../index/errors';
import { readInstalled } from '../index/installed';
import type { FileKind, Finding, ParsedFile } from '../model/types';
import { LineIndex } from '../model/text';
import { loadProfile, markerEnvironmentFor, ProfileError, type MachineProfile } from '../system/profile';
import { probe, probePython } from '../system/probe';
import { Analyzer, diskSource } from '../workspace/analyzer';
import { classify } from '../workspace/file-kinds';
import { defaultCacheDir, indexesFor, indexReport, ProviderPool } from '../workspace/index-stage';
import { fileUri, toDiagnostic } from './convert';
import type { IndexContext } from './editor';
import { OsvDatabase } from '../index/osv';
import { AdvisorySource, vulnerabilityReport, type VulnerabilityReport } from '../workspace/vulnerability-stage';
import { defaultSettings, type Settings } from './settings';

/** A document's file path, or undefined for non-file URIs (untitled buffers are analysed under a made-up path). */
export function pathOf(uri: string): string | undefined {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The kind a document is read as: by name, else by the editor's language. */
export function kindOf(filePath: string, languageId?: string): FileKind | null {
  const byName = classify(filePath);
  if (byName) return byName;
  if (languageId === 'pip-requirements') return 'requirements';
  return null;
}

export class Session {
  settings: Settings = defaultSettings;
  trusted = true;
  /** The interpreter of the environment the client activated (`stackDoctor/activeEnvironment`); wins over the setting. */
  activePython: string | undefined;
  readonly analyzer: Analyzer;
  private readonly docs = new Map<string, TextDocument>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Files each trigger last published for, to clear those that left its sets. */
  private readonly publishedBy = new Map<string, Set<string>>();
  private profile: MachineProfile = { os: process.platform === 'win32' ? 'windows' : process.platform, arch: process.arch };
  private profileNote: string | undefined;
  /** Counts loadTarget calls, so that an overlapped, older one does not overwrite the target of a newer one. */
  private targetGeneration = 0;
  private installed: InstalledReport | undefined;
  /** The index stage's last report per set root, valid while the set's texts are those of `key`. */
  private readonly indexReports = new Map<string, { key: string; report: SetIndexReport }>();
  private readonly indexRuns = new Map<string, { timer: NodeJS.Timeout; abort: AbortController }>();
  /** The vulnerability stage's last report per set root, valid while the set's texts are those of `key`. */
  private readonly vulnerabilityReports = new Map<string, { key: string; report: VulnerabilityReport }>();
  private advisories: { path: string; source: Promise<AdvisorySource> } | undefined;
  private pool: ProviderPool | undefined;
  /** The first workspace folder: relative `profile` and `cacheDir` settings are read from it. */
  workspaceRoot: string | undefined;
  /** Whether the client shows server-initiated work-done progress. */
  progressSupported = false;

  constructor(private readonly connection: Connection) {
    this.analyzer = new Analyzer({ read: (p) => this.docs.get(p)?.getText() ?? diskSource.read(p) });
  }

  /**
   * Loads the target machine: the profile file of the settings, else this machine (the interpreter only when trusted).
   * Calls overlap (settings and environment notifications are not awaited one by one): only the latest one sets the target.
   */
  async loadTarget(): Promise<void> {
    const generation = ++this.targetGeneration;
    // A later call (newer settings, another environment) decides the target; what this one awaited is out of date.
    const superseded = (): boolean => generation !== this.targetGeneration;
    this.profileNote = undefined;
    if (this.settings.profile) {
      try {
        this.profile = loadProfile(this.resolveSetting(this.settings.profile));
        this.resetIndexStage();
        return;
      } catch (e) {
        this.profileNote = e instanceof ProfileError ? e.message : String(e);
        this.connection.window.showWarningMessage(`Stack Doctor: ${this.profileNote}. Judging against this machine instead.`);
      }
    }
    // The client only sends an activated environment in a trusted workspace; the setting may come from the workspace.
    const python = this.activePython ?? (this.trusted && this.settings.pythonPath ? this.settings.pythonPath : undefined);
    const profile = await probe(python);
    if (superseded()) return;
    this.profile = profile;
    this.installed = undefined;
    if (python && !profile.python) {
      const fallback = await probePython(process.platform === 'win32' ? 'python' : 'python3');
      if (superseded()) return;
      this.connection.window.showWarningMessage(`Stack Doctor: could not run the interpreter '${python}' (stackDoctor.pythonPath); markers are evaluated for ${fallback ? `python ${fallback.version}` : 'a default Python'} instead.`);
      if (fallback) profile.python = fallback;
    } else if (python) {
      try {
        const env = await readInstalled(python);
        if (superseded()) return;
        this.installed = { name: path.basename(env.prefix) || env.prefix, packages: new Map([...env.packages].map(([n, p]) => [n, p.version])) };
      } catch {
        // the interpreter answered the probe but not this: installed-mismatch stays silent
      }
    }
    this.resetIndexStage();
  }

  /** Settings (indexes, cache folder, target) may have changed: providers and index reports start afresh. */
  private resetIndexStage(): void {
    this.pool = undefined;
    this.indexReports.clear();
    this.vulnerabilityReports.clear();
  }

  /** The check context; with `sets`, the index reports still valid for their current texts. */
  context(sets: EnvironmentSet[] = []): CheckContext {
    const index = new Map<string, SetIndexReport>();
    for (const set of sets) {
      const hit = this.indexReports.get(set.root);
      if (hit && hit.key === textKey(set)) index.set(set.root, hit.report);
    }
    const vulnerabilities = new Map<string, VulnerabilityReport>();
    for (const set of sets) {
      const hit = this.vulnerabilityReports.get(set.root);
      if (hit && hit.key === textKey(set)) vulnerabilities.set(set.root, hit.report);
    }
    return { markerEnvironment: markerEnvironmentFor(this.profile), profile: this.profile, index, vulnerabilities, ...(this.installed ? { installed: this.installed } : {}) };
  }

  open(doc: TextDocument): void {
    const p = pathOf(doc.uri);
    if (!p) return;
    this.docs.set(p, doc);
    this.schedule(p, 0);
  }

  change(doc: TextDocument): void {
    const p = pathOf(doc.uri);
    if (!p) return;
    this.docs.set(p, doc);
    this.schedule(p, this.settings.debounceMs);
  }

  close(doc: TextDocument): void {
    const p = pathOf(doc.uri);
    if (!p) return;
    this.docs.delete(p);
    // The disk's text is the truth again; if it differs from the buffer, the sets change.
    this.schedule(p, 0);
  }

  /** A file changed on disk (watcher): re-analyse it and whatever includes it. */
  fileChanged(filePath: string): void {
    if (this.docs.has(filePath)) return;
    this.analyzer.evict(filePath);
    this.schedule(filePath, this.settings.debounceMs);
  }

  /** Re-analyse every open document (settings changed). */
  refreshAll(): void {
    for (const p of this.docs.keys()) this.schedule(p, 0);
  }

  document(filePath: string): TextDocument | undefined {
    return this.docs.get(filePath);
  }

  parsed(filePath: string): ParsedFile | undefined {
    const doc = this.docs.get(filePath);
    const kind = kindOf(filePath, doc?.languageId);
    return kind ? this.analyzer.parse(filePath, kind) : undefined;
  }

  setsOf(filePath: string): EnvironmentSet[] {
    const kind = kindOf(filePath, this.docs.get(filePath)?.languageId);
    return kind ? this.analyzer.setsContaining(filePath, kind) : [];
  }

  private schedule(filePath: string, delay: number): void {
    const t = this.timers.get(filePath);
    if (t) clearTimeout(t);
    this.timers.set(filePath, setTimeout(() => {
      this.timers.delete(filePath);
      this.analyze(filePath);
    }, delay));
  }

  /** Runs the fast checks over every set around the file, publishes for every file of those sets, then starts the index stage. */
  analyze(filePath: string): void {
    try {
      const sets = this.setsAround(filePath);
      this.publishSets(filePath, sets);
      this.scheduleIndex(filePath, sets);
    } catch (e) {
      // A bug must not take the server down with it (this runs from a timer, outside any request): say so once, keep serving.
      this.connection.console.error(`Stack Doctor could not analyse ${filePath}: ${(e as Error).stack ?? e}`);
      this.connection.window.showErrorMessage(`Stack Doctor could not analyse ${path.basename(filePath)} (${(e as Error).message}). Please report this with the file; the output channel has details.`);
    }
  }

  /**
   * After the fast checks, asks the index about the sets that changed (debounced; the next edit cancels it) and
   * publishes again with the index-backed findings. Offline: nothing.
   */
  private scheduleIndex(filePath: string, sets: EnvironmentSet[]): void {
    const previous = this.indexRuns.get(filePath);
    if (previous) {
      clearTimeout(previous.timer);
      previous.abort.abort();
    }
    if (this.settings.offline) return;
    const stale = sets.filter((s) => this.indexReports.get(s.root)?.key !== textKey(s) && s.files.some((f) => f.dependencies.length));
    if (stale.length === 0) return;
    const abort = new AbortController();
    const timer = setTimeout(() => void this.runIndex(filePath, sets, stale, abort), this.settings.indexDebounceMs);
    this.indexRuns.set(filePath, { timer, abort });
  }

  private async runIndex(filePath: string, sets: EnvironmentSet[], stale: EnvironmentSet[], abort: AbortController): Promise<void> {
    const progress = this.progressSupported ? await this.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin('Stack Doctor', 0, `Resolving ${stale.length === 1 ? path.basename(stale[0]!.root) : `${stale.length} environment sets`}…`, false);
    try {
      this.pool ??= new ProviderPool(this.cacheDirectory());
      const env = markerEnvironmentFor(this.profile);
      for (const [i, set] of stale.entries()) {
        if (abort.signal.aborted) return;
        progress?.report(Math.round((i / stale.length) * 100), `Resolving ${path.basename(set.root)}…`);
        const indexes = indexesFor(set, { indexUrl: this.settings.indexUrl, extraIndexUrls: this.settings.extraIndexUrls, trustFiles: this.trusted });
        const provider = this.pool.get(indexes, this.profile);
        const source = await this.advisorySource();
        const [report, vulnerabilities] = await Promise.all([
          indexReport(set, { provider, indexes, markerEnvironment: env, profile: this.profile, signal: abort.signal }),
          // Advisories are an addition: their failure must not cost the index stage's findings.
          vulnerabilityReport(set, { source, markerEnvironment: env, indexes, provider, signal: abort.signal, ...(this.profile.python ? { python: this.profile.python.version } : {}) }).catch((e: Error) => {
            if (e instanceof CancelledError) throw e;
            this.connection.console.error(`Stack Doctor: the vulnerability stage failed: ${e.stack ?? e}`);
            return { unavailable: e.message, entries: [], transitive: [] };
          }),
        ]);
        this.indexReports.set(set.root, { key: textKey(set), report });
        this.vulnerabilityReports.set(set.root, { key: textKey(set), report: vulnerabilities });
      }
      if (!abort.signal.aborted) this.publishSets(filePath, sets);
    } catch (e) {
      if (!(e instanceof CancelledError) && !abort.signal.aborted) this.connection.console.error(`Stack Doctor: the index stage failed: ${(e as Error).stack ?? e}`);
    } finally {
      progress?.done();
      if (this.indexRuns.get(filePath)?.abort === abort) this.indexRuns.delete(filePath);
    }
  }

  /** Advisories from `stackDoctor.osvDatabase` (loaded once per path; an unreadable one is said once) and PyPI's JSON API. */
  private advisorySource(): Promise<AdvisorySource> {
    const p = this.settings.osvDatabase ? this.resolveSetting(this.settings.osvDatabase) : '';
    if (this.advisories?.path !== p) {
      const database = p
        ? OsvDatabase.load(p).catch((e: Error) => {
            this.connection.window.showWarningMessage(`Stack Doctor: ${e.message} (stackDoctor.osvDatabase).`);
            return null;
          })
        : Promise.resolve(null);
      this.advisories = { path: p, source: database.then((db) => new AdvisorySource({ database: db })) };
    }
    return this.advisories.source;
  }

  /** The metadata cache folder: the setting, else the extension's global storage, else the user cache. */
  private cacheDirectory(): string {
    return this.settings.cacheDir ? this.resolveSetting(this.settings.cacheDir) : this.settings.globalStoragePath ? path.join(this.settings.globalStoragePath, 'cache') : defaultCacheDir();
  }

  /** The provider, indexes and target the index stage uses for a set (null offline): the editor features share them. */
  indexContext(set: EnvironmentSet): IndexContext | null {
    if (this.settings.offline) return null;
    this.pool ??= new ProviderPool(this.cacheDirectory());
    const indexes = indexesFor(set, { indexUrl: this.settings.indexUrl, extraIndexUrls: this.settings.extraIndexUrls, trustFiles: this.trusted });
    return { provider: this.pool.get(indexes, this.profile), indexes, profile: this.profile, markerEnvironment: markerEnvironmentFor(this.profile), cacheDir: this.cacheDirectory() };
  }

  private publishSets(filePath: string, sets: EnvironmentSet[]): void {
    const findings = runChecks(sets, this.context(sets), this.settings.severityOverrides);
    const byFile = new Map<string, Finding[]>();
    for (const s of sets) for (const f of s.files) byFile.set(f.path, []);
    if (this.docs.has(filePath) || byFile.size === 0) byFile.set(filePath, byFile.get(filePath) ?? []);
    for (const f of findings) (byFile.get(f.file) ?? byFile.set(f.file, []).get(f.file)!).push(f);
    const texts = new Map<string, LineIndex>();
    const linesOf = (file: string) => {
      let li = texts.get(file);
      if (!li) texts.set(file, (li = new LineIndex(this.docs.get(file)?.getText() ?? sets.flatMap((s) => s.files).find((x) => x.path === file)?.text ?? '')));
      return li;
    };
    const before = this.publishedBy.get(filePath) ?? new Set<string>();
    for (const gone of before) if (!byFile.has(gone) && !this.docs.has(gone)) this.publish(gone, []);
    this.publishedBy.set(filePath, new Set(byFile.keys()));
    for (const [file, list] of byFile) this.publish(file, list.map((f) => toDiagnostic(f, linesOf)));
  }

  private setsAround(filePath: string): EnvironmentSet[] {
    const kind = kindOf(filePath, this.docs.get(filePath)?.languageId);
    return kind ? this.analyzer.setsAround(filePath, kind) : [];
  }


  /** A path from the settings: absolute as it is, relative from the workspace folder (or the server's folder). */
  private resolveSetting(p: string): string {
    return path.isAbsolute(p) ? p : path.resolve(this.workspaceRoot ?? process.cwd(), p);
  }

  /** Stops pending index work (shutdown). */
  dispose(): void {
    for (const run of this.indexRuns.values()) {
      clearTimeout(run.timer);
      run.abort.abort();
    }
    this.indexRuns.clear();
  }

  private publish(file: string, diagnostics: Diagnostic[]): void {
    const doc = this.docs.get(file);
    void this.connection.sendDiagnostics({ uri: doc?.uri ?? fileUri(file), ...(doc ? { version: doc.version } : {}), diagnostics });
  }
}

/** What a set's index report depends on: its files and their texts. */
function textKey(set: EnvironmentSet): string {
  return set.files.map((f) => `${f.path}\0${f.text.length}\0${f.text}`).join('\0\0');
}
