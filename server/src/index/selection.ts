// Which indexes and find-links sources to use, as pip computes them: files' options over settings over pip's
// configuration over PyPI.
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileOption } from '../model/types';

/** PyPI's simple index. */
export const PYPI_SIMPLE = 'https://pypi.org/simple';

/** The sources pip would search. */
export interface IndexSelection {
  /** `--index-url` then the `--extra-index-url`s, in order; empty with `--no-index`. */
  indexUrls: string[];
  /** `--find-links` entries: folders (absolute paths), files, or URLs. */
  findLinks: string[];
  noIndex: boolean;
  /**
   * The index URLs and find-links above that only workspace files name (`--index-url` in a requirements file); the
   * others are the person's own (settings, command line, pip's configuration, PyPI). Absent: none.
   */
  fromFiles?: string[];
  /** Of `fromFiles`, the URLs a pyproject names: their `${VAR}` are never expanded. */
  noExpand?: string[];
  /** uv's routing of packages to indexes (a uv project's pyproject); absent: every index serves every package. */
  uv?: IndexRoutes;
}

/**
 * How uv picks the indexes of a package: a package a source routes to an index is looked up only there; an explicit
 * index serves only the packages routed to it; the others are tried in order (`indexUrls` is in uv's priority order,
 * the default index last) and, with uv's default `first-index` strategy, the first that has the package is the only
 * one its versions come from.
 */
export interface IndexRoutes {
  /** Normalized name -> the index URLs it is looked up on, and only there (their files together). */
  routed: Record<string, string[]>;
  /** Index URLs that serve only routed packages. */
  explicit: string[];
  /** uv's `first-index` strategy (false: `unsafe-best-match` / `unsafe-first-match`, every index's files together). */
  firstIndex: boolean;
  /** Index URL -> its `[[tool.uv.index]]` name, for messages. */
  names: Record<string, string>;
}

/** The index URLs a package is looked up on: its routed indexes, else every index but the explicit ones. */
export function indexUrlsFor(selection: IndexSelection, name: string): { urls: string[]; routed: boolean } {
  if (selection.noIndex) return { urls: [], routed: false };
  const uv = selection.uv;
  const routed = uv && Object.hasOwn(uv.routed, name) ? uv.routed[name]! : null;
  if (routed) return { urls: routed, routed: true };
  return {
    urls: uv ? selection.indexUrls.filter((u) => !uv.explicit.includes(u)) : selection.indexUrls,
    routed: false,
  };
}

/** pip's configuration values that choose indexes (from files and `PIP_*` variables). */
export interface PipIndexConfig {
  indexUrl: string | null;
  extraIndexUrls: string[];
  findLinks: string[];
  noIndex: boolean;
  /** The configuration files that were read, in order (for messages). */
  files: string[];
}

/** Where to look for pip's configuration. */
export interface PipConfigOptions {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
  /** `sys.prefix` of the target interpreter: its `pip.conf` is the "site" file. */
  sitePrefix?: string | null;
  /** Reads a file, or null when it does not exist (default: the real file system). */
  readFile?: (file: string) => string | null;
}

function defaultRead(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** pip 23's configuration files by kind (`get_configuration_files`), for the given platform and environment. */
export function pipConfigFiles(opts: PipConfigOptions = {}): { global: string[]; user: string[]; site: string[] } {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const home = opts.home ?? os.homedir();
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  const base = platform === 'win32' ? 'pip.ini' : 'pip.conf';
  let global: string[];
  let user: string[];
  if (platform === 'win32') {
    global = [join(env['ALLUSERSPROFILE'] ?? env['PROGRAMDATA'] ?? 'C:\\ProgramData', 'pip', base)];
    user = [join(home, 'pip', base), join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'pip', base)];
  } else if (platform === 'darwin') {
    global = ['/Library/Application Support/pip/' + base];
    const appSupport = join(home, 'Library', 'Application Support', 'pip');
    user = [join(home, '.pip', base), join(appSupport, base), join(home, '.config', 'pip', base)];
  } else {
    const xdgDirs = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':').filter(Boolean);
    global = [...xdgDirs.map((d) => join(d, 'pip', base)), join('/etc', base)];
    user = [join(home, '.pip', base), join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'pip', base)];
  }
  const site = opts.sitePrefix ? [join(opts.sitePrefix, base)] : [];
  return { global, user, site };
}

/**
 * Parses INI text as configparser does for pip: `[section]`, `key = value` or `key: value`, indented continuation
 * lines, `#`/`;` comments.
 */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*[#;]/.test(raw)) continue;
    if (raw.trim() === '') {
      lastKey = null;
      continue;
    }
    if (/^\s/.test(raw) && current && lastKey !== null) {
      current.set(lastKey, (current.get(lastKey) ?? '') + '\n' + raw.trim());
      continue;
    }
    const sec = /^\s*\[([^\]]+)\]/.exec(raw);
    if (sec) {
      const name = sec[1]!.trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      lastKey = null;
      continue;
    }
    const kv = /^\s*([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && current) {
      lastKey = kv[1]!.toLowerCase().replace(/_/g, '-');
      current.set(lastKey, kv[2]!.trim());
    }
  }
  return sections;
}

function truthy(v: string): boolean {
  return ['1', 'yes', 'true', 'on'].includes(v.trim().toLowerCase());
}

/**
 * Reads pip's index options the way `pip install` would: `PIP_CONFIG_FILE` (`/dev/null` or `os.devnull`: no files
 * at all), the global, user (skipped when `PIP_CONFIG_FILE` names an existing file) and site files, sections
 * `[global]` then `[install]`, later files and kinds overriding earlier ones (global < user < site < env file),
 * then `PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`, `PIP_FIND_LINKS`, `PIP_NO_INDEX` over all files.
 */
export function loadPipConfig(opts: PipConfigOptions = {}): PipIndexConfig {
  const env = opts.env ?? process.env;
  const read = opts.readFile ?? defaultRead;
  const files = pipConfigFiles(opts);
  const globalValues = new Map<string, string>();
  const installValues = new Map<string, string>();
  const used: string[] = [];
  const envFile = env['PIP_CONFIG_FILE'];
  const devnull = envFile === '/dev/null' || envFile?.toLowerCase() === 'nul';
  if (!devnull) {
    const envFileText = envFile ? read(envFile) : null;
    const kinds = [
      files.global,
      envFile && envFileText !== null ? [] : files.user,
      files.site,
      envFile ? [envFile] : [],
    ];
    for (const list of kinds) {
      for (const file of list) {
        const text = file === envFile ? envFileText : read(file);
        if (text === null) continue;
        used.push(file);
        const ini = parseIni(text);
        for (const [k, v] of ini.get('global') ?? []) globalValues.set(k, v);
        for (const [k, v] of ini.get('install') ?? []) installValues.set(k, v);
      }
    }
  }
  const fromEnv = (name: string): string | undefined => {
    const v = env[`PIP_${name.toUpperCase().replace(/-/g, '_')}`];
    return v === undefined || v === '' ? undefined : v;
  };
  // pip orders items by section, not by file: every [install] value beats every [global] one, and PIP_* beats both.
  const get = (name: string): string | undefined => fromEnv(name) ?? installValues.get(name) ?? globalValues.get(name);
  const split = (v: string | undefined): string[] => (v ? v.split(/\s+/).filter(Boolean) : []);
  return {
    indexUrl: get('index-url') ?? null,
    extraIndexUrls: split(get('extra-index-url')),
    findLinks: split(get('find-links')),
    noIndex: truthy(get('no-index') ?? ''),
    files: used,
  };
}

/** Everything that decides the sources, in pip's precedence. */
export interface IndexSelectionInput {
  /**
   * Global options of the environment set's requirements files, in the order pip reads them, each with its file's path.
   */
  fileOptions?: readonly { file: string; options: readonly FileOption[] }[];
  /** `stackDoctor.indexUrl` or the CLI's `--index-url` (acts as pip's command-line `--index-url`). */
  indexUrl?: string | null;
  /** `stackDoctor.extraIndexUrls` or `--extra-index-url` (appended to the configuration's extras, as pip does). */
  extraIndexUrls?: readonly string[];
  /** pip's configuration (from `loadPipConfig`); omitted: none. */
  pipConfig?: PipIndexConfig | null;
  /**
   * Whether a relative find-links path exists (relative to a requirements file), as pip checks. Default: the file
   * system.
   */
  exists?: (p: string) => boolean;
}

/**
 * The index URLs and find-links pip would use: start from the configuration (or PyPI), let the settings / command
 * line replace `--index-url` and add extras, then apply each file's options in order exactly as pip's
 * `handle_option_line` does (`--no-index` clears the indexes; `--index-url` replaces the list; `--extra-index-url`
 * appends; `--find-links` appends, resolved relative to the file when that path exists).
 */
export function selectIndexes(input: IndexSelectionInput): IndexSelection {
  const cfg = input.pipConfig ?? null;
  const exists =
    input.exists ??
    ((p: string) => {
      try {
        readFileSync(p);
        return true;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EISDIR';
      }
    });
  let noIndex = cfg?.noIndex ?? false;
  const base = input.indexUrl || cfg?.indexUrl || PYPI_SIMPLE;
  let indexUrls = noIndex ? [] : [base, ...(cfg?.extraIndexUrls ?? []), ...(input.extraIndexUrls ?? [])];
  const findLinks = [...(cfg?.findLinks ?? [])];
  const own = new Set([...indexUrls, ...findLinks]);
  for (const { file, options } of input.fileOptions ?? []) {
    for (const o of options) {
      if (o.name === '--no-index') {
        noIndex = true;
        indexUrls = [];
      } else if (o.name === '--index-url' && o.value && !noIndex) indexUrls = [o.value];
      else if (o.name === '--extra-index-url' && o.value && !noIndex) indexUrls.push(o.value);
      else if (o.name === '--find-links' && o.value) {
        const relative = path.join(path.dirname(path.resolve(file)), o.value);
        findLinks.push(
          /^[a-z][a-z0-9+.-]*:/i.test(o.value) && !/^[a-z]:[\\/]/i.test(o.value)
            ? o.value
            : exists(relative)
              ? relative
              : o.value,
        );
      }
    }
  }
  const fromFiles = dedupe([...indexUrls, ...findLinks].filter((u) => !own.has(u)));
  return {
    indexUrls: dedupe(indexUrls),
    findLinks: dedupe(findLinks),
    noIndex,
    ...(fromFiles.length ? { fromFiles } : {}),
  };
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}
