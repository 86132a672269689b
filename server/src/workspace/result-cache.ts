// The command line's last findings per fingerprint (files, settings, machine, indexes), reused while the index answers
// they came from are fresh.
import * as path from 'node:path';
import type { Finding } from '../model/types';
import { readCacheFile, writeJsonAtomic } from '../system/atomic-write';

/**
 * As long as the index's project pages are kept fresh (index/provider.ts): a reused result is never older than a
 * re-run's answers could be.
 */
export const RESULT_TTL_MS = 10 * 60 * 1000;

function fileOf(cacheDir: string, key: string): string {
  return path.join(cacheDir, 'results', `${key}.json`);
}

/** The findings stored under `key`, or null when absent, expired or unreadable. */
export function readResult(cacheDir: string, key: string, now = Date.now()): Finding[] | null {
  try {
    const raw = readCacheFile(fileOf(cacheDir, key));
    if (!raw) return null;
    const stored = JSON.parse(raw.toString('utf8')) as { at: unknown; findings: unknown };
    if (
      typeof stored.at !== 'number' ||
      now - stored.at >= RESULT_TTL_MS ||
      now < stored.at ||
      !Array.isArray(stored.findings)
    )
      return null;
    return stored.findings as Finding[];
  } catch {
    return null;
  }
}

/** Stores the findings under `key` (atomically); a cache that cannot be written is only a slower next run. */
export function writeResult(cacheDir: string, key: string, findings: readonly Finding[], now = Date.now()): void {
  writeJsonAtomic(fileOf(cacheDir, key), { at: now, findings });
}
