// rattler on its own, the conda differential tests' oracle.
import { rattlerModulePath } from '../../server/src/conda/rattler';
import { virtualPackages, type VirtualPackage } from '../../server/src/conda/virtual-packages';
import type { MachineProfile } from '../../server/src/system/profile';

/**
 * rattler on its own, as the differential tests' oracle: its gateway fetches `channelUrl`, the profile's virtual
 * packages are locked records, and environment.yml specs are read as conda reads them (`name=1.2` is `1.2.*`;
 * `name=1.2=build` is exact with the build glob). The solution without virtual packages, as sorted
 * `name version build` lines; null when rattler finds none.
 */
export async function rattlerOracle(
  deps: readonly string[],
  channelUrl: string,
  profile: MachineProfile,
): Promise<string[] | null> {
  const specs = deps.map((d) =>
    d.replace(/^([^=<>\s]+)=([^=]+)=(.+)$/, '$1 $2 $3').replace(/^([^=<>\s]+)=([^=<>]+)$/, '$1 $2.*'),
  );
  return rattlerSolve(specs, channelUrl, virtualPackages(profile, {}));
}

/**
 * rattler's own solve of match specs over `channelUrl` (its gateway fetching it) for linux-64, with `virtual` as
 * always-installed locked records: the sorted `name version build` lines without virtual packages, or null.
 */
export async function rattlerSolve(
  specs: readonly string[],
  channelUrl: string,
  vps: readonly VirtualPackage[],
): Promise<string[] | null> {
  // The module's path is found at run time (the build copies it beside dist/); a static import cannot name it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rattler = require(rattlerModulePath()!) as {
    simpleSolve: (
      s: string[],
      c: string[],
      p: string[],
      l: unknown[],
    ) => Promise<{ packageName: string; version: string; build: string }[]>;
  };
  const locked = vps.map((v) => ({
    packageName: v.name,
    version: v.version,
    build: v.build,
    url: `https://virtual.invalid/${v.name}-${v.version}-${v.build}.conda`,
    filename: `${v.name}-${v.version}-${v.build}.conda`,
  }));
  try {
    const got = await rattler.simpleSolve(
      [...specs, ...vps.map((v) => v.name)],
      [channelUrl],
      ['linux-64', 'noarch'],
      locked,
    );
    return got
      .filter((p) => !p.packageName.startsWith('__'))
      .map((p) => `${p.packageName} ${p.version} ${p.build}`)
      .sort();
  } catch {
    return null;
  }
}
