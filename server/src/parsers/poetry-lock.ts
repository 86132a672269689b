// Reads poetry.lock (lock-version 1.x and 2.x): every `[[package]]` with its version, source, markers, files and
// `[package.dependencies]`, and `[metadata]` (lock-version, python-versions, content-hash and the Poetry version the
// first line names). Never throws: problems are `syntax` findings.
import type { LockSource, ParsedFile } from '../model/types';
import { fileNameOf, LockReader, requirementString } from './lock-common';
import { str, type LTable } from './lock-toml';
import { translatePoetryConstraint } from './poetry';

function sourceOf(r: LockReader, t: LTable): LockSource {
  const s = r.table(t.entries.get('source'), 'package.source');
  if (!s) return { kind: 'index', url: 'https://pypi.org/simple' };
  const type = str(s.entries.get('type')?.value)?.value ?? '';
  const url = str(s.entries.get('url')?.value)?.value ?? '';
  switch (type) {
    case 'legacy':
      return { kind: 'index', url };
    case 'git':
      return { kind: 'git', url };
    case 'url':
      return { kind: 'url', url };
    case 'directory':
    case 'file': {
      const develop = s.entries.get('develop')?.value;
      return { kind: 'path', path: url, editable: develop?.kind === 'bare' && develop.raw === 'true' };
    }
  }
  return { kind: 'unknown' };
}

/** Poetry's constraint as PEP 440 where it translates ("" for `*`), else as written. */
function pep440(constraint: string): string {
  try {
    return translatePoetryConstraint(constraint).specifier;
  } catch {
    return constraint;
  }
}

function dependencies(r: LockReader, t: LTable): string[] {
  const deps = r.table(t.entries.get('dependencies'), 'package.dependencies');
  if (!deps) return [];
  const out: string[] = [];
  for (const [name, e] of deps.entries) {
    // `name = ">=1"`, `name = {version = ">=1", markers = "…"}` or a list of such tables (one per marker).
    const items = e.value.kind === 'array' ? e.value.items : [e.value];
    for (const v of items) {
      const s = str(v);
      if (s) out.push(requirementString(name, [], pep440(s.value), ''));
      else if (v.kind === 'table') {
        const version = str(v.entries.get('version')?.value)?.value ?? '*';
        const markers = str(v.entries.get('markers')?.value)?.value ?? '';
        const list = v.entries.get('extras')?.value;
        const extras = list?.kind === 'array' ? list.items.flatMap((x) => (x.kind === 'string' ? [x.value] : [])) : [];
        out.push(requirementString(name, extras, pep440(version), markers));
      }
    }
  }
  return out;
}

/** Parses a poetry.lock. */
export function parsePoetryLock(filePath: string, text: string): ParsedFile {
  const r = new LockReader(filePath, text, 'poetry-lock', 'poetry');
  const root = r.root('poetry.lock');
  const file = r.file;
  if (!root) return file;
  const lock = r.file.lock;
  const metadata = r.table(root.entries.get('metadata'), 'metadata');
  const pythonVersions = metadata ? r.string(metadata, 'python-versions', 'metadata.python-versions') : null;
  if (metadata) {
    lock.version = r.string(metadata, 'lock-version', 'metadata.lock-version')?.value ?? '';
    const major = Number(/^(\d+)/.exec(lock.version)?.[1] ?? NaN);
    if (major > 2) {
      const at = metadata.entries.get('lock-version');
      r.finding(
        at ? at.span : metadata.span,
        `poetry.lock lock-version ${lock.version} is newer than Stack Doctor reads (1.x and 2.x); the lock was not judged`,
      );
      return file;
    }
  }
  lock.requiresPython = pythonVersions ? pep440(pythonVersions.value) : '';
  const hash = metadata ? r.string(metadata, 'content-hash', 'metadata.content-hash') : null;
  const generated = /^#[^\n]*\bPoetry (\S+)/.exec(text)?.[1] ?? '';
  lock.recorded = {
    ...(hash ? { contentHash: { value: hash.value, span: hash.span, poetryVersion: generated } } : {}),
    members: [],
    constraints: [],
    overrides: [],
    requiresPythonSpan: pythonVersions?.span ?? null,
    manifestSpan: null,
    projects: [],
  };
  // lock-version 1.x lists the files of each package in `[metadata.files]`.
  const oldFiles = metadata ? r.table(metadata.entries.get('files'), 'metadata.files') : null;
  for (const t of r.tables(root.entries.get('package'), 'package')) {
    const name = str(t.entries.get('name')?.value)?.value ?? '';
    const files: string[] = [];
    const fileTables = t.entries.has('files')
      ? r.tables(t.entries.get('files'), 'package.files')
      : oldFiles
        ? r.tables(oldFiles.entries.get(name), `metadata.files.${name}`)
        : [];
    for (const f of fileTables) {
      const n = str(f.entries.get('file')?.value);
      if (n) files.push(fileNameOf(n.value));
    }
    // `markers` is a string, or (lock-version 2.1) a table of markers by dependency group.
    const marker = str(t.entries.get('markers')?.value);
    r.entry(t, 'package', {
      source: sourceOf(r, t),
      marker: marker?.value ?? '',
      dependencies: dependencies(r, t),
      wheels: files.filter((f) => f.endsWith('.whl')),
      sdist: files.some((f) => !f.endsWith('.whl')),
    });
  }
  return file;
}
