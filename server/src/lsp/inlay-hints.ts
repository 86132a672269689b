// What is newer: after each requirement the newest version the index has (inlay hints), and actions that update a line
// or a whole file to the newest versions that resolve (the search is the analysis's).
import {
  CodeAction,
  CodeActionKind,
  InlayHintKind,
  type InlayHint,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { hasPep440Text } from '../checks/edits';
import type { Dependency, ParsedFile } from '../model/types';
import { LineIndex } from '../model/text';
import { admits } from '../workspace/updates';
import { fileUri, toRange } from './convert';
import type { PackageVersions } from './package-versions';
import { newestOf } from '../workspace/project-versions';

/** Inlay hints and update actions over the index's newest versions. */
export class NewerVersions {
  constructor(private readonly packages: PackageVersions) {}

  private candidates(file: ParsedFile): Dependency[] {
    return file.dependencies.filter(
      (d) => d.name && !d.url && !d.editable && d.kind !== 'conda' && !d.specifierUnknown,
    );
  }

  /** After each requirement of the range: the newest version the index has, and whether the specifier admits it. */
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
    if (!this.packages.host.settings.newerVersions) return [];
    const file = this.packages.host.parsed(filePath);
    const at = this.packages.contextFor(filePath);
    if (!file || !at) return [];
    const lines = new LineIndex(file.text);
    const outdated = this.candidates(file).filter((d) => {
      if (!hasPep440Text(d) || d.kind === 'build') return false;
      const newest = this.packages.versionsNow(at.ic, d.name)?.verdicts;
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
