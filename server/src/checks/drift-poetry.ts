// poetry.lock's own drift rule beyond names and versions: the Python range the lock was made for (`[metadata]
// python-versions`) against the project's (`[tool.poetry.dependencies] python` or `[project] requires-python`).
// Poetry's `content-hash` is not compared: it is a SHA-256 of Poetry's own JSON serialization of the manifest's
// tables, which differs between Poetry versions, and a hash that cannot be reproduced exactly would report drift
// that is not there.
import { finding } from '../model/finding';
import type { Span } from '../model/types';
import { str, stringSpan, type LTable } from '../parsers/lock-toml';
import { manifestBeside, manifestTree, relockFix, type DriftJudge } from './drift-common';
import { versionSetOf } from './scope';

const tableAt = (t: LTable | null, ...keys: string[]): LTable | null => {
  let cur: LTable | null = t;
  for (const k of keys) {
    const v = cur?.entries.get(k)?.value;
    cur = v && v.kind === 'table' ? v : null;
  }
  return cur;
};

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

export const judgePoetryLock: DriftJudge = (lock, manifests) => {
  const pyproject = manifestBeside(lock, manifests, 'pyproject');
  const locked = lock.lock.requiresPython;
  if (!pyproject || !locked || !pyproject.requiresPython) return [];
  const tree = manifestTree(pyproject);
  const at = tree ? pythonSpan(tree) : null;
  const a = versionSetOf(pyproject.requiresPython);
  const b = versionSetOf(locked);
  if (!at || !a || !b || a.equals(b)) return [];
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
        fixes: [relockFix(lock)],
      },
    ),
  ];
};
