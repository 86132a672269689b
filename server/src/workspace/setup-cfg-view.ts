// A setup.cfg as setuptools reads it beside a pyproject.toml with a [project] table: only the fields `dynamic` lists.
import { finding } from '../model/finding';
import type { ParsedFile } from '../model/types';

/** setup.cfg's fields and the pyproject `dynamic` entry that lets setuptools read each from it. */
const SETUP_CFG_FIELDS: readonly { dynamic: string; field: string; sections: (s: string) => boolean }[] = [
  { dynamic: 'dependencies', field: 'install_requires', sections: (s) => s === 'options.install_requires' },
  {
    dynamic: 'optional-dependencies',
    field: 'extras_require',
    sections: (s) => s.startsWith('options.extras_require.'),
  },
];

/**
 * A setup.cfg as setuptools reads it beside its folder's pyproject.toml `pyproject` (the file itself where nothing is
 * ignored).
 */
export function setupCfgBeside(cfg: ParsedFile, pyproject: ParsedFile | undefined): ParsedFile {
  const dynamic = pyproject?.projectDynamic;
  if (!dynamic) return cfg;
  const ignored = SETUP_CFG_FIELDS.filter((f) => !dynamic.includes(f.dynamic));
  const dropped = cfg.dependencies.filter((d) => ignored.some((f) => f.sections(d.section ?? '')));
  const keepPython = dynamic.includes('requires-python');
  if (!dropped.length && (keepPython || !cfg.requiresPython)) return cfg;
  const fields = ignored.filter((f) => dropped.some((d) => f.sections(d.section ?? ''))).map((f) => f);
  const findings = [...cfg.findings];
  if (dropped.length)
    findings.push(
      finding(
        'syntax',
        cfg.path,
        dropped[0]!.span,
        `setuptools ignores ${fields.map((f) => f.field).join(' and ')} here: pyproject.toml has a [project] table ` +
          `whose dynamic does not list ${fields.map((f) => `'${f.dynamic}'`).join(' or ')}, so pip installs ` +
          `[project]'s instead. These lines are not checked; list them in dynamic to use them.`,
        { severity: 'information' },
      ),
    );
  return {
    ...cfg,
    dependencies: cfg.dependencies.filter((d) => !dropped.includes(d)),
    findings: findings.sort((a, b) => a.span.start - b.span.start),
    requiresPython: keepPython ? cfg.requiresPython : '',
  };
}
