// Generated dependency universes for the pip differential test and the resolver benchmarks: random small scenarios and
// an ML-like stack.
import { markerTextHolds, type MarkerEnvironment } from '../server/src/pep/marker';
import { canonicalizeName } from '../server/src/pep/name';
import { parseRequirement } from '../server/src/pep/requirement';
import { SpecifierSet } from '../server/src/pep/specifier';
import { Version } from '../server/src/pep/version';
import type { IndexPackage } from '../test/helpers/package-index';

/** Deterministic pseudo-random numbers (mulberry32), so every run generates the same scenarios. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated scenario: the releases it adds to the index and the top-level requirements to resolve. */
export interface Scenario {
  id: string;
  packages: IndexPackage[];
  requirements: string[];
  /**
   * The features the generator put in (`yanked`, `prerelease`, `requires-python`, `extra`, `marker`, `deep-conflict`,
   * ...).
   */
  features: string[];
}

/**
 * Wheel tags the generator uses, and whether each fits CPython 3.11 on linux x86_64 with glibc >= 2.17 (the
 * machine the differential test and the benchmark run on).
 */
export const WHEEL_TAGS: ReadonlyArray<{ tag: string; fitsLinuxCp311: boolean }> = [
  { tag: 'cp311-cp311-manylinux_2_17_x86_64', fitsLinuxCp311: true },
  { tag: 'cp39-abi3-manylinux2014_x86_64', fitsLinuxCp311: true },
  { tag: 'py2.py3-none-any', fitsLinuxCp311: true },
  { tag: 'cp312-cp312-manylinux_2_17_x86_64', fitsLinuxCp311: false },
  { tag: 'py3-none-win_amd64', fitsLinuxCp311: false },
  { tag: 'cp311-cp311-musllinux_1_1_x86_64', fitsLinuxCp311: false },
  { tag: 'cp311-cp311-manylinux_2_99_x86_64', fitsLinuxCp311: false },
];

const VERSION_POOL = ['0.1', '0.9', '1.0', '1.0.1', '1.1', '1.2', '1.5', '2.0', '2.1', '2.2.0', '3.0', '3.1', '4.0'];
const REQUIRES_PYTHON = ['>=3.12', '>=3.8', '<3.11', '>=3.11', '!=3.11.*', '>=3.7,<4', '~=3.10'];
const MARKERS = [
  'python_version < "3.10"',
  'python_version >= "3.8"',
  'sys_platform == "win32"',
  'sys_platform == "linux"',
  'python_version >= "3.8" and sys_platform != "darwin"',
  'platform_machine == "x86_64"',
  'os_name == "nt" or python_full_version >= "3.11.0"',
  'implementation_name == "pypy"',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** `ids` in a random order (Fisher–Yates). */
function shuffled<T>(r: () => number, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A specifier on a package whose releases are `versions`, with any operator (`""` for none), now and then naming
 * a version it does not have.
 */
function specifierWith(r: () => number, versions: readonly string[]): string {
  const pres = versions.filter((v) => Version.parse(v)!.isPrerelease);
  // Now and then a specifier that names a pre-release, which lets pip choose pre-releases of the project.
  if (pres.length > 0 && r() < 0.15) return `>=${pick(r, pres)}`;
  const finals = versions.filter((v) => !Version.parse(v)!.isPrerelease);
  const v = r() < 0.85 && finals.length > 0 ? pick(r, finals) : pick(r, VERSION_POOL);
  const major = v.split('.')[0]!;
  const op = pick(r, [
    '',
    '',
    '',
    '',
    '>=',
    '>=',
    '>=',
    '<=',
    '<',
    '>',
    '==',
    '!=',
    '!=',
    '~=',
    '==*',
    '!=*',
    '===',
    'range',
  ]);
  switch (op) {
    case '':
      return '';
    case '~=':
      return `~=${v.includes('.') ? v : `${v}.0`}`;
    case '==*':
      return `==${major}.*`;
    case '!=*':
      return `!=${major}.*`;
    case 'range': {
      const hi = pick(r, VERSION_POOL);
      return Version.parse(hi)!.compare(Version.parse(v)!) > 0 ? `>=${v},<${hi}` : `>=${hi},<${v}`;
    }
    default:
      return `${op}${v}`;
  }
}

/**
 * Generates `count` scenarios from `seed`: 3–12 packages of 1–6 releases each, dependencies with every operator,
 * extras, markers on python_version/sys_platform, requires-python, yanked files, pre-releases, wheels with tags
 * that do or do not fit, deep conflicts and graphs that resolve only after backtracking. Package names are
 * prefixed per scenario (`s07-p3`), so all scenarios can share one index.
 */
export function generateScenarios(count: number, seed = 20240501): Scenario[] {
  const out: Scenario[] = [];
  for (let i = 0; i < count; i++) out.push(generateScenario(i, seed));
  return out;
}

function generateScenario(i: number, seed: number): Scenario {
  const r = rng(seed * 1000 + i);
  const id = `s${String(i).padStart(2, '0')}`;
  const n = 3 + Math.floor(r() * 10);
  const names = Array.from({ length: n }, (_, j) => `${id}-p${j}`);
  const features = new Set<string>();
  // Releases per package, oldest first.
  const releases: string[][] = names.map(() => {
    const k = 1 + Math.floor(r() * 6);
    const vs = shuffled(r, VERSION_POOL)
      .slice(0, k)
      .sort((a, b) => Version.parse(a)!.compare(Version.parse(b)!));
    const roll = r();
    if (roll < 0.15) {
      const top = Version.parse(vs[vs.length - 1]!)!;
      vs.push(`${Number(top.release[0]!) + 1}.0${pick(r, ['a1', 'b2', 'rc1'])}`);
      features.add('prerelease');
    } else if (roll < 0.2) {
      vs.splice(0, vs.length, '1.0a1', '1.0b2');
      features.add('prerelease-only');
    } else if (roll < 0.27) {
      vs.push(`${vs[0]}.post1`);
      vs.sort((a, b) => Version.parse(a)!.compare(Version.parse(b)!));
      features.add('post-release');
    }
    return vs;
  });
  const packages: IndexPackage[] = [];
  for (let j = 0; j < n; j++) {
    for (const version of releases[j]!) {
      const deps: string[] = [];
      const extras: string[] = [];
      for (let m = j + 1; m < n; m++) {
        if (r() > 0.22) continue;
        let dep = names[m]! + specifierWith(r, releases[m]!);
        // pip 23.2 (packaging 21.3) reads `===1.0 ; marker` as the version `1.0;`, so `===` goes without a marker.
        if (r() < 0.15 && !dep.includes('===')) {
          dep += ` ; ${pick(r, MARKERS)}`;
          features.add('marker');
        }
        deps.push(dep);
      }
      if (j + 1 < n && r() < 0.2) {
        const m = j + 1 + Math.floor(r() * (n - j - 1));
        extras.push('fast');
        deps.push(`${names[m]}${specifierWith(r, releases[m]!).replace('===', '==')} ; extra == "fast"`);
        features.add('extra');
      }
      const pkg: IndexPackage = { name: names[j]!, version, dependencies: deps, extras };
      if (r() < 0.1) {
        pkg.requiresPython = pick(r, REQUIRES_PYTHON);
        features.add('requires-python');
      }
      if (r() < 0.1) {
        pkg.yanked = r() < 0.5 ? true : 'broken';
        features.add('yanked');
      }
      if (r() < 0.1) {
        pkg.tag = pick(r, WHEEL_TAGS).tag;
        features.add('wheel-tags');
      }
      packages.push(pkg);
    }
  }

  // A conflict deep in the graph in some scenarios: two branches that need incompatible versions of the last package.
  if (n >= 5 && r() < 0.3) {
    const last = names[n - 1]!;
    const lastVersions = releases[n - 1]!;
    const cut = lastVersions[lastVersions.length - 1]!;
    for (const p of packages) {
      if (p.name === names[1]) p.dependencies = [...(p.dependencies ?? []), `${last}<${cut}`];
      if (p.name === names[n - 2]) p.dependencies = [...(p.dependencies ?? []), `${last}>=${cut}`];
    }
    for (const p of packages) if (p.name === names[2]) p.dependencies = [...(p.dependencies ?? []), names[n - 2]!];
    features.add('deep-conflict');
  }
  // Newest releases that cannot be used, so the resolver must backtrack to older ones.
  if (r() < 0.35) {
    for (let j = 0; j < Math.min(n - 1, 3); j++) {
      const rel = releases[j]!;
      if (rel.length < 2) continue;
      const newest = rel[rel.length - 1]!;
      for (const p of packages)
        if (p.name === names[j] && p.version === newest)
          p.dependencies = [...(p.dependencies ?? []), `${names[n - 1]}>=99`];
    }
    features.add('backtrack');
  }

  const requirements: string[] = [];
  const rootCount = 1 + Math.floor(r() * 4);
  for (const j of shuffled(r, [...Array(Math.min(n, 4)).keys()]).slice(0, rootCount)) {
    // Now and then the name as a person might write it: case and separators differ, normalization must match.
    const name = r() < 0.15 ? names[j]!.toUpperCase().replace(/-/g, '_') : names[j]!;
    const hasExtra = packages.some((p) => p.name === names[j] && p.extras?.length);
    let line = name + (hasExtra && r() < 0.6 ? '[fast]' : '');
    const yanked = packages.find((p) => p.name === names[j] && p.yanked);
    if (yanked && r() < 0.5) {
      line += `==${yanked.version}`;
      features.add('pinned-yanked');
    } else line += specifierWith(r, releases[j]!);
    if (r() < 0.1 && !line.includes('===')) line += ` ; ${pick(r, MARKERS)}`;
    requirements.push(line);
  }
  if (r() < 0.04) {
    requirements.push(`${id}-missing>=1`);
    features.add('not-found');
  }
  return { id, packages, requirements, features: [...features].sort() };
}

/**
 * What must hold of an installation that claims to satisfy `requirements` over `packages`: every applicable
 * requirement (roots, then dependencies of what is installed, with the extras asked for) is installed at a version
 * its specifier admits, each installed release exists, fits the target's Python and has a wheel that fits, and
 * nothing else is installed.
 * Returns the violations (empty when the installation is consistent). `versions`: normalized name -> version.
 */
export function violations(
  packages: readonly IndexPackage[],
  requirements: readonly string[],
  versions: ReadonlyMap<string, string>,
  env: MarkerEnvironment,
): string[] {
  const out: string[] = [];
  const python = Version.parse(env['python_full_version']!)!;
  const release = (name: string, version: string): IndexPackage | undefined =>
    packages.find(
      (p) => canonicalizeName(p.name) === name && Version.parse(p.version)!.equals(Version.parse(version)!),
    );
  const holds = (marker: string, extra: string): boolean => markerTextHolds(marker, env, extra);
  const extrasOf = new Map<string, Set<string>>();
  const checked = new Set<string>();
  const queue: Array<{ text: string; from: string; extra: string }> = requirements.map((text) => ({
    text,
    from: 'requirements.txt',
    extra: '',
  }));
  const visit = (name: string): void => {
    const v = versions.get(name)!;
    const rel = release(name, v);
    if (!rel) {
      out.push(`${name} ${v} is not a release of the index`);
      return;
    }
    if (rel.requiresPython && !SpecifierSet.parse(rel.requiresPython).contains(python, true))
      out.push(`${name} ${v} requires Python ${rel.requiresPython}`);
    if (rel.tag && !WHEEL_TAGS.find((t) => t.tag === rel.tag)?.fitsLinuxCp311)
      out.push(`${name} ${v} has only a ${rel.tag} wheel`);
    for (const d of rel.dependencies ?? [])
      for (const extra of ['', ...(extrasOf.get(name) ?? [])]) queue.push({ text: d, from: `${name} ${v}`, extra });
  };
  while (queue.length > 0) {
    const { text, from, extra } = queue.shift()!;
    const req = parseRequirement(text);
    if (!holds(req.markerText, extra)) continue;
    const name = canonicalizeName(req.name);
    const v = versions.get(name);
    if (v === undefined) {
      out.push(`${from} needs ${text}, which is not installed`);
      continue;
    }
    if (!SpecifierSet.parse(req.specifier).contains(Version.parse(v)!, true))
      out.push(`${from} needs ${text}, but ${name} ${v} is installed`);
    const want = extrasOf.get(name) ?? new Set<string>();
    let grew = false;
    for (const x of req.extras.map(canonicalizeName))
      if (!want.has(x)) {
        want.add(x);
        grew = true;
      }
    extrasOf.set(name, want);
    if (!checked.has(name)) {
      checked.add(name);
      visit(name);
    } else if (grew) {
      const rel = release(name, v);
      for (const d of rel?.dependencies ?? [])
        for (const x of want) queue.push({ text: d, from: `${name} ${v}`, extra: x });
    }
  }
  for (const name of versions.keys()) if (!checked.has(name)) out.push(`${name} is installed but nothing requires it`);
  return out;
}

// --- An ML-like stack of about 100 packages ------------------------------------------------------

const ML_NAMES = [
  'torch',
  'tensorflow',
  'transformers',
  'jax',
  'scikit-learn',
  'pandas',
  'lightning',
  'keras',
  'datasets',
  'accelerate',
  'diffusers',
  'xgboost',
  'lightgbm',
  'optuna',
  'mlflow',
  'wandb',
  'ray',
  'torchvision',
  'torchaudio',
  'sentence-transformers',
  'peft',
  'evaluate',
  'tokenizers',
  'safetensors',
  'huggingface-hub',
  'jaxlib',
  'flax',
  'optax',
  'orbax',
  'chex',
  'tensorboard',
  'tf-keras',
  'onnx',
  'onnxruntime',
  'scipy',
  'numpy',
  'matplotlib',
  'seaborn',
  'statsmodels',
  'sympy',
  'networkx',
  'pillow',
  'opencv-python',
  'imageio',
  'scikit-image',
  'numba',
  'llvmlite',
  'pyarrow',
  'polars',
  'fsspec',
  'aiohttp',
  'requests',
  'urllib3',
  'certifi',
  'idna',
  'charset-normalizer',
  'tqdm',
  'pyyaml',
  'regex',
  'filelock',
  'packaging',
  'typing-extensions',
  'protobuf',
  'grpcio',
  'absl-py',
  'h5py',
  'ml-dtypes',
  'opt-einsum',
  'wrapt',
  'gast',
  'termcolor',
  'flatbuffers',
  'astunparse',
  'six',
  'jinja2',
  'markupsafe',
  'click',
  'rich',
  'pygments',
  'markdown-it-py',
  'mdurl',
  'pydantic',
  'pydantic-core',
  'annotated-types',
  'attrs',
  'multidict',
  'yarl',
  'frozenlist',
  'aiosignal',
  'psutil',
  'joblib',
  'threadpoolctl',
  'cloudpickle',
  'dill',
  'multiprocess',
  'xxhash',
  'python-dateutil',
  'pytz',
  'tzdata',
  'kiwisolver',
];

/**
 * An ML-like universe over `ML_NAMES` (100 projects, 6 releases each): every project needs two to five projects
 * further down the list with lower bounds that rise with its own version and now and then an upper cap, so the
 * newest releases do not always fit together and the resolver backtracks. The oldest releases always fit, so the
 * stack resolves. `requirements`: the first 15 projects, unpinned or with a lower bound.
 */
export function mlStack(seed = 11): { packages: IndexPackage[]; requirements: string[] } {
  const r = rng(seed);
  const VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '2.0.0', '2.1.0', '3.0.0'];
  const n = ML_NAMES.length;
  const dependsOn: number[][] = ML_NAMES.map((_, i) => {
    const set = new Set<number>();
    const k = i + 1 < n ? 2 + Math.floor(r() * 4) : 0;
    for (let t = 0; t < k * 3 && set.size < k; t++) {
      const j = i + 1 + Math.floor(r() * Math.min(25, n - i - 1));
      if (j < n) set.add(j);
    }
    return [...set].sort((a, b) => a - b);
  });
  // Every project is needed by someone above it, so the closure of the roots is the whole list.
  for (let j = 15; j < n; j++)
    if (!dependsOn.some((d) => d.includes(j)))
      dependsOn[Math.max(0, j - 1 - Math.floor(r() * Math.min(j, 10)))]!.push(j);
  const packages: IndexPackage[] = [];
  for (let i = 0; i < n; i++) {
    VERSIONS.forEach((version, vi) => {
      const deps = dependsOn[i]!.map((j) => {
        // Lower bounds rise with the depender's version but the oldest depender asks only for the oldest release.
        const lo = VERSIONS[Math.min(VERSIONS.length - 1, Math.floor(vi * r()))]!;
        const cap = vi > 0 && r() < 0.08 ? `,<${VERSIONS[2 + Math.floor(r() * 4)]}` : '';
        return `${ML_NAMES[j]}>=${lo}${cap}`;
      });
      if (r() < 0.2) deps.push(`${ML_NAMES[Math.min(n - 1, i + 1)]}; python_version < "3.8"`);
      packages.push({
        name: ML_NAMES[i]!,
        version,
        dependencies: deps,
        ...(vi === 0 ? { requiresPython: '>=3.8' } : {}),
      });
    });
  }
  const requirements = ML_NAMES.slice(0, 15).map((name, i) => (i % 3 === 0 ? `${name}>=1.1` : name));
  return { packages, requirements };
}
