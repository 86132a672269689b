// Reads a pixi manifest: `pixi.toml` (TOML 1.1, as pixi reads it) or the `[tool.pixi]` tables of a pyproject.toml,
// into the model of model/pixi.ts, every entry with its span; conda specs and PyPI requirements also become the file's
// dependencies, each scoped to the environments that install it.
import { condaSpecToPep440, isMatchSpecError, parseMatchSpec } from '../conda-spec/match-spec';
import { finding } from '../model/finding';
import {
  defaultVirtualPackages,
  PIXI_SUBDIRS,
  virtualAppliesTo,
  type PixiChannel,
  type PixiEnvironment,
  type PixiFeature,
  type PixiManifest,
  type PixiParsedFile,
  type PixiPlatform,
  type PixiPypiOptions,
  type PixiUrl,
  type PixiTarget,
} from '../model/pixi';
import type { Dependency, FileOption, Span } from '../model/types';
import { canonicalizeName } from '../pep/name';
import { SpecifierSet } from '../pep/specifier';
import { normalizeExtra } from './requirement-entry';
import { readTomlTree, TomlReader, type StringInfo, type VEntry, type VNode, type VTable } from './toml-tree';
import { emptyParsedFile } from '../model/parsed-file';

/** pixi.toml files over this many characters are not analysed. */
export const MAX_PIXI_LENGTH = 1024 * 1024;

/** Friendly virtual-package keys of a platform entry and `[system-requirements]`, by conda name. */
const VIRTUAL_KEYS: Record<string, string> = {
  cuda: '__cuda',
  archspec: '__archspec',
  glibc: '__glibc',
  libc: '__glibc',
  linux: '__linux',
  macos: '__osx',
  osx: '__osx',
  windows: '__win',
};

/** The PEP 508 marker of a `[target.X]` selector: where pip's markers say the same platform. */
function targetMarker(selector: string | null): string {
  if (selector === null) return '';
  const os: Record<string, string> = { linux: 'linux', osx: 'darwin', win: 'win32' };
  if (selector === 'unix') return 'sys_platform != "win32"';
  if (os[selector]) return `sys_platform == "${os[selector]}"`;
  const [family, arch] = selector.split('-');
  const sys = os[family ?? ''];
  if (!sys) return '';
  const machine: Record<string, string> = {
    'linux-64': 'x86_64',
    'linux-aarch64': 'aarch64',
    'linux-ppc64le': 'ppc64le',
    'linux-s390x': 's390x',
    'osx-64': 'x86_64',
    'osx-arm64': 'arm64',
    'win-64': 'AMD64',
    'win-arm64': 'ARM64',
  };
  const m = machine[selector];
  return m ? `sys_platform == "${sys}" and platform_machine == "${m}"` : arch ? `sys_platform == "${sys}"` : '';
}

const TARGET_SELECTORS = new Set(['linux', 'osx', 'win', 'unix']);

class PixiReader extends TomlReader {
  readonly dependencies: Dependency[] = [];
  /** The PyPI index options every environment with the default feature uses, as pip's options (`--index-url`). */
  readonly options: FileOption[] = [];

  constructor(
    path: string,
    text: string,
    tree: ReturnType<typeof readTomlTree>,
    private readonly prefix: string,
  ) {
    super(path, text, tree);
  }

  private stringOf(v: VNode, what: string): StringInfo | null {
    return this.string(v, what);
  }

  private numberOf(v: VNode, what: string): number | null {
    if (v.kind === 'value' && v.node.kind === 'integer') return Number(v.node.value);
    this.finding(v.span, `${what} must be an integer, not ${v.kind === 'value' ? v.node.kind : `a ${v.kind}`}`);
    return null;
  }

  private sectionName(...parts: string[]): string {
    return this.prefix + parts.filter(Boolean).join('.');
  }

  channels(entry: VEntry | undefined, section: string): PixiChannel[] | null {
    const arr = this.array(entry, section, 'channel names or tables');
    if (!arr) return null;
    const out: PixiChannel[] = [];
    for (const item of arr.items) {
      if (item.kind === 'table') {
        const c = item.entries.get('channel');
        const s = c ? this.stringOf(c.value, 'A channel') : null;
        if (!c) this.finding(item.span, `A channel table needs 'channel'`);
        const p = item.entries.get('priority');
        const priority = p ? this.numberOf(p.value, `'priority'`) : 0;
        if (s) out.push({ name: s.value, priority: priority ?? 0, span: item.span });
        continue;
      }
      const s = this.stringOf(item, 'A channel');
      if (s) out.push({ name: s.value, priority: 0, span: item.span });
    }
    return out;
  }

  /** Virtual packages of a platform entry or a `[system-requirements]` table, by conda name. */
  virtuals(table: VTable, skip: ReadonlySet<string>): { virtual: Record<string, string>; spans: Record<string, Span> } {
    const virtual: Record<string, string> = {};
    const spans: Record<string, Span> = {};
    for (const [key, e] of table.entries) {
      if (skip.has(key)) continue;
      const name = VIRTUAL_KEYS[key] ?? (key.startsWith('__') ? key : null);
      if (!name) {
        this.finding(
          e.keySpan,
          `Unknown key '${key}': pixi reads cuda, archspec, glibc, linux, macos, windows`,
          'warning',
        );
        continue;
      }
      let v: VNode = e.value;
      if (key === 'libc' && v.kind === 'table') {
        const fam = v.entries.get('family');
        const famText = fam ? this.stringOf(fam.value, `'family'`) : null;
        if (famText && famText.value.toLowerCase() !== 'glibc') continue;
        const ver = v.entries.get('version');
        if (!ver) {
          this.finding(v.span, `'libc' needs a 'version'`);
          continue;
        }
        v = ver.value;
      }
      const s =
        v.kind === 'value' && (v.node.kind === 'integer' || v.node.kind === 'float')
          ? null
          : this.stringOf(v, `'${key}'`);
      const value = s
        ? s.value
        : v.kind === 'value' && v.node.kind !== 'string'
          ? this.text.slice(v.span.start, v.span.end)
          : null;
      if (value === null) continue;
      virtual[name] = value;
      spans[name] = s ? (s.content ?? s.token) : v.span;
    }
    return { virtual, spans };
  }

  platforms(entry: VEntry | undefined, section: string): PixiPlatform[] {
    const arr = this.array(entry, section, 'platform names or tables');
    if (!arr) return [];
    const out: PixiPlatform[] = [];
    for (const item of arr.items) {
      if (item.kind === 'table') {
        const p = item.entries.get('platform');
        const n = item.entries.get('name');
        const ps = p ? this.stringOf(p.value, `'platform'`) : null;
        const ns = n ? this.stringOf(n.value, `'name'`) : null;
        const subdir = ps?.value ?? (ns && PIXI_SUBDIRS.has(ns.value) ? ns.value : null);
        if (!subdir) {
          if (!p && !ns) this.finding(item.span, `A platform entry needs 'platform' (a conda subdir such as linux-64)`);
          else if (!p) this.finding(item.span, `A platform entry needs 'platform' unless its name is a conda subdir`);
          continue;
        }
        if (!PIXI_SUBDIRS.has(subdir)) {
          this.finding(ps ? (ps.content ?? ps.token) : item.span, `'${subdir}' is not a platform pixi knows`);
          continue;
        }
        const { virtual, spans } = this.virtuals(item, new Set(['platform', 'name']));
        out.push({
          name: ns?.value ?? subdir,
          subdir,
          virtual: { ...defaultVirtualPackages(subdir), ...virtual },
          virtualSpans: spans,
          span: item.span,
        });
        continue;
      }
      const s = this.stringOf(item, 'A platform');
      if (!s) continue;
      if (!PIXI_SUBDIRS.has(s.value)) {
        this.finding(s.content ?? s.token, `'${s.value}' is not a platform pixi knows`);
        continue;
      }
      out.push({
        name: s.value,
        subdir: s.value,
        virtual: defaultVirtualPackages(s.value),
        virtualSpans: {},
        span: item.span,
      });
    }
    return out;
  }

  /** A conda dependency or constraint (`name = "spec"` or `name = { version, build, channel }`). */
  condaEntry(e: VEntry, section: string, selector: string | null): Dependency | null {
    let version = '';
    let build: string | null = null;
    let channel: string | null = null;
    let specifierSpan: Span = { start: e.keySpan.end, end: e.keySpan.end };
    let url: string | null = null;
    const v = e.value;
    if (v.kind === 'table') {
      for (const [key, f] of v.entries) {
        if (key === 'version' || key === 'build' || key === 'channel') {
          const s = this.stringOf(f.value, `'${key}'`);
          if (!s) return null;
          if (key === 'version') {
            version = s.value.trim();
            specifierSpan = s.content ?? s.token;
          } else if (key === 'build') build = s.value.trim();
          else channel = s.value.trim();
        } else if (key === 'path' || key === 'git' || key === 'url') {
          const s = this.stringOf(f.value, `'${key}'`);
          if (s) url = key === 'git' ? `git+${s.value}` : s.value;
        }
      }
    } else {
      const s = this.stringOf(v, `The spec of '${e.key}'`);
      if (!s) return null;
      version = s.value.trim();
      specifierSpan = s.content ?? s.token;
    }
    const matchText = `${channel ? `${channel}::` : ''}${e.key}${version ? ` ${version}` : build ? ' *' : ''}${build ? ` ${build}` : ''}`;
    const m = parseMatchSpec(matchText);
    if (isMatchSpecError(m)) {
      this.finding(
        specifierSpan.end > specifierSpan.start ? specifierSpan : e.span,
        `Invalid conda spec for '${e.key}': ${m.error}`,
      );
      return null;
    }
    const pep = condaSpecToPep440(m.version);
    const dep: Dependency = {
      file: this.path,
      kind: 'conda',
      name: m.name.toLowerCase(),
      rawName: e.key,
      extras: [],
      specifier: pep ?? '',
      marker: targetMarker(selector),
      url,
      editable: false,
      section,
      span: e.span,
      nameSpan: e.keySpan,
      specifierSpan,
      text: matchText,
      conda: { channel: m.channel, version: m.version, build: m.build },
    };
    if (pep === null) dep.specifierUnknown = true;
    return dep;
  }

  /** A PyPI dependency (`name = "spec"` or `name = { version, extras, index, path, git, url, editable }`). */
  pypiEntry(e: VEntry, section: string, selector: string | null): Dependency | null {
    let specifier = '';
    let specifierSpan: Span = { start: e.keySpan.end, end: e.keySpan.end };
    let extras: string[] = [];
    let url: string | null = null;
    let editable = false;
    let index: string | null = null;
    const v = e.value;
    const readVersion = (node: VNode): boolean => {
      const s = this.stringOf(node, `The version of '${e.key}'`);
      if (!s) return false;
      const text = s.value.trim();
      specifierSpan = s.content ?? s.token;
      specifier = text === '*' ? '' : text;
      if (specifier) {
        try {
          specifier = String(SpecifierSet.parse(specifier));
        } catch (err) {
          this.finding(specifierSpan, `Invalid version specifier '${text}' for '${e.key}': ${(err as Error).message}`);
          return false;
        }
      }
      return true;
    };
    if (v.kind === 'table') {
      for (const [key, f] of v.entries) {
        if (key === 'version') {
          if (!readVersion(f.value)) return null;
        } else if (key === 'extras') {
          const arr = this.array(f, `${e.key}.extras`, 'extra names');
          for (const x of arr?.items ?? []) {
            const s = this.stringOf(x, 'An extra');
            if (s) extras.push(normalizeExtra(s.value));
          }
        } else if (key === 'git' || key === 'url' || key === 'path') {
          const s = this.stringOf(f.value, `'${key}'`);
          if (s) url = key === 'git' ? `git+${s.value}` : s.value;
        } else if (key === 'editable') {
          editable = f.value.kind === 'value' && f.value.node.kind === 'boolean' && f.value.node.value === true;
        } else if (key === 'index') {
          const s = this.stringOf(f.value, `'index'`);
          if (s) index = s.value;
        }
      }
    } else if (!readVersion(v)) return null;
    extras = [...new Set(extras)].sort();
    const name = canonicalizeName(e.key);
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(e.key)) {
      this.finding(e.keySpan, `'${e.key}' is not a valid PyPI project name`);
      return null;
    }
    const dep: Dependency = {
      file: this.path,
      kind: 'requirement',
      name,
      rawName: e.key,
      extras,
      specifier: url ? '' : specifier,
      marker: targetMarker(selector),
      url,
      editable,
      section,
      span: e.span,
      nameSpan: e.keySpan,
      specifierSpan,
      text: `${e.key}${extras.length ? `[${extras.join(',')}]` : ''}${url ? ` @ ${url}` : specifier}`,
    };
    if (index) dep.options = [`--index-url ${index}`];
    return dep;
  }

  entries(entry: VEntry | undefined, section: string, selector: string | null, pypi: boolean): Dependency[] {
    const table = this.table(entry, section);
    if (!table) return [];
    const out: Dependency[] = [];
    for (const e of table.entries.values()) {
      const d = pypi ? this.pypiEntry(e, section, selector) : this.condaEntry(e, section, selector);
      if (d) out.push(d);
    }
    return out;
  }

  target(table: VTable, section: string, selector: string | null): PixiTarget {
    const sub = (k: string) => (section ? `${section}.${k}` : k);
    return {
      selector,
      dependencies: this.entries(
        table.entries.get('dependencies'),
        this.sectionName(sub('dependencies')),
        selector,
        false,
      ),
      constraints: this.entries(
        table.entries.get('constraints'),
        this.sectionName(sub('constraints')),
        selector,
        false,
      ),
      pypiDependencies: this.entries(
        table.entries.get('pypi-dependencies'),
        this.sectionName(sub('pypi-dependencies')),
        selector,
        true,
      ),
    };
  }

  /** `[pypi-options]`; `asOptions`: also as the file's pip options (the workspace's and the default feature's). */
  pypiOptions(entry: VEntry | undefined, section: string, asOptions = false): PixiPypiOptions | null {
    const t = this.table(entry, section);
    if (!t) return null;
    const option = (name: string, s: StringInfo): PixiUrl => {
      const span = s.content ?? s.token;
      if (asOptions) this.options.push({ name, value: s.value, span });
      return { url: s.value, span };
    };
    const strings = (k: string, name: string): PixiUrl[] =>
      (this.array(t.entries.get(k), `${section}.${k}`, 'URLs')?.items ?? []).flatMap((x) => {
        const u = x.kind === 'table' ? (x.entries.get('url') ?? x.entries.get('path'))?.value : x;
        const s = u ? this.stringOf(u, 'A URL') : null;
        return s ? [option(name, s)] : [];
      });
    const iu = t.entries.get('index-url');
    const s = iu ? this.stringOf(iu.value, `'index-url'`) : null;
    const st = t.entries.get('index-strategy');
    return {
      indexUrl: s ? option('--index-url', s) : null,
      extraIndexUrls: strings('extra-index-urls', '--extra-index-url'),
      findLinks: strings('find-links', '--find-links'),
      indexStrategy: st ? (this.stringOf(st.value, `'index-strategy'`)?.value ?? null) : null,
    };
  }

  /** A feature's tables: the top level (`default`), `[feature.NAME]` or an environment's own. */
  feature(name: string, table: VTable, section: string): PixiFeature {
    const sub = (k: string) => this.sectionName(section, k);
    const targets: PixiTarget[] = [this.target(table, section, null)];
    const tt = this.table(table.entries.get('target'), sub('target'));
    for (const [sel, e] of tt?.entries ?? []) {
      if (!PIXI_SUBDIRS.has(sel) && !TARGET_SELECTORS.has(sel)) {
        this.finding(
          e.keySpan,
          `'${sel}' is not a platform pixi knows (a subdir such as linux-64, or linux, osx, win, unix)`,
        );
        continue;
      }
      const t = this.table(e, sub(`target.${sel}`));
      if (t) targets.push(this.target(t, [section, 'target', sel].filter(Boolean).join('.'), sel));
    }
    let platforms: PixiFeature['platforms'] = null;
    const pe = table.entries.get('platforms');
    if (pe && name !== 'default') {
      const arr = this.array(pe, sub('platforms'), 'platform names');
      platforms = [];
      for (const x of arr?.items ?? []) {
        const s = this.stringOf(x, 'A platform');
        if (s) platforms.push({ name: s.value, span: s.content ?? s.token });
      }
    }
    const sr = this.table(table.entries.get('system-requirements'), sub('system-requirements'));
    const req = sr ? this.virtuals(sr, new Set()) : null;
    return {
      name,
      section,
      channels: name === 'default' ? null : this.channels(table.entries.get('channels'), sub('channels')),
      platforms,
      targets,
      pypiOptions: this.pypiOptions(table.entries.get('pypi-options'), sub('pypi-options'), name === 'default'),
      systemRequirements: req && Object.keys(req.virtual).length ? { virtual: req.virtual, spans: req.spans } : null,
    };
  }
}

/** Reads the pixi tables of a TOML tree (the whole of a pixi.toml, or `[tool.pixi]`). */
function readManifest(
  reader: PixiReader,
  root: VTable,
  prefix: string,
  implicit: readonly string[] = [],
): PixiManifest {
  const ws = root.entries.get('workspace') ?? root.entries.get('project');
  const wsName = root.entries.has('workspace') ? 'workspace' : 'project';
  const wt = reader.table(ws, prefix + wsName);
  const manifest: PixiManifest = {
    prefix,
    name: null,
    channels: [],
    platforms: [],
    channelPriority: 'strict',
    pypiOptions: null,
    features: [],
    environments: [],
  };
  if (!wt) {
    reader.finding({ start: 0, end: 0 }, `A pixi manifest needs a [workspace] table with channels and platforms`);
  } else {
    const n = wt.entries.get('name');
    if (n && n.value.kind === 'value' && n.value.node.kind === 'string') manifest.name = n.value.node.value;
    manifest.channels = reader.channels(wt.entries.get('channels'), `${prefix}${wsName}.channels`) ?? [];
    manifest.platforms = reader.platforms(wt.entries.get('platforms'), `${prefix}${wsName}.platforms`);
    manifest.pypiOptions = reader.pypiOptions(wt.entries.get('pypi-options'), `${prefix}${wsName}.pypi-options`, true);
    const cp = wt.entries.get('channel-priority');
    if (cp) {
      const s = reader.string(cp.value, `'channel-priority'`);
      if (s && (s.value === 'strict' || s.value === 'disabled')) manifest.channelPriority = s.value;
      else if (s) reader.finding(s.content ?? s.token, `'channel-priority' must be "strict" or "disabled"`);
    }
  }
  const features: PixiFeature[] = [reader.feature('default', root, '')];
  // The deprecated top-level [system-requirements] applies to every workspace platform of its OS.
  const topSr = features[0]!.systemRequirements;
  features[0]!.systemRequirements = null;
  if (topSr) {
    for (const p of manifest.platforms) {
      for (const [k, v] of Object.entries(topSr.virtual)) {
        if (p.virtualSpans[k]) continue;
        if (!virtualAppliesTo(k, p.subdir)) continue;
        p.virtual[k] = v;
        p.virtualSpans[k] = topSr.spans[k]!;
      }
    }
  }
  const ft = reader.table(root.entries.get('feature'), `${prefix}feature`);
  for (const [name, e] of ft?.entries ?? []) {
    const t = reader.table(e, `${prefix}feature.${name}`);
    if (!t) continue;
    if (name === 'default') {
      reader.finding(
        e.keySpan,
        `'default' is the top-level feature; write its tables without [feature.default]`,
        'warning',
      );
      continue;
    }
    features.push(reader.feature(name, t, `feature.${name}`));
  }
  // A pyproject's extras and dependency groups are features of their names (a [feature.NAME] of the same name is
  // that feature); the pyproject's parser fills in their PyPI part.
  for (const name of implicit)
    if (!features.some((f) => f.name === name))
      features.push({
        name,
        section: `feature.${name}`,
        channels: null,
        platforms: null,
        targets: [{ selector: null, dependencies: [], constraints: [], pypiDependencies: [] }],
        systemRequirements: null,
        pypiOptions: null,
      });
  const known = new Set(manifest.platforms.map((p) => p.name));
  for (const f of features)
    for (const p of f.platforms ?? [])
      if (!known.has(p.name)) reader.finding(p.span, `'${p.name}' is not one of the workspace's platforms`);
  const envs: PixiEnvironment[] = [];
  const et = reader.table(root.entries.get('environments'), `${prefix}environments`);
  for (const [name, e] of et?.entries ?? []) {
    const env: PixiEnvironment = { name, features: [], solveGroup: null, noDefaultFeature: false, span: e.span };
    let list: VNode | undefined;
    if (e.value.kind === 'array') list = e.value;
    else if (e.value.kind === 'table') {
      list = e.value.entries.get('features')?.value;
      const sg = e.value.entries.get('solve-group');
      if (sg) env.solveGroup = reader.string(sg.value, `'solve-group'`)?.value ?? null;
      const nd = e.value.entries.get('no-default-feature');
      if (nd)
        env.noDefaultFeature =
          nd.value.kind === 'value' && nd.value.node.kind === 'boolean' && nd.value.node.value === true;
      // An environment's own tables are a feature of its own, last in its list.
      const own = new Set([
        'dependencies',
        'pypi-dependencies',
        'constraints',
        'target',
        'platforms',
        'channels',
        'system-requirements',
        'pypi-options',
      ]);
      if ([...e.value.entries.keys()].some((k) => own.has(k))) {
        features.push(reader.feature(`env:${name}`, e.value, `environments.${name}`));
      }
    } else {
      reader.finding(e.value.span, `An environment must be a list of features or a table`);
      continue;
    }
    const names: string[] = [];
    if (list) {
      const arr = list.kind === 'array' ? list : null;
      if (!arr) reader.finding(list.span, `'features' must be a list of feature names`);
      for (const x of arr?.items ?? []) {
        const s = reader.string(x, 'A feature name');
        if (!s) continue;
        if (!features.some((f) => f.name === s.value) || s.value === 'default')
          reader.finding(s.content ?? s.token, `No feature named '${s.value}' in this manifest`);
        else names.push(s.value);
      }
    }
    if (features.some((f) => f.name === `env:${name}`)) names.push(`env:${name}`);
    env.features = env.noDefaultFeature ? names : ['default', ...names];
    envs.push(env);
  }
  if (!envs.some((e) => e.name === 'default'))
    envs.unshift({ name: 'default', features: ['default'], solveGroup: null, noDefaultFeature: false, span: null });
  else envs.sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : 0));
  manifest.features = features;
  manifest.environments = envs;
  return manifest;
}

/**
 * The scopes of each declaration: '' where every environment installs it, else `env:NAME` for each environment
 * that does (none: a feature no environment uses).
 */
function assignScopes(m: PixiManifest): void {
  const all = m.environments.map((e) => e.name);
  for (const f of m.features) {
    const envs = m.environments.filter((e) => e.features.includes(f.name)).map((e) => e.name);
    const scopes = envs.length === all.length ? [''] : envs.map((e) => `env:${e}`);
    for (const t of f.targets)
      for (const d of [...t.dependencies, ...t.constraints, ...t.pypiDependencies]) d.scopes = scopes;
  }
}

/** The dependencies of a manifest, in file order: conda specs, conda constraints (kind `constraint`) and PyPI lines. */
function dependenciesOf(m: PixiManifest): Dependency[] {
  const out: Dependency[] = [];
  for (const f of m.features)
    for (const t of f.targets) {
      out.push(...t.dependencies, ...t.pypiDependencies);
    }
  return out.sort((a, b) => a.span.start - b.span.start);
}

/**
 * Reads the `[tool.pixi]` tables of a pyproject.toml's tree, or null when it has none. `implicit`: the names of the
 * pyproject's extras and dependency groups, which pixi reads as features (empty here: the caller adds their PyPI part).
 */
export function readPyprojectPixi(
  reader: TomlReader,
  root: VTable,
  implicit: readonly string[] = [],
): { manifest: PixiManifest; dependencies: Dependency[]; findings: TomlReader['findings'] } | null {
  const tool = root.entries.get('tool');
  const pixi = tool?.value.kind === 'table' ? tool.value.entries.get('pixi') : undefined;
  if (!pixi || pixi.value.kind !== 'table') return null;
  const r = new PixiReader(
    reader.path,
    reader.text,
    { root: null, parsedText: reader.text, masked: [], problems: [] },
    'tool.pixi.',
  );
  const manifest = readManifest(r, pixi.value, 'tool.pixi.', implicit);
  assignScopes(manifest);
  return { manifest, dependencies: dependenciesOf(manifest), findings: r.findings };
}

/**
 * Parses a pixi.toml as pixi reads it (TOML 1.1): `[workspace]` (or `[project]`), `[dependencies]`,
 * `[constraints]`, `[pypi-dependencies]`, `[pypi-options]`, `[system-requirements]`, `[target.*]`, `[feature.*]` and
 * `[environments]`. Never throws: TOML errors and wrong shapes become `syntax` findings at the fault.
 */
export function parsePixiToml(path: string, text: string): PixiParsedFile {
  const empty: PixiManifest = {
    prefix: '',
    name: null,
    channels: [],
    platforms: [],
    channelPriority: 'strict',
    pypiOptions: null,
    features: [],
    environments: [],
  };
  const file: PixiParsedFile = { ...emptyParsedFile(path, 'pixi', text), pixi: empty };
  if (text.length > MAX_PIXI_LENGTH) {
    const firstLineEnd = text.indexOf('\n');
    file.findings.push(
      finding(
        'syntax',
        path,
        { start: 0, end: firstLineEnd > 0 ? firstLineEnd : Math.min(text.length, 200) },
        `The file has ${text.length} characters; pixi.toml files over ${MAX_PIXI_LENGTH} are not analysed`,
      ),
    );
    return file;
  }
  const tree = readTomlTree(text, '1.1');
  const reader = new PixiReader(path, text, tree, '');
  if (tree.root) {
    file.pixi = readManifest(reader, tree.root, '');
    assignScopes(file.pixi);
    file.dependencies = dependenciesOf(file.pixi);
    file.channels = file.pixi.channels.map((c) => c.name);
    // The index-url first (it replaces the main index), then the extra indexes and find-links, as pip reads them.
    file.options = [...reader.options].sort(
      (a, b) => Number(b.name === '--index-url') - Number(a.name === '--index-url'),
    );
    const python = file.pixi.features[0]?.targets[0]?.dependencies.find((d) => d.name === 'python');
    if (python?.specifier) file.requiresPython = python.specifier;
  }
  file.findings = reader.findings.sort((a, b) => a.span.start - b.span.start);
  return file;
}
