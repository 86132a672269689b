// Modules loaded on first use, not when the bundle loads: a command that never spawns a process, unzips, solves with
// conda or parses YAML or TOML does not pay for loading them (the CLI's fixed cost, issue 10). Each is `require`d once.
import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Zlib from 'node:zlib';
import type * as Msgpack from '@msgpack/msgpack';
import type * as Fzstd from 'fzstd';
import type * as TomlParser from 'toml-eslint-parser';
import type * as Yaml from 'yaml';

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
