// Conda version ordering (conda's VersionOrder) and version-spec matching (conda's VersionSpec).

/**
 * One sub-component of a version component: a number (bigint, so 20-digit date stamps compare exactly),
 * `Infinity` for `post`, or a lower-case string (`dev` becomes `DEV` so that it sorts before every other
 * string, `*` sorting before it).
 */
type Part = bigint | number | string;

const FILL: bigint = 0n;
const CHECK_RE = /^[*.+!_0-9a-z]+$/;
const SPLIT_RE = /[0-9]+|\*+|[^0-9*]+/g;

function isStr(p: Part): p is string {
  return typeof p === 'string';
}

function partsEqual(a: Part, b: Part): boolean {
  // bigint === bigint compares values; 0n never equals the number Infinity.
  return a === b;
}

/** Conda's rule for one pair: strings sort before numbers, strings compare by code unit, numbers numerically. */
function comparePart(a: Part, b: Part): number {
  if (partsEqual(a, b)) return 0;
  if (isStr(a)) {
    if (!isStr(b)) return -1;
    return a < b ? -1 : 1;
  }
  if (isStr(b)) return 1;
  return a < b ? -1 : 1;
}

function compareLists(t1: Part[][], t2: Part[][]): number {
  const n = Math.max(t1.length, t2.length);
  for (let i = 0; i < n; i++) {
    const v1 = t1[i] ?? [];
    const v2 = t2[i] ?? [];
    const m = Math.max(v1.length, v2.length);
    for (let j = 0; j < m; j++) {
      const c = comparePart(v1[j] ?? FILL, v2[j] ?? FILL);
      if (c !== 0) return c;
    }
  }
  return 0;
}

function splitComponent(text: string): Part[] | null {
  const runs = text.match(SPLIT_RE);
  if (!runs) return null;
  const parts: Part[] = runs.map((r) => {
    if (/^[0-9]+$/.test(r)) return BigInt(r);
    if (r === 'post') return Infinity;
    if (r === 'dev') return 'DEV';
    return r;
  });
  // Components start with a number so that numbers and strings stay in phase: 1.1.a1 == 1.1.0a1.
  const first = text.charCodeAt(0);
  return first >= 48 && first <= 57 ? parts : [FILL, ...parts];
}

/**
 * A conda package version, ordered as conda orders versions: epoch `N!`, components split on `.` and
 * `_` (and `-` when the version has no `_`), each split into runs of digits and non-digits, `dev` below
 * any other string, `post` above any number, strings below numbers, missing parts filled with 0
 * (`1.1 == 1.1.0`), an optional local part after `+` compared only when the rest is equal;
 * case-insensitive. A trailing `_` (`1.0.1_`) sorts before letters (openssl's convention).
 */
export class CondaVersion {
  private constructor(
    /** Lower-cased text, dashes turned into underscores where conda does so. */
    readonly normalized: string,
    /** Epoch first, then the version components. */
    readonly components: readonly (readonly Part[])[],
    readonly local: readonly (readonly Part[])[],
  ) {}

  /** Parses a conda version string; null where conda would raise InvalidVersionSpec. */
  static parse(s: string): CondaVersion | null {
    let version = s.trim().toLowerCase();
    if (version === '') return null;
    let valid = CHECK_RE.test(version);
    if (!valid && version.includes('-') && !version.includes('_')) {
      version = version.replace(/-/g, '_');
      valid = CHECK_RE.test(version);
    }
    if (!valid) return null;
    const normalized = version;

    const bang = version.split('!');
    if (bang.length > 2) return null;
    let epoch = '0';
    if (bang.length === 2) {
      epoch = bang[0]!;
      if (!/^[0-9]+$/.test(epoch)) return null;
    }
    const plus = bang[bang.length - 1]!.split('+');
    if (plus.length > 2) return null;
    const main = plus[0]!;
    if (main === '') return null;
    const localText = plus.length === 2 ? plus[1]! : null;

    let pieces: string[];
    if (main.endsWith('_')) {
      // openssl-style `1.0.1_`: the underscore stays on the last component instead of splitting.
      pieces = main.slice(0, -1).replace(/_/g, '.').split('.');
      pieces[pieces.length - 1] += '_';
    } else {
      pieces = main.replace(/_/g, '.').split('.');
    }
    const components: Part[][] = [];
    for (const piece of [epoch, ...pieces]) {
      const parts = splitComponent(piece);
      if (!parts) return null;
      components.push(parts);
    }
    const local: Part[][] = [];
    if (localText !== null) {
      for (const piece of localText.replace(/_/g, '.').split('.')) {
        const parts = splitComponent(piece);
        if (!parts) return null;
        local.push(parts);
      }
    }
    return new CondaVersion(normalized, components, local);
  }

  /** Negative, zero or positive as this version sorts before, equal to or after `o`. */
  compare(o: CondaVersion): number {
    const c = compareLists(this.components as Part[][], o.components as Part[][]);
    return c !== 0 ? c : compareLists(this.local as Part[][], o.local as Part[][]);
  }

  equals(o: CondaVersion): boolean {
    return this.compare(o) === 0;
  }

  /**
   * Conda's `VersionOrder.startswith`: this version matches `prefix` up to prefix's last part, where a
   * final string part of the prefix matches as a string prefix (`0.4.1p1` starts with `0.4.1p`).
   */
  startsWith(prefix: CondaVersion): boolean {
    let t1: readonly (readonly Part[])[];
    let t2: readonly (readonly Part[])[];
    if (prefix.local.length > 0) {
      if (compareLists(this.components as Part[][], prefix.components as Part[][]) !== 0) return false;
      t1 = this.local;
      t2 = prefix.local;
    } else {
      t1 = this.components;
      t2 = prefix.components;
    }
    const nt = t2.length - 1;
    if (compareLists(t1.slice(0, nt) as Part[][], t2.slice(0, nt) as Part[][]) !== 0) return false;
    const v1 = t1.length <= nt ? [] : t1[nt]!;
    const v2 = t2[nt]!;
    const np = v2.length - 1;
    if (compareLists([v1.slice(0, np)], [v2.slice(0, np)]) !== 0) return false;
    const c1 = v1.length <= np ? FILL : v1[np]!;
    const c2 = v2[np]!;
    if (isStr(c2)) return isStr(c1) && c1.startsWith(c2);
    return partsEqual(c1, c2);
  }

  /** The normalized text (lower case), as conda prints it. */
  toString(): string {
    return this.normalized;
  }
}

// ---------------------------------------------------------------------------------------------------
// Version specs

type Matcher = (version: string) => boolean;

/** A parse failure of a version spec. */
export interface CondaSpecError {
  error: string;
}

type Tree = string | { op: '|' | ','; items: Tree[] };

const RELATION_RE = /^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$/;
const TOKEN_RE = /\s*\^[^$]*[$]|\s*[()|,]|[^()|,]+/g;

class SpecError extends Error {}

/** Conda's `treeify`: `,` binds tighter than `|`, parentheses group. */
function treeify(spec: string): Tree {
  const tokens = `(${spec})`.match(TOKEN_RE) ?? [];
  const output: Tree[] = [];
  const stack: string[] = [];
  const applyOps = (stop: string): void => {
    while (stack.length && !stop.includes(stack[stack.length - 1]!)) {
      if (output.length < 2) throw new SpecError('cannot join single expression');
      const c = stack.pop() as '|' | ',';
      const r = output.pop()!;
      const l = output.pop()!;
      const fuse = (t: Tree): Tree[] => (typeof t !== 'string' && t.op === c ? t.items : [t]);
      output.push({ op: c, items: [...fuse(l), ...fuse(r)] });
    }
  };
  for (const raw of tokens) {
    const item = raw.trim();
    if (item === '|') {
      applyOps('(');
      stack.push('|');
    } else if (item === ',') {
      applyOps('|(');
      stack.push(',');
    } else if (item === '(') {
      stack.push('(');
    } else if (item === ')') {
      applyOps('(');
      if (!stack.length || stack[stack.length - 1] !== '(') throw new SpecError("expression must start with '('");
      stack.pop();
    } else {
      if (item === '') throw new SpecError('empty version spec');
      output.push(item);
    }
  }
  if (stack.length) throw new SpecError('unbalanced parentheses');
  if (!output.length) throw new SpecError('empty version spec');
  return output[0]!;
}

function mustVersion(text: string): CondaVersion {
  const v = CondaVersion.parse(text);
  if (!v) throw new SpecError(`invalid version '${text}'`);
  return v;
}

/** Regexes from a workspace file: refuse quantified groups, the shape of catastrophic backtracking. */
function safeRegex(source: string): RegExp {
  if (/\)[*+?{]/.test(source) || source.length > 500) throw new SpecError('regular expression too complex');
  try {
    return new RegExp(source);
  } catch {
    throw new SpecError('invalid regular expression');
  }
}

const MAX_VERSION_LENGTH = 256;

function operatorMatcher(test: (v: CondaVersion) => boolean): Matcher {
  return (version) => {
    const v = CondaVersion.parse(version);
    return v !== null && test(v);
  };
}

/** Conda's VersionSpec for one leaf (no `|`, `,` or parentheses): returns the normalized text and matcher. */
function leafMatcher(raw: string): { text: string; match: Matcher } {
  let spec = raw.trim();
  if (spec === '') throw new SpecError('empty version spec');
  if (spec.startsWith('^') || spec.endsWith('$')) {
    if (!spec.startsWith('^') || !spec.endsWith('$'))
      throw new SpecError("regex specs must start with '^' and end with '$'");
    const re = safeRegex(spec);
    return { text: spec, match: (v) => v.length <= MAX_VERSION_LENGTH && re.test(v) };
  }
  if ('=<>!~'.includes(spec[0]!)) {
    const m = RELATION_RE.exec(spec);
    if (!m) throw new SpecError('invalid operator');
    let op = m[1]!;
    let vo = m[2]!;
    if (vo.endsWith('.*')) {
      if (op === '~=') throw new SpecError("invalid operator with '.*'");
      vo = vo.slice(0, -2);
      // `!=1.2.*` excludes the prefix; with `=` and `>=` the `.*` is redundant; elsewhere conda drops it.
      if (op === '!=') op = '!=startswith';
    }
    const target = mustVersion(vo);
    switch (op) {
      case '==':
        return { text: spec, match: operatorMatcher((v) => v.compare(target) === 0) };
      case '!=':
        return { text: spec, match: operatorMatcher((v) => v.compare(target) !== 0) };
      case '<=':
        return { text: spec, match: operatorMatcher((v) => v.compare(target) <= 0) };
      case '>=':
        return { text: spec, match: operatorMatcher((v) => v.compare(target) >= 0) };
      case '<':
        return { text: spec, match: operatorMatcher((v) => v.compare(target) < 0) };
      case '>':
        return { text: spec, match: operatorMatcher((v) => v.compare(target) > 0) };
      case '=':
        return { text: spec, match: operatorMatcher((v) => v.startsWith(target)) };
      case '!=startswith':
        return { text: spec, match: operatorMatcher((v) => !v.startsWith(target)) };
      default: {
        // `~=`: at least the version, and the same up to its last component.
        const cut = target.normalized.split('.').slice(0, -1).join('.');
        const prefix = mustVersion(cut);
        return { text: spec, match: operatorMatcher((v) => v.compare(target) >= 0 && v.startsWith(prefix)) };
      }
    }
  }
  if (spec === '*') return { text: spec, match: () => true };
  if (spec.replace(/\*+$/, '').includes('*')) {
    // A `*` inside the spec makes it a glob over the version text.
    const source = `^(?:${spec.replace(/\./g, '\\.').replace(/\+/g, '\\+').replace(/\*/g, '.*')})$`;
    const re = safeRegex(source);
    return { text: spec, match: (v) => v.length <= MAX_VERSION_LENGTH && re.test(v) };
  }
  if (spec.endsWith('*')) {
    if (!spec.endsWith('.*')) spec = spec.slice(0, -1) + '.*';
    const prefix = mustVersion(spec.replace(/\*+$/, '').replace(/\.+$/, ''));
    return { text: spec, match: operatorMatcher((v) => v.startsWith(prefix)) };
  }
  if (!spec.includes('@')) {
    const target = mustVersion(spec);
    return { text: spec, match: operatorMatcher((v) => v.compare(target) === 0) };
  }
  const exact = spec;
  return { text: spec, match: (v) => v === exact };
}

function build(tree: Tree): { text: string; match: Matcher } {
  if (typeof tree === 'string') {
    // conda re-treeifies a leaf holding `^` or `$`, which returns it unchanged.
    return leafMatcher(tree);
  }
  const parts = tree.items.map(build);
  const text = parts.map((p) => p.text).join(tree.op);
  const matchers = parts.map((p) => p.match);
  return tree.op === '|'
    ? { text, match: (v) => matchers.some((m) => m(v)) }
    : { text, match: (v) => matchers.every((m) => m(v)) };
}

/**
 * A conda version spec (conda's VersionSpec): `1.24` (exactly 1.24, i.e. 1.24.0), `1.24.*` / `1.24*` /
 * `=1.24` (1.24 and 1.24.x), `==1.24.3`, `!=`, `<`, `<=`, `>`, `>=`, `~=`, globs (`1.*.1`), regexes
 * (`^1\.2.*$`), `,` (and), `|` (or, binding looser than `,`) and parentheses.
 */
export class CondaVersionSpec {
  private constructor(
    private readonly text: string,
    private readonly matcher: Matcher,
  ) {}

  /** Parses a spec, or says why conda would reject it. */
  static parse(spec: string): CondaVersionSpec | CondaSpecError {
    try {
      if (spec.length > 4096) throw new SpecError('version spec too long');
      const tree: Tree = /[()|,^$]/.test(spec) ? treeify(spec) : spec;
      const { text, match } = build(tree);
      return new CondaVersionSpec(text, match);
    } catch (e) {
      if (e instanceof SpecError) return { error: e.message };
      throw e;
    }
  }

  /** Whether the version (as a package record writes it) satisfies the spec; false for an invalid version. */
  match(version: string): boolean {
    return this.matcher(version);
  }

  toString(): string {
    return this.text;
  }
}

const specCache = new Map<string, CondaVersionSpec | CondaSpecError>();

/**
 * Whether `version` satisfies the conda version spec `spec` (see {@link CondaVersionSpec}).
 * False when either is invalid.
 */
export function condaVersionSpecMatches(spec: string, version: string): boolean {
  let parsed = specCache.get(spec);
  if (!parsed) {
    parsed = CondaVersionSpec.parse(spec);
    if (specCache.size > 2000) specCache.clear();
    specCache.set(spec, parsed);
  }
  return parsed instanceof CondaVersionSpec && parsed.match(version);
}

/** @internal The spec tree, for translating specs elsewhere in conda/. */
export function condaSpecTree(spec: string): Tree | CondaSpecError {
  try {
    return /[()|,^$]/.test(spec) ? treeify(spec) : spec.trim();
  } catch (e) {
    if (e instanceof SpecError) return { error: e.message };
    throw e;
  }
}

export type { Tree as CondaSpecTree };
