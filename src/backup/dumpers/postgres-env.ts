import { MoltError } from '../../errors.js';
import { displayUrl } from '../../config/url.js';

/** The parts of a `postgres://` URL the client tools need, read as the `pg` driver reads them. */
export interface PostgresUrl {
  host?: string;
  port?: string;
  user?: string;
  password?: string;
  database?: string;
  params: URLSearchParams;
}

// What node-postgres itself reads from the environment when the URL leaves a field out; every other
// PG* variable (PGSERVICE, PGHOSTADDR, PGCLIENTENCODING...) could redirect or reshape a tool's
// connection, so the tools do not inherit it.
const INHERITED = [
  'PGHOST',
  'PGPORT',
  'PGUSER',
  'PGPASSWORD',
  'PGDATABASE',
  'PGPASSFILE',
  'PGSSLMODE',
  'PGAPPNAME',
  'PGOPTIONS',
  'PGCONNECT_TIMEOUT',
];

/**
 * Splits a PostgreSQL URL with the rules of pg-connection-string (the `pg` driver's parser): query
 * parameters `host`, `port`, `user`, `password` win over the URL's parts, and a host of `/dir` (or
 * `%2Fdir`) is a Unix socket directory.
 */
export function parsePostgresUrl(url: string): PostgresUrl {
  let parsed: URL;
  try {
    parsed = new URL(url.includes('@/') ? url.replace('@/', '@___socket___/') : url);
  } catch (cause) {
    throw new MoltError('URL_INVALID', `Database URL ${displayUrl(url)} does not parse`, {
      cause,
      hint: 'Use postgres://user:password@host:5432/database; percent-encode special characters in the password',
    });
  }
  const q = parsed.searchParams;
  const hostname =
    parsed.hostname === '___socket___' ? '' : decodeURIComponent(parsed.hostname.replace(/^\[(.+)\]$/, '$1'));
  const path = parsed.pathname.slice(1);
  const nonEmpty = (v: string | null | undefined): string | undefined => (v ? v : undefined);
  return {
    host: nonEmpty(q.get('host')) ?? nonEmpty(hostname),
    port: nonEmpty(q.get('port')) ?? nonEmpty(parsed.port),
    user: nonEmpty(q.get('user')) ?? nonEmpty(decodeURIComponent(parsed.username)),
    password: nonEmpty(q.get('password')) ?? nonEmpty(decodeURIComponent(parsed.password)),
    database: nonEmpty(path ? decodeURI(path) : undefined),
    params: q,
  };
}

/** libpq's sslmode for the URL's TLS settings: `ssl=true` asks for TLS, node-postgres' `no-verify` is libpq's `require`. */
function sslMode(q: URLSearchParams): string | undefined {
  const mode = q.get('sslmode');
  if (mode) return mode === 'no-verify' ? 'require' : mode;
  const ssl = q.get('ssl');
  if (ssl === 'true' || ssl === '1') return 'require';
  if (ssl === 'false' || ssl === '0') return 'disable';
  return undefined;
}

/**
 * The environment that points libpq tools (pg_dump, pg_restore) at the URL's server and `database`:
 * the password travels in PGPASSWORD, never on a command line that `ps` shows.
 */
export function postgresEnv(url: string, database?: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const u = parsePostgresUrl(url);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith('PG') || INHERITED.includes(key)) env[key] = value;
  }
  // node-postgres falls back to localhost over TCP where libpq would use a Unix socket.
  env.PGHOST = u.host ?? base.PGHOST ?? 'localhost';
  const set = (key: string, value: string | null | undefined): void => {
    if (value) env[key] = value;
  };
  set('PGPORT', u.port);
  set('PGUSER', u.user);
  set('PGPASSWORD', u.password);
  set('PGDATABASE', database ?? u.database);
  set('PGSSLMODE', sslMode(u.params));
  set('PGSSLROOTCERT', u.params.get('sslrootcert'));
  set('PGSSLCERT', u.params.get('sslcert'));
  set('PGSSLKEY', u.params.get('sslkey'));
  set('PGOPTIONS', u.params.get('options'));
  set('PGCONNECT_TIMEOUT', u.params.get('connect_timeout') ?? env.PGCONNECT_TIMEOUT ?? '10');
  env.PGAPPNAME = u.params.get('application_name') ?? 'molt';
  return env;
}

/** A PostgreSQL identifier, double-quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A libpq connection string naming only a database; every other setting comes from the environment. */
export function dbnameConninfo(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
