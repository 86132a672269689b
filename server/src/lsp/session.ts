// The server's state: open documents, the analysis, settings and the target machine; analyses and publishes per
// environment set.
import * as path from 'node:path';
import type { Connection, Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CancelledError } from '../model/cancel';
import { redact } from '../index/credentials';
import type { Dependency, FileKind, Finding, ParsedFile } from '../model/types';
import { LineIndex } from '../model/text';
import { Analysis } from '../workspace/analysis';
import { diskSource } from '../workspace/text-source';
import { kindOfLanguage } from '../workspace/file-kinds';
import { defaultCacheDir } from '../workspace/index-settings';
import { loadTarget } from '../workspace/target';
import { profileDescription, profileSummary } from '../system/profile-summary';
import { fileUri, pathOf, toDiagnostic } from './convert';
import type { AdvisorySource } from '../workspace/advisory-source';
import { AdvisoriesByPath } from './advisories';
import { defaultSettings, type Settings } from './settings';
import { traceMark } from './trace';
import { foregroundPending, giveWay } from '../model/turns';
import type { EnvironmentSet } from '../model/sets';
import type { IndexContext } from '../workspace/index-context';
import { IndexRuns } from './index-runs';
import { carriedDiagnostics, findingKey, keptDiagnostics, type KeptDiagnostic } from './kept-diagnostics';

/**
 * The kind a document is read as: by name, else by its content (a YAML conda environment of any name), else by the
 * editor's language.
 */
export function kindOf(analysis: Analysis, filePath: string, languageId?: string): FileKind | null {
  return analysis.kindOf(filePath) ?? kindOfLanguage(languageId);
}

export class Session {
  settings: Settings = defaultSettings;
  trusted = true;
  /**
   * The interpreter of the environment the client activated (`stackDoctor/activeEnvironment`); wins over the setting.
   */
  activePython: string | undefined;
  readonly analysis: Analysis;
  private readonly docs = new Map<string, TextDocument>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The sets around each file for the current state of the files (see setsAround). */
  private readonly setsCache = new Map<string, EnvironmentSet[]>();
  /** What was last sent per URI (version and encoded diagnostics), so unchanged lists are not sent again. */
  private readonly lastPublished = new Map<string, { version: number | undefined; body: string }>();
  /** Per file, the findings the stages added at its last publish after them, with the lines they were on. */
  private readonly stageDiagnostics = new Map<string, KeptDiagnostic[]>();
  /** What the fixes offered on each open file would write there: a line holding one was written by a fix. */
  private readonly fixTexts = new Map<string, Set<string>>();
  /** Files each trigger last published for, to clear those that left its sets. */
  private readonly publishedBy = new Map<string, Set<string>>();
  /** Counts loadTarget calls, so that an overlapped, older one does not overwrite the target of a newer one. */
  private targetGeneration = 0;
  /**
   * The index stage per file that triggered it, taking turns; the active editor's file (`stackDoctor/activeDocument`)
   * goes first.
   */
  private readonly indexRuns = new IndexRuns();
  /** How many times each file read from the disk changed there (the watcher), to tell a snapshot's texts current. */
  private readonly diskChanges = new Map<string, number>();
  /** Advisories of the `osvDatabase` setting (loaded once per path) and PyPI's JSON API. */
  private readonly advisories = new AdvisoriesByPath();
  /** The first workspace folder: relative `profile` and `cacheDir` settings are read from it. */
  workspaceRoot: string | undefined;
  /** Every workspace folder (or the root): an untrusted workspace follows includes only inside them. */
  workspaceFolders: string[] = [];
  /** Whether the client shows server-initiated work-done progress. */
  progressSupported = false;

  constructor(private readonly connection: Connection) {
    this.analysis = new Analysis({ read: (p) => this.docs.get(p)?.getText() ?? diskSource.read(p) });
  }

  /** The analysis settings follow the editor's (call after `settings` or `trusted` change). */
  private async configureAnalysis(): Promise<void> {
    const s = this.settings;
    const cacheDir = s.cacheDir
      ? this.resolveSetting(s.cacheDir)
      : s.globalStoragePath
        ? path.join(s.globalStoragePath, 'cache')
        : defaultCacheDir();
    this.analysis.configure({
      offline: s.offline,
      indexUrl: s.indexUrl,
      extraIndexUrls: s.extraIndexUrls,
      trustFiles: this.trusted,
      workspaceFolders: this.workspaceFolders,
      cacheDir,
      severityOverrides: s.severityOverrides,
      advisories: await this.advisorySource(),
      pixiPlatforms: s.pixiPlatforms,
    });
  }

  /** Advisories from `stackDoctor.osvDatabase` (an unreadable one is said once) and PyPI's JSON API. */
  private advisorySource(): Promise<AdvisorySource> {
    const p = this.settings.osvDatabase ? this.resolveSetting(this.settings.osvDatabase) : '';
    return this.advisories.source(p, (message) =>
      this.connection.window.showWarningMessage(redact(`Stack Doctor: ${message} (stackDoctor.osvDatabase).`)),
    );
  }

  /**
   * What conda's last solve picked for the conda spec at `offset` (version, build, channel), as hover text; null where
   * unknown.
   */
  condaHoverAt(filePath: string, offset: number): string | null {
    const dep = this.parsed(filePath)?.dependencies.find(
      (d) => d.kind === 'conda' && d.span.start <= offset && offset <= d.span.end,
    );
    if (!dep) return null;
    for (const set of this.setsOf(filePath)) {
      const text = this.analysis.condaPick(set, dep);
      if (text) return text;
    }
    return null;
  }

  /** The provider, indexes and target the index stage uses for a set (null offline): the editor features share them. */
  indexContext(set: EnvironmentSet): IndexContext | null {
    return this.analysis.indexContext(set);
  }

  /**
   * Loads the target machine: the profile file of the settings, else this machine (the interpreter only when trusted).
   * Calls overlap (settings and environment notifications are not awaited one by one): only the latest one sets the
   * target.
   */
  async loadTarget(): Promise<void> {
    const generation = ++this.targetGeneration;
    await this.configureAnalysis();
    if (generation !== this.targetGeneration) return;
    // The client only sends an activated environment in a trusted workspace; the setting may come from the workspace.
    const python =
      this.activePython ?? (this.trusted && this.settings.pythonPath ? this.settings.pythonPath : undefined);
    const loading = loadTarget({
      profileFile: this.settings.profile ? this.resolveSetting(this.settings.profile) : undefined,
      python,
      fallbackPython: process.platform === 'win32' ? 'python' : 'python3',
    });
    this.warmUp();
    const target = await loading;
    // A later call (newer settings, another environment) decides the target; what this one awaited is out of date.
    if (generation !== this.targetGeneration) return;
    if (target.profileProblem)
      this.connection.window.showWarningMessage(
        redact(`Stack Doctor: ${target.profileProblem}. Judging against this machine instead.`),
      );
    if (target.pythonProblem) {
      const py = target.profile.python;
      this.connection.window.showWarningMessage(
        redact(
          `Stack Doctor: ${target.pythonProblem} (stackDoctor.pythonPath); markers are ` +
            `evaluated for ${py ? `python ${py.version}` : 'a default Python'} instead.`,
        ),
      );
    }
    this.analysis.setTarget(target);
    const fromProfile = !!this.settings.profile && !target.profileProblem;
    const description = profileDescription(target.profile);
    this.connection.console.info(
      redact(`Target: ${description} (${fromProfile ? `profile ${this.settings.profile}` : 'this machine'})`),
    );
    void this.connection
      .sendNotification('stackDoctor/target', { summary: profileSummary(target.profile), description, fromProfile })
      .catch(() => undefined);
  }

  private warmed = false;

  /**
   * Loads what the first analysis and index run need (the checks, the stages, Node's fetch) while the probe's
   * processes run, instead of in the first requests of the session, while the person types.
   */
  private warmUp(): void {
    if (this.warmed) return;
    this.warmed = true;
    this.analysis.warmUp();
    // Node compiles its fetch (undici) at the first call: a data: URL makes that call without the network.
    if (!this.settings.offline) void fetch('data:,').catch(() => undefined);
  }

  /** The client's active editor shows `uri` (null: none, or not a file): its sets' index run takes the next turn. */
  setActiveDocument(uri: string | null): void {
    this.indexRuns.setActiveFile(uri ? pathOf(uri) : undefined);
  }

  open(doc: TextDocument): void {
    const p = this.takeText(doc);
    if (p) this.schedule(p, 0);
  }

  change(doc: TextDocument): void {
    const p = this.takeText(doc);
    if (!p) return;
    this.supersedeIndexRuns(p);
    // The first edit after a pause is analysed at once (behind any message waiting); edits that come while an
    // analysis of the file waits to start restart the wait, so that a burst is analysed once.
    this.schedule(p, this.timers.has(p) ? this.settings.debounceMs : 0);
  }

  /** Takes a document's new text (its file's parse and the sets are stale); its path, or undefined for another URI. */
  private takeText(doc: TextDocument): string | undefined {
    const p = pathOf(doc.uri);
    if (!p) return undefined;
    this.docs.set(p, doc);
    this.analysis.textChanged(p);
    this.setsCache.clear();
    return p;
  }

  /**
   * Stops the index runs whose sets read this file; a run that another file triggered is scheduled again from that
   * file, with the new texts.
   */
  private supersedeIndexRuns(filePath: string): void {
    for (const trigger of this.indexRuns.supersede(filePath)) this.schedule(trigger, this.settings.debounceMs);
  }

  close(doc: TextDocument): void {
    const p = pathOf(doc.uri);
    if (!p) return;
    this.docs.delete(p);
    this.analysis.evict(p);
    this.setsCache.clear();
    this.lastPublished.delete(doc.uri);
    this.fixTexts.delete(p);
    this.stageDiagnostics.delete(p);
    this.supersedeIndexRuns(p);
    // The disk's text is the truth again; if it differs from the buffer, the sets change.
    this.schedule(p, 0);
  }

  /** A file changed on disk (watcher): re-analyse it and whatever includes it. */
  fileChanged(filePath: string): void {
    if (this.docs.has(filePath)) return;
    this.diskChanges.set(filePath, (this.diskChanges.get(filePath) ?? 0) + 1);
    this.analysis.evict(filePath);
    this.setsCache.clear();
    this.supersedeIndexRuns(filePath);
    this.schedule(filePath, this.settings.debounceMs);
  }

  /** Re-analyse every open document (settings changed). */
  refreshAll(): void {
    this.setsCache.clear();
    for (const p of this.docs.keys()) this.schedule(p, 0);
  }

  document(filePath: string): TextDocument | undefined {
    return this.docs.get(filePath);
  }

  parsed(filePath: string): ParsedFile | undefined {
    const doc = this.docs.get(filePath);
    const kind = kindOf(this.analysis, filePath, doc?.languageId);
    return kind ? this.analysis.parse(filePath, kind) : undefined;
  }

  setsOf(filePath: string): EnvironmentSet[] {
    return this.setsAround(filePath).filter((s) => s.files.some((f) => f.path === filePath));
  }

  private schedule(filePath: string, delay: number): void {
    const t = this.timers.get(filePath);
    if (t) clearTimeout(t);
    this.timers.set(
      filePath,
      setTimeout(() => {
        // Messages waiting (more edits, requests) come first: an edit among them makes this analysis superseded.
        if (foregroundPending()) return this.schedule(filePath, 1);
        this.timers.delete(filePath);
        this.analyze(filePath);
      }, delay),
    );
  }

  /**
   * Runs the fast checks over every set around the file, publishes for every file of those sets, then starts the index
   * stage.
   */
  analyze(filePath: string): void {
    void this.analyzeSteps(filePath);
  }

  private async analyzeSteps(filePath: string): Promise<void> {
    traceMark('analyze');
    try {
      const sets = this.setsAround(filePath);
      const opened = this.snapshot(sets);
      const disk = new Map(this.diskChanges);
      await this.publishSets(filePath, sets, opened, disk);
      // Edited meanwhile: the analysis of that edit schedules the index stage.
      if (!this.changedSince(sets, opened, disk)) this.scheduleIndex(filePath, sets, opened);
      traceMark('analyzed');
    } catch (e) {
      // A bug must not take the server down with it (this runs from a timer, outside any request): say so once, keep
      // serving.
      this.connection.console.error(redact(`Stack Doctor could not analyse ${filePath}: ${(e as Error).stack ?? e}`));
      this.connection.window.showErrorMessage(
        redact(
          `Stack Doctor could not analyse ${path.basename(filePath)} (${(e as Error).message}). ` +
            `Please report this with the file; the output channel has details.`,
        ),
      );
    }
  }

  /**
   * After the fast checks, asks the index about the sets that changed (debounced; the next edit cancels it) and
   * publishes again with the index-backed findings. Offline: nothing.
   */
  private scheduleIndex(filePath: string, sets: EnvironmentSet[], opened: Map<string, number>): void {
    this.indexRuns.cancel(filePath);
    const stale = this.analysis.unresolved(sets);
    if (stale.length === 0) return;
    const disk = new Map(this.diskChanges);
    const files = new Set(sets.flatMap((s) => s.files.map((f) => f.path)));
    this.indexRuns.start(filePath, files, this.settings.indexDebounceMs, (abort) =>
      this.runIndexNow(filePath, sets, stale, abort, opened, disk),
    );
  }

  private async runIndexNow(
    filePath: string,
    sets: EnvironmentSet[],
    stale: EnvironmentSet[],
    abort: AbortController,
    opened: Map<string, number>,
    disk: ReadonlyMap<string, number>,
  ): Promise<void> {
    const progress = this.progressSupported
      ? await this.connection.window.createWorkDoneProgress().catch(() => undefined)
      : undefined;
    progress?.begin(
      'Stack Doctor',
      0,
      `Resolving ${stale.length === 1 ? path.basename(stale[0]!.root) : `${stale.length} environment sets`}…`,
      false,
    );
    traceMark('index-start');
    try {
      // The sets of the active editor's file first, then those of the file that asked, each group published as soon
      // as it is known; then the others.
      const reads = (file: string | undefined) => (s: EnvironmentSet) => s.files.some((f) => f.path === file);
      const activeFile = this.indexRuns.activeFile;
      const active = activeFile === undefined ? [] : stale.filter(reads(activeFile));
      const own = stale.filter((s) => !active.includes(s) && reads(filePath)(s));
      const rest = stale.filter((s) => !active.includes(s) && !own.includes(s));
      for (const group of [active, own, rest]) {
        if (group.length === 0) continue;
        let started = performance.now();
        let current: EnvironmentSet | undefined;
        const finished = (): void => {
          if (current) this.logStages(current, performance.now() - started);
        };
        await this.analysis.resolve(group, {
          signal: abort.signal,
          progress: (set, i, n) => {
            finished();
            current = set;
            started = performance.now();
            progress?.report(Math.round((i / n) * 100), `Resolving ${path.basename(set.root)}…`);
          },
        });
        finished();
        traceMark(`index-end ${abort.signal.aborted}`);
        if (abort.signal.aborted) break;
        await this.publishSets(filePath, sets, opened, disk);
      }
    } catch (e) {
      if (!(e instanceof CancelledError) && !abort.signal.aborted)
        this.connection.console.error(redact(`Stack Doctor: the index stage failed: ${(e as Error).stack ?? e}`));
    } finally {
      progress?.done();
    }
  }

  /** Logs a set's stages: how long they took, and each index and channel asked with whether it answered. */
  private logStages(set: EnvironmentSet, ms: number): void {
    const name = path.relative(this.workspaceRoot ?? path.dirname(set.root), set.root) || path.basename(set.root);
    const lines = [`Stages of ${name}: ${Math.round(ms)} ms`];
    for (const s of this.analysis.sourcesOf(set))
      lines.push(`  ${s.kind} ${s.source}: ${s.problem === null ? 'answered' : `not reachable (${s.problem})`}`);
    this.connection.console.info(redact(lines.join('\n')));
  }

  /** The versions of the open documents among the sets' files, taken when the sets were built from their texts. */
  private snapshot(sets: EnvironmentSet[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of sets)
      for (const f of s.files) {
        const doc = this.docs.get(f.path);
        if (doc) out.set(f.path, doc.version);
      }
    return out;
  }

  /**
   * Publishes the sets' findings for every file of the sets. Ranges are computed on the texts the sets were built
   * from, and a file is published only while it still has that text (the version `opened` recorded, or no buffer
   * when it was read from the disk); a file edited, opened or closed since is left to the analysis its change
   * scheduled.
   */
  private async publishSets(
    filePath: string,
    sets: EnvironmentSet[],
    opened: Map<string, number>,
    disk: ReadonlyMap<string, number>,
  ): Promise<void> {
    // Messages waiting (requests, edits) are handled first; what changed meanwhile is then not published from here.
    let waited = await giveWay();
    const findings = this.analysis.findings(sets);
    this.rememberFixes(findings);
    // Before the stages answer for the sets' current texts, their findings of the last answer stay on the lines they
    // were on (unchanged lines only, without fixes) so that the counts do not drop and come back between the stages.
    const pending = new Set(this.settings.offline ? [] : this.analysis.unresolved(sets));
    /** Whether every set of the file has the stages' answer for its current texts. */
    const staged = (file: string): boolean => !sets.some((s) => pending.has(s) && s.files.some((f) => f.path === file));
    let fastKeys: Set<string> | undefined;
    const fast = (): Set<string> =>
      (fastKeys ??= new Set(this.analysis.findings(sets, { stages: false }).map((f) => findingKey(f))));
    const textOf = new Map<string, string>();
    for (const s of sets) for (const f of s.files) textOf.set(f.path, f.text);
    const byFile = new Map<string, Finding[]>();
    for (const file of textOf.keys()) byFile.set(file, []);
    if (this.docs.has(filePath) || byFile.size === 0) byFile.set(filePath, byFile.get(filePath) ?? []);
    for (const f of findings) (byFile.get(f.file) ?? byFile.set(f.file, []).get(f.file)!).push(f);
    const lineIndexes = new Map<string, LineIndex>();
    const linesOf = (file: string): LineIndex => {
      let li = lineIndexes.get(file);
      if (!li) lineIndexes.set(file, (li = new LineIndex(textOf.get(file) ?? this.docs.get(file)?.getText() ?? '')));
      return li;
    };
    const before = this.publishedBy.get(filePath) ?? new Set<string>();
    for (const gone of before) if (!byFile.has(gone) && !this.docs.has(gone)) this.publish(gone, []);
    this.publishedBy.set(filePath, new Set(byFile.keys()));
    for (const [file, list] of byFile) {
      if (await giveWay()) waited = true;
      const doc = this.docs.get(file);
      const text = textOf.get(file);
      if (text !== undefined) {
        const then = opened.get(file);
        if (doc ? then !== doc.version && doc.getText() !== text : then !== undefined) continue;
      }
      // Findings of a file may come from the other files of its sets: after a wait, one of those edited meanwhile
      // leaves this file to the analysis of that edit.
      if (
        waited &&
        this.changedSince(
          sets.filter((s) => s.files.some((f) => f.path === file)),
          opened,
          disk,
        )
      )
        continue;
      const diagnostics = list.map((f) => toDiagnostic(f, linesOf));
      const fileText = text ?? doc?.getText() ?? '';
      if (this.settings.offline) this.stageDiagnostics.delete(file);
      else if (staged(file))
        this.stageDiagnostics.set(
          file,
          keptDiagnostics(
            diagnostics.filter((_, i) => !fast().has(findingKey(list[i]!))),
            fileText,
          ),
        );
      else diagnostics.push(...carriedDiagnostics(this.stageDiagnostics.get(file) ?? [], diagnostics, fileText));
      this.publish(
        file,
        diagnostics,
        text === undefined || doc?.getText() === text ? doc : undefined,
        file === filePath,
      );
    }
  }

  /** Keeps the texts the findings' fixes would write into open files (at most the last 200 per file). */
  private rememberFixes(findings: readonly Finding[]): void {
    for (const f of findings)
      for (const fix of f.fixes)
        for (const e of fix.edits) {
          if (!this.docs.has(e.file) || !e.newText.trim()) continue;
          let texts = this.fixTexts.get(e.file);
          if (!texts) this.fixTexts.set(e.file, (texts = new Set()));
          texts.delete(e.newText.trim());
          texts.add(e.newText.trim());
          if (texts.size > 200) texts.delete(texts.values().next().value!);
        }
  }

  /** Whether the requirement reads as a fix offered on the file wrote it (its specifier, or the whole requirement). */
  writtenByFix(filePath: string, dep: Dependency): boolean {
    const texts = this.fixTexts.get(filePath);
    if (!texts) return false;
    const text = this.parsed(filePath)?.text ?? '';
    return texts.has(dep.text.trim()) || texts.has(text.slice(dep.specifierSpan.start, dep.specifierSpan.end).trim());
  }

  /**
   * Whether a file of the sets has another text than when `opened` and `disk` were taken: an open document edited,
   * opened or closed, or a file read from the disk changed there.
   */
  private changedSince(
    sets: readonly EnvironmentSet[],
    opened: ReadonlyMap<string, number>,
    disk: ReadonlyMap<string, number>,
  ): boolean {
    return sets.some((s) =>
      s.files.some((f) => {
        const doc = this.docs.get(f.path);
        if (opened.has(f.path)) return !doc || (doc.version !== opened.get(f.path) && doc.getText() !== f.text);
        return doc !== undefined || (this.diskChanges.get(f.path) ?? 0) !== (disk.get(f.path) ?? 0);
      }),
    );
  }

  /**
   * The sets around a file, built once per state of the files: every edit, open, close or change on disk clears them,
   * so requests between edits (hover, completion, actions) and the analysis of that edit share one build, and the
   * caches keyed by set objects (declarations, markers) hit.
   */
  private setsAround(filePath: string): EnvironmentSet[] {
    const hit = this.setsCache.get(filePath);
    if (hit) return hit;
    const kind = kindOf(this.analysis, filePath, this.docs.get(filePath)?.languageId);
    const sets = kind ? this.analysis.setsAround(filePath, kind) : [];
    if (this.setsCache.size > 256) this.setsCache.clear();
    this.setsCache.set(filePath, sets);
    return sets;
  }

  /** A path from the settings: absolute as it is, relative from the workspace folder (or the server's folder). */
  private resolveSetting(p: string): string {
    return path.isAbsolute(p) ? p : path.resolve(this.workspaceRoot ?? process.cwd(), p);
  }

  /** Stops pending index work (shutdown). */
  dispose(): void {
    this.indexRuns.dispose();
  }

  /** The diagnostics last sent for a file: what the editor shows for it now. */
  published(filePath: string): Diagnostic[] {
    const last = this.lastPublished.get(this.docs.get(filePath)?.uri ?? fileUri(filePath));
    return last ? (JSON.parse(last.body) as Diagnostic[]) : [];
  }

  /**
   * Sends a file's diagnostics, unless they are exactly what was last sent for it at the same version: an edit to one
   * file re-analyses every file of its sets, and resending unchanged lists to the others only costs encoding and I/O.
   * The file that triggered an analysis is always sent (each stage's publish tells the client that stage is done).
   */
  private publish(file: string, diagnostics: Diagnostic[], doc = this.docs.get(file), always = false): void {
    const uri = doc?.uri ?? fileUri(file);
    const version = doc ? doc.version : undefined;
    const body = JSON.stringify(diagnostics);
    const last = this.lastPublished.get(uri);
    if (!always && last && last.version === version && last.body === body) return;
    this.lastPublished.set(uri, { version, body });
    void this.connection.sendDiagnostics({ uri, ...(version !== undefined ? { version } : {}), diagnostics });
  }
}
