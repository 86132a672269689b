// `vulnerable`: a pinned or resolved version with a known advisory (an OSV database, PyPI's JSON API), with a verified
// move to a fixed version.
import { displayId } from '../index/osv';
import { finding } from '../model/finding';
import type { Finding } from '../model/types';
import { lockedLabel } from './locked';
import type { Check } from './types';
import type { Advisory } from '../model/reports';

/**
 * Flags a declaration whose pinned version, or the version a resolution of the set picks, has a published
 * advisory; names it (GHSA-/PYSEC-), its summary and the first fixed version. Reads the vulnerability stage's data.
 *
 * Bad: `jinja2==2.11.2` (GHSA-g3rq-g295-4j3m). Good: `jinja2==3.1.4`.
 * Fix: the nearest version at or above every first fix that still resolves with the rest of the set.
 * A locked version is asked about like a pin and reported on the lock entry (no fix: the lock is its tool's to write).
 * A package no line declares is reported on the first top-level line that pulls it in, with the chain.
 */
export const vulnerable: Check = {
  code: 'vulnerable',
  description: 'A pinned or resolved version has a known vulnerability.',
  run(set, ctx) {
    const report = ctx.vulnerabilities?.get(set.root);
    if (!report) return [];
    const describe = (advisories: Advisory[]) =>
      advisories.map(
        (a) =>
          `${displayId(a)}${a.summary ? ` (${a.summary})` : ''}${a.fixed.length ? `, fixed in ${a.fixed[0]}` : ', no fixed version yet'}`,
      );
    const direct = report.entries.map((e) => {
      const described = describe(e.advisories);
      const what = e.pinned
        ? (lockedLabel(e.dep) ?? `${e.dep.name} ${e.version}`)
        : `${e.dep.name} resolves to ${e.version}, which`;
      const has =
        e.advisories.length === 1 ? 'has a known vulnerability' : `has ${e.advisories.length} known vulnerabilities`;
      return finding('vulnerable', e.dep.file, e.dep.span, `${what} ${has}: ${described.join('; ')}.`, {
        fixes: e.fix ? [e.fix] : [],
      });
    });
    // What a line pulls in: one finding on its name (a direct finding may sit on the whole line), no fix (no line to
    // move).
    const pulled: Finding[] = [];
    for (const g of report.transitive ?? []) {
      const text =
        `${g.dep.name} pulls in ` +
        `${g.packages.map((p) => `${p.name} ${p.version} (${p.via.join(' -> ')}), which has ${p.advisories.length === 1 ? 'a known vulnerability' : `${p.advisories.length} known vulnerabilities`}: ${describe(p.advisories).join('; ')}`).join('. It also pulls in ')}.`;
      // Where the line has a direct finding on the same span, one finding says both.
      const same = direct.find(
        (d) => d.file === g.dep.file && d.span.start === g.dep.nameSpan.start && d.span.end === g.dep.nameSpan.end,
      );
      if (same) same.message += ` ${text}`;
      else pulled.push(finding('vulnerable', g.dep.file, g.dep.nameSpan, text));
    }
    return [...direct, ...pulled];
  },
};
