// The model of a pixi manifest (`pixi.toml`, or `[tool.pixi]` in a pyproject.toml): workspace channels and platforms,
// features (the top-level tables are the `default` feature) with their per-platform targets, and the environments
// that combine them. `environmentSpecs` says what one environment installs on one platform: what a solve, a lock
// reader or a drift check of the manifest reads.
import type { Dependency, ParsedFile, Span } from './types';

/** A channel of the workspace or a feature; a feature's channels join the workspace's by priority (higher first). */
export interface PixiChannel {
  /** As written: a name (`conda-forge`) or a URL. */
  name: string;
  /** `{ channel = "pytorch", priority = -1 }`; 0 when written as a plain string. */
  priority: number;
  span: Span;
}

/**
 * A platform of the workspace: a plain subdir (`"linux-64"`) or an inline-table entry (`{ platform = "linux-64",
 * cuda = "12.0" }`), with the virtual packages the solve assumes there (`__cuda` -> `12.0`). The deprecated
 * `[system-requirements]` table adds to the entries it applies to.
 */
export interface PixiPlatform {
  /** How features name it: the entry's `name`, else its subdir. */
  name: string;
  /** The conda subdir solved for (`linux-64`). */
  subdir: string;
  /**
   * Declared virtual packages by conda name (`__cuda`, `__glibc`, `__osx`, `__linux`, `__archspec`, `__win`), pixi's
   * defaults included (`__glibc` 2.28 and `__linux` 4.18 on Linux, `__osx` 13.0 on macOS) unless declared otherwise.
   */
  virtual: Record<string, string>;
  /** Where each virtual package was declared (absent for a default). */
  virtualSpans: Record<string, Span>;
  span: Span;
}

/** What one feature (or the top level, the `default` feature) declares for one target selector. */
export interface PixiTarget {
  /** null for the feature's own tables; else `linux-64`, `linux`, `osx`, `win` or `unix` (`[target.X.*]`). */
  selector: string | null;
  /** `[dependencies]`: conda match specs (kind `conda`). */
  dependencies: Dependency[];
  /** `[constraints]`: conda specs that bound a package only if something installs it (kind `conda`). */
  constraints: Dependency[];
  /** `[pypi-dependencies]`: PEP 508 requirements (kind `requirement`); for a pyproject also `[project]`'s. */
  pypiDependencies: Dependency[];
}

/** A URL (or find-links path) of a `[pypi-options]` table, as written, and where. */
export interface PixiUrl {
  url: string;
  span: Span;
}

/** `[pypi-options]` of the workspace or a feature, as far as the analysis reads them. */
export interface PixiPypiOptions {
  /** Replaces the main index (PyPI). */
  indexUrl: PixiUrl | null;
  /** Tried before the main index, in order (uv's strict index priority). */
  extraIndexUrls: PixiUrl[];
  /** Folders or pages of files (`{ path = ... }`, `{ url = ... }`). */
  findLinks: PixiUrl[];
  /** `index-strategy` as written (`first-index`, the default, `unsafe-first-match`, `unsafe-best-match`); null unset. */
  indexStrategy: string | null;
}

/** A feature: the top level is `default`; `[feature.NAME]`; an environment's own tables are feature `env:NAME`. */
export interface PixiFeature {
  name: string;
  /** Dotted TOML path of its tables: '' for the default feature, `feature.cuda`, `environments.lint`. */
  section: string;
  /** Its channels; null where it names none (the workspace's are used). */
  channels: PixiChannel[] | null;
  /** The workspace platform names it is limited to; null where it sets none. */
  platforms: { name: string; span: Span }[] | null;
  /** Its own table first (selector null), then each `[target.X]`. */
  targets: PixiTarget[];
  /**
   * The deprecated `[feature.NAME.system-requirements]`: virtual packages (by conda name) the environments with this
   * feature assume on each platform of the OS they apply to; null where it has none. The top-level table is folded into
   * the workspace's platforms instead.
   */
  systemRequirements: { virtual: Record<string, string>; spans: Record<string, Span> } | null;
  pypiOptions: PixiPypiOptions | null;
}

/** An environment: `[environments]`, plus the implicit `default` (the default feature alone) unless redefined. */
export interface PixiEnvironment {
  name: string;
  /** The features it combines, in the order written; `default` first unless `noDefaultFeature`. */
  features: string[];
  solveGroup: string | null;
  noDefaultFeature: boolean;
  /** Where it is declared; null for the implicit default environment. */
  span: Span | null;
}

/** A pixi manifest: everything the solve, the locks and the editor read of it. */
export interface PixiManifest {
  /** `''` for pixi.toml, `tool.pixi.` inside a pyproject.toml: the prefix of every section name. */
  prefix: string;
  /** `[workspace]` (or the older `[project]`) `name`. */
  name: string | null;
  channels: PixiChannel[];
  platforms: PixiPlatform[];
  /** `channel-priority`: `strict` (pixi's default) or `disabled`. */
  channelPriority: 'strict' | 'disabled';
  /** `[workspace.pypi-options]`: the base every environment starts from, with or without the default feature. */
  pypiOptions: PixiPypiOptions | null;
  /** The default feature first, then `[feature.*]` in order, then environments' own tables. */
  features: PixiFeature[];
  /** The environments, `default` first. */
  environments: PixiEnvironment[];
}

/** A parsed file that holds a pixi manifest (a pixi.toml, or a pyproject.toml with `[tool.pixi]`). */
export type PixiParsedFile = ParsedFile & { pixi: PixiManifest };

/** The pixi manifest a parsed file holds, or null. */
export function pixiManifestOf(file: ParsedFile): PixiManifest | null {
  return (file as Partial<PixiParsedFile>).pixi ?? null;
}

/** What an environment installs on one platform: the input of its solve and of its lock's check. */
export interface PixiEnvironmentSpecs {
  environment: string;
  platform: PixiPlatform;
  /** Channel names or URLs, in the order the solve ranks them. */
  channels: string[];
  /** The virtual packages the solve assumes: the platform's, with its features' `[system-requirements]` over them. */
  virtual: Record<string, string>;
  /** Where each declared virtual package is written (absent for pixi's defaults). */
  virtualSpans: Record<string, Span>;
  /** Conda specs of every feature (a target's line replaces its feature's line of the same package). */
  dependencies: Dependency[];
  constraints: Dependency[];
  pypiDependencies: Dependency[];
  /** The features combined, in order. */
  features: string[];
  /**
   * The PyPI options of the environment: the workspace's base with each feature's laid over it (`index-url` and
   * `index-strategy` replaced, `extra-index-urls` and `find-links` merged), as pixi builds them.
   */
  pypiOptions: PixiPypiOptions;
}

/** Whether a conda dependency is a source package pixi builds (`path`, `git`) or a package file by `url`. */
export function isCondaSource(dep: Dependency): boolean {
  return dep.kind === 'conda' && dep.url !== null;
}

/** The index a PyPI dependency names for itself (`{ version = "...", index = "https://..." }`), or null. */
export function pypiIndexOf(dep: Dependency): string | null {
  const o = dep.options?.find((x) => x.startsWith('--index-url '));
  return o ? o.slice('--index-url '.length) : null;
}

/** The conda subdirs pixi knows, and the OS family of each. */
export const PIXI_SUBDIRS: ReadonlySet<string> = new Set([
  'linux-64',
  'linux-32',
  'linux-aarch64',
  'linux-armv6l',
  'linux-armv7l',
  'linux-ppc64le',
  'linux-ppc64',
  'linux-s390x',
  'linux-riscv64',
  'osx-64',
  'osx-arm64',
  'win-64',
  'win-32',
  'win-arm64',
  'emscripten-wasm32',
  'wasi-wasm32',
  'zos-z',
  'noarch',
]);

/** Whether a `[target.X]` selector applies to a subdir: the subdir itself, its OS family, or `unix`. */
export function targetApplies(selector: string | null, subdir: string): boolean {
  if (selector === null || selector === subdir) return true;
  const os = subdir.split('-')[0];
  if (selector === os) return true;
  return selector === 'unix' && (os === 'linux' || os === 'osx');
}

/** How specific a target selector is: a feature's own tables, `unix`, an OS family, a subdir. */
function specificity(selector: string | null): number {
  if (selector === null) return 0;
  if (selector === 'unix') return 1;
  return selector.includes('-') ? 3 : 2;
}

/** Whether a virtual package (`__glibc`) exists on a subdir's OS. */
export function virtualAppliesTo(virtual: string, subdir: string): boolean {
  if (virtual === '__glibc' || virtual === '__linux') return subdir.startsWith('linux-');
  if (virtual === '__osx') return subdir.startsWith('osx-');
  if (virtual === '__win') return subdir.startsWith('win-');
  if (virtual === '__cuda') return subdir.startsWith('linux-') || subdir.startsWith('win-');
  return true;
}

/** pixi's declared defaults for a plain platform entry. */
export function defaultVirtualPackages(subdir: string): Record<string, string> {
  if (subdir.startsWith('linux-')) return { __linux: '4.18', __glibc: '2.28' };
  if (subdir.startsWith('osx-')) return { __osx: '13.0' };
  return {};
}

/** The feature of that name, or undefined. */
export function pixiFeature(m: PixiManifest, name: string): PixiFeature | undefined {
  return m.features.find((f) => f.name === name);
}

/** The platforms an environment solves for: the workspace's, limited by each of its features that limits them. */
export function environmentPlatforms(m: PixiManifest, environment: string): PixiPlatform[] {
  const env = m.environments.find((e) => e.name === environment);
  if (!env) return [];
  let out = m.platforms;
  for (const name of env.features) {
    const f = pixiFeature(m, name);
    if (!f?.platforms) continue;
    const allowed = new Set(f.platforms.map((p) => p.name));
    out = out.filter((p) => allowed.has(p.name));
  }
  return out;
}

/**
 * What an environment installs on one of its platforms (by platform name), or null when the environment does not
 * exist or does not run there. Channels: every feature's and the workspace's, by priority (higher first; equal
 * priorities keep the features' order, the workspace's last among them); pixi's own rule.
 */
export function environmentSpecs(m: PixiManifest, environment: string, platform: string): PixiEnvironmentSpecs | null {
  const env = m.environments.find((e) => e.name === environment);
  const plat = environmentPlatforms(m, environment).find((p) => p.name === platform);
  if (!env || !plat) return null;
  const features = env.features.map((n) => pixiFeature(m, n)).filter((f): f is PixiFeature => f !== undefined);
  const ranked: { channel: PixiChannel; order: number }[] = [];
  let order = 0;
  // Non-default features first, in the order the environment names them, then the workspace's channels.
  for (const f of features)
    if (f.name !== 'default') for (const c of f.channels ?? []) ranked.push({ channel: c, order: order++ });
  for (const c of m.channels) ranked.push({ channel: c, order: order++ });
  ranked.sort((a, b) => b.channel.priority - a.channel.priority || a.order - b.order);
  const channels = [...new Set(ranked.map((r) => r.channel.name))];
  const pick = (part: 'dependencies' | 'constraints' | 'pypiDependencies'): Dependency[] => {
    const out: Dependency[] = [];
    for (const f of features) {
      // The most specific target wins for a package within a feature: its own tables, then targets that apply.
      const byName = new Map<string, Dependency>();
      const targets = [...f.targets].sort((a, b) => specificity(a.selector) - specificity(b.selector));
      for (const t of targets) {
        if (!targetApplies(t.selector, plat.subdir)) continue;
        for (const d of t[part]) byName.set(d.name, d);
      }
      out.push(...byName.values());
    }
    return out;
  };
  const pypiOptions = mergedPypiOptions(m, features);
  const virtual = { ...plat.virtual };
  const virtualSpans = { ...plat.virtualSpans };
  for (const f of features)
    for (const [k, v] of Object.entries(f.systemRequirements?.virtual ?? {})) {
      if (!virtualAppliesTo(k, plat.subdir)) continue;
      virtual[k] = v;
      virtualSpans[k] = f.systemRequirements!.spans[k]!;
    }
  return {
    environment,
    platform: plat,
    channels,
    virtual,
    virtualSpans,
    dependencies: pick('dependencies'),
    constraints: pick('constraints'),
    pypiDependencies: pick('pypiDependencies'),
    features: features.map((f) => f.name),
    pypiOptions,
  };
}

/** The workspace's `[pypi-options]` with each feature's laid over it, in the environment's order. */
function mergedPypiOptions(m: PixiManifest, features: readonly PixiFeature[]): PixiPypiOptions {
  const out: PixiPypiOptions = {
    indexUrl: m.pypiOptions?.indexUrl ?? null,
    extraIndexUrls: [...(m.pypiOptions?.extraIndexUrls ?? [])],
    findLinks: [...(m.pypiOptions?.findLinks ?? [])],
    indexStrategy: m.pypiOptions?.indexStrategy ?? null,
  };
  for (const f of features) {
    const o = f.pypiOptions;
    if (!o) continue;
    out.indexUrl = o.indexUrl ?? out.indexUrl;
    out.indexStrategy = o.indexStrategy ?? out.indexStrategy;
    for (const u of o.extraIndexUrls) if (!out.extraIndexUrls.some((x) => x.url === u.url)) out.extraIndexUrls.push(u);
    for (const u of o.findLinks) if (!out.findLinks.some((x) => x.url === u.url)) out.findLinks.push(u);
  }
  return out;
}

/** The PyPI options of an environment (null: no such environment). */
export function environmentPypiOptions(m: PixiManifest, environment: string): PixiPypiOptions | null {
  const env = m.environments.find((e) => e.name === environment);
  if (!env) return null;
  return mergedPypiOptions(
    m,
    env.features.map((n) => pixiFeature(m, n)).filter((f): f is PixiFeature => f !== undefined),
  );
}

/** The PyPI lines of an environment on any platform (each feature's own and its targets'). */
export function environmentPypiLines(m: PixiManifest, environment: string): Dependency[] {
  const env = m.environments.find((e) => e.name === environment);
  if (!env) return [];
  return env.features.flatMap((n) => pixiFeature(m, n)?.targets.flatMap((t) => t.pypiDependencies) ?? []);
}
