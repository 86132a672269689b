// This machine's profile remembered on disk between command-line runs, for as long as what it was read from is
// unchanged.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCacheFile, writeJsonAtomic } from './atomic-write';
import { probe } from './probe';
import { crypto } from './lazy-modules';
import { validateProfile, type MachineProfile } from './profile';

/** A remembered profile is re-probed after this long even when nothing it was read from has changed. */
export const PROBE_TTL_MS = 10 * 60 * 1000;

/** Files whose change means the machine changed: packages, the loader cache, the distro, the NVIDIA driver. */
const WATCHED = [
  '/var/lib/dpkg/status',
  '/var/lib/rpm/rpmdb.sqlite',
  '/var/lib/rpm/Packages',
  '/lib/apk/db/installed',
  '/etc/ld.so.cache',
  '/etc/os-release',
  '/proc/driver/nvidia/version',
  '/usr/local/cuda/version.json',
];

function stamp(file: string): string {
  try {
    if (file.startsWith('/proc/')) return fs.readFileSync(file, 'utf8');
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '-';
  }
}

/**
 * Where an interpreter named by its bare name would be found on PATH, with its file's stamp (a venv, pyenv or new
 * install changes it).
 */
function interpreterStamp(python: string): string {
  const candidates =
    path.isAbsolute(python) || python.includes(path.sep)
      ? [python]
      : (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, python));
  for (const c of candidates) {
    try {
      const real = fs.realpathSync(c);
      return `${real}:${stamp(real)}`;
    } catch {
      // not here
    }
  }
  return `${python}:absent`;
}

/** The fingerprint of everything the probe reads, for one interpreter. */
export function probeFingerprint(python: string | undefined): string {
  const interpreter = python ?? (process.platform === 'win32' ? 'python' : 'python3');
  const parts = [
    process.platform,
    os.arch(),
    os.release(),
    interpreter,
    interpreterStamp(interpreter),
    process.env.PATH ?? '',
    process.env.PYENV_VERSION ?? '',
    process.env.VIRTUAL_ENV ?? '',
    process.env.CONDA_PREFIX ?? '',
    ...WATCHED.map(stamp),
  ];
  return crypto().createHash('sha256').update(parts.join('\0')).digest('hex');
}

/**
 * `probe(python)`, remembered under `cacheDir/probe/` while the fingerprint holds and for at most PROBE_TTL_MS;
 * a missing, unreadable or invalid entry probes again. Without a cache folder it is `probe` itself.
 */
export async function cachedProbe(
  python: string | undefined,
  cacheDir: string | null,
  now = Date.now(),
): Promise<MachineProfile> {
  if (!cacheDir) return probe(python);
  const file = path.join(cacheDir, 'probe', `${probeFingerprint(python)}.json`);
  try {
    const raw = readCacheFile(file);
    if (!raw) throw new Error('absent');
    const stored = JSON.parse(raw.toString('utf8')) as { at: number; profile: unknown };
    if (typeof stored.at === 'number' && now - stored.at < PROBE_TTL_MS && now >= stored.at)
      return validateProfile(stored.profile);
  } catch {
    // absent or unreadable: probe
  }
  const profile = await probe(python);
  writeJsonAtomic(file, { at: now, profile });
  return profile;
}
