// msgpack and zstd, loaded on first use (conda's sharded repodata): see ../lazy-modules.ts.
import type * as Msgpack from '@msgpack/msgpack';
import type * as Fzstd from 'fzstd';
import { once } from '../lazy-modules';

export const msgpack = once(() => require('@msgpack/msgpack') as typeof Msgpack);
export const fzstd = once(() => require('fzstd') as typeof Fzstd);
