import { MoltError, messageOf } from '../../errors.js';
import { parseServerUrl, redactUrl } from '../../config/url.js';

/** Where a URL points, for messages: host and port (or socket), user and database. */
export interface PostgresTarget {
  host: string;
  port: string;
  user: string;
  database: string;
}

/** Host, port, user and database of a `postgres://` URL, as `pg` would read them. */
export function postgresTarget(url: string): PostgresTarget {
  const u = parseServerUrl(url);
  const q = u.searchParams;
  return {
    host: q.get('host') ?? (u.hostname || 'localhost'),
    port: q.get('port') ?? (u.port || '5432'),
    user: q.get('user') ?? (decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || 'postgres'),
    database:
      q.get('database') ??
      q.get('db') ??
      q.get('dbname') ??
      (decodeURIComponent(u.pathname.slice(1)) || process.env.PGDATABASE || 'postgres'),
  };
}

// The server is not there yet, or not ready (a Compose boot, a restart): worth waiting for with --wait-for-database.
const TRANSIENT = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', '57P03']);

/** A connection failure as the operator can act on it: which part of the URL is wrong, and what to do. */
export function postgresConnectFailure(cause: unknown, url: string, displayUrl: string): MoltError {
  const e = cause as { code?: string };
  const t = postgresTarget(url);
  const where = t.host.startsWith('/') ? `the socket in ${t.host}` : `${t.host}:${t.port}`;
  const message = messageOf(cause);
  const known: Record<string, [string, string]> = {
    ECONNREFUSED: [
      `nothing accepts connections at ${where}`,
      'Check that PostgreSQL runs and that the port is right (the default is 5432)',
    ],
    ENOENT: [`there is no socket at ${where}`, 'Check the socket directory, or connect over TCP with host and port'],
    ENOTFOUND: [`host ${t.host} is unknown`, 'Check the host name in the URL'],
    EAI_AGAIN: [`host ${t.host} cannot be resolved right now`, 'Check the host name and the DNS settings'],
    '3D000': [
      `database "${t.database}" does not exist`,
      `Create it first: \`molt create-database\` (or CREATE DATABASE "${t.database}")`,
    ],
    '28000': [
      `the server refused user "${t.user}": ${message}`,
      'Check the user in the URL, and that pg_hba.conf lets it in from this host',
    ],
    '28P01': [
      `the server refused user "${t.user}" (wrong user or password)`,
      'Check the user and password in the URL; percent-encode special characters in the password',
    ],
    '42501': [
      `user "${t.user}" may not connect to database "${t.database}"`,
      `Grant it: GRANT CONNECT ON DATABASE "${t.database}" TO "${t.user}"`,
    ],
    '57P03': ['the server is starting up or shutting down', 'Wait for it, or pass --wait-for-database 60s'],
  };
  const tls = /SSL|TLS|certificate|self[- ]signed/i.test(message);
  const entry = e.code ? known[e.code] : undefined;
  const [what, hint] =
    entry ??
    (tls
      ? [
          `TLS failed: ${message}`,
          'Check sslmode in the URL: the server may not offer TLS (use sslmode=disable on a trusted network), or give its CA with sslrootcert=/path/ca.pem',
        ]
      : /timeout/i.test(message)
        ? [
            `no answer from ${where}: ${message}`,
            'Check that the port belongs to PostgreSQL and that no firewall drops the packets; raise connect_timeout for slow links',
          ]
        : [message, 'Check that the server runs, and the host, port, user and database name in the URL']);
  return new MoltError('CONNECT_FAILED', `Cannot connect to ${displayUrl}: ${redactUrl(what)}`, {
    cause,
    hint,
    details: {
      driverCode: e.code,
      missingDatabase: e.code === '3D000',
      transient: TRANSIENT.has(e.code ?? '') || /timeout|terminat/i.test(message),
    },
  });
}
