// Reads pylock.toml and pylock.<name>.toml (PEP 751): `lock-version` major 1, `environments`, `requires-python` and
// every `[[packages]]` entry with its marker, index and artifacts. A lock of a newer major version is said so and not
// judged. Never throws: problems are `syntax` findings.
import type { LockSource, ParsedFile } from '../model/types';
import { fileNameOf, LockReader, requirementString } from './lock-common';
import { str, type LTable } from './lock-toml';

/** The `lock-version` major this parser reads. */
export const PYLOCK_MAJOR = 1;

function sourceOf(r: LockReader, t: LTable): LockSource {
  const vcs = r.table(t.entries.get('vcs'), 'packages.vcs');
  if (vcs) {
    const url = str(vcs.entries.get('url')?.value) ?? str(vcs.entries.get('path')?.value);
    return url ? { kind: 'git', url: url.value } : { kind: 'unknown' };
  }
  const dir = r.table(t.entries.get('directory'), 'packages.directory');
  if (dir) {
    const p = str(dir.entries.get('path')?.value);
    const editable = dir.entries.get('editable')?.value;
    return p
      ? { kind: 'path', path: p.value, editable: editable?.kind === 'bare' && editable.raw === 'true' }
      : { kind: 'unknown' };
  }
  const archive = r.table(t.entries.get('archive'), 'packages.archive');
  if (archive) {
    const url = str(archive.entries.get('url')?.value);
    if (url) return { kind: 'url', url: url.value };
    const p = str(archive.entries.get('path')?.value);
    return p ? { kind: 'path', path: p.value, editable: false } : { kind: 'unknown' };
  }
  const index = r.string(t, 'index', 'packages.index');
  return index ? { kind: 'index', url: index.value } : { kind: 'unknown' };
}

/** Parses a pylock.toml (or pylock.<name>.toml). */
export function parsePylock(filePath: string, text: string): ParsedFile {
  const r = new LockReader(filePath, text, 'pylock', 'pylock');
  const name = filePath.split(/[\\/]/).pop() ?? 'pylock.toml';
  const root = r.root(name);
  if (!root) return r.file;
  const lock = r.file.lock;
  // PEP 751: a lock made for one environment need not say which; `environments` lists those a lock is for. Either
  // way each package's `marker` says where it installs, so a lock holds what its environments install and no more.
  lock.universal = false;
  const lv = r.string(root, 'lock-version', 'lock-version');
  if (!lv) {
    r.finding({ start: 0, end: 0 }, `${name} has no 'lock-version' (PEP 751 requires one)`);
    return r.file;
  }
  lock.version = lv.value;
  const major = Number(/^(\d+)/.exec(lv.value)?.[1] ?? NaN);
  if (major !== PYLOCK_MAJOR) {
    r.finding(
      lv.span,
      `${name} has lock-version ${lv.value}; Stack Doctor reads lock-version ${PYLOCK_MAJOR}.x (PEP 751), so ` +
        'this lock was not judged',
    );
    return r.file;
  }
  lock.requiresPython = r.string(root, 'requires-python', 'requires-python')?.value ?? '';
  r.strings(root, 'environments', 'environments');
  for (const t of r.tables(root.entries.get('packages'), 'packages')) {
    const dependencies: string[] = [];
    for (const d of r.tables(t.entries.get('dependencies'), 'packages.dependencies')) {
      const n = r.string(d, 'name', 'packages.dependencies.name');
      if (n) dependencies.push(requirementString(n.value, [], '', ''));
    }
    const wheels: string[] = [];
    for (const w of r.tables(t.entries.get('wheels'), 'packages.wheels')) {
      const file =
        str(w.entries.get('name')?.value) ?? str(w.entries.get('url')?.value) ?? str(w.entries.get('path')?.value);
      if (file) wheels.push(fileNameOf(file.value));
    }
    if (t.entries.has('sdist')) r.table(t.entries.get('sdist'), 'packages.sdist');
    r.entry(t, 'packages', {
      source: sourceOf(r, t),
      marker: r.string(t, 'marker', 'packages.marker')?.value ?? '',
      dependencies,
      wheels,
      sdist: t.entries.has('sdist'),
    });
  }
  return r.file;
}
