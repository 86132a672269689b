// bench/results-md.ts: RESULTS.md is written from a run's output, goals judged from its figures, nothing typed by hand.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resultsMarkdown } from '../../bench/results-md';

const run = (newFile: number, pip: number, pipWarm: number) => ({
  machine: '2 x cpu, 24 GiB, node v20',
  date: '2026-12-08',
  'didChange -> publishDiagnostics, 2000-line requirements.txt, stdio (ms)': { p50: 4, p95: 8, p99: 31, n: 100 },
  'whole processes: stack-doctor check against pip, 24 scenarios': {
    'stack-doctor check, new file over a warm index cache (ms)': { p50: newFile, p95: newFile + 10, n: 24 },
    'pip install --dry-run (ms)': { p50: pip, p95: pip + 50, n: 24 },
    'pip install --dry-run, its HTTP cache warm (ms)': { p50: pipWarm, p95: pipWarm + 50, n: 24 },
    'pip / stack-doctor new file over a warm index cache (p50)': +(pip / newFile).toFixed(1),
    'pip with a warm cache / stack-doctor new file over a warm index cache (p50)': +(pipWarm / newFile).toFixed(1),
  },
});

const row = (md: string, goal: string) => md.split('\n').find((l) => l.startsWith(`| ${goal}`)) ?? '';

describe('bench/RESULTS.md from a run', () => {
  it('judges each goal from the figures, both pip runs for the 5x goal', () => {
    const met = resultsMarkdown(run(100, 600, 550), 'abc1234');
    assert.match(
      row(met, 'a new file'),
      /ours 100; pip 600 without a cache \(6x\), 550 with its HTTP cache warm \(5\.5x\) \| yes \|$/,
    );
    assert.match(row(resultsMarkdown(run(120, 620, 580), 'abc1234'), 'a new file'), /\(4\.8x\) \| no \|$/);
    // p99 31 misses the < 30 goal although the p50 meets it.
    assert.match(row(met, 'edit -> diagnostics'), /p99 31 .*\| no \|$/);
    assert.match(met, /on commit `abc1234`/);
  });

  it('says "-" for a part the run lacks, and ends with the whole output', () => {
    const md = resultsMarkdown({ machine: 'm', date: 'd' }, 'x');
    assert.match(row(md, 'a 1 MB uv.lock'), /\| - \|$/);
    assert.ok(md.trimEnd().endsWith('```'));
    assert.ok(md.includes('"machine": "m"'));
  });
});
