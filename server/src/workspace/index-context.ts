// What the editor features and the stages that resolve need of the index for one set, and the direct URLs its files
// name.
import type { MetadataProvider } from '../index/provider';
import type { IndexSelection } from '../index/selection';
import type { MarkerEnvironment } from '../pep/marker';
import type { MachineProfile } from '../system/profile';
import type { UrlOrigin } from '../index/url-origin';
import type { EnvironmentSet } from '../model/sets';
import { fileKindRow } from './file-kinds';

/** What the editor features need of the index stage for one set: its provider, indexes and target. */
export interface IndexContext {
  provider: MetadataProvider;
  indexes: IndexSelection;
  profile: MachineProfile;
  markerEnvironment: MarkerEnvironment;
  /** The metadata cache folder (project lists and core metadata are read from it); null: memory only. */
  cacheDir: string | null;
  /** False in an untrusted workspace: no URL a workspace file names is fetched. */
  trusted: boolean;
  /** The provider of another selection of the same indexes, for the same target (a uv package routed per scope). */
  providerFor?: (indexes: IndexSelection) => MetadataProvider;
}

/**
 * The direct URLs the set's files name, as a trusted workspace's: `${VAR}` in them is expanded only where pip reads
 * the file as a requirements file (not in a pyproject.toml).
 */
export function directUrlsOf(set: EnvironmentSet): { url: string; origin: UrlOrigin }[] {
  return set.files.flatMap((f) =>
    f.dependencies
      .filter((d) => d.url !== null)
      .map((d) => ({
        url: d.url!,
        origin: { kind: 'workspace', trusted: true, expand: fileKindRow(f.kind).expandsVariables },
      })),
  );
}
