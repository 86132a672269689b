// conda, mamba and micromamba: finding them, the argument lists each documents, listing, creating and updating
// environments, and an environment.yml's pip part run by pip.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { readEnvironment, type PythonEnvironment } from './environment';
import { EnvironmentError } from './errors';
import { runPip, type IndexOptions, indexArgs } from './pip';
import { failureMessage, runProcess, type RunContext } from './process';
import { withTarget } from './target';

/** The conda front ends. mamba 1.x takes conda's arguments; mamba 2.x and micromamba share one command line. */
export type CondaKind = 'conda' | 'mamba' | 'micromamba';

/** A conda front end found on this machine. */
export interface CondaManager {
  kind: CondaKind;
  /** Absolute path of the executable. */
  path: string;
  source: 'configured' | 'CONDA_EXE' | 'MAMBA_EXE' | 'PATH' | 'install-folder';
}

/** Where an environment is: a prefix folder (`-p`) or a name in the manager's envs folders (`-n`). */
export type CondaTarget = { prefix: string } | { name: string };

function targetArgs(t: CondaTarget): string[] {
  return 'prefix' in t ? ['-p', t.prefix] : ['-n', t.name];
}

/**
 * `-y` where the front end would otherwise ask (conda's `env create`/`env update` never ask; mamba 2 and micromamba
 * do).
 */
function yes(kind: CondaKind): string[] {
  return kind === 'conda' ? [] : ['-y'];
}

/**
 * The argument lists (after the executable) each front end documents:
 * conda `env create -f FILE -p PREFIX` / `-n NAME`, `create -y -p PREFIX python=X`, `env update -f FILE -p PREFIX
 * --prune`;
 * mamba the same with `-y` (mamba 2 asks otherwise); micromamba `create -y -f FILE` (its `env create` is only an
 * alias),
 * `env update -y -f FILE --prune`, `env list --json` as conda.
 */
export const condaArgs = {
  /** Create an environment from an environment.yml. */
  createFromFile(kind: CondaKind, file: string, target: CondaTarget): string[] {
    return kind === 'micromamba'
      ? ['create', '-y', '-f', file, ...targetArgs(target)]
      : ['env', 'create', ...yes(kind), '-f', file, ...targetArgs(target)];
  },
  /**
   * Create an environment with these match specs (`python=3.11`, ...); `channels` become `-c` options (micromamba has
   * no default channel).
   */
  create(target: CondaTarget, specs: readonly string[], channels: readonly string[] = []): string[] {
    return ['create', '-y', ...targetArgs(target), ...channels.flatMap((c) => ['-c', c]), ...specs];
  },
  /** Bring an existing environment to an environment.yml; `prune` removes what the file no longer lists. */
  updateFromFile(kind: CondaKind, file: string, target: CondaTarget, prune = true): string[] {
    return ['env', 'update', ...yes(kind), '-f', file, ...targetArgs(target), ...(prune ? ['--prune'] : [])];
  },
  /** List environments as JSON (`{"envs": [prefix, ...]}`). */
  envList(): string[] {
    return ['env', 'list', '--json'];
  },
  /** Remove an environment entirely. */
  remove(target: CondaTarget): string[] {
    return ['env', 'remove', '-y', ...targetArgs(target)];
  },
};

/** The front end an executable is, by its file name; undefined for other names. */
export function condaKindOf(path: string): CondaKind | undefined {
  const base = nodePath
    .basename(path)
    .toLowerCase()
    .replace(/\.(exe|bat|cmd)$/, '');
  return base === 'conda' || base === 'mamba' || base === 'micromamba' ? base : undefined;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    if (process.platform !== 'win32') await fs.access(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link findCondaManagers}. */
export interface FindCondaOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homeDir?: string;
  /** Executables named by the user (a setting); only in a trusted workspace. */
  extraPaths?: readonly string[];
  /** Whether to look in the usual install folders (default true). */
  searchInstallFolders?: boolean;
}

/**
 * Finds conda, mamba and micromamba: `extraPaths`, `CONDA_EXE`, `MAMBA_EXE`, PATH, then the usual install
 * folders (miniconda3, anaconda3, miniforge3, mambaforge, micromamba, /opt/conda, Homebrew, ~/.local/bin).
 * Each executable once (by real path), in that order.
 */
export async function findCondaManagers(options: FindCondaOptions = {}): Promise<CondaManager[]> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.homeDir ?? os.homedir();
  const win = platform === 'win32';
  const join = win ? nodePath.win32.join : nodePath.posix.join;
  const names = win ? ['conda.exe', 'mamba.exe', 'micromamba.exe', 'conda.bat'] : ['conda', 'mamba', 'micromamba'];
  const candidates: Array<{ path: string; source: CondaManager['source'] }> = [];
  for (const p of options.extraPaths ?? []) candidates.push({ path: p, source: 'configured' });
  if (env.CONDA_EXE) candidates.push({ path: env.CONDA_EXE, source: 'CONDA_EXE' });
  if (env.MAMBA_EXE) candidates.push({ path: env.MAMBA_EXE, source: 'MAMBA_EXE' });
  for (const dir of (env.PATH ?? env.Path ?? '').split(win ? ';' : ':')) {
    if (dir) for (const n of names) candidates.push({ path: join(dir, n), source: 'PATH' });
  }
  if (options.searchInstallFolders !== false) {
    const roots = ['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge', 'micromamba', '.conda'].map((r) =>
      join(home, r),
    );
    if (!win) roots.push('/opt/conda', '/opt/miniconda3', '/opt/miniforge3', '/usr/local/miniconda3');
    for (const r of roots)
      for (const n of names)
        candidates.push({
          path: join(r, win ? (n.startsWith('micromamba') ? '' : 'Scripts') : 'bin', n),
          source: 'install-folder',
        });
    if (!win) {
      for (const d of [join(home, '.local', 'bin'), '/opt/homebrew/bin', '/usr/local/bin'])
        candidates.push({ path: join(d, 'micromamba'), source: 'install-folder' });
    }
  }
  const out: CondaManager[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const kind = condaKindOf(c.path);
    if (!kind || !(await isExecutable(c.path))) continue;
    let real: string;
    try {
      real = await fs.realpath(c.path);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push({ kind, path: c.path, source: c.source });
  }
  return out;
}

/** The environments a manager knows (`env list --json`), read from their folders. */
export async function listCondaEnvironments(manager: CondaManager, ctx: RunContext = {}): Promise<PythonEnvironment[]> {
  const r = await runProcess(manager.path, condaArgs.envList(), {
    env: ctx.env,
    signal: ctx.signal,
    timeoutMs: ctx.timeoutMs ?? 60_000,
    captureStdout: true,
  });
  if (r.exitCode !== 0)
    throw new EnvironmentError('failed', failureMessage(`${manager.kind} env list`, r), {
      command: [manager.path, ...condaArgs.envList()],
      exitCode: r.exitCode,
      lastLines: r.lastLines,
    });
  let envs: unknown;
  try {
    envs = (JSON.parse(r.stdout) as { envs?: unknown }).envs;
  } catch {
    throw new EnvironmentError('failed', `${manager.kind} env list --json printed no JSON.`, {
      lastLines: r.lastLines,
    });
  }
  const out: PythonEnvironment[] = [];
  for (const p of Array.isArray(envs) ? envs : []) {
    if (typeof p !== 'string') continue;
    const e = await readEnvironment(p, 'conda');
    if (e) out.push(e);
  }
  return out;
}

/** An environment.yml split into its conda part (the YAML without the `pip:` entry) and the `pip:` lines. */
export interface SplitEnvironmentYml {
  /** The YAML without the `pip:` entry (comments kept); the original text when it has none. */
  condaText: string;
  /** The `pip:` list's lines (requirements and options such as `-r`, `--index-url`), in order. */
  pipLines: string[];
  hasPipPart: boolean;
}

/**
 * Splits an environment.yml's `pip:` part from its conda part. Throws `invalid-request` when the YAML cannot be read.
 */
export function splitEnvironmentYml(text: string): SplitEnvironmentYml {
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new EnvironmentError(
      'invalid-request',
      `The environment file is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
    );
  const root = doc.contents;
  const deps = isMap(root) ? root.get('dependencies', true) : undefined;
  if (!isSeq(deps)) return { condaText: text, pipLines: [], hasPipPart: false };
  const pipLines: string[] = [];
  let found = false;
  for (let i = deps.items.length - 1; i >= 0; i--) {
    const item = deps.items[i];
    if (!isMap(item) || !item.has('pip')) continue;
    const list = item.get('pip', true);
    const lines: string[] = [];
    if (isSeq(list)) for (const l of list.items) if (isScalar(l) && l.value !== null) lines.push(String(l.value));
    pipLines.unshift(...lines);
    deps.items.splice(i, 1);
    found = true;
  }
  return found
    ? { condaText: doc.toString(), pipLines, hasPipPart: true }
    : { condaText: text, pipLines: [], hasPipPart: false };
}

/** Options shared by conda creation and update. */
export interface CondaRunOptions extends RunContext {
  manager: CondaManager;
  target: CondaTarget;
  /** Index options for the environment.yml's pip part (the file's own pip options are honoured by pip). */
  index?: IndexOptions;
  /** Run the pip part with another interpreter's pip (`--python`) instead of the environment's own. */
  pipPython?: string;
}

/**
 * Writes the conda part to a temporary file and the pip part next to the environment.yml (as conda does, so its
 * relative paths hold); `cleanup` removes both.
 */
async function stageEnvironmentYml(
  file: string,
): Promise<{ condaFile: string; pipFile: string | null; cleanup: () => Promise<void> }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new EnvironmentError('invalid-request', `Could not read ${file}: ${(e as Error).message}`);
  }
  const split = splitEnvironmentYml(text);
  if (!split.hasPipPart) return { condaFile: file, pipFile: null, cleanup: async () => undefined };
  const tmp = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'stack-doctor-conda-'));
  const condaFile = nodePath.join(tmp, nodePath.basename(file));
  await fs.writeFile(condaFile, split.condaText);
  const pipFile = nodePath.join(
    nodePath.dirname(file),
    `.stack-doctor-pip.${process.pid}.${Date.now()}.requirements.txt`,
  );
  await fs.writeFile(pipFile, split.pipLines.join('\n') + '\n');
  return {
    condaFile,
    pipFile,
    cleanup: async () => {
      await fs.rm(tmp, { recursive: true, force: true });
      await fs.rm(pipFile, { force: true });
    },
  };
}

async function runConda(
  what: string,
  manager: CondaManager,
  args: string[],
  ctx: RunContext & { cwd?: string },
): Promise<void> {
  const r = await runProcess(manager.path, args, { ...ctx });
  if (r.exitCode !== 0)
    throw new EnvironmentError('failed', failureMessage(what, r), {
      command: [manager.path, ...args],
      exitCode: r.exitCode,
      lastLines: r.lastLines,
    });
}

/** The prefix of a named environment, asking the manager. */
async function prefixOfName(manager: CondaManager, name: string, ctx: RunContext): Promise<string | undefined> {
  const envs = await listCondaEnvironments(manager, { env: ctx.env, signal: ctx.signal });
  return envs.find((e) => e.condaName === name || nodePath.basename(e.prefix) === name)?.prefix;
}

/** Runs the staged pip part into the environment with pip (cwd: the environment.yml's folder, as conda runs it). */
async function runPipPart(env: PythonEnvironment, pipFile: string, o: CondaRunOptions): Promise<void> {
  await runPip(
    "Installing the environment file's pip packages",
    env,
    ['install', '-r', pipFile, ...indexArgs(o.index)],
    {
      sink: o.sink,
      signal: o.signal,
      env: o.env,
      timeoutMs: o.timeoutMs,
      onSpawn: o.onSpawn,
      cwd: nodePath.dirname(pipFile),
      pipPython: o.pipPython,
    },
  );
}

/**
 * Creates a conda environment, from an environment.yml (`file`: its conda part by the manager, then its
 * `pip:` part by pip into the same environment) or from match specs (`specs`, e.g. `python=3.11`).
 * Never replaces an existing environment without `overwrite`; a failure or cancel removes what was made.
 */
export async function createCondaEnvironment(
  options: CondaRunOptions & {
    file?: string;
    specs?: readonly string[];
    channels?: readonly string[];
    overwrite?: boolean;
  },
): Promise<PythonEnvironment> {
  const { manager, target } = options;
  if (!options.file && !options.specs?.length)
    throw new EnvironmentError(
      'invalid-request',
      'A conda environment needs an environment file or at least one package (such as python=3.11).',
    );
  const ctx: RunContext = {
    sink: options.sink,
    signal: options.signal,
    env: options.env,
    timeoutMs: options.timeoutMs,
    onSpawn: options.onSpawn,
  };
  const create = async (t: CondaTarget): Promise<PythonEnvironment> => {
    const staged = options.file ? await stageEnvironmentYml(options.file) : null;
    try {
      const args = staged
        ? condaArgs.createFromFile(manager.kind, staged.condaFile, t)
        : condaArgs.create(t, options.specs ?? [], options.channels);
      await runConda(`${manager.kind} create`, manager, args, {
        ...ctx,
        cwd: options.file ? nodePath.dirname(options.file) : undefined,
      });
      const prefix = 'prefix' in t ? t.prefix : await prefixOfName(manager, t.name, ctx);
      const env = prefix ? await readEnvironment(prefix, 'created') : undefined;
      if (!env)
        throw new EnvironmentError(
          'failed',
          `${manager.kind} exited without error but the environment ` +
            `${'prefix' in t ? t.prefix : t.name} was not found.`,
        );
      if (staged?.pipFile) await runPipPart(env, staged.pipFile, options);
      return env;
    } finally {
      await staged?.cleanup();
    }
  };
  if ('prefix' in target) {
    // conda asks before reusing an existing folder: hand it a folder that does not exist.
    return withTarget(target.prefix, { overwrite: options.overwrite, mustNotExist: true }, (dir) =>
      create({ prefix: dir }),
    );
  }
  const existing = await prefixOfName(manager, target.name, ctx);
  if (existing) {
    if (!options.overwrite)
      throw new EnvironmentError(
        'exists',
        `A conda environment named '${target.name}' already exists ` +
          `(${existing}); it is replaced only when overwrite is asked for.`,
      );
    return withTarget(existing, { overwrite: true, mustNotExist: true }, () => create(target));
  }
  try {
    return await create(target);
  } catch (e) {
    // Remove only an environment of that name that this creation made (none existed before).
    const made = await prefixOfName(manager, target.name, { env: options.env }).catch(() => undefined);
    if (made) await fs.rm(made, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Brings an existing conda environment to an environment.yml: `env update -f --prune` with its conda part,
 * then its `pip:` part by pip into the same environment.
 */
export async function updateCondaEnvironment(
  options: CondaRunOptions & { file: string; prune?: boolean },
): Promise<PythonEnvironment> {
  const { manager, target } = options;
  const ctx: RunContext = {
    sink: options.sink,
    signal: options.signal,
    env: options.env,
    timeoutMs: options.timeoutMs,
    onSpawn: options.onSpawn,
  };
  const prefix = 'prefix' in target ? target.prefix : await prefixOfName(manager, target.name, ctx);
  const env = prefix ? await readEnvironment(prefix, 'conda') : undefined;
  if (!env || env.kind !== 'conda')
    throw new EnvironmentError(
      'invalid-request',
      `No conda environment at ${'prefix' in target ? target.prefix : `the name '${target.name}'`}.`,
    );
  const staged = await stageEnvironmentYml(options.file);
  try {
    await runConda(
      `${manager.kind} env update`,
      manager,
      condaArgs.updateFromFile(manager.kind, staged.condaFile, target, options.prune ?? true),
      { ...ctx, cwd: nodePath.dirname(options.file) },
    );
    const updated = (await readEnvironment(env.prefix, 'conda')) ?? env;
    if (staged.pipFile) await runPipPart(updated, staged.pipFile, options);
    return updated;
  } finally {
    await staged.cleanup();
  }
}
