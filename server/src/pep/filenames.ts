// Wheel (PEP 427/491) and sdist file names parsed as packaging.utils and pip 23.2's link evaluator parse them.
import { canonicalizeName } from './name';
import { Version } from './version';

/** One PEP 425 tag triple, lower-cased as `packaging.tags.Tag` stores it. */
export interface Tag {
  interpreter: string;
  abi: string;
  platform: string;
}

/** `interpreter-abi-platform`. */
export function tagString(t: Tag): string {
  return `${t.interpreter}-${t.abi}-${t.platform}`;
}

/** `packaging.tags.parse_tag`: expands a compressed tag set (`py2.py3-none-any`) into its triples. */
export function parseTag(tag: string): Tag[] {
  const parts = tag.split('-');
  if (parts.length !== 3) throw new Error(`Invalid tag: ${tag}`);
  const [interpreters, abis, platforms] = parts as [string, string, string];
  const out: Tag[] = [];
  const seen = new Set<string>();
  for (const i of interpreters.split('.')) {
    for (const a of abis.split('.')) {
      for (const p of platforms.split('.')) {
        const t = { interpreter: i.toLowerCase(), abi: a.toLowerCase(), platform: p.toLowerCase() };
        const k = tagString(t);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(t);
        }
      }
    }
  }
  return out;
}

/** A parsed wheel file name. */
export interface WheelFilename {
  /** PEP 503 normalized project name. */
  name: string;
  version: Version;
  /** `[number, rest]`, or null when the name has no build tag. */
  build: [number, string] | null;
  tags: Tag[];
}

/** The file name is not a valid wheel or sdist name; `message` is packaging's. */
export class InvalidFilenameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFilenameError';
  }
}

const WHEEL_NAME_RE = /^[\p{L}\p{N}_.]*$/u;

/** WHEEL_NAME_RE's test, with ASCII names decided without it (compiling its Unicode classes costs a start). */
function wheelName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x80) return WHEEL_NAME_RE.test(name);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e))
      return false;
  }
  return true;
}

/** `packaging.utils.parse_wheel_filename`; throws `InvalidFilenameError` where packaging raises. */
export function parseWheelFilename(filename: string): WheelFilename {
  if (!filename.endsWith('.whl'))
    throw new InvalidFilenameError(`Invalid wheel filename (extension must be '.whl'): ${filename}`);
  const stem = filename.slice(0, -4);
  const dashes = stem.split('-').length - 1;
  if (dashes !== 4 && dashes !== 5)
    throw new InvalidFilenameError(`Invalid wheel filename (wrong number of parts): ${stem}`);
  const parts = stem.split('-');
  // split("-", dashes - 2) keeps the last tag parts joined; with 4 or 5 dashes the tail is always 3 parts.
  const namePart = parts[0]!;
  if (namePart.includes('__') || !wheelName(namePart)) throw new InvalidFilenameError(`Invalid project name: ${stem}`);
  const version = Version.parse(parts[1]!);
  if (!version) throw new InvalidFilenameError(`Invalid wheel filename (invalid version): ${stem}`);
  let build: [number, string] | null = null;
  if (dashes === 5) {
    const m = /^([0-9]+)(.*)$/s.exec(parts[2]!);
    if (!m) throw new InvalidFilenameError(`Invalid build number: ${parts[2]} in ${stem}`);
    build = [Number(m[1]), m[2]!];
  }
  const tags = parseTag(parts.slice(-3).join('-'));
  return { name: canonicalizeName(namePart), version, build, tags };
}

/** Archive suffixes pip accepts for source distributions (`SUPPORTED_EXTENSIONS` less `.whl`). */
export const SDIST_EXTENSIONS = [
  '.tar.gz',
  '.tgz',
  '.tar',
  '.zip',
  '.tar.bz2',
  '.tbz',
  '.tar.xz',
  '.txz',
  '.tlz',
  '.tar.lz',
  '.tar.lzma',
];

/** A parsed sdist file name. */
export interface SdistFilename {
  name: string;
  version: Version;
  /** The archive suffix (`.tar.gz`, `.zip`, ...). */
  extension: string;
}

/** The sdist archive suffix of `filename` (case-insensitive, as pip's splitext), or null. */
export function sdistExtension(filename: string): string | null {
  const lower = filename.toLowerCase();
  // Longest suffix first so `.tar.gz` wins over `.gz`-less forms.
  const sorted = [...SDIST_EXTENSIONS].sort((a, b) => b.length - a.length);
  return sorted.find((e) => lower.endsWith(e)) ?? null;
}

/**
 * Parses an sdist file name. With `project` (the name being looked up), this is pip's
 * `_extract_version_from_fragment`: the stem must start with the project name (compared canonically) followed
 * by `-`, and the rest is the version. Without it, this is `packaging.utils.parse_sdist_filename` (split on the
 * last `-`). Throws `InvalidFilenameError`.
 */
export function parseSdistFilename(filename: string, project?: string): SdistFilename {
  const extension = sdistExtension(filename);
  if (!extension) throw new InvalidFilenameError(`Invalid sdist filename (unsupported extension): ${filename}`);
  const stem = filename.slice(0, filename.length - extension.length);
  let namePart: string;
  let versionPart: string;
  if (project !== undefined) {
    const canonical = canonicalizeName(project);
    let cut = -1;
    for (let i = 0; i < stem.length; i++) {
      if (stem[i] === '-' && canonicalizeName(stem.slice(0, i)) === canonical) {
        cut = i;
        break;
      }
    }
    if (cut < 0) throw new InvalidFilenameError(`Invalid sdist filename (not for ${project}): ${filename}`);
    namePart = stem.slice(0, cut);
    versionPart = stem.slice(cut + 1);
  } else {
    const dash = stem.lastIndexOf('-');
    if (dash < 0) throw new InvalidFilenameError(`Invalid sdist filename: ${filename}`);
    namePart = stem.slice(0, dash);
    versionPart = stem.slice(dash + 1);
  }
  const version = Version.parse(versionPart);
  if (!version) throw new InvalidFilenameError(`Invalid sdist filename (invalid version): ${filename}`);
  return { name: canonicalizeName(namePart), version, extension };
}
