import { MoltError, messageOf } from '../../errors.js';
import { redactUrl } from '../../config/url.js';
import type { MysqlTarget } from './mysql-url.js';

/** Which server answered, parsed from `VERSION()`. */
export interface ServerFlavor {
  name: 'MySQL' | 'MariaDB';
  mariadb: boolean;
  version: string;
}

/** The oldest servers molt runs on: multiple named locks per session, DATETIME(3), statement limits. */
const MINIMUM = { MySQL: [5, 7], MariaDB: [10, 3] } as const;

/** Reads the server's version and refuses servers older than molt supports. */
export function serverSupport(versionText: string, displayUrl: string): ServerFlavor {
  const mariadb = /mariadb/i.test(versionText);
  const name = mariadb ? 'MariaDB' : 'MySQL';
  // MariaDB 10.x behind old replication prefixes reports "5.5.5-10.11.6-MariaDB".
  const version = /(?:5\.5\.5-)?(\d+\.\d+\.\d+)/.exec(versionText)?.[1] ?? versionText;
  const [major, minor] = version.split('.').map(Number);
  const [minMajor, minMinor] = MINIMUM[name];
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    throw new MoltError(
      'SERVER_UNSUPPORTED',
      `${displayUrl} runs ${name} ${version}; molt needs ${name} ${minMajor}.${minMinor} or newer`,
      {
        hint: `Upgrade the server to ${name} ${minMajor}.${minMinor} or later`,
        details: { server: name, version },
      },
    );
  }
  return { name, mariadb, version };
}

// The server is not there yet, or not ready (a Compose boot, a restart): worth waiting for with --wait-for-database.
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
  'ER_SERVER_SHUTDOWN',
]);

/** A connection failure as the operator can act on it: which part of the URL is wrong, and what to do. */
export function connectFailure(cause: unknown, target: MysqlTarget, displayUrl: string): MoltError {
  const e = cause as { code?: string; errno?: number };
  const where = target.socketPath ?? `${target.host}:${target.port}`;
  const known: Record<string, [string, string]> = {
    ECONNREFUSED: [
      `nothing accepts connections at ${where}`,
      `Check that MySQL or MariaDB runs and that the port is right (the default is 3306)`,
    ],
    ENOENT: [`there is no socket at ${where}`, 'Check the socket path, or connect over TCP with host and port'],
    ENOTFOUND: [`host ${target.host} is unknown`, 'Check the host name in the URL'],
    EAI_AGAIN: [`host ${target.host} cannot be resolved right now`, 'Check the host name and the DNS settings'],
    ETIMEDOUT: [
      `no MySQL greeting from ${where} within ${target.connectTimeoutMs / 1000} s`,
      'Check that the port belongs to MySQL or MariaDB (not another service) and that no firewall drops the packets; raise connect_timeout for slow links',
    ],
    ER_ACCESS_DENIED_ERROR: [
      `the server refused user "${target.user}" (wrong user or password)`,
      'Check the user and password in the URL; percent-encode special characters in the password',
    ],
    ER_DBACCESS_DENIED_ERROR: [
      `user "${target.user}" may not use database "${target.database}"`,
      `Grant access: GRANT ALL ON \`${target.database}\`.* TO '${target.user}'@'%'`,
    ],
    ER_BAD_DB_ERROR: [
      `database "${target.database}" does not exist`,
      `Create it first: CREATE DATABASE \`${target.database}\``,
    ],
    HANDSHAKE_NO_SSL_SUPPORT: [
      'the server does not offer TLS, but the URL asks for it',
      'Enable TLS on the server, or remove sslmode from the URL on a trusted network',
    ],
  };
  const entry = e.code ? known[e.code] : undefined;
  const tls = /certificate|self[- ]signed|SSL|TLS/i.test(messageOf(cause)) && target.ssl;
  const [what, hint] =
    entry ??
    (tls
      ? [
          `TLS failed: ${messageOf(cause)}`,
          'Give the CA with sslca=/path/ca.pem, or use sslmode=require to encrypt without verifying',
        ]
      : [redactUrl(messageOf(cause)), 'Check that the server runs, and the host, port, user and database in the URL']);
  return new MoltError('CONNECT_FAILED', `Cannot connect to ${displayUrl}: ${what}`, {
    cause,
    hint,
    details: {
      driverCode: e.code,
      missingDatabase: e.code === 'ER_BAD_DB_ERROR',
      transient: TRANSIENT.has(e.code ?? ''),
    },
  });
}
