// Reads uv.lock (version 1, revisions 1-4): every `[[package]]` with its source, markers and artifacts, and what the
// lock recorded of its manifest (`[manifest]`, the projects' `[package.metadata]`), so that drift can be judged as uv
// judges it. Never throws: problems are `syntax` findings.
import type { LockSource, ParsedFile, RecordedProject, RecordedRequirement } from '../model/types';
import { canonicalizeName } from '../pep/name';
import { fileNameOf, LockReader, recordedRequirement, requirementString } from './lock-common';
import { str, stringSpan, type LTable } from './lock-toml';

/** The newest lock revision whose shape this parser knows. */
export const UV_LOCK_REVISION = 4;

/** A package's source as uv writes it (`source = { registry = "…" }`). */
function sourceOf(r: LockReader, t: LTable): LockSource {
  const e = t.entries.get('source');
  const s = e ? r.table(e, 'package.source') : null;
  if (!s) return { kind: 'unknown' };
  for (const [key, v] of s.entries) {
    const value = str(v.value)?.value;
    if (value === undefined) continue;
    switch (key) {
      case 'registry':
        return { kind: 'index', url: value };
      case 'git':
        return { kind: 'git', url: value };
      case 'url':
        return { kind: 'url', url: value };
      case 'editable':
        return { kind: 'path', path: value, editable: true };
      case 'virtual':
      case 'directory':
      case 'path':
        return { kind: 'path', path: value, editable: false };
    }
  }
  return { kind: 'unknown' };
}

/** The dependencies of a package as PEP 508 strings (its extras' with `extra == '…'` added to the marker). */
function dependencyStrings(r: LockReader, t: LTable): string[] {
  const out: string[] = [];
  const add = (item: LTable, extra: string | null) => {
    const name = r.string(item, 'name', 'package.dependencies.name');
    if (!name) return;
    const extras = r.strings(item, 'extra', 'package.dependencies.extra').map((e) => e.value);
    let marker = r.string(item, 'marker', 'package.dependencies.marker')?.value ?? '';
    if (extra) marker = marker ? `(${marker}) and extra == '${extra}'` : `extra == '${extra}'`;
    out.push(requirementString(name.value, extras, '', marker));
  };
  for (const item of r.tables(t.entries.get('dependencies'), 'package.dependencies')) add(item, null);
  const optional = r.table(t.entries.get('optional-dependencies'), 'package.optional-dependencies');
  if (optional)
    for (const [extra, e] of optional.entries)
      for (const item of r.tables(e, `package.optional-dependencies.${extra}`)) add(item, extra);
  return out;
}

/**
 * The file names of a package's wheels. `wheels` is read shallow (it is most of a lock's text): its inline tables are
 * scanned for the one key that names the file, `url`, `path` or `filename`.
 */
function wheelsOf(r: LockReader, t: LTable): string[] {
  const e = t.entries.get('wheels');
  if (!e) return [];
  if (e.value.kind !== 'raw') return [];
  const text = r.text.slice(e.value.span.start, e.value.span.end);
  if (!text.startsWith('[')) {
    r.finding(e.value.span, "'package.wheels' must be an array");
    return [];
  }
  const out: string[] = [];
  for (const table of text.matchAll(/\{[^{}]*\}/g)) {
    const keys = new Map<string, string>();
    for (const m of table[0].matchAll(WHEEL_FILE)) keys.set(m[1]!, m[2] ?? m[3] ?? '');
    const file = keys.get('filename') ?? keys.get('url') ?? keys.get('path');
    if (file) out.push(fileNameOf(file));
  }
  return out;
}

/** A key naming a wheel's file inside one of its inline tables (`{ url = "…", hash = "…" }`). */
const WHEEL_FILE = /[{,]\s*(filename|url|path)\s*=\s*(?:"([^"\\]*)"|'([^']*)')/g;

function requirements(r: LockReader, t: LTable, key: string, what: string): RecordedRequirement[] {
  const out: RecordedRequirement[] = [];
  for (const item of r.tables(t.entries.get(key), what)) {
    const req = recordedRequirement(r, item, what);
    if (req) out.push(req);
  }
  return out;
}

/** A workspace project's recorded metadata (a package whose source is its folder). */
function project(r: LockReader, t: LTable, source: LockSource, version: string): RecordedProject | null {
  if (source.kind !== 'path') return null;
  const metadata = r.table(t.entries.get('metadata'), 'package.metadata');
  const name = str(t.entries.get('name')?.value);
  if (!name) return null;
  const requiresDev = new Map<string, RecordedRequirement[]>();
  const dev = metadata ? r.table(metadata.entries.get('requires-dev'), 'package.metadata.requires-dev') : null;
  if (dev)
    for (const [group, e] of dev.entries) {
      const list: RecordedRequirement[] = [];
      for (const item of r.tables(e, `package.metadata.requires-dev.${group}`)) {
        const req = recordedRequirement(r, item, `package.metadata.requires-dev.${group}`);
        if (req) list.push(req);
      }
      requiresDev.set(canonicalizeName(group), list);
    }
  const versionEntry = t.entries.get('version');
  const vs = versionEntry ? str(versionEntry.value) : null;
  return {
    name: canonicalizeName(name.value),
    rawName: name.value,
    version,
    versionSpan: vs ? stringSpan(vs) : null,
    path: source.path.replace(/\/+$/, '') || '.',
    requiresDist: metadata ? requirements(r, metadata, 'requires-dist', 'package.metadata.requires-dist') : [],
    requiresDev,
    providesExtras:
      metadata && metadata.entries.has('provides-extras')
        ? r.strings(metadata, 'provides-extras', 'package.metadata.provides-extras').map((e) => e.value)
        : null,
    span: { ...t.span },
  };
}

/**
 * uv's conflict markers: `extra == 'extra-7-project-gpu'` stands for the extra `gpu` of `project`, and
 * `group-…` for a dependency group (the number is the length of the package's name). The items a marker names.
 */
export function conflictItems(marker: string): { package: string; kind: 'extra' | 'group'; name: string }[] {
  const out: { package: string; kind: 'extra' | 'group'; name: string }[] = [];
  for (const m of marker.matchAll(/'(extra|group)-(\d+)-([^']+)'/g)) {
    const n = Number(m[2]);
    const rest = m[3]!;
    if (!(n > 0) || rest.length < n + 2 || rest[n] !== '-') continue;
    out.push({ package: rest.slice(0, n), kind: m[1] as 'extra' | 'group', name: rest.slice(n + 1) });
  }
  return out;
}

/** Keys read past: only their presence (an sdist) or a scan of their text (the wheels) is needed. */
const SHALLOW = new Set(['wheels', 'sdist']);

/** Parses a uv.lock. */
export function parseUvLock(filePath: string, text: string): ParsedFile {
  const r = new LockReader(filePath, text, 'uv-lock', 'uv');
  const root = r.root('uv.lock', SHALLOW);
  if (!root) return r.file;
  const lock = r.file.lock;
  const versionEntry = root.entries.get('version');
  const version = versionEntry?.value.kind === 'bare' ? versionEntry.value.raw : '';
  lock.version = version;
  if (!versionEntry) r.finding({ start: 0, end: 0 }, "uv.lock has no 'version'", 'warning');
  else if (version !== '1') {
    r.finding(
      versionEntry.span,
      `uv.lock version ${version} is not one Stack Doctor reads (it reads version 1); the lock was not judged`,
    );
    return r.file;
  }
  const revisionEntry = root.entries.get('revision');
  const revision = revisionEntry?.value.kind === 'bare' ? Number(revisionEntry.value.raw) : 1;
  if (revisionEntry && revision > UV_LOCK_REVISION)
    r.finding(
      revisionEntry.span,
      `uv.lock revision ${revision} is newer than the revisions Stack Doctor knows (up to ${UV_LOCK_REVISION}); ` +
        'it is read as the newest it knows',
      'information',
    );
  const rp = r.string(root, 'requires-python', 'requires-python');
  lock.requiresPython = rp?.value ?? '';
  const manifest = r.table(root.entries.get('manifest'), 'manifest');
  const members = manifest ? r.strings(manifest, 'members', 'manifest.members') : [];
  const recorded: NonNullable<typeof lock.recorded> = {
    members: members.map((m) => canonicalizeName(m.value)),
    memberSpans: members.map((m) => m.span),
    constraints: manifest ? requirements(r, manifest, 'constraints', 'manifest.constraints') : [],
    overrides: manifest ? requirements(r, manifest, 'overrides', 'manifest.overrides') : [],
    requiresPythonSpan: rp?.span ?? null,
    manifestSpan: manifest ? { ...manifest.span } : null,
    projects: [],
  };
  lock.recorded = recorded;
  for (const t of r.tables(root.entries.get('package'), 'package')) {
    const source = sourceOf(r, t);
    const markers = r.strings(t, 'resolution-markers', 'package.resolution-markers').map((m) => m.value);
    const marker = markers.length === 1 ? markers[0]! : markers.map((m) => `(${m})`).join(' or ');
    const pkg = r.entry(t, 'package', {
      source,
      marker,
      dependencies: dependencyStrings(r, t),
      wheels: wheelsOf(r, t),
      sdist: t.entries.has('sdist'),
    });
    if (!pkg) continue;
    const p = project(r, t, source, pkg.version);
    if (p) recorded.projects.push(p);
  }
  return r.file;
}
