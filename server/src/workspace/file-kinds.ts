// Which file kind a path is, by its name (DESIGN.md "Files it understands").
import * as path from 'node:path';
import type { FileKind } from '../model/types';

/** The kind of a dependency file, or null for a file Stack Doctor does not read on its own. */
export function classify(filePath: string): FileKind | null {
  const base = path.basename(filePath).toLowerCase();
  const parent = path.basename(path.dirname(filePath)).toLowerCase();
  if (base === 'pyproject.toml') return 'pyproject';
  if (/^(environment\.ya?ml|.+\.environment\.ya?ml|conda-.+\.ya?ml)$/.test(base)) return 'conda';
  if (/^constraints.*\.txt$/.test(base)) return 'constraints';
  if (/^requirements.*\.txt$/.test(base) || /.+[.-]requirements\.txt$/.test(base) || base.endsWith('.in')) return 'requirements';
  if (parent === 'requirements' && base.endsWith('.txt')) return 'requirements';
  return null;
}
