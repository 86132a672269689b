// `companion-version`: versions that must move together do not (torch/torchvision/torchaudio, tensorflow/keras,
// jax/jaxlib and the JAX CUDA plugin).
import { finding } from '../model/finding';
import { releaseOfCompanion, torchRelease, type TorchRelease } from '../knowledge/pytorch';
import { numpy2Packages, numpy2Symptom } from '../knowledge/numpy2';
import { tensorflowRelease, tensorflowReleases } from '../knowledge/tensorflow';
import type { Dependency, Finding, Fix, ParsedFile } from '../model/types';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import { pinnedVersion } from './cuda-builds';
import { hasPep440Text, joinSpecifiers, requirementLabel } from './edits';
import { linesCause } from './fold';
import type { VersionSet } from '../pep/version-set';
import { answeredByLock, isLockedDependency, lockedOnTarget } from './locked';
import { byName, installedDeclarations, installGroups, versionSetOf } from './scope';
import type { Check } from './types';
import type { EnvironmentSet } from '../model/sets';

/** The public part of a pinned version (`2.1.0+cu121` -> `2.1.0`). */
function publicOf(v: string): string {
  return v.split('+')[0]!;
}

function sameVersion(a: string, b: string): boolean {
  const x = Version.parse(publicOf(a));
  const y = Version.parse(publicOf(b));
  return !!x && !!y && x.equals(y);
}

/** An edit that replaces the public part of a pinned version in place, keeping the operator and any local label. */
function repinFix(dep: Dependency, files: ParsedFile[], newVersion: string, why: string): Fix | null {
  const file = files.find((f) => f.path === dep.file);
  const pinned = pinnedVersion(dep);
  // A lock entry is written by its tool, never edited by a fix.
  if (!file || !pinned || isLockedDependency(dep)) return null;
  const written = file.text.slice(dep.specifierSpan.start, dep.specifierSpan.end);
  const pub = publicOf(pinned);
  const m = new RegExp(`\\d[\\w.!]*`).exec(written);
  if (!m || !sameVersion(m[0], pub)) return null;
  const start = dep.specifierSpan.start + m.index;
  return {
    title: `Change ${dep.rawName} to ${newVersion} (${why})`,
    edits: [{ file: dep.file, span: { start, end: start + m[0].length }, newText: newVersion }],
    preferred: true,
  };
}

interface Pins {
  pinned: Map<string, { dep: Dependency; version: string }>;
  declared: Map<string, Dependency[]>;
}

/** The only packages whose versions move together here: pins are looked up for these and no other. */
const COMPANIONS = new Set([
  'numpy',
  'torch',
  'pytorch',
  'torchvision',
  'torchaudio',
  'tensorflow',
  'keras',
  'tf-keras',
  'jax',
  'jaxlib',
]);

/** Whether pins are looked up for the name (asked for every line of a file). */
export function isCompanion(name: string): boolean {
  return COMPANIONS.has(name) || (name.startsWith('jax-cuda') && /^jax-cuda\d+-(plugin|pjrt)$/.test(name));
}

function pinsOf(group: readonly Dependency[]): Pins {
  const pinned = new Map<string, { dep: Dependency; version: string }>();
  const declared = byName(group.filter((d) => isCompanion(d.name)));
  for (const [name, decls] of declared) {
    for (const dep of decls) {
      const v = pinnedVersion(dep);
      if (v && Version.parse(publicOf(v))) {
        pinned.set(name === 'pytorch' ? 'torch' : name, { dep, version: v });
        break;
      }
    }
  }
  const pt = declared.get('pytorch');
  if (pt) declared.set('torch', [...(declared.get('torch') ?? []), ...pt]);
  return { pinned, declared };
}

function companionFinding(dep: Dependency, message: string, related: Dependency[], fix: Fix | null): Finding {
  return finding('companion-version', dep.file, dep.span, message, {
    related: related.map((r) => ({ file: r.file, span: r.span, message: `${r.name} is declared here` })),
    fixes: fix ? [fix] : [],
    cause: linesCause([dep, ...related]),
  });
}

function expectedCompanion(rel: TorchRelease, pkg: 'torchvision' | 'torchaudio', dep: Dependency): string[] {
  const out = [rel[pkg]];
  if (dep.kind === 'conda' && rel.conda) out.push(rel.conda[pkg]);
  return out;
}

function torchFindings(p: Pins, files: ParsedFile[]): Finding[] {
  const out: Finding[] = [];
  const torch = p.pinned.get('torch');
  const rel = torch ? torchRelease(torch.version) : undefined;
  for (const pkg of ['torchvision', 'torchaudio'] as const) {
    const comp = p.pinned.get(pkg);
    if (!comp) continue;
    if (torch && rel) {
      const want = expectedCompanion(rel, pkg, comp.dep);
      if (want.some((w) => sameVersion(w, comp.version))) continue;
      // torchaudio 2.11 and later is built against PyTorch's stable ABI and works with any torch >= 2.11.
      if (pkg === 'torchaudio' && cmp(publicOf(comp.version), '2.11') >= 0 && cmp(publicOf(torch.version), '2.11') >= 0)
        continue;
      const fix =
        hasPep440Text(comp.dep) || comp.dep.kind === 'conda'
          ? repinFix(comp.dep, files, want[0]!, `the ${pkg} of torch ${rel.torch}`)
          : null;
      out.push(
        companionFinding(
          comp.dep,
          `${pkg} ${publicOf(comp.version)} does not belong to torch ` +
            `${publicOf(torch.version)}, which needs ${pkg} ${want.join(' or ')}\n` +
            `Mixing releases fails at import with "RuntimeError: operator torchvision::nms does not exist" or similar.`,
          [torch.dep],
          fix,
        ),
      );
      continue;
    }
    // No exact torch pin: the companion's own release must be admitted by what torch declares.
    const crel = releaseOfCompanion(pkg, comp.version);
    const torchDecls = (p.declared.get('torch') ?? []).filter(
      (d) => d.specifier && !d.specifierUnknown && d.url === null && d.kind !== 'conda',
    );
    if (!crel || torchDecls.length === 0) continue;
    const excluding = torchDecls.filter((d) => {
      try {
        return !SpecifierSet.parse(d.specifier).contains(crel.torch, true);
      } catch {
        return false;
      }
    });
    if (excluding.length === 0) continue;
    out.push(
      companionFinding(
        comp.dep,
        `${pkg} ${publicOf(comp.version)} belongs to torch ${crel.torch}, which ` +
          `${excluding.map((d) => `torch${d.specifier}`).join(' and ')} ` +
          `excludes\ntorch, torchvision and torchaudio must come from one release.`,
        excluding,
        null,
      ),
    );
  }
  return out;
}

function cmp(a: string, b: string): number {
  const x = Version.parse(a);
  const y = Version.parse(b);
  return x && y ? x.compare(y) : 0;
}

function kerasFindings(p: Pins): Finding[] {
  const tf = p.pinned.get('tensorflow');
  const rel = tf ? tensorflowRelease(publicOf(tf.version)) : undefined;
  if (!tf || !rel) return [];
  const out: Finding[] = [];
  const checks: [string, string | undefined, string][] = [
    [
      'keras',
      rel.keras,
      rel.keras?.startsWith('>=3')
        ? `TensorFlow ${rel.tensorflow.replace(/\.\d+$/, '')} uses Keras 3 as ` +
          `tf.keras (keep Keras 2 with tf-keras and TF_USE_LEGACY_KERAS=1)`
        : `TensorFlow ${rel.tensorflow.replace(/\.\d+$/, '')} needs the Keras 2 release of the same minor`,
    ],
    ['tf-keras', rel.tfKeras, `tf-keras must match the TensorFlow minor`],
  ];
  for (const [name, spec, why] of checks) {
    const pin = p.pinned.get(name);
    if (!pin || !spec) continue;
    let ok = true;
    try {
      ok = SpecifierSet.parse(spec).contains(publicOf(pin.version), true);
    } catch {
      continue;
    }
    if (ok) continue;
    const fix: Fix | null = hasPep440Text(pin.dep)
      ? {
          title: `Change to ${pin.dep.rawName}${spec}`,
          edits: [{ file: pin.dep.file, span: pin.dep.specifierSpan, newText: spec }],
          preferred: true,
        }
      : null;
    out.push(
      companionFinding(
        pin.dep,
        `${name} ${publicOf(pin.version)} does not fit tensorflow ${publicOf(tf.version)}, ` +
          `which needs ${name}${spec}\n${why}.`,
        [tf.dep],
        fix,
      ),
    );
  }
  return out;
}

function jaxFindings(p: Pins, files: ParsedFile[]): Finding[] {
  const out: Finding[] = [];
  const jax = p.pinned.get('jax');
  const jaxlib = p.pinned.get('jaxlib');
  if (jax && jaxlib && cmp(publicOf(jaxlib.version), publicOf(jax.version)) > 0) {
    out.push(
      companionFinding(
        jaxlib.dep,
        `jaxlib ${publicOf(jaxlib.version)} is newer than jax ${publicOf(jax.version)}\n` +
          `jax requires jaxlib <= its own version, so pip cannot install them together.`,
        [jax.dep],
        repinFix(jaxlib.dep, files, publicOf(jax.version), `the jaxlib of jax ${publicOf(jax.version)}`),
      ),
    );
  }
  for (const major of ['12', '13', '11']) {
    const plugin = p.pinned.get(`jax-cuda${major}-plugin`);
    const pjrt = p.pinned.get(`jax-cuda${major}-pjrt`);
    if (plugin && pjrt && !sameVersion(plugin.version, pjrt.version)) {
      out.push(
        companionFinding(
          pjrt.dep,
          `jax-cuda${major}-pjrt ${publicOf(pjrt.version)} differs ` +
            `from jax-cuda${major}-plugin ${publicOf(plugin.version)}\n` +
            `The plugin requires exactly its own version of the pjrt package.`,
          [plugin.dep],
          repinFix(pjrt.dep, files, publicOf(plugin.version), 'the version of the plugin'),
        ),
      );
    }
    if (plugin && jax && cmp(publicOf(plugin.version), publicOf(jax.version)) > 0) {
      out.push(
        companionFinding(
          plugin.dep,
          `jax-cuda${major}-plugin ${publicOf(plugin.version)} is newer than jax ` +
            `${publicOf(jax.version)}\nThe plugin must not be newer than jax.`,
          [jax.dep],
          repinFix(plugin.dep, files, publicOf(jax.version), `the plugin of jax ${publicOf(jax.version)}`),
        ),
      );
    }
  }
  return out;
}

/** What every judged line of a package admits together; null when no line says anything about its version. */
function allowedBy(decls: Dependency[] | undefined): { decls: Dependency[]; set: VersionSet } | null {
  const judged = (decls ?? []).filter(
    (d) => d.specifier && !d.specifierUnknown && d.url === null && versionSetOf(d.specifier),
  );
  if (judged.length === 0) return null;
  return { decls: judged, set: judged.map((d) => versionSetOf(d.specifier)!).reduce((a, b) => a.intersect(b)) };
}

/**
 * torch before 2.3 and TensorFlow before 2.18 were built against NumPy 1.x: where every release their lines admit is
 * that old, and the numpy lines let pip take NumPy 2 (it takes the newest), the import fails. TensorFlow releases
 * whose own numpy requirement keeps NumPy 2 out are left to `conflict-transitive`.
 */
function numpy2Findings(p: Pins): Finding[] {
  const numpy = allowedBy(p.declared.get('numpy'));
  const two = versionSetOf('>=2');
  if (!numpy || !two || numpy.set.intersect(two).isEmpty()) return [];
  const out: Finding[] = [];
  for (const pkg of numpy2Packages) {
    const lines = allowedBy(p.declared.get(pkg.name));
    // A conda build declares the numpy it was built for (`numpy >=1.21,<2`): conda's solver keeps NumPy 2 out, and a
    // conda environment that cannot have both is conda's solve to report. This rule is about PyPI wheels, which did not.
    if (lines?.decls.some((d) => d.kind === 'conda')) continue;
    const fixed = versionSetOf(`>=${pkg.firstBuiltForNumpy2}`);
    if (!lines || !fixed || !lines.set.intersect(fixed).isEmpty()) continue;
    if (pkg.name === 'tensorflow') {
      // Every admitted TensorFlow line of the tables must itself allow NumPy 2 (no cap): else pip cannot resolve
      // instead.
      const admitted = tensorflowReleases.filter(
        (r) => !lines.set.intersect(versionSetOf(`==${r.tensorflow.split('.').slice(0, 2).join('.')}.*`)!).isEmpty(),
      );
      const uncapped = (r: (typeof tensorflowReleases)[number]) =>
        r.numpy && r.numpyConfidence !== 'u' && !versionSetOf(r.numpy)!.intersect(numpy.set).intersect(two).isEmpty();
      if (admitted.length === 0 || !admitted.every(uncapped)) continue;
    }
    const main = lines.decls[0]!;
    const why =
      `${pkg.name} releases before ${pkg.firstBuiltForNumpy2} were built against NumPy 1.x; importing ${pkg.name} ` +
      `with NumPy 2 fails ("${numpy2Symptom}"). Source: ${pkg.source}.`;
    const mainLabel = requirementLabel(main);
    for (const dep of numpy.decls) {
      const capped = hasPep440Text(dep) ? joinSpecifiers([dep.specifier, '<2']) : null;
      const fix: Fix | null = capped
        ? {
            title: `Change to '${dep.rawName}${capped}' (NumPy 1.x, which ${pkg.name} ${main.specifier} was built for)`,
            edits: [{ file: dep.file, span: dep.specifierSpan, newText: capped }],
            preferred: true,
          }
        : null;
      out.push(
        companionFinding(
          dep,
          `${mainLabel} was built for NumPy 1.x, but this line allows NumPy 2\n${why}`,
          [main],
          fix,
        ),
      );
    }
    const numpyLabels = numpy.decls.map((d) => requirementLabel(d)).join(' and ');
    out.push(
      companionFinding(
        main,
        `${mainLabel} was built for NumPy 1.x, but ${numpyLabels} allows NumPy 2\n${why}`,
        numpy.decls,
        null,
      ),
    );
  }
  return out;
}

/**
 * Flags exact pins of packages that are released together but disagree: torchvision / torchaudio of another
 * torch release (pytorch.json's release table; where torch is not pinned, a torchvision pin whose torch the torch
 * specifier excludes), keras / tf-keras that do not fit the pinned TensorFlow, jaxlib newer than jax, and the
 * JAX CUDA plugin and pjrt packages out of step, and torch < 2.3 or TensorFlow < 2.18 (built for NumPy 1.x) with numpy
 * lines that let pip take NumPy 2. Extras and groups are judged each with the base.
 *
 * Bad: `torch==2.1.0` with `torchvision==0.15.2`. Good: `torch==2.1.0` with `torchvision==0.16.0`.
 * Fix: the companion version that matches (the local label, `+cu121`, is kept).
 * Where a lock of the set answers for a package, its locked version is judged instead, on the lock entry (no fix).
 */
export const companionVersion: Check = {
  code: 'companion-version',
  description: 'Versions that must move together do not (torch/torchvision/torchaudio, tensorflow/keras, jax/jaxlib).',
  run(set: EnvironmentSet, ctx) {
    const out = new Map<string, Finding>();
    const env = ctx.markerEnvironment;
    // Where a lock answers for a package, its locked version is the pin: the manifest's lines for it step aside.
    // An entry of a uv conflict fork joins only the group of its extra or group (installGroups: the base, then each
    // optional scope in order).
    const lockedAll = lockedOnTarget(set, env);
    const decls = installedDeclarations(set, env);
    const scopes = ['', ...[...new Set(decls.filter((d) => d.scope !== '').map((d) => d.scope))].sort()];
    for (const [i, group] of installGroups(decls).entries()) {
      const locked = lockedAll.filter((l) => l.scope === '' || l.scope === scopes[i]).map((l) => l.dep);
      const p = pinsOf(locked.length ? [...group.filter((d) => !answeredByLock(d, set, env)), ...locked] : group);
      for (const f of [
        ...torchFindings(p, set.files),
        ...kerasFindings(p),
        ...jaxFindings(p, set.files),
        ...numpy2Findings(p),
      ]) {
        const key = `${f.file}\0${f.span.start}\0${f.message}`;
        if (!out.has(key)) out.set(key, f);
      }
    }
    return [...out.values()];
  },
};
