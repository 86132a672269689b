// The checks' findings kept across edits (checks/kept-findings.ts) against running every check again: on random edits
// of a requirements file and the constraints file it includes (duplicates, conflicts, companions, deprecated names,
// CUDA builds and PyTorch indexes, system libraries, markers, comments), the analysis that keeps findings must find exactly what a fresh analysis of the
// same texts finds; and an edit of a line no rule cares about runs only the checks without a rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analysis } from '../../server/src/workspace/analysis';
import { checks } from '../../server/src/checks/registry';
import { keptFindings } from '../../server/src/checks/kept-findings';
import { markerEnvironmentFor, type MachineProfile } from '../../server/src/system/profile';
import type { Check, CheckContext } from '../../server/src/checks/types';
import type { Finding } from '../../server/src/model/types';
import { rng } from '../../bench/scenarios';

/** A Debian machine with an old NVIDIA driver (CUDA 11.0), and the same machine without a GPU. */
const gpuProfile: MachineProfile = {
  os: 'linux',
  arch: 'x86_64',
  libc: { kind: 'glibc', version: '2.36' },
  distro: { id: 'debian', version: '12', family: 'debian' },
  packageManager: 'apt',
  systemPackages: ['libc6'],
  sharedLibraries: ['libc.so.6'],
  pkgConfig: [],
  python: { version: '3.11.7', implementation: 'cpython' },
  nvidia: { driver: '450.80.02', cuda: '11.0', gpus: [{ name: 'Tesla T4', computeCapability: '7.5' }] },
};
const cpuProfile: MachineProfile = { ...gpuProfile, nvidia: null };
const profile = gpuProfile;

/** Lines the rules care about (copies, conflicts, companions, deprecated names and extras, CUDA builds), others, and bad ones. */
const LINES = [
  'numpy==1.26.4',
  'numpy>=2',
  'numpy<1.20 ; python_version >= "3.9"',
  'numpy<1.20 ; sys_platform == "win32"',
  'torch==2.1.0',
  'torch==2.1.0+cu118',
  'torchvision==0.15.2',
  'torchaudio==2.1.0',
  'nvidia-cublas-cu12==12.1.3.1',
  'sklearn',
  'tensorflow-gpu==2.10.0',
  'jax[cuda11_pip]==0.4.1',
  'bad>=2,<1',
  'odd===1.a3',
  'torch==2.1.0+cu121',
  'torch==1.13.1',
  'torchvision==0.16.0',
  '--extra-index-url https://download.pytorch.org/whl/cu118',
  '--index-url https://download.pytorch.org/whl/cu121',
  '--no-binary psycopg2',
  'cupy-cuda11x==12.2.0',
  'jax[cuda12]==0.4.25',
  'opencv-python==4.8.0.76',
  'psycopg2==2.9.9',
  'tensorflow==2.10.0',
  'tensorflow>=2.9,<2.11',
  'protobuf>=4.21',
  'protobuf>=4.21 ; python_version >= "3.8"',
  'rich>=13  # a comment',
  '# a comment',
  '',
  'x @ https://example.invalid/x-1.0.tar.gz',
  'https://example.invalid/y-1.0-py3-none-any.whl',
  'https://example.invalid/y-1.0-py3-none-any.whl',
  // Lines pip rejects: their files are re-parsed from the last parse too, with syntax findings.
  'numpy==',
  'pkg[extra',
];
const CONSTRAINTS = ['numpy<2', 'torch<2', 'pkg-3<1', 'rich<13', '# pinned', ''];

function line(next: () => number, pool: readonly string[]): string {
  // Half of the lines name a package no rule knows, declared once or a few times.
  if (next() < 0.5) return `pkg-${Math.floor(next() * 40)}${next() < 0.5 ? `==1.${Math.floor(next() * 9)}` : ''}`;
  return pool[Math.floor(next() * pool.length)]!;
}

function randomFile(next: () => number, pool: readonly string[], lines: number, head = ''): string {
  let out = head;
  for (let i = 0; i < lines; i++) out += line(next, pool) + '\n';
  return out;
}

/** An edit: mostly typing within one line (its line breaks kept), sometimes lines replaced, added or removed. */
function randomEdit(next: () => number, text: string, pool: readonly string[]): string {
  const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)].filter((s) => s < text.length);
  const k = Math.floor(next() * starts.length);
  const start = starts[k] ?? 0;
  const end = text.indexOf('\n', start) < 0 ? text.length : text.indexOf('\n', start);
  const r = next();
  if (r < 0.35) return text.slice(0, start) + line(next, pool) + text.slice(end);
  if (r < 0.7) {
    const at = start + Math.floor(next() * (end - start + 1));
    const piece = ['1', '.', '=', '<', 'x', ' ', '#', ',', '-', ''][Math.floor(next() * 10)]!;
    const cut = next() < 0.3 ? 1 : 0;
    return text.slice(0, at) + piece + text.slice(Math.min(end, at + cut));
  }
  if (r < 0.85) return text.slice(0, start) + line(next, pool) + '\n' + text.slice(start);
  return text.slice(0, start) + text.slice(Math.min(text.length, end + 1));
}

/** A folder with the two files on disk (the folder is listed) and an analysis that reads them from `texts`. */
function workspace(texts: Map<string, string>, target = gpuProfile): { dir: string; analysis: Analysis } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-kept-'));
  for (const name of ['requirements.txt', 'constraints.txt']) fs.writeFileSync(path.join(dir, name), '');
  const analysis = new Analysis({ read: (p) => texts.get(path.basename(p)) });
  analysis.configure({ offline: true, trustFiles: true, cacheDir: null });
  analysis.setTarget({ profile: target });
  return { dir, analysis };
}

test('findings kept across random edits equal a fresh analysis of the same texts (40 files x 40 edits)', () => {
  let compared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const next = rng(seed);
    const texts = new Map([
      ['requirements.txt', randomFile(next, LINES, 10 + Math.floor(next() * 50), '-c constraints.txt\n')],
      ['constraints.txt', randomFile(next, CONSTRAINTS, 3 + Math.floor(next() * 6))],
    ]);
    const target = seed % 2 ? gpuProfile : cpuProfile;
    const kept = workspace(texts, target);
    try {
      for (let i = 0; i < 40; i++) {
        const name = next() < 0.8 ? 'requirements.txt' : 'constraints.txt';
        const edited = randomEdit(next, texts.get(name)!, name === 'requirements.txt' ? LINES : CONSTRAINTS);
        // The include stays the first line of the requirements file.
        texts.set(
          name,
          name === 'requirements.txt' && !edited.startsWith('-c constraints.txt\n') ? texts.get(name)! : edited,
        );
        const file = path.join(kept.dir, name);
        kept.analysis.textChanged(file);
        const sets = kept.analysis.setsAround(file, kept.analysis.kindOf(file)!);
        const found = kept.analysis.findings(sets);
        // As the editor asks: the same sets again (the fast checks alone), which keeps everything.
        const again = kept.analysis.findings(sets, { stages: false });
        const fresh = workspace(texts, target);
        try {
          const freshFile = path.join(fresh.dir, name);
          const whole = fresh.analysis.findings(
            fresh.analysis.setsAround(freshFile, fresh.analysis.kindOf(freshFile)!),
          );
          const expected = JSON.stringify(whole).split(fresh.dir).join(kept.dir);
          if (JSON.stringify(found) !== expected || JSON.stringify(again) !== expected)
            assert.fail(
              `seed ${seed}, edit ${i} of ${name}:\n${texts.get('requirements.txt')}\n---\n${texts.get('constraints.txt')}\n` +
                `kept:  ${JSON.stringify(found)}\nfresh: ${expected}`,
            );
          compared++;
        } finally {
          fs.rmSync(fresh.dir, { recursive: true, force: true });
        }
      }
    } finally {
      fs.rmSync(kept.dir, { recursive: true, force: true });
    }
  }
  assert.equal(compared, 1600);
});

test('an edit of a line no rule cares about runs only the checks without a rule; the kept findings move with it', () => {
  const lines = Array.from({ length: 2000 }, (_, i) => `pkg-${i}==1.${i % 9}`);
  lines[10] = 'numpy>=2';
  lines[1990] = 'numpy<1.20';
  lines[1995] = 'sklearn';
  const texts = new Map([['requirements.txt', lines.join('\n') + '\n']]);
  const { dir, analysis } = workspace(texts);
  try {
    const file = path.join(dir, 'requirements.txt');
    const ctx: CheckContext = { markerEnvironment: markerEnvironmentFor(profile), profile };
    const ran: string[] = [];
    const run = (check: Check): Finding[] => {
      ran.push(check.code);
      return check.run(set(), ctx);
    };
    let current = analysis.setsAround(file, 'requirements')[0]!;
    const set = () => current;
    const first = keptFindings(current, ctx, checks, run);
    assert.equal(ran.length, checks.length);
    /** Line `at` rewritten as `text`, and the checks' findings after it (`ran` says which checks ran). */
    const edit = (at: number, text: string): Finding[][] => {
      lines[at] = text;
      texts.set('requirements.txt', lines.join('\n') + '\n');
      analysis.textChanged(file);
      current = analysis.setsAround(file, 'requirements')[0]!;
      ran.length = 0;
      return keptFindings(current, ctx, checks, run);
    };
    // Typing in a version of a line declared once, before both conflict lines and the deprecated one.
    const second = edit(500, 'pkg-500==1.10');
    for (const code of [
      'conflict',
      'duplicate',
      'deprecated',
      'companion-version',
      'conflict-transitive',
      'cuda-mix',
      'cuda-driver',
      'cuda-unavailable',
      'system-library',
    ])
      assert.ok(!ran.includes(code), code);
    assert.ok(ran.includes('syntax'));
    const byCode = (found: Finding[][], code: string) => found[checks.findIndex((c) => c.code === code)]!;
    const conflictNow = byCode(second, 'conflict');
    assert.equal(conflictNow.length, 2);
    assert.deepStrictEqual(
      conflictNow,
      checks.find((c) => c.code === 'conflict')!.run(current, ctx),
      'the kept conflict findings are where the lines are now',
    );
    assert.equal(conflictNow[1]!.span.start, byCode(first, 'conflict')[1]!.span.start + 1);
    assert.deepStrictEqual(
      byCode(second, 'deprecated'),
      checks.find((c) => c.code === 'deprecated')!.run(current, ctx),
    );
    // A second numpy line: the conflict check runs again.
    const third = edit(500, 'numpy==1.26');
    assert.ok(ran.includes('conflict') && !ran.includes('deprecated'));
    assert.deepStrictEqual(byCode(third, 'conflict'), checks.find((c) => c.code === 'conflict')!.run(current, ctx));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
