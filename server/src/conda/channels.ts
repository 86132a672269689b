// Conda channels as conda resolves them: .condarc, channel_alias, defaults, custom channels, URLs, subdirs, redaction.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { yaml } from '../system/lazy/yaml';
import { redact } from '../index/credentials';
import type { MachineProfile } from '../system/profile';
import { KNOWN_SUBDIRS } from '../conda-spec/match-spec';
import type { ChannelPriority } from '../model/reports';

/** conda's built-in `channel_alias`. */
export const DEFAULT_CHANNEL_ALIAS = 'https://conda.anaconda.org';

/** The settings of the merged .condarc files that the solve needs. */
export interface CondaConfig {
  channels: string[];
  channelAlias: string;
  customChannels: Record<string, string>;
  /** null: conda's built-in defaults for the platform. */
  defaultChannels: string[] | null;
  channelPriority: ChannelPriority;
  /** The files that were read, in order (paths, for messages). */
  files: string[];
  /** Problems with a file (unreadable YAML, a wrong type): a message each, the file named. */
  problems: string[];
}

/** A channel resolved to its base URL. */
export interface ResolvedChannel {
  /** As written (`conda-forge`, `defaults` expands to several). */
  name: string;
  /** Base URL without a trailing slash; may contain credentials or a `/t/<token>/` (never show it: use `display`). */
  url: string;
  /** The URL with tokens and passwords redacted: what messages show. */
  display: string;
  /**
   * A platform subdirectory named by the URL itself (`.../conda-forge/linux-64`): only that one and noarch are read.
   */
  subdir: string | null;
  /**
   * True for a channel written as a URL or a local path in a workspace file: its requests get that URL's own userinfo
   * or its host's netrc entry, never netrc's `default` (url-origin.ts).
   */
  fromWorkspaceFile?: boolean;
}

/** Options of `condarcSearchPath`. */
export interface CondarcOptions {
  env?: Record<string, string | undefined>;
  home?: string;
  /**
   * In an untrusted workspace: only the user's own files (no `$CONDA_PREFIX` one, which an activated workspace
   * environment may hold).
   */
  trustWorkspace?: boolean;
}

/**
 * The .condarc locations in conda's order (lowest priority first), as `conda config --show-sources` lists them:
 * system, `$CONDA_ROOT`, XDG, `~/.config/conda`, `~/.conda`, `~/.condarc`, `$CONDA_PREFIX`, `$CONDARC`.
 * Each location is a file or a `condarc.d` folder of `*.yml` / `*.yaml` files.
 */
export function condarcSearchPath(opts: CondarcOptions = {}): string[] {
  const env = opts.env ?? process.env;
  const home = opts.home ?? os.homedir();
  const trio = (dir: string): string[] => [
    path.join(dir, '.condarc'),
    path.join(dir, 'condarc'),
    path.join(dir, 'condarc.d'),
  ];
  const out: string[] = [];
  if (process.platform !== 'win32') out.push(...trio('/etc/conda'), ...trio('/var/lib/conda'));
  else if (env['PROGRAMDATA']) out.push(...trio(path.join(env['PROGRAMDATA'], 'conda')));
  if (env['CONDA_ROOT']) out.push(...trio(env['CONDA_ROOT']));
  const xdg = env['XDG_CONFIG_HOME'] || path.join(home, '.config');
  out.push(...trio(path.join(xdg, 'conda')));
  if (env['XDG_CONFIG_HOME'] && path.resolve(env['XDG_CONFIG_HOME']) !== path.resolve(home, '.config'))
    out.push(...trio(path.join(home, '.config', 'conda')));
  out.push(...trio(path.join(home, '.conda')), path.join(home, '.condarc'));
  if (env['CONDA_PREFIX'] && opts.trustWorkspace !== false) out.push(...trio(env['CONDA_PREFIX']));
  if (env['CONDARC']) out.push(env['CONDARC']);
  return [...new Set(out)];
}

function filesOf(location: string): string[] {
  let st;
  try {
    st = statSync(location);
  } catch {
    return [];
  }
  if (st.isFile()) return [location];
  if (!st.isDirectory()) return [];
  try {
    return readdirSync(location)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
      .map((n) => path.join(location, n));
  } catch {
    return [];
  }
}

const stringList = (v: unknown): string[] | null =>
  Array.isArray(v) && v.every((x) => typeof x === 'string')
    ? (v as string[]).map((s) => s.trim()).filter(Boolean)
    : null;

/**
 * Reads and merges the .condarc files (later files win for single values; lists are merged with the later
 * file's entries first, as conda merges sequence parameters). A file that does not parse is named in `problems`.
 */
export function loadCondaConfig(files: string[] = condarcSearchPath()): CondaConfig {
  const cfg: CondaConfig = {
    channels: [],
    channelAlias: DEFAULT_CHANNEL_ALIAS,
    customChannels: {},
    defaultChannels: null,
    channelPriority: 'flexible',
    files: [],
    problems: [],
  };
  let priority: ChannelPriority | null = null;
  const channelLists: string[][] = [];
  for (const loc of files) {
    for (const file of filesOf(loc)) {
      let data: unknown;
      try {
        data = yaml().parse(readFileSync(file, 'utf8'));
      } catch (e) {
        cfg.problems.push(`${file} is not valid YAML (${(e as Error).message.split('\n')[0]}); it was skipped.`);
        continue;
      }
      cfg.files.push(file);
      if (data === null || data === undefined) continue;
      if (typeof data !== 'object' || Array.isArray(data)) {
        cfg.problems.push(`${file} must be a mapping of settings; it was skipped.`);
        continue;
      }
      const d = data as Record<string, unknown>;
      if (d['channels'] !== undefined) {
        const l = stringList(d['channels']);
        if (l) channelLists.push(l);
        else cfg.problems.push(`${file}: 'channels' must be a list of channel names.`);
      }
      if (d['default_channels'] !== undefined) {
        const l = stringList(d['default_channels']);
        if (l) cfg.defaultChannels = l;
        else cfg.problems.push(`${file}: 'default_channels' must be a list of channel URLs.`);
      }
      if (typeof d['channel_alias'] === 'string' && d['channel_alias'].trim())
        cfg.channelAlias = d['channel_alias'].trim().replace(/\/+$/, '');
      const cc = d['custom_channels'];
      if (cc && typeof cc === 'object' && !Array.isArray(cc)) {
        for (const [k, v] of Object.entries(cc as Record<string, unknown>))
          if (typeof v === 'string') cfg.customChannels[k] = v.trim().replace(/\/+$/, '');
      }
      const p = d['channel_priority'];
      if (p === 'strict' || p === 'flexible' || p === 'disabled') priority = p;
      else if (p === true) priority = 'flexible';
      else if (p === false) priority = 'disabled';
    }
  }
  // conda merges sequence parameters with the highest-priority (later) file first, duplicates dropped.
  const merged: string[] = [];
  for (const l of channelLists.reverse()) for (const c of l) if (!merged.includes(c)) merged.push(c);
  cfg.channels = merged;
  if (priority) cfg.channelPriority = priority;
  return cfg;
}

/** conda's default channels for the platform: main and r, plus msys2 on Windows. */
export function builtinDefaultChannels(profile: Pick<MachineProfile, 'os'>): string[] {
  const base = ['https://repo.anaconda.com/pkgs/main', 'https://repo.anaconda.com/pkgs/r'];
  return /^win/i.test(profile.os) ? [...base, 'https://repo.anaconda.com/pkgs/msys2'] : base;
}

/** Replaces `/t/<token>/` and URL passwords with `***`: every message and cache header goes through this. */
export function redactChannelText(text: string): string {
  return redact(text).replace(/\/t\/[^/\s'"]+/g, '/t/***');
}

function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}

function splitSubdir(url: string): { url: string; subdir: string | null } {
  const trimmed = url.replace(/\/+$/, '');
  const last = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return KNOWN_SUBDIRS.has(last)
    ? { url: trimmed.slice(0, trimmed.lastIndexOf('/')), subdir: last }
    : { url: trimmed, subdir: null };
}

function resolved(name: string, url: string): ResolvedChannel {
  const s = splitSubdir(url);
  return { name, url: s.url, display: redactChannelText(s.url), subdir: s.subdir };
}

/** Options of `resolveChannel`. */
export interface ResolveOptions {
  config: CondaConfig;
  profile: Pick<MachineProfile, 'os'>;
  /** Directory that relative `file:` paths and local paths are resolved against. */
  baseDir?: string;
}

/**
 * One channel name as conda resolves it: `defaults` to the default channels, a URL or `file://` as is, a local
 * path as a file URL, a custom channel to its base, `pkgs/main` (and the other default names) to the default
 * host, anything else below `channel_alias`. Returns [] for `nodefaults` (handled by `channelList`).
 */
export function resolveChannel(name: string, opts: ResolveOptions): ResolvedChannel[] {
  const n = name.trim().replace(/\/+$/, '');
  if (!n || n === 'nodefaults') return [];
  if (n === 'defaults')
    return (opts.config.defaultChannels ?? builtinDefaultChannels(opts.profile)).flatMap((c) =>
      c === 'defaults' ? [] : resolveChannel(c, opts),
    );
  if (isUrl(n)) return [resolved(n, n)];
  if (
    n.startsWith('/') ||
    n.startsWith('./') ||
    n.startsWith('../') ||
    n.startsWith('~') ||
    /^[A-Za-z]:[\\/]/.test(n)
  ) {
    const p = n.startsWith('~') ? path.join(os.homedir(), n.slice(1)) : path.resolve(opts.baseDir ?? process.cwd(), n);
    return [resolved(n, pathToFileURL(p).toString())];
  }
  const first = n.split('/')[0]!;
  const custom = opts.config.customChannels[n] ?? opts.config.customChannels[first];
  if (custom !== undefined) return [resolved(n, `${custom}/${n}`)];
  const defaults = opts.config.defaultChannels ?? builtinDefaultChannels(opts.profile);
  for (const d of defaults) {
    // `pkgs/main` names the default channel whose URL ends with it.
    if (isUrl(d) && d.replace(/\/+$/, '').endsWith(`/${n}`)) return [resolved(n, d)];
  }
  return [resolved(n, `${opts.config.channelAlias.replace(/\/+$/, '')}/${n}`)];
}

/** The channel list of an environment file, as `conda env create` builds it. */
export interface ChannelList {
  channels: ResolvedChannel[];
  /** Channels left out, with why (an untrusted workspace's URL channel). */
  skipped: string[];
}

/**
 * The channels `conda env create` searches: the file's channels in order (without `nodefaults`), then, unless
 * the file says `nodefaults`, the configured channels (`defaults` when the .condarc names none). In an untrusted
 * workspace a URL or local path written in the workspace's file is not contacted (named in `skipped`).
 */
export function channelList(
  fileChannels: readonly string[],
  opts: ResolveOptions & { trustWorkspace: boolean },
): ChannelList {
  const out: ResolvedChannel[] = [];
  const skipped: string[] = [];
  const add = (list: ResolvedChannel[]): void => {
    for (const c of list) if (!out.some((o) => o.url === c.url && o.subdir === c.subdir)) out.push(c);
  };
  for (const c of fileChannels) {
    if (!opts.trustWorkspace && (isUrl(c) || c.startsWith('/') || c.startsWith('.') || c.startsWith('~'))) {
      skipped.push(`${redactChannelText(c)} (a channel URL from a file of an untrusted workspace)`);
      continue;
    }
    const named = isUrl(c) || c.startsWith('/') || c.startsWith('.') || c.startsWith('~') || /^[A-Za-z]:[\\/]/.test(c);
    add(resolveChannel(c, opts).map((r) => (named ? { ...r, fromWorkspaceFile: true } : r)));
  }
  if (!fileChannels.includes('nodefaults')) {
    const configured = opts.config.channels.length ? opts.config.channels : ['defaults'];
    for (const c of configured) add(resolveChannel(c, opts));
  }
  return { channels: out, skipped };
}

/** The conda subdir of the profile's platform (`linux-64`, `osx-arm64`, `win-64` ...), or null when conda has none. */
export function subdirFor(profile: Pick<MachineProfile, 'os' | 'arch'>): string | null {
  const osName = profile.os.toLowerCase();
  const arch = profile.arch.toLowerCase();
  const a64 = arch === 'x86_64' || arch === 'amd64' || arch === 'x64';
  const arm = arch === 'aarch64' || arch === 'arm64';
  if (osName === 'linux')
    return a64
      ? 'linux-64'
      : arm
        ? 'linux-aarch64'
        : arch === 'ppc64le'
          ? 'linux-ppc64le'
          : arch === 's390x'
            ? 'linux-s390x'
            : /^(i[3-6]86|x86)$/.test(arch)
              ? 'linux-32'
              : null;
  if (osName === 'darwin' || osName === 'macos') return a64 ? 'osx-64' : arm ? 'osx-arm64' : null;
  if (osName === 'windows' || osName === 'win32')
    return a64 ? 'win-64' : arm ? 'win-arm64' : /^(i[3-6]86|x86)$/.test(arch) ? 'win-32' : null;
  return null;
}

/** The subdirs a solve reads: the platform's and noarch. */
export function subdirsFor(profile: Pick<MachineProfile, 'os' | 'arch'>): string[] {
  const s = subdirFor(profile);
  return s ? [s, 'noarch'] : ['noarch'];
}
