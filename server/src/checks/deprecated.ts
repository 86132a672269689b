// `deprecated`: a package (or extra) that no longer installs or must not be used, with its replacement.
import { finding } from '../model/finding';
import {
  deprecatedExtras,
  deprecatedPackage,
  hasDeprecatedExtras,
  type DeprecatedPackage,
} from '../knowledge/deprecated';
import type { Dependency, Finding, Fix, ParsedFile, TextEdit } from '../model/types';
import { SpecifierSet } from '../pep/specifier';
import { Version } from '../pep/version';
import { targetOs } from '../system/profile';
import { pinnedVersion } from './cuda-builds';
import { hasPep440Text, requirementText } from './edits';
import type { Check, CheckContext } from './types';

/** Whether the declaration can only get versions from `from` on (a pin, or a floor at or above it). */
function onlyFrom(dep: Dependency, from: string): boolean {
  const floor = Version.parse(from);
  if (!floor) return false;
  if (dep.kind === 'conda') {
    const v = pinnedVersion(dep) ?? /^(?:>=|==?)?\s*(\d+(?:\.\d+)*)/.exec(dep.conda?.version ?? '')?.[1] ?? null;
    const parsed = v ? Version.parse(v.replace(/\.\*$/, '')) : null;
    return !!parsed && parsed.compare(floor) >= 0;
  }
  if (!dep.specifier || dep.specifierUnknown) return false;
  try {
    const set = SpecifierSet.parse(dep.specifier);
    return (
      set.specifiers.some(
        (s) =>
          (s.operator === '==' || s.operator === '>=' || s.operator === '~=' || s.operator === '===') &&
          (Version.parse(s.version.replace(/\.\*$/, '')) ?? floor).compare(floor) >= 0,
      ) || set.specifiers.some((s) => s.operator === '>' && (Version.parse(s.version) ?? floor).compare(floor) >= 0)
    );
  } catch {
    return false;
  }
}

function replacementFix(rec: DeprecatedPackage, dep: Dependency, files: readonly ParsedFile[]): Fix | null {
  if (!rec.replacement) return null;
  if (rec.ecosystem === 'conda') {
    const v = /\d+\.\d+/.exec(dep.conda?.version ?? '')?.[0];
    if (!v) return null;
    const edits: TextEdit[] = [{ file: dep.file, span: dep.span, newText: `${rec.replacement}=${v}` }];
    const partner = rec.with;
    if (partner) {
      // The package the replacement works with, taken from the channel where it does (`conda-forge::pytorch`).
      for (const d of files.flatMap((f) => f.dependencies))
        if (d.kind === 'conda' && d.name === partner.package && d.conda?.channel !== partner.channel)
          edits.push({
            file: d.file,
            span: d.span,
            newText: `${partner.channel}::${d.text.trim().replace(/^[^\s:]*::/, '')}`,
          });
    }
    return {
      title: partner
        ? `Use ${partner.channel}'s ${partner.package} with ${rec.replacement}=${v}`
        : `Replace with ${rec.replacement}=${v}`,
      edits,
      preferred: true,
    };
  }
  if (rec.keepSpecifier || !hasPep440Text(dep)) {
    return {
      title: `Replace ${dep.rawName} with ${rec.replacement}`,
      edits: [{ file: dep.file, span: dep.nameSpan, newText: rec.replacement }],
      preferred: true,
    };
  }
  // The replacement's versions are unrelated to the dummy's (sklearn 0.0): drop the specifier.
  return {
    title: `Replace with ${rec.replacement}`,
    edits: [
      {
        file: dep.file,
        span: dep.span,
        newText: requirementText({ ...dep, rawName: rec.replacement }, '', dep.extras),
      },
    ],
    preferred: true,
  };
}

function packageFinding(
  rec: DeprecatedPackage,
  dep: Dependency,
  files: readonly ParsedFile[],
  ctx: CheckContext,
): Finding | null {
  const failing = rec.failsFrom ? onlyFrom(dep, rec.failsFrom) : false;
  if (rec.onlyWhenFailing && !failing) return null;
  const parts = [`${dep.rawName} is deprecated: ${rec.status}.`];
  if (failing && rec.failsFrom) parts.push(`The version declared here (${rec.failsFrom} or later) does not install.`);
  if (rec.replacement) parts.push(`Use ${rec.replacement} instead${rec.advice ? ` (${rec.advice})` : ''}.`);
  else if (rec.advice) parts.push(`Instead, ${rec.advice}.`);
  if (dep.name === 'tensorflow-gpu' && targetOs(ctx.profile) === 'windows')
    parts.push('On native Windows there is no TensorFlow GPU support after 2.10 at all: use WSL2.');
  const fix = replacementFix(rec, dep, files);
  // The verdict is what a Problems row shows whole: the status follows it where the two do not fit there.
  if (parts[0]!.length >= 100) {
    parts[0] = `${dep.rawName} is deprecated${rec.replacement ? `; use ${rec.replacement}` : ''}`;
    parts.splice(1, 0, `${rec.status.charAt(0).toUpperCase()}${rec.status.slice(1)}.`);
  }
  const [verdict, ...rest] = parts;
  const message = rest.length ? `${verdict}\n${rest.join(' ')}` : verdict!;
  return finding('deprecated', dep.file, dep.span, message, { fixes: fix ? [fix] : [] });
}

function extraFindings(dep: Dependency, file: ParsedFile | undefined): Finding[] {
  const out: Finding[] = [];
  for (const rec of deprecatedExtras) {
    if (rec.package !== dep.name) continue;
    const re = new RegExp(rec.extraPattern);
    for (const extra of dep.extras.filter((e) => re.test(e))) {
      const written = file
        ? new RegExp(`(?<=[[,]\\s*)${extra.replace(/-/g, '[-_.]')}(?=\\s*[\\],])`, 'i').exec(
            file.text.slice(dep.span.start, dep.span.end),
          )
        : null;
      const fix: Fix | null = written
        ? {
            title: `Use the ${rec.replacementExtra} extra`,
            edits: [
              {
                file: dep.file,
                span: {
                  start: dep.span.start + written.index,
                  end: dep.span.start + written.index + written[0].length,
                },
                newText: rec.replacementExtra,
              },
            ],
            preferred: true,
          }
        : null;
      out.push(
        finding(
          'deprecated',
          dep.file,
          dep.span,
          `${dep.rawName}[${extra}] is deprecated: ${rec.status}. Use ${dep.rawName}[${rec.replacementExtra}].`,
          { fixes: fix ? [fix] : [] },
        ),
      );
    }
  }
  return out;
}

/**
 * Flags packages that no longer install or must not be used (`tensorflow-gpu`, `sklearn`, `PIL`, the
 * `jax-cuda11-*` plugins, conda's `pytorch-cuda`, conda `cudatoolkit` for CUDA 12 and later) and deprecated
 * extras (`jax[cuda11_pip]`), in every file and section, build requirements included.
 *
 * Bad: `sklearn`. Good: `scikit-learn`.
 * Fix: the replacement (name only where it shares the version numbers, `tensorflow-gpu==2.10.0` ->
 * `tensorflow==2.10.0`; the whole entry otherwise).
 */
export const deprecated: Check = {
  code: 'deprecated',
  description: 'A package that no longer installs or must not be used (tensorflow-gpu, sklearn, ...).',
  run(set, ctx) {
    const out: Finding[] = [];
    for (const file of set.files) {
      for (const dep of file.dependencies) {
        const rec = deprecatedPackage(dep.name, dep.kind === 'conda' ? 'conda' : 'pip');
        if (rec) {
          const f = packageFinding(rec, dep, set.files, ctx);
          if (f) out.push(f);
        }
        if (dep.kind !== 'conda' && dep.extras.length > 0 && hasDeprecatedExtras(dep.name))
          out.push(...extraFindings(dep, file));
      }
    }
    return out;
  },
};
