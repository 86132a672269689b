// The findings the file sets add of their own: files and includes skipped or unreadable, and `-e` paths that are not
// a project pip can install.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { finding } from '../model/finding';
import type { FileKind, Finding, ParsedFile } from '../model/types';
import { emptyParsedFile } from '../model/parsed-file';

/**
 * `-e PATH` lines whose folder is not a project pip can install, as pip 23 says it when it reads the file: a path that
 * is not a folder (an uninitialised git submodule, a typo) is "not a valid editable requirement"; a folder without
 * `setup.py` or `pyproject.toml` (the empty folder of a submodule never checked out) "does not appear to be a Python
 * project". Read here, not by the parser, so that the parse stays a function of the text and a folder that appears
 * later (`git submodule update --init`) is seen by the next analysis.
 */
export function editablesNotProjects(files: readonly ParsedFile[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files)
    for (const d of f.dependencies) {
      if (!d.editable || !d.url || !/^file:/i.test(d.url) || /^\s*file:/i.test(d.text)) continue;
      let dir: string;
      try {
        dir = fileURLToPath(d.url.replace(/[?#].*$/s, ''));
      } catch {
        continue;
      }
      let isDir = false;
      try {
        isDir = fs.statSync(dir).isDirectory();
      } catch {
        // absent: pip's message below
      }
      const written = d.text.trim();
      if (!isDir)
        out.push(
          finding(
            'syntax',
            f.path,
            d.span,
            `${written} is not a valid editable requirement: pip would stop with "${written} is not a valid ` +
              `editable requirement. It should either be a path to a local project or a VCS URL", because ` +
              `${dir} is not a folder here (a git submodule that was never checked out?).`,
          ),
        );
      else if (!fs.existsSync(path.join(dir, 'setup.py')) && !fs.existsSync(path.join(dir, 'pyproject.toml')))
        out.push(
          finding(
            'syntax',
            f.path,
            d.span,
            `${written} does not appear to be a Python project: neither 'setup.py' nor 'pyproject.toml' found ` +
              `in ${dir} (a git submodule that was never checked out?); pip would stop there.`,
          ),
        );
    }
  return out;
}

/** A file that was skipped, standing in its set with one information finding that says why. */
export function skippedFile(filePath: string, kind: FileKind, why: string): ParsedFile {
  return {
    ...emptyParsedFile(filePath, kind, ''),
    findings: [
      finding(
        'syntax',
        filePath,
        { start: 0, end: 0 },
        `Stack Doctor skipped this file: ${why}. Nothing in it was checked.`,
        { severity: 'information' },
      ),
    ],
  };
}

export function skippedInclude(
  file: string,
  span: { start: number; end: number },
  target: string,
  why: string,
): Finding {
  return finding('syntax', file, span, `Stack Doctor skipped '${target}': ${why}. Nothing in it was checked.`, {
    severity: 'information',
  });
}

export function unreadable(file: string, span: { start: number; end: number }, target: string): Finding {
  return finding('syntax', file, span, `Could not open requirements file '${target}'; pip would stop here.`);
}
