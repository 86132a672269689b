// poetry.lock's own drift rule beyond names and versions: the Python range the lock was made for (`[metadata]
// python-versions`) against the project's (`[tool.poetry.dependencies] python` or `[project] requires-python`).
// Poetry's `content-hash` is not compared: it is a SHA-256 of Poetry's own JSON serialization of the manifest's
// tables, which differs between Poetry versions, and a hash that cannot be reproduced exactly would report drift
// that is not there.
import { finding } from '../model/finding';
import type { Finding, Span } from '../model/types';
import { str, stringSpan, tableAt, type LTable } from '../parsers/lock-toml';
import { Version } from '../pep/version';
import { manifestBeside, manifestTree, relockFix, type DriftJudge, type LockFile } from './drift-common';
import { poetryContentHash } from './poetry-content-hash';
import { versionSetOf } from './scope';

/** Where the project's Python range is written: `[project] requires-python` first, else Poetry's `python`. */
function pythonSpan(tree: LTable): { span: Span; text: string } | null {
  for (const v of [
    tableAt(tree, 'project')?.entries.get('requires-python')?.value,
    tableAt(tree, 'tool', 'poetry', 'dependencies')?.entries.get('python')?.value,
  ]) {
    const s = str(v);
    if (s) return { span: stringSpan(s), text: s.value };
  }
  return null;
}

/** Findings that only say the content hash differs: dropped where another finding already says the lock is stale. */
const hashOnly = new WeakSet<Finding>();
export const isContentHashFinding = (f: Finding): boolean => hashOnly.has(f);

/** Where the content-hash finding goes: the first relevant table's key, else the top of the file. */
function hashSpan(tree: LTable): Span {
  for (const keys of [
    ['project', 'dependencies'],
    ['tool', 'poetry', 'dependencies'],
    ['dependency-groups'],
    ['project', 'optional-dependencies'],
    ['tool', 'poetry', 'group'],
  ]) {
    const table = tableAt(tree, ...keys.slice(0, -1));
    const e = table?.entries.get(keys[keys.length - 1]!);
    if (e) return e.keySpan;
  }
  return { start: 0, end: 0 };
}

/** Whether the lock's content-hash is Poetry's hash of today's pyproject (null where it cannot be computed). */
function hashMatches(lock: LockFile, tree: LTable): boolean | null {
  const recorded = lock.lock.recorded?.contentHash;
  if (!recorded) return null;
  const today = poetryContentHash(tree);
  if (today === null) return null;
  if (today === recorded.value) return true;
  // Before Poetry 2.3 the hash left out [dependency-groups]; Poetry accepts such a lock's hash computed that way.
  const v = Version.parse(recorded.poetryVersion);
  if (v && v.compare(Version.parse('2.3.0')!) < 0) return poetryContentHash(tree, false) === recorded.value;
  return false;
}

export const judgePoetryLock: DriftJudge = (lock, manifests) => {
  const pyproject = manifestBeside(lock, manifests, 'pyproject');
  if (!pyproject) return [];
  const tree = manifestTree(pyproject);
  const fixes = [relockFix(lock)];
  const locked = lock.lock.requiresPython;
  const at = tree ? pythonSpan(tree) : null;
  const a = pyproject.requiresPython ? versionSetOf(pyproject.requiresPython) : null;
  const b = locked ? versionSetOf(locked) : null;
  if (at && a && b && !a.equals(b)) {
    const related = lock.lock.recorded?.requiresPythonSpan;
    return [
      finding(
        'lock-drift',
        pyproject.path,
        at.span,
        `poetry.lock was made for Python ${locked}, the project now allows ${at.text}: poetry.lock is out of date ` +
          '(poetry check --lock fails)',
        {
          related: related ? [{ file: lock.path, span: related, message: "the lock's python-versions" }] : [],
          fixes,
        },
      ),
    ];
  }
  if (!tree || hashMatches(lock, tree) !== false) return [];
  const recorded = lock.lock.recorded!.contentHash!;
  const f = finding(
    'lock-drift',
    pyproject.path,
    hashSpan(tree),
    'poetry.lock is out of date with pyproject.toml (content-hash differs): the dependencies, sources, extras or ' +
      'groups changed since it was written (poetry check --lock fails)',
    { related: [{ file: lock.path, span: recorded.span, message: "the lock's content-hash" }], fixes },
  );
  hashOnly.add(f);
  return [f];
};
