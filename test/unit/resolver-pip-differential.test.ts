// Differential test of resolution against pip: generated scenarios over a loopback index of real wheels, judged by
// pip's dry run and by resolve().
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  indexProvider,
  localTarget,
  mapLimit,
  ourResolution,
  pipDryRun,
  pipVersion,
  type PipVerdict,
} from '../../bench/pip';
import { generateScenarios, violations, type Scenario } from '../../bench/scenarios';
import type { Target } from '../../server/src/index/candidates';
import type { Resolution } from '../../server/src/resolver/types';
import { startPackageIndex, type PackageIndex } from '../helpers/package-index';

const SCENARIOS = generateScenarios(48);
const pip = pipVersion();

interface Outcome {
  scenario: Scenario;
  pip: PipVerdict;
  ours: Resolution<number>;
}

function show(o: Outcome): string {
  const ours = o.ours.ok
    ? JSON.stringify(Object.fromEntries([...o.ours.versions].map(([k, v]) => [k, v.toString()])))
    : 'text' in o.ours
      ? o.ours.text
      : o.ours.message;
  const theirs = o.pip.ok
    ? JSON.stringify(Object.fromEntries(o.pip.versions))
    : o.pip.message.split('\n').slice(-6).join('\n');
  return (
    `scenario ${o.scenario.id} [${o.scenario.features.join(', ')}]\nrequirements: ` +
    `${JSON.stringify(o.scenario.requirements)}\npip: ${theirs}\nours: ` +
    `${ours}\npackages: ${JSON.stringify(o.scenario.packages)}`
  );
}

describe(
  'resolution agrees with pip',
  { skip: pip === null ? 'python3 -m pip --version is unavailable here' : false },
  () => {
    let index: PackageIndex;
    let target: Target;
    let tmp: string;
    let outcomes: Outcome[] = [];

    before(async () => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'sd-pipdiff-'));
      target = await localTarget();
      index = await startPackageIndex(SCENARIOS.flatMap((s) => s.packages));
      const provider = indexProvider(index.url, target);
      outcomes = await mapLimit(SCENARIOS, 2, async (scenario) => {
        const dir = path.join(tmp, scenario.id);
        mkdirSync(dir);
        const [theirs, ours] = await Promise.all([
          pipDryRun(scenario.requirements, index.url, dir),
          ourResolution(scenario.requirements, provider, target),
        ]);
        return { scenario, pip: theirs, ours: ours.result };
      });
    });

    after(async () => {
      await index?.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('generates at least 40 scenarios that cover every feature, both verdicts among them', () => {
      assert.ok(SCENARIOS.length >= 40);
      const features = new Set(SCENARIOS.flatMap((s) => s.features));
      for (const f of [
        'prerelease',
        'prerelease-only',
        'post-release',
        'marker',
        'extra',
        'requires-python',
        'yanked',
        'pinned-yanked',
        'wheel-tags',
        'deep-conflict',
        'backtrack',
      ]) {
        assert.ok(features.has(f), `no scenario has ${f}`);
      }
      const resolved = outcomes.filter((o) => o.pip.ok).length;
      assert.ok(
        resolved >= 10 && outcomes.length - resolved >= 10,
        `pip resolved ${resolved} of ${outcomes.length}: the generator should give both verdicts often`,
      );
    });

    it('pip gives a verdict on every scenario (no crash, no network error)', () => {
      const errors = outcomes.filter((o) => !o.pip.ok && o.pip.kind === 'error');
      assert.deepEqual(errors.map(show), []);
    });

    it('gives the same verdict as pip on every scenario', () => {
      const differ = outcomes.filter((o) => (o.pip.ok || o.pip.kind === 'no-resolution') && o.pip.ok !== o.ours.ok);
      assert.equal(
        differ.length,
        0,
        `${differ.length} of ${outcomes.length} scenarios differ:\n\n${differ.map(show).join('\n\n')}`,
      );
      for (const o of outcomes) if (!o.ours.ok) assert.equal(o.ours.reason, 'conflict', show(o));
    });

    it(
      'where pip resolves, our versions satisfy every requirement ' +
        "of the scenario and install nothing else, and so do pip's",
      () => {
        const bad: string[] = [];
        for (const o of outcomes) {
          if (!o.pip.ok || !o.ours.ok) continue;
          const ours = new Map([...o.ours.versions].map(([k, v]) => [k, v.toString()]));
          const mine = violations(o.scenario.packages, o.scenario.requirements, ours, target.markers);
          if (mine.length > 0) bad.push(`ours: ${mine.join('; ')}\n${show(o)}`);
          // The checker itself is judged by pip: pip's choice must pass it.
          const theirs = violations(o.scenario.packages, o.scenario.requirements, o.pip.versions, target.markers);
          if (theirs.length > 0) bad.push(`pip's: ${theirs.join('; ')}\n${show(o)}`);
        }
        assert.deepEqual(bad, []);
      },
    );

    it("reports how often our versions are exactly pip's", (t) => {
      // Not required (two resolvers may pick different valid sets after backtracking), but worth seeing in the log.
      const both = outcomes.filter((o) => o.pip.ok && o.ours.ok);
      const same = both.filter(
        (o) =>
          o.pip.ok &&
          o.ours.ok &&
          o.ours.versions.size === o.pip.versions.size &&
          [...o.ours.versions].every(([k, v]) => o.pip.ok && o.pip.versions.get(k) === v.toString()),
      );
      t.diagnostic(
        `${outcomes.length} scenarios: pip resolved ${both.length}, failed ` +
          `${outcomes.length - both.length}; identical versions in ${same.length} of ${both.length}`,
      );
      assert.ok(both.length > 0);
    });
  },
);
