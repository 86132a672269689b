// `syntax`: entries that pip, conda or the TOML spec would reject; the parsers find them, this check reports them.
import type { Check } from './types';

/**
 * Flags a line or entry that pip, conda or TOML would reject, at the position of the fault.
 *
 * Bad: `numpy>=>1` (pip: "Expected end or semicolon"). Good: `numpy>=1`.
 * No automatic fix: the parser's message says what was expected.
 */
export const syntax: Check = {
  code: 'syntax',
  description: 'A line or entry that pip, conda or the TOML/YAML spec would reject.',
  run(set) {
    return [...set.files.flatMap((f) => f.findings), ...set.findings].filter((x) => x.code === 'syntax');
  },
};
