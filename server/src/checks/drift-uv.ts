// uv.lock's own drift rules: what uv compares before it trusts a lock (`uv lock --check`, `uv sync --locked`). The
// lock records the project's requirements as it read them (`[package.metadata] requires-dist`, `requires-dev`), the
// workspace's constraints and overrides (`[manifest]`) and the `requires-python` it resolved for; when today's
// pyproject says something else, uv resolves again and `--locked` fails. Markers are compared by the environments
// they select (uv rewrites them into its own normal form), each requirement lowered through `[tool.uv.sources]` as uv
// lowers it: one requirement per source of a list under that source's marker, the rest from the default index; and
// the workspace members uv recorded against the `[tool.uv.workspace]` globs.
import { finding } from '../model/finding';
import type { Dependency, Finding, ParsedFile, RecordedRequirement, Span } from '../model/types';
import { canonicalizeName } from '../pep/name';
import { str, stringSpan, type LEntry, type LTable } from '../parsers/lock-toml';
import { normalizeExtra } from '../parsers/requirement-entry';
import * as path from 'node:path';
import { manifestBeside, manifestTree, relockFix, type DriftJudge, type LockFile } from './drift-common';
import { sameEnvironments, selectsNothing, withExtras, type Condition } from './marker-equivalence';
import { scopesOf, versionSetOf } from './scope';

const child = (t: LTable | null | undefined, key: string): LEntry | undefined => t?.entries.get(key);
const tableAt = (t: LTable | null, ...keys: string[]): LTable | null => {
  let cur: LTable | null = t;
  for (const k of keys) {
    const v = child(cur, k)?.value;
    cur = v && v.kind === 'table' ? v : null;
  }
  return cur;
};

/** A requirement's source as compared: `index <url>`, `git <url>`, `url <url>`, `local <path>`, or `*` (unknown). */
type SourceKey = string;

const trimUrl = (u: string) => u.replace(/\/+$/, '');
const gitBase = (u: string) => u.replace(/^git\+/, '').replace(/[?#].*$/, '');
const localPath = (p: string) => path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '') || '.';

function recordedSource(r: RecordedRequirement): SourceKey {
  const s = r.source;
  if (!s) return '';
  switch (s.kind) {
    case 'index':
      return `index ${trimUrl(s.value)}`;
    case 'git':
      return `git ${gitBase(s.value)}`;
    case 'url':
      return `url ${s.value}`;
    default:
      return `local ${localPath(s.value)}`;
  }
}

/** One `[tool.uv.sources]` entry of a package: where it routes, and where it applies (a list's marker, extra, group). */
interface SourceEntry {
  key: SourceKey;
  marker: string;
  extra: string | null;
  group: string | null;
}

/** `[tool.uv.sources]` and `[[tool.uv.index]]` as uv routes a requirement: name -> its source entries. */
function todaySources(tree: LTable): Map<string, SourceEntry[]> {
  const out = new Map<string, SourceEntry[]>();
  const uv = tableAt(tree, 'tool', 'uv');
  const indexUrls = new Map<string, string>();
  const indexes = child(uv, 'index')?.value;
  if (indexes?.kind === 'array')
    for (const i of indexes.items) {
      if (i.kind !== 'table') continue;
      const name = str(child(i, 'name')?.value)?.value;
      const url = str(child(i, 'url')?.value)?.value;
      if (name && url) indexUrls.set(name, url);
    }
  const sources = tableAt(uv, 'sources');
  if (!sources) return out;
  const entryOf = (v: LTable): SourceEntry => {
    const get = (k: string) => str(child(v, k)?.value)?.value;
    let key: SourceKey = '*';
    const index = get('index');
    const git = get('git');
    const url = get('url');
    const p = get('path');
    if (index !== undefined) key = indexUrls.has(index) ? `index ${trimUrl(indexUrls.get(index)!)}` : '*';
    else if (git !== undefined) key = `git ${gitBase(git)}`;
    else if (url !== undefined) key = `url ${url}`;
    else if (p !== undefined) key = `local ${localPath(p)}`;
    else if (child(v, 'workspace')) key = 'local *';
    const extra = get('extra');
    const group = get('group');
    return {
      key,
      marker: get('marker') ?? '',
      extra: extra === undefined ? null : normalizeExtra(extra),
      group: group === undefined ? null : canonicalizeName(group),
    };
  };
  for (const [rawName, entry] of sources.entries) {
    const v = entry.value;
    const list: SourceEntry[] = [];
    // A list of sources by marker, extra or group: uv records one requirement per source that applies.
    if (v.kind === 'table') list.push(entryOf(v));
    else if (v.kind === 'array') {
      for (const item of v.items) if (item.kind === 'table') list.push(entryOf(item));
    } else list.push({ key: '*', marker: '', extra: null, group: null });
    out.set(canonicalizeName(rawName), list);
  }
  return out;
}

/** The extras named by `extra == '…'` in a recorded marker (the scope uv recorded the requirement in). */
function recordedScopes(r: RecordedRequirement): string[] {
  const extras = [...r.marker.matchAll(/\bextra\s*==\s*['"]([^'"]+)['"]/g)].map((m) => normalizeExtra(m[1]!));
  return extras.length ? extras.map((e) => 'extra:' + e) : [''];
}

/** Whether two specifiers admit the same versions (as uv compares them: `>=1.0` is `>=1`). */
function sameSpecifier(a: string, b: string): boolean {
  if (a === b) return true;
  const x = versionSetOf(a || '>=0.dev0');
  const y = versionSetOf(b || '>=0.dev0');
  return x !== null && y !== null && (a === '') === (b === '') && x.equals(y);
}

const sameSource = (today: SourceKey, recorded: SourceKey): boolean =>
  today === '*' || today === recorded || (today === 'local *' && recorded.startsWith('local '));

/** A requirement of today's pyproject as uv would record it. */
interface Today {
  name: string;
  text: string;
  extras: string[];
  specifier: string;
  source: SourceKey;
  /** Where uv records it: the requirement's marker and its source's (the extras of its scope already decided). */
  condition: Condition;
  /** The extras active in its scope (`extra == '…'` in a recorded marker is decided with them). */
  scopeExtras: ReadonlySet<string>;
  span: Span;
  nameSpan: Span;
}

const conditionText = (c: Condition): string =>
  (c.all.some((m) => m !== '') || c.none.length ? 'the marker ' : 'no marker') +
  [
    ...c.all.filter((m) => m !== '').map((m) => `(${m})`),
    ...c.none.map((m) => (m === '' ? 'never' : `not (${m})`)),
  ].join(' and ');

const describeSource = (s: SourceKey): string =>
  s === '' ? 'the default index' : s.replace(/^index /, 'the index ').replace(/^local /, '');
const recordedText = (r: RecordedRequirement): string =>
  `${r.rawName}${r.extras.length ? `[${r.extras.join(',')}]` : ''}${r.specifier}`;

/** Why a requirement differs from what the lock recorded for it ('' when it does not). */
function difference(t: Today, r: RecordedRequirement, requiresPython: string): string {
  if (t.extras.join(',') !== r.extras.join(','))
    return `with extras [${r.extras.join(', ')}], it now asks for [${t.extras.join(', ')}]`;
  if (!sameSpecifier(t.specifier, r.specifier)) return `as ${recordedText(r) || r.rawName}, it now reads ${t.text}`;
  const rs = recordedSource(r);
  if (!sameSource(t.source, rs))
    return `from ${describeSource(rs)}; [tool.uv.sources] now routes it to ${describeSource(t.source)}`;
  if (!sameEnvironments(t.condition, { all: [withExtras(r.marker, t.scopeExtras)], none: [] }, requiresPython))
    return `with ${r.marker ? `the marker (${r.marker})` : 'no marker'}; the pyproject now gives it ${conditionText(t.condition)}`;
  return '';
}

/** Judges uv.lock against the pyproject beside it. */
export const judgeUvLock: DriftJudge = (lock, manifests) => {
  const rec = lock.lock.recorded;
  const pyproject = manifestBeside(lock, manifests, 'pyproject');
  if (!rec || !pyproject) return [];
  const tree = manifestTree(pyproject);
  if (!tree) return [];
  const out: Finding[] = [];
  const fixes = [relockFix(lock)];
  const say = (span: Span, message: string, related: { span: Span; message: string }[]) =>
    out.push(
      finding('lock-drift', pyproject.path, span, `${message}: uv.lock is out of date (uv lock --check fails)`, {
        related: related.map((r) => ({ file: lock.path, ...r })),
        fixes,
      }),
    );
  const projectTable = tableAt(tree, 'project');

  // requires-python: uv resolves again when the range changed (its forks may no longer cover it).
  const rp = child(projectTable, 'requires-python');
  const rpValue = rp ? str(rp.value) : null;
  if (rpValue && lock.lock.requiresPython && pyproject.requiresPython) {
    const a = versionSetOf(pyproject.requiresPython);
    const b = versionSetOf(lock.lock.requiresPython);
    if (a && b && !a.equals(b))
      say(
        stringSpan(rpValue),
        `uv.lock was made for requires-python ${lock.lock.requiresPython}, the project now requires ${rpValue.value}`,
        rec.requiresPythonSpan ? [{ span: rec.requiresPythonSpan, message: 'the lock’s requires-python' }] : [],
      );
  }

  const name = str(child(projectTable, 'name')?.value);
  const project = rec.projects.find((p) => p.path === '.');
  if (name && !project && rec.projects.length) {
    // A lock of another project (or made before this one was a package).
    say(stringSpan(name), `uv.lock has no entry for the project ${name.value} in this folder`, []);
  }
  if (project && name) {
    const version = str(child(projectTable, 'version')?.value);
    const dynamic = child(projectTable, 'dynamic');
    if (version && !dynamic && project.version && !sameSpecifier(`==${version.value}`, `==${project.version}`))
      say(
        stringSpan(version),
        `uv.lock locks ${project.rawName} ${project.version}, the project is now version ${version.value}`,
        project.versionSpan ? [{ span: project.versionSpan, message: 'the locked version' }] : [],
      );
    judgeRequirements(
      pyproject,
      tree,
      project.requiresDist,
      project.requiresDev,
      name.value,
      lock.lock.requiresPython,
      say,
    );
    // provides-extras: an extra added or removed (even one with no requirements).
    if (project.providesExtras) {
      const optional = tableAt(projectTable, 'optional-dependencies');
      const today = new Map([...(optional?.entries ?? [])].map(([k, e]) => [normalizeExtra(k), e]));
      const recorded = new Set(project.providesExtras.map(normalizeExtra));
      for (const [extra, e] of today)
        if (!recorded.has(extra))
          say(e.keySpan, `uv.lock records no extra '${extra}' of ${project.rawName}`, [
            { span: project.span, message: `${project.rawName} as locked` },
          ]);
    }
  }

  judgeMembers(lock, pyproject, tree, say);

  // [manifest] constraints and overrides against [tool.uv] constraint-dependencies and override-dependencies.
  const uv = tableAt(tree, 'tool', 'uv');
  for (const [key, recorded, what] of [
    ['constraint-dependencies', rec.constraints, 'constraints'],
    ['override-dependencies', rec.overrides, 'overrides'],
  ] as const) {
    const section = `tool.uv.${key}`;
    const today = pyproject.dependencies.filter((d) => d.section === section);
    const keySpan = child(uv, key)?.keySpan;
    for (const d of today) {
      const r = recorded.find((x) => x.name === d.name && sameSpecifier(d.specifier, x.specifier));
      if (!r)
        say(
          d.span,
          `uv.lock's [manifest] records no ${what.slice(0, -1)} ${d.text}`,
          rec.manifestSpan ? [{ span: rec.manifestSpan, message: 'what the lock recorded' }] : [],
        );
    }
    for (const r of recorded)
      if (
        !today.some((d) => d.name === r.name && sameSpecifier(d.specifier, r.specifier)) &&
        !today.some((d) => d.name === r.name)
      )
        say(
          keySpan ?? projectSpan(pyproject, tree),
          `uv.lock was made with the ${what.slice(0, -1)} ${recordedText(r)}, which the project no longer has`,
          [{ span: r.span, message: `the recorded ${what.slice(0, -1)}` }],
        );
  }
  return out;
};

/** A `[tool.uv.workspace]` glob as a test of a member's folder (relative, `/`-separated). */
function globTest(glob: string): RegExp {
  let re = '';
  const g = localPath(glob).replace(/^\.\//, '');
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      re += '.*';
      i++;
      if (g[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = g.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${g
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * `[manifest] members` against the workspace uv would find: the project and every folder the `[tool.uv.workspace]`
 * `members` globs match and `exclude` does not (uv records no members for a workspace of one project). The members'
 * own folders are not read here, so a new folder a glob matches is not seen; a member whose folder the globs no longer
 * match, a root project the lock's members leave out, and a literal member path added to a lock made for one
 * project are.
 */
function judgeMembers(
  lock: LockFile,
  pyproject: ParsedFile,
  tree: LTable,
  say: (span: Span, message: string, related: { span: Span; message: string }[]) => void,
): void {
  const rec = lock.lock.recorded!;
  const ws = tableAt(tree, 'tool', 'uv', 'workspace');
  const globs = (key: string) => {
    const v = child(ws, key)?.value;
    return v?.kind === 'array' ? v.items.flatMap((i) => (i.kind === 'string' ? [i.value] : [])) : [];
  };
  const include = globs('members').map(globTest);
  const exclude = globs('exclude').map(globTest);
  const isMember = (p: string) => include.some((g) => g.test(p)) && !exclude.some((g) => g.test(p));
  const where =
    child(ws, 'members')?.keySpan ?? (ws ? child(tableAt(tree, 'tool', 'uv'), 'workspace')?.keySpan : undefined);
  const reason = 'mismatched workspace members';
  const name = str(child(tableAt(tree, 'project'), 'name')?.value);
  const spanOf = (i: number) => rec.memberSpans?.[i] ?? rec.manifestSpan ?? { start: 0, end: 0 };
  if (rec.members.length) {
    rec.members.forEach((member, i) => {
      const entry = lock.lock.packages.find((p) => p.name === member && p.source.kind === 'path');
      if (!entry || entry.source.kind !== 'path') return;
      const folder = localPath(entry.source.path).replace(/^\.\//, '');
      if (folder === '.' || isMember(folder)) return;
      say(
        where ?? projectSpan(pyproject, tree),
        `uv.lock was made with the workspace member ${member} (${folder}), which [tool.uv.workspace] members no ` +
          `longer include (${reason})`,
        [{ span: spanOf(i), message: `${member} as uv.lock recorded it` }],
      );
    });
    if (name && !rec.members.includes(canonicalizeName(name.value)))
      say(
        stringSpan(name),
        `uv.lock's workspace members (${rec.members.join(', ')}) do not include this project, ${name.value} (${reason})`,
        rec.manifestSpan ? [{ span: rec.manifestSpan, message: 'the members uv.lock recorded' }] : [],
      );
    return;
  }
  // A lock of one project: a member path written out (no glob) makes the workspace two projects or more.
  if (!name || !lock.lock.recorded!.projects.some((p) => p.path === '.')) return;
  for (const raw of globs('members')) {
    if (/[*?[]/.test(raw)) continue;
    const folder = localPath(raw).replace(/^\.\//, '');
    if (folder === '.' || !isMember(folder)) continue;
    say(
      where ?? projectSpan(pyproject, tree),
      `uv.lock was made for the project alone; [tool.uv.workspace] members now adds ${folder} (${reason})`,
      [],
    );
  }
}

/** Where a finding about the whole project goes when no line of it is more precise: `[project]`'s name. */
function projectSpan(pyproject: ParsedFile, tree: LTable): Span {
  const name = str(child(tableAt(tree, 'project'), 'name')?.value);
  return name
    ? stringSpan(name)
    : { start: 0, end: Math.min(pyproject.text.indexOf('\n') >>> 0, pyproject.text.length) };
}

/**
 * `requires-dist` and `requires-dev` against today's dependencies, optional dependencies and dependency groups: each
 * requirement by name within its extra or group, its extras, specifier and source.
 */
function judgeRequirements(
  pyproject: ParsedFile,
  tree: LTable,
  requiresDist: RecordedRequirement[],
  requiresDev: Map<string, RecordedRequirement[]>,
  projectName: string,
  requiresPython: string,
  say: (span: Span, message: string, related: { span: Span; message: string }[]) => void,
): void {
  const sources = todaySources(tree);
  const self = canonicalizeName(projectName);
  const today = new Map<string, Today[]>();
  const add = (scope: string, t: Today) => {
    const key = `${scope}\0${t.name}`;
    (today.get(key) ?? today.set(key, []).get(key)!).push(t);
  };
  // uv's lowering: the sources of a package that apply in the scope (a source's `extra`/`group` names the one it
  // applies in), one requirement each under its marker and the requirement's, and the rest of the requirement's
  // environments from the default index.
  const scopeExtrasOf = (scope: string) => new Set(scope.startsWith('extra:') ? [scope.slice(6)] : []);
  const lowered = (d: Dependency, scope: string): Today[] => {
    const extra = scope.startsWith('extra:') ? scope.slice(6) : null;
    const group = scope.startsWith('group:') ? scope.slice(6) : null;
    const scopeExtras = scopeExtrasOf(scope);
    const marker = withExtras(d.marker, scopeExtras);
    const base = {
      name: d.name,
      text: d.text,
      extras: d.extras,
      specifier: d.specifier,
      scopeExtras,
      span: d.span,
      nameSpan: d.nameSpan,
    };
    const list = sources.get(d.name);
    if (!list) return [{ ...base, source: '', condition: { all: [marker], none: [] } }];
    const applies = list.filter(
      (e) => (e.extra === null || e.extra === extra) && (e.group === null || e.group === group),
    );
    const out: Today[] = applies.map((e) => ({
      ...base,
      source: e.key,
      condition: { all: [e.marker, marker], none: [] },
    }));
    out.push({ ...base, source: '', condition: { all: [marker], none: applies.map((e) => e.marker) } });
    return out.filter((t) => !selectsNothing(t.condition, ''));
  };
  for (const d of pyproject.dependencies) {
    if (d.kind !== 'requirement') continue;
    const s = d.section ?? '';
    if (s === 'project.dependencies' || s.startsWith('project.optional-dependencies.'))
      for (const scope of scopesOf(d))
        if (scope === '' || scope.startsWith('extra:')) for (const t of lowered(d, scope)) add(scope, t);
    if (s.startsWith('dependency-groups.') || s === 'tool.uv.dev-dependencies')
      for (const scope of scopesOf(d)) if (scope.startsWith('group:')) for (const t of lowered(d, scope)) add(scope, t);
  }
  // `demo[gpu]` in demo's own lists: uv records it as a requirement on the project itself.
  for (const i of pyproject.extraIncludes ?? [])
    add(i.scope, {
      name: self,
      text: i.text,
      extras: i.extras,
      specifier: '',
      source: '*',
      condition: { all: [], none: [] },
      scopeExtras: scopeExtrasOf(i.scope),
      span: i.span,
      nameSpan: i.span,
    });
  const recorded = new Map<string, RecordedRequirement[]>();
  const record = (scope: string, r: RecordedRequirement) => {
    const key = `${scope}\0${r.name}`;
    (recorded.get(key) ?? recorded.set(key, []).get(key)!).push(r);
  };
  for (const r of requiresDist) for (const scope of recordedScopes(r)) record(scope, r);
  for (const [group, list] of requiresDev) for (const r of list) record(`group:${group}`, r);

  const reported = new Set<string>();
  const scopeWords = (scope: string) =>
    scope === ''
      ? "among the project's dependencies"
      : scope.startsWith('extra:')
        ? `in the extra '${scope.slice(6)}'`
        : `in the dependency group '${scope.slice(6)}'`;
  for (const [key, list] of today) {
    const scope = key.slice(0, key.indexOf('\0'));
    const recs = recorded.get(key) ?? [];
    for (const t of list) {
      if (!recs.length) {
        say(t.nameSpan, `uv.lock records no ${t.text} ${scopeWords(scope)}`, []);
        continue;
      }
      if (recs.some((r) => difference(t, r, requiresPython) === '')) continue;
      // The closest record: the same source first (then only the marker differs), else the first.
      const r = recs.find((x) => sameSource(t.source, recordedSource(x))) ?? recs[0]!;
      say(t.span, `uv.lock recorded ${r.rawName} ${scopeWords(scope)} ${difference(t, r, requiresPython)}`, [
        { span: r.span, message: `${recordedText(r)} as uv.lock recorded it` },
      ]);
      reported.add(key);
    }
    // A recorded requirement nothing of today's pyproject lowers to (a source of a list removed).
    if (reported.has(key)) continue;
    for (const r of recs)
      if (!list.some((t) => difference(t, r, requiresPython) === '')) {
        const t = list[0]!;
        say(
          t.span,
          `uv.lock recorded ${recordedText(r)} ${scopeWords(scope)}${r.marker ? ` with the marker (${r.marker})` : ''} from ${describeSource(recordedSource(r))}, which the pyproject no longer gives it`,
          [{ span: r.span, message: `${recordedText(r)} as uv.lock recorded it` }],
        );
        break;
      }
  }
  for (const [key, recs] of recorded) {
    if (today.has(key)) continue;
    const scope = key.slice(0, key.indexOf('\0'));
    const r = recs[0]!;
    say(
      sectionSpan(tree, scope) ?? projectSpan(pyproject, tree),
      `uv.lock recorded ${recordedText(r)} ${scopeWords(scope)}, which the project no longer has`,
      [{ span: r.span, message: `${recordedText(r)} as uv.lock recorded it` }],
    );
  }
}

/** The key of the list a scope's requirements are written in (`dependencies`, an extra's, a group's). */
function sectionSpan(tree: LTable, scope: string): Span | null {
  if (scope === '') return child(tableAt(tree, 'project'), 'dependencies')?.keySpan ?? null;
  const [kind, name] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1)];
  const table =
    kind === 'extra' ? tableAt(tree, 'project', 'optional-dependencies') : tableAt(tree, 'dependency-groups');
  if (table)
    for (const [k, e] of table.entries)
      if ((kind === 'extra' ? normalizeExtra(k) : canonicalizeName(k)) === name) return e.keySpan;
  if (kind === 'group' && name === 'dev')
    return child(tableAt(tree, 'tool', 'uv'), 'dev-dependencies')?.keySpan ?? null;
  return null;
}
