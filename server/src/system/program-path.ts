// Where child processes run and which file a bare program name starts: a fixed working folder outside any workspace,
// and on Windows a PATH search that never looks in the current folder (CreateProcess and libuv both try it first, so a
// `python.exe` or `nvidia-smi.exe` in an opened repository would run).
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';

/**
 * The working folder of every child process: the system's temporary folder, never the folder the editor or the
 * command line was started in (a workspace whose `platform.py` or `json.py` an interpreter would import).
 */
export function childCwd(): string {
  return os.tmpdir();
}

/** What {@link resolveProgram} reads of the system, passed explicitly so tests can describe another platform. */
export interface ResolveContext {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Whether a regular file exists at this absolute path. */
  isFile: (file: string) => boolean;
}

function envValue(env: NodeJS.ProcessEnv, name: string, caseInsensitive: boolean): string | undefined {
  if (!caseInsensitive) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The file a program name starts. A path with a folder in it is made absolute against this process's folder (the
 * child runs in {@link childCwd}, where a relative path would name another file). Elsewhere than on Windows a bare
 * name is returned unchanged (execvp searches PATH only, and the working folder is fixed). On Windows: the first
 * `PATH` entry that holds the name (as given when it ends with one of `PATHEXT`'s extensions, else with each of them
 * in order), skipping empty, relative and `.` entries, so the current folder is never searched; undefined when no
 * entry holds it.
 */
export function resolveProgram(
  name: string,
  ctx: ResolveContext = { platform: process.platform, env: process.env, isFile: isRegularFile },
): string | undefined {
  const hasFolder = ctx.platform === 'win32' ? /[\\/]/.test(name) : name.includes('/');
  if (hasFolder) return path.resolve(name);
  if (ctx.platform !== 'win32') return name;
  const win = path.win32;
  const exts = (envValue(ctx.env, 'PATHEXT', true) || '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.startsWith('.'));
  const lower = name.toLowerCase();
  const names = exts.some((e) => lower.endsWith(e)) ? [name] : exts.map((e) => name + e);
  for (const raw of (envValue(ctx.env, 'PATH', true) ?? '').split(';')) {
    const dir = raw.trim().replace(/^"(.*)"$/, '$1');
    // A relative entry (`.`, `bin`, `C:foo`) is read against the current folder: never search it.
    if (!dir || !/^([a-z]:[\\/]|[\\/]{2}[^\\/])/i.test(dir)) continue;
    for (const n of names) {
      const candidate = win.join(dir, n);
      if (ctx.isFile(candidate)) return candidate;
    }
  }
  return undefined;
}
