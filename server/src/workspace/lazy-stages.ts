// The checks and the stages that ask indexes, advisories and channels (with the resolvers), loaded on first use: a CLI
// check answered from the result cache runs none of them. See ../system/lazy-modules.ts.
import type * as ChecksRegistry from '../checks/registry';
import type * as CondaReport from '../conda/report';
import { once } from '../system/lazy-modules';
import type * as IndexStage from './index-stage';
import type * as VulnerabilityStage from './vulnerability-stage';
import type * as PipOnConda from './pip-on-conda';

export const checksRegistry = once(() => require('../checks/registry') as typeof ChecksRegistry);
export const indexStage = once(() => require('./index-stage') as typeof IndexStage);
export const vulnerabilityStage = once(() => require('./vulnerability-stage') as typeof VulnerabilityStage);
export const condaStage = once(() => require('../conda/report') as typeof CondaReport);
export const pipOnCondaStage = once(() => require('./pip-on-conda') as typeof PipOnConda);
