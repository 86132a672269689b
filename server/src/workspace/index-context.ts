// What the editor features and the stages that resolve need of the index for one set.
import type { MetadataProvider } from '../index/provider';
import type { IndexSelection } from '../index/selection';
import type { MarkerEnvironment } from '../pep/marker';
import type { MachineProfile } from '../system/profile';

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
