// The TOML reader of pixi manifests: channels, platforms, virtual packages, conda and PyPI entries, targets, PyPI
// options and features, as pixi reads them, each entry with its span and each wrong shape a finding.
import { condaSpecToPep440, isMatchSpecError, parseMatchSpec } from '../conda-spec/match-spec';
import {
  defaultVirtualPackages,
  PIXI_SUBDIRS,
  type PixiChannel,
  type PixiFeature,
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

/** Reads the parts of a pixi manifest, each entry with its span; wrong shapes become findings at the fault. */
export class PixiReader extends TomlReader {
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
    const read = (key: string, pypi: boolean): Dependency[] =>
      this.entries(table.entries.get(key), this.sectionName(section ? `${section}.${key}` : key), selector, pypi);
    return {
      selector,
      dependencies: read('dependencies', false),
      constraints: read('constraints', false),
      pypiDependencies: read('pypi-dependencies', true),
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
