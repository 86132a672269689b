// The Python a set is judged for when its root names one: an environment.yml's pin, a project's requires-python.
import { SpecifierSet } from '../pep/specifier';
import { pixiManifestOf } from '../model/pixi';
import type { ParsedFile } from '../model/types';

/**
 * The Python a set rooted at `root` installs where its root says: a project's requires-python (pip and uv refuse to
 * install it on another), an environment's or pixi manifest's solve (`solved`), else its pin; null: the machine's own.
 */
export function pythonOfRoot(
  root: ParsedFile | undefined,
  machine: string | undefined,
  solved: () => string | null,
): string | null {
  const pixi = root ? pixiManifestOf(root) !== null : false;
  if (root?.kind === 'pyproject' && !pixi)
    return root.requiresPython ? pythonOfRange(root.requiresPython, machine) : null;
  if (root?.kind !== 'conda' && !pixi) return null;
  return solved() ?? (root!.requiresPython ? pythonOfPin(root!.requiresPython, machine) : null);
}

/** CPython minor versions conda channels carry, newest first: what a range pin (`python>=3.9`) may install. */
const PYTHONS = ['3.14', '3.13', '3.12', '3.11', '3.10', '3.9', '3.8', '3.7', '3.6', '3.5', '2.7'];

/**
 * The Python version an environment.yml's pin installs: the exact version where one is pinned (`==3.8.5.*`),
 * else the target's own Python when the pin admits it, else the newest minor the pin admits; null when none.
 */
export function pythonOfPin(pin: string, current: string | undefined): string | null {
  const exact = /^==\s*(\d+\.\d+(?:\.\d+)?)(?:\.\*)?$/.exec(pin.trim());
  if (exact) return exact[1]!;
  const spec = specifiersOf(pin);
  if (!spec) return null;
  if (current && spec.contains(current, true)) return current;
  for (const minor of PYTHONS) {
    const candidate = `${minor}.0`;
    if (spec.contains(candidate, true)) return candidate;
  }
  return null;
}

/**
 * The Python a project whose `requires-python` is `range` is judged for: the target's own when the range allows it,
 * else the lowest version the range allows (uv resolves for the whole range, from its lower end); null when the range
 * allows no known CPython.
 */
export function pythonOfRange(range: string, current: string | undefined): string | null {
  const spec = specifiersOf(range);
  if (!spec) return null;
  if (current && spec.contains(current, true)) return current;
  // Each minor's first release and the versions the range names (and the next micro, for `>3.12.1`).
  const candidates = new Set(PYTHONS.map((m) => `${m}.0`));
  for (const s of spec.specifiers) {
    const v = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(s.version);
    if (!v) continue;
    const micro = Number(v[3] ?? 0);
    candidates.add(`${v[1]}.${v[2]}.${micro}`);
    candidates.add(`${v[1]}.${v[2]}.${micro + 1}`);
  }
  const allowed = [...candidates].filter((c) => spec.contains(c, true));
  allowed.sort((a, b) => {
    const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  });
  return allowed[0] ?? null;
}

/** The specifier set of a pin or range; null where it does not parse. */
function specifiersOf(text: string): SpecifierSet | null {
  try {
    return SpecifierSet.parse(text);
  } catch {
    return null;
  }
}
