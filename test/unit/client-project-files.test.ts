// The client's installer reads what the analysis reads: a pyproject through the server's parser (Poetry's extras and
// groups included) and the folder's files by the file-kind rows' install roles, so a row is all a new kind needs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findDependencyFiles, readPyprojectInfo } from '../../client/src/environments/dependency-files';
import { EnvironmentError } from '../../client/src/environments/errors';
import { registerFileKind } from '../../server/src/workspace/file-kinds';
import { PINS_ROW } from '../helpers/throwaway-kind';

const POETRY = `[tool.poetry]
name = "vision-app"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.10"
torch = "^2.2"
pillow = { version = ">=10", optional = true }

[tool.poetry.extras]
Images = ["pillow"]

[tool.poetry.group.test.dependencies]
pytest = "^8.1"
hypothesis = { version = "^6.100", markers = "python_version >= '3.11'" }

[dependency-groups]
lint = ["ruff>=0.4"]
ci = [{ include-group = "lint" }, "coverage"]

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
`;

describe("the client's view of a project folder", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-client-files-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a Poetry project: its name, Poetry's extras and groups (translated), the standard groups pip's --group reads", () => {
    const file = path.join(dir, 'pyproject.toml');
    fs.writeFileSync(file, POETRY);
    const info = readPyprojectInfo(file);
    assert.equal(info.name, 'vision-app');
    assert.equal(info.requiresPython, '>=3.10,<4.0');
    assert.deepEqual(info.extras, ['images']);
    assert.deepEqual(
      [...info.groups.entries()],
      [
        ['lint', ['ruff>=0.4']],
        ['ci', ['ruff>=0.4', 'coverage']],
        ['test', ['pytest>=8.1,<9.0', "hypothesis>=6.100,<7.0; python_version >= '3.11'"]],
      ],
    );
    assert.deepEqual([...info.standardGroups].sort(), ['ci', 'lint']);
    assert.equal(info.installable, true);
  });

  it('refuses a pyproject whose groups include each other, naming the line', () => {
    const file = path.join(dir, 'cycle', 'pyproject.toml');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, '[dependency-groups]\na = [{ include-group = "b" }]\nb = [{ include-group = "a" }]\n');
    assert.throws(
      () => readPyprojectInfo(file),
      (e: unknown) => e instanceof EnvironmentError && /line 2: .*include cycle/.test(e.message),
    );
  });

  it("finds a folder's files by the rows' install roles: a kind whose row installs like requirements is offered", async () => {
    const folder = path.join(dir, 'pins');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'deps.pins'), 'numpy\n');
    fs.writeFileSync(path.join(folder, 'requirements.txt'), 'requests\n');
    fs.writeFileSync(path.join(folder, 'constraints.txt'), 'requests<3\n');
    fs.writeFileSync(path.join(folder, 'env.yml'), 'name: x\ndependencies:\n  - python=3.11\n');
    const unregister = registerFileKind({ ...PINS_ROW, install: true, installAs: 'requirements' });
    try {
      const files = await findDependencyFiles(folder);
      assert.deepEqual(
        files.requirements.map((f) => path.basename(f)),
        ['deps.pins', 'requirements.txt'],
      );
      assert.deepEqual(
        files.constraints.map((f) => path.basename(f)),
        ['constraints.txt'],
      );
      assert.deepEqual(
        files.environmentYml.map((f) => path.basename(f)),
        ['env.yml'],
      );
    } finally {
      unregister();
    }
    const without = await findDependencyFiles(folder);
    assert.deepEqual(
      without.requirements.map((f) => path.basename(f)),
      ['requirements.txt'],
    );
  });
});
