// PEP 440 / 508 / 503 support: versions, specifiers, markers, requirements, names and exact version sets.
export { canonicalizeName, isValidName, isNormalizedName } from './name';
export { Version, compareVersions } from './version';
export { Specifier, SpecifierSet, SpecifierError } from './specifier';
export { Marker, MarkerError, MarkerEvaluationError, defaultEnvironment } from './marker';
export type { MarkerEnvironment } from './marker';
export { parseRequirement, RequirementError } from './requirement';
export type { ParsedRequirement, Span } from './requirement';
export { VersionSet } from './version-set';
