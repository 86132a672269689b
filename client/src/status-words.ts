// What the status bar says, as pure functions (no `vscode` import, unit-tested): the "checking…" item until the server
// first publishes, the machine profile's summary, and which profiles a CUDA finding can be judged against instead.
import * as nodePath from 'node:path';
import type { MachineProfile } from '../../server/src/system/profile';
import { profileSummary } from '../../server/src/system/profile-summary';

/**
 * The "checking" item from activation until the first publish: `checking requirements.txt…` for the file the editor
 * shows (or any dependency file opened), null once a publish came for it (or for anything, when no file is named).
 */
export class FirstCheck {
  private done = false;
  private file: string | undefined;

  /** The dependency file the editor shows now (an absolute path), or undefined. */
  showing(file: string | undefined): void {
    if (file && !this.file) this.file = file;
  }

  /** The server published diagnostics for `file`. */
  published(file: string): void {
    if (!this.file || this.file === file) this.done = true;
  }

  /** The server stopped before it published: nothing is being checked. */
  stopped(): void {
    this.done = true;
  }

  /** The item's text, or null when it is hidden. */
  text(): string | null {
    if (this.done) return null;
    return `$(sync~spin) checking ${this.file ? nodePath.basename(this.file) : 'dependency files'}…`;
  }
}

/** The profile status item's text: `Py 3.11 · CPU` for this machine, `gpu-box: Py 3.10 · CUDA 12.4 driver` for a file. */
export function profileStatusText(name: string | null, profile: MachineProfile | string | null): string {
  const summary = typeof profile === 'string' ? profile : profile ? profileSummary(profile) : null;
  if (name === null) return `$(server) ${summary ?? 'This machine'}`;
  return `$(server) ${name}${summary ? `: ${summary}` : ''}`;
}

/** Codes whose verdict depends on the machine's GPU: beside their fixes, "Judge against a GPU machine profile…". */
export const GPU_DEPENDENT_CODES: ReadonlySet<string> = new Set(['cuda-unavailable', 'cuda-driver', 'cuda-mix']);

/**
 * The GPU profiles to offer (those with an NVIDIA driver), the remembered one first when it is still among them; the
 * rest in their order.
 */
export function gpuProfilesFirst<T extends { path: string; profile?: MachineProfile }>(
  files: readonly T[],
  remembered: string | undefined,
): T[] {
  const gpu = files.filter((f) => f.profile?.nvidia);
  const hit = gpu.find((f) => f.path === remembered);
  return hit ? [hit, ...gpu.filter((f) => f !== hit)] : gpu;
}
