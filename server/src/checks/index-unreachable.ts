// `index-unreachable`: a configured index could not be asked (or answered with data that could not be read); the
// findings that needed it say so.
import { finding } from '../model/finding';
import type { Check } from './types';

/**
 * Says once per environment set, on its root file, which configured index could not be asked and why (network,
 * timeout, a 5xx, a page or file that could not be read), with credentials removed. The other checks keep
 * what they found from the indexes that answered, and say where an unreachable index may have changed it.
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
    const lines: string[] = [];
    if (report?.unreachable.length) {
      const what =
        report.unreachable.slice(0, 5).join('; ') +
        (report.unreachable.length > 5 ? `; and ${report.unreachable.length - 5} more` : '');
      lines.push(
        report.answered
          ? `Part of the package index could not be asked, so what needed it was not checked: ${what}. ` +
              `The findings from the indexes that answered stand; check the network, a proxy, or the URL.`
          : `Stack Doctor could not ask the package index, so dependencies were not followed: ${what}. ` +
              `The checks that need no index still ran; check the network, a proxy, or the URL.`,
      );
    }
    if (report?.gaveUp) lines.push(`Dependencies were not fully followed: ${report.gaveUp}`);
    if (advisories?.unavailable) lines.push(`Known vulnerabilities were not fully checked: ${advisories.unavailable}.`);
    const out = lines.map((message) => finding('index-unreachable', root.path, { start: 0, end: 0 }, message));
    // URLs of an untrusted workspace's files: each line says it was not checked, and why.
    for (const dep of report?.notFetched ?? [])
      out.push(
        finding(
          'index-unreachable',
          dep.file,
          dep.span,
          'Not checked in an untrusted workspace: Stack Doctor fetches no URL a workspace file names until you ' +
            'trust the workspace.',
          { severity: 'information' },
        ),
      );
    return out;
  },
};
