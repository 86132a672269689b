// Whether two PEP 508 markers can hold on one machine: tried on the machines people run (each platform with its usual
// CPUs, Pythons 2.7 to 3.20, CPython and PyPy) and on every value either marker names, so that `sys_platform ==
// 'win32'` and `sys_platform == 'linux'` are found disjoint, and a value no usual machine has still gets its try.
import { Marker, MarkerError, MarkerEvaluationError, type MarkerItem, type MarkerList } from './marker';

/** The variables a platform decides together: a machine never has `sys_platform == 'linux'` with `os_name == 'nt'`. */
interface Platform {
  sys_platform: string;
  platform_system: string;
  os_name: string;
  machines: string[];
}

const PLATFORMS: readonly Platform[] = [
  { sys_platform: 'linux', platform_system: 'Linux', os_name: 'posix', machines: ['x86_64', 'aarch64'] },
  { sys_platform: 'darwin', platform_system: 'Darwin', os_name: 'posix', machines: ['arm64', 'x86_64'] },
  { sys_platform: 'win32', platform_system: 'Windows', os_name: 'nt', machines: ['AMD64', 'ARM64'] },
];

const PYTHONS = ['2.7', ...Array.from({ length: 21 }, (_, i) => `3.${i}`)];

const IMPLEMENTATIONS: readonly [string, string][] = [
  ['cpython', 'CPython'],
  ['pypy', 'PyPy'],
];

/** Every value each variable is compared with in the markers. */
function literals(list: MarkerList, out: Map<string, Set<string>>): void {
  for (const m of list) {
    if (typeof m === 'string') continue;
    if (Array.isArray(m)) {
      literals(m, out);
      continue;
    }
    const item = m as MarkerItem;
    const [variable, value] = item.lhs.kind === 'variable' ? [item.lhs, item.rhs] : [item.rhs, item.lhs];
    if (variable.kind !== 'variable' || value.kind !== 'value') continue;
    (out.get(variable.value) ?? out.set(variable.value, new Set()).get(variable.value)!).add(value.value);
  }
}

const cache = new Map<string, boolean>();

/**
 * True when some machine satisfies both markers (an empty marker holds everywhere). A marker that does not parse, or
 * that names a variable this cannot try, overlaps everything: the caller then keeps what it would otherwise drop.
 */
export function markersOverlap(a: string, b: string): boolean {
  if (!a.trim() || !b.trim()) return true;
  const key = `${a}\0${b}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const answer = overlap(a, b);
  if (cache.size > 5_000) cache.clear();
  cache.set(key, answer);
  return answer;
}

function overlap(a: string, b: string): boolean {
  let ma: Marker;
  let mb: Marker;
  try {
    ma = Marker.parse(a);
    mb = Marker.parse(b);
  } catch (e) {
    if (e instanceof MarkerError) return true;
    throw e;
  }
  const named = new Map<string, Set<string>>();
  literals(ma.markers, named);
  literals(mb.markers, named);
  const values = (v: string) => [...(named.get(v) ?? [])];

  const platforms: Platform[] = PLATFORMS.map((p) => ({
    ...p,
    machines: [...new Set([...p.machines, ...values('platform_machine')])],
  }));
  const extraMachines = ['x86_64', ...values('platform_machine')];
  for (const s of values('sys_platform'))
    if (!platforms.some((p) => p.sys_platform === s))
      platforms.push({ sys_platform: s, platform_system: '', os_name: 'posix', machines: extraMachines });
  for (const s of values('platform_system'))
    if (!platforms.some((p) => p.platform_system === s))
      platforms.push({ sys_platform: s.toLowerCase(), platform_system: s, os_name: 'posix', machines: extraMachines });
  for (const s of values('os_name'))
    if (!platforms.some((p) => p.os_name === s))
      platforms.push({ sys_platform: '', platform_system: '', os_name: s, machines: extraMachines });

  const fulls = new Set<string>();
  for (const v of [...PYTHONS, ...values('python_version')]) fulls.add(/^\d+\.\d+$/.test(v) ? `${v}.0` : v);
  for (const v of values('python_full_version')) fulls.add(v);
  const implementations = [...IMPLEMENTATIONS];
  for (const v of values('implementation_name'))
    if (!implementations.some(([n]) => n === v)) implementations.push([v, v]);
  for (const v of values('platform_python_implementation'))
    if (!implementations.some(([, p]) => p === v)) implementations.push([v.toLowerCase(), v]);
  const releases = ['', ...values('platform_release')];
  const versions = ['', ...values('platform_version')];
  const extras = ['', ...values('extra')];

  for (const p of platforms)
    for (const machine of p.machines)
      for (const full of fulls)
        for (const [impl, pyImpl] of implementations)
          for (const release of releases)
            for (const version of versions)
              for (const extra of extras) {
                const env = {
                  sys_platform: p.sys_platform,
                  platform_system: p.platform_system,
                  os_name: p.os_name,
                  platform_machine: machine,
                  python_full_version: full,
                  python_version: full.split('.').slice(0, 2).join('.'),
                  implementation_name: impl,
                  implementation_version: full,
                  platform_python_implementation: pyImpl,
                  platform_release: release,
                  platform_version: version,
                  extra,
                };
                try {
                  if (ma.evaluate(env) && mb.evaluate(env)) return true;
                } catch (e) {
                  if (e instanceof MarkerEvaluationError) return true;
                  throw e;
                }
              }
  return false;
}
