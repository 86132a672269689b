// vulnerable on locked versions: the vulnerability stage asks about a locked version like a pin (an OSV database
// here), and the finding is on the lock entry, not on the manifest line; no fix edits the lock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { OsvDatabase, type OsvRecord } from '../../../server/src/index/osv';
import { AdvisorySource } from '../../../server/src/workspace/advisory-source';
import { vulnerabilityReport } from '../../../server/src/workspace/stages/vulnerability-stage';
import { byCode, contextFor, defaultContext } from '../../helpers/check-kit';
import { LOCK, lockOf, manifest, places } from '../../helpers/lock-kit';
import { setOf } from '../../helpers/sets';

const record = {
  id: 'GHSA-aaaa-bbbb-cccc',
  aliases: ['CVE-2024-0001'],
  summary: 'Sandbox escape in templates',
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'Jinja2' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.11.3' }] }],
    },
  ],
} as OsvRecord;

describe('vulnerable: locked versions', () => {
  it('asks about the locked version like a pin and reports it on the lock entry, not on the manifest line', async () => {
    const m = manifest('"jinja2==2.11.2", "flask"');
    const lock = lockOf([
      { name: 'flask', version: '2.0.0', dependencies: ['jinja2>=2.10'] },
      { name: 'jinja2', version: '2.11.2' },
    ]);
    const s = setOf(m, lock);
    const report = await vulnerabilityReport(s, {
      source: new AdvisorySource({ database: new OsvDatabase([record]) }),
      markerEnvironment: defaultContext.markerEnvironment,
      indexes: null,
      provider: null,
    });
    assert.deepEqual(
      report.entries.map((e) => [e.dep.file, e.version, e.fix]),
      [[LOCK, '2.11.2', null]],
    );
    const found = runChecks([s], contextFor(s, { vulnerabilities: report }));
    assert.deepEqual(places(found, 'vulnerable', [m, lock]), [['uv.lock', '2.11.2']]);
    assert.match(
      byCode(found, 'vulnerable')[0]!.message,
      /^jinja2 2\.11\.2 \(locked in uv\.lock\) has a known vulnerability: GHSA-aaaa-bbbb-cccc/,
    );
  });
});
