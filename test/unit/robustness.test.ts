// Strange files never crash: mutated real files through every parser, the environment-set builder and every check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChecks } from '../../server/src/checks/registry';
import type { FileKind } from '../../server/src/model/types';
import { markerEnvironmentFor } from '../../server/src/system/profile';
import { FileSets } from '../../server/src/workspace/file-sets';
import { rng } from '../../bench/scenarios';

const PIECES = [
  '\n',
  '\\\n',
  '#',
  ' ',
  '[',
  ']',
  '(',
  ')',
  '"',
  "'",
  ';',
  '@',
  '==',
  '>=',
  '<',
  '~=',
  '!=',
  '===',
  '.*',
  ',',
  '-r ',
  '-c ',
  '-e ',
  '--hash=sha256:',
  '${X}',
  'extra == "a"',
  'python_version',
  ' and ',
  ' or ',
  '+cu121',
  'torch',
  'numpy',
  'tensorflow',
  '2.1.0',
  'a1',
  '.post1',
  '.dev0',
  '\t',
  '::',
  '=',
  '|',
  '*',
  '- ',
  '- pip:',
  '  - ',
  '[project]',
  'dependencies = [',
  '[tool.poetry.dependencies]',
  '^1.2',
  '{version = "1"}',
  '\r\n',
  '\u2028',
  '\uffff',
  '\ud800',
  '\0',
  'é',
  'x'.repeat(300),
];

const samples: { name: string; kind: FileKind; text: string }[] = [
  {
    name: 'requirements.txt',
    kind: 'requirements',
    text:
      'numpy>=1.24,<2\npandas[performance]==2.2.* ; python_version ' +
      '>= "3.9"\n-c constraints.txt\ntorch==2.1.0+cu121 \\\n  ' +
      '--hash=sha256:00\n--extra-index-url https://download.pytorch.org/whl/cu121\n-e ' +
      'git+https://example.invalid/x.git#egg=x\n',
  },
  { name: 'constraints.txt', kind: 'constraints', text: 'numpy<1.27\nprotobuf<4\n' },
  {
    name: 'environment.yml',
    kind: 'conda',
    text:
      'name: ml\nchannels: [conda-forge, nvidia]\ndependencies:\n  - python=3.11\n  - numpy=1.26\n  - ' +
      'pytorch-cuda=12.1\n  - conda-forge::cudatoolkit=11.8\n  - pip:\n    - rich>=13\n    - -r requirements.txt\n',
  },
  {
    name: 'pyproject.toml',
    kind: 'pyproject',
    text:
      '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.9"\ndependencies = ["numpy>=1.24", ' +
      '"jax[cuda12]"]\n[project.optional-dependencies]\ngpu = ' +
      '["cupy-cuda12x"]\n[dependency-groups]\ndev = ["pytest", {include-group ' +
      '= "lint"}]\nlint = ["ruff"]\n[tool.poetry.dependencies]\npython ' +
      '= "^3.10"\nrequests = {version = "^2.31", extras ' +
      '= ["socks"], markers = "sys_platform == \'linux\'"}\n[tool.uv]\nconstraint-dependencies = ["urllib3<2"]\n',
  },
];

function mutate(text: string, r: () => number): string {
  let out = text;
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const op = r();
    if (op < 0.4) out = out.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)]! + out.slice(at);
    else if (op < 0.7) out = out.slice(0, at) + out.slice(Math.min(out.length, at + 1 + Math.floor(r() * 20)));
    else if (op < 0.85) out = out.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x10000)) + out.slice(at);
    else {
      const from = Math.floor(r() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(r() * 40)) + out.slice(at);
    }
  }
  return out;
}

describe('robustness: mutated files never crash the analysis', () => {
  const profiles = fs
    .readdirSync('test/fixtures/profiles')
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join('test/fixtures/profiles', f), 'utf8')));
  it('600 mutated folders: parse, build sets, run every check; findings stay inside their files', () => {
    // The folder exists so that the set builder finds the files; their texts come from the mutated buffers.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-robust-'));
    for (const s of samples) fs.writeFileSync(path.join(dir, s.name), s.text);
    const r = rng(20261124);
    for (let round = 0; round < 600; round++) {
      const texts = new Map<string, string>();
      for (const s of samples) texts.set(path.join(dir, s.name), r() < 0.6 ? mutate(s.text, r) : s.text);
      const analyzer = new FileSets({ read: (p) => texts.get(p) });
      const profile = profiles[round % profiles.length];
      let sets;
      try {
        sets = [...texts.keys()].flatMap((p) =>
          analyzer.setsContaining(p, samples.find((s) => path.join(dir, s.name) === p)!.kind),
        );
        const findings = runChecks(sets, { markerEnvironment: markerEnvironmentFor(profile), profile });
        for (const f of findings) {
          const text = texts.get(f.file);
          assert.ok(text !== undefined, `a finding in an unknown file ${f.file}`);
          assert.ok(
            f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= text.length,
            `span ${JSON.stringify(f.span)} outside ${f.file} (${text.length})`,
          );
          for (const fix of f.fixes)
            for (const e of fix.edits)
              assert.ok(
                e.span.start >= 0 && e.span.end <= (texts.get(e.file) ?? '').length,
                `fix edit outside ${e.file}`,
              );
        }
      } catch (e) {
        const dump = [...texts].map(([p, t]) => `--- ${p}\n${JSON.stringify(t)}`).join('\n');
        assert.fail(`round ${round}: ${(e as Error).stack}\n${dump}`);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
