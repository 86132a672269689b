// Reads pyproject.toml ([project], PEP 735 dependency groups, [build-system], uv; Poetry's tables through poetry-reader.ts)
// into the shared model, every entry with its source span.
import { finding } from '../model/finding';
import type {
  Dependency,
  DependencyKind,
  ExtraInclude,
  ParsedFile,
  Span,
  UvIndexSettings,
  UvResolution,
} from '../model/types';
import { canonicalizeName, isValidName } from '../pep/name';
import { SpecifierSet } from '../pep/specifier';
import { pixiFeature, type PixiManifest, type PixiParsedFile } from '../model/pixi';
import { stronglyConnected } from './graph';
import { readPyprojectPixi } from './pixi';
import { PoetryReader, type PoetryExtras } from './poetry-reader';
import { normalizeExtra, parseRequirementEntry } from './requirement-entry';
import { readUvIndexSettings, sourcesFor } from './uv-index';
import { readUvResolution } from './uv-resolution';
import { at, readTomlTree, TomlReader, type TomlTree, type VEntry, type VNode, type VTable } from './toml-tree';
import { emptyParsedFile } from '../model/parsed-file';

/** Larger files are not parsed: the TOML parser needs seconds for a few MB, and no real pyproject.toml is that big. */
export const MAX_PYPROJECT_LENGTH = 1024 * 1024;

/** Walks the resolved tree and turns the sections Stack Doctor reads into dependencies and findings. */
class PyprojectReader extends TomlReader {
  readonly dependencies: Dependency[] = [];
  requiresPython = '';
  requiresPythonSpan: Span | null = null;
  uvIndexes: UvIndexSettings | null = null;
  /** The project's name (normalized), extras and dependency groups, as declared: what uv's settings name. */
  private projectName: string | null = null;
  private readonly declaredExtras = new Set<string>();
  private readonly declaredGroups = new Set<string>();
  uvResolution: UvResolution | null = null;
  /** `[project] dynamic`, lower-cased; null without a `[project]` table. */
  projectDynamic: string[] | null = null;
  /** Self-references of the project (`mypkg[extra]` in mypkg's own lists), kept out of `dependencies`. */
  readonly extraIncludes: ExtraInclude[] = [];
  /** The extras (as written) and then the dependency groups, with their scopes: the features pixi reads them as. */
  readonly pixiGroups: { name: string; scope: string }[] = [];
  /** Group scope -> the group scopes it includes (`include-group`). */
  private readonly includes = new Map<string, Set<string>>();
  /** `[tool.poetry.extras]`: extra -> the package names it lists, with where each is written. */
  private poetryExtras: PoetryExtras = new Map();

  constructor(path: string, text: string, tree: TomlTree) {
    super(path, text, tree);
  }

  read(root: VTable): void {
    this.readBuildSystem(root.entries.get('build-system'));
    this.readProject(root.entries.get('project'));
    this.readDependencyGroups(root.entries.get('dependency-groups'));
    const tool = this.table(root.entries.get('tool'), 'tool');
    if (tool) {
      const poetry = new PoetryReader(this, this.dependencies);
      poetry.read(tool.entries.get('poetry'));
      this.poetryExtras = poetry.extras;
      // [project] requires-python, the standard field, wins where both are written.
      if (this.requiresPython === '') this.requiresPython = poetry.requiresPython;
      this.readUv(tool.entries.get('uv'));
    }
    this.assignScopes();
    this.applyUvUrlSources();
  }

  /**
   * A `{ url = ... }` source that applies wherever the package is declared makes the declaration a URL requirement,
   * as uv reads it (`name @ URL`): judged by the rules for URLs a workspace file names.
   */
  private applyUvUrlSources(): void {
    if (!this.uvIndexes) return;
    for (const dep of this.dependencies) {
      if (dep.kind !== 'requirement' || dep.url) continue;
      const scopes = dep.scopes ?? [sectionScope(dep.section ?? '') ?? ''];
      const applies = sourcesFor(this.uvIndexes, dep.name, scopes);
      if (applies.length === 1 && applies[0]!.kind === 'url' && !applies[0]!.marker) dep.url = applies[0]!.target;
    }
  }

  private include(from: string, to: string): void {
    (this.includes.get(from) ?? this.includes.set(from, new Set()).get(from)!).add(to);
  }

  /**
   * Gives each declaration the scopes that install it where its section alone does not say: a dependency
   * group joins the groups that include it, recursively; a Poetry optional dependency belongs to the
   * `[tool.poetry.extras]` that list it, and to none when none does (Poetry never installs it then).
   * Self-referencing extras are left to checks/scope.ts: their markers depend on the target.
   */
  private assignScopes(): void {
    // Who includes each scope, transitively (cycles end where they started).
    const includers = new Map<string, Set<string>>();
    const reverse = new Map<string, string[]>();
    for (const [from, tos] of this.includes)
      for (const to of tos) (reverse.get(to) ?? reverse.set(to, []).get(to)!).push(from);
    const includersOf = (scope: string): Set<string> => {
      const hit = includers.get(scope);
      if (hit) return hit;
      const seen = new Set<string>();
      const work = [scope];
      while (work.length)
        for (const from of reverse.get(work.pop()!) ?? [])
          if (!seen.has(from) && from !== scope) {
            seen.add(from);
            work.push(from);
          }
      includers.set(scope, seen);
      return seen;
    };
    const listedBy = new Map<string, string[]>();
    for (const [extra, names] of this.poetryExtras)
      for (const n of names) (listedBy.get(n.name) ?? listedBy.set(n.name, []).get(n.name)!).push(extra);
    for (const dep of this.dependencies) {
      let own: string[];
      if (dep.optional) own = [...new Set(listedBy.get(dep.name) ?? [])].map((e) => 'extra:' + e);
      else {
        const s = sectionScope(dep.section ?? '');
        if (s === null || !this.includes.size) continue;
        own = [s];
      }
      const all = new Set(own);
      for (const s of own) for (const i of includersOf(s)) all.add(i);
      // Included into the base: always installed, once.
      const scopes = all.has('') ? [''] : [...all].sort();
      if (dep.optional || scopes.length !== own.length || scopes[0] !== own[0]) dep.scopes = scopes;
    }
    const optionalNames = new Set(this.dependencies.filter((d) => d.optional).map((d) => d.name));
    const declaredNames = new Set(
      this.dependencies.filter((d) => d.section === 'tool.poetry.dependencies').map((d) => d.name),
    );
    for (const [extra, names] of this.poetryExtras) {
      for (const n of names) {
        if (optionalNames.has(n.name)) continue;
        const why = declaredNames.has(n.name)
          ? 'is not marked optional = true, so it is always installed'
          : 'is not declared in [tool.poetry.dependencies]';
        this.finding(n.span, `Extra '${extra}' lists '${n.raw}', which ${why}`, 'warning');
      }
    }
  }

  private requirements(entry: VEntry | undefined, section: string, kind: DependencyKind): void {
    const arr = this.array(entry, section);
    if (arr) for (const item of arr.items) this.requirement(item, section, kind, `An entry of '${section}'`);
  }

  /** One PEP 508 string; with escapes in it, every span (and `text`) is the whole string token, quotes included. */
  private requirement(v: VNode, section: string, kind: DependencyKind, what: string): void {
    const s = this.string(v, what);
    if (!s) return;
    const ctx = { file: this.path, kind, section };
    const r = parseRequirementEntry(s.value, s.content ? s.content.start : s.token.start, ctx);
    if (r.finding) {
      if (!s.content) r.finding.span = { ...s.token };
      this.findings.push(r.finding);
      return;
    }
    const dep = r.dependency;
    if (!s.content) {
      dep.span = { ...s.token };
      dep.nameSpan = { ...s.token };
      dep.specifierSpan = { ...s.token };
      dep.text = this.text.slice(s.token.start, s.token.end);
    }
    this.dependencies.push(dep);
  }

  private readBuildSystem(entry: VEntry | undefined): void {
    const bs = this.table(entry, 'build-system');
    if (bs) this.requirements(bs.entries.get('requires'), 'build-system.requires', 'build');
  }

  private readProject(entry: VEntry | undefined): void {
    const project = this.table(entry, 'project');
    if (!project) return;
    const dynamic = project.entries.get('dynamic');
    this.projectDynamic =
      dynamic && dynamic.value.kind === 'array'
        ? dynamic.value.items.flatMap((v) =>
            v.kind === 'value' && v.node.kind === 'string' ? [String(v.node.value).toLowerCase()] : [],
          )
        : [];
    const nameEntry = project.entries.get('name');
    const name =
      nameEntry && nameEntry.value.kind === 'value' && nameEntry.value.node.kind === 'string'
        ? String(nameEntry.value.node.value)
        : '';
    const self = isValidName(name) ? canonicalizeName(name) : null;
    this.projectName = self;
    const first = this.dependencies.length;
    this.requirements(project.entries.get('dependencies'), 'project.dependencies', 'requirement');
    const optional = this.table(project.entries.get('optional-dependencies'), 'project.optional-dependencies');
    const extras = new Set<string>();
    if (optional) {
      for (const [extra, e] of optional.entries) {
        if (!isValidName(extra)) this.finding(e.keySpan, `'${extra}' is not a valid extra name`);
        extras.add(normalizeExtra(extra));
        this.declaredExtras.add(normalizeExtra(extra));
        this.pixiGroups.push({ name: extra, scope: `extra:${normalizeExtra(extra)}` });
        this.requirements(e, `project.optional-dependencies.${normalizeExtra(extra)}`, 'requirement');
      }
    }
    if (self !== null) this.selfReferences(self, first, extras);
    const rp = project.entries.get('requires-python');
    if (rp) {
      const s = this.string(rp.value, "'project.requires-python'");
      if (s) {
        const normalized = this.specifierSet(s.value, at(s), "'requires-python'");
        if (normalized !== null) {
          this.requiresPython = normalized;
          this.requiresPythonSpan = at(s);
        }
      }
    }
  }

  /**
   * `mypkg[a,b]` in mypkg's own dependencies or extras names the project's extras a and b (the usual way to
   * compose extras): it is no package of its own, so it leaves `dependencies` and becomes an include of
   * those extras into the list that names it (checks/scope.ts expands it where its marker holds).
   */
  private selfReferences(self: string, first: number, extras: Set<string>): void {
    const kept: Dependency[] = [];
    for (const dep of this.dependencies.splice(first)) {
      const scope = dep.name === self ? sectionScope(dep.section ?? '') : null;
      if (scope === null) {
        kept.push(dep);
        continue;
      }
      this.extraIncludes.push({
        scope,
        extras: dep.extras,
        marker: dep.marker,
        span: dep.span,
        text: dep.text,
        declared: dep,
      });
      for (const e of dep.extras) {
        if (!extras.has(e))
          this.finding(dep.span, `'${dep.text}' names the extra '${e}', which this project does not define`, 'warning');
      }
    }
    this.dependencies.push(...kept);
  }

  private specifierSet(value: string, span: Span, what: string): string | null {
    try {
      return SpecifierSet.parse(value).toString();
    } catch (e) {
      this.finding(
        span,
        `${what} '${value}' is not a valid PEP 440 specifier ` +
          `set${e instanceof Error && e.message ? `: ${e.message}` : ''}`,
      );
      return null;
    }
  }

  private readDependencyGroups(entry: VEntry | undefined): void {
    const groups = this.table(entry, 'dependency-groups');
    if (!groups) return;
    interface IncludeEdge {
      from: string;
      to: string;
      rawTo: string;
      span: Span;
    }
    const declared = new Map<string, string>();
    const edges: IncludeEdge[] = [];
    for (const [rawName, e] of groups.entries) {
      const name = canonicalizeName(rawName);
      if (!isValidName(rawName)) this.finding(e.keySpan, `'${rawName}' is not a valid dependency group name`);
      const earlier = declared.get(name);
      if (earlier !== undefined) {
        this.finding(
          e.keySpan,
          `Dependency group '${rawName}' is the same group as '${earlier}' (names are compared normalized)`,
        );
        continue;
      }
      declared.set(name, rawName);
      this.declaredGroups.add(name);
      this.pixiGroups.push({ name: rawName, scope: `group:${name}` });
      const section = `dependency-groups.${name}`;
      const arr = this.array(e, section);
      if (!arr) continue;
      for (const item of arr.items) {
        if (item.kind !== 'table') {
          this.requirement(item, section, 'requirement', `An entry of '${section}'`);
          continue;
        }
        const include = item.entries.get('include-group');
        if (!include || item.entries.size !== 1) {
          this.finding(item.span, `A table in a dependency group must be exactly {include-group = "NAME"}`);
          continue;
        }
        const target = this.string(include.value, "'include-group'");
        if (target)
          edges.push({ from: name, to: canonicalizeName(target.value), rawTo: target.value, span: item.span });
      }
    }
    const known: IncludeEdge[] = [];
    for (const edge of edges) {
      if (declared.has(edge.to)) known.push(edge);
      else
        this.finding(
          edge.span,
          `Dependency group '${declared.get(edge.from)}' includes '${edge.rawTo}', which is not defined`,
        );
    }
    for (const edge of known) if (edge.from !== edge.to) this.include('group:' + edge.from, 'group:' + edge.to);
    const component = stronglyConnected([...declared.keys()], known);
    for (const edge of known) {
      if (edge.from === edge.to)
        this.finding(edge.span, `Dependency group '${declared.get(edge.from)}' includes itself`);
      else if (component.get(edge.from) === component.get(edge.to)) {
        this.finding(
          edge.span,
          `Dependency group '${declared.get(edge.from)}' includes '${edge.rawTo}', ` +
            `which includes '${declared.get(edge.from)}' again (an include cycle)`,
        );
      }
    }
  }

  /** `conflicts`, `default-groups`, `environments`, `required-environments` (`tool.uv.dev-dependencies` is `dev`). */
  private readUvResolution(uv: VTable): void {
    const groups = new Set(this.declaredGroups);
    if (uv.entries.has('dev-dependencies')) groups.add('dev');
    this.uvResolution = readUvResolution(this, uv, {
      project: this.projectName,
      extras: this.declaredExtras,
      groups,
    });
  }

  private readUv(entry: VEntry | undefined): void {
    const uv = this.table(entry, 'tool.uv');
    if (!uv) return;
    this.requirements(uv.entries.get('constraint-dependencies'), 'tool.uv.constraint-dependencies', 'constraint');
    // Its tables (overrides of one package's dependencies) are read with the resolution settings.
    const overrides = uv.entries.get('override-dependencies');
    const list = this.array(overrides, 'tool.uv.override-dependencies');
    for (const item of list?.items ?? [])
      if (item.kind !== 'table')
        this.requirement(
          item,
          'tool.uv.override-dependencies',
          'override',
          "An entry of 'tool.uv.override-dependencies'",
        );
    this.requirements(uv.entries.get('dev-dependencies'), 'tool.uv.dev-dependencies', 'requirement');
    this.uvIndexes = readUvIndexSettings(this, uv);
    this.readUvResolution(uv);
  }
}

/**
 * Parses a pyproject.toml. Reads `[project]` dependencies, optional-dependencies and requires-python,
 * `[dependency-groups]` (PEP 735, includes validated), `[build-system] requires`, Poetry's dependency
 * tables (constraints translated to PEP 440, see `poetry.ts`) and `[tool.uv]` constraint, override and dev
 * dependencies. Never throws: TOML errors, wrong shapes, bad requirements and hostile input (huge files,
 * deep nesting, over-long strings) become `syntax` findings; after a TOML error only what precedes it is read.
 */
export function parsePyproject(path: string, text: string): ParsedFile {
  const file: ParsedFile = { ...emptyParsedFile(path, 'pyproject', text), requiresPython: '' };
  const fail = (span: Span, message: string): ParsedFile => {
    file.findings.push(finding('syntax', path, span, message));
    return file;
  };
  if (text.length > MAX_PYPROJECT_LENGTH) {
    const firstLineEnd = text.indexOf('\n');
    return fail(
      { start: 0, end: firstLineEnd > 0 ? firstLineEnd : Math.min(text.length, 200) },
      `The file has ${text.length} characters; pyproject.toml files over ${MAX_PYPROJECT_LENGTH} are not analysed`,
    );
  }
  const tree = readTomlTree(text);
  const reader = new PyprojectReader(path, text, tree);
  if (tree.root) reader.read(tree.root);

  // `[tool.pixi]`: a pixi manifest inside the pyproject; `[project]`'s dependencies are its default PyPI ones, each
  // extra and dependency group a feature of its name.
  const pixi = tree.root
    ? readPyprojectPixi(
        reader,
        tree.root,
        reader.pixiGroups.map((g) => g.name),
      )
    : null;
  if (pixi) {
    pixiFeaturesOfProject(pixi.manifest, reader.pixiGroups, reader.dependencies, reader.extraIncludes);
    reader.dependencies.push(...pixi.dependencies);
    reader.findings.push(...pixi.findings);
    (file as PixiParsedFile).pixi = pixi.manifest;
  }
  file.dependencies = reader.dependencies.sort(
    (a, b) => a.span.start - b.span.start || a.nameSpan.start - b.nameSpan.start,
  );
  file.findings = reader.findings.sort((a, b) => a.span.start - b.span.start);
  file.requiresPython = reader.requiresPython;
  if (reader.requiresPythonSpan) file.requiresPythonSpan = reader.requiresPythonSpan;
  if (reader.uvIndexes) file.uvIndexes = reader.uvIndexes;
  if (reader.extraIncludes.length) file.extraIncludes = reader.extraIncludes;
  if (reader.projectDynamic) file.projectDynamic = reader.projectDynamic;
  if (reader.uvResolution) file.uvResolution = reader.uvResolution;
  return file;
}

/**
 * The PyPI part of a pyproject's pixi features, as pixi reads a pyproject: `[project]` dependencies are the default
 * feature's, each extra and dependency group the feature of its name (a dependency group over an extra of the same
 * name), with what it includes: the groups it includes and the extras it names through the project itself
 * (`app[test]`), transitively. (Markers of those self-references are not applied: pixi's features have none.)
 */
function pixiFeaturesOfProject(
  m: PixiManifest,
  groups: readonly { name: string; scope: string }[],
  dependencies: readonly Dependency[],
  selfReferences: readonly ExtraInclude[],
): void {
  const named = new Map<string, string[]>();
  for (const inc of selfReferences)
    for (const e of inc.extras) (named.get(inc.scope) ?? named.set(inc.scope, []).get(inc.scope)!).push(`extra:${e}`);
  const withNamed = (scope: string): Set<string> => {
    const out = new Set([scope]);
    const work = [scope];
    while (work.length)
      for (const s of named.get(work.pop()!) ?? [])
        if (!out.has(s)) {
          out.add(s);
          work.push(s);
        }
    return out;
  };
  const fromProject = (d: Dependency) =>
    d.section === 'project.dependencies' ||
    !!d.section?.startsWith('project.optional-dependencies.') ||
    !!d.section?.startsWith('dependency-groups.');
  const of = (scope: string): Dependency[] => {
    const scopes = withNamed(scope);
    return dependencies.filter(
      (d) => fromProject(d) && (d.scopes ?? [sectionScope(d.section ?? '')]).some((s) => s !== null && scopes.has(s)),
    );
  };
  const byFeature = new Map<string, string>([['default', '']]);
  for (const g of groups) byFeature.set(g.name, g.scope);
  for (const [name, scope] of byFeature) {
    const own = pixiFeature(m, name)?.targets[0];
    if (own) own.pypiDependencies.unshift(...of(scope));
  }
}

/**
 * The optional scope a section's declarations belong to: '' for what is always installed, `extra:NAME` or
 * `group:NAME` for extras and dependency groups, null for what is never installed with the rest
 * (`build-system.requires` runs in its own isolated build environment). checks/scope.ts reads it.
 */
export function sectionScope(section: string): string | null {
  if (section === 'build-system.requires') return null;
  if (section.startsWith('project.optional-dependencies.'))
    return 'extra:' + section.slice('project.optional-dependencies.'.length);
  if (section.startsWith('dependency-groups.')) return 'group:' + section.slice('dependency-groups.'.length);
  const poetryGroup = /^tool\.poetry\.group\.(.+)\.dependencies$/.exec(section);
  if (poetryGroup) return 'group:' + poetryGroup[1];
  if (section === 'tool.poetry.dev-dependencies' || section === 'tool.uv.dev-dependencies') return 'group:dev';
  // setup.cfg's [options.extras_require] (parsers/setup-cfg.ts), read as [project] optional-dependencies.
  if (section.startsWith('options.extras_require.')) return 'extra:' + section.slice('options.extras_require.'.length);
  return '';
}
