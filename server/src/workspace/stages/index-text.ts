// What the index stage says in words: the indexes and the target as a person names them, the problems of a run each
// once, the files a target cannot install, and whether a line asks for a build only its own index has.
import type { ExclusionReason, FileVerdict } from '../../index/candidates';
import { redact } from '../../index/credentials';
import type { IndexProblem } from '../../index/errors';
import { indexUrlsFor, type IndexSelection } from '../../index/selection';
import type { SpecifierSet } from '../../pep/specifier';
import type { MachineProfile } from '../../system/profile';
/** Every index of the selection, each named (credentials removed); `name`: those that package is looked up on. */
export function describeIndexes(ix: IndexSelection, name?: string): string {
  const { urls, routed } = name !== undefined ? indexUrlsFor(ix, name) : { urls: ix.indexUrls, routed: false };
  const named = (u: string): string => (ix.uv?.names[u] ? `${ix.uv.names[u]} (${redact(u)})` : redact(u));
  const all = [...new Set([...urls.map(named), ...(routed ? [] : ix.findLinks.map(redact))])];
  if (all.length === 0) return 'no index (--no-index)';
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
}

/** The machine as a person names it: "Python 3.11.7 · Linux x86_64". */
export function targetText(profile: MachineProfile): string {
  const os = OS_NAMES[profile.os] ?? profile.os;
  return `Python ${profile.python?.version ?? '3'} · ${os} ${profile.arch}`;
}

const OS_NAMES: Record<string, string> = { linux: 'Linux', darwin: 'macOS', windows: 'Windows' };

/**
 * The problems of one run, each once: hosts that could not be reached, answers that were bad. A configured index that
 * could not be reached is named by its URL (not by the page of the project that happened to be asked first), and
 * `index` says which configured index it was (for placing the note on the line that names it).
 */
export function describeProblems(problems: IndexProblem[]): { why: string; index: string | null }[] {
  const parts: { why: string; index: string | null }[] = [];
  const unreachable = new Map<string, IndexProblem>();
  const remembered = (p: IndexProblem | undefined): boolean => !p || /earlier in this run/.test(p.message);
  // Per index (or host), the first failure itself rather than a later request that was not sent because of it.
  const keyOf = (p: IndexProblem): string => (p.source?.kind === 'index' ? `index\0${p.source.url}` : p.host);
  for (const p of problems)
    if (p.kind === 'unreachable' && remembered(unreachable.get(keyOf(p)))) unreachable.set(keyOf(p), p);
  for (const p of unreachable.values()) {
    const index = p.source?.kind === 'index' ? p.source.url : null;
    parts.push({
      why:
        index && p.detail
          ? `${index} could not be reached (${p.detail}); what only it has was not considered`
          : `${p.host} could not be reached (${p.message}); what only it has was not considered`,
      index,
    });
  }
  const refused = problems.filter((p) => p.kind === 'refused');
  for (const p of refused.slice(0, 3)) parts.push({ why: p.message, index: null });
  if (refused.length > 3) parts.push({ why: `and ${refused.length - 3} more URLs not fetched`, index: null });
  // The budget: said once, whatever how many requests it stopped.
  const budget = problems.find((p) => p.kind === 'budget');
  if (budget)
    parts.push({
      why:
        budget.message.replace(/;.*$/, '') +
        '; dependencies not read by then were not followed, so conflicts through them, versions for this Python, ' +
        'wheels and advisories of what they bring may be missing',
      index: null,
    });
  const invalid = problems.filter((p) => p.kind === 'invalid');
  for (const p of invalid.slice(0, 3))
    parts.push({
      why: `the index answered badly: ${p.message}`,
      index: p.source?.kind === 'index' ? p.source.url : null,
    });
  if (invalid.length > 3) parts.push({ why: `and ${invalid.length - 3} more bad answers`, index: null });
  return parts;
}

/** Why a version's files cannot be installed on the target at all (not a matter of the specifier or yanking). */
export const UNFIT: ReadonlySet<ExclusionReason> = new Set<ExclusionReason>(['incompatible-tags', 'binary-policy']);

/** The files of one version that the target cannot install, at most three named. */
export function unfitFiles(files: readonly FileVerdict[], versionKey: string): string[] {
  return files
    .filter((f) => f.version?.key === versionKey && f.excluded && UNFIT.has(f.excluded.reason))
    .map((f) => f.file.filename)
    .slice(0, 3);
}

/** " (host could not be reached; it may have this)" for a project some index could not be asked about. */
export function mayHaveIt(unreachable: IndexProblem[]): string {
  const hosts = [...new Set(unreachable.map((p) => p.host))];
  return hosts.length
    ? ` (${hosts.join(', ')} could not be ` +
        `${unreachable.some((p) => p.kind === 'unreachable') ? 'reached' : 'read'}; it may have this)`
    : '';
}

/**
 * Whether a specifier asks for a local version (`==2.1.2+cu121`): a build that public indexes do not carry (PyPI
 * refuses local versions, PEP 440 "Local version identifiers"), found only on the index that published it.
 */
export function asksLocalVersion(spec: SpecifierSet): boolean {
  return spec.specifiers.some((s) => (s.operator === '==' || s.operator === '===') && s.version.includes('+'));
}
