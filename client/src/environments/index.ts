// The environments module's public API (no `vscode` import): interpreters, environments, venv and conda managers, the
// installer, activation variables, and process runs.
export { EnvironmentError, isCancelled } from './errors';
export type { EnvironmentErrorCode, EnvironmentErrorDetails } from './errors';
export {
  runProcess,
  runChecked,
  killProcessTree,
  signalFromToken,
  formatCommand,
  failureMessage,
  errorLines,
} from './process';
export type { OutputSink, OutputStream, RunContext, RunOptions, RunResult, CancellationTokenLike } from './process';
export {
  discoverInterpreters,
  probeInterpreter,
  rankInterpreters,
  chooseInterpreter,
  compareInterpreters,
  venvProblemOf,
} from './interpreters';
export type {
  Interpreter,
  InterpreterSource,
  RankedInterpreter,
  VenvProblem,
  DiscoverInterpretersOptions,
} from './interpreters';
export { readEnvironment, environmentKindAt, environmentPython, parsePyvenvCfg } from './environment';
export type { PythonEnvironment, EnvironmentKind, EnvironmentSource } from './environment';
export { discoverEnvironments, WORKSPACE_ENVIRONMENT_NAMES } from './discovery';
export type { DiscoverEnvironmentsOptions } from './discovery';
export { activationVariables, applyActivation } from './activation';
export type { ActivationVariables } from './activation';
export { prepareTarget, withTarget } from './target';
export type { TargetGuard } from './target';
export { createVenv, venvArgs, venvUnavailable } from './venv';
export type { CreateVenvOptions } from './venv';
export {
  findCondaManagers,
  condaArgs,
  condaKindOf,
  listCondaEnvironments,
  createCondaEnvironment,
  updateCondaEnvironment,
  splitEnvironmentYml,
} from './conda';
export type {
  CondaKind,
  CondaManager,
  CondaTarget,
  CondaRunOptions,
  FindCondaOptions,
  SplitEnvironmentYml,
} from './conda';
export { indexArgs, pipInvocation, pipVersion, runPip, activatedEnv } from './pip';
export type { IndexOptions } from './pip';
export { install, planPipInstall } from './installer';
export type { InstallOptions, InstallRequest, PipPlan } from './installer';
export {
  findDependencyFiles,
  readRequirementsInfo,
  readPyprojectInfo,
  readEnvironmentYmlInfo,
} from './dependency-files';
export type { DependencyFiles, RequirementsInfo, PyprojectInfo, EnvironmentYmlInfo } from './dependency-files';
