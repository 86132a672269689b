// The TOML parser, loaded on first use (pyproject.toml): see ../lazy-modules.ts.
import type * as TomlParser from 'toml-eslint-parser';
import { once } from '../lazy-modules';

export const tomlParser = once(() => require('toml-eslint-parser') as typeof TomlParser);
