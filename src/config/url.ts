import { resolve } from 'node:path';
import { MoltError } from '../errors.js';
import { MYSQL_PARAMS, POSTGRES_PARAMS } from './url-params.js';

/** A database location molt understands, parsed from a URL. */
export type DatabaseUrl =
  | { kind: 'sqlite'; path: string; url: string }
  | { kind: 'postgres'; url: string; defaultPort: number }
  | { kind: 'mysql'; url: string; defaultPort: number; flavour: 'mysql' | 'mariadb' };

const SQLITE_PREFIXES = ['sqlite://', 'sqlite:', 'file://', 'file:'];

/** Parses `sqlite:PATH`, `postgres://...` or `mysql://...`; names the value when it cannot. */
export function parseDatabaseUrl(raw: string, cwd = process.cwd()): DatabaseUrl {
  const url = raw.trim();
  for (const prefix of SQLITE_PREFIXES) {
    if (url.startsWith(prefix)) {
      const path = url.slice(prefix.length).split('?')[0];
      if (!path)
        throw new MoltError('URL_INVALID', `Database URL "${url}" names no file`, { hint: 'Use sqlite:./data/app.db' });
      return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(cwd, path), url };
    }
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url: checkUserInfo(url), defaultPort: 5432 };
  const mysql = /^(mysql|mariadb):\/\//i.exec(url);
  if (mysql)
    return {
      kind: 'mysql',
      url: checkUserInfo(url),
      defaultPort: 3306,
      flavour: mysql[1].toLowerCase() === 'mariadb' ? 'mariadb' : 'mysql',
    };
  if (url.endsWith('.db') || url.endsWith('.sqlite') || url.endsWith('.sqlite3')) {
    return { kind: 'sqlite', path: resolve(cwd, url), url };
  }
  throw new MoltError('URL_INVALID', `Database URL "${redactUrl(url)}" has a scheme molt does not know`, {
    hint: 'Use sqlite:PATH, postgres://user@host/db or mysql://user@host/db',
  });
}

// The user info of a URL runs to its last `@`: a password may hold an unencoded `@`, `/`, `?` or `#`.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)(\S*)@/gi;
const SPACED_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)(?!\*\*\*@)[^\n]*@/gi;
// Query parameters and libpq keyword strings (`host=db password=secret`) that carry a secret.
// The value runs to the next parameter or white space; quotes belong to it (a password may start with one).
const SECRET_PARAM = /([?&;]\s*(?:password|sslpassword|passwd|pwd|pass|secret|token|access_token|api_key)=)[^&\s]*/gi;
const SECRET_KEYWORD = /(\b(?:password|sslpassword)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&"']+)/gi;

/**
 * Refuses a server URL whose user info holds an unencoded `/`, `?` or `#`: the URL would end there, and the rest of the
 * password would be read as a path, a parameter or a fragment (and could be printed as one).
 */
function checkUserInfo(url: string): string {
  const rest = url.slice(url.indexOf('://') + 3);
  const cut = rest.search(/[/?#]/);
  if (cut === -1) return url;
  const head = rest.slice(0, cut);
  // A database name never holds "@", so one in the path is the rest of a password whose "/" was not encoded.
  const path = rest.slice(cut).split(/[?#]/)[0]!;
  if (path.includes('@') || (!head.includes('@') && rest.slice(cut).includes('@') && /:(?!\d+$)/.test(head))) {
    throw new MoltError(
      'URL_INVALID',
      `Database URL ${redactUrl(url)}: the password holds a "/", "?" or "#" that is not percent-encoded`,
      {
        hint: 'Percent-encode them in the password: / as %2F, ? as %3F, # as %23 (and @ as %40)',
      },
    );
  }
  return url;
}

/**
 * Replaces every secret a database URL or connection string may carry inside `text` with `***`: the password in the
 * user info (even one holding an unencoded `@`), `?password=` style parameters, and `password=` keywords.
 */
export function redactUrl(text: string): string {
  return (
    text
      .replace(URL_USERINFO, (_, scheme: string, userinfo: string) => {
        const colon = userinfo.indexOf(':');
        return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
      })
      // A password with a space in it ends the match above early: whatever follows `user:` up to the line's last `@`.
      .replace(SPACED_USERINFO, '$1***@')
      .replace(SECRET_PARAM, '$1***')
      .replace(SECRET_KEYWORD, (match, key: string, value: string) => (value === '***' ? match : `${key}***`))
  );
}

// Parameter names molt shows when it prints a URL: those the drivers read. Anything else may be a piece of a password
// whose `&` was not encoded, so it is shown as `…`.
const SHOWN_PARAMS: ReadonlySet<string> = new Set(
  [...POSTGRES_PARAMS, ...MYSQL_PARAMS].filter((p) => p !== 'password'),
);
const SECRET_NAMES = /^(password|sslpassword|passwd|pwd|pass|secret|token|access_token|api_key)$/i;

/**
 * Parses a server URL; a socket URL (`postgres://user@/db?host=/run/postgresql`) has no host part for the URL parser,
 * so `localhost` stands in for it. Throws as `new URL` does.
 */
export function parseServerUrl(url: string): URL {
  return new URL(url.includes('@/') ? url.replace('@/', '@localhost/') : url);
}

/**
 * A database URL as molt prints it: rebuilt from its parts, so no spelling of a password survives. The password reads
 * `***`, as do secret parameters; a parameter name molt does not read is `…`; a URL that does not parse shows its scheme
 * only. SQLite paths are shown as given.
 */
export function displayUrl(raw: string): string {
  const url = raw.trim();
  if (SQLITE_PREFIXES.some((prefix) => url.startsWith(prefix))) return redactUrl(url);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (!scheme) return redactUrl(url);
  try {
    const u = parseServerUrl(url);
    const user = u.username ? `${decodeURIComponent(u.username)}${u.password ? ':***' : ''}@` : '';
    const host = url.includes('@/') ? '' : u.host;
    const params = [...u.searchParams.keys()].map((key) =>
      SECRET_NAMES.test(key) ? `${key}=***` : SHOWN_PARAMS.has(key) ? `${key}=${u.searchParams.get(key)}` : '…',
    );
    return `${scheme}://${user}${host}${decodeURIComponent(u.pathname)}${params.length ? `?${params.join('&')}` : ''}`;
  } catch {
    return `${scheme}://… (a URL that does not parse; not shown, as it may hold a password)`;
  }
}

/** One part of a URL (`user`, `password`, `database name`) percent-decoded; a `%` that starts no escape is a usage error. */
export function decodeUrlPart(url: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new MoltError(
      'URL_INVALID',
      `Database URL ${displayUrl(url)}: the ${what} holds a "%" that does not start a percent-escape`,
      {
        hint: 'Percent-encode % itself as %25',
      },
    );
  }
}

/**
 * The error for a URL parameter molt does not know. The name is echoed only when it looks like one and does not follow a
 * password: after `password=a&b`, "b" is the rest of a password whose `&` was not encoded.
 */
export function unknownParameter(
  url: string,
  key: string,
  previous: string | undefined,
  known: readonly string[],
): MoltError {
  const afterSecret = previous !== undefined && SECRET_NAMES.test(previous);
  const named =
    !afterSecret && /^[a-z_]{1,40}$/.test(key) ? `"${key}"` : 'that is not shown (it may be part of a password)';
  return new MoltError('URL_INVALID', `Database URL ${displayUrl(url)}: unknown parameter ${named}`, {
    hint: afterSecret
      ? 'A password holding "&", "#", "+" or a space must be percent-encoded (%26, %23, %2B, %20)'
      : `molt understands ${known.join(', ')}`,
  });
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
