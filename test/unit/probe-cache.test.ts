// The command line's probe cache: reused while the machine's fingerprint holds and within its TTL, probed again
// otherwise.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedProbe, probeFingerprint, PROBE_TTL_MS } from '../../server/src/system/probe-cache';
import { clearProbeCache } from '../../server/src/system/probe';

describe('probe cache', () => {
  it('writes the profile once and reads it back while fresh; expired or corrupt entries are probed again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-probe-'));
    try {
      const t0 = Date.now();
      const first = await cachedProbe('python3', dir, t0);
      const files = fs.readdirSync(path.join(dir, 'probe'));
      assert.deepEqual(files, [`${probeFingerprint('python3')}.json`]);
      // A planted profile proves the second read comes from the disk, not from a probe.
      const file = path.join(dir, 'probe', files[0]!);
      fs.writeFileSync(file, JSON.stringify({ at: t0, profile: { ...first, arch: 'planted-arch' } }));
      assert.equal((await cachedProbe('python3', dir, t0 + 1000)).arch, 'planted-arch');
      clearProbeCache();
      assert.notEqual(
        (await cachedProbe('python3', dir, t0 + PROBE_TTL_MS + 1)).arch,
        'planted-arch',
        'expired: probed again',
      );
      fs.writeFileSync(file, '{not json');
      assert.equal((await cachedProbe('python3', dir, Date.now())).os, first.os, 'corrupt: probed again');
      fs.writeFileSync(file, JSON.stringify({ at: Date.now(), profile: { os: 42 } }));
      assert.equal(
        typeof (await cachedProbe('python3', dir, Date.now())).os,
        'string',
        'invalid profile: probed again',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('another interpreter is another fingerprint', () => {
    assert.notEqual(probeFingerprint('python3'), probeFingerprint('/nonexistent/python'));
  });
});
