// Modules loaded on first use, not when the bundle loads: a command that never spawns a process, unzips, solves with
// conda, parses YAML or TOML, or runs the checks does not pay for loading them (the CLI's fixed cost, issue 10). Each is `require`d once.
import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Zlib from 'node:zlib';
import type * as Msgpack from '@msgpack/msgpack';
import type * as Fzstd from 'fzstd';
import type * as TomlParser from 'toml-eslint-parser';
import type * as Yaml from 'yaml';
import type * as ChecksRegistry from '../checks/registry';
import type * as CondaReport from '../conda/report';
import type * as IndexStage from '../workspace/index-stage';
import type * as VulnerabilityStage from '../workspace/vulnerability-stage';

function once<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}

export const childProcess = once(() => require('node:child_process') as typeof ChildProcess);
export const crypto = once(() => require('node:crypto') as typeof Crypto);
export const workerThreads = once(() => require('node:worker_threads') as typeof WorkerThreads);
export const zlib = once(() => require('node:zlib') as typeof Zlib);
export const msgpack = once(() => require('@msgpack/msgpack') as typeof Msgpack);
export const fzstd = once(() => require('fzstd') as typeof Fzstd);
export const tomlParser = once(() => require('toml-eslint-parser') as typeof TomlParser);
export const yaml = once(() => require('yaml') as typeof Yaml);
/** The checks and the knowledge they read: a check answered from the result cache runs none of them. */
export const checksRegistry = once(() => require('../checks/registry') as typeof ChecksRegistry);
/** The stages that ask indexes, advisories and channels, and their resolvers: neither does such a check. */
export const indexStage = once(() => require('../workspace/index-stage') as typeof IndexStage);
export const vulnerabilityStage = once(() => require('../workspace/vulnerability-stage') as typeof VulnerabilityStage);
export const condaStage = once(() => require('../conda/report') as typeof CondaReport);
