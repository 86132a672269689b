// Hover, document links and completion over the parsed model; pure functions of the model and a position.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CompletionItemKind,
  MarkupKind,
  type CompletionItem,
  type DocumentLink,
  type Hover,
} from 'vscode-languageserver';
import type { Dependency, ParsedFile } from '../model/types';
import { LineIndex, type Position } from '../model/text';
import { requirementsFileOptions } from '../parsers/req-options';
import { fileUri, toRange } from './convert';
import { specifierInWords } from './words';
import { codeSpan, escapeMarkdown } from '../model/markdown';
import type { EnvironmentSet } from '../model/sets';

/** The dependency whose entry covers the offset. */
export function dependencyAt(file: ParsedFile, offset: number): Dependency | undefined {
  return file.dependencies.find((d) => d.span.start <= offset && offset <= d.span.end);
}

/** Hover on a requirement: its name, its specifier in words, and every other place the set constrains it. */
export function hoverAt(file: ParsedFile, lines: LineIndex, pos: Position, sets: EnvironmentSet[]): Hover | null {
  const dep = dependencyAt(file, lines.offsetAt(pos));
  if (!dep) return null;
  const parts = [
    `**${escapeMarkdown(dep.name)}**${dep.extras.length ? ` with extras ${dep.extras.map(codeSpan).join(', ')}` : ''}`,
  ];
  // Everything quoted from the file is a code span or escaped: a line's text never becomes a link or HTML.
  if (dep.url) parts.push(`From ${codeSpan(dep.url)}${dep.editable ? ' (editable)' : ''}.`);
  else if (dep.specifierUnknown)
    parts.push(
      `Version ${codeSpan(dep.conda?.version ?? dep.text)} (not expressible ` +
        `in PEP 440; not compared with the other declarations).`,
    );
  else
    parts.push(
      `${dep.kind === 'constraint' ? 'Constrained to' : 'Wants'} ` +
        `${specifierInWords(dep.specifier)}${dep.specifier ? ` (${codeSpan(dep.specifier)})` : ''}.`,
    );
  if (dep.marker) parts.push(`Only where ${codeSpan(dep.marker)}.`);
  const elsewhere: string[] = [];
  const seen = new Set<string>();
  for (const set of sets) {
    for (const f of set.files) {
      for (const d of f.dependencies) {
        if (d.name !== dep.name || d === dep) continue;
        const key = `${d.file}:${d.span.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const line = new LineIndex(f.text).positionAt(d.nameSpan.start).line + 1;
        const rel = path.relative(path.dirname(file.path), d.file) || path.basename(d.file);
        elsewhere.push(
          `- [${escapeMarkdown(`${rel}:${line}`)}](${fileUri(d.file)}#L${line}): ` +
            `${codeSpan(d.text.length > 60 ? d.text.slice(0, 57) + '...' : d.text)} ` +
            `— ${d.kind}${d.section ? ` in ${codeSpan(d.section)}` : ''}`,
        );
      }
    }
  }
  if (elsewhere.length) parts.push('Also declared:\n' + elsewhere.join('\n'));
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') }, range: toRange(dep.span, lines) };
}

/** Links for `-r`/`-c` targets that resolve to files. */
export function documentLinks(file: ParsedFile, lines: LineIndex): DocumentLink[] {
  return file.includes
    .filter((i) => i.resolved)
    .map((i) => ({
      range: toRange(i.span, lines),
      target: fileUri(i.resolved!),
      tooltip: `Open ${i.kind === 'constraints' ? 'constraints' : 'requirements'} file ${i.target}`,
    }));
}

/** Completion in a requirements file: options after a leading `-`, and paths after `-r`/`-c`. */
export function completeRequirements(filePath: string, lineText: string): CompletionItem[] {
  const inc = /^\s*(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S*)$/.exec(lineText);
  if (inc) return completePath(path.dirname(filePath), inc[1]!, filePath);
  if (/^\s*-[-\w]*$/.test(lineText)) {
    // The options the parser accepts (parsers/req-options.ts OPTION_DEFS), so completion never offers one pip rejects.
    return requirementsFileOptions().map((o) => ({
      label: o.name,
      kind: CompletionItemKind.Keyword,
      detail: o.help,
      insertText: o.name.startsWith('--') && o.takesValue ? `${o.name} ` : o.name,
    }));
  }
  return [];
}

function completePath(baseDir: string, typed: string, self: string): CompletionItem[] {
  const slash = typed.lastIndexOf('/');
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const dir = path.resolve(baseDir, dirPart);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: CompletionItem[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') && !typed.slice(slash + 1).startsWith('.')) continue;
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === '__pycache__') continue;
      out.push({
        label: e.name + '/',
        kind: CompletionItemKind.Folder,
        insertText: e.name + '/',
        command: { title: 'more', command: 'editor.action.triggerSuggest' },
      });
    } else if (/\.(txt|in)$/.test(e.name) && path.join(dir, e.name) !== self) {
      out.push({ label: e.name, kind: CompletionItemKind.File });
    }
  }
  return out.slice(0, 500);
}
