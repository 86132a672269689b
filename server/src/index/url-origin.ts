// Where a URL came from, and what that allows: whether its `${VAR}` are expanded, whether it is fetched at all, and
// which credentials go with it. Every request of the index layer is planned here (HttpClient.get), redirects included.
import { expandEnvVars, rememberExpanded, safeDecode, type NetrcEntry } from './credentials';
import type { IndexSelection } from './selection';

/**
 * The origin of a URL.
 * - `person`: the person's own settings, command-line flags or pip configuration.
 * - `workspace`: a workspace file; `expand` when pip reads that file as a requirements file (requirements and
 *   constraints files, the `pip:` part of an environment.yml), never for pyproject.toml; `trusted` when the workspace
 *   is trusted.
 * - `link`: a file an index or find-links page links, or where a redirect leads: `page` is the URL asked for (as it was
 *   given, before expansion), `from` that URL's origin.
 * - `metadata`: a URL found in package metadata (`Requires-Dist: y @ URL`) or in a JSON API answer.
 */
export type UrlOrigin =
  | { kind: 'person' }
  | { kind: 'workspace'; trusted: boolean; expand: boolean }
  | { kind: 'link'; page: string; from: UrlOrigin }
  | { kind: 'metadata' };

export const PERSON: UrlOrigin = { kind: 'person' };
export const METADATA: UrlOrigin = { kind: 'metadata' };

/** A request that may be sent: the URL (expanded where allowed, no userinfo) and its `Authorization`, or null. */
export interface PlannedRequest {
  url: string;
  authorization: string | null;
  /** `host[:port]` the request goes to. */
  host: string;
}

/** Why a URL is not fetched, in words for a message (no URL in it). */
export type Refusal = { refused: string };

/** What `planRequest` needs besides the URL: the variables and the netrc entries. */
export interface PlanContext {
  env: Record<string, string | undefined>;
  netrc: () => Map<string, NetrcEntry>;
}

/** Whether `${VAR}` in a URL of this origin is expanded (pip's rule: requirements files and the person's own). */
export function expands(origin: UrlOrigin): boolean {
  return origin.kind === 'person' || (origin.kind === 'workspace' && origin.trusted && origin.expand);
}

const LEFT_VAR = /\$\{[^}]*\}|\$%7B/i;

/**
 * Plans the GET of `raw` from `origin`, or says why it is not sent:
 * - a URL found in metadata is never fetched (pip does not follow URL requirements of index packages);
 * - a URL a file of an untrusted workspace names is never fetched;
 * - `${VAR}` is expanded only for the person's own URLs and requirements files of a trusted workspace, and a URL that
 *   still holds a `${...}` is not fetched;
 * - only http(s);
 * - credentials (userinfo, netrc): the person's URLs get their userinfo, else their host's netrc entry, else netrc's
 *   `default`; a trusted workspace file's URL its own userinfo or its host's netrc entry, never `default`; a link the
 *   credentials of the page that links it when on the same host and port, none on another.
 */
export function planRequest(raw: string, origin: UrlOrigin, ctx: PlanContext): PlannedRequest | Refusal {
  if (origin.kind === 'metadata')
    return { refused: 'a URL found in package metadata is not followed (pip does not follow it either)' };
  if (origin.kind === 'workspace' && !origin.trusted)
    return { refused: 'a URL named by a file of an untrusted workspace is not fetched' };
  const text = expands(origin) ? expandEnvVars(raw, ctx.env) : raw;
  if (text !== raw) rememberExpanded(raw, ctx.env);
  if (LEFT_VAR.test(text)) return { refused: 'the URL holds a ${...} that is not expanded here' };
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return { refused: 'not a valid URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { refused: `${u.protocol} URLs are not fetched` };
  const user = safeDecode(u.username);
  const pass = safeDecode(u.password);
  u.username = '';
  u.password = '';
  const host = u.host;
  let authorization: string | null = user || pass ? basic(user, pass) : null;
  if (origin.kind === 'link') {
    const page = planRequest(origin.page, origin.from, ctx);
    // Another host (or port) than the page's: no credentials at all, not even the link's own.
    if ('refused' in page || page.host !== host) authorization = null;
    else authorization ??= page.authorization;
  } else if (!authorization) {
    const netrc = ctx.netrc();
    const e = netrc.get(u.hostname) ?? (origin.kind === 'person' ? netrc.get('') : undefined);
    if (e && (e.login || e.password)) authorization = basic(e.login, e.password);
  }
  return { url: u.toString(), authorization, host };
}

function basic(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

/** The origin of a hop of a redirect from `from` (requested as `fromRaw`): a link of that page. */
export function redirectOrigin(fromRaw: string, from: UrlOrigin): UrlOrigin {
  return { kind: 'link', page: fromRaw, from };
}

/** Where an index URL or find-links entry of a selection came from: a trusted workspace file, or the person. */
export function indexOrigin(indexes: IndexSelection, url: string): UrlOrigin {
  if (!indexes.fromFiles?.includes(url)) return PERSON;
  return { kind: 'workspace', trusted: true, expand: !indexes.noExpand?.includes(url) };
}
