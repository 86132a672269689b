// The client's status words: the "checking…" item until the first publish, the machine profile's summary, and the GPU
// profiles a CUDA finding offers to judge against.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FirstCheck, gpuProfilesFirst, profileStatusText } from '../../client/src/status-words';
import type { MachineProfile } from '../../server/src/system/profile';

const cpu: MachineProfile = { os: 'linux', arch: 'x86_64', python: { version: '3.11.7', implementation: 'cpython' } };
const gpu: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  python: { version: '3.10.14', implementation: 'cpython' },
  nvidia: { driver: '550.54.15', cuda: '12.4', gpus: [] },
};

describe("the client's status words", () => {
  it('shows "checking FILE…" from activation until the first publish for that file', () => {
    const c = new FirstCheck();
    assert.equal(c.text(), '$(sync~spin) checking dependency files…');
    c.showing('/w/proj/requirements.txt');
    c.showing('/w/proj/environment.yml');
    assert.equal(c.text(), '$(sync~spin) checking requirements.txt…');
    c.published('/w/proj/environment.yml');
    assert.equal(c.text(), '$(sync~spin) checking requirements.txt…', 'another file published first');
    c.published('/w/proj/requirements.txt');
    assert.equal(c.text(), null);
    const stopped = new FirstCheck();
    stopped.stopped();
    assert.equal(stopped.text(), null);
  });

  it('summarizes the machine: Python and CPU or the CUDA the driver runs', () => {
    assert.equal(profileStatusText(null, cpu), '$(server) Py 3.11 · CPU');
    assert.equal(profileStatusText('gpu-box', gpu), '$(server) gpu-box: Py 3.10 · CUDA 12.4 driver');
    assert.equal(profileStatusText(null, null), '$(server) This machine');
    assert.equal(profileStatusText(null, 'Py 3.12 · CPU'), '$(server) Py 3.12 · CPU');
    const noCudaVersion = { ...gpu, nvidia: { driver: '535.1', gpus: [] } };
    assert.equal(profileStatusText(null, noCudaVersion), '$(server) Py 3.10 · NVIDIA driver 535.1');
  });

  it('offers only GPU profiles, the one remembered for the workspace first', () => {
    const files = [
      { path: '/w/a.profile.json', profile: gpu },
      { path: '/w/laptop.profile.json', profile: cpu },
      { path: '/w/broken.profile.json', problem: 'not JSON' },
      { path: '/w/z.profile.json', profile: gpu },
    ];
    assert.deepEqual(
      gpuProfilesFirst(files, '/w/z.profile.json').map((f) => f.path),
      ['/w/z.profile.json', '/w/a.profile.json'],
    );
    assert.deepEqual(
      gpuProfilesFirst(files, '/w/laptop.profile.json').map((f) => f.path),
      ['/w/a.profile.json', '/w/z.profile.json'],
    );
  });
});
