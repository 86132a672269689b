// Core metadata (METADATA, PKG-INFO, PEP 658 files): RFC 822-style headers parsed, and the sdist reliability rule.
import { canonicalizeName } from '../pep/name';
import { parseRequirement, type ParsedRequirement } from '../pep/requirement';
import { Version } from '../pep/version';

/** The fields the resolver needs, plus every header as read. */
export interface CoreMetadata {
  metadataVersion: string | null;
  name: string | null;
  version: string | null;
  /** Requires-Dist values as written, in order. */
  requiresDist: string[];
  requiresPython: string | null;
  /** Provides-Extra values, PEP 685-normalized. */
  providesExtra: string[];
  /** Dynamic field names, lower-cased. */
  dynamic: string[];
  /** `Summary` (one line), or null. */
  summary: string | null;
  /** `Home-page`, or null. */
  homePage: string | null;
  /** `Project-URL` entries (`label, url`), in order. */
  projectUrls: { label: string; url: string }[];
  /** `License-Expression` (PEP 639), else the first line of `License`, else null. */
  license: string | null;
  /** Every header: lower-cased name -> values in order. */
  headers: Map<string, string[]>;
}

/**
 * Parses the header block of a core metadata file as `email.parser` does for these files: `Name: value` lines,
 * continuation lines starting with a space or tab, and the body (Description) after the first blank line ignored.
 */
export function parseCoreMetadata(text: string): CoreMetadata {
  const headers = new Map<string, string[]>();
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let current: { name: string; value: string } | null = null;
  const flush = (): void => {
    if (!current) return;
    const list = headers.get(current.name) ?? [];
    list.push(current.value.trim());
    headers.set(current.name, list);
    current = null;
  };
  for (const line of lines) {
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && current) {
      (current as { value: string }).value += '\n' + line;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    current = { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) };
  }
  flush();
  const one = (k: string): string | null => headers.get(k)?.[0] ?? null;
  return {
    metadataVersion: one('metadata-version'),
    name: one('name'),
    version: one('version'),
    requiresDist: headers.get('requires-dist') ?? [],
    requiresPython: one('requires-python'),
    providesExtra: (headers.get('provides-extra') ?? []).map(canonicalizeName),
    dynamic: (headers.get('dynamic') ?? []).map((d) => d.toLowerCase()),
    summary: one('summary')?.split('\n')[0]?.trim() || null,
    homePage: one('home-page') || null,
    projectUrls: (headers.get('project-url') ?? []).flatMap((v) => {
      const comma = v.indexOf(',');
      return comma > 0 ? [{ label: v.slice(0, comma).trim(), url: v.slice(comma + 1).trim() }] : [];
    }),
    license: one('license-expression') || one('license')?.split('\n')[0]?.trim() || null,
    headers,
  };
}

/**
 * Whether an sdist's PKG-INFO states its dependencies reliably (PEP 643): Metadata-Version 2.2 or later and none
 * of Requires-Dist, Requires-Python and Provides-Extra marked `Dynamic`. Anything else is "unknown", never guessed.
 */
export function isReliableSdistMetadata(md: CoreMetadata): boolean {
  const v = md.metadataVersion ? Version.parse(md.metadataVersion) : null;
  if (!v || v.compare(Version.parse('2.2')!) < 0) return false;
  return !md.dynamic.some((d) => d === 'requires-dist' || d === 'requires-python' || d === 'provides-extra');
}

/** Requires-Dist entries parsed; entries that do not parse are returned separately (pip would fail on them). */
export function parseRequiresDist(md: CoreMetadata): { requires: ParsedRequirement[]; invalid: string[] } {
  const requires: ParsedRequirement[] = [];
  const invalid: string[] = [];
  for (const r of md.requiresDist) {
    try {
      requires.push(parseRequirement(r));
    } catch {
      invalid.push(r);
    }
  }
  return { requires, invalid };
}
