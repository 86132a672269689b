// PubGrub resolution with conflict explanations and resolver-verified fixes: the resolver's public surface.
export { resolve, requirementText, toRequirementSpec, ROOT_VERSION } from './solver';
export { MemoryProvider } from './memory-provider';
export type { MemoryIndex, MemoryRelease, MemoryUrl, MemoryProviderOptions } from './memory-provider';
export { Incompatibility, ROOT } from './incompatibility';
export type { IncompatibilityCause, PackageTerm } from './incompatibility';
export { Term } from './term';
export { describeSet, readableSpecifier } from './report';
export { nearestResolvingVersion, narrowToResolve, simplifySpecifiers } from './fixes';
export type { FixOptions, RequirementFix } from './fixes';
export type * from './types';
