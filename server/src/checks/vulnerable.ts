// `vulnerable`: a pinned or resolved version with a known advisory (an OSV database, PyPI's JSON API), with a verified move to a fixed version.
import { displayId } from '../index/osv';
import type { Check } from './types';

/**
 * Flags a declaration whose pinned version, or the version a resolution of the set picks, has a published
 * advisory; names it (GHSA-/PYSEC-), its summary and the first fixed version. Reads the vulnerability stage's data.
 *
 * Bad: `jinja2==2.11.2` (GHSA-g3rq-g295-4j3m). Good: `jinja2==3.1.4`.
 * Fix: the nearest version at or above every first fix that still resolves with the rest of the set.
 */
export const vulnerable: Check = {
  code: 'vulnerable',
  severity: 'warning',
  description: 'A pinned or resolved version has a known vulnerability.',
  run(set, ctx) {
    const report = ctx.vulnerabilities?.get(set.root);
    if (!report) return [];
    return report.entries.map((e) => {
      const described = e.advisories.map((a) => `${displayId(a)}${a.summary ? ` (${a.summary})` : ''}${a.fixed.length ? `, fixed in ${a.fixed[0]}` : ', no fixed version yet'}`);
      const what = e.pinned ? `${e.dep.name} ${e.version}` : `${e.dep.name} resolves to ${e.version}, which`;
      const has = e.advisories.length === 1 ? 'has a known vulnerability' : `has ${e.advisories.length} known vulnerabilities`;
      return {
        code: 'vulnerable',
        severity: 'warning' as const,
        file: e.dep.file,
        span: e.dep.span,
        message: `${what} ${has}: ${described.join('; ')}.`,
        related: [],
        fixes: e.fix ? [e.fix] : [],
      };
    });
  },
};
