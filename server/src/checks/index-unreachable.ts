// `index-unreachable`: a configured index could not be asked (or answered with data that could not be read); the
// findings that needed it say so.
import { redact } from '../index/credentials';
import { finding } from '../model/finding';
import type { FileOption, Finding, ParsedFile } from '../model/types';
import type { Check } from './types';

/**
 * Says which configured index could not be asked and why (network, timeout, a 5xx, a page or file that could not be
 * read), with credentials removed: on the option line that names the index (`--extra-index-url ...`) when a file of
 * the set names it, else once per environment set on its root file. The other checks keep what they found from the
 * indexes that answered, and say where an unreachable index may have changed it.
 *
 * Bad: `--extra-index-url https://download.pytorch.org/whl/cu121` on a machine without network.
 * Fix: none here; the message says what to check (network, proxy, the URL).
 */
export const indexUnreachable: Check = {
  code: 'index-unreachable',
  description: 'A configured index or channel could not be asked; the findings that needed it say so.',
  run(set, ctx) {
    const report = ctx.index?.get(set.root);
    const advisories = ctx.vulnerabilities?.get(set.root);
    const root = set.files[0];
    if (!root || (!report && !advisories)) return [];
    const out: Finding[] = [];
    const lines: string[] = [];
    if (report?.unreachable.length) {
      // Per option line that names an index that could not be asked, its reasons; the rest on the root file.
      const atOption = new Map<FileOption, { file: string; whys: string[] }>();
      const elsewhere: string[] = [];
      for (const why of report.unreachable) {
        const index = report.unreachableIndexes.find((u) => u.why === why)?.index;
        const named = index ? optionNaming(set.files, index) : null;
        if (!named) {
          elsewhere.push(why);
          continue;
        }
        const group =
          atOption.get(named.option) ?? atOption.set(named.option, { file: named.file, whys: [] }).get(named.option)!;
        group.whys.push(why);
      }
      for (const [option, { file, whys }] of atOption)
        out.push(finding('index-unreachable', file, option.span, indexNote(whys, report.answered)));
      if (elsewhere.length) lines.push(indexNote(elsewhere, report.answered));
    }
    if (report?.gaveUp) lines.push(`Dependencies were not fully followed: ${report.gaveUp}`);
    if (advisories?.unavailable) lines.push(`Known vulnerabilities were not fully checked: ${advisories.unavailable}.`);
    const all = [
      ...out,
      ...lines.map((message) => finding('index-unreachable', root.path, { start: 0, end: 0 }, message)),
    ];
    // URLs of an untrusted workspace's files: each line says it was not checked, and why.
    for (const dep of report?.notFetched ?? [])
      all.push(
        finding(
          'index-unreachable',
          dep.file,
          dep.span,
          'Not checked in an untrusted workspace: Stack Doctor fetches no URL a workspace file names until you ' +
            'trust the workspace.',
          { severity: 'information' },
        ),
      );
    return all;
  },
};

/** The message for indexes that could not be asked (`answered`: whether some index answered at all). */
function indexNote(whys: readonly string[], answered: boolean): string {
  const what = whys.slice(0, 5).join('; ') + (whys.length > 5 ? `; and ${whys.length - 5} more` : '');
  return answered
    ? `Part of the package index could not be asked; what needed it was not checked\n${what}. ` +
        `The findings from the indexes that answered stand; check the network, a proxy, or the URL.`
    : `Stack Doctor could not ask the package index; dependencies were not followed\n${what}. ` +
        `The checks that need no index still ran; check the network, a proxy, or the URL.`;
}

/** The first option line of the set's files that names `index` (as configured, redacted). */
function optionNaming(files: readonly ParsedFile[], index: string): { file: string; option: FileOption } | null {
  const same = (a: string): boolean => a === index || a.replace(/\/+$/, '') === index.replace(/\/+$/, '');
  for (const f of files)
    for (const o of f.options)
      if ((o.name === '--index-url' || o.name === '--extra-index-url') && o.value && same(redact(o.value)))
        return { file: f.path, option: o };
  return null;
}
