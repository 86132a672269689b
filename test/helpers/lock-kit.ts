// Locks as a lock parser models them, hand-built on a uv.lock-shaped text (each entry a `[[package]]` table with its
// name and version lines), and the machines the lock-judging tests run on.
import type { CheckContext } from '../../server/src/checks/types';
import type { Finding, LockedPackage, ParsedFile } from '../../server/src/model/types';
import { defaultEnvironment } from '../../server/src/pep/marker';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import type { MachineProfile } from '../../server/src/system/profile';
import { byCode, profile } from './check-kit';

export const LOCK = '/w/uv.lock';

export interface Entry {
  name: string;
  version: string;
  marker?: string;
  dependencies?: string[];
  wheels?: string[];
  sdist?: boolean;
  source?: LockedPackage['source'];
}

export const MANYLINUX = (name: string, version: string) => `${name}-${version}-py3-none-manylinux_2_17_x86_64.whl`;

/** A lock's model on a uv.lock-shaped text: each entry a `[[package]]` table with its name and version lines. */
export function lockOf(entries: Entry[]): ParsedFile {
  let text = 'version = 1\nrequires-python = ">=3.10"\n';
  const packages = entries.map((e): LockedPackage => {
    const start = text.length;
    text += `\n[[package]]\nname = "`;
    const nameStart = text.length;
    text += `${e.name}"\nversion = "`;
    const versionStart = text.length;
    text += `${e.version}"\n`;
    return {
      file: LOCK,
      ecosystem: 'pypi',
      name: e.name,
      rawName: e.name,
      version: e.version,
      source: e.source ?? { kind: 'index', url: 'https://pypi.org/simple' },
      marker: e.marker ?? '',
      dependencies: e.dependencies ?? [],
      wheels: e.wheels ?? [MANYLINUX(e.name.replace(/-/g, '_'), e.version)],
      sdist: e.sdist ?? true,
      span: { start, end: text.length - 1 },
      nameSpan: { start: nameStart, end: nameStart + e.name.length },
      versionSpan: { start: versionStart, end: versionStart + e.version.length },
    };
  });
  return {
    path: LOCK,
    kind: 'pyproject',
    text,
    dependencies: [],
    includes: [],
    options: [],
    findings: [],
    lock: { format: 'uv', version: '1', requiresPython: '>=3.10', universal: true, packages },
  };
}

export const manifest = (deps: string) =>
  parsePyproject('/w/pyproject.toml', `[project]\nname = "app"\nversion = "1"\ndependencies = [${deps}]\n`);

/** Where each finding of `code` is: the file's base name and the text under it. */
export function places(found: Finding[], code: string, files: ParsedFile[]): [string, string][] {
  return byCode(found, code).map((f) => {
    const file = files.find((x) => x.path === f.file)!;
    return [f.file.split('/').pop()!, file.text.slice(f.span.start, f.span.end)];
  });
}

/** The context of a machine: the profile and its own marker environment. */
export function on(over: Partial<MachineProfile>): CheckContext {
  const p = profile(over);
  const os = p.os === 'darwin' ? 'darwin' : p.os === 'windows' ? 'win32' : 'linux';
  return {
    markerEnvironment: defaultEnvironment({ pythonVersion: p.python!.version, platform: os, machine: p.arch }),
    profile: p,
  };
}

export const GLIBC = { libc: { kind: 'glibc' as const, version: '2.36' } };
export const NO_GPU = on({ ...GLIBC, nvidia: null });
export const OLD_DRIVER = on({ ...GLIBC, nvidia: { driver: '470.182.03', cuda: '11.4', gpus: [] } });
export const MAC = on({ os: 'darwin', arch: 'arm64' });
