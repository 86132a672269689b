// Files -> parsed models (cached by text) -> environment sets: what a folder's dependency files install together.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentSet } from '../checks/types';
import type { FileKind, Finding, ParsedFile } from '../model/types';
import { parseEnvironmentYml } from '../parsers/environment-yml';
import { decodeDependencyFile } from '../parsers/decode';
import { parsePyproject } from '../parsers/pyproject';
import { loadRequirementsTree, parseRequirementsFile } from '../parsers/requirements';
import { classify } from './file-kinds';

/** Where file text comes from: the editor's open buffers first, then the disk. */
export interface TextSource {
  read(filePath: string): string | undefined;
}

/** Files larger than this are not parsed; the user gets one clear finding instead. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export const diskSource: TextSource = {
  read(filePath) {
    try {
      const st = fs.statSync(filePath);
      if (!st.isFile()) return undefined;
      // A file this large is not a dependency list; reading it would only cost memory.
      if (st.size > MAX_FILE_BYTES) return undefined;
      // pyproject.toml is UTF-8 (TOML); other files as pip reads them (BOMs, a coding comment, else UTF-8).
      if (/\.toml$/i.test(filePath)) return fs.readFileSync(filePath, 'utf8');
      // Undecodable text keeps a U+FFFD where pip stops, which the parser reports.
      const decoded = decodeDependencyFile(fs.readFileSync(filePath));
      return decoded.error === undefined ? decoded.text : decoded.lossy;
    } catch {
      return undefined;
    }
  },
};

interface CacheEntry {
  text: string;
  kind: FileKind;
  parsed: ParsedFile;
}

export class Analyzer {
  private readonly cache = new Map<string, CacheEntry>();
  /** Folders whose sets include a file of another folder (through `-r`/`-c`), by that file. */
  private readonly includedFrom = new Map<string, Set<string>>();

  constructor(
    private readonly source: TextSource,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** Forgets a file's parse (on close or delete). */
  evict(filePath: string): void {
    this.cache.delete(filePath);
  }

  /** Parses a file as the given kind, reusing the last parse while its text is the same. */
  parse(filePath: string, kind: FileKind, text?: string): ParsedFile | undefined {
    const t = text ?? this.source.read(filePath);
    if (t === undefined) return undefined;
    const hit = this.cache.get(filePath);
    if (hit && hit.kind === kind && hit.text === t) return hit.parsed;
    const parsed = parseAs(filePath, kind, t, this.env);
    this.cache.set(filePath, { text: t, kind, parsed });
    return parsed;
  }

  /** The dependency files of a folder (and of its `requirements/` subfolder), sorted. */
  folderFiles(dir: string): { path: string; kind: FileKind }[] {
    const out: { path: string; kind: FileKind }[] = [];
    const scan = (d: string) => {
      let names: string[];
      try {
        names = fs.readdirSync(d);
      } catch {
        return;
      }
      for (const n of names.sort()) {
        const p = path.join(d, n);
        const kind = classify(p);
        if (kind) out.push({ path: p, kind });
      }
    };
    scan(dir);
    scan(path.join(dir, 'requirements'));
    return out;
  }

  /**
   * The environment sets of a folder: each requirements file that no other requirements file of the folder
   * includes, with everything it includes, and each environment.yml with the files its `pip:` part
   * includes — each with the folder's pyproject.toml; a pyproject or constraints file that belongs to no
   * such set is a set of its own. `extra` adds a file (an open buffer with an unusual name) as a root.
   */
  folderSets(dir: string, extra?: { path: string; kind: FileKind }): EnvironmentSet[] {
    const listed = this.folderFiles(dir);
    if (extra && !listed.some((f) => f.path === extra.path)) listed.push(extra);
    const pyprojectPath = listed.find((f) => f.kind === 'pyproject')?.path;
    const pyproject = pyprojectPath ? this.parse(pyprojectPath, 'pyproject') : undefined;
    const trees = new Map<string, { files: ParsedFile[]; findings: Finding[] }>();
    for (const f of listed) {
      if (f.kind === 'requirements' || f.kind === 'constraints') {
        const tree = this.tree(f.path, f.kind);
        if (tree) trees.set(f.path, tree);
      } else if (f.kind === 'conda') {
        const yml = this.parse(f.path, 'conda');
        if (!yml) continue;
        const files = [yml];
        const findings: Finding[] = [];
        for (const inc of yml.includes) {
          if (!inc.resolved) continue;
          const sub = this.tree(inc.resolved, inc.kind);
          if (!sub) {
            findings.push(unreadable(yml.path, inc.span, inc.target));
            continue;
          }
          files.push(...sub.files);
          findings.push(...sub.findings);
        }
        trees.set(f.path, { files, findings });
      }
    }
    // A file included by another tree of the folder is not a root of its own.
    const included = new Set<string>();
    for (const [root, t] of trees) for (const file of t.files) if (file.path !== root) included.add(file.path);
    const sets: EnvironmentSet[] = [];
    for (const [root, t] of trees) {
      if (included.has(root)) continue;
      const isConstraints = listed.find((f) => f.path === root)?.kind === 'constraints';
      const files = dedupe(isConstraints || !pyproject ? t.files : [...t.files, pyproject]);
      sets.push({ root, files, findings: t.findings });
      for (const file of files) {
        if (path.dirname(file.path) === dir) continue;
        let from = this.includedFrom.get(file.path);
        if (!from) this.includedFrom.set(file.path, (from = new Set()));
        from.add(dir);
      }
    }
    if (pyproject && !sets.some((s) => s.files.includes(pyproject))) sets.unshift({ root: pyproject.path, files: [pyproject], findings: [] });
    return sets;
  }

  /** The sets of the file's folder (with the file as a root of its own if nothing there includes it) and of every folder that includes it. */
  setsAround(filePath: string, kind: FileKind): EnvironmentSet[] {
    const home = path.dirname(filePath);
    const out: EnvironmentSet[] = [];
    for (const dir of new Set([home, ...(this.includedFrom.get(filePath) ?? [])])) out.push(...this.folderSets(dir, dir === home ? { path: filePath, kind } : undefined));
    return out;
  }

  /** Every set a file takes part in. */
  setsContaining(filePath: string, kind: FileKind): EnvironmentSet[] {
    return this.setsAround(filePath, kind).filter((s) => s.files.some((f) => f.path === filePath));
  }


  /** A file and everything it includes through `-r`/`-c` (for a pyproject, just itself). */
  filesOf(filePath: string, kind: FileKind): ParsedFile[] {
    if (kind === 'requirements' || kind === 'constraints') return this.tree(filePath, kind)?.files ?? [];
    const f = this.parse(filePath, kind);
    if (!f) return [];
    const out = [f];
    for (const inc of f.includes) if (inc.resolved) out.push(...(this.tree(inc.resolved, inc.kind)?.files ?? []));
    return dedupe(out);
  }


  private tree(root: string, kind: 'requirements' | 'constraints'): { files: ParsedFile[]; findings: Finding[] } | undefined {
    const text = this.source.read(root);
    if (text === undefined) return undefined;
    return loadRequirementsTree(root, text, {
      kind,
      env: this.env,
      read: (p) => this.source.read(p),
      parse: (p, t, k) => this.parse(p, k, t)!,
    });
  }
}

function parseAs(filePath: string, kind: FileKind, text: string, env: Record<string, string | undefined>): ParsedFile {
  if (text.length > MAX_FILE_BYTES) {
    return {
      path: filePath, kind, text, dependencies: [], includes: [], options: [],
      findings: [{ code: 'syntax', severity: 'error', file: filePath, span: { start: 0, end: 0 }, message: `This file is ${(text.length / 1024 / 1024).toFixed(1)} MB; Stack Doctor reads dependency files up to ${MAX_FILE_BYTES / 1024 / 1024} MB and skipped it.`, related: [], fixes: [] }],
    };
  }
  switch (kind) {
    case 'requirements':
    case 'constraints':
      return parseRequirementsFile(filePath, text, { kind, env });
    case 'conda':
      return parseEnvironmentYml(filePath, text);
    case 'pyproject':
      return parsePyproject(filePath, text);
  }
}

function dedupe(files: ParsedFile[]): ParsedFile[] {
  const seen = new Set<string>();
  return files.filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)));
}

function unreadable(file: string, span: { start: number; end: number }, target: string): Finding {
  return { code: 'syntax', severity: 'error', file, span, message: `Could not open requirements file '${target}'; pip would stop here.`, related: [], fixes: [] };
}
