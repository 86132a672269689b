// Which indexes a set is checked against, and where the metadata cache lives: what the command line's fast path needs
// of the index stage (its fingerprint), without the index client and the resolver (index-stage.ts).
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPipConfig, selectIndexes, type IndexRoutes, type IndexSelection } from '../index/selection';
import type { EnvironmentSet } from '../model/sets';
import type { Dependency, ParsedFile, UvIndexSettings } from '../model/types';
import { markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import { sectionScope } from '../parsers/pyproject';
import {
  environmentPypiLines,
  environmentPypiOptions,
  pixiManifestOf,
  pypiIndexOf,
  type PixiManifest,
} from '../model/pixi';
import { routedIndex, sourcesFor } from '../parsers/uv-index';

/** Where indexes come from besides the files: the settings or the CLI's flags, and whether files may name them. */
export interface IndexSettings {
  indexUrl?: string;
  extraIndexUrls?: string[];
  /** False in an untrusted workspace: indexes named in workspace files are not contacted. */
  trustFiles: boolean;
  /** The environment pip's configuration is read from (PIP_CONFIG_FILE, PIP_INDEX_URL, ...). */
  env?: NodeJS.ProcessEnv;
  /** The target's markers, for `[tool.uv.sources]` entries with a `marker` (absent: every such entry applies). */
  markerEnvironment?: MarkerEnvironment;
  /** A pixi manifest's environment whose PyPI part is looked up (absent: every environment's indexes together). */
  pixiEnvironment?: string;
}

/** The indexes pip would use for this set: the files' own options, then the settings, pip's configuration, PyPI. */
export function indexesFor(set: EnvironmentSet, settings: IndexSettings): IndexSelection {
  const root = set.files[0];
  const pixi = root ? pixiManifestOf(root) : null;
  const fileOptions = settings.trustFiles
    ? set.files
        // A pixi manifest's `[pypi-options]` are pixi's (uv's order and routing), not pip's options.
        .filter((f) => f.options.length && !(pixi && f === root))
        .map((f) => ({ file: f.path, options: f.options }))
    : [];
  let pipConfig = null;
  try {
    pipConfig = loadPipConfig({ env: settings.env ?? process.env });
  } catch {
    // an unreadable pip.conf is pip's problem to report; the index list falls back to PyPI
  }
  const selection = selectIndexes({
    fileOptions,
    indexUrl: settings.indexUrl || null,
    extraIndexUrls: settings.extraIndexUrls ?? [],
    pipConfig,
  });
  if (pixi && root && settings.trustFiles) return pixiSelection(root.path, pixi, selection, settings.pixiEnvironment);
  // A uv project's own index settings, only where the workspace is trusted (an untrusted one's URLs are not contacted).
  if (root?.kind === 'pyproject' && root.uvIndexes && settings.trustFiles)
    return uvSelection(root, root.uvIndexes, selection, settings.markerEnvironment);
  return selection;
}

/** The declarations of the file with the scopes that install them ('' the base, `extra:X`, `group:G`). */
function scopesOf(dep: Dependency): string[] {
  return dep.scopes ?? [sectionScope(dep.section ?? '') ?? ''];
}

/**
 * Where each declaration of a uv project is looked up: the source entries that apply to its scopes and whose marker
 * holds on the target (every marker entry when no target is given). `index`: the URLs of the indexes it is routed to;
 * `local`: a `path`, `git` or `workspace` source, so never looked up on an index; neither: the project's indexes.
 */
export function uvRouteOf(
  uv: UvIndexSettings,
  dep: Dependency,
  env?: MarkerEnvironment,
): { index: string[]; names: string[]; local: boolean } {
  const applies = sourcesFor(uv, dep.name, scopesOf(dep)).filter((s) => !env || markerTextHolds(s.marker, env));
  const index: string[] = [];
  const names: string[] = [];
  for (const s of applies) {
    const ix = routedIndex(uv, s);
    if (ix && !index.includes(ix.url)) {
      index.push(ix.url);
      names.push(ix.name);
    }
  }
  return { index, names, local: applies.some((s) => s.kind === 'path' || s.kind === 'git' || s.kind === 'workspace') };
}

/**
 * The indexes of a uv project, as uv orders them (https://docs.astral.sh/uv/concepts/indexes/): the
 * `[[tool.uv.index]]` entries in the order written, then `extra-index-url`, then the default index last — the entry
 * with `default = true`, else `index-url`, else the person's own (settings, pip's configuration, PyPI); an index both
 * default and explicit removes the main index and serves only what is routed to it. Packages routed by
 * `[tool.uv.sources]` are looked up only on their indexes.
 */
function uvSelection(
  file: ParsedFile,
  uv: UvIndexSettings,
  person: IndexSelection,
  env: MarkerEnvironment | undefined,
): IndexSelection {
  const named = uv.indexes.filter((i) => !i.default);
  const defaultIndex = uv.indexes.find((i) => i.default);
  const main = defaultIndex ? [defaultIndex.url] : uv.indexUrl ? [uv.indexUrl.url] : person.indexUrls.slice(0, 1);
  // The person's extra indexes stay (uv's command line and configuration add theirs the same way).
  const indexUrls = [
    ...named.map((i) => i.url),
    ...uv.extraIndexUrls.map((e) => e.url),
    ...person.indexUrls.slice(1),
    ...main,
  ];
  const explicit = uv.indexes.filter((i) => i.explicit).map((i) => i.url);
  const routes: IndexRoutes = {
    routed: {},
    explicit,
    firstIndex: uv.indexStrategy === 'first-index',
    names: Object.fromEntries(uv.indexes.filter((i) => i.name).map((i) => [i.url, i.name])),
  };
  const unrouted = indexUrls.filter((u) => !explicit.includes(u));
  // Per name, the indexes of every declaration: a declaration no index source applies to adds the unrouted ones.
  const byName = new Map<string, Set<string>>();
  let anyRouted = new Set<string>();
  for (const dep of file.dependencies) {
    if (dep.kind !== 'requirement' || !uv.sources.has(dep.name)) continue;
    const route = uvRouteOf(uv, dep, env);
    const urls = byName.get(dep.name) ?? byName.set(dep.name, new Set()).get(dep.name)!;
    for (const u of route.index.length ? route.index : route.local ? [] : unrouted) urls.add(u);
    if (route.index.length) anyRouted.add(dep.name);
  }
  anyRouted = new Set([...anyRouted].filter((n) => byName.has(n)));
  for (const name of anyRouted) routes.routed[name] = indexUrls.filter((u) => byName.get(name)!.has(u));
  const fileUrls = [...uv.indexes.map((i) => i.url), ...uv.extraIndexUrls.map((e) => e.url)];
  if (uv.indexUrl) fileUrls.push(uv.indexUrl.url);
  const own = new Set(person.indexUrls.filter((u) => !(person.fromFiles ?? []).includes(u)));
  const fromFiles = [...new Set([...(person.fromFiles ?? []), ...fileUrls.filter((u) => !own.has(u))])];
  return {
    ...person,
    indexUrls: [...new Set(indexUrls)],
    ...(fromFiles.length ? { fromFiles, noExpand: fileUrls.filter((u) => !own.has(u)) } : {}),
    uv: routes,
  };
}

/**
 * The PyPI indexes of a pixi environment, as pixi hands them to uv: the `extra-index-urls` first, in order, then the
 * main index (`index-url`, else the person's), with uv's `first-index` strategy unless `index-strategy` says
 * otherwise; a PyPI dependency that names its own `index` is looked up there alone, and such an index serves nothing
 * else. Without an environment, every environment's indexes and routes together (the index stage judges every
 * environment's lines at once).
 */
function pixiSelection(
  file: string,
  m: PixiManifest,
  person: IndexSelection,
  environment: string | undefined,
): IndexSelection {
  const envs = environment === undefined ? m.environments.map((e) => e.name) : [environment];
  const options = envs.map((e) => environmentPypiOptions(m, e)).filter((o) => o !== null);
  const main = options.find((o) => o.indexUrl)?.indexUrl?.url ?? person.indexUrls[0];
  const extras = options.flatMap((o) => o.extraIndexUrls.map((u) => u.url));
  const indexUrls = [...new Set([...extras, ...person.indexUrls.slice(1), ...(main ? [main] : [])])];
  const dir = path.dirname(path.resolve(file));
  const findLinks = [
    ...new Set([
      ...person.findLinks,
      ...options.flatMap((o) =>
        o.findLinks.map((u) => (/^[a-z][a-z0-9+.-]*:/i.test(u.url) ? u.url : path.resolve(dir, u.url))),
      ),
    ]),
  ];
  const routes: IndexRoutes = {
    routed: {},
    explicit: [],
    firstIndex: !options.some(
      (o) => o.indexStrategy === 'unsafe-best-match' || o.indexStrategy === 'unsafe-first-match',
    ),
    names: {},
  };
  for (const e of envs)
    for (const dep of environmentPypiLines(m, e)) {
      const index = pypiIndexOf(dep);
      if (!index) continue;
      const urls = (routes.routed[dep.name] ??= []);
      if (!urls.includes(index)) urls.push(index);
      if (!routes.explicit.includes(index) && !indexUrls.includes(index)) routes.explicit.push(index);
    }
  const own = new Set([...person.indexUrls, ...person.findLinks].filter((u) => !(person.fromFiles ?? []).includes(u)));
  const named = [...indexUrls, ...findLinks, ...routes.explicit].filter((u) => !own.has(u));
  return {
    ...person,
    indexUrls: [...indexUrls, ...routes.explicit],
    findLinks,
    ...(named.length ? { fromFiles: named, noExpand: named } : {}),
    uv: routes,
  };
}

/** The default metadata cache: `$XDG_CACHE_HOME/stack-doctor` or `~/.cache/stack-doctor`. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'stack-doctor');
}
