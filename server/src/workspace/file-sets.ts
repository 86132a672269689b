// The file sets: files -> parsed models (cached by text) -> environment sets, what a folder's dependency files install
// together.
import { finding } from '../model/finding';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dependency, FileKind, Finding, ParsedFile } from '../model/types';
import { canonicalizeName } from '../pep/name';
import { loadRequirementsTree } from '../parsers/requirements';
import { classify, contentRows, fileKindRow, kindByContent, type FileKindRow } from './file-kinds';
import { mayReadFolder, policyKey, restrictIncludes, TRUSTED_INCLUDES, type IncludePolicy } from './include-policy';
import type { EnvironmentSet } from '../model/sets';
import { MAX_FILE_BYTES, skipReason, type TextSource } from './text-source';
import { editablesNotProjects, skippedFile, skippedInclude, unreadable } from './file-findings';
import { setupCfgBeside } from './setup-cfg-view';

interface CacheEntry {
  text: string;
  kind: FileKind;
  /** The include policy the parse was made under (its refused includes are not followed). */
  policy: string;
  parsed: ParsedFile;
}

/** The parse cache and the grouping of files into environment sets; texts come from a {@link TextSource}. */
export class FileSets {
  private readonly cache = new Map<string, CacheEntry>();
  /** Folders whose sets include a file of another folder (through `-r`/`-c`), by that file. */
  private readonly includedFrom = new Map<string, Set<string>>();
  private includePolicy: IncludePolicy = TRUSTED_INCLUDES;

  private env: Record<string, string | undefined>;

  constructor(
    private readonly source: TextSource,
    private readonly variables: Record<string, string | undefined> = process.env,
  ) {
    this.env = variables;
  }

  /** Whether `${VAR}` in requirements files is expanded (pip's rule) or left as written (an untrusted workspace). */
  expandVariables(on: boolean): void {
    const env = on ? this.variables : {};
    if (env === this.env) return;
    this.env = env;
    this.cache.clear();
  }

  /** Forgets a file's parse (on close or delete). */
  evict(filePath: string): void {
    this.cache.delete(filePath);
    this.byContent.delete(filePath);
  }

  /** A file's text changed in an editor buffer: what its content says it is is judged again. */
  textChanged(filePath: string): void {
    this.byContent.delete(filePath);
  }

  /** What the content of files the table does not name says they are, while the file on disk is unchanged. */
  private readonly byContent = new Map<string, { stamp: string; kind: FileKind | null }>();

  /**
   * The kind of a dependency file: by its name (the file-kind table), else by its content where a row's content globs
   * name it (a YAML conda environment whatever its name); null for a file not read on its own. The content is read through the text
   * source (an open buffer wins) and judged again when the file changes on disk or is evicted (an edit).
   */
  kindOf(filePath: string): FileKind | null {
    const byName = classify(filePath);
    const candidates = byName ? [] : contentRows(filePath);
    if (byName || !candidates.length) return byName;
    let stamp = '';
    try {
      const st = fs.statSync(filePath);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      // Not on disk (a new buffer): judged from its text each time.
    }
    const hit = this.byContent.get(filePath);
    if (hit && stamp && hit.stamp === stamp) return hit.kind;
    const text = this.source.read(filePath);
    const kind = text === undefined ? null : kindByContent(candidates, text);
    if (this.byContent.size > 4096) this.byContent.clear();
    this.byContent.set(filePath, { stamp, kind });
    return kind;
  }

  /**
   * Which includes are followed from now on (include-policy.ts): all in a trusted workspace, only those inside the
   * workspace folders in an untrusted one.
   */
  setIncludePolicy(policy: IncludePolicy): void {
    if (policyKey(policy) === policyKey(this.includePolicy)) return;
    this.includePolicy = policy;
    this.includedFrom.clear();
  }

  /**
   * Parses a file as the given kind, reusing the last parse while its text (and the include policy) is the same. An
   * include the policy refuses is not followed by anything that reads the parse; a finding on its line says why.
   */
  parse(filePath: string, kind: FileKind, text?: string): ParsedFile | undefined {
    const t = text ?? this.source.read(filePath);
    if (t === undefined) return undefined;
    const policy = policyKey(this.includePolicy);
    const hit = this.cache.get(filePath);
    if (hit && hit.kind === kind && hit.text === t && hit.policy === policy) return hit.parsed;
    // An earlier text's parse (an edit): the row's parser may reuse what the edit left as it was.
    const previous = hit && hit.kind === kind && hit.policy === policy ? hit.parsed : undefined;
    const parsed = restrictIncludes(parseAs(filePath, kind, t, this.env, previous), this.includePolicy);
    this.cache.set(filePath, { text: t, kind, policy, parsed });
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
        const kind = this.kindOf(p);
        if (kind) out.push({ path: p, kind });
      }
    };
    scan(dir);
    scan(path.join(dir, 'requirements'));
    return out;
  }

  /**
   * The environment sets of a folder: each requirements file that no other dependency file of the folder
   * includes, with everything it includes, and each environment.yml with the files its `pip:` part
   * includes. A pyproject.toml joins a set only where the set names its project, as pip joins them
   * (`.`, `-e .[extra]`, a path or `file:` URL to its folder); the extras named there are installed with
   * the base (`selectedExtras`), and only they. The folder's pyproject is also a set of its own, as is a
   * constraints file no other file includes. A file Stack Doctor skips (too large, not a regular file) is a
   * set of its own with one information finding that says why. `extra` adds a file (an open buffer with an
   * unusual name) as a root.
   *
   * Linear in the files and lines of the folder: each file is read and parsed once per call, the roots are
   * found from the include graph, and a tree is built only for each root.
   */
  folderSets(dir: string, extra?: { path: string; kind: FileKind }): EnvironmentSet[] {
    const pass = new Pass(this.source);
    const listed = this.folderFiles(dir);
    if (extra && !listed.some((f) => f.path === extra.path)) listed.push(extra);
    const roleOf = (f: { kind: FileKind }) => fileKindRow(f.kind).set;
    const roots = this.rootsOf(listed, pass);
    const sets: EnvironmentSet[] = [];
    const covered = new Set<string>();
    const grow = (f: { path: string; kind: FileKind }) => {
      if (pass.read(f.path) === undefined) {
        const why = skipReason(f.path);
        if (why) sets.push({ root: f.path, files: [skippedFile(f.path, f.kind, why)], findings: [] });
        return;
      }
      const role = roleOf(f);
      if (role.joins !== 'own') return;
      const t =
        role.follows === 'includes'
          ? this.includesTree(f.path, f.kind, pass)
          : this.tree(f.path, role.follows.pip, pass);
      if (!t) return;
      const set: EnvironmentSet = { root: f.path, files: dedupe(t.files), findings: t.findings };
      if (role.projects) this.joinProjects(set, dir, pass);
      for (const file of set.files) covered.add(file.path);
      sets.push(set);
    };
    for (const f of listed) if (roots.has(f.path) && roleOf(f).joins === 'own') grow(f);
    // Files that include each other in a cycle, and that nothing else includes: the first listed is the root.
    // (An included file that could not be read is in no tree; its including line says so.)
    for (const f of listed)
      if (!roots.has(f.path) && roleOf(f).joins === 'own' && !covered.has(f.path) && pass.read(f.path) !== undefined)
        grow(f);
    for (const set of sets) {
      for (const file of set.files) {
        if (path.dirname(file.path) === dir) continue;
        let from = this.includedFrom.get(file.path);
        if (!from) this.includedFrom.set(file.path, (from = new Set()));
        from.add(dir);
      }
    }
    // The folder's file of each kind joined by reference (its pyproject) is always a set of its own, first: there its
    // extras and groups are judged, each with its base.
    const referenced = new Set<FileKind>();
    const own: EnvironmentSet[] = [];
    for (const f of listed) {
      if (roleOf(f).joins !== 'reference' || referenced.has(f.kind)) continue;
      referenced.add(f.kind);
      const set = this.standalone(f, pass);
      if (set) own.push(set);
    }
    sets.unshift(...own);
    // A lock joins the sets of its folder rooted at its manifest's kind (the pyproject's own set, made just above), or
    // at a file that holds its manifest (a pyproject with [tool.pixi]); without one it is a set of its own.
    for (const f of listed) {
      const role = roleOf(f);
      if (role.joins !== 'lock') continue;
      const lock = this.standalone(f, pass);
      if (!lock) continue;
      const beside = sets.filter((s) => path.dirname(s.root) === dir && s.files[0]);
      let manifests = beside.filter((s) => s.files[0]!.kind === role.manifest);
      if (!manifests.length && role.holdsManifest) manifests = beside.filter((s) => role.holdsManifest!(s.files[0]!));
      for (const s of manifests) s.files = dedupe([...s.files, ...lock.files]);
      if (!manifests.length) sets.push(lock);
    }
    return sets;
  }

  /** A file as a set of its own: parsed, or standing in with a finding that says why it was skipped. */
  private standalone(f: { path: string; kind: FileKind }, pass: Pass): EnvironmentSet | undefined {
    const text = pass.read(f.path);
    const read = text === undefined ? undefined : this.parse(f.path, f.kind, text);
    const parsed = read?.kind === 'setup-cfg' ? this.setupCfgAsRead(read, pass) : read;
    if (parsed) return { root: parsed.path, files: [parsed], findings: [] };
    const why = skipReason(f.path);
    return why ? { root: f.path, files: [skippedFile(f.path, f.kind, why)], findings: [] } : undefined;
  }

  /**
   * The listed files that no other listed file includes (through any chain of `-r`/`-c` or a `pip:` part).
   * Each file is parsed once; every node carries at most two "reached from" labels, so the walk is linear.
   */
  private rootsOf(listed: { path: string; kind: FileKind }[], pass: Pass): Set<string> {
    type Node = { path: string; next: string[]; labels: string[] };
    const nodes = new Map<string, Node>();
    const keyOf = (p: string, kind: FileKind) => `${kind}\0${p}`;
    const nodeOf = (p: string, kind: FileKind): Node => {
      const key = keyOf(p, kind);
      let n = nodes.get(key);
      if (n) return n;
      n = { path: p, next: [], labels: [] };
      nodes.set(key, n);
      // Only files that root sets include others; the rest are not read here.
      const text = fileKindRow(kind).set.joins === 'own' ? pass.read(p) : undefined;
      if (text === undefined) return n;
      const parsed = this.parse(p, kind, text);
      if (parsed)
        for (const inc of parsed.includes) if (inc.resolved) n.next.push(keyOf(path.resolve(inc.resolved), inc.kind));
      return n;
    };
    // Build the graph of everything reachable from the listed files, iteratively (chains may be long).
    const todo: [string, FileKind][] = listed.map((f) => [f.path, f.kind]);
    while (todo.length) {
      const [p, kind] = todo.pop()!;
      if (nodes.has(keyOf(p, kind))) continue;
      const n = nodeOf(p, kind);
      for (const k of n.next)
        if (!nodes.has(k)) {
          const sep = k.indexOf('\0');
          todo.push([k.slice(sep + 1), k.slice(0, sep) as FileKind]);
        }
    }
    // Propagate "reached from listed file X" along the edges, at most two distinct labels per node.
    const work: [Node, string][] = [];
    const add = (n: Node, label: string) => {
      if (n.labels.length >= 2 || n.labels.includes(label)) return;
      n.labels.push(label);
      work.push([n, label]);
    };
    for (const f of listed) {
      const n = nodes.get(keyOf(f.path, f.kind));
      if (!n) continue;
      // A listed file passes its own label on; reaching itself again through a cycle does not make it included.
      for (const k of n.next) add(nodes.get(k)!, f.path);
    }
    while (work.length) {
      const [n, label] = work.pop()!;
      for (const k of n.next) add(nodes.get(k)!, label);
    }
    const includedPaths = new Set<string>();
    for (const n of nodes.values()) if (n.labels.some((l) => l !== n.path)) includedPaths.add(n.path);
    return new Set(listed.filter((f) => !includedPaths.has(f.path)).map((f) => f.path));
  }

  /** A file parsed once with the pip tree of each file it includes (an environment.yml and its `pip:` part's). */
  private includesTree(
    ymlPath: string,
    kind: FileKind,
    pass: Pass,
  ): { files: ParsedFile[]; findings: Finding[] } | undefined {
    const yml = this.parse(ymlPath, kind, pass.read(ymlPath));
    if (!yml) return undefined;
    const files = [yml];
    const findings: Finding[] = [];
    for (const inc of yml.includes) {
      if (!inc.resolved) continue;
      const sub = this.tree(inc.resolved, inc.kind, pass);
      if (!sub) {
        const why = skipReason(inc.resolved);
        findings.push(
          why ? skippedInclude(yml.path, inc.span, inc.target, why) : unreadable(yml.path, inc.span, inc.target),
        );
        continue;
      }
      files.push(...sub.files);
      findings.push(...sub.findings);
    }
    findings.push(...editablesNotProjects([yml]));
    return { files: dedupe(files), findings };
  }

  /**
   * Adds to the set each pyproject.toml whose project one of its requirements names, as pip would install it
   * (`-e .`, `.[gpu]`, `../proj`, `file:///.../proj`), and records the extras named with it.
   */
  private joinProjects(set: EnvironmentSet, dir: string, pass: Pass): void {
    const selected = new Map<string, Set<string>>();
    const added: ParsedFile[] = [];
    for (const file of set.files) {
      const role = fileKindRow(file.kind).set;
      if (role.joins !== 'own' || !role.projects) continue;
      for (const dep of file.dependencies) {
        const ref = projectReference(dep);
        if (!ref) continue;
        // pip reads a relative path from the folder it runs in; the file's own folder first, then the set's.
        let manifests: ParsedFile[] = [];
        let refused = false;
        for (const folder of ref.relative === null ? [ref.dir] : [ref.dir, path.resolve(dir, ref.relative)]) {
          // An untrusted workspace reads no project outside its folders (its name-shaped lines would be looked up).
          if (!mayReadFolder(folder, file.path, this.includePolicy)) {
            refused = true;
            continue;
          }
          manifests = this.projectManifests(folder, pass);
          if (manifests.length) break;
        }
        if (!manifests.length) {
          if (refused)
            set.findings.push(
              finding(
                'syntax',
                file.path,
                dep.span,
                'Stack Doctor did not read this project: it is outside the workspace folders, and an untrusted ' +
                  'workspace reads files only inside them. Nothing in it was checked.',
                { severity: 'information' },
              ),
            );
          continue;
        }
        for (const manifest of manifests) {
          if (!selected.has(manifest.path)) {
            selected.set(manifest.path, new Set());
            added.push(manifest);
          }
          for (const e of ref.extras) selected.get(manifest.path)!.add(e);
        }
      }
    }
    if (!added.length) return;
    set.files = dedupe([...set.files, ...added]);
    set.selectedExtras = new Map([...selected].map(([p, e]) => [p, [...e].sort()]));
  }

  /**
   * The files that declare what pip installs of a project folder: its pyproject.toml, and its setup.cfg as setuptools
   * reads it beside that (pip builds only a folder with a pyproject.toml or a setup.py). None: no project pip installs.
   */
  private projectManifests(folder: string, pass: Pass): ParsedFile[] {
    const pyprojectPath = path.join(folder, 'pyproject.toml');
    const pyprojectText = pass.read(pyprojectPath);
    const pyproject = pyprojectText === undefined ? undefined : this.parse(pyprojectPath, 'pyproject', pyprojectText);
    const cfgPath = path.join(folder, 'setup.cfg');
    const cfgText = pyproject || fs.existsSync(path.join(folder, 'setup.py')) ? pass.read(cfgPath) : undefined;
    const cfg = cfgText === undefined ? undefined : this.parse(cfgPath, 'setup-cfg', cfgText);
    return [...(pyproject ? [pyproject] : []), ...(cfg ? [this.setupCfgAsRead(cfg, pass)] : [])];
  }

  private readonly cfgViews = new WeakMap<ParsedFile, { pyproject: ParsedFile | undefined; view: ParsedFile }>();

  /**
   * A setup.cfg as setuptools reads it beside its folder's pyproject.toml: where that declares a `[project]` table,
   * setuptools takes from setup.cfg only the fields `dynamic` lists (`dependencies` for install_requires,
   * `optional-dependencies` for extras_require, `requires-python`) and ignores the others with a warning; the lines it
   * ignores leave the model, and one information finding says so. The same view while both texts are unchanged.
   */
  private setupCfgAsRead(cfg: ParsedFile, pass: Pass): ParsedFile {
    const pyprojectPath = path.join(path.dirname(cfg.path), 'pyproject.toml');
    const text = pass.read(pyprojectPath);
    const pyproject = text === undefined ? undefined : this.parse(pyprojectPath, 'pyproject', text);
    const hit = this.cfgViews.get(cfg);
    if (hit && hit.pyproject === pyproject) return hit.view;
    const view = setupCfgBeside(cfg, pyproject);
    this.cfgViews.set(cfg, { pyproject, view });
    return view;
  }

  /**
   * The sets of the file's folder (with the file as a root of its own if nothing there includes it) and of every folder
   * that includes it.
   */
  setsAround(filePath: string, kind: FileKind): EnvironmentSet[] {
    const home = path.dirname(filePath);
    const out: EnvironmentSet[] = [];
    for (const dir of new Set([home, ...(this.includedFrom.get(filePath) ?? [])]))
      out.push(...this.folderSets(dir, dir === home ? { path: filePath, kind } : undefined));
    return out;
  }

  /** Every set a file takes part in. */
  setsContaining(filePath: string, kind: FileKind): EnvironmentSet[] {
    return this.setsAround(filePath, kind).filter((s) => s.files.some((f) => f.path === filePath));
  }

  /** A file and everything it includes through `-r`/`-c` (for a pyproject, just itself). */
  filesOf(filePath: string, kind: FileKind): ParsedFile[] {
    const role = fileKindRow(kind).set;
    if (role.joins === 'own' && role.follows !== 'includes') return this.tree(filePath, role.follows.pip)?.files ?? [];
    const f = this.parse(filePath, kind);
    if (!f) return [];
    const out = [f];
    for (const inc of f.includes) if (inc.resolved) out.push(...(this.tree(inc.resolved, inc.kind)?.files ?? []));
    return dedupe(out);
  }

  private tree(
    root: string,
    kind: 'requirements' | 'constraints',
    pass: Pass = new Pass(this.source),
  ): { files: ParsedFile[]; findings: Finding[] } | undefined {
    const text = pass.read(root);
    if (text === undefined) return undefined;
    const tree = loadRequirementsTree(root, text, {
      kind,
      env: this.env,
      read: (p) => pass.read(p),
      parse: (p, t, k) => this.parse(p, k, t)!,
    });
    // An include Stack Doctor skipped (too large, not a regular file) is said so at the including line, not "could not
    // open".
    for (const file of tree.files) {
      for (const inc of file.includes) {
        if (!inc.resolved || pass.read(inc.resolved) !== undefined) continue;
        const why = skipReason(inc.resolved);
        if (!why) continue;
        const at = tree.findings.findIndex(
          (f) => f.file === file.path && f.span.start === inc.span.start && f.span.end === inc.span.end,
        );
        if (at >= 0) tree.findings[at] = skippedInclude(file.path, inc.span, inc.target, why);
      }
    }
    tree.findings.push(...editablesNotProjects(tree.files));
    return tree;
  }
}

/** One analysis: every file read once, however many trees it is in. */
class Pass {
  private readonly texts = new Map<string, string | undefined>();

  constructor(private readonly source: TextSource) {}

  read(filePath: string): string | undefined {
    if (this.texts.has(filePath)) return this.texts.get(filePath);
    const t = this.source.read(filePath);
    this.texts.set(filePath, t);
    return t;
  }
}

/** A URL's scheme, a `file:` URL's, and a Windows drive (`C:\`, which is no scheme). */
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const FILE_SCHEME = /^file:/i;
const DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * The local project a requirement installs from its folder (`.`, `-e ./proj[gpu]`, `file:///…/proj`),
 * with the extras named; null for names, remote URLs and constraints. `relative` is the path as written
 * when it was relative (pip reads it from the folder it runs in).
 */
export function projectReference(dep: Dependency): { dir: string; extras: string[]; relative: string | null } | null {
  if (dep.kind !== 'requirement' || dep.url === null) return null;
  // A remote URL (most URL lines) names no local project: said before anything is made of it.
  if (URL_SCHEME.test(dep.url) && !FILE_SCHEME.test(dep.url) && !DRIVE.test(dep.url)) return null;
  const u = dep.url.replace(/[?#].*$/s, '');
  let p: string;
  try {
    if (/^file:\/\//i.test(u)) {
      const ex = /\[([^\]]*)\]$/.exec(u);
      p = fileURLToPath(ex ? u.slice(0, ex.index) : u) + (ex ? ex[0] : '');
    } else if (/^file:/i.test(u)) p = path.resolve(path.dirname(dep.file), decodeURIComponent(u.slice('file:'.length)));
    else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(u) && !/^[A-Za-z]:[\\/]/.test(u)) return null;
    else p = path.resolve(path.dirname(dep.file), u);
  } catch {
    return null; // a file: URL with a remote host or bad escapes names no local project
  }
  const extras = new Set(dep.extras.map(canonicalizeName));
  const m = /^(.*?)\[([^\]]*)\]$/.exec(p);
  if (m) {
    p = m[1]!;
    for (const e of m[2]!.split(',')) if (e.trim()) extras.add(canonicalizeName(e.trim()));
  }
  const written = dep.text.replace(/\[[^\]]*\]\s*$/, '').trim();
  const relative =
    written && !path.isAbsolute(written) && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(written) && !written.startsWith('~')
      ? written
      : null;
  return { dir: path.resolve(p), extras: [...extras].sort(), relative };
}

function parseAs(
  filePath: string,
  kind: FileKind,
  text: string,
  env: Record<string, string | undefined>,
  previous?: ParsedFile,
): ParsedFile {
  if (text.length > MAX_FILE_BYTES) {
    const why = `it is ${(text.length / 1024 / 1024).toFixed(1)} MB, over the ${MAX_FILE_BYTES / 1024 / 1024} MB Stack Doctor reads`;
    return { ...skippedFile(filePath, kind, why), text };
  }
  const row: FileKindRow = fileKindRow(kind);
  return row.parse(filePath, text, row.expandsVariables ? env : {}, previous);
}

function dedupe(files: ParsedFile[]): ParsedFile[] {
  const seen = new Set<string>();
  return files.filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)));
}
