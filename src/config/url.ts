import { resolve } from 'node:path';
import { MoltError } from '../errors.js';

/** A database location molt understands, parsed from a URL. */
export type DatabaseUrl =
  | { kind: 'sqlite'; path: string; url: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'mysql'; url: string };

const SQLITE_PREFIXES = ['sqlite://', 'sqlite:', 'file://', 'file:'];

/** Parses `sqlite:PATH`, `postgres://...` or `mysql://...`; names the value when it cannot. */
export function parseDatabaseUrl(raw: string, cwd = process.cwd()): DatabaseUrl {
  const url = raw.trim();
  for (const prefix of SQLITE_PREFIXES) {
    if (url.startsWith(prefix)) {
      const path = url.slice(prefix.length).split('?')[0];
      if (!path) throw new MoltError('URL_INVALID', `Database URL "${url}" names no file`, { hint: 'Use sqlite:./data/app.db' });
      return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(cwd, path), url };
    }
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  if (/^(mysql|mariadb):\/\//i.test(url)) return { kind: 'mysql', url };
  if (url.endsWith('.db') || url.endsWith('.sqlite') || url.endsWith('.sqlite3')) {
    return { kind: 'sqlite', path: resolve(cwd, url), url };
  }
  throw new MoltError('URL_INVALID', `Database URL "${redactUrl(url)}" has a scheme molt does not know`, {
    hint: 'Use sqlite:PATH, postgres://user@host/db or mysql://user@host/db',
  });
}

// The user info of a URL runs to its last `@`: a password may hold an unencoded `@`, `/`, `?` or `#`.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)(\S*)@/gi;
// Query parameters and libpq keyword strings (`host=db password=secret`) that carry a secret.
const SECRET_PARAM = /([?&;]\s*(?:password|sslpassword|passwd|pwd|pass|secret|token|access_token|api_key)=)[^&\s#"']*/gi;
const SECRET_KEYWORD = /(\b(?:password|sslpassword)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&"']+)/gi;

/**
 * Replaces every secret a database URL or connection string may carry inside `text` with `***`: the password in the
 * user info (even one holding an unencoded `@`), `?password=` style parameters, and `password=` keywords.
 */
export function redactUrl(text: string): string {
  return text
    .replace(URL_USERINFO, (_, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
    })
    .replace(SECRET_PARAM, '$1***')
    .replace(SECRET_KEYWORD, (match, key: string, value: string) => (value === '***' ? match : `${key}***`));
}

/** The same URL pointing at another database on the same server (a maintenance connection, a staging database). */
export function withDatabase(url: string, database: string): string {
  if (SQLITE_PREFIXES.some((prefix) => url.trim().startsWith(prefix))) return `sqlite:${database}`;
  // As in pg-connection-string: `user@/db?host=/run/postgresql` has no host part until one is made up.
  const socket = url.includes('@/');
  const u = new URL(socket ? url.replace('@/', '@___socket___/') : url);
  u.pathname = `/${encodeURIComponent(database)}`;
  const out = u.toString();
  return socket ? out.replace('@___socket___/', '@/') : out;
}
