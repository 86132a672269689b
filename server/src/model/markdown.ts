// Markdown built from text someone else wrote (package metadata, index pages, conda channels, the files themselves):
// rendered as text, never as a link, an image, a `command:` URI or HTML the editor would act on.

/**
 * Characters that start emphasis, code, links, images, tables or strike-through, escaped with a backslash (`&`, `<`
 * and `>` become entities). Dots, dashes and colons stay as they are: versions and URLs read as written.
 */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]()!|~]/g;

/** `text` as Markdown that renders exactly as written: punctuation escaped, HTML inert, on one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(MARKDOWN_PUNCTUATION, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * `text` as an inline code span (Markdown renders nothing inside one): fenced with more backticks than any run in it,
 * on one line.
 */
export function codeSpan(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  const longest = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || oneLine === '' ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/**
 * A Markdown link to `url` labelled `label`, or null when the URL is not plain http(s) (a `command:`, `file:` or
 * `javascript:` link never reaches the hover). The label is escaped, and the URL's characters that would end the link
 * or start HTML are percent-encoded.
 */
export function safeLink(label: string, url: string): string | null {
  const u = url.trim();
  if (!/^https?:\/\/[^\s]/i.test(u)) return null;
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const href = u.replace(/[()<>\s"'`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${escapeMarkdown(label)}](${href})`;
}
