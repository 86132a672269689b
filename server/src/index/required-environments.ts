// uv's `required-environments`: whether a release that publishes no sdist has a wheel for an environment given as a
// PEP 508 marker (`sys_platform == 'darwin' and platform_machine == 'x86_64'`).
import { parseWheelFilename } from '../pep/filenames';
import { defaultEnvironment, markerTextHolds } from '../pep/marker';
import { TagPriority, type TagTarget } from './tags';

/** The machines a marker is tried on: the platforms wheels are published for, with their newest usual OS versions. */
const PLATFORMS: readonly { marker: 'linux' | 'darwin' | 'win32'; tags: Omit<TagTarget, 'python'> }[] = [
  { marker: 'linux', tags: { os: 'linux', arch: 'x86_64', libc: { kind: 'glibc', version: [2, 39] } } },
  { marker: 'linux', tags: { os: 'linux', arch: 'aarch64', libc: { kind: 'glibc', version: [2, 39] } } },
  { marker: 'darwin', tags: { os: 'macos', arch: 'arm64', macos: [15, 0] } },
  { marker: 'darwin', tags: { os: 'macos', arch: 'x86_64', macos: [15, 0] } },
  { marker: 'win32', tags: { os: 'windows', arch: 'AMD64' } },
  { marker: 'win32', tags: { os: 'windows', arch: 'ARM64' } },
];
const PYTHONS: readonly (readonly [number, number])[] = [
  [3, 9],
  [3, 10],
  [3, 11],
  [3, 12],
  [3, 13],
  [3, 14],
];

const priorities = new Map<string, TagPriority>();

/**
 * The machines (platform and CPython version) an environment marker describes: the target's Python where the
 * marker allows it, else every usual Python the marker allows. Empty when it describes none of them.
 */
export function machinesOf(marker: string, targetPython: readonly [number, number]): TagTarget[] {
  const on = (python: readonly [number, number]) =>
    PLATFORMS.filter((p) =>
      markerTextHolds(
        marker,
        defaultEnvironment({
          pythonVersion: `${python[0]}.${python[1]}.0`,
          platform: p.marker,
          machine: p.tags.arch,
        }),
      ),
    ).map((p) => ({ ...p.tags, python }));
  const own = on(targetPython);
  return own.length ? own : PYTHONS.flatMap(on);
}

/** Whether one of the wheel file names fits one of the machines (`none-any` wheels fit all). */
export function hasWheelFor(filenames: readonly string[], machines: readonly TagTarget[]): boolean {
  const wheels = filenames.flatMap((f) => {
    try {
      return f.endsWith('.whl') ? [parseWheelFilename(f).tags] : [];
    } catch {
      return [];
    }
  });
  return machines.some((m) => {
    const key = JSON.stringify(m);
    let p = priorities.get(key);
    if (!p) priorities.set(key, (p = new TagPriority(m)));
    return wheels.some((tags) => p.priority(tags) >= 0);
  });
}
