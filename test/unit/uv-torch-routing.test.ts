// How a uv project routes torch and the packages built with it, judged statically (cuda-unavailable, cuda-mix,
// cuda-driver). uv's semantics, from its docs:
// - https://docs.astral.sh/uv/guides/integration/pytorch/ ("Configuring accelerators with optional dependencies":
//   sources with `extra = "..."` apply only when that extra is requested; "Using a PyTorch index": torch, torchvision
//   and torchaudio are routed to the same index);
// - https://docs.astral.sh/uv/concepts/projects/dependencies/ ("Default groups": `uv sync` installs `dev` unless
//   `tool.uv.default-groups` says otherwise; "Dependency sources": a source with `group = "..."` applies to that group);
// - https://docs.astral.sh/uv/concepts/indexes/ ("Pinning a package to an index", explicit indexes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../server/src/checks/registry';
import { applyFixOf, byCode, contextFor, expectFindings, profile } from '../helpers/check-kit';

const P = '/w/app/pyproject.toml';
const CU121 = 'https://download.pytorch.org/whl/cu121';
const CU118 = 'https://download.pytorch.org/whl/cu118';
const index = (name: string, url: string, explicit = true) =>
  `[[tool.uv.index]]\nname = "${name}"\nurl = "${url}"\n${explicit ? 'explicit = true\n' : ''}\n`;

describe('uv torch routing', () => {
  it('torch routed to a CUDA index only with an extra: a bare uv sync installs it from PyPI', () => {
    expectFindings({
      [P]:
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2"]\n' +
        '[project.optional-dependencies]\ngpu = []\n\n' +
        '[tool.uv.sources]\ntorch = [\n' +
        '  ⟦{ index = "pytorch-cu121", extra = "gpu" }⟧⟨cuda-unavailable: only with the extra \'gpu\'⟩,\n]\n\n' +
        index('pytorch-cu121', CU121),
    });
  });

  it('routed only with a non-default group: the fix adds the group to default-groups, and then all is well', () => {
    const { set, findings } = expectFindings({
      [P]:
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2"]\n' +
        '[dependency-groups]\ngpu = []\n\n' +
        '[tool.uv.sources]\n' +
        'torch = [⟦{ index = "pytorch-cu121", group = "gpu" }⟧⟨cuda-unavailable: A bare uv sync installs torch from PyPI, not from pytorch-cu121⟩]\n\n' +
        index('pytorch-cu121', CU121),
    });
    const f = byCode(findings, 'cuda-unavailable')[0]!;
    assert.match(f.fixes[0]!.title, /default-groups/);
    const fixed = applyFixOf(set, f);
    // uv installs `dev` by default only where the project has it; this one has not, and uv refuses an undefined group.
    assert.match(fixed.files[0]!.text, /default-groups = \["gpu"\]/);
    assert.deepEqual(byCode(runChecks([fixed], contextFor(fixed)), 'cuda-unavailable'), []);
  });

  it('a group uv sync installs by default (dev) routes torch for the bare sync: nothing to say', () => {
    expectFindings(
      {
        [P]:
          '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2"]\n' +
          '[dependency-groups]\ndev = []\n\n' +
          '[tool.uv.sources]\ntorch = [{ index = "pytorch-cu121", group = "dev" }]\n\n' +
          index('pytorch-cu121', CU121),
      },
      { codes: ['cuda-unavailable', 'cuda-mix'] },
    );
  });

  it('torchvision left on PyPI while torch comes from the CUDA index: cuda-mix, fixed by routing it alike', () => {
    const { set, findings } = expectFindings({
      [P]:
        '[project]\nname = "app"\nversion = "0"\n' +
        'dependencies = ["torch==2.1.2", "⟦torchvision==0.16.2⟧⟨cuda-mix: torchvision is taken from the main index⟩"]\n\n' +
        '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n\n' +
        index('pytorch-cu121', CU121),
    });
    const f = byCode(findings, 'cuda-mix')[0]!;
    const fixed = applyFixOf(set, f);
    assert.match(fixed.files[0]!.text, /torchvision = \{ index = "pytorch-cu121" \}\ntorch = /);
    assert.deepEqual(byCode(runChecks([fixed], contextFor(fixed)), 'cuda-mix'), []);
  });

  it('torchaudio routed to another CUDA variant than torch: cuda-mix on its source and on both index URLs', () => {
    const { set, findings } = expectFindings({
      [P]:
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2", "torchaudio==2.1.2"]\n\n' +
        '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n' +
        'torchaudio = ⟦{ index = "pytorch-cu118" }⟧⟨cuda-mix: torchaudio is taken from pytorch-cu118 (CUDA 11.8)⟩\n\n' +
        `[[tool.uv.index]]\nname = "pytorch-cu121"\nurl = "⟦${CU121}⟧⟨cuda-mix: CUDA 12.1⟩"\nexplicit = true\n\n` +
        `[[tool.uv.index]]\nname = "pytorch-cu118"\nurl = "⟦${CU118}⟧⟨cuda-mix: CUDA 11.8⟩"\nexplicit = true\n`,
    });
    const onSource = byCode(findings, 'cuda-mix').find((f) =>
      f.message.startsWith('torchaudio and torch come from different indexes: pytorch-cu118 and pytorch-cu121\n'),
    )!;
    const fixed = applyFixOf(set, onSource);
    assert.match(fixed.files[0]!.text, /torchaudio = \{ index = "pytorch-cu121" \}/);
    assert.deepEqual(byCode(runChecks([fixed], contextFor(fixed)), 'cuda-mix'), []);
  });

  it('the routed index stands for a CUDA build: cuda-driver on its URL for a driver too old, fixed to cu118', () => {
    const old = { nvidia: { driver: '470.182.03', cuda: '11.4', gpus: [] } };
    const { findings } = expectFindings(
      {
        [P]:
          '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2"]\n\n' +
          '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n\n' +
          `[[tool.uv.index]]\nname = "pytorch-cu121"\nurl = "⟦${CU121}⟧⟨cuda-driver: needs⟩"\nexplicit = true\n`,
      },
      { context: { profile: profile(old) } },
    );
    const f = byCode(findings, 'cuda-driver')[0]!;
    assert.deepEqual(
      f.fixes[0]?.edits.map((e) => e.newText),
      ['cu118'],
    );
  });

  it('an index nothing is routed to, explicit, stands for no build', () => {
    expectFindings(
      {
        [P]:
          '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2"]\n\n' + index('pytorch-cu121', CU121),
      },
      { codes: ['cuda-driver', 'cuda-unavailable', 'cuda-mix'], context: { profile: profile({ nvidia: null }) } },
    );
  });

  it('torch routed to a CUDA index on a machine without an NVIDIA driver: cuda-unavailable on the index URL', () => {
    expectFindings(
      {
        [P]:
          '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2"]\n\n' +
          '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n\n' +
          `[[tool.uv.index]]\nname = "pytorch-cu121"\nurl = "⟦${CU121}⟧⟨cuda-unavailable: no NVIDIA GPU⟩"\n` +
          'explicit = true\n',
      },
      { context: { profile: profile({ nvidia: null }) } },
    );
  });
});
