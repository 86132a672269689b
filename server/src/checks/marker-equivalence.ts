// Whether two PEP 508 conditions select the same environments, as uv compares the markers it records: uv keeps markers
// in a normal form (a decision diagram), so two texts that select the same environments are the same marker to it
// (`python_version >= '3.11'` is `python_full_version >= '3.11'`; `platform_system == 'Windows'` is
// `sys_platform == 'win32'`), and a marker is simplified under the lock's `requires-python`. Here both conditions
// are evaluated on every environment that tells the literals they name apart: each Python version at, just below and
// just above every version they compare with (inside the Python range), and each value they compare a string
// variable with plus one they do not name.
import { defaultEnvironment, markerTextHolds, type MarkerEnvironment } from '../pep/marker';
import { canonicalizeName } from '../pep/name';
import { Version } from '../pep/version';
import { versionSetOf } from './scope';

/** A condition: markers that must all hold, and markers of which none may hold (uv's "the rest" of a source list). */
export interface Condition {
  all: string[];
  none: string[];
}

/** Above this many environments the comparison gives up and calls the conditions the same (nothing is reported). */
const MAX_ENVIRONMENTS = 4096;

/** uv's platform_system values that it treats as a sys_platform (the same variable to it). */
const SYSTEM_OF: Record<string, string> = {
  win32: 'Windows',
  darwin: 'Darwin',
  linux: 'Linux',
  aix: 'AIX',
  emscripten: 'Emscripten',
  android: 'Android',
};
const OTHER = '\u0000other';

const COMPARISON =
  /\b([a-z_]+)\s*(===|==|!=|<=|>=|~=|<|>|not\s+in|in)\s*(?:"([^"]*)"|'([^']*)')|(?:"([^"]*)"|'([^']*)')\s*(?:===|==|!=|<=|>=|~=|<|>|not\s+in|in)\s*([a-z_]+)\b/g;
const EXTRA = /\bextra\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * The marker with each `extra == '…'` / `extra != '…'` replaced by its truth for a set of active extras (uv's
 * conflict markers name several extras at once), for evaluation with no extra set.
 */
export function withExtras(marker: string, extras: ReadonlySet<string>): string {
  return marker.replace(EXTRA, (_m, op: string, a?: string, b?: string) => {
    const on = extras.has(canonicalizeName(a ?? b ?? ''));
    // Evaluated with no extra active: `extra != '…'` always holds, `extra == '…'` never does.
    return (op === '==') === on ? "extra != '1'" : "extra == '1'";
  });
}

function literals(text: string, into: Map<string, Set<string>>): void {
  for (const m of text.matchAll(COMPARISON)) {
    const variable = m[1] ?? m[7]!;
    const value = m[3] ?? m[4] ?? m[5] ?? m[6] ?? '';
    if (variable === 'extra') continue;
    (into.get(variable) ?? into.set(variable, new Set()).get(variable)!).add(value);
  }
}

/** The Python versions that tell apart every comparison with these literals, inside the range. */
function pythonPoints(values: Set<string>, requiresPython: string): string[] {
  const range = requiresPython ? versionSetOf(requiresPython) : null;
  const points = new Set<string>();
  for (const raw of values) {
    const r = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(raw.replace(/\.\*$/, ''));
    if (!r) continue;
    const [x, y, z] = [Number(r[1]), Number(r[2] ?? 0), Number(r[3] ?? 0)];
    points.add(`${x}.${y}.${z}`);
    points.add(`${x}.${y}.${z + 1}`);
    points.add(`${x}.${y + 1}.0`);
    if (z > 0) points.add(`${x}.${y}.${z - 1}`);
    else if (y > 0) points.add(`${x}.${y - 1}.99`);
  }
  const inRange = [...points].filter((p) => {
    const v = Version.parse(p);
    return v !== null && (!range || range.contains(v));
  });
  if (inRange.length) return inRange;
  // No literal falls inside the range: one version of the range stands for all of it.
  const low = /(\d+(?:\.\d+)*)/.exec(requiresPython)?.[1];
  return [low ? (low.split('.').length < 3 ? `${low}.0.0`.split('.').slice(0, 3).join('.') : low) : '3.12.0'];
}

/** Every environment the comparison needs, laid over a default one; null when there are too many. */
function environments(texts: string[], requiresPython: string): MarkerEnvironment[] | null {
  const values = new Map<string, Set<string>>();
  for (const t of texts) literals(t, values);
  const dims: { keys: string[]; options: string[][] }[] = [];
  const py = new Set([...(values.get('python_version') ?? []), ...(values.get('python_full_version') ?? [])]);
  if (py.size) {
    const points = pythonPoints(py, requiresPython);
    dims.push({
      keys: ['python_full_version', 'python_version'],
      options: points.map((p) => [p, p.split('.').slice(0, 2).join('.')]),
    });
  }
  const sys = values.get('sys_platform');
  const system = values.get('platform_system');
  if (sys || system) {
    const pairs: string[][] = Object.entries(SYSTEM_OF).map(([s, p]) => [s, p]);
    for (const s of sys ?? []) if (!(s in SYSTEM_OF)) pairs.push([s, OTHER]);
    for (const p of system ?? []) if (!Object.values(SYSTEM_OF).includes(p)) pairs.push([OTHER, p]);
    pairs.push([OTHER, OTHER]);
    dims.push({ keys: ['sys_platform', 'platform_system'], options: pairs });
  }
  for (const [key, set] of values) {
    if (
      key === 'python_version' ||
      key === 'python_full_version' ||
      key === 'sys_platform' ||
      key === 'platform_system'
    )
      continue;
    dims.push({ keys: [key], options: [...set, OTHER].map((v) => [v]) });
  }
  let count = 1;
  for (const d of dims) count *= d.options.length;
  if (count > MAX_ENVIRONMENTS) return null;
  const base = defaultEnvironment({ pythonVersion: '3.12.0', platform: 'linux' });
  let out: MarkerEnvironment[] = [base];
  for (const d of dims)
    out = out.flatMap((env) =>
      d.options.map((o) => {
        const next = { ...env };
        d.keys.forEach((k, i) => (next[k] = o[i]!));
        return next;
      }),
    );
  return out;
}

const holds = (c: Condition, env: MarkerEnvironment): boolean =>
  c.all.every((m) => markerTextHolds(m, env)) && !c.none.some((m) => markerTextHolds(m, env));

/**
 * Whether two conditions select the same environments within the Python range (extras already replaced by
 * {@link withExtras}). True when that cannot be told in a bounded number of evaluations.
 */
export function sameEnvironments(a: Condition, b: Condition, requiresPython: string): boolean {
  const envs = environments([...a.all, ...a.none, ...b.all, ...b.none], requiresPython);
  if (!envs) return true;
  return envs.every((env) => holds(a, env) === holds(b, env));
}

/** Whether a condition selects no environment at all within the Python range (uv drops such a requirement). */
export function selectsNothing(c: Condition, requiresPython: string): boolean {
  const envs = environments([...c.all, ...c.none], requiresPython);
  if (!envs) return false;
  return envs.every((env) => !holds(c, env));
}
