// An independent statement of Poetry's content hash in Python (poetry/packages/locker.py, `_get_content_hash`: the
// relevant `[project]`, `[dependency-groups]` and `[tool.poetry]` content, `json.dumps(…, sort_keys=True)`, SHA-256),
// run by python3 with tomllib, so the TypeScript hash is held to Python's own TOML reading and JSON writing.
import { spawnSync } from 'node:child_process';

const SCRIPT = `
import sys, json, hashlib, tomllib
legacy = ["dependencies", "source", "extras", "dev-dependencies"]
data = tomllib.loads(sys.stdin.read())
with_groups = sys.argv[1] == "1"
project = data.get("project", {})
groups = data.get("dependency-groups", {}) if with_groups else {}
poetry = data.get("tool", {}).get("poetry", {})
relevant_project = {k: project[k] for k in ("requires-python", "dependencies", "optional-dependencies") if project.get(k) is not None}
relevant_poetry = {}
for k in legacy + ["group"]:
    v = poetry.get(k)
    if v is None and (k not in legacy or relevant_project or groups):
        continue
    relevant_poetry[k] = v
content = {}
if relevant_project:
    content["project"] = relevant_project
if groups:
    content["dependency-groups"] = groups
if content:
    content["tool"] = {"poetry": relevant_poetry}
else:
    content = relevant_poetry
print(hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest())
`;

/** Poetry's content hash of a pyproject's text, as Python computes it. */
export function poetryHashOracle(pyproject: string, withGroups = true): string {
  const r = spawnSync('python3', ['-I', '-c', SCRIPT, withGroups ? '1' : '0'], { input: pyproject, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}
