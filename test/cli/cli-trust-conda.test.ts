// Credentials on conda channel requests: netrc's `default` entry belongs to the person's own channels (their .condarc,
// `channel_alias`), never to a channel URL a workspace's environment.yml writes, nor to the shards that channel lists.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkJson } from '../helpers/cli';
import { startCondaChannel, type CondaChannel } from '../helpers/conda-channel';
import { ML_CHANNEL, condaYml } from '../helpers/conda-fixtures';
import { isolatedPipEnv } from '../helpers/package-index';
import { basicAuth, startRecordingServer, type RecordingServer } from '../helpers/recording-server';

const PROFILE = path.resolve('test/fixtures/profiles/laptop-no-gpu.json');
const PASSWORD = 'netrc-default-password-4417';

describe('conda channels and netrc credentials', () => {
  let channel: CondaChannel;
  let front: RecordingServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-trust-conda-'));
    channel = await startCondaChannel(ML_CHANNEL, { format: 'sharded' });
    // The recording server stands in front of the channel, so every request and its Authorization is seen.
    front = await startRecordingServer({ forward: new URL(channel.url).origin });
    const netrc = path.join(dir, 'netrc');
    fs.writeFileSync(netrc, `default login me password ${PASSWORD}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'condarc'), 'channels: []\n');
    env = {
      ...isolatedPipEnv(),
      NETRC: netrc,
      HOME: dir,
      CONDARC: path.join(dir, 'condarc'),
      STACK_DOCTOR_CODE_CACHE: 'off',
    };
  });
  after(async () => {
    await Promise.all([channel.close(), front.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a channel URL written in a workspace's environment.yml gets no netrc default credentials, nor do its shards", async () => {
    const p = path.join(dir, 'proj');
    fs.mkdirSync(p, { recursive: true });
    const url = front.origin + new URL(channel.url).pathname;
    fs.writeFileSync(path.join(p, 'environment.yml'), condaYml([url, 'nodefaults'], ['python=3.11', 'numpy=1.26']));
    const r = await checkJson(
      [p, '--profile', PROFILE, '--cache-dir', path.join(p, '.cache'), '--index-url', `${front.origin}/simple`],
      dir,
      env,
    );
    const channelRequests = front.requests.filter((q) => q.path.startsWith(new URL(channel.url).pathname));
    assert.ok(
      channelRequests.some((q) => /repodata_shards/.test(q.path)),
      `the channel was asked:\n${front.transcript()}`,
    );
    assert.ok(
      channelRequests.some((q) => /shards\/[0-9a-f]{64}/.test(q.path)),
      `shards were fetched:\n${front.transcript()}`,
    );
    const leaked = channelRequests.filter((q) => q.authorization === basicAuth('me', PASSWORD));
    assert.deepEqual(leaked, [], front.transcript());
    assert.ok(r.status === 0 || r.status === 1);
  });
});
