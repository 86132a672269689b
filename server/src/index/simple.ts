// PEP 691 JSON and PEP 503 HTML simple-index pages (and --find-links pages and folders) parsed into distribution files.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { canonicalizeName } from '../pep/name';
import { redact } from './credentials';
import { InvalidDataError } from './errors';
import { parseSdistFilename, parseWheelFilename, sdistExtension } from '../pep/filenames';

/** The PEP 691 `Accept` header: JSON preferred, HTML accepted. */
export const SIMPLE_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';

/** One file a project page (or find-links source) offers. */
export interface DistributionFile {
  filename: string;
  /**
   * Absolute URL (http(s) or file), fragment removed; may carry the index's credentials, so show it only through
   * `redact`.
   */
  url: string;
  /** Hash name -> hex digest (from the JSON `hashes` or the URL fragment). */
  hashes: Record<string, string>;
  requiresPython: string | null;
  /** `false`, or the yank reason (`""` when none was given). */
  yanked: false | string;
  /**
   * PEP 658/714: whether `<url>.metadata` exists, with its hashes (`core-metadata`, falling back to
   * `dist-info-metadata`); false when the index does not offer it.
   */
  coreMetadata: false | { hashes: Record<string, string> };
  size: number | null;
  /** The page or folder the file came from, without credentials. */
  source: string;
}

/** A parsed project page. */
export interface ProjectPage {
  files: DistributionFile[];
  /** `meta.api-version` of a JSON page, or `data-api-version`/null for HTML. */
  apiVersion: string | null;
}

function parseHashes(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

function metadataFlag(value: unknown): false | { hashes: Record<string, string> } {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return { hashes: {} };
  if (typeof value === 'object') return { hashes: parseHashes(value) };
  return false;
}

function splitFragment(url: string): { url: string; hashes: Record<string, string> } {
  const hash = url.indexOf('#');
  if (hash < 0) return { url, hashes: {} };
  const hashes: Record<string, string> = {};
  const m = /^(sha1|sha224|sha384|sha256|sha512|md5)=([0-9a-f]+)$/i.exec(url.slice(hash + 1));
  if (m) hashes[m[1]!.toLowerCase()] = m[2]!;
  return { url: url.slice(0, hash), hashes };
}

function basename(url: string): string {
  try {
    const p = new URL(url).pathname;
    return decodeURIComponent(p.slice(p.lastIndexOf('/') + 1));
  } catch {
    return url.slice(url.lastIndexOf('/') + 1);
  }
}

/** Parses a PEP 691 JSON project page; relative file URLs are resolved against `pageUrl`. */
export function parseJsonProjectPage(text: string, pageUrl: string): ProjectPage {
  let data: { meta?: { 'api-version'?: unknown }; files?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    const start = text.trimStart();
    const what = start.startsWith('<')
      ? 'an HTML page, not JSON'
      : start === ''
        ? 'empty'
        : 'not valid JSON (cut short?)';
    throw new InvalidDataError(`The project page ${redact(pageUrl)}, announced as JSON, is ${what}`, pageUrl);
  }
  if (!data || typeof data !== 'object' || !Array.isArray(data.files))
    throw new InvalidDataError(`The project page ${redact(pageUrl)} is JSON without a "files" list`, pageUrl);
  const source = stripUserinfo(pageUrl);
  const files: DistributionFile[] = [];
  for (const f of data.files as Record<string, unknown>[]) {
    if (!f || typeof f !== 'object' || typeof f.filename !== 'string' || typeof f.url !== 'string') continue;
    let resolved: string;
    try {
      resolved = new URL(f.url, pageUrl).toString();
    } catch {
      continue; // a file URL that does not parse is skipped, as pip skips links it cannot use
    }
    const { url, hashes: fragHashes } = splitFragment(resolved);
    const yanked = f.yanked === true ? '' : typeof f.yanked === 'string' ? f.yanked : false;
    files.push({
      filename: f.filename,
      url,
      hashes: { ...fragHashes, ...parseHashes(f.hashes) },
      requiresPython: typeof f['requires-python'] === 'string' && f['requires-python'] ? f['requires-python'] : null,
      yanked,
      coreMetadata: metadataFlag(f['core-metadata'] ?? f['dist-info-metadata'] ?? f['data-dist-info-metadata']),
      size: typeof f.size === 'number' ? f.size : null,
      source,
    });
  }
  const api = data.meta?.['api-version'];
  return { files, apiVersion: typeof api === 'string' ? api : null };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes HTML character references (named basics, decimal and hex). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const TAG_START = /<(a|base|meta)\b/iy;

/**
 * The `<a>`, `<base>` and `<meta>` start tags of a page, each with its attribute text: a tag ends at the first `>`
 * outside quotes; one that never ends (an unclosed quote, no `>`) is skipped. One pass per tag; a page built so that
 * tags never end (`<a x<a x...`) would make that quadratic, so the work is bounded and such a page is refused.
 */
function* startTags(text: string, pageUrl: string): Generator<{ tag: string; attrs: string }> {
  let budget = 4 * text.length + 1_000_000;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
    TAG_START.lastIndex = i;
    const m = TAG_START.exec(text);
    if (!m) continue;
    const from = i + m[0].length;
    let quote = '';
    let j = from;
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
    }
    budget -= j - i;
    if (budget < 0)
      throw new InvalidDataError(
        `The project page ${redact(pageUrl)} is not an HTML page that can be read (tags that never end)`,
        pageUrl,
      );
    if (j >= text.length) continue;
    yield { tag: m[1]!.toLowerCase(), attrs: text.slice(from, j) };
    i = j;
  }
}
const ATTR_RE = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;

function parseAttributes(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  ATTR_RE.lastIndex = 0;
  for (let m = ATTR_RE.exec(text); m; m = ATTR_RE.exec(text)) {
    const name = m[1]!.toLowerCase();
    if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

/**
 * Parses a PEP 503 HTML page (an index project page or a find-links page): every `<a href>`, resolved against
 * `<base href>` or the page URL, with `data-requires-python`, `data-yanked`, `data-core-metadata` /
 * `data-dist-info-metadata` and the `#sha256=` fragment. The file name is the last path segment of the URL, as pip
 * takes it.
 */
export function parseHtmlProjectPage(text: string, pageUrl: string): ProjectPage {
  let base = pageUrl;
  let apiVersion: string | null = null;
  const source = stripUserinfo(pageUrl);
  const files: DistributionFile[] = [];
  for (const t of startTags(text, pageUrl)) {
    const tag = t.tag;
    const attrs = parseAttributes(t.attrs);
    if (tag === 'base') {
      const href = attrs.get('href');
      if (href) {
        try {
          base = new URL(href, pageUrl).toString();
        } catch {
          // an unusable <base href> is ignored
        }
      }
      continue;
    }
    if (tag === 'meta') {
      if (attrs.get('name') === 'pypi:repository-version') apiVersion = attrs.get('content') ?? null;
      continue;
    }
    const href = attrs.get('href');
    if (!href) continue;
    let resolved: string;
    try {
      resolved = new URL(href.trim(), base).toString();
    } catch {
      continue;
    }
    const { url, hashes } = splitFragment(resolved);
    const meta = attrs.has('data-core-metadata')
      ? attrs.get('data-core-metadata')
      : attrs.get('data-dist-info-metadata');
    let coreMetadata: DistributionFile['coreMetadata'] = false;
    if (meta !== undefined && meta.toLowerCase() !== 'false') {
      const hm = /^([a-z0-9]+)=([0-9a-f]+)$/i.exec(meta);
      coreMetadata = { hashes: hm ? { [hm[1]!.toLowerCase()]: hm[2]! } : {} };
    }
    const rp = attrs.get('data-requires-python');
    files.push({
      filename: basename(url),
      url,
      hashes,
      requiresPython: rp ? rp : null,
      yanked: attrs.has('data-yanked') ? attrs.get('data-yanked')! : false,
      coreMetadata,
      size: null,
      source,
    });
  }
  return { files, apiVersion };
}

function stripUserinfo(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return redact(url);
  }
}

/** The project page URL of `name` under an index base URL: `<base>/<normalized name>/`. */
export function projectPageUrl(indexUrl: string, name: string): string {
  return indexUrl.replace(/\/+$/, '') + '/' + canonicalizeName(name) + '/';
}

/** Whether the file name is one pip would consider for `project` (a wheel or sdist of that project). */
export function fileIsForProject(filename: string, project: string): boolean {
  const want = canonicalizeName(project);
  try {
    if (filename.endsWith('.whl')) return parseWheelFilename(filename).name === want;
    if (sdistExtension(filename)) return parseSdistFilename(filename, project).name === want;
  } catch {
    return false;
  }
  return false;
}

/**
 * Reads a `file:` URL or path for a page: a folder means its `index.html` (pip's rule). Returns the text and the URL
 * read.
 */
export async function readLocalPage(fileUrl: string): Promise<{ text: string; url: string; json: boolean } | null> {
  let p = fileUrl.startsWith('file:') ? fileURLToPath(fileUrl) : fileUrl;
  let url = fileUrl.startsWith('file:') ? fileUrl : pathToFileURL(p).toString();
  try {
    const st = await fs.stat(p);
    if (st.isDirectory()) {
      p = path.join(p, 'index.html');
      url = pathToFileURL(p).toString();
    }
    const text = await fs.readFile(p, 'utf8');
    return { text, url, json: p.endsWith('.json') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

/** The archives of a local find-links folder as distribution files (every file in it, as pip lists them). */
export async function listFindLinksFolder(dir: string): Promise<DistributionFile[]> {
  const names = await fs.readdir(dir);
  const source = pathToFileURL(dir).toString();
  return names.sort().map((filename) => ({
    filename,
    url: pathToFileURL(path.join(dir, filename)).toString(),
    hashes: {},
    requiresPython: null,
    yanked: false,
    coreMetadata: false,
    size: null,
    source,
  }));
}
