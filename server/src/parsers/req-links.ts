// Requirement lines beyond PEP 508, as pip's req/constructors.py reads them: URLs, archives, wheel filenames, local
// paths, egg fragments.
import * as nodePath from 'node:path';
import { SDIST_EXTENSIONS } from '../pep/filenames';

export const VCS_NAMES = ['bzr', 'git', 'hg', 'svn'];
export const VCS_SCHEMES = [
  'bzr+http',
  'bzr+https',
  'bzr+ssh',
  'bzr+sftp',
  'bzr+ftp',
  'bzr+lp',
  'bzr+file',
  'git+http',
  'git+https',
  'git+ssh',
  'git+git',
  'git+file',
  'hg+file',
  'hg+http',
  'hg+https',
  'hg+ssh',
  'hg+static-http',
  'svn+ssh',
  'svn+http',
  'svn+https',
  'svn+svn',
  'svn+file',
];
const URL_SCHEMES = new Set(['http', 'https', 'file', 'ftp', ...VCS_SCHEMES]);
/** pip's `SUPPORTED_EXTENSIONS`: wheels and every sdist archive. */
const ARCHIVE_EXTENSIONS = ['.whl', ...SDIST_EXTENSIONS];

/** pip's is_url: the part before the first `:` is a scheme pip downloads from. */
export function isUrl(s: string): boolean {
  const colon = s.indexOf(':');
  return colon >= 0 && URL_SCHEMES.has(s.slice(0, colon).toLowerCase());
}

/** urllib.parse.urlsplit's scheme, lowercased ('' when there is none). */
export function urlScheme(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return m ? m[1]!.toLowerCase() : '';
}

/** urlsplit(url).path, percent-decoded as pip's Link.path does. */
export function urlPath(url: string): string {
  let rest = url;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const qm = rest.indexOf('?');
  if (qm >= 0) rest = rest.slice(0, qm);
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash >= 0 ? rest.slice(slash) : '';
  }
  return unquote(rest);
}

function unquote(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return s;
  }
}

/** posixpath.splitext, then pip's: `.tar` joins the extension. */
export function splitExt(name: string): [string, string] {
  let dot = name.lastIndexOf('.');
  let lead = 0;
  while (lead < name.length && name[lead] === '.') lead++;
  if (dot < lead) dot = -1;
  let base = dot < 0 ? name : name.slice(0, dot);
  let ext = dot < 0 ? '' : name.slice(dot);
  if (base.toLowerCase().endsWith('.tar')) {
    ext = base.slice(-4) + ext;
    base = base.slice(0, -4);
  }
  return [base, ext];
}

export function isArchiveFile(name: string): boolean {
  return ARCHIVE_EXTENSIONS.includes(splitExt(name)[1].toLowerCase());
}

export function baseName(p: string): string {
  const s = p.replace(/\/+$/, '');
  return s.slice(s.lastIndexOf('/') + 1);
}

/** pip's _looks_like_path (POSIX separators; a backslash too, for files written on Windows). */
export function looksLikePath(name: string): boolean {
  return name.includes('/') || name.includes('\\') || name.startsWith('.');
}

/** pip's `[#&]egg=([^&]*)`: the egg name and where it is in `url`. */
export function eggFragment(url: string): { name: string; index: number } | null {
  const m = /[#&]egg=([^&]*)/.exec(url);
  return m ? { name: m[1]!, index: m.index + 5 } : null;
}

/** pip's Wheel filename pattern: name and version of `name-ver[-build]-py-abi-plat.whl`. */
export function parseWheelName(filename: string): { name: string; version: string } | null {
  if (!filename.endsWith('.whl')) return null;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  // Python's str.split() whitespace includes the information separators U+001C..U+001F and U+0085.
  // eslint-disable-next-line no-control-regex
  const noSpace = (s: string): boolean => !/[\s\x1c-\x1f\x85]/.test(s);
  const [name, version] = parts as [string, string];
  if (!name || !noSpace(name) || !noSpace(version)) return null;
  if (parts.length === 6 && !/^\d/.test(parts[2]!)) return null;
  for (const tag of parts.slice(-3)) if (!tag || !noSpace(tag)) return null;
  return { name, version };
}

/** urllib's quote(path) with '/' safe, as pip's path_to_url writes local paths. */
export function pathToUrl(absPath: string): string {
  let posix = absPath.split(nodePath.sep).join('/');
  if (!posix.startsWith('/')) posix = '/' + posix;
  const bytes = Buffer.from(posix, 'utf8');
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.\-~/]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return 'file://' + out;
}

/**
 * pip's _strip_extras, `^(.+)(\[[^\]]+\])$`, without the regex (it backtracks quadratically on `[[[[...`):
 * the greedy `.+` leaves the last `[` whose rest up to the final `]` is non-empty and holds no `]`.
 */
export function stripExtras(s: string): { base: string; extras: string | null } {
  const n = s.length;
  if (n < 4 || s[n - 1] !== ']') return { base: s, extras: null };
  const open = s.lastIndexOf('[', n - 3);
  const close = s.lastIndexOf(']', n - 2);
  if (open < 1 || close > open) return { base: s, extras: null };
  return { base: s.slice(0, open), extras: s.slice(open) };
}
