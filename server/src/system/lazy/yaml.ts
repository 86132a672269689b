// The YAML library, loaded on first use (environment.yml, .condarc): see ../lazy-modules.ts.
import type * as Yaml from 'yaml';
import { once } from '../lazy-modules';

export const yaml = once(() => require('yaml') as typeof Yaml);
