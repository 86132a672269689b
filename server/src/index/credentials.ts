// Index URL credentials: `${VAR}` expansion (where url-origin.ts allows it), .netrc, and redaction for every message.
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const VAR_RE = /\$\{([A-Z0-9_]+)\}/g;

/**
 * Replaces `${VAR}` with the variable's value (pip's requirements-file rule: upper-case, digits and `_`; unset or empty
 * stays as written).
 */
export function expandEnvVars(text: string, env: Record<string, string | undefined> = process.env): string {
  return text.replace(VAR_RE, (whole, name: string) => (Object.hasOwn(env, name) && env[name]) || whole);
}

/** Values `${VAR}` was expanded to in a request, longest first, each with its `${VAR}`: `redact` puts the name back. */
let expandedValues: { value: string; name: string }[] = [];
/** Shorter values are not looked for in text (they would match ordinary words). */
const MIN_SECRET_LENGTH = 6;

/** Remembers the values the variables of `text` expand to, so that no output ever shows them (`redact`). */
export function rememberExpanded(text: string, env: Record<string, string | undefined>): void {
  VAR_RE.lastIndex = 0;
  for (let m = VAR_RE.exec(text); m; m = VAR_RE.exec(text)) {
    const value = Object.hasOwn(env, m[1]!) ? env[m[1]!] : undefined;
    if (!value || value.length < MIN_SECRET_LENGTH || expandedValues.some((e) => e.value === value)) continue;
    expandedValues = [...expandedValues, { value, name: m[0] }].sort((a, b) => b.value.length - a.value.length);
    redacted.clear();
  }
}

/** `redact`'s answers for the texts it was asked about (the same index URLs come back many times a run). */
const redacted = new Map<string, string>();

/** `text` with every remembered expanded value (and its percent-encoded form) written back as its `${VAR}`. */
function unexpand(text: string): string {
  for (const { value, name } of expandedValues) {
    if (text.includes(value)) text = text.split(value).join(name);
    const encoded = encodeURIComponent(value);
    if (encoded !== value && text.includes(encoded)) text = text.split(encoded).join(name);
  }
  return text;
}

const VCS_SCHEME = /^(git|hg|svn|bzr)\+|^(git|ssh|svn):\/\//i;
/**
 * What may follow the `@` that ends userinfo: a host (name, IPv4 or `[IPv6]`), an optional port, then the path or the
 * end.
 */
const HOST_AFTER_AT = /(\[[0-9a-f:.]+\]|[a-z0-9._~%!$&'*+=-]+)(:\d*)?([/?#\\;,)]|$)/iy;
/** In a VCS URL a host may be followed by `@rev` directly. */
const HOST_BEFORE_REV = /(\[[0-9a-f:.]+\]|[a-z0-9._~%!$&'*+=-]+)(:\d*)?(@)/iy;
/** Query parameters whose values are secrets (tokens, keys, signatures). */
const SECRET_PARAM =
  /([?&;](?:[a-z0-9_.-]*token|[a-z0-9_.-]*key|password|passwd|pwd|secret|sig|signature|auth|x-amz-credential|x-amz-signature|x-amz-security-token)=)([^&#\s'"<>]*)/gi;
/** Path tokens as conda channels and some private indexes carry them: `/t/<token>/`. */
const PATH_TOKEN = /\/t\/(?!\*\*\*\/)[^/\s'"<>?#]+(?=\/)/g;

/** Index in `rest` (the text after `scheme://`) of the `@` that ends the userinfo, or -1 when there is none. */
function userinfoEnd(scheme: string, rest: string): number {
  if (!rest.includes('@')) return -1;
  const authorityEnd = rest.search(/[/?#\\]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const vcs = VCS_SCHEME.test(scheme);
  // Every `@` followed by something that can be a host is a candidate end of the userinfo.
  const hostLike: number[] = [];
  const withPath: number[] = [];
  // Sticky matches from each `@` (no copies): linear in the length of the text however many `@` it holds.
  const at = (re: RegExp, i: number): RegExpExecArray | null => {
    re.lastIndex = i + 1;
    return re.exec(rest);
  };
  for (let i = rest.indexOf('@'); i >= 0; i = rest.indexOf('@', i + 1)) {
    const m = at(HOST_AFTER_AT, i) ?? (vcs ? at(HOST_BEFORE_REV, i) : null);
    if (m) hostLike.push(i);
    if (m && m[3] === '/') withPath.push(i);
  }
  // In a VCS URL, `@rev` at the end is the revision: prefer an `@` whose host is followed by a path, else the first.
  const candidates = vcs ? (withPath.length ? withPath : hostLike.slice(0, 1)) : hostLike;
  if (candidates.length === 0) return authority.includes('@') ? authority.lastIndexOf('@') : -1;
  // Userinfo written as the RFC says: inside the authority. A password with an unencoded `/`, `?` or `#` ends the
  // authority early, so a later `@` still ends the userinfo when what comes before cannot be a host by itself.
  const inAuthority = authority.includes('@');
  if (!inAuthority) {
    const colon = authority.indexOf(':');
    const host = colon < 0 ? authority : authority.slice(0, colon);
    const port = colon < 0 ? '' : authority.slice(colon + 1);
    // A real authority ends the URL or is followed by its path; one cut by `#` or `?` is more likely a password's
    // start.
    const endsWell = authorityEnd < 0 || rest[authorityEnd] === '/' || rest[authorityEnd] === '\\';
    const realHost =
      endsWell &&
      /^(localhost|\[[0-9a-f:.]+\]|\d+\.\d+\.\d+\.\d+|([a-z0-9-]+\.)+([a-z]{2,63}|xn--[a-z0-9-]+))$/i.test(host);
    const realPort = colon < 0 || /^\d*$/.test(port);
    // A dotted host (and a numeric port) followed by a path with an `@` in it: a plain URL (`github.com/o/r@v1`).
    if (realHost && realPort && (vcs || colon < 0)) return -1;
    // localhost or an IP address with a numeric port cannot be a user name and password.
    if (endsWell && realPort && /^(localhost|\[[0-9a-f:.]+\]|\d+\.\d+\.\d+\.\d+)$/i.test(host)) return -1;
  }
  // The last candidate for a plain URL (a password may hold `@` too), the last one followed by a path for VCS URLs.
  return candidates[candidates.length - 1]!;
}

/**
 * Text with every credential of every URL in it replaced by `***`, whatever how the userinfo is written:
 * `https://user:secret@host/`
 * -> `https://user:***@host/`, `https://token@host/` -> `https://***@host/`, also with an unencoded `#`, `/`, `?`, `@`
 * or `:`
 * in the password (`https://user:pa#ss@host/`), and token parameters (`?token=`, `&api_key=`) and conda-style path
 * tokens (`/t/<token>/`).
 * A value a `${VAR}` was expanded to for a request is written back as `${VAR}`, wherever it is in the text.
 * The user name stays (pip shows it too). Over-redacting a URL with an `@` in its path is accepted; printing a secret
 * is not.
 */
export function redact(text: string): string {
  const known = redacted.get(text);
  if (known !== undefined) return known;
  const out = redactText(text);
  if (text.length > 2048) return out;
  if (redacted.size >= 4096) redacted.clear();
  redacted.set(text, out);
  return out;
}

function redactText(text: string): string {
  if (expandedValues.length) text = unexpand(text);
  if (!text.includes('://')) return text;
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s'"<>`]*)/gi, (_m, scheme: string, rest: string) => {
    const at = userinfoEnd(scheme, rest);
    let out = rest;
    if (at >= 0) {
      const userinfo = rest.slice(0, at);
      const colon = userinfo.indexOf(':');
      out = (colon < 0 ? '***' : `${userinfo.slice(0, colon)}:***`) + rest.slice(at);
    }
    // Each pattern needs a character it starts with: a URL without one is not run through it (no regex to compile).
    if (out.includes('/t/')) out = out.replace(PATH_TOKEN, '/t/***');
    if (out.includes('?') || out.includes('&') || out.includes(';')) out = out.replace(SECRET_PARAM, '$1***');
    return scheme + out;
  });
}

/** One `.netrc` entry. */
export interface NetrcEntry {
  login: string;
  password: string;
}

/** Parses `.netrc` text (`machine`, `default`, `login`, `password`, `account`, `macdef` skipped). */
export function parseNetrc(text: string): Map<string, NetrcEntry> {
  const out = new Map<string, NetrcEntry>();
  const tokens = text.split(/\s+/).filter(Boolean);
  let machine: string | null = null;
  let entry: NetrcEntry = { login: '', password: '' };
  const flush = (): void => {
    if (machine !== null && !out.has(machine)) out.set(machine, entry);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'machine' || t === 'default') {
      flush();
      machine = t === 'default' ? '' : (tokens[++i] ?? '');
      entry = { login: '', password: '' };
    } else if (t === 'login') entry.login = tokens[++i] ?? '';
    else if (t === 'password') entry.password = tokens[++i] ?? '';
    else if (t === 'account') i++;
  }
  flush();
  return out;
}

/** Where the netrc file is: `$NETRC`, else `~/.netrc` (`~/_netrc` on Windows when that exists). */
export function netrcPath(env: Record<string, string | undefined> = process.env, home: string = os.homedir()): string {
  if (env['NETRC']) return env['NETRC'];
  return path.join(home, process.platform === 'win32' ? '_netrc' : '.netrc');
}

let defaultNetrc: Map<string, NetrcEntry> | undefined;

/** The netrc entries of `$NETRC` or `~/.netrc`, read once per process. */
export function loadDefaultNetrc(env: Record<string, string | undefined> = process.env): Map<string, NetrcEntry> {
  if (defaultNetrc === undefined) {
    try {
      defaultNetrc = parseNetrc(readFileSync(netrcPath(env), 'utf8'));
    } catch {
      defaultNetrc = new Map();
    }
  }
  return defaultNetrc;
}

/** Percent-decoding that leaves text it cannot decode as it is. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The URL without userinfo (the cache and de-duplication key; cache keys are its sha256); `${VAR}` left unexpanded
 * so no secret enters it. A URL that does not parse is redacted instead. Not for display: use `redact` on it.
 */
export function stripCredentials(rawUrl: string): string {
  try {
    const u = new URL(rawUrl);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return redact(rawUrl);
  }
}
