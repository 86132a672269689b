// pip's requirement-file options: shlex.split in POSIX mode, then optparse as pip 23.2.1 configures it (one table,
// OPTION_DEFS).

/** A shell word of the options part: its value, and for each value character its index in the line. */
export interface Word {
  value: string;
  idx: number[];
  /** Raw extent in the line, quotes included. */
  start: number;
  end: number;
}

export class OptionError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/**
 * shlex.split(s) (posix=True, whitespace_split=True, no comments), keeping positions; `base` is s's index in the line.
 */
export function shlexSplit(s: string, base: number): Word[] {
  const words: Word[] = [];
  const ws = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && ws(s[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let value = '';
    const idx: number[] = [];
    let quoted = false;
    while (i < n && !ws(s[i]!)) {
      const c = s[i]!;
      if (c === '\\') {
        if (i + 1 >= n) throw new OptionError('No escaped character', base + i, base + n);
        value += s[i + 1]!;
        idx.push(base + i + 1);
        i += 2;
      } else if (c === "'" || c === '"') {
        quoted = true;
        const q = c;
        const open = i;
        i++;
        for (;;) {
          if (i >= n) throw new OptionError('No closing quotation', base + open, base + n);
          const d = s[i]!;
          if (d === q) {
            i++;
            break;
          }
          if (q === '"' && d === '\\') {
            if (i + 1 >= n) throw new OptionError('No escaped character', base + i, base + n);
            const e = s[i + 1]!;
            // In double quotes only the quote and the backslash itself are escaped.
            if (e !== '\\' && e !== '"') {
              value += '\\';
              idx.push(base + i);
            }
            value += e;
            idx.push(base + i + 1);
            i += 2;
            continue;
          }
          value += d;
          idx.push(base + i);
          i++;
        }
      } else {
        value += c;
        idx.push(base + i);
        i++;
      }
    }
    if (value || quoted) words.push({ value, idx, start: base + start, end: base + i });
  }
  return words;
}

/** pip's requirement-file options (SUPPORTED_OPTIONS + SUPPORTED_OPTIONS_REQ). */
export interface OptionDef {
  dest: string;
  /** One line of help (the editor's completion list shows it). */
  help: string;
  /** The name the model uses (FileOption.name, Dependency.options). */
  canonical: string;
  names: string[];
  takesValue: boolean;
  choices?: string[];
  check?: (value: string, opt: string) => string | undefined;
}

const STRONG_HASHES = ['sha256', 'sha384', 'sha512'];

/** A row of the table; `names` defaults to the canonical spelling alone. */
function option(
  dest: string,
  canonical: string,
  takesValue: boolean,
  help: string,
  more: Pick<Partial<OptionDef>, 'names' | 'choices' | 'check'> = {},
): OptionDef {
  return { dest, help, canonical, names: [canonical], takesValue, ...more };
}

export const OPTION_DEFS: OptionDef[] = [
  option('index_url', '--index-url', true, 'Base URL of the Python Package Index.', {
    names: ['-i', '--index-url', '--pypi-url'],
  }),
  option(
    'extra_index_urls',
    '--extra-index-url',
    true,
    'Extra URLs of package indexes to use in addition to --index-url.',
  ),
  option('no_index', '--no-index', false, 'Ignore package index (only looking at --find-links URLs instead).'),
  option('constraints', '--constraint', true, 'Constrain versions using the given constraints file.', {
    names: ['-c', '--constraint'],
  }),
  option('requirements', '--requirement', true, 'Install from the given requirements file.', {
    names: ['-r', '--requirement'],
  }),
  option('editables', '--editable', true, 'Install a project in editable mode (a local path or a VCS URL).', {
    names: ['-e', '--editable'],
  }),
  option('find_links', '--find-links', true, 'A URL or path to an HTML file or folder to look for archives in.', {
    names: ['-f', '--find-links'],
  }),
  option('format_control', '--no-binary', true, 'Do not use binary packages (:all:, :none: or package names).', {
    check: binaryCheck,
  }),
  option('format_control', '--only-binary', true, 'Do not use source packages (:all:, :none: or package names).', {
    check: binaryCheck,
  }),
  option('prefer_binary', '--prefer-binary', false, 'Prefer binary packages over source packages, even if newer.'),
  option('require_hashes', '--require-hashes', false, 'Require a hash to check each requirement against.'),
  option('pre', '--pre', false, 'Include pre-release and development versions.'),
  option(
    'trusted_hosts',
    '--trusted-host',
    true,
    'Mark this host as trusted, even though it does not have valid or any HTTPS.',
  ),
  option('features_enabled', '--use-feature', true, 'Enable a pip feature that may be backward incompatible.', {
    choices: ['fast-deps', 'truststore', 'no-binary-enable-wheel-cache'],
  }),
  option(
    'global_options',
    '--global-option',
    true,
    'Per requirement: global options passed to setup.py (deprecated by pip).',
  ),
  option('hashes', '--hash', true, 'Per requirement: the expected hash of the archive (algorithm:hexdigest).', {
    check: (v, opt) => {
      const colon = v.indexOf(':');
      if (colon < 0) return `Arguments to ${opt} must be a hash name followed by a value, like --hash=sha256:abcde...`;
      if (!STRONG_HASHES.includes(v.slice(0, colon)))
        return `Allowed hash algorithms for ${opt} are ${STRONG_HASHES.join(', ')}.`;
      return undefined;
    },
  }),
  option(
    'config_settings',
    '--config-settings',
    true,
    'Per requirement: configuration settings passed to the PEP 517 build backend.',
    {
      names: ['-C', '--config-settings'],
      check: (v, opt) => (v.includes('=') ? undefined : `Arguments to ${opt} must be of the form KEY=VAL`),
    },
  ),
];

/** Every spelling pip accepts in a requirements file, with its help and whether it takes a value (for completion). */
export function requirementsFileOptions(): Array<{ name: string; help: string; takesValue: boolean }> {
  return OPTION_DEFS.flatMap((d) => d.names.map((name) => ({ name, help: d.help, takesValue: d.takesValue })));
}

function binaryCheck(v: string): string | undefined {
  return v.startsWith('-') ? '--no-binary / --only-binary option requires 1 argument.' : undefined;
}

/** Destinations that apply to the requirement on the same line (SUPPORTED_OPTIONS_REQ). */
export const PER_REQUIREMENT = new Set(['global_options', 'hashes', 'config_settings']);

const SHORT_OPTS = new Map<string, OptionDef>();
const LONG_OPTS = new Map<string, OptionDef>();
for (const d of OPTION_DEFS) for (const n of d.names) (n.startsWith('--') ? LONG_OPTS : SHORT_OPTS).set(n, d);
const LONG_NAMES = [...LONG_OPTS.keys()];

/** One option as optparse took it: its definition, the spelling used, its value and where both are. */
export interface OptionUse {
  def: OptionDef;
  value: string | null;
  /** Line indices of the option (name and value). */
  start: number;
  end: number;
  valueStart: number;
  valueEnd: number;
}

/** optparse's _match_abbrev: an exact long option, or the one it uniquely abbreviates. */
function matchLong(opt: string, start: number, end: number): OptionDef {
  const exact = LONG_OPTS.get(opt);
  if (exact) return exact;
  const possible = LONG_NAMES.filter((n) => n.startsWith(opt));
  if (possible.length === 1) return LONG_OPTS.get(possible[0]!)!;
  if (!possible.length) throw new OptionError(`no such option: ${opt}`, start, end);
  possible.sort();
  throw new OptionError(`ambiguous option: ${opt} (${possible.join(', ')}?)`, start, end);
}

function wordValueSpan(w: Word, from: number): [number, number] {
  if (from >= w.value.length) return [w.end, w.end];
  return [w.idx[from]!, w.idx[w.value.length - 1]! + 1];
}

/** optparse's _process_args over the shell words; positional arguments are dropped, as pip drops them. */
export function parseOptions(words: Word[]): OptionUse[] {
  const uses: OptionUse[] = [];
  // The next argument: the rest of a word optparse split (`--opt=value`, `-rfile`), else the next word.
  let pending: { w: Word; from: number } | null = null;
  let q = 0;
  const next = (): { w: Word; from: number } | null => {
    if (pending) {
      const p = pending;
      pending = null;
      return p;
    }
    const w = words[q];
    if (!w) return null;
    q++;
    return { w, from: 0 };
  };
  const takeValue = (def: OptionDef, opt: string, optStart: number, optEnd: number): OptionUse => {
    const arg = next();
    if (!arg) throw new OptionError(`${opt} option requires 1 argument`, optStart, optEnd);
    const value = arg.w.value.slice(arg.from);
    const [vs, ve] = arg.from === 0 ? [arg.w.start, arg.w.end] : wordValueSpan(arg.w, arg.from);
    if (def.choices && !def.choices.includes(value)) {
      throw new OptionError(
        `option ${opt}: invalid choice: '${value}' (choose from ${def.choices.map((c) => `'${c}'`).join(', ')})`,
        vs,
        Math.max(ve, vs + 1),
      );
    }
    const problem = def.check?.(value, opt);
    if (problem) throw new OptionError(problem, vs, Math.max(ve, vs + 1));
    return { def, value, start: optStart, end: ve, valueStart: vs, valueEnd: ve };
  };
  for (let cur = next(); cur; cur = next()) {
    const { w, from } = cur;
    const arg = w.value.slice(from);
    const [argStart, argEnd] = from === 0 ? [w.start, w.end] : wordValueSpan(w, from);
    if (arg === '--') return uses;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const opt = eq >= 0 ? arg.slice(0, eq) : arg;
      const optEnd = eq >= 0 ? w.idx[from + eq]! : argEnd;
      if (eq >= 0) pending = { w, from: from + eq + 1 };
      const def = matchLong(opt, argStart, optEnd);
      if (def.takesValue) uses.push(takeValue(def, opt, argStart, optEnd));
      else if (eq >= 0) throw new OptionError(`${opt} option does not take a value`, argStart, argEnd);
      else uses.push({ def, value: null, start: argStart, end: argEnd, valueStart: argEnd, valueEnd: argEnd });
    } else if (arg.startsWith('-') && arg.length > 1) {
      // Every short option pip accepts here takes a value, so the first letter decides.
      const opt = '-' + arg[1]!;
      const optEnd = w.idx[from + 1]! + 1;
      const def = SHORT_OPTS.get(opt);
      if (!def) throw new OptionError(`no such option: ${opt}`, argStart, optEnd);
      if (arg.length > 2) pending = { w, from: from + 2 };
      uses.push(takeValue(def, opt, argStart, optEnd));
    }
  }
  return uses;
}
