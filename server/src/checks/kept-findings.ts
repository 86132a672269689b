// The checks' findings of a set kept across an edit of one of its requirements files: a check whose findings the
// changed lines cannot change is not run again over the whole set; its last findings move with the text. What an
// edit costs then follows what it changed, not the size of the file.
import type { Code } from '../model/codes';
import { withPlacesIn } from '../model/finding';
import type { EnvironmentSet } from '../model/sets';
import type { Dependency, Finding, Span } from '../model/types';
import { deprecatedPackage, hasDeprecatedExtras } from '../knowledge/deprecated';
import { requirementsEdit, type RequirementsEdit } from '../parsers/requirements';
import { isCompanion } from './companion-version';
import { judgedWithoutIndex } from './conflict-transitive';
import { readByCudaChecks } from './cuda-builds';
import { systemLibraryRecord } from '../knowledge/system-libraries';
import { admitsNothing } from './scope';
import type { Check, CheckContext } from './types';

/**
 * Whether a declaration cannot change what a check finds in its set, by being there or by its text, given how often
 * its identity (its name, or its URL where it has none) is declared in the set and in its own file. A check without
 * a rule here is run again on every edit.
 */
type Inert = (dep: Dependency, inSet: number, inFile: number) => boolean;

/** A check's rule, and whether the check reads the files' options too (then an edit that changes one runs it). */
interface Rule {
  inert: Inert;
  readsOptions?: boolean;
}

/** The CUDA checks read the builds, the PyTorch family's pins and the PyTorch index options. */
const CUDA: Rule = { inert: (dep) => !readByCudaChecks(dep), readsOptions: true };

const RULES: Partial<Record<Code, Rule>> = {
  // A name declared once is judged alone: only a specifier that admits nothing by itself is a finding. A line pip
  // cannot name before building it never takes part.
  conflict: {
    inert: (dep, inSet) =>
      dep.name === ''
        ? dep.url !== null
        : inSet <= 1 &&
          (dep.kind === 'constraint' ||
            !dep.specifier ||
            dep.url !== null ||
            !!dep.specifierUnknown ||
            !admitsNothing(dep.specifier)),
  },
  // Copies are looked for within one file.
  duplicate: { inert: (_dep, _inSet, inFile) => inFile <= 1 },
  deprecated: {
    inert: (dep) =>
      !deprecatedPackage(dep.name, dep.kind === 'conda' ? 'conda' : 'pip') &&
      !(dep.kind !== 'conda' && dep.extras.length > 0 && hasDeprecatedExtras(dep.name)),
  },
  'companion-version': { inert: (dep) => !isCompanion(dep.name) },
  // Without the index's report (kept findings have none), only TensorFlow's caps are judged.
  'conflict-transitive': { inert: (dep) => !judgedWithoutIndex(dep.name) },
  'cuda-mix': CUDA,
  'cuda-driver': CUDA,
  'cuda-unavailable': CUDA,
  // The table's packages, and the file's `--no-binary` / `--only-binary`.
  'system-library': { inert: (dep) => !systemLibraryRecord(dep.name), readsOptions: true },
};

/** The identity the counts go by. */
function identityOf(dep: Dependency): string {
  return dep.name || dep.url || '';
}

/** How often each identity is declared: in the whole set, and in each file (by path). */
interface Counts {
  set: Map<string, number>;
  files: Map<string, Map<string, number>>;
}

function countsOf(set: EnvironmentSet): Counts {
  const counts: Counts = { set: new Map(), files: new Map() };
  for (const f of set.files) for (const d of f.dependencies) add(counts, d, 1);
  return counts;
}

function add(counts: Counts, dep: Dependency, by: 1 | -1): void {
  const id = identityOf(dep);
  counts.set.set(id, (counts.set.get(id) ?? 0) + by);
  let file = counts.files.get(dep.file);
  if (!file) counts.files.set(dep.file, (file = new Map()));
  file.set(id, (file.get(id) ?? 0) + by);
}

/** What was found in a set: the set, the context it was judged in, the counts of its declarations, and each finding. */
interface Kept {
  set: EnvironmentSet;
  ctx: CheckContext;
  counts: Counts;
  findings: Map<Code, Finding[]>;
}

/** The last findings per set root (a few dozen at most: the sets being edited). */
const kept = new Map<string, Kept>();
const MAX_KEPT = 32;

/** Whether the context has nothing of the stages: only then are findings kept (the stages' reports are per text). */
function withoutStages(ctx: CheckContext): boolean {
  return ![ctx.index, ctx.vulnerabilities, ctx.conda, ctx.pipOnConda, ctx.pixi].some((m) => m && m.size > 0);
}

function sameContext(a: CheckContext, b: CheckContext): boolean {
  return (
    a.markerEnvironment === b.markerEnvironment &&
    a.profile === b.profile &&
    a.machine === b.machine &&
    a.installed === b.installed &&
    a.machinePython === b.machinePython
  );
}

/**
 * How a set differs from the one whose findings were kept: not at all (the same set), by nothing in its files (a set
 * built again: its own findings, such as an include that could not be read, may differ), or by one edit of one file.
 */
type Change =
  | { kind: 'none' }
  | { kind: 'edit'; file: string; edit: RequirementsEdit | null; removed: Dependency[]; added: Dependency[] };

function changeFrom(before: EnvironmentSet, now: EnvironmentSet): Change | null {
  if (before === now) return { kind: 'none' };
  if (before.root !== now.root || before.files.length !== now.files.length) return null;
  let at = -1;
  for (let i = 0; i < now.files.length; i++) {
    if (now.files[i] === before.files[i]) continue;
    if (at >= 0) return null;
    at = i;
  }
  if (at < 0) return { kind: 'edit', file: '', edit: null, removed: [], added: [] };
  const file = now.files[at]!;
  const edit = requirementsEdit(file);
  // The files are those of the set judged last (its includes unchanged), every line after the edit keeps its number,
  // and the file is in the set once.
  if (!edit || edit.previous !== before.files[at] || !edit.sameLines) return null;
  if (now.files.some((f, i) => i !== at && f.path === file.path)) return null;
  return {
    kind: 'edit',
    file: file.path,
    edit,
    removed: edit.previous.dependencies.slice(edit.removed.start, edit.removed.end),
    added: file.dependencies.slice(edit.added.start, edit.added.end),
  };
}

/**
 * The findings of `checks` in the set (`run` runs one check over it), index by index. Where the set is the one judged
 * last in the same context but for an edit of one requirements file whose changed lines each check's rule says
 * cannot change its findings, that check's last findings are given again, moved with the text; every other check runs.
 * Sets of other kinds (a pyproject, an environment.yml, locks), contexts with the stages' reports and any other change
 * run every check.
 */
export function keptFindings(
  set: EnvironmentSet,
  ctx: CheckContext,
  checks: readonly Check[],
  run: (check: Check) => Finding[],
): Finding[][] {
  if (
    !withoutStages(ctx) ||
    set.selectedExtras ||
    !set.files.every((f) => f.kind === 'requirements' || f.kind === 'constraints')
  ) {
    kept.delete(set.root);
    return checks.map(run);
  }
  const last = kept.get(set.root);
  const change = last && sameContext(last.ctx, ctx) ? changeFrom(last.set, set) : null;
  let counts: Counts;
  let found: Finding[][];
  if (!last || !change) {
    counts = countsOf(set);
    found = checks.map(run);
  } else if (change.kind === 'none') {
    counts = last.counts;
    found = checks.map((c) => last.findings.get(c.code) ?? run(c));
  } else {
    // The counts of the lines the edit took away, before it, and of those it wrote, after it.
    counts = last.counts;
    const removed = change.removed.map((d) => ({
      d,
      set: counts.set.get(identityOf(d)) ?? 0,
      file: fileCount(counts, d),
    }));
    for (const d of change.removed) add(counts, d, -1);
    for (const d of change.added) add(counts, d, 1);
    const added = change.added.map((d) => ({ d, set: counts.set.get(identityOf(d)) ?? 0, file: fileCount(counts, d) }));
    found = checks.map((c) => {
      const rule = RULES[c.code];
      const before = last.findings.get(c.code);
      const still =
        rule &&
        before &&
        (!rule.readsOptions || !change.edit || change.edit.optionsKept) &&
        [...removed, ...added].every((x) => rule.inert(x.d, x.set, x.file))
          ? change.edit
            ? moved(before, change.file, change.edit)
            : before
          : null;
      return still ?? run(c);
    });
  }
  if (kept.size >= MAX_KEPT && !kept.has(set.root)) kept.clear();
  kept.set(set.root, { set, ctx, counts, findings: new Map(checks.map((c, i) => [c.code, found[i]!])) });
  return found;
}

function fileCount(counts: Counts, dep: Dependency): number {
  return counts.files.get(dep.file)?.get(identityOf(dep)) ?? 0;
}

/**
 * The findings with every place in `file` after the edited lines moved by the edit's change in length; null when a
 * place lies within the edited lines or a cause key cannot be moved (the check is run again).
 */
function moved(findings: Finding[], file: string, edit: RequirementsEdit): Finding[] | null {
  if (edit.delta === 0) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    const placed = withPlacesIn(f, file, (span) => shifted(span, edit));
    if (!placed) return null;
    let cause = f.cause;
    if (cause !== undefined) {
      const c = shiftedCause(cause, file, edit);
      if (c === null) return null;
      cause = c;
    }
    out.push(cause !== undefined ? { ...placed, cause } : placed);
  }
  return out;
}

/** A span of the edited file in the new text: as it was before the edited lines, moved after them, null within. */
function shifted(span: Span, edit: RequirementsEdit): Span | null {
  if (span.end <= edit.from) return span;
  if (span.start >= edit.oldEnd) return { start: span.start + edit.delta, end: span.end + edit.delta };
  return null;
}

/**
 * A cause key (`fold.ts`'s `linesCause`: the lines' files and start offsets, sorted) with the starts in the edited file
 * moved; a key of another form names no place (cuda-unavailable's names the set and the build family) and stays.
 */
function shiftedCause(cause: string, file: string, edit: RequirementsEdit): string | null {
  const parts = cause.split('\0');
  if (parts[0] !== 'lines') return cause;
  if (parts.length % 2 !== 1) return null;
  const keys: string[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const start = Number(parts[i + 1]);
    if (parts[i] !== file) keys.push(`${parts[i]}\0${parts[i + 1]}`);
    else {
      const s = shifted({ start, end: start }, edit);
      if (!s) return null;
      keys.push(`${parts[i]}\0${s.start}`);
    }
  }
  return ['lines', ...[...new Set(keys)].sort()].join('\0');
}
