// How a machine profile reads in a few words: the status bar's summary ("Py 3.11 · CPU", "Py 3.10 · CUDA 12.4 driver")
// and the Output channel's line (Python, platform, glibc, driver).
import type { MachineProfile } from './profile';

/** The Python's major.minor, or null when the profile names none. */
function pythonMinor(p: MachineProfile): string | null {
  const m = /^(\d+)\.(\d+)/.exec(p.python?.version ?? '');
  return m ? `${m[1]}.${m[2]}` : null;
}

/** "Py 3.11 · CPU", "Py 3.10 · CUDA 12.4 driver", "Py 3.12 · NVIDIA driver 535" (no CUDA version known). */
export function profileSummary(p: MachineProfile): string {
  const py = pythonMinor(p);
  const gpu = !p.nvidia ? 'CPU' : p.nvidia.cuda ? `CUDA ${p.nvidia.cuda} driver` : `NVIDIA driver ${p.nvidia.driver}`;
  return `${py ? `Py ${py}` : 'Python unknown'} · ${gpu}`;
}

/** "Python 3.11.7 · linux x86_64 · glibc 2.36 · NVIDIA driver 550.54 (CUDA 12.4)" or "… · no NVIDIA driver". */
export function profileDescription(p: MachineProfile): string {
  const parts = [
    p.python ? `Python ${p.python.version}` : 'no Python',
    `${p.os} ${p.arch}`,
    p.libc ? `${p.libc.kind} ${p.libc.version}` : null,
    p.nvidia
      ? `NVIDIA driver ${p.nvidia.driver}${p.nvidia.cuda ? ` (CUDA ${p.nvidia.cuda})` : ''}`
      : 'no NVIDIA driver',
  ];
  return parts.filter((x) => x !== null).join(' · ');
}
