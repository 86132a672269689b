// PubGrub core: the examples of the PubGrub solver documentation, their solutions and their explanations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryProvider, type MemoryIndex } from '../../server/src/resolver/memory-provider';
import { resolve } from '../../server/src/resolver/solver';
import type { Resolution, ResolveOptions } from '../../server/src/resolver/types';

/** Resolves `roots` (one per line of a pretend requirements.txt) against `index`. */
async function run(
  index: MemoryIndex,
  roots: string[],
  options: ResolveOptions<string> = {},
): Promise<Resolution<string>> {
  return resolve(
    roots.map((requirement, i) => ({ requirement, origin: `requirements.txt:${i + 1}` })),
    new MemoryProvider(index),
    { describeOrigin: (o) => o, ...options },
  );
}

function versions(r: Resolution<string>): Record<string, string> {
  assert.ok(r.ok, `expected a resolution, got ${r.ok ? '' : 'text' in r ? r.text : r.message}`);
  return Object.fromEntries([...r.versions].map(([k, v]) => [k, v.toString()]));
}

function explanation(r: Resolution<string>): string {
  assert.ok(!r.ok && r.reason === 'conflict', `expected a conflict, got ${JSON.stringify(r.ok ? versions(r) : r)}`);
  return r.text;
}

describe('resolver: the PubGrub documentation examples', () => {
  it('no conflicts', async () => {
    const r = await run({ foo: { '1.0.0': ['bar>=1.0.0,<2.0.0'] }, bar: { '1.0.0': [], '2.0.0': [] } }, [
      'foo>=1.0.0,<2.0.0',
    ]);
    assert.deepEqual(versions(r), { foo: '1.0.0', bar: '1.0.0' });
  });

  it('avoids a conflict during decision making', async () => {
    const r = await run(
      { foo: { '1.0.0': [], '1.1.0': ['bar>=2.0.0,<3.0.0'] }, bar: { '1.0.0': [], '1.1.0': [], '2.0.0': [] } },
      ['foo>=1.0.0,<2.0.0', 'bar>=1.0.0,<2.0.0'],
    );
    assert.deepEqual(versions(r), { foo: '1.0.0', bar: '1.1.0' });
  });

  it('performs conflict resolution', async () => {
    const r = await run(
      { foo: { '1.0.0': [], '2.0.0': ['bar>=1.0.0,<2.0.0'] }, bar: { '1.0.0': ['foo>=1.0.0,<2.0.0'] } },
      ['foo>=1.0.0'],
    );
    assert.deepEqual(versions(r), { foo: '1.0.0' });
  });

  it('resolves a conflict with a partial satisfier', async () => {
    const r = await run(
      {
        foo: { '1.0.0': [], '1.1.0': ['left>=1.0.0,<2.0.0', 'right>=1.0.0,<2.0.0'] },
        left: { '1.0.0': ['shared>=1.0.0'] },
        right: { '1.0.0': ['shared<2.0.0'] },
        shared: { '2.0.0': [], '1.0.0': ['target>=1.0.0,<2.0.0'] },
        target: { '2.0.0': [], '1.0.0': [] },
      },
      ['foo>=1.0.0,<2.0.0', 'target>=2.0.0,<3.0.0'],
    );
    assert.deepEqual(versions(r), { target: '2.0.0', foo: '1.0.0' });
  });

  it('reports a linear error', async () => {
    const r = await run(
      {
        foo: { '1.0.0': ['bar>=2.0.0,<3.0.0'] },
        bar: { '2.0.0': ['baz>=3.0.0,<4.0.0'] },
        baz: { '1.0.0': [], '3.0.0': [] },
      },
      ['foo>=1.0.0,<2.0.0', 'baz>=1.0.0,<2.0.0'],
    );
    assert.equal(
      explanation(r),
      [
        '1. every version of foo needs bar >=2.0.0,<3.0.0.',
        '2. every version of bar needs baz >=3.0.0,<4.0.0.',
        '3. foo>=1.0.0,<2.0.0 is required (requirements.txt:1).',
        '4. baz>=1.0.0,<2.0.0 is required (requirements.txt:2).',
        'So the requirements foo>=1.0.0,<2.0.0 (requirements.txt:1) and ' +
          'baz>=1.0.0,<2.0.0 (requirements.txt:2) cannot be installed together.',
      ].join('\n'),
    );
    assert.ok(!r.ok && r.reason === 'conflict');
    assert.deepEqual(r.rootsInvolved, ['requirements.txt:1', 'requirements.txt:2']);
  });

  it('reports a branching error with numbered intermediate conclusions', async () => {
    const r = await run(
      {
        foo: { '1.0.0': ['a>=1.0.0,<2.0.0', 'b>=1.0.0,<2.0.0'], '1.1.0': ['x>=1.0.0,<2.0.0', 'y>=1.0.0,<2.0.0'] },
        a: { '1.0.0': ['b>=2.0.0,<3.0.0'] },
        b: { '1.0.0': [], '2.0.0': [] },
        x: { '1.0.0': ['y>=2.0.0,<3.0.0'] },
        y: { '1.0.0': [], '2.0.0': [] },
      },
      ['foo>=1.0.0,<2.0.0'],
    );
    assert.equal(
      explanation(r),
      [
        '1. every version of a needs b >=2.0.0,<3.0.0.',
        '2. foo 1.0.0 needs a >=1.0.0,<2.0.0.',
        '3. foo 1.0.0 needs b >=1.0.0,<2.0.0.',
        '4. So foo 1.0.0 cannot be installed (by 1, 2 and 3).',
        '5. every version of x needs y >=2.0.0,<3.0.0.',
        '6. foo 1.1.0 needs x >=1.0.0,<2.0.0.',
        '7. foo 1.1.0 needs y >=1.0.0,<2.0.0.',
        '8. So foo 1.1.0 cannot be installed (by 5, 6 and 7).',
        '9. So no version of foo can be installed (by 4 and 8).',
        '10. foo>=1.0.0,<2.0.0 is required (requirements.txt:1).',
        'So the requirement foo>=1.0.0,<2.0.0 (requirements.txt:1) cannot be installed.',
      ].join('\n'),
    );
    assert.ok(!r.ok && r.reason === 'conflict');
    const last = r.explanation[r.explanation.length - 1]!;
    assert.equal(last.kind, 'conclusion');
    assert.deepEqual(last.from, [9, 10]);
    assert.deepEqual(last.origins, ['requirements.txt:1']);
    assert.deepEqual(
      r.explanation[1]!.origins,
      ['requirements.txt:1'],
      'a fact about foo points at the line that requires foo',
    );
  });
});

describe('resolver: installed versions pip keeps (preferred)', () => {
  const index: MemoryIndex = {
    numpy: { '1.26.4': [], '2.1.0': [] },
    geom: { '1.5.0': ['numpy>=1.20'], '2.0.0': ['numpy>=2'] },
    plot: { '0.3.0': ['numpy>=1.20'] },
  };
  const preferred = new Map([['numpy', '1.26.4']]);

  it('keeps an installed version that fits every requirement, however new the index is', async () => {
    assert.deepEqual(versions(await run(index, ['plot'], { preferred })), { plot: '0.3.0', numpy: '1.26.4' });
    assert.deepEqual(versions(await run(index, ['plot'])), { plot: '0.3.0', numpy: '2.1.0' });
  });

  it('replaces it where a requirement excludes it', async () => {
    assert.deepEqual(versions(await run(index, ['geom'], { preferred })), { geom: '2.0.0', numpy: '2.1.0' });
    assert.deepEqual(versions(await run(index, ['geom<2'], { preferred })), { geom: '1.5.0', numpy: '1.26.4' });
  });

  it('an installed version the index does not list is not preferred', async () => {
    const r = await run(index, ['plot'], { preferred: new Map([['numpy', '1.99']]) });
    assert.deepEqual(versions(r), { plot: '0.3.0', numpy: '2.1.0' });
  });
});

describe('resolver: the provider calls a resolution starts', () => {
  /**
   * `a 1.0` needs `b` (whose versions never come until the call is cancelled) and `x>=1`, which the root's `x<1` forbids:
   * the resolution ends in a conflict while its prefetch of `b` is under way. Returns the signal that prefetch was given.
   */
  async function leftPrefetch(
    options: ResolveOptions<string>,
  ): Promise<{ signal: AbortSignal; r: Resolution<string> }> {
    const asked: AbortSignal[] = [];
    const provider = new MemoryProvider({ a: { '1.0': ['b', 'x>=1'] }, x: { '0.5': [], '1.0': [] } });
    const versions = provider.versions.bind(provider);
    provider.versions = (name, signal) => {
      if (name !== 'b') return versions(name, signal);
      asked.push(signal!);
      return new Promise((_, reject) => signal!.addEventListener('abort', () => reject(new Error('cancelled'))));
    };
    const r = await resolve(
      ['a', 'x<1'].map((requirement, i) => ({ requirement, origin: `requirements.txt:${i + 1}` })),
      provider,
      options,
    );
    assert.equal(asked.length, 1, 'b is prefetched once');
    return { signal: asked[0]!, r };
  }

  it('by default end with the resolution: nothing it started is left fetching', async () => {
    const { signal, r } = await leftPrefetch({});
    assert.equal(r.ok, false);
    assert.equal(signal.aborted, true);
  });

  it('given `callsEnd`, last until then (a fix search shares its pages), and end then', async () => {
    const run = new AbortController();
    const { signal, r } = await leftPrefetch({ callsEnd: run.signal });
    assert.equal(r.ok, false);
    assert.equal(signal.aborted, false, 'the prefetch outlives the resolution');
    run.abort();
    assert.equal(signal.aborted, true);
  });

  it('the caller cancelling ends them too', async () => {
    const run = new AbortController();
    const cancel = new AbortController();
    const { signal } = await leftPrefetch({ callsEnd: run.signal, signal: cancel.signal });
    assert.equal(signal.aborted, false);
    cancel.abort();
    assert.equal(signal.aborted, true);
  });
});
