// A metadata provider over a plain in-memory object, for tests, benchmarks and embedded data.
import { canonicalizeName } from '../pep/name';
import { compareVersions, Version } from '../pep/version';
import { toRequirementSpec } from './python-packages';
import type { MetadataProvider, PackageMetadata, RequirementSpec, UrlMetadata } from './types';

/** One release: its requirements (PEP 508 lines), or them with `Requires-Python`, or unknown dependencies. */
export type MemoryRelease = string[] | { requires?: string[]; requiresPython?: string; unknown?: boolean };

/** `{ pkg: { '1.0': ['dep>=2', 'other; python_version < "3.8"'] } }`: project -> version -> release. */
export type MemoryIndex = Record<string, Record<string, MemoryRelease>>;

/** A direct URL's distribution. */
export interface MemoryUrl {
  name: string;
  version: string;
  requires?: string[];
  requiresPython?: string;
}

export interface MemoryProviderOptions {
  /** Direct URLs the provider can read (`name @ url`). */
  urls?: Record<string, MemoryUrl>;
  /**
   * Versions whose files are all yanked, per project (`{ pkg: ['1.5'] }`): listed by `yankedVersions`, not by
   * `versions`.
   */
  yanked?: Record<string, string[]>;
  /** Answer each call after this many milliseconds (honouring the abort signal), like a slow index. */
  delayMs?: number;
}

function parseVersion(text: string, where: string): Version {
  const v = Version.parse(text);
  if (!v) throw new Error(`MemoryProvider: invalid version ${JSON.stringify(text)} in ${where}`);
  return v;
}

function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * A `MetadataProvider` over an object: names are normalized, versions listed newest first, requirement lines
 * parsed once (an invalid line throws at construction). `calls` counts the requests, as metadata fetches.
 */
export class MemoryProvider implements MetadataProvider {
  readonly calls = { versions: 0, dependencies: 0, urlMetadata: 0 };
  private readonly yankedKeys = new Map<string, Set<string>>();
  private readonly projects = new Map<
    string,
    { versions: Version[]; releases: Map<string, PackageMetadata | 'unknown'> }
  >();
  private readonly urls = new Map<string, UrlMetadata & { name: string }>();
  private readonly delayMs: number;

  constructor(index: MemoryIndex, options: MemoryProviderOptions = {}) {
    this.delayMs = options.delayMs ?? 0;
    for (const [name, vs] of Object.entries(options.yanked ?? {}))
      this.yankedKeys.set(canonicalizeName(name), new Set(vs.map((v) => parseVersion(v, name).key)));
    for (const [rawName, releases] of Object.entries(index)) {
      const name = canonicalizeName(rawName);
      const project = this.projects.get(name) ?? {
        versions: [] as Version[],
        releases: new Map<string, PackageMetadata | 'unknown'>(),
      };
      for (const [text, release] of Object.entries(releases)) {
        const v = parseVersion(text, rawName);
        project.versions.push(v);
        project.releases.set(v.key, MemoryProvider.metadata(release));
      }
      project.versions.sort((a, b) => compareVersions(b, a));
      this.projects.set(name, project);
    }
    for (const [url, u] of Object.entries(options.urls ?? {})) {
      this.urls.set(url, {
        name: canonicalizeName(u.name),
        version: parseVersion(u.version, url),
        requires: (u.requires ?? []).map((r) => toRequirementSpec(r)),
        ...(u.requiresPython ? { requiresPython: u.requiresPython } : {}),
      });
    }
  }

  private static metadata(release: MemoryRelease): PackageMetadata | 'unknown' {
    if (Array.isArray(release)) return { requires: release.map((r) => toRequirementSpec(r)) };
    if (release.unknown) return 'unknown';
    const requires: RequirementSpec[] = (release.requires ?? []).map((r) => toRequirementSpec(r));
    return release.requiresPython ? { requires, requiresPython: release.requiresPython } : { requires };
  }

  private answer<T>(value: T, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.delayMs <= 0) return Promise.resolve(value);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      }, this.delayMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  versions(name: string, signal?: AbortSignal): Promise<Version[]> {
    this.calls.versions++;
    const yanked = this.yankedKeys.get(canonicalizeName(name));
    return this.answer(
      (this.projects.get(canonicalizeName(name))?.versions ?? []).filter((v) => !yanked?.has(v.key)),
      signal,
    );
  }

  yankedVersions(name: string, signal?: AbortSignal): Promise<Version[]> {
    const yanked = this.yankedKeys.get(canonicalizeName(name));
    return this.answer(
      (this.projects.get(canonicalizeName(name))?.versions ?? []).filter((v) => yanked?.has(v.key)),
      signal,
    );
  }

  dependencies(name: string, version: Version, signal?: AbortSignal): Promise<PackageMetadata | 'unknown'> {
    this.calls.dependencies++;
    const release = this.projects.get(canonicalizeName(name))?.releases.get(version.key);
    return this.answer(release ?? 'unknown', signal);
  }

  urlMetadata(name: string, url: string, signal?: AbortSignal): Promise<UrlMetadata | 'unknown'> {
    this.calls.urlMetadata++;
    const u = this.urls.get(url);
    return this.answer(u && u.name === canonicalizeName(name) ? u : 'unknown', signal);
  }
}
