// Whether a YAML text looks like a conda environment file, from its first kilobytes and without a YAML parser: the
// cheap first test for files whose name does not say (`conda.yaml`, `env.gpu.yml`). No imports: the client uses it too.

/** How much of a file the sniff reads. */
export const SNIFF_CHARS = 8192;

/**
 * Top-level keys of YAML files of other tools (conda-lock and pixi locks, rattler and conda-build recipes,
 * docker-compose, GitHub workflows, Kubernetes and Helm, mkdocs, pre-commit, pubspec, Read the Docs): a file with one
 * is never a conda environment.
 */
const OTHER_TOOLS = new Set([
  'package',
  'packages',
  'metadata',
  'environments',
  'context',
  'requirements',
  'source',
  'outputs',
  'build',
  'services',
  'volumes',
  'networks',
  'on',
  'jobs',
  'steps',
  'apiVersion',
  'kind',
  'spec',
  'site_name',
  'nav',
  'theme',
  'repos',
  'environment',
  'dev_dependencies',
  'sphinx',
  'conda',
]);

/** A conda match spec as environment files write it: `[channel::]name[ version[ build]]`, `name=1.2=build`, `name>=1,<2`. */
const SPEC = /^(?:[\w.\-/:$]+::)?[A-Za-z0-9_][\w.+-]*(?:\[[^\]]*\])?(?:\s*[<>=!~*\s].*)?$/;
/** A channel: a name, `owner/label/...`, a URL or a path (no spaces, no `key: value`). */
const CHANNEL = /^[\w.\-/:@~%+${}]+$/;

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0] ? t.slice(1, -1).trim() : t;
}

function itemFits(section: 'dependencies' | 'channels', item: string): boolean {
  const t = unquote(item);
  if (section === 'channels') return CHANNEL.test(t) && !/:\s/.test(t);
  // The one mapping a dependencies list holds: `pip:` with its requirements (below, or as a flow list).
  if (/^pip\s*:(\s|$)/.test(t)) return true;
  return SPEC.test(t) && !/:(\s|$)/.test(t.replace(/^[\w.\-/:$]+::/, ''));
}

/** The items of a flow list (`[a, b]`), or null when the value is not one. */
function flowItems(value: string): string[] | null {
  const m = /^\[(.*)\]$/.exec(value.trim());
  if (!m) return null;
  return m[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * True when the text's first {@link SNIFF_CHARS} characters read as a conda environment: a YAML mapping whose
 * top-level `dependencies` is a list of conda match specs (and `pip:`) and/or whose `channels` is a list of channels,
 * with no top-level key of another tool's file. A structural test of the lines, not a YAML parse: a file written in
 * an unusual YAML style may be missed, and the parse that follows confirms the shape.
 */
export function sniffCondaEnvironment(text: string): boolean {
  let head = text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text;
  if (text.length > SNIFF_CHARS) head = head.slice(0, Math.max(0, head.lastIndexOf('\n'))); // whole lines only
  let section: 'dependencies' | 'channels' | 'other' | null = null;
  let itemIndent = -1;
  let items = 0;
  for (const raw of head.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(raw) || /^(---|\.\.\.|%)/.test(raw)) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim().replace(/\s+#.*$/, '');
    if (indent === 0 && !line.startsWith('-')) {
      const m = /^(["']?)([A-Za-z_][\w.-]*)\1\s*:(?:\s+(.*))?$/.exec(line);
      if (!m) return false; // not a mapping key: a scalar document, or not YAML at all
      const key = m[2]!;
      if (OTHER_TOOLS.has(key)) return false;
      section = key === 'dependencies' || key === 'channels' ? key : 'other';
      itemIndent = -1;
      const value = m[3]?.trim() ?? '';
      if (section !== 'other' && value !== '') {
        const flow = flowItems(value);
        if (!flow || !flow.every((x) => itemFits(section as 'dependencies' | 'channels', x))) return false;
        items += flow.length;
        section = 'other';
      }
      continue;
    }
    if (section === null) return false; // a top-level sequence (a playbook) or a stray indented line
    if (section === 'other') continue;
    const item = /^-(?:\s+(.*))?$/.exec(line);
    if (itemIndent < 0) {
      if (!item) return false; // `dependencies:` holding a mapping (pubspec) is not a list of specs
      itemIndent = indent;
    }
    if (indent > itemIndent) continue; // inside an item: the `pip:` part's own list
    if (indent < itemIndent || !item || !itemFits(section, item[1] ?? '')) return false;
    items++;
  }
  return items > 0;
}
