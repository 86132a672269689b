// Poetry's `content-hash` (poetry.lock `[metadata]`): a SHA-256 of the pyproject's relevant tables as Python's
// `json.dumps(…, sort_keys=True)` writes them. Poetry computes it from `[project]` requires-python, dependencies and
// optional-dependencies, `[dependency-groups]` (Poetry >= 2.3; a lock written by an older Poetry is also accepted
// with the hash computed without them, as Poetry does) and `[tool.poetry]` dependencies, source, extras,
// dev-dependencies and group; where neither `[project]` nor `[dependency-groups]` has relevant content, the
// `[tool.poetry]` keys alone at the top, the four older ones written as null when absent.
import { createHash } from 'node:crypto';
import { tableAt, type LTable, type LValue } from '../parsers/lock-toml';

const LEGACY_KEYS = ['dependencies', 'source', 'extras', 'dev-dependencies'];
const POETRY_KEYS = [...LEGACY_KEYS, 'group'];
const PROJECT_KEYS = ['requires-python', 'dependencies', 'optional-dependencies'];

/** A TOML value as Python's tomllib reads it, for JSON; undefined where that cannot be reproduced exactly. */
type Json = string | number | bigint | boolean | null | Json[] | { [key: string]: Json };

class Unsupported extends Error {}

function jsonOf(v: LValue): Json {
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'array':
      return v.items.map(jsonOf);
    case 'table': {
      const out: { [key: string]: Json } = {};
      for (const [k, e] of v.entries) out[k] = jsonOf(e.value);
      return out;
    }
    case 'bare': {
      const raw = v.raw;
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      // Integers as Python prints them; floats and datetimes (Python's own repr and isoformat) are not reproduced.
      if (/^[+-]?(0|[1-9](_?\d)*)$/.test(raw)) return BigInt(raw.replace(/_/g, '').replace(/^\+/, ''));
      const radix = /^0([xob])([0-9a-fA-F_]+)$/.exec(raw);
      if (radix) return BigInt(`0${radix[1]}${radix[2]!.replace(/_/g, '')}`);
      throw new Unsupported(raw);
    }
    default:
      throw new Unsupported('raw');
  }
}

/** Python's `json.dumps` string: ASCII only (`ensure_ascii`), its short escapes, `\uXXXX` for the rest. */
function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** `json.dumps(value, sort_keys=True)`: `", "` and `": "` between items, keys sorted by code point. */
export function pyJson(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${pyString(k)}: ${pyJson(v[k]!)}`).join(', ')}}`;
}

/**
 * Poetry's content hash of a pyproject's TOML tree; `withGroups` false for the hash of a Poetry older than 2.3. Null
 * where a relevant value is one whose Python form is not reproduced (a float, a datetime).
 */
export function poetryContentHash(tree: LTable, withGroups = true): string | null {
  try {
    const project = tableAt(tree, 'project');
    const groups = withGroups ? tableAt(tree, 'dependency-groups') : null;
    const groupContent = groups && groups.entries.size ? (jsonOf(groups) as { [key: string]: Json }) : null;
    const poetry = tableAt(tree, 'tool', 'poetry');
    const relevantProject: { [key: string]: Json } = {};
    for (const key of PROJECT_KEYS) {
      const e = project?.entries.get(key);
      if (e) relevantProject[key] = jsonOf(e.value);
    }
    const hasProject = Object.keys(relevantProject).length > 0;
    const relevantPoetry: { [key: string]: Json } = {};
    for (const key of POETRY_KEYS) {
      const e = poetry?.entries.get(key);
      if (!e && (!LEGACY_KEYS.includes(key) || hasProject || groupContent)) continue;
      relevantPoetry[key] = e ? jsonOf(e.value) : null;
    }
    let content: { [key: string]: Json } = {};
    if (hasProject) content['project'] = relevantProject;
    if (groupContent) content['dependency-groups'] = groupContent;
    if (Object.keys(content).length) content['tool'] = { poetry: relevantPoetry };
    else content = relevantPoetry;
    return createHash('sha256').update(pyJson(content), 'utf8').digest('hex');
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}
