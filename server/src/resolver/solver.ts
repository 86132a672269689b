// Resolution: pip's rules (python-packages.ts) over a metadata provider, decided by the PubGrub core (pubgrub.ts)
// within a budget of steps and time (run-budget.ts).
import { PubGrub } from './pubgrub';
import { PythonPackages } from './python-packages';
import { RunBudget } from './run-budget';
import type { MetadataProvider, Resolution, ResolveOptions, RootRequirement } from './types';

/**
 * Resolves `roots` with PubGrub against `provider`: the newest versions that satisfy every requirement (as pip
 * prefers), or a derivation tree and a numbered explanation of why none exist, or a stop when the step/time budget
 * runs out or `options.signal` fires. Deterministic: the same inputs and provider answers give the same result.
 * Extras are virtual packages `name[extra]` that depend on `name` at the same version; markers are evaluated
 * against `options.markerEnvironment` (with `extra` set while following an extra); a URL requirement pins its
 * package to the version the provider reads from the URL. Provider errors other than cancellation are thrown.
 */
export function resolve<O>(
  roots: readonly RootRequirement<O>[],
  provider: MetadataProvider,
  options: ResolveOptions<O> = {},
): Promise<Resolution<O>> {
  const budget = new RunBudget(options);
  return new PubGrub(new PythonPackages(roots, provider, options, budget), budget, options.describeOrigin).run();
}
