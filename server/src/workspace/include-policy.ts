// Which `-r`/`-c` includes (of requirements files and of an environment.yml's `pip:` part) are followed. In a trusted
// workspace, every one pip would follow. In an untrusted one, only files inside the workspace folders: an include
// elsewhere (an absolute path, `../` out of the folders, a symlink that resolves outside, a path built from an
// environment variable, a network share) would read a file of the person's and send its name-shaped lines to the index
// as project lookups.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finding } from '../model/finding';
import type { Include, ParsedFile } from '../model/types';

/** What the analysis may read through includes. */
export interface IncludePolicy {
  /** A trusted workspace: every include is followed. */
  trusted: boolean;
  /**
   * The workspace folders (absolute). Untrusted, an include is followed only when it resolves inside one of them; with
   * none, only inside the including file's own folder.
   */
  workspaceFolders: readonly string[];
}

export const TRUSTED_INCLUDES: IncludePolicy = { trusted: true, workspaceFolders: [] };

/** A string that says whether two policies decide alike (the parse cache holds parses made under one). */
export function policyKey(p: IncludePolicy): string {
  return p.trusted ? 'trusted' : `untrusted\0${p.workspaceFolders.join('\0')}`;
}

/** A path with every symlink resolved; for a path that does not exist, its nearest existing parent's real path. */
function realPath(p: string, realpath: (p: string) => string): string {
  const rest: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpath(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.join(at, ...rest.reverse());
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

function inside(child: string, folder: string): boolean {
  const rel = path.relative(folder, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A Windows network path (`\\host\share\…`, `//host/…`): opening it would connect to that host (SMB). */
export function isNetworkPath(target: string): boolean {
  return /^(\\\\|\/\/|\\\/|\/\\)[^\\/]/.test(target.trim());
}

/**
 * Why `inc`, written in `file`, is not followed under `policy`; undefined when it is. `raw` is the include's text as
 * written (before any `${VAR}` expansion).
 */
export function refusal(
  inc: Include,
  raw: string,
  file: string,
  policy: IncludePolicy,
  realpath: (p: string) => string = fs.realpathSync.native,
): string | undefined {
  if (policy.trusted) return undefined;
  if (/\$\{[^}]*\}/.test(raw) || /\$\{/.test(inc.target))
    return 'its path names an environment variable, and include paths are not expanded in an untrusted workspace';
  // As parsed, and as written (quoting rules differ between platforms: what Windows would read as `\\host\share`).
  if (isNetworkPath(inc.target) || /(^|[\s=])["']?(\\\\|\/\/)[^\\/\s]/.test(raw.replace(/^\s*-[-\w]+/, ' ')))
    return 'it names a network path, which is never opened in an untrusted workspace';
  if (inc.resolved === null) return undefined;
  const folders = policy.workspaceFolders.length ? policy.workspaceFolders : [path.dirname(file)];
  const real = realPath(inc.resolved, realpath);
  if (folders.some((f) => inside(real, realPath(f, realpath)))) return undefined;
  return 'it is outside the workspace folders, and an untrusted workspace reads includes only inside them';
}

/**
 * Whether `folder` (a project folder a requirement names, `-e ../other`) may be read under `policy` from a file in
 * `fromFile`'s folder: always in a trusted workspace; untrusted, only inside the workspace folders.
 */
export function mayReadFolder(
  folder: string,
  fromFile: string,
  policy: IncludePolicy,
  realpath: (p: string) => string = fs.realpathSync.native,
): boolean {
  if (policy.trusted) return true;
  if (isNetworkPath(folder)) return false;
  const folders = policy.workspaceFolders.length ? policy.workspaceFolders : [path.dirname(fromFile)];
  const real = realPath(folder, realpath);
  return folders.some((f) => inside(real, realPath(f, realpath)));
}

/**
 * `file` with the includes `policy` refuses made unfollowable (`resolved: null`, as for a URL include), each with an
 * information finding on its line that says why. The same object when every include is followed.
 */
export function restrictIncludes(
  file: ParsedFile,
  policy: IncludePolicy,
  realpath?: (p: string) => string,
): ParsedFile {
  if (policy.trusted || file.includes.length === 0) return file;
  let changed = false;
  const findings = [...file.findings];
  const includes = file.includes.map((inc) => {
    const raw = file.text.slice(inc.span.start, inc.span.end);
    const why = refusal(inc, raw, file.path, policy, realpath);
    if (why === undefined) return inc;
    changed = true;
    findings.push(
      finding(
        'syntax',
        file.path,
        inc.span,
        `Stack Doctor did not follow this include: ${why}. Nothing in that file was checked.`,
        { severity: 'information' },
      ),
    );
    return { ...inc, resolved: null };
  });
  return changed ? { ...file, includes, findings } : file;
}
