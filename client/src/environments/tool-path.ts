// Where a command-line tool (uv, poetry, pixi) is on PATH, without running anything: the first absolute PATH entry
// that holds it as a regular file (on Windows with one of PATHEXT's extensions). Relative and empty entries are skipped,
// so a tool in the opened folder is never the one found.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PathContext {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isFile: (file: string) => boolean;
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The absolute path `name` starts from PATH, or undefined when no PATH entry holds it. */
export function findOnPath(
  name: string,
  ctx: PathContext = { platform: process.platform, env: process.env, isFile: isRegularFile },
): string | undefined {
  const win = ctx.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  if (!/^[\w.-]+$/.test(name)) return undefined;
  const envKey = (k: string) => (win ? Object.keys(ctx.env).find((x) => x.toUpperCase() === k) : k);
  const pathKey = envKey('PATH');
  const dirs = (pathKey ? (ctx.env[pathKey] ?? '') : '').split(win ? ';' : ':');
  const extKey = envKey('PATHEXT');
  const exts = win
    ? ((extKey ? ctx.env[extKey] : undefined) || '.COM;.EXE;.BAT;.CMD')
        .split(';')
        .map((e) => e.trim().toLowerCase())
        .filter((e) => e.startsWith('.'))
    : [''];
  for (const raw of dirs) {
    const dir = raw.trim().replace(/^"(.*)"$/, '$1');
    if (!dir || !p.isAbsolute(dir)) continue;
    for (const ext of exts) {
      const file = p.join(dir, name + ext);
      if (ctx.isFile(file)) return file;
    }
  }
  return undefined;
}
