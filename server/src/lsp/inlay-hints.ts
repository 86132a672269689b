// What is newer: after a requirement, the newest release its specifier excludes or the version the resolution installs
// instead (inlay hints); actions and a code lens that update to the newest versions that resolve (Analysis searches).
import {
  CodeAction,
  CodeActionKind,
  Command,
  InlayHintKind,
  Range,
  type CodeLens,
  type InlayHint,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { hasPep440Text } from '../checks/edits';
import type { Dependency, ParsedFile } from '../model/types';
import { Version } from '../pep/version';
import { LineIndex } from '../model/text';
import { admits } from '../workspace/updates';
import { fileUri, toRange } from './convert';
import { lockedHint, lockedVersionsOf } from './locked-versions';
import type { EditorHost, PackageVersions } from './package-versions';
import { markerEnvironmentFor } from '../system/profile';
import type { IndexContext } from '../workspace/index-context';
import { newestOf } from '../workspace/project-versions';

/** Inlay hints and update actions over the index's newest versions. */
export class NewerVersions {
  constructor(private readonly packages: PackageVersions) {}

  private candidates(file: ParsedFile): Dependency[] {
    return file.dependencies.filter(
      (d) => d.name && !d.url && !d.editable && d.kind !== 'conda' && !d.specifierUnknown,
    );
  }

  /**
   * After each requirement of the range, only where there is something to say: `↑ NEWEST` when the written specifier
   * excludes the newest release, `→ VERSION` when it admits the newest but the set's resolution installs another;
   * nothing when the newest is admitted and installed (or not known yet), and no `↑` on a line a fix of this server
   * wrote (the fix chose that bound; a hint must not argue with it).
   */
  inlayHints(filePath: string, range: Range): InlayHint[] {
    if (!this.packages.host.settings.newerVersions) return [];
    const file = this.packages.host.parsed(filePath);
    const at = this.packages.contextFor(filePath);
    if (!file || !at) return [];
    const lines = new LineIndex(file.text);
    const out: InlayHint[] = [];
    for (const dep of this.candidates(file)) {
      const pos = lines.positionAt(dep.span.end);
      if (pos.line < range.start.line || pos.line > range.end.line) continue;
      const entry = this.packages.versionsNow(at.ic, dep.name);
      const newest = entry?.verdicts ? newestOf(entry.verdicts) : undefined;
      if (!newest) continue;
      const hint = versionHint(dep, newest.version, this.packages.host.analysis.resolvedVersion(at.set, dep.name), {
        fixWritten: this.packages.host.writtenByFix?.(filePath, dep) ?? false,
      });
      if (!hint) continue;
      const q = file.text[dep.span.end];
      const end = q === '"' || q === "'" ? lines.positionAt(dep.span.end + 1) : pos;
      out.push({
        position: end,
        label: hint.label,
        kind: InlayHintKind.Type,
        paddingLeft: true,
        tooltip: hint.tooltip,
      });
    }
    return out;
  }

  /** The requirements whose written specifier excludes the newest release (as far as the versions are known now). */
  private outdated(file: ParsedFile, ic: IndexContext): Dependency[] {
    return this.candidates(file).filter((d) => {
      if (!hasPep440Text(d) || d.kind === 'build') return false;
      const newest = this.packages.versionsNow(ic, d.name)?.verdicts;
      const n = newest ? newestOf(newest) : undefined;
      return n !== undefined && admits(d.specifier, n.version) === false;
    });
  }

  /**
   * "Update all" on the file's first line, where a requirement's specifier excludes its newest release: the lens runs
   * the client's `stackDoctor.updateAll` with the file.
   */
  codeLenses(filePath: string, uri: string): CodeLens[] {
    if (!this.packages.host.settings.newerVersions) return [];
    const file = this.packages.host.parsed(filePath);
    const at = this.packages.contextFor(filePath);
    if (!file || !at) return [];
    const count = this.outdated(file, at.ic).length;
    if (count === 0) return [];
    const title = `Update all (${count} behind the newest release) to the newest versions that resolve`;
    return [{ range: Range.create(0, 0, 0, 0), command: Command.create(title, 'stackDoctor.updateAll', uri) }];
  }

  /** The edit that moves every requirement of the file to the newest versions that resolve together; null: none. */
  async updateAllEdit(filePath: string): Promise<WorkspaceEdit | null> {
    const action = await this.resolveCodeAction({
      title: 'update all',
      data: { stackDoctor: 'update-all', file: filePath },
    });
    return action.edit ?? null;
  }

  /**
   * "Update to the newest version that resolves" for each requirement in `range` whose specifier excludes the
   * newest version, and "Update all in this file"; with `lazy`, the edits are left for `resolveCodeAction`.
   */
  async codeActions(filePath: string, range: Range, lazy: boolean): Promise<CodeAction[]> {
    if (!this.packages.host.settings.newerVersions) return [];
    const file = this.packages.host.parsed(filePath);
    const at = this.packages.contextFor(filePath);
    if (!file || !at) return [];
    const lines = new LineIndex(file.text);
    const outdated = this.outdated(file, at.ic);
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
    const file = this.packages.host.parsed(data.file);
    const at = this.packages.contextFor(data.file);
    if (!file || !at) return action;
    const changes =
      data.stackDoctor === 'update-one'
        ? await this.packages.host.analysis.updateLine(at.set, file, data.start ?? -1)
        : await this.packages.host.analysis.updateFile(at.set, file);
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
}

/**
 * After each requirement of the range that a lock of its set answers: `locked X`, the version the target installs
 * (offline too: the lock is read from the workspace).
 */
export function lockedInlayHints(host: EditorHost, filePath: string, range: Range): InlayHint[] {
  const file = host.parsed(filePath);
  const set = file && !file.lock ? host.setsOf(filePath)[0] : undefined;
  if (!file || !set || !set.files.some((f) => f.lock)) return [];
  const env = markerEnvironmentFor(host.analysis.profileOf(set));
  const lines = new LineIndex(file.text);
  const out: InlayHint[] = [];
  for (const dep of file.dependencies) {
    const pos = lines.positionAt(dep.span.end);
    if (dep.url || pos.line < range.start.line || pos.line > range.end.line) continue;
    const locked = lockedVersionsOf(set, dep, env);
    const label = lockedHint(locked);
    if (!label) continue;
    const q = file.text[dep.span.end];
    out.push({
      position: q === '"' || q === "'" ? lines.positionAt(dep.span.end + 1) : pos,
      label,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      tooltip: `${locked[0]!.lock} locks ${dep.name} ${label.slice('locked '.length)} for the target.`,
    });
  }
  return out;
}

/**
 * The hint after a requirement, or null when it has nothing to say: the newest release excluded by the specifier
 * (`↑`), or admitted while the resolution installs another version (`→`).
 */
export function versionHint(
  dep: Dependency,
  newest: Version,
  resolved: string | undefined,
  opts: { fixWritten: boolean },
): { label: string; tooltip: string } | null {
  const ok = admits(dep.specifier, newest);
  if (ok === null) return null;
  const installs = resolved !== undefined ? Version.parse(resolved) : null;
  if (!ok) {
    if (opts.fixWritten) return null;
    return {
      label: `↑ ${newest}`,
      tooltip:
        `${dep.name} ${newest} is the newest release; ${dep.specifier} excludes it` +
        (installs ? ` (${installs} is installed).` : '.'),
    };
  }
  if (installs && installs.compare(newest) !== 0)
    return {
      label: `→ ${installs}`,
      tooltip:
        `${dep.specifier || 'Any version'} admits ${dep.name} ${newest}, the newest release, ` +
        `but another requirement of the set holds it at ${installs}.`,
    };
  return null;
}
