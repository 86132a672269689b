// Known vulnerabilities of PyPI releases: OSV records (a folder or zip as osv.dev exports them) evaluated per the OSV
// schema, and PyPI's JSON API `vulnerabilities` field.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { canonicalizeName } from '../pep/name';
import { Version } from '../pep/version';
import { bufferSource, readZipDirectory, readZipEntry } from './archive';
import { redact } from './credentials';
import { IndexError, UnreachableError } from './errors';
import { CancelledError } from '../model/cancel';
import type { HttpClient } from './http';
import { PYPI_SIMPLE, type IndexSelection } from './selection';
import { PERSON } from './url-origin';
import type { Advisory } from '../model/reports';

/** The parts of an OSV record this module reads (schema 1.x). */
export interface OsvRecord {
  id: string;
  aliases?: string[];
  summary?: string;
  details?: string;
  withdrawn?: string;
  affected?: {
    package?: { ecosystem?: string; name?: string };
    ranges?: { type?: string; events?: Record<string, string>[] }[];
    versions?: string[];
  }[];
  references?: { type?: string; url?: string }[];
}

type Event = { kind: 'introduced' | 'fixed' | 'last_affected' | 'limit'; version: Version | 'zero' | 'infinity' };

function eventOf(e: Record<string, string>): Event | null {
  for (const kind of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
    const raw = e[kind];
    if (typeof raw !== 'string') continue;
    if (kind === 'introduced' && raw === '0') return { kind, version: 'zero' };
    if (kind === 'limit' && raw.includes('*')) return { kind, version: 'infinity' };
    const v = Version.parse(raw);
    return v ? { kind, version: v } : null;
  }
  return null;
}

function cmp(a: Version | 'zero' | 'infinity', b: Version | 'zero' | 'infinity'): number {
  if (a === b) return 0;
  if (a === 'zero' || b === 'infinity') return -1;
  if (a === 'infinity' || b === 'zero') return 1;
  return a.compare(b);
}

/** The `affected` entries of a record about this PyPI project. */
function entriesFor(record: OsvRecord, name: string): NonNullable<OsvRecord['affected']> {
  const want = canonicalizeName(name);
  return (record.affected ?? []).filter(
    (a) =>
      a?.package?.ecosystem === 'PyPI' &&
      typeof a.package.name === 'string' &&
      canonicalizeName(a.package.name) === want,
  );
}

/**
 * Whether one range (ECOSYSTEM or SEMVER; GIT ranges cannot be evaluated on versions and never match) includes
 * `v`, by the schema's `IncludedInRanges`: before a limit, then the sorted events walked, `introduced` turning it
 * on at or above its version, `fixed` off at or above, `last_affected` off above.
 */
export function rangeIncludes(range: { type?: string; events?: Record<string, string>[] }, v: Version): boolean {
  if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') return false;
  const events = (range.events ?? []).map(eventOf).filter((e): e is Event => e !== null);
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length && !limits.some((l) => cmp(v, l.version) < 0)) return false;
  let vulnerable = false;
  const sorted = events.filter((e) => e.kind !== 'limit').sort((a, b) => cmp(a.version, b.version));
  for (const e of sorted) {
    if (e.kind === 'introduced' && cmp(v, e.version) >= 0) vulnerable = true;
    else if (e.kind === 'fixed' && cmp(v, e.version) >= 0) vulnerable = false;
    else if (e.kind === 'last_affected' && cmp(v, e.version) > 0) vulnerable = false;
  }
  return vulnerable;
}

/**
 * Whether the record says `name` at `version` is affected (its `versions` list, or a range); withdrawn records never
 * are.
 */
export function isAffected(record: OsvRecord, name: string, version: Version): boolean {
  if (record.withdrawn) return false;
  for (const a of entriesFor(record, name)) {
    if ((a.versions ?? []).some((s) => Version.parse(s)?.equals(version))) return true;
    if ((a.ranges ?? []).some((r) => rangeIncludes(r, version))) return true;
  }
  return false;
}

/** The `fixed` versions above `version` in the record's ranges for the project, ascending. */
export function fixedAbove(record: OsvRecord, name: string, version: Version): Version[] {
  const out: Version[] = [];
  for (const a of entriesFor(record, name)) {
    for (const r of a.ranges ?? []) {
      for (const e of (r.events ?? []).map(eventOf)) {
        if (
          e?.kind === 'fixed' &&
          e.version instanceof Version &&
          e.version.compare(version) > 0 &&
          !out.some((x) => x.equals(e.version as Version))
        )
          out.push(e.version);
      }
    }
  }
  return out.sort((a, b) => a.compare(b));
}

function oneLine(s: string | undefined): string {
  return (
    (s ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l) ?? ''
  );
}

function advisoryOf(record: OsvRecord, name: string, version: Version): Advisory {
  const link = record.references?.find((r) => r.type === 'ADVISORY')?.url ?? record.references?.[0]?.url ?? null;
  return {
    id: record.id,
    aliases: record.aliases ?? [],
    summary: oneLine(record.summary) || oneLine(record.details),
    fixed: fixedAbove(record, name, version).map(String),
    link,
  };
}

/**
 * OSV records of the PyPI ecosystem loaded from a folder (recursively) or a zip of `*.json` files, indexed by project.
 */
export class OsvDatabase {
  private readonly byName = new Map<string, OsvRecord[]>();
  /** Files that were not OSV JSON (skipped). */
  skipped = 0;

  constructor(records: Iterable<OsvRecord>) {
    for (const r of records) this.add(r);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byName.values()) n += l.length;
    return n;
  }

  private add(r: OsvRecord): void {
    if (!r || typeof r !== 'object' || typeof r.id !== 'string' || !Array.isArray(r.affected)) {
      this.skipped++;
      return;
    }
    const names = new Set<string>();
    for (const a of r.affected)
      if (a?.package?.ecosystem === 'PyPI' && typeof a.package.name === 'string')
        names.add(canonicalizeName(a.package.name));
    for (const n of names) (this.byName.get(n) ?? this.byName.set(n, []).get(n)!).push(r);
  }

  /** Reads a folder or a `.zip`; throws an Error with a plain message when the path cannot be read. */
  static async load(p: string): Promise<OsvDatabase> {
    let st;
    try {
      st = await fs.stat(p);
    } catch {
      throw new Error(`cannot read the OSV database '${p}': no such file or folder`);
    }
    const db = new OsvDatabase([]);
    const parse = (text: string): void => {
      try {
        const data = JSON.parse(text) as unknown;
        for (const r of Array.isArray(data) ? data : [data]) db.add(r as OsvRecord);
      } catch {
        db.skipped++;
      }
    };
    if (st.isDirectory()) {
      const walk = async (dir: string, depth: number): Promise<void> => {
        if (depth > 8) return;
        for (const e of await fs.readdir(dir, { withFileTypes: true })) {
          const full = path.join(dir, e.name);
          if (e.isDirectory()) await walk(full, depth + 1);
          else if (e.isFile() && e.name.endsWith('.json')) parse(await fs.readFile(full, 'utf8'));
        }
      };
      await walk(p, 0);
      return db;
    }
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(p);
    } catch (e) {
      throw new Error(`cannot read the OSV database '${p}': ${(e as Error).message}`);
    }
    if (p.endsWith('.json')) {
      parse(bytes.toString('utf8'));
      return db;
    }
    try {
      const src = bufferSource(bytes);
      for (const entry of await readZipDirectory(src)) {
        if (entry.name.endsWith('.json')) parse((await readZipEntry(src, entry, 64 * 1024 * 1024)).toString('utf8'));
      }
    } catch (e) {
      throw new Error(`cannot read the OSV database '${p}' as a zip of OSV JSON files: ${(e as Error).message}`);
    }
    return db;
  }

  /** Advisories that affect `name` at `version`, by id. */
  advisoriesFor(name: string, version: Version): Advisory[] {
    return (this.byName.get(canonicalizeName(name)) ?? [])
      .filter((r) => isAffected(r, name, version))
      .map((r) => advisoryOf(r, name, version))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

/** The JSON API base used when the index is PyPI (tests point it at a loopback server). */
export function defaultJsonApiBase(env: NodeJS.ProcessEnv = process.env): string {
  return (env.STACK_DOCTOR_PYPI_JSON_API || 'https://pypi.org').replace(/\/+$/, '');
}

/**
 * The JSON API base for a selection, or null: only when the first index is PyPI's simple API
 * (`https://pypi.org/simple`),
 * or `<base>/simple` of the configured JSON API base (a mirror of PyPI that serves both, or a test server).
 */
export function jsonApiFor(indexes: IndexSelection, base = defaultJsonApiBase()): string | null {
  const first = indexes.noIndex ? undefined : indexes.indexUrls[0];
  if (!first) return null;
  const norm = (u: string) => u.replace(/\/+$/, '');
  if (norm(first) === `${base}/simple`) return base;
  return norm(first) === PYPI_SIMPLE ? 'https://pypi.org' : null;
}

/**
 * PyPI's `GET <base>/pypi/<name>/<version>/json` `vulnerabilities` (withdrawn ones dropped); [] for an unknown release.
 */
export async function pypiAdvisories(
  http: HttpClient,
  base: string,
  name: string,
  version: Version,
  signal?: AbortSignal,
): Promise<Advisory[]> {
  const url = `${base}/pypi/${encodeURIComponent(canonicalizeName(name))}/${encodeURIComponent(version.toString())}/json`;
  let res;
  try {
    res = await http.get(url, {
      // The JSON API's base is the person's (PyPI's, or the one they set), never a workspace file's.
      origin: PERSON,
      headers: { accept: 'application/json' },
      ...(signal ? { signal } : {}),
      maxBytes: 32 * 1024 * 1024,
    });
  } catch (e) {
    if (e instanceof CancelledError || e instanceof IndexError) throw e;
    throw new UnreachableError(url, 'network', (e as Error).message);
  }
  if (res.status === 404) return [];
  if (res.status !== 200) throw new UnreachableError(url, 'http', `HTTP ${res.status}`, res.status);
  let data: { vulnerabilities?: unknown };
  try {
    data = JSON.parse(res.body.toString('utf8')) as typeof data;
  } catch {
    throw new UnreachableError(url, 'http', `not JSON: ${redact(url)}`);
  }
  const list = Array.isArray(data?.vulnerabilities) ? (data.vulnerabilities as Record<string, unknown>[]) : [];
  const out: Advisory[] = [];
  for (const v of list) {
    if (!v || typeof v.id !== 'string' || v.withdrawn) continue;
    const fixed = (Array.isArray(v.fixed_in) ? v.fixed_in : [])
      .flatMap((f) => (typeof f === 'string' && Version.parse(f) ? [Version.parse(f)!] : []))
      .filter((f) => f.compare(version) > 0)
      .sort((a, b) => a.compare(b))
      .map(String);
    out.push({
      id: v.id,
      aliases: Array.isArray(v.aliases) ? v.aliases.filter((a): a is string => typeof a === 'string') : [],
      summary:
        oneLine(typeof v.summary === 'string' ? v.summary : undefined) ||
        oneLine(typeof v.details === 'string' ? v.details : undefined),
      fixed,
      link: typeof v.link === 'string' ? v.link : null,
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The id people search for: a GHSA or PYSEC id (the record's own, else an alias), else the record's id. */
export function displayId(a: Advisory): string {
  if (/^(GHSA|PYSEC)-/.test(a.id)) return a.id;
  return a.aliases.find((x) => /^GHSA-/.test(x)) ?? a.aliases.find((x) => /^PYSEC-/.test(x)) ?? a.id;
}
