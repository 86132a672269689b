// Settings under `stackDoctor.*`: normalized from workspace/configuration or initializationOptions.
import type { SeverityOverrides } from '../checks/registry';
import { isCode } from '../model/codes';

export interface Settings {
  offline: boolean;
  indexUrl: string;
  extraIndexUrls: string[];
  profile: string;
  pythonPath: string;
  cacheDir: string;
  severityOverrides: SeverityOverrides;
  /** How long a burst of edits waits after its last edit before it is analysed (an edit after a pause is at once). */
  debounceMs: number;
  /** Milliseconds to wait after the fast checks before asking the index (an edit in between cancels it). */
  indexDebounceMs: number;
  /** The extension's global storage (the client sends it): the metadata cache lives there when `cacheDir` is empty. */
  globalStoragePath: string;
  /** Inlay hints with the newest version after each requirement, and the update actions. */
  newerVersions: boolean;
  /** A folder or zip of OSV records for `vulnerable` ('' for none). */
  osvDatabase: string;
  /** pixi platforms solved besides the ones the machine runs. */
  pixiPlatforms: string[];
}

export const defaultSettings: Settings = {
  offline: false,
  indexUrl: '',
  extraIndexUrls: [],
  profile: '',
  pythonPath: '',
  cacheDir: '',
  severityOverrides: {},
  debounceMs: 10,
  indexDebounceMs: 300,
  globalStoragePath: '',
  newerVersions: true,
  osvDatabase: '',
  pixiPlatforms: [],
};

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

/** Whatever the client sent, as Settings: wrong types fall back to defaults instead of failing. */
export function normalizeSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof r[k] === 'string' ? (r[k] as string).trim() : '');
  const overridesRaw =
    (r.checks as Record<string, unknown> | undefined)?.severityOverrides ??
    r['checks.severityOverrides'] ??
    r.severityOverrides;
  const severityOverrides: SeverityOverrides = {};
  if (overridesRaw && typeof overridesRaw === 'object') {
    for (const [code, sev] of Object.entries(overridesRaw))
      if (isCode(code) && typeof sev === 'string' && SEVERITIES.has(sev))
        severityOverrides[code] = sev as NonNullable<SeverityOverrides[typeof code]>;
  }
  return {
    offline: r.offline === true,
    indexUrl: str('indexUrl'),
    extraIndexUrls: Array.isArray(r.extraIndexUrls)
      ? r.extraIndexUrls.filter((x): x is string => typeof x === 'string')
      : [],
    profile: str('profile'),
    pythonPath: str('pythonPath'),
    cacheDir: str('cacheDir'),
    severityOverrides,
    debounceMs:
      typeof r.debounceMs === 'number' && r.debounceMs >= 0 && r.debounceMs <= 5000
        ? r.debounceMs
        : defaultSettings.debounceMs,
    indexDebounceMs:
      typeof r.indexDebounceMs === 'number' && r.indexDebounceMs >= 0 && r.indexDebounceMs <= 60000
        ? r.indexDebounceMs
        : defaultSettings.indexDebounceMs,
    globalStoragePath: str('globalStoragePath'),
    newerVersions: r.newerVersions !== false,
    osvDatabase: str('osvDatabase'),
    pixiPlatforms: Array.isArray(r.pixiPlatforms)
      ? r.pixiPlatforms.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
      : [],
  };
}
