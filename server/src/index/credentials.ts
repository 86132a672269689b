// Index URL credentials: `${VAR}` expansion, userinfo and .netrc lookup for Basic auth, and redaction for every message.
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const VAR_RE = /\$\{([A-Za-z0-9_]+)\}/g;

/** Replaces `${VAR}` with the variable's value (pip's requirements-file rule: upper-case, digits and `_`; unset stays as written). */
export function expandEnvVars(text: string, env: Record<string, string | undefined> = process.env): string {
  return text.replace(VAR_RE, (whole, name: string) => env[name] ?? whole);
}

/**
 * A URL with any password (or token-only userinfo) replaced by `***`, as pip's `redact_auth_from_url` does:
 * `https://user:secret@host/` -> `https://user:***@host/`, `https://token@host/` -> `https://***@host/`.
 * Text that is not a URL is returned with anything looking like `scheme://userinfo@` redacted.
 */
export function redact(url: string): string {
  return url.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/gi, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** A URL split into the part without credentials and the Basic credentials to send with it. */
export interface AuthenticatedUrl {
  /** The URL without userinfo, `${VAR}` expanded: what is requested and what keys the cache. */
  url: string;
  /** `Basic ...` header value, or null. */
  authorization: string | null;
}

/** One `.netrc` entry. */
interface NetrcEntry {
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

/** Options for `authenticate`. */
export interface AuthOptions {
  env?: Record<string, string | undefined>;
  /** Parsed netrc entries; by default read once from `netrcPath()`. Pass an empty map to ignore netrc. */
  netrc?: Map<string, NetrcEntry>;
}

let defaultNetrc: Map<string, NetrcEntry> | undefined;

function loadDefaultNetrc(env: Record<string, string | undefined>): Map<string, NetrcEntry> {
  if (defaultNetrc === undefined) {
    try {
      defaultNetrc = parseNetrc(readFileSync(netrcPath(env), 'utf8'));
    } catch {
      defaultNetrc = new Map();
    }
  }
  return defaultNetrc;
}

/**
 * Expands `${VAR}`, removes userinfo from the URL and turns it (or the host's `.netrc` entry when the URL has
 * none) into a Basic `Authorization` value. Only http(s) URLs get netrc credentials.
 */
export function authenticate(rawUrl: string, opts: AuthOptions = {}): AuthenticatedUrl {
  const env = opts.env ?? process.env;
  const expanded = expandEnvVars(rawUrl, env);
  let u: URL;
  try {
    u = new URL(expanded);
  } catch {
    return { url: expanded, authorization: null };
  }
  let user = decodeURIComponent(u.username);
  let pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  if (!user && !pass && (u.protocol === 'http:' || u.protocol === 'https:')) {
    const netrc = opts.netrc ?? loadDefaultNetrc(env);
    const e = netrc.get(u.hostname) ?? netrc.get('');
    if (e && (e.login || e.password)) {
      user = e.login;
      pass = e.password;
    }
  }
  const authorization = user || pass ? 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64') : null;
  return { url: u.toString(), authorization };
}

/** The URL without userinfo (the cache and de-duplication key); `${VAR}` left unexpanded so no secret enters it. */
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
