// The checks and the stages that ask indexes, advisories and channels (with the resolvers), loaded on first use: a CLI
// check answered from the result cache runs none of them. See ../system/lazy-modules.ts.
import type * as ChecksRegistry from '../checks/registry';
import { once } from '../system/lazy-modules';
import type * as IndexStage from './stages/index-stage';
import type * as VulnerabilityStage from './stages/vulnerability-stage';
import type * as PipOnConda from './stages/pip-on-conda';
import type * as CondaStage from './stages/conda-stage';
import type * as PixiStage from './stages/pixi-stage';
import type * as CondaReport from '../conda/report';
import type * as Updates from './updates';

export const checksRegistry = once(() => require('../checks/registry') as typeof ChecksRegistry);
export const indexStage = once(() => require('./stages/index-stage') as typeof IndexStage);
export const vulnerabilityStage = once(() => require('./stages/vulnerability-stage') as typeof VulnerabilityStage);
export const condaStage = once(() => require('./stages/conda-stage') as typeof CondaStage);
export const pixiStage = once(() => require('./stages/pixi-stage') as typeof PixiStage);
export const condaReportModule = once(() => require('../conda/report') as typeof CondaReport);
export const updatesModule = once(() => require('./updates') as typeof Updates);
export const pipOnCondaStage = once(() => require('./stages/pip-on-conda') as typeof PipOnConda);
