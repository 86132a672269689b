// Reads a pixi manifest: `pixi.toml` (TOML 1.1, as pixi reads it) or the `[tool.pixi]` tables of a pyproject.toml,
// into the model of model/pixi.ts, every entry with its span; conda specs and PyPI requirements also become the file's
// dependencies, each scoped to the environments that install it.
import { finding } from '../model/finding';
import {
  virtualAppliesTo,
  type PixiEnvironment,
  type PixiFeature,
  type PixiManifest,
  type PixiParsedFile,
} from '../model/pixi';
import type { Dependency } from '../model/types';
import { PixiReader } from './pixi-reader';
import { readTomlTree, TomlReader, type VNode, type VTable } from './toml-tree';
import { emptyParsedFile } from '../model/parsed-file';

/** pixi.toml files over this many characters are not analysed. */
export const MAX_PIXI_LENGTH = 1024 * 1024;

/** A manifest with nothing declared: what a file without a usable `[workspace]` reads as. */
function emptyManifest(prefix: string): PixiManifest {
  return {
    prefix,
    name: null,
    channels: [],
    platforms: [],
    channelPriority: 'strict',
    pypiOptions: null,
    features: [],
    environments: [],
  };
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
  const manifest = emptyManifest(prefix);
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
  const file: PixiParsedFile = { ...emptyParsedFile(path, 'pixi', text), pixi: emptyManifest('') };
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
