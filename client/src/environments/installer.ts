// Installs into an environment: requirements files with their constraints, a pyproject with extras and dependency
// groups, an environment.yml (conda part, then pip part), or one package.
import * as nodePath from 'node:path';
import { parseRequirement, RequirementError } from '../../../server/src/pep/requirement';
import { canonicalizeName } from '../../../server/src/pep/name';
import { Version } from '../../../server/src/pep/version';
import { updateCondaEnvironment, type CondaManager } from './conda';
import { readPyprojectInfo } from './dependency-files';
import type { PythonEnvironment } from './environment';
import { EnvironmentError } from './errors';
import { indexArgs, pipInvocation, pipVersion, runPip, type IndexOptions } from './pip';
import type { RunContext } from './process';

/** What to install. Constraints files apply to every kind that pip installs (`-c FILE`, each). */
export type InstallRequest =
  /** `pip install -r FILE... -c CONSTRAINT...`; the files' own options (`--index-url`, `-c`, ...) are read by pip. */
  | { kind: 'requirements'; files: readonly string[]; constraints?: readonly string[] }
  /**
   * `pip install [-e] DIR[extras]`, and the dependency groups: `--group` where pip has it (>= 25.1), else their
   * requirements.
   */
  | {
      kind: 'pyproject';
      projectDir: string;
      extras?: readonly string[];
      groups?: readonly string[];
      editable?: boolean;
      constraints?: readonly string[];
    }
  /** `pip install SPEC` for one PEP 508 requirement. */
  | { kind: 'package'; spec: string; upgrade?: boolean; constraints?: readonly string[] }
  /** The manager's `env update -f FILE --prune` with the conda part, then the `pip:` part by pip. */
  | { kind: 'environment-yml'; file: string; manager: CondaManager; prune?: boolean };

/** Options of {@link install} and {@link planPipInstall}. */
export interface InstallOptions extends RunContext {
  environment: PythonEnvironment;
  request: InstallRequest;
  /** The caller's index options (settings; a test's loopback index). */
  index?: IndexOptions;
  /**
   * Run another interpreter's pip against the environment (`pip --python`, pip >= 22.3), e.g. for an environment made
   * without pip.
   */
  pipPython?: string;
}

/** A pip run, as {@link planPipInstall} decides it. */
export interface PipPlan {
  /** The executable and its arguments (`python -m pip [--python ENV] install ...`). */
  command: string;
  args: string[];
  /** Working directory (the project folder for a pyproject, so relative paths in it hold). */
  cwd: string | undefined;
  /** What the run does, for progress messages. */
  title: string;
}

/** pip learned `--group` (PEP 735) in 25.1. */
const PIP_GROUP_SINCE = Version.parse('25.1')!;

function constraintArgs(files: readonly string[] | undefined): string[] {
  return (files ?? []).flatMap((f) => ['-c', nodePath.resolve(f)]);
}

/**
 * The pip command for a pip-installed request (every kind but `environment-yml`). Asks the
 * environment's pip for its version only when dependency groups are requested.
 */
export async function planPipInstall(options: InstallOptions): Promise<PipPlan> {
  const { request, environment } = options;
  const inv = pipInvocation(environment, options.pipPython);
  const index = indexArgs(options.index);
  switch (request.kind) {
    case 'requirements': {
      if (request.files.length === 0) throw new EnvironmentError('invalid-request', 'No requirements file to install.');
      const args = [
        'install',
        ...request.files.flatMap((f) => ['-r', nodePath.resolve(f)]),
        ...constraintArgs(request.constraints),
        ...index,
      ];
      return {
        command: inv.command,
        args: [...inv.args, ...args],
        cwd: nodePath.dirname(nodePath.resolve(request.files[0]!)),
        title: `Installing ${request.files.map((f) => nodePath.basename(f)).join(', ')}`,
      };
    }
    case 'package': {
      const spec = request.spec.trim();
      // A spec is one requirement, never an option that pip would act on.
      if (spec.startsWith('-')) throw new EnvironmentError('invalid-request', `'${spec}' is an option, not a package.`);
      try {
        parseRequirement(spec);
      } catch (e) {
        if (e instanceof RequirementError)
          throw new EnvironmentError('invalid-request', `'${spec}' is not a valid requirement: ${e.message}`);
        throw e;
      }
      const args = [
        'install',
        ...(request.upgrade ? ['--upgrade'] : []),
        ...constraintArgs(request.constraints),
        ...index,
        spec,
      ];
      return { command: inv.command, args: [...inv.args, ...args], cwd: undefined, title: `Installing ${spec}` };
    }
    case 'pyproject': {
      const dir = nodePath.resolve(request.projectDir);
      const info = readPyprojectInfo(nodePath.join(dir, 'pyproject.toml'));
      const extras = (request.extras ?? []).map((e) => e.trim()).filter(Boolean);
      for (const e of extras)
        if (!/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(e))
          throw new EnvironmentError('invalid-request', `'${e}' is not a valid extra name.`);
      const groups = (request.groups ?? []).map((g) => g.trim()).filter(Boolean);
      const groupArgs: string[] = [];
      if (groups.length) {
        const v = await pipVersion(environment, {
          env: options.env,
          signal: options.signal,
          pipPython: options.pipPython,
        });
        const pipHasGroup = v !== null && v.compare(PIP_GROUP_SINCE) >= 0;
        for (const g of groups) {
          const name = canonicalizeName(g);
          // pip's `--group` reads `[dependency-groups]` only; Poetry's and uv's groups go in as their requirements.
          if (pipHasGroup && info.standardGroups.has(name)) {
            groupArgs.push('--group', `${nodePath.join(dir, 'pyproject.toml')}:${g}`);
            continue;
          }
          const reqs = info.groups.get(name);
          if (!reqs)
            throw new EnvironmentError(
              'invalid-request',
              `Dependency group '${g}' is not defined in ${nodePath.join(dir, 'pyproject.toml')}.`,
            );
          for (const r of reqs)
            if (r.trim().startsWith('-'))
              throw new EnvironmentError(
                'invalid-request',
                `Dependency group '${g}' has an entry that is an option: '${r}'.`,
              );
          groupArgs.push(...reqs);
        }
      }
      // The project itself only when it is one: a pyproject with only [dependency-groups] installs just the groups.
      const target = info.installable
        ? [...(request.editable === false ? [] : ['-e']), `.${extras.length ? `[${extras.join(',')}]` : ''}`]
        : [];
      if (!target.length && !groupArgs.length)
        throw new EnvironmentError(
          'invalid-request',
          `${dir}/pyproject.toml declares no project to install and no group was chosen.`,
        );
      const args = ['install', ...target, ...groupArgs, ...constraintArgs(request.constraints), ...index];
      const what = [
        info.name ?? nodePath.basename(dir),
        ...extras.map((e) => `[${e}]`),
        ...groups.map((g) => `group ${g}`),
      ].join(' ');
      return { command: inv.command, args: [...inv.args, ...args], cwd: dir, title: `Installing ${what}` };
    }
    case 'environment-yml':
      throw new EnvironmentError(
        'invalid-request',
        'An environment.yml is installed by its conda manager: use install(), not planPipInstall().',
      );
  }
}

/**
 * Installs `request` into `environment`, streaming every line to the sink. Rejects with an EnvironmentError:
 * `failed` with pip's or conda's own error lines, `cancelled` once the process tree is gone, `no-pip`, or
 * `invalid-request`. Returns the environment as it is after the install.
 */
export async function install(options: InstallOptions): Promise<PythonEnvironment> {
  const { request, environment } = options;
  if (request.kind === 'environment-yml') {
    if (environment.kind !== 'conda')
      throw new EnvironmentError(
        'invalid-request',
        `${environment.prefix} is not a conda environment; an environment.yml installs into one.`,
      );
    return updateCondaEnvironment({
      manager: request.manager,
      target: { prefix: environment.prefix },
      file: request.file,
      prune: request.prune,
      index: options.index,
      pipPython: options.pipPython,
      sink: options.sink,
      signal: options.signal,
      env: options.env,
      timeoutMs: options.timeoutMs,
      onSpawn: options.onSpawn,
    });
  }
  const plan = await planPipInstall(options);
  // The plan's args start with the invocation (`-m pip [--python ENV]`); runPip adds it again.
  const pipArgs = plan.args.slice(pipInvocation(environment, options.pipPython).args.length);
  await runPip(plan.title, environment, pipArgs, {
    sink: options.sink,
    signal: options.signal,
    env: options.env,
    timeoutMs: options.timeoutMs,
    onSpawn: options.onSpawn,
    cwd: plan.cwd,
    pipPython: options.pipPython,
  });
  return environment;
}
