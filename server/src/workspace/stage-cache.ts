// The stages' reports per set, each valid while the set's files and texts are those it was made from.
import type { EnvironmentSet } from '../model/sets';

/**
 * Each set's key, made once for its list of files: the analysis of one edit asks for it several times, and it is as
 * long as the texts.
 */
const keys = new WeakMap<EnvironmentSet, { files: EnvironmentSet['files']; key: string }>();

/** What a set's reports depend on: its files and their texts. */
export function textKey(set: EnvironmentSet): string {
  const hit = keys.get(set);
  if (hit && hit.files === set.files) return hit.key;
  const key = set.files.map((f) => `${f.path}\0${f.text.length}\0${f.text}`).join('\0\0');
  keys.set(set, { files: set.files, key });
  return key;
}

/** One stage's last report per set root. */
export class StageCache<Report> {
  private readonly entries = new Map<string, { key: string; report: Report }>();

  /** The report made from the set's current texts (`key` is `textKey(set)`), or undefined. */
  get(set: EnvironmentSet, key: string = textKey(set)): Report | undefined {
    const hit = this.entries.get(set.root);
    return hit && hit.key === key ? hit.report : undefined;
  }

  /** Whether a report made from the set's current texts is kept. */
  has(set: EnvironmentSet, key: string = textKey(set)): boolean {
    return this.entries.get(set.root)?.key === key;
  }

  /** Keeps a report (null: the stage had nothing to say; what was kept for the set goes). */
  put(set: EnvironmentSet, key: string, report: Report | null): void {
    if (report === null) this.entries.delete(set.root);
    else this.entries.set(set.root, { key, report });
  }

  clear(): void {
    this.entries.clear();
  }
}
