// index-routing: a PyTorch index a uv project does not mark `explicit = true`. uv's PyTorch guide
// (https://docs.astral.sh/uv/guides/integration/pytorch/, "Using a PyTorch index") recommends `explicit = true` "to
// ensure that the index is only used for torch, torchvision, and other PyTorch-related packages"; without it, uv's
// default first-index strategy (https://docs.astral.sh/uv/concepts/indexes/, "Searching across multiple indexes")
// takes every package the index carries from it alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../../server/src/checks/registry';
import { applyFixOf, byCode, contextFor, expectFindings } from '../../helpers/check-kit';

const P = '/w/app/pyproject.toml';
const CU121 = 'https://download.pytorch.org/whl/cu121';

describe('index-routing', () => {
  it('flags a PyTorch index that is not explicit; the fix marks it and routes torch to it, verified', () => {
    const { set, findings } = expectFindings({
      [P]:
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2", "numpy"]\n\n' +
        '[tool.uv.sources]\nmylib = { path = "../mylib" }\n\n' +
        `[[tool.uv.index]]\nname = "⟦pytorch-cu121⟧⟨index-routing: is not explicit = true⟩"\nurl = "${CU121}"\n`,
    });
    const f = byCode(findings, 'index-routing')[0]!;
    const fixed = applyFixOf(set, f);
    assert.match(fixed.files[0]!.text, /\[tool\.uv\.sources\]\ntorch = \{ index = "pytorch-cu121" \}\n/);
    assert.match(fixed.files[0]!.text, /url = "[^"]+"\nexplicit = true\n/);
    assert.deepEqual(byCode(runChecks([fixed], contextFor(fixed)), 'index-routing'), []);
    // torch is still taken from the CUDA index after the fix: no split, no bare-sync miss.
    assert.deepEqual(
      runChecks([fixed], contextFor(fixed)).filter((x) => x.code.startsWith('cuda-')),
      [],
    );
  });

  it('says nothing of an explicit index, the default one, or an index that is not PyTorch', () => {
    expectFindings(
      {
        [P]:
          '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2"]\n\n' +
          '[tool.uv.sources]\ntorch = { index = "pytorch-cu121" }\n\n' +
          `[[tool.uv.index]]\nname = "pytorch-cu121"\nurl = "${CU121}"\nexplicit = true\n\n` +
          '[[tool.uv.index]]\nname = "cpu"\nurl = "https://download.pytorch.org/whl/cpu"\ndefault = true\n\n' +
          '[[tool.uv.index]]\nname = "corp"\nurl = "https://pypi.corp.example/simple"\n',
      },
      { codes: ['index-routing'] },
    );
  });

  it('offers no fix it cannot check: torch taken from the index unrouted and no [tool.uv.sources] table', () => {
    const { findings } = expectFindings({
      [P]:
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["torch==2.1.2"]\n\n' +
        `[[tool.uv.index]]\nname = "⟦pytorch-cu121⟧⟨index-routing: PyPI⟩"\nurl = "${CU121}"\n`,
    });
    assert.deepEqual(byCode(findings, 'index-routing')[0]!.fixes, []);
  });
});
