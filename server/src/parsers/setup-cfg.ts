// Reads a setuptools setup.cfg (`[options] install_requires`, `python_requires`, `[options.extras_require]`) into the
// shared model, as Python's configparser and setuptools read it, every entry with its source span.
import { finding } from '../model/finding';
import type { Severity } from '../model/codes';
import type { Dependency, Finding, ParsedFile, Span } from '../model/types';
import { isValidName } from '../pep/name';
import { SpecifierSet } from '../pep/specifier';
import { normalizeExtra, parseRequirementEntry } from './requirement-entry';
import { emptyParsedFile } from '../model/parsed-file';

/** Larger files are not parsed: no real setup.cfg comes near it. */
export const MAX_SETUP_CFG_LENGTH = 1024 * 1024;

/** One option of a section as configparser reads it: its value lines, each stripped, with where each is written. */
interface CfgOption {
  name: string;
  nameSpan: Span;
  /** The value's lines: the text after the delimiter, then each continuation line (blank lines kept as ''). */
  lines: { text: string; span: Span }[];
}

interface CfgSection {
  name: string;
  span: Span;
  options: Map<string, CfgOption>;
}

/** Python's `str.isspace()` for one UTF-16 unit (what `str.strip()` removes). */
function isPySpace(c: string): boolean {
  const u = c.charCodeAt(0);
  return (
    (u >= 0x09 && u <= 0x0d) ||
    (u >= 0x1c && u <= 0x20) ||
    u === 0x85 ||
    u === 0xa0 ||
    u === 0x1680 ||
    (u >= 0x2000 && u <= 0x200a) ||
    u === 0x2028 ||
    u === 0x2029 ||
    u === 0x202f ||
    u === 0x205f ||
    u === 0x3000
  );
}

/** The stripped part of `text[start, end)` as a span. */
function stripSpan(text: string, start: number, end: number): Span {
  while (start < end && isPySpace(text[start]!)) start++;
  while (end > start && isPySpace(text[end - 1]!)) end--;
  return { start, end };
}

/**
 * configparser's reading with the settings setuptools uses (`ConfigParser()`, option names kept as written):
 * sections `[name]`, options `name = value` or `name: value`, continuation lines indented deeper than their
 * option, full-line comments starting with `#` or `;` (never inline ones: `;` inside a value is the value's), blank
 * lines kept inside values. Duplicate sections or options and lines that are neither are errors, as configparser
 * (strict) raises them.
 */
function readSections(
  text: string,
  report: (span: Span, message: string, severity?: Severity) => void,
): Map<string, CfgSection> {
  const sections = new Map<string, CfgSection>();
  let section: CfgSection | null = null;
  let option: CfgOption | null = null;
  let indent = Number.MAX_SAFE_INTEGER;
  // Universal newlines, as Python's text mode reads the file.
  const lineRe = /[^\r\n]*(\r\n|\r|\n|$)/g;
  for (let m = lineRe.exec(text); m && m[0].length > 0; m = lineRe.exec(text)) {
    const start = m.index;
    const end = start + m[0].length - m[1]!.length;
    const value = stripSpan(text, start, end);
    const stripped = text.slice(value.start, value.end);
    if (stripped.startsWith('#') || stripped.startsWith(';')) continue;
    if (stripped === '') {
      // A blank line inside a value is part of it (empty_lines_in_values).
      if (option) option.lines.push({ text: '', span: { start: value.start, end: value.start } });
      continue;
    }
    let level = 0;
    while (start + level < end && isPySpace(text[start + level]!)) level++;
    if (section && option && level > indent) {
      option.lines.push({ text: stripped, span: value });
      continue;
    }
    indent = level;
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      const name = header[1]!;
      const span = { start: value.start, end: value.start + header[0].length };
      option = null;
      const earlier = sections.get(name);
      if (earlier) {
        report(span, `Section '[${name}]' is written twice; configparser stops with "DuplicateSectionError"`);
        section = earlier;
      } else sections.set(name, (section = { name, span, options: new Map() }));
      continue;
    }
    if (!section) {
      report(value, 'A line before any [section]; configparser stops with "MissingSectionHeaderError"');
      return sections;
    }
    const opt = /^(.*?)\s*([=:])\s*(.*)$/s.exec(stripped);
    if (!opt || opt[1] === '') {
      report(value, `'${stripped}' is neither a [section] nor an option (name = value); configparser stops here`);
      option = null;
      continue;
    }
    const name = opt[1]!;
    const nameSpan = { start: value.start, end: value.start + name.length };
    const valueText = opt[3]!;
    const valueStart = value.end - valueText.length;
    if (section.options.has(name)) {
      report(
        nameSpan,
        `Option '${name}' is written twice in [${section.name}]; configparser stops with "DuplicateOptionError"`,
      );
    }
    option = { name, nameSpan, lines: [{ text: valueText, span: { start: valueStart, end: value.end } }] };
    section.options.set(name, option);
  }
  return sections;
}

/** An option by its setuptools name; the dash-separated spelling setuptools also accepts (`install-requires`). */
function optionOf(section: CfgSection | undefined, name: string): CfgOption | undefined {
  return section?.options.get(name) ?? section?.options.get(name.replace(/_/g, '-'));
}

/**
 * Parses a setup.cfg as setuptools reads its dependencies: `[options] install_requires` (the base),
 * `[options.extras_require]` (one extra per option) and `python_requires`. A requirements value is a list, split
 * at line ends when it has several lines, else at `;` (setuptools' rule, so a one-line `pkg; marker` splits in two);
 * blank lines and lines starting with `#` are skipped. A `file:` directive (a requirements value read from other
 * files) is not followed: it gets an information finding saying those requirements are not read. `attr:` (a module
 * attribute, which setuptools reads for `version` and never for requirements) is in no field read here. Never throws.
 */
export function parseSetupCfg(path: string, text: string): ParsedFile {
  const file: ParsedFile = { ...emptyParsedFile(path, 'setup-cfg', text), requiresPython: '' };
  const findings: Finding[] = [];
  const report = (span: Span, message: string, severity: Severity = 'error') =>
    findings.push(finding('syntax', path, span, message, { severity }));
  if (text.length > MAX_SETUP_CFG_LENGTH) {
    const firstLineEnd = text.indexOf('\n');
    report(
      { start: 0, end: firstLineEnd > 0 ? firstLineEnd : Math.min(text.length, 200) },
      `The file has ${text.length} characters; setup.cfg files over ${MAX_SETUP_CFG_LENGTH} are not analysed`,
    );
    file.findings = findings;
    return file;
  }
  const sections = readSections(text, report);
  const deps: Dependency[] = [];
  const requirements = (opt: CfgOption | undefined, section: string): void => {
    if (!opt) return;
    const lines = opt.lines.filter((l) => l.text !== '');
    const first = lines[0];
    // setuptools reads the file(s) a value starting with `file:` names (on the option's own line only).
    if (first && first.text.startsWith('file:') && opt.lines[0]!.text !== '') {
      report(
        first.span,
        `'file:' is not followed: the requirements of the files it names are not read here, so nothing of ` +
          `'${opt.name}' is checked`,
        'information',
      );
      return;
    }
    // setuptools: several lines are one requirement each; one line is split at ';'.
    const multi = opt.lines.length > 1 && opt.lines.slice(1).some((l) => l.text !== '');
    const items: Span[] = [];
    if (multi) for (const l of lines) items.push(l.span);
    else if (first) {
      let from = first.span.start;
      const v = text.slice(first.span.start, first.span.end);
      for (const part of v.split(';')) {
        items.push(stripSpan(text, from, from + part.length));
        from += part.length + 1;
      }
    }
    for (const span of items) {
      const item = text.slice(span.start, span.end);
      if (item === '' || item.startsWith('#')) continue;
      const r = parseRequirementEntry(item, span.start, { file: path, kind: 'requirement', section });
      if (r.finding) findings.push(r.finding);
      else deps.push(r.dependency);
    }
  };
  const options = sections.get('options');
  requirements(optionOf(options, 'install_requires'), 'options.install_requires');
  const extras = sections.get('options.extras_require');
  for (const opt of extras?.options.values() ?? []) {
    if (!isValidName(opt.name)) report(opt.nameSpan, `'${opt.name}' is not a valid extra name`, 'warning');
    requirements(opt, `options.extras_require.${normalizeExtra(opt.name)}`);
  }
  const python = optionOf(options, 'python_requires');
  const value = python?.lines.filter((l) => l.text !== '') ?? [];
  if (value.length) {
    const written = value.map((l) => l.text).join('\n');
    const span = { start: value[0]!.span.start, end: value[value.length - 1]!.span.end };
    try {
      file.requiresPython = SpecifierSet.parse(written).toString();
    } catch (e) {
      report(
        span,
        `'python_requires' '${written}' is not a valid PEP 440 specifier set` +
          (e instanceof Error && e.message ? `: ${e.message}` : ''),
      );
    }
  }
  file.dependencies = deps.sort((a, b) => a.span.start - b.span.start);
  file.findings = findings.sort((a, b) => a.span.start - b.span.start);
  return file;
}
