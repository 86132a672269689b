// pip 23.2's candidate rules in the resolver: yanked versions only when pinned, pre-releases only when named or when
// nothing else exists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryProvider,
  type MemoryIndex,
  type MemoryProviderOptions,
} from '../../server/src/resolver/memory-provider';
import { resolve } from '../../server/src/resolver/solver';
import type { Resolution } from '../../server/src/resolver/types';

async function run(
  index: MemoryIndex,
  lines: string[],
  options: MemoryProviderOptions = {},
  prereleases = false,
): Promise<Resolution<number>> {
  return resolve(
    lines.map((requirement, i) => ({ requirement, origin: i + 1 })),
    new MemoryProvider(index, options),
    { prereleases },
  );
}

function versions(r: Resolution<number>): Record<string, string> {
  assert.ok(r.ok, `expected a resolution, got ${r.ok ? '' : 'text' in r ? r.text : r.message}`);
  return Object.fromEntries([...r.versions].map(([k, v]) => [k, v.toString()]));
}

function fails(r: Resolution<number>): void {
  assert.ok(!r.ok && r.reason === 'conflict', `expected a conflict, got ${JSON.stringify(r.ok ? versions(r) : r)}`);
}

describe('yanked versions (PEP 592), as pip chooses them', () => {
  const index: MemoryIndex = { a: { '1.5': [], '2.0b2': [] }, b: { '1.0': [], '2.0': [] } };
  const yanked = { yanked: { a: ['1.5'], b: ['2.0'] } };

  it('takes a yanked version that a requirement pins exactly', async () => {
    assert.deepEqual(versions(await run(index, ['a==1.5'], yanked)), { a: '1.5' });
    assert.deepEqual(versions(await run(index, ['b===2.0'], yanked)), { b: '2.0' });
  });

  it('never takes a yanked version for a requirement that does not pin it', async () => {
    fails(await run(index, ['a>=1'], yanked));
    assert.deepEqual(versions(await run(index, ['b'], yanked)), { b: '1.0' });
    assert.deepEqual(versions(await run(index, ['b>=1'], yanked)), { b: '1.0' });
  });

  it('without yanked versions the pin is not found', async () => {
    assert.deepEqual(versions(await run(index, ['a==1.5'])), { a: '1.5' });
    fails(await run({ a: { '2.0b2': [] } }, ['a==1.5']));
  });
});

describe('pre-releases, as pip 23.2 (packaging 21.3) filters them', () => {
  it('does not fall back to a pre-release when the final releases a specifier admits fail', async () => {
    const index: MemoryIndex = { p: { '4.0': ['q<=1.0'], '5.0b2': [] }, q: { '3.1': [] } };
    fails(await run(index, ['p>=3.1']));
    fails(await run(index, ['p']));
    assert.deepEqual(
      versions(await run(index, ['p>=5.0b1'])),
      { p: '5.0b2' },
      'a specifier that names a pre-release admits them',
    );
    assert.deepEqual(versions(await run(index, ['p'], {}, true)), { p: '5.0b2' }, '--pre');
  });

  it('takes a pre-release of a project without final releases only when no specifier excludes it', async () => {
    const index: MemoryIndex = { p: { '1.0a1': [], '1.0b2': [] }, r: { '1.0': ['p!=1.0'] } };
    assert.deepEqual(versions(await run(index, ['p'])), { p: '1.0b2' });
    fails(await run(index, ['p!=1.0']));
    fails(await run(index, ['r']));
    assert.deepEqual(versions(await run(index, ['p>=1.0a1'])), { p: '1.0b2' });
  });

  it(
    'a specifier that names no pre-release cuts pre-releases ' + 'out even when another requirement reaches them first',
    async () => {
      const index: MemoryIndex = { p: { '1.0b1': [] }, s: { '1.0': ['p>=0.5'] } };
      fails(await run(index, ['p', 's']));
    },
  );
});
