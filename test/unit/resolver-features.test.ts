// Resolver features over the in-memory provider: extras, markers, constraints, overrides, Requires-Python, URLs,
// pre-releases, budgets, cancellation, determinism and the verified quick fixes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { narrowToResolve, nearestResolvingVersion } from '../../server/src/resolver/fixes';
import { simplifySpecifiers } from '../../server/src/pep/simplify';
import {
  MemoryProvider,
  type MemoryIndex,
  type MemoryProviderOptions,
} from '../../server/src/resolver/memory-provider';
import { describeSet } from '../../server/src/resolver/report';
import { resolve } from '../../server/src/resolver/solver';
import type { Resolution, ResolveOptions, RootRequirement } from '../../server/src/resolver/types';
import { SpecifierSet } from '../../server/src/pep/specifier';
import { Version } from '../../server/src/pep/version';
import { VersionSet } from '../../server/src/pep/version-set';

const roots = (lines: string[]): RootRequirement<string>[] =>
  lines.map((requirement, i) => ({ requirement, origin: `requirements.txt:${i + 1}` }));

async function run(
  index: MemoryIndex,
  lines: string[],
  options: ResolveOptions<string> = {},
  provider: MemoryProviderOptions = {},
): Promise<Resolution<string>> {
  return resolve(roots(lines), new MemoryProvider(index, provider), { describeOrigin: (o) => o, ...options });
}

function versions(r: Resolution<string>): Record<string, string> {
  assert.ok(r.ok, `expected a resolution, got ${r.ok ? '' : 'text' in r ? r.text : r.message}`);
  return Object.fromEntries([...r.versions].map(([k, v]) => [k, v.toString()]));
}

function conflict(r: Resolution<string>) {
  assert.ok(!r.ok && r.reason === 'conflict', `expected a conflict, got ${JSON.stringify(r.ok ? versions(r) : r)}`);
  return r;
}

const ML: MemoryIndex = {
  tensorflow: {
    '2.10.0': ['numpy<1.23', 'protobuf<3.20,>=3.9.2'],
    '2.12.0': ['numpy<1.24,>=1.22', 'protobuf<5,>=3.20.3'],
    '2.13.0': ['numpy<=1.24.3,>=1.22', 'protobuf<5,>=3.20.3', 'typing-extensions<4.6.0,>=3.6.6'],
    '2.14.0': ['numpy<1.25,>=1.23.5', 'protobuf<5,>=3.20.3', 'typing-extensions>=3.6.6', 'pandas<2'],
    '2.15.0': ['numpy<2.0.0,>=1.23.5', 'protobuf<5,>=3.20.3', 'typing-extensions>=3.6.6'],
  },
  pandas: { '1.5.3': ['numpy>=1.21.0'], '2.0.0': ['numpy>=1.23.2'], '2.2.0': ['numpy<2,>=1.23.2'] },
  numpy: {
    '1.21.6': [],
    '1.22.4': [],
    '1.23.2': [],
    '1.23.5': [],
    '1.24.3': [],
    '1.24.4': [],
    '1.25.2': [],
    '1.26.4': [],
    '2.0.0': [],
  },
  protobuf: { '3.19.6': [], '3.20.3': [], '4.25.3': [], '5.26.1': [] },
  'typing-extensions': { '4.5.0': [], '4.12.2': [] },
};

describe('resolver: conflicts across dependencies', () => {
  it('explains tensorflow and pandas disagreeing about numpy, pointing at both lines', async () => {
    const r = conflict(await run(ML, ['tensorflow==2.10.0', 'pandas>=2']));
    assert.equal(
      r.text,
      [
        '1. pandas 2.2.0 needs numpy >=1.23.2,<2.',
        '2. pandas 2.0.0 needs numpy >=1.23.2.',
        '3. tensorflow 2.10.0 needs numpy <1.23.',
        '4. tensorflow==2.10.0 is required (requirements.txt:1).',
        '5. pandas>=2 is required (requirements.txt:2).',
        'So the requirements tensorflow==2.10.0 (requirements.txt:1) and ' +
          'pandas>=2 (requirements.txt:2) cannot be installed together.',
      ].join('\n'),
    );
  });

  it('resolves newest-first when a solution exists, like pip', async () => {
    assert.deepEqual(versions(await run(ML, ['tensorflow', 'pandas>=2'])), {
      tensorflow: '2.15.0',
      pandas: '2.2.0',
      numpy: '1.26.4',
      protobuf: '4.25.3',
      'typing-extensions': '4.12.2',
    });
  });

  it('is deterministic: the same input gives the same answer and the same explanation', async () => {
    const a = await run(ML, ['tensorflow==2.13.0', 'numpy>=1.25', 'pandas']);
    const b = await run(ML, ['tensorflow==2.13.0', 'numpy>=1.25', 'pandas']);
    assert.equal(conflict(a).text, conflict(b).text);
    assert.deepEqual(conflict(a).rootsInvolved, ['requirements.txt:1', 'requirements.txt:2']);
  });

  it('reports a direct conflict between two lines', async () => {
    const r = conflict(await run(ML, ['numpy>=1.25', 'numpy<1.24']));
    assert.match(
      r.text,
      /So the requirements numpy>=1\.25 \(requirements\.txt:1\) and numpy<1\.24 \(requirements\.txt:2\) cannot be installed together\.$/,
    );
  });

  it('explains a package the index does not have and a version that does not exist', async () => {
    assert.match(conflict(await run(ML, ['nosuchthing'])).text, /nosuchthing has no versions on the index/);
    assert.match(
      conflict(await run(ML, ['numpy>=3'])).text,
      /no version of numpy matches >=3 \(the index has 1\.21\.6 to 2\.0\.0\)/,
    );
  });
});

describe('resolver: extras and markers', () => {
  const index: MemoryIndex = {
    app: {
      '1.0': [
        'base-lib>=1',
        'gpu-lib>=2; extra == "gpu"',
        'old-lib; python_version < "3.8"',
        'win-lib; sys_platform == "win32"',
      ],
    },
    'base-lib': { '1.0': [], '2.0': [] },
    'gpu-lib': { '1.0': [], '2.0': [], '3.0': ['base-lib<2'] },
    'old-lib': { '1.0': [] },
    'win-lib': { '1.0': [] },
  };
  const linux = defaultEnvironment({ pythonVersion: '3.11', platform: 'linux' });

  it('follows an extra only when it is asked for, at the same version as its package', async () => {
    assert.deepEqual(versions(await run(index, ['app'], { markerEnvironment: linux })), {
      app: '1.0',
      'base-lib': '2.0',
    });
    const r = await run(index, ['app[gpu]'], { markerEnvironment: linux });
    assert.deepEqual(versions(r), { app: '1.0', 'base-lib': '2.0', 'gpu-lib': '2.0' });
    assert.ok(r.ok);
    assert.deepEqual(r.extras.get('app'), ['gpu']);
  });

  it('explains a conflict that goes through an extra', async () => {
    const r = conflict(await run(index, ['app[gpu]', 'gpu-lib<2'], { markerEnvironment: linux }));
    assert.match(r.text, /every version of app\[gpu\] needs gpu-lib >=2/);
    assert.match(
      r.text,
      /So the requirements app\[gpu\] \(requirements\.txt:1\) and gpu-lib<2 \(requirements\.txt:2\) cannot be installed together\./,
    );
  });

  it('evaluates markers of requirements and of dependencies against the target', async () => {
    const win37 = defaultEnvironment({ pythonVersion: '3.7', platform: 'win32' });
    assert.deepEqual(versions(await run(index, ['app'], { markerEnvironment: win37 })), {
      app: '1.0',
      'base-lib': '2.0',
      'old-lib': '1.0',
      'win-lib': '1.0',
    });
    assert.deepEqual(
      versions(await run(index, ['app', 'gpu-lib; sys_platform == "win32"'], { markerEnvironment: linux })),
      { app: '1.0', 'base-lib': '2.0' },
    );
  });
});

describe('resolver: constraints, overrides, Requires-Python, URLs, pre-releases', () => {
  it('applies a constraint only to packages that are required', async () => {
    const cons = [
      { requirement: 'numpy<1.25', origin: 'constraints.txt:1' },
      { requirement: 'protobuf<4', origin: 'constraints.txt:2' },
    ];
    assert.deepEqual(versions(await run(ML, ['pandas'], { constraints: cons })), { pandas: '2.2.0', numpy: '1.24.4' });
    const r = conflict(await run(ML, ['numpy>=1.25'], { constraints: cons }));
    assert.match(r.text, /the constraint numpy<1\.25 applies \(constraints\.txt:1\)/);
    assert.match(
      r.text,
      /So the requirement numpy>=1\.25 \(requirements\.txt:1\) cannot be installed under the constraint numpy<1\.25 \(constraints\.txt:1\)\./,
    );
    assert.deepEqual(r.rootsInvolved, ['requirements.txt:1', 'constraints.txt:1']);
  });

  it('replaces every requirement on an overridden package', async () => {
    assert.equal(conflict(await run(ML, ['tensorflow==2.10.0', 'pandas>=2'])).reason, 'conflict');
    const r = await run(ML, ['tensorflow==2.10.0', 'pandas>=2'], {
      overrides: [{ requirement: 'numpy>=1.23.2,<1.24', origin: 'pyproject.toml:9' }],
    });
    assert.equal(versions(r)['numpy'], '1.23.5');
    assert.equal(
      versions(
        await run(ML, ['pandas>=2'], { overrides: [{ requirement: 'numpy<1.22', origin: 'pyproject.toml:9' }] }),
      )['numpy'],
      '1.21.6',
    );
    const bad = conflict(
      await run(ML, ['pandas>=2'], { overrides: [{ requirement: 'numpy>=3', origin: 'pyproject.toml:9' }] }),
    );
    assert.match(bad.text, /pandas >=2\.0\.0 needs numpy >=3 \(by the override numpy>=3 \(pyproject\.toml:9\)\)/);
    assert.ok(bad.rootsInvolved.includes('pyproject.toml:9'));
  });

  it('skips candidates whose Requires-Python excludes the target, and explains when none is left', async () => {
    const index: MemoryIndex = {
      lib: {
        '1.0': [],
        '2.0': { requires: [], requiresPython: '>=3.10' },
        '2.1': { requires: [], requiresPython: '>=3.10' },
      },
    };
    assert.deepEqual(versions(await run(index, ['lib'], { python: '3.9.1' })), { lib: '1.0' });
    assert.deepEqual(versions(await run(index, ['lib'], { python: '3.12.0' })), { lib: '2.1' });
    const r = conflict(await run(index, ['lib>=2'], { python: '3.9.1' }));
    assert.match(r.text, /lib >=2\.0 requires Python >=3\.10, but the target is 3\.9\.1/);
  });

  it('pins a URL requirement to the version its metadata states', async () => {
    const urls = { 'https://example.invalid/numpy-1.24.3.whl': { name: 'numpy', version: '1.24.3', requires: [] } };
    const ok = await run(ML, ['numpy @ https://example.invalid/numpy-1.24.3.whl', 'pandas'], {}, { urls });
    assert.deepEqual(versions(ok), { numpy: '1.24.3', pandas: '2.2.0' });
    const r = conflict(
      await run(ML, ['numpy @ https://example.invalid/numpy-1.24.3.whl', 'numpy>=1.25'], {}, { urls }),
    );
    assert.deepEqual(r.rootsInvolved, ['requirements.txt:1', 'requirements.txt:2']);
    const unknown = await run(ML, ['numpy @ https://example.invalid/other.whl', 'pandas']);
    assert.ok(unknown.ok && unknown.incomplete.some((s) => s.includes('metadata unknown')));
  });

  it('treats unknown dependencies optimistically and says so', async () => {
    const r = await run({ a: { '1.0': { unknown: true } } }, ['a']);
    assert.ok(r.ok);
    assert.deepEqual(r.incomplete, ['a 1.0: dependencies unknown']);
  });

  it('picks pre-releases only when named or when nothing else fits', async () => {
    const index: MemoryIndex = { lib: { '1.0': [], '2.0b1': [] }, beta: { '0.1a1': [] } };
    assert.deepEqual(versions(await run(index, ['lib', 'beta'])), { lib: '1.0', beta: '0.1a1' });
    assert.deepEqual(versions(await run(index, ['lib>=2.0b1'])), { lib: '2.0b1' });
    assert.deepEqual(versions(await run(index, ['lib'], { prereleases: true })), { lib: '2.0b1' });
  });
});

/** A universe where backtracking is hopeless: every a version needs a b version that every c rejects. */
function hardIndex(n: number): MemoryIndex {
  const index: MemoryIndex = { a: {}, b: {}, c: {} };
  for (let i = 0; i < n; i++) {
    index['a']![`${i}.0`] = [`b==${i}.0`, `c==${i}.0`];
    index['b']![`${i}.0`] = [`c!=${i}.0`];
    index['c']![`${i}.0`] = [];
  }
  return index;
}

describe('resolver: budget and cancellation', () => {
  it('stops after maxSteps with a budget result instead of hanging', async () => {
    const r = await run(hardIndex(200), ['a'], { maxSteps: 50 });
    assert.ok(!r.ok && r.reason === 'budget', JSON.stringify(r));
    assert.match(r.message, /50 steps/);
    assert.equal(
      conflict(await run(hardIndex(20), ['a'])).reason,
      'conflict',
      'with enough budget it proves the conflict',
    );
  });

  it('stops at the deadline even while the provider is slow', async () => {
    const t = Date.now();
    const r = await run(hardIndex(50), ['a'], { timeoutMs: 60 }, { delayMs: 20 });
    assert.ok(!r.ok && r.reason === 'budget', JSON.stringify(r));
    assert.ok(Date.now() - t < 10_000, 'never hangs past its deadline');
  });

  it('returns cancelled when the signal fires, already or while waiting', async () => {
    const done = new AbortController();
    done.abort();
    const r1 = await run(ML, ['tensorflow'], { signal: done.signal });
    assert.ok(!r1.ok && r1.reason === 'cancelled');
    const later = new AbortController();
    setTimeout(() => later.abort(), 30);
    const r2 = await run(hardIndex(50), ['a'], { signal: later.signal }, { delayMs: 10 });
    assert.ok(!r2.ok && r2.reason === 'cancelled', JSON.stringify(r2));
  });
});

describe('resolver: verified fixes', () => {
  const provider = new MemoryProvider(ML);

  it('moves a top-level pin to the nearest version that resolves', async () => {
    const rs = roots(['tensorflow==2.13.0', 'numpy>=1.25']);
    assert.equal((await resolve(rs, provider)).ok, false);
    const fix = await nearestResolvingVersion(rs, 0, provider);
    assert.ok(fix);
    assert.equal(fix.requirement, 'tensorflow==2.15.0');
    assert.equal(fix.specifier, '==2.15.0');
    const after = await resolve(roots([fix.requirement, 'numpy>=1.25']), provider);
    assert.ok(after.ok, 'applying the fix removes the conflict');
  });

  it('narrows another requirement so that everything resolves', async () => {
    const rs = roots(['tensorflow==2.13.0', 'pandas>=2', 'numpy>=1.25']);
    const fix = await narrowToResolve(rs, 2, provider);
    assert.ok(fix);
    assert.equal(fix.requirement, 'numpy>=1.23.2,<=1.24.3');
    const after = await resolve(roots(['tensorflow==2.13.0', 'pandas>=2', fix.requirement]), provider);
    assert.deepEqual(versions(after)['numpy'], '1.24.3');
  });

  it('offers no fix when no version of the package can resolve', async () => {
    assert.equal(await nearestResolvingVersion(roots(['tensorflow==2.10.0', 'protobuf>=5']), 0, provider), null);
    assert.equal(await narrowToResolve(roots(['tensorflow==2.10.0', 'protobuf>=5']), 0, provider), null);
  });

  it('simplifies specifiers: implied ones dropped, lower bounds first', () => {
    assert.equal(simplifySpecifiers(['<1.24.4,>=1.22', '>=1.23.2', '<2']), '>=1.23.2,<1.24.4');
  });
});

describe('resolver: compact ranges', () => {
  const known = ['1.0', '1.1', '1.2', '2.0'].map((s) => Version.parse(s)!);
  const set = (s: string) => VersionSet.fromSpecifierSet(SpecifierSet.parse(s));
  it('prints sets relative to the known versions', () => {
    assert.equal(describeSet(set('==1.1'), known), '1.1');
    assert.equal(describeSet(set('>=1.1'), known), '>=1.1');
    assert.equal(describeSet(set('>=1.0.5,<1.9'), known), '>=1.1,<2.0');
    assert.equal(describeSet(set('<1.0.5'), known), '1.0');
    assert.equal(describeSet(set('!=1.1'), known), '==1.0 or >=1.2');
    assert.equal(describeSet(set('>=0.1'), known), '*');
    assert.equal(describeSet(set('>=3'), known), '>=3');
  });
});
